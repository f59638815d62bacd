// Draws each chart of a printable ToyPulse report with the bundled plotly.js, then marks the
// page ready (data-ready, data-height) for the headless browser that prints or captures it.
// A file, not an inline script: the app's Content-Security-Policy runs scripts from 'self' only.
(function () {
  "use strict";
  function draw() {
    var slots = document.querySelectorAll("[data-figure]");
    var drawing = [];
    slots.forEach(function (slot) {
      var source = document.getElementById(slot.getAttribute("data-figure"));
      var figure = JSON.parse(source.textContent);
      var layout = Object.assign({}, figure.layout || {}, {width: slot.clientWidth});
      delete layout.uirevision;
      drawing.push(window.Plotly.newPlot(slot, figure.data || [], layout,
        {staticPlot: true, displayModeBar: false, responsive: false}));
    });
    Promise.all(drawing).then(function () {
      var body = document.body;
      body.setAttribute("data-height", String(Math.ceil(
        document.documentElement.scrollHeight)));
      body.setAttribute("data-ready", "1");
    });
    var button = document.getElementById("print-button");
    if (button) {
      button.addEventListener("click", function () { window.print(); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
