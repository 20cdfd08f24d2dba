// Activity form: show the fields the chosen kind uses, a contact box narrowed to the chosen account,
// and a small rich-text editor over the description (the textarea stays the submitted field).
(function () {
  const form = document.querySelector("form[data-activity-form]");
  if (!form) return;
  const kindsByField = JSON.parse(document.getElementById("activity-field-kinds").textContent);

  function currentKind() {
    const checked = form.querySelector('input[name="kind"]:checked');
    return checked ? checked.value : "";
  }
  function showFieldsForKind() {
    const kind = currentKind();
    Object.entries(kindsByField).forEach(([name, kinds]) => {
      const wrapper = form.querySelector(`[data-field="${name}"]`);
      if (wrapper) wrapper.classList.toggle("d-none", !kinds.includes(kind));
    });
  }
  form.querySelectorAll('input[name="kind"]').forEach((el) => el.addEventListener("change", showFieldsForKind));

  // Contact autocomplete: scoped contacts of the chosen account; choosing a contact fills an empty account.
  const account = form.querySelector('select[name="account"]');
  const contact = form.querySelector("select[data-contact-select]");
  if (contact && window.TomSelect) {
    const url = contact.dataset.autocompleteUrl;
    const contactSelect = new TomSelect(contact, {
      valueField: "id", labelField: "text", searchField: ["text"], maxOptions: 50, allowEmptyOption: false,
      plugins: ["clear_button"],
      preload: "focus",
      shouldLoad: () => true,
      load(query, callback) {
        const params = new URLSearchParams({ q: query });
        if (account && account.value) params.set("account", account.value);
        fetch(`${url}?${params}`, { credentials: "same-origin" })
          .then((r) => r.json()).then((data) => callback(data.results)).catch(() => callback());
      },
      onChange(value) {
        const option = this.options[value];
        if (!option || !account || account.value) return;
        const accountSelect = account.tomselect;
        if (accountSelect) {
          accountSelect.addOption({ id: option.account, text: option.account_name });
          accountSelect.setValue(String(option.account), true);
        }
      },
    });
    if (account) {
      account.addEventListener("change", () => {
        const chosen = contactSelect.options[contactSelect.getValue()];
        if (chosen && String(chosen.account) !== account.value && chosen.account !== undefined) contactSelect.clear();
        contactSelect.clearOptions();
        contactSelect.settings.preload = "focus";
        contactSelect.loadedSearches = {};
      });
    }
  }

  // Rich text: contenteditable with bold/italic/list/link; the textarea receives the HTML on submit.
  form.querySelectorAll("textarea[data-rich-text]").forEach((textarea) => {
    const toolbar = document.createElement("div");
    toolbar.className = "btn-group btn-group-sm mb-1";
    const editor = document.createElement("div");
    editor.className = "form-control rich-text-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    editor.innerHTML = textarea.value;
    [["bold", "ti-bold"], ["italic", "ti-italic"], ["insertUnorderedList", "ti-list"], ["insertOrderedList", "ti-list-numbers"], ["createLink", "ti-link"]]
      .forEach(([command, icon]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-outline-secondary";
        button.innerHTML = `<i class="ti ${icon}"></i>`;
        button.setAttribute("aria-label", command);
        button.addEventListener("click", () => {
          editor.focus();
          const value = command === "createLink" ? window.prompt("https://") : null;
          if (command === "createLink" && !value) return;
          document.execCommand(command, false, value);
        });
        toolbar.appendChild(button);
      });
    textarea.classList.add("d-none");
    textarea.after(toolbar, editor);
    form.addEventListener("submit", () => { textarea.value = editor.innerHTML; });
  });

  showFieldsForKind();
})();
