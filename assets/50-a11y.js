/* Accessibility and phone fixes for Dash 4 controls we do not own (issue 9 item 5).
 *
 * - Dropdowns: Dash keeps a hidden (aria-hidden) input in the tab order that forwards focus to
 *   the real button; axe rightly calls that "aria-hidden-focus". Put the button itself in the
 *   tab order (it opens with Enter or ArrowDown) and take the hidden input out.
 * - Date range: its wrapper <div> carries aria-expanded, which a div without a role may not.
 * - Tables that scroll sideways (dbc.Table responsive, narrow screens): focusable and named,
 *   so a keyboard can scroll them ("scrollable-region-focusable").
 * - Filter drawer (phones): Escape closes it, unless a list inside it is open (Escape closes
 *   that list first); while it is open, Tab and Shift+Tab cycle through its controls instead of
 *   walking into the page hidden behind it (a list opened from it lives outside the drawer and
 *   keeps its own keys).
 * - Charts on phones: a legend can eat a fixed-height figure; grow the figure until its plot
 *   area is at least MIN_PLOT px tall (Plotly reports the plot area as _fullLayout._size.h).
 */
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 767.98px)");
  var MIN_PLOT = 240;

  function fixControls(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (proxy) {
      if (proxy.tabIndex !== -1) { proxy.tabIndex = -1; }
      var button = proxy.nextElementSibling;
      if (button && button.classList.contains("dash-dropdown") && !button.disabled &&
          button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
    });
    root.querySelectorAll("div[aria-haspopup=dialog][aria-expanded]").forEach(function (el) {
      if (!el.getAttribute("role")) { el.removeAttribute("aria-expanded"); }
    });
  }

  function fixScrollingTables(root) {
    root.querySelectorAll(".table-responsive:not([tabindex])").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth) { return; }
      var card = box.closest(".card");
      var caption = box.querySelector("caption");
      var heading = card && card.querySelector(".card-header, h2, h3, h4");
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label",
        ((caption || heading || {}).textContent || "Table").trim() + " (scrolls sideways)");
    });
  }

  function tallEnough(gd) {
    var full = gd._fullLayout;
    if (!PHONE.matches || !full || !full._size || !window.Plotly) { return; }
    var short = MIN_PLOT - full._size.h;
    if (short > 0 && full.height) {
      window.Plotly.relayout(gd, {height: Math.ceil(full.height + short)});
    }
  }

  function watchGraphs(root) {
    root.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (gd.dataset.tallWatch || typeof gd.on !== "function") { return; }
      gd.dataset.tallWatch = "1";
      gd.on("plotly_afterplot", function () { tallEnough(gd); });
      tallEnough(gd);
    });
  }

  function sweep() {
    fixControls(document);
    fixScrollingTables(document);
    watchGraphs(document);
  }
  new MutationObserver(sweep).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["tabindex", "aria-expanded", "class"],
  });
  PHONE.addEventListener("change", sweep);
  var FOCUSABLE = "button:not([disabled]), input:not([disabled]):not([tabindex='-1']), " +
    "select:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

  function trapTab(event) {
    var drawer = document.querySelector("#ov-filters.show");
    if (event.key !== "Tab" || !drawer || !PHONE.matches ||
        document.querySelector("[data-radix-popper-content-wrapper]")) { return; }
    var items = Array.prototype.filter.call(drawer.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null;
    });
    if (!items.length) { return; }
    var first = items[0], last = items[items.length - 1], here = document.activeElement;
    var outside = !drawer.contains(here);
    if (outside || (event.shiftKey && here === first) || (!event.shiftKey && here === last)) {
      event.preventDefault();
      (event.shiftKey && !outside ? last : first).focus();
    }
  }
  window.addEventListener("keydown", trapTab, true);

  // Capture on window: runs before the list's own Escape handler removes the open list.
  window.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !document.querySelector("#ov-filters.show") ||
        document.querySelector("[data-radix-popper-content-wrapper]")) { return; }
    var close = document.getElementById("ov-filters-close");
    if (close) { close.click(); }
  }, true);
})();
