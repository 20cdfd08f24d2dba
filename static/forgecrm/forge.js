// CSRF token on every HTMX request (the token is in a meta tag; cookies stay HttpOnly).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-tom-select]").forEach((el) => {
    const url = el.dataset.autocompleteUrl;
    const options = { maxOptions: 50, allowEmptyOption: true };
    if (url) {
      options.valueField = "id"; options.labelField = "text"; options.searchField = ["text"];
      options.load = (query, callback) => {
        fetch(`${url}?q=${encodeURIComponent(query)}`, { credentials: "same-origin" })
          .then((r) => r.json()).then((data) => callback(data.results)).catch(() => callback());
      };
    }
    new TomSelect(el, options);
  });
});
// Confirm before a destructive form submits: <form data-confirm="Delete this?">. (Inline onsubmit handlers
// are blocked by the Content-Security-Policy, so the question lives in a data attribute.)
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
// "Cancel" without a target goes back (no javascript: URLs: the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-history-back]");
  if (link) { event.preventDefault(); history.back(); }
});
