// The regarding panel (templates/activities/panel/): click-to-call opens the dialler AND the prefilled call
// log; the call log counts the minutes until the rep types them; close buttons; no inline handlers (CSP).
(() => {
  if (window.forgeActivityPanel) return;
  window.forgeActivityPanel = true;

  document.addEventListener("click", (event) => {
    const call = event.target.closest("a[data-call-log]");
    if (call && window.htmx) {
      // No preventDefault: the tel: link still dials; the form waits in the panel for the call's result.
      window.htmx.ajax("GET", call.dataset.callLog, { target: call.dataset.callTarget, swap: "innerHTML" });
      return;
    }
    const dismiss = event.target.closest("[data-panel-dismiss]");
    if (dismiss) {
      const slot = dismiss.closest(".activity-panel-form");
      if (slot) slot.replaceChildren();
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const form = event.target.querySelector && event.target.querySelector("form.quick-log");
    if (!form) return;
    const save = form.querySelector("[data-save]");
    if (save) save.focus({ preventScroll: false });
    if (!form.hasAttribute("data-call-timer")) return;
    const minutes = form.querySelector("input[name=duration_minutes]");
    if (!minutes) return;
    const started = Date.now();
    let touched = false;
    minutes.addEventListener("input", () => { touched = true; }, { once: true });
    const tick = () => {
      if (!document.body.contains(form)) { window.clearInterval(timer); return; }
      if (!touched) minutes.value = String(Math.max(1, Math.ceil((Date.now() - started) / 60000)));
    };
    const timer = window.setInterval(tick, 15000);
    tick();
  });
})();
