// Behaviour for activity pages without inline handlers (the Content-Security-Policy forbids them):
// confirmation before destructive posts, selects that submit their form, read-only fields that select on click.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit], input[data-autosubmit]")) event.target.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.matches("input[data-select-on-click]")) event.target.select();
});
