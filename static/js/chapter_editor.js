// The regional report's chapter editor (reports/chapter_views.py): the portal's rich-text editor
// (Quill, with the long-text answer's toolbar and keys) over a plain text area, which is what
// the form sends without JavaScript. With it, the editor's HTML goes in `body_html`.
// The editor takes the language and direction of the text being written, not the page's.
"use strict";

(() => {
  const TOOLBAR = [
    ["bold", null, "B", "Bold", "Control+B Meta+B"],
    ["italic", null, "I", "Italic", "Control+I Meta+I"],
    ["list", "bullet", "•", "Bulleted list", ""],
    ["list", "ordered", "1.", "Numbered list", ""],
    ["indent", "-1", "⇤", "Decrease indent", "Control+[ Meta+["],
    ["indent", "+1", "⇥", "Increase indent", "Control+] Meta+]"],
  ];

  function toolbarFor(labels) {
    const toolbar = document.createElement("div");
    toolbar.className = "answer-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", labels.toolbar || "Formatting");
    for (const [format, value, text, label, keys] of TOOLBAR) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `ql-${format}`;
      if (value) button.value = value;
      button.textContent = text;
      const name = labels[`${format}:${value || ""}`] || label;
      button.setAttribute("aria-label", name);
      button.title = labels[`${format}:${value || ""}:title`] || name;
      if (keys) button.setAttribute("aria-keyshortcuts", keys);
      if (format !== "indent") button.setAttribute("aria-pressed", "false");
      toolbar.appendChild(button);
    }
    // One Tab stop per toolbar: the arrow keys, Home and End move along it.
    const buttons = [...toolbar.querySelectorAll("button")];
    buttons.forEach((button, index) => {
      button.tabIndex = index === 0 ? 0 : -1;
    });
    toolbar.addEventListener("keydown", (event) => {
      const index = buttons.indexOf(document.activeElement);
      if (index < 0) return;
      const forward = getComputedStyle(toolbar).direction === "rtl" ? "ArrowLeft" : "ArrowRight";
      const backward = forward === "ArrowLeft" ? "ArrowRight" : "ArrowLeft";
      const moves = { [forward]: index + 1, [backward]: index - 1, Home: 0, End: -1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = (moves[event.key] + buttons.length) % buttons.length;
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    return toolbar;
  }

  function setUp(form) {
    const textarea = form.querySelector("textarea[name=body]");
    const container = textarea && textarea.closest("[data-editor]");
    if (!window.Quill || !container) return;
    const labels = JSON.parse(form.dataset.toolbarLabels || "{}");
    const toolbar = toolbarFor(labels);
    // The toolbar follows the text's direction, as the editor does.
    toolbar.dir = textarea.dir;
    const host = document.createElement("div");
    host.className = "answer-editor-host";
    container.insertBefore(toolbar, textarea);
    container.insertBefore(host, textarea);
    const leave = { key: "Tab", handler: () => true }; // Tab moves focus: no keyboard trap
    const quill = new window.Quill(host, {
      theme: "snow",
      formats: ["bold", "italic", "list", "indent"],
      modules: {
        toolbar,
        keyboard: {
          bindings: {
            tab: leave,
            indent: { ...leave, format: ["list", "indent"] },
            outdent: { ...leave, shiftKey: true, format: ["list", "indent"] },
            nest: {
              key: "]",
              shortKey: true,
              handler() {
                this.quill.format("indent", "+1", "user");
              },
            },
            unnest: {
              key: "[",
              shortKey: true,
              handler() {
                this.quill.format("indent", "-1", "user");
              },
            },
          },
        },
      },
    });
    const root = quill.root;
    root.setAttribute("role", "textbox");
    root.setAttribute("aria-multiline", "true");
    root.setAttribute("lang", textarea.lang);
    root.setAttribute("dir", textarea.dir);
    host.setAttribute("dir", textarea.dir);
    const label = form.querySelector(`label[for="${textarea.id}"]`);
    if (label) {
      label.id = label.id || `${textarea.id}-label`;
      root.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", () => quill.focus());
    }
    quill.on("editor-change", () => {
      for (const button of toolbar.querySelectorAll("[aria-pressed]")) {
        button.setAttribute("aria-pressed", String(button.classList.contains("ql-active")));
      }
    });
    quill.setContents(quill.clipboard.convert({ html: textarea.dataset.html || "" }), "silent");
    textarea.hidden = true;
    textarea.disabled = true;
    const hint = container.querySelector("[data-nojs-hint]");
    if (hint) hint.hidden = true;
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = "body_html";
    form.appendChild(field);
    let dirty = false;
    quill.on("text-change", (_delta, _old, source) => {
      if (source === "user") dirty = true;
    });
    form.addEventListener("submit", () => {
      dirty = false;
      field.value = quill.getText().trim() ? quill.getSemanticHTML() : "";
    });
    // Leaving with unsaved text asks first.
    window.addEventListener("beforeunload", (event) => {
      if (dirty) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form[data-chapter-editor]")) setUp(form);
  });
})();
