/* "Download PNG" on each Overview chart card: Plotly's own image export of the chart exactly as
 * drawn (components/exports.py gives each button data-png-for, the graph's id). One listener on
 * the document, so buttons that Dash renders later work too. No inline script (the CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-png-for]");
    if (!button || !window.Plotly) { return; }
    var holder = document.getElementById(button.getAttribute("data-png-for"));
    var graph = holder && (holder.classList.contains("js-plotly-plot") ? holder
      : holder.querySelector(".js-plotly-plot"));
    if (!graph) { return; }
    window.Plotly.downloadImage(graph, {
      format: "png", filename: button.getAttribute("data-png-name") || "chart",
      width: graph.clientWidth, height: graph.clientHeight, scale: 2
    });
  });
})();
