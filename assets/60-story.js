/* Story presenter mode (dashboard/pages/story.py): step between scenes, keep the URL on the
 * scene shown (/story?scene=N or ?story=ID&scene=N, so a link reopens it), full screen, and keys: → / Page Down
 * next, ← / Page Up previous, F full screen. Keys typed into a form field are left alone.
 */
(function () {
  "use strict";
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    story: {
      step: function (_prev, _next, index, count) {
        var ctx = window.dash_clientside.callback_context;
        var trigger = ctx.triggered.length ? ctx.triggered[0].prop_id : "";
        var n = parseInt(index, 10) || 1;
        if (trigger === "story-next.n_clicks") { n += 1; }
        else if (trigger === "story-prev.n_clicks") { n -= 1; }
        else { return window.dash_clientside.no_update; }
        n = Math.min(Math.max(n, 1), count || 1);
        return n === index ? window.dash_clientside.no_update : n;
      },
      link: function (index) {
        if (window.location.pathname.replace(/\/$/, "") === "/story" && index) {
          var params = new URLSearchParams(window.location.search);
          params.set("scene", index);  // a saved story keeps its ?story=ID&version=N
          var url = window.location.pathname + "?" + params.toString();
          if (url !== window.location.pathname + window.location.search) {
            window.history.replaceState(null, "", url);
          }
        }
        return window.dash_clientside.no_update;
      },
      fullscreen: function () {
        var stage = document.getElementById("story-stage");
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else if (stage && stage.requestFullscreen) {
          stage.requestFullscreen().catch(function () { /* refused: stay as we are */ });
        }
        return window.dash_clientside.no_update;
      }
    }
  });

  // Entering or leaving full screen changes the stage's size: let the chart fit it again.
  document.addEventListener("fullscreenchange", function () {
    window.dispatchEvent(new Event("resize"));
  });

  var KEYS = {ArrowRight: "story-next", PageDown: "story-next", ArrowLeft: "story-prev",
              PageUp: "story-prev", f: "story-fullscreen", F: "story-fullscreen"};
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || !KEYS[event.key]) { return; }
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var button = document.getElementById(KEYS[event.key]);
    if (!button || !document.getElementById("story-stage")) { return; }
    event.preventDefault();
    if (!button.disabled) { button.click(); }
  });
})();
