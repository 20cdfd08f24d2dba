// The kanban board: drag a card to another stage (SortableJS); the move is posted through HTMX with the version
// the card showed. Success redraws the card and the two column headers; a conflict or a refusal puts the card
// back where it was and shows the server's message. Moving to "lost" first asks for the reason.
(function () {
  const board = document.querySelector("[data-kanban]");
  if (!board || typeof Sortable === "undefined") return;
  const message = document.getElementById("kanban-message");
  const dialog = document.getElementById("lost-dialog");

  function say(text) {
    if (!message) return;
    message.textContent = text;
    message.classList.toggle("d-none", !text);
  }

  function snapBack(evt) {
    const reference = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, reference);
  }

  function askReason() {
    return new Promise((resolve) => {
      if (!dialog || typeof dialog.showModal !== "function") { resolve(null); return; }
      const form = dialog.querySelector("form");
      form.reset();
      const done = (value) => { dialog.close(); resolve(value); };
      form.onsubmit = (event) => {
        event.preventDefault();
        const reason = form.elements.win_loss_reason.value;
        if (!reason) { form.elements.win_loss_reason.focus(); return; }
        done({ win_loss_reason: reason, win_loss_note: form.elements.win_loss_note.value });
      };
      dialog.querySelector("[data-lost-cancel]").onclick = () => done(null);
      dialog.oncancel = () => done(null);
      dialog.showModal();
    });
  }

  async function move(evt) {
    if (evt.from === evt.to) return;
    const card = evt.item;
    const values = { stage: evt.to.dataset.stage, version: card.dataset.version, drag: "1" };
    if (evt.to.hasAttribute("data-lost")) {
      const reason = await askReason();
      if (!reason) { snapBack(evt); return; }
      Object.assign(values, reason);
    }
    say("");
    card.classList.add("is-saving");
    const onDone = (event) => {
      card.removeEventListener("htmx:afterRequest", onDone);
      card.classList.remove("is-saving");
      if (!event.detail.successful) {
        snapBack(evt);
        say(event.detail.xhr.responseText || event.detail.xhr.statusText);
      }
    };
    card.addEventListener("htmx:afterRequest", onDone);
    htmx.ajax("POST", card.dataset.moveUrl, { source: card, target: card, swap: "outerHTML", values: values });
  }

  board.querySelectorAll(".kanban-cards").forEach((column) => {
    Sortable.create(column, {
      group: "pipeline",
      animation: 150,
      draggable: ".kanban-card",
      filter: "a, select, button, input, .kanban-move",
      preventOnFilter: false,
      delay: 150,
      delayOnTouchOnly: true,
      onEnd: move,
    });
  });

  // The phone's stage select posts without `drag`: the board reloads on success; a refusal shows its message.
  document.body.addEventListener("htmx:responseError", (event) => {
    if (event.target.closest && event.target.closest(".kanban-move")) say(event.detail.xhr.responseText);
  });
})();
