/* Charts follow their card's width when the window or the card changes size.
 *
 * The Overview's graphs do not use Plotly's "responsive" config: with it, dcc.Graph drops the
 * figure's height and sizes the plot to a parent that has no height, and the cards collapsed
 * under their charts. Each figure has autosize and its own height instead; this refits the
 * width (Plotly.Plots.resize keeps the drawn height) once the size has settled.
 */
(function () {
  "use strict";
  var pending = null;

  function refit() {
    pending = null;
    if (!window.Plotly) { return; }
    document.querySelectorAll(".chart-loading .js-plotly-plot").forEach(function (gd) {
      var drawn = gd._fullLayout && gd._fullLayout.width;
      if (drawn && Math.abs(gd.clientWidth - drawn) > 1) {
        window.Plotly.Plots.resize(gd).catch(function () {});
      }
    });
  }

  function later() {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(refit, 120);
  }

  window.addEventListener("resize", later);
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(later);
    new MutationObserver(function () {
      document.querySelectorAll(".chart-loading:not([data-width-watch])").forEach(function (box) {
        box.setAttribute("data-width-watch", "1");
        observer.observe(box);
      });
    }).observe(document.documentElement, {subtree: true, childList: true});
  }
})();
