/* When the session has ended (expired, signed out elsewhere, account changed), Dash's requests
   get 401: send the person to the sign-in page, back to this view afterwards. The 401 is not
   handed on to Dash (the page is leaving anyway), so it shows no error for it. */
(function () {
    const originalFetch = window.fetch.bind(window);
    window.fetch = function (input, init) {
        return originalFetch(input, init).then(function (response) {
            const url = typeof input === "string" ? input : (input && input.url) || "";
            if (response.status === 401 && url.indexOf("/_dash-") !== -1) {
                const here = window.location.pathname + window.location.search;
                window.location.assign("/login?expired=1&next=" + encodeURIComponent(here));
                return new Promise(function () {});  // never settles: nothing left to render
            }
            return response;
        });
    };
})();
