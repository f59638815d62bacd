/* The one URL writer every page's clientside callback calls (pages/overview.py, profit.py,
 * people_layout.py): the view's query string into the address bar (history.replaceState, no
 * reload, no history entry). The saved view (view=) and data version (version=) a page was
 * opened from stay in its URL, so a reload keeps the line naming them. `query` may start with
 * "?" or not; anything but a string changes nothing.
 */
(function () {
  "use strict";
  function writeUrl(query) {
    if (typeof query !== "string") { return window.dash_clientside.no_update; }
    var here = new URLSearchParams(window.location.search);
    var next = new URLSearchParams(query.charAt(0) === "?" ? query.slice(1) : query);
    ["view", "version"].forEach(function (key) {
      if (here.has(key) && !next.has(key)) { next.set(key, here.get(key)); }
    });
    var search = next.toString();
    var url = window.location.pathname + (search ? "?" + search : "");
    if (url !== window.location.pathname + window.location.search) {
      window.history.replaceState(null, "", url);
    }
    return window.dash_clientside.no_update;
  }
  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.toypulse = Object.assign({}, window.dash_clientside.toypulse,
                                                  { writeUrl: writeUrl });
})();
