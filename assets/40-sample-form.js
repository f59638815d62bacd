/* "Load the sample data" is a plain form post that takes a few seconds on the server: say so on
   the button and keep a second click from posting again. */
document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form || form.id !== "empty-sample-form") { return; }
    const button = form.querySelector("button[type=submit]");
    if (!button) { return; }
    if (button.dataset.sent) { event.preventDefault(); return; }
    button.dataset.sent = "1";
    button.textContent = "Loading the sample…";
    button.setAttribute("aria-busy", "true");
    button.classList.add("disabled");
});
