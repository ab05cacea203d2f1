// GCM Review Portal: the answering page's autosave.
//
// The page works without this file (a plain form with a Save button). With it:
// - long text gets an editor (Quill) that keeps paragraphs and nested lists, also from Word;
// - every answer saves itself a moment after typing stops and when focus leaves it, showing
//   "Saving…", "Saved Dec. 6, 2026 14:02" or "Not saved, retrying" in an aria-live region (dates,
//   times, numbers and plurals are written by the server, in the page's language: this file never
//   formats them itself);
// - every keystroke is first written to localStorage, and removed only once the server has
//   acknowledged that exact value: a crash, a lost connection or an expired session loses nothing;
// - a save that started from an older revision is refused by the server (409) and the user
//   chooses: keep mine, take theirs, or merge by hand;
// - after the session ends, the kept text is saved when the user comes back logged in.
//
// Keyboard and screen readers: Tab always leaves an editor; each editor's toolbar is one Tab stop
// (arrow keys move between its buttons, which say whether they are on); messages that appear
// while someone types are announced (role="alert") without taking the focus from their field.
//
// What differs between question types lives in one handler per type, registered under the
// type's name by static/js/types/<name>.js (loaded after this file: questionnaire/types/ lists
// them), with `window.gcmAnswering.register(name, handler)`. A handler has
// - value(block): the answer as the autosave sends it (JSON), read from the block's fields;
// - asFragment(block, value), optional: a value as the page shows answers (conflict panel);
//   without it, the value as text;
// - setup(block), optional: behaviour of the type's fields, once per block;
// - merge(block, mine, marker), optional: for "Merge by hand", put `mine` into the fresh field
//   after its text and the marker line and return what takes the focus (null: cannot);
// - showSaved(block, fieldValue), optional: what the server understood, once saved.
// The blocks are made once every script has run (DOMContentLoaded), so every handler is there.
//
// Beside the value, a question that allows it has a "Not applicable" box and a reason, sent with
// each save; an answer carried forward from the previous cycle has a "Still accurate" button.
// Questions that do not apply (static/js/conditions.js hides them) are left out of "everything
// is saved" and of the saves on the way out: the server refuses a save to them.
"use strict";

(() => {
  const handlers = new Map();
  // The helpers a handler needs, and the registry itself.
  window.gcmAnswering = Object.freeze({
    register(name, handler) {
      handlers.set(name, handler);
    },
    answerBox,
    choiceLabel,
    editorHtml,
    fieldValue,
    interpolate,
    list,
    safeFragment,
    setEditorHtml,
    // For conditions.js: a question that applies again saves what it holds unsaved; a question
    // others depend on saves at once, before anyone types into the question it reveals.
    shown(key) {
      const block = blocks.get(key);
      if (block && block.dirty && !block.halted) block.saveSoon(0);
    },
    saveNow(key) {
      const block = blocks.get(key);
      if (block && block.dirty && !block.halted) block.saveSoon(0);
    },
  });

  const form = document.getElementById("answering-form");
  if (!form || !form.querySelector("[data-revision-field]")) return;

  const msg = form.dataset;
  const submissionId = form.dataset.submission;
  const STORE_PREFIX = `gcm:pending:${submissionId}:`;
  const DEBOUNCE_MS = 1200;
  const RETRY_MS = [2000, 5000, 10000, 20000, 30000];
  const banner = document.getElementById("answering-banner");
  // At the bottom: whether everything is saved, and the one way on (next section, or check and
  // submit), which stand in for the Save buttons of the page without JavaScript.
  const summary = form.querySelector("[data-save-summary]");
  const wayOn = form.querySelector("[data-way-on]");
  const blocks = new Map();
  let leavingForLogin = false;

  const csrfToken = () => form.querySelector("input[name=csrfmiddlewaretoken]").value;
  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_m, name) => (name in values ? values[name] : ""));
  }
  // Whether the user is in a field: moving the focus then would send their next keystrokes
  // elsewhere, so new messages are only announced.
  const inField = () => {
    const el = document.activeElement;
    return Boolean(el && (el.isContentEditable || el.matches("input, textarea, select")));
  };
  const FIELDS =
    ".ql-editor, input:not([type=hidden]):not([disabled]), select, textarea:not([disabled])";
  function focusFirstField(el) {
    const checked = el.querySelector("input[type=radio]:checked");
    const field = el.querySelector(FIELDS);
    const target = checked && field && field.type === "radio" ? checked : field;
    if (target) target.focus();
  }

  // --- storage: the write-ahead journal ------------------------------------------------------
  const journal = {
    write(key, entry) {
      try {
        localStorage.setItem(STORE_PREFIX + key, JSON.stringify(entry));
      } catch (_e) {
        /* storage full or disabled: the server save still runs */
      }
    },
    read(key) {
      try {
        return JSON.parse(localStorage.getItem(STORE_PREFIX + key) || "null");
      } catch (_e) {
        return null;
      }
    },
    clear(key) {
      try {
        localStorage.removeItem(STORE_PREFIX + key);
      } catch (_e) {
        /* nothing to do */
      }
    },
  };

  // --- a tiny sanitiser to show the user's own HTML back to them (the server cleans on save) --
  // Answer markup, and the tables in which the server shows lists of entries and the grid.
  const ALLOWED = new Set(["P", "UL", "OL", "LI", "STRONG", "EM", "BR", "TIME", "SPAN", "DIV"]);
  const TABLES = new Set(["TABLE", "THEAD", "TBODY", "TR", "TH", "TD"]);
  function safeFragment(html) {
    const doc = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
    const out = document.createDocumentFragment();
    const copy = (node, parent) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          parent.appendChild(document.createTextNode(child.textContent));
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          if (ALLOWED.has(child.tagName) || TABLES.has(child.tagName)) {
            const el = document.createElement(child.tagName);
            if (child.tagName === "TABLE") el.className = "table table-sm table-bordered mb-0";
            parent.appendChild(el);
            copy(child, el);
          } else if (!["SCRIPT", "STYLE"].includes(child.tagName)) {
            copy(child, parent);
          }
        }
      }
    };
    copy(doc.body, out);
    return out;
  }

  // The user's own value as the page shows answers: with the labels of choices, columns and
  // statuses read from the question's fields, never as stored codes (the type's handler).
  function valueAsFragment(block, value) {
    if (block.handler.asFragment) return block.handler.asFragment(block, value);
    const out = answerBox();
    out.textContent = value === null || value === undefined ? "" : String(value);
    return out;
  }

  // Helpers for the handlers: the box a value is shown in, a list, a choice's label, one field.
  function answerBox() {
    const out = document.createElement("div");
    out.className = "answer-plain";
    return out;
  }

  function list(items) {
    const ul = document.createElement("ul");
    ul.className = "mb-0";
    for (const text of items) {
      const li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    }
    return ul;
  }

  function choiceLabel(block, value) {
    const input = [...block.el.querySelectorAll(`input[name="q-${block.key}"]`)].find(
      (i) => i.value === value,
    );
    const label = input && block.el.querySelector(`label[for="${input.id}"]`);
    return label ? label.textContent.trim() : value;
  }

  function fieldValue(block) {
    return block.el.querySelector(`[name="q-${block.key}"]`).value;
  }

  // --- the editor ----------------------------------------------------------------------------
  // format, value, text, fallback name, keys (aria-keyshortcuts: Ctrl, or ⌘ on a Mac)
  const TOOLBAR = [
    ["bold", null, "B", "Bold", "Control+B Meta+B"],
    ["italic", null, "I", "Italic", "Control+I Meta+I"],
    ["list", "bullet", "•", "Bulleted list", ""],
    ["list", "ordered", "1.", "Numbered list", ""],
    ["indent", "-1", "⇤", "Decrease indent", "Control+[ Meta+["],
    ["indent", "+1", "⇥", "Increase indent", "Control+] Meta+]"],
  ];

  function makeEditor(container, onEdit) {
    const textarea = container.querySelector("textarea");
    if (!window.Quill || !textarea) return null;
    const labels = JSON.parse(form.dataset.toolbarLabels || "{}");
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
      // The tooltip names the key that does the same; screen readers get it from
      // aria-keyshortcuts rather than in every button's name.
      button.title = labels[`${format}:${value || ""}:title`] || name;
      if (keys) button.setAttribute("aria-keyshortcuts", keys);
      if (format !== "indent") button.setAttribute("aria-pressed", "false");
      toolbar.appendChild(button);
    }
    makeToolbarKeyboard(toolbar);
    const host = document.createElement("div");
    host.className = "answer-editor-host";
    container.insertBefore(toolbar, textarea);
    container.insertBefore(host, textarea);
    const leave = { key: "Tab", handler: () => true }; // Tab moves focus: no keyboard trap
    const quill = new window.Quill(host, {
      theme: "snow",
      formats: ["bold", "italic", "list", "indent"],
      modules: {
        toolbar: toolbar,
        keyboard: {
          bindings: {
            tab: leave,
            indent: { ...leave, format: ["list", "indent"] },
            outdent: { ...leave, shiftKey: true, format: ["list", "indent"] },
            "indent code-block": { ...leave, format: ["code-block"] },
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
    const editorRoot = quill.root;
    editorRoot.setAttribute("role", "textbox");
    editorRoot.setAttribute("aria-multiline", "true");
    // Typed text takes its own direction: an English answer on an Arabic page reads left to right.
    editorRoot.setAttribute("dir", "auto");
    if (textarea.getAttribute("aria-labelledby")) {
      editorRoot.setAttribute("aria-labelledby", textarea.getAttribute("aria-labelledby"));
    }
    // The help text, then the page's tips: answers save themselves, and Tab leaves the editor
    // (the hint for typing lists without the editor goes).
    const described = (textarea.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter((id) => id && !id.startsWith("hint-"));
    editorRoot.setAttribute(
      "aria-describedby",
      [...described, "editor-tip", "editor-key-tab"].join(" "),
    );
    quill.on("editor-change", () => {
      for (const button of toolbar.querySelectorAll("[aria-pressed]")) {
        button.setAttribute("aria-pressed", String(button.classList.contains("ql-active")));
      }
    });
    if (!textarea.getAttribute("aria-labelledby") && textarea.id) {
      const label = document.querySelector(`label[for="${textarea.id}"]`);
      if (label) {
        label.id = label.id || `${textarea.id}-label`;
        editorRoot.setAttribute("aria-labelledby", label.id);
        label.addEventListener("click", () => quill.focus());
      }
    }
    setEditorHtml(quill, textarea.dataset.html || "");
    textarea.hidden = true;
    textarea.disabled = true; // with the editor, JSON autosave carries the value, not the form
    const hint = container.querySelector("[data-nojs-hint]");
    if (hint) hint.remove(); // the page shows one tip for all editors instead
    quill.on("text-change", (_delta, _old, source) => {
      if (source === "user") onEdit();
    });
    return quill;
  }

  // One Tab stop per toolbar (the WAI-ARIA toolbar pattern): arrows, Home and End move along it.
  function makeToolbarKeyboard(toolbar) {
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
  }

  function setEditorHtml(quill, html) {
    quill.setContents(quill.clipboard.convert({ html: html || "" }), "silent");
  }

  function editorHtml(quill) {
    return quill.getText().trim() ? quill.getSemanticHTML() : "";
  }

  // --- one answer --------------------------------------------------------------------------
  class AnswerBlock {
    constructor(el) {
      this.el = el;
      this.key = el.dataset.key;
      this.type = el.dataset.type;
      this.handler = handlers.get(this.type) || {};
      this.url = el.dataset.url;
      this.revision = Number(el.dataset.revision || 0);
      this.state = el.querySelector("[data-save-state]");
      this.editors = {};
      this.timer = null;
      this.inflight = null;
      this.dirty = false;
      this.attempt = 0;
      this.halted = false; // waiting for the user: conflict, login, or a refused value
      for (const container of el.querySelectorAll("[data-editor]")) {
        const part = container.dataset.part || "main";
        const quill = makeEditor(container, () => this.edited());
        if (quill) this.editors[part] = quill;
      }
      el.addEventListener("input", (event) => {
        if (!event.target.closest(".ql-editor")) this.edited();
      });
      el.addEventListener("change", (event) => {
        if (!event.target.closest(".ql-editor")) this.edited();
      });
      el.addEventListener("focusout", (event) => {
        if (!el.contains(event.relatedTarget) && this.dirty) this.saveSoon(0);
      });
      if (this.handler.setup) this.handler.setup(this);
      const revField = el.querySelector("[data-revision-field]");
      if (revField) revField.disabled = true;
      this.setupNotApplicable();
      this.setupCarried();
      this.setupPrevious();
    }

    value() {
      return this.handler.value ? this.handler.value(this) : null;
    }

    // "" when the question applies, its reason when "Not applicable" is ticked, null when it is
    // ticked without a reason yet (not saved until there is one).
    notApplicable() {
      const box = this.el.querySelector("[data-na-toggle]");
      if (!box || !box.checked) return "";
      const reason = this.el.querySelector("[data-na-reason]").value.trim();
      return reason || null;
    }

    // What one save sends, to tell whether the field changed while it was under way.
    snapshot(value = this.value()) {
      return JSON.stringify([value, this.notApplicable()]);
    }

    get hiddenByCondition() {
      return Boolean(this.el.closest("[hidden]"));
    }

    setupNotApplicable() {
      const box = this.el.querySelector("[data-na-toggle]");
      if (!box) return;
      const reasonBox = this.el.querySelector("[data-na-reason-box]");
      const sync = () => {
        reasonBox.hidden = !box.checked;
        this.el.classList.toggle("is-not-applicable", box.checked);
      };
      box.addEventListener("change", () => {
        sync();
        if (box.checked) this.el.querySelector("[data-na-reason]").focus();
      });
      sync();
    }

    // "Still accurate" for an answer carried forward: saved at once, the page stays.
    setupCarried() {
      const button = this.el.querySelector("[data-confirm-carried]");
      if (!button) return;
      const confirmForm = document.getElementById(button.getAttribute("form"));
      button.addEventListener("click", async (event) => {
        event.preventDefault();
        if (!confirmForm) return;
        const body = new FormData(confirmForm);
        body.set("revision", String(this.revision));
        button.disabled = true;
        let data = null;
        let status = 0;
        try {
          const response = await fetch(confirmForm.action, {
            method: "POST",
            credentials: "same-origin",
            headers: { Accept: "application/json", "X-Requested-With": "fetch" },
            body,
          });
          status = response.status;
          data = await response.json();
        } catch (_e) {
          data = null;
        }
        button.disabled = false;
        if (status === 200 && data && data.ok) {
          this.revision = data.revision;
          this.el.dataset.revision = String(data.revision);
          const carried = this.el.querySelector("[data-prefilled]");
          if (carried) carried.remove();
          this.show(data.saved_text, "success-emphasis");
          updateProgress(data.progress);
          focusFirstField(this.el);
          return;
        }
        if (status === 401) {
          askToLogIn();
          return;
        }
        this.show(`${msg.msgInvalid} ${(data && data.message) || ""}`, "danger-emphasis");
      });
    }

    // A question asked differently last cycle: its old answer may start the explanation.
    setupPrevious() {
      const button = this.el.querySelector("[data-start-from-previous]");
      const source = this.el.querySelector("[data-previous-text]");
      const quill = this.editors.explanation || this.editors.main;
      if (!button || !source || !quill) return;
      button.hidden = false;
      button.addEventListener("click", () => {
        if (quill.getText().trim()) {
          quill.focus();
          return; // never over what the person wrote
        }
        const html = source.dataset.previousHtml || "";
        if (html) {
          quill.setContents(quill.clipboard.convert({ html }), "user");
        } else {
          quill.setText(source.dataset.previousText || "", "user");
        }
        quill.focus();
      });
    }

    show(text, kind = "") {
      updateSummary();
      if (!this.state) return;
      this.state.textContent = text;
      this.state.className = `answer-state ${kind ? `text-${kind}` : "text-body-secondary"}`;
    }

    edited() {
      this.dirty = true;
      journal.write(this.key, { value: this.value(), revision: this.revision, at: Date.now() });
      if (this.halted) return;
      if (this.notApplicable() === null) {
        this.show(msg.msgNeedsReason, "warning-emphasis");
        clearTimeout(this.timer);
        return;
      }
      this.show(msg.msgUnsaved);
      this.saveSoon(DEBOUNCE_MS);
    }

    saveSoon(delay) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.save(), delay);
    }

    async save({ value = this.value(), revision = this.revision } = {}) {
      clearTimeout(this.timer);
      if (this.inflight) {
        this.dirty = true; // saved again once the running save is answered
        return this.inflight;
      }
      const sent = this.snapshot(value);
      this.show(msg.msgSaving);
      this.inflight = this.post(value, revision)
        .then((result) => this.handle(result, sent, value))
        .finally(() => {
          this.inflight = null;
          updateSummary();
        });
      updateSummary();
      return this.inflight;
    }

    async post(value, revision) {
      try {
        const response = await fetch(this.url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": csrfToken(),
            "X-Requested-With": "fetch",
          },
          // The page's language: a number's comma means what it means in the language typed in.
          body: JSON.stringify({
            value,
            revision,
            language: document.documentElement.lang,
            not_applicable: this.notApplicable(),
          }),
        });
        let data = null;
        try {
          data = await response.json();
        } catch (_e) {
          data = null;
        }
        return { status: response.status, data };
      } catch (_e) {
        return { status: 0, data: null };
      }
    }

    handle({ status, data }, sent, value) {
      if (status === 200 && data && data.ok) {
        this.attempt = 0;
        this.halted = false;
        this.revision = data.revision;
        this.el.dataset.revision = String(data.revision);
        const current = this.snapshot();
        const pending = journal.read(this.key);
        if (current === sent) {
          this.dirty = false;
          if (!pending || this.snapshot(pending.value) === sent) journal.clear(this.key);
          this.show(data.saved_text, "success-emphasis");
          if (this.handler.showSaved) this.handler.showSaved(this, data.field_value);
        } else {
          journal.write(this.key, { value: this.value(), revision: this.revision, at: Date.now() });
          this.saveSoon(DEBOUNCE_MS);
        }
        const prefilled = this.el.querySelector("[data-prefilled]");
        if (prefilled) prefilled.remove();
        updateProgress(data.progress);
        return true;
      }
      if (status === 409 && data && data.current) {
        this.halted = true;
        this.showConflict(value, data.current);
        return false;
      }
      if (status === 401 || (status === 403 && (!data || data.error === "csrf"))) {
        this.halted = true;
        this.show(msg.msgUnsaved, "danger-emphasis");
        if (this.state) {
          this.state.append(" ", loginLink());
        }
        askToLogIn();
        return false;
      }
      if (status === 403) {
        this.halted = true;
        this.show(msg.msgUnsaved, "danger-emphasis");
        showBanner(msg.msgForbidden);
        return false;
      }
      if (status === 400 && data && data.error === "does_not_apply" && !this.hiddenByCondition) {
        // The answer it depends on is being saved a moment later: try again shortly.
        this.attempt += 1;
        if (this.attempt <= RETRY_MS.length) {
          this.saveSoon(RETRY_MS[this.attempt - 1]);
          return false;
        }
      }
      if (status === 400 || status === 413 || status === 404) {
        this.show(`${msg.msgInvalid} ${(data && data.message) || ""}`, "danger-emphasis");
        return false; // the user must change the value; their text stays in the field
      }
      // Network down or server error: keep the text, try again with growing pauses.
      const wait = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      this.show(navigator.onLine === false ? msg.msgOffline : msg.msgRetrying, "warning-emphasis");
      this.saveSoon(wait);
      return false;
    }

    showConflict(mine, theirs) {
      const old = this.el.querySelector(".answer-conflict-live");
      if (old) old.remove();
      const template = document.getElementById("conflict-template");
      const panel = template.content.firstElementChild.cloneNode(true);
      const who = theirs.saved_by_text || "";
      panel.querySelector("[data-who]").textContent = who;
      panel.querySelector("[data-theirs]").setAttribute("aria-label", who);
      panel.querySelector("[data-mine]").appendChild(valueAsFragment(this, mine));
      panel.querySelector("[data-theirs]").appendChild(safeFragment(theirs.display_html));
      panel.querySelector("[data-keep-mine]").addEventListener("click", async () => {
        // What the field holds now: the user may have typed on after the conflict appeared.
        const value = this.value();
        const ok = await this.save({ value, revision: theirs.revision });
        if (ok) {
          panel.remove();
          if (!this.matchesWidget(value)) {
            // The server's rendering says when it was saved, as the page does.
            const fresh = await this.reload();
            if (fresh) focusFirstField(fresh.el);
          } else {
            focusFirstField(this.el);
          }
        }
      });
      panel.querySelector("[data-take-theirs]").addEventListener("click", async () => {
        journal.clear(this.key);
        panel.remove();
        const fresh = await this.reload();
        if (fresh) focusFirstField(fresh.el);
      });
      panel.querySelector("[data-merge]").addEventListener("click", async () => {
        panel.remove();
        const fresh = await this.reload();
        if (!fresh) return;
        const merged =
          fresh.handler.merge && fresh.handler.merge(fresh, mine, panel.dataset.mergeMarker);
        if (merged) {
          fresh.dirty = true;
          journal.write(fresh.key, { value: fresh.value(), revision: fresh.revision, at: 0 });
          fresh.show(msg.msgUnsaved);
          merged.focus();
        } else {
          const reference = panel.querySelector("[data-mine-box]").cloneNode(true);
          reference.classList.add("mb-2");
          fresh.el.querySelector("legend").after(reference);
          focusFirstField(fresh.el);
        }
      });
      this.el.querySelector("legend").after(panel);
      this.show(msg.msgConflict, "danger-emphasis");
      // role="alert" announces it; the focus moves to the choice only if it is not in a field.
      if (!inField()) panel.focus();
    }

    matchesWidget(value) {
      return JSON.stringify(this.value()) === JSON.stringify(value);
    }

    // Replace this block with the server's rendering of the stored answer.
    async reload() {
      try {
        const response = await fetch(this.el.dataset.fragmentUrl, { credentials: "same-origin" });
        if (response.status === 401 || response.redirected) {
          askToLogIn();
          return null;
        }
        const html = await response.text();
        const doc = new DOMParser().parseFromString(html, "text/html");
        const fresh = doc.querySelector("fieldset.answer-block");
        if (!fresh) return null;
        const node = document.importNode(fresh, true);
        this.el.replaceWith(node);
        const block = new AnswerBlock(node);
        blocks.set(block.key, block);
        return block;
      } catch (_e) {
        return null;
      }
    }
  }

  // --- page-wide -----------------------------------------------------------------------------
  function loginLink() {
    const a = document.createElement("a");
    a.href = msg.loginUrl;
    a.textContent = msg.msgLoginLink;
    a.addEventListener("click", () => {
      leavingForLogin = true;
    });
    return a;
  }

  // The banner is an alert region that is always in the page (empty until needed), so that
  // screen readers announce what is written into it.
  function showBanner(text, link = null) {
    banner.replaceChildren(document.createTextNode(text));
    if (link) {
      link.className = "alert-link";
      banner.append(" ", link);
    }
    banner.classList.add("alert", "alert-warning");
    if (!inField()) banner.focus();
  }

  // Not a live region: each answer announces its own state; this line is for the eye.
  function updateSummary() {
    if (!summary) return;
    const all = [...blocks.values()].filter((block) => !block.hiddenByCondition);
    let text = msg.msgAllSaved;
    let kind = "success-emphasis";
    if (all.some((block) => block.inflight)) {
      [text, kind] = [msg.msgSaving, "body-secondary"];
    } else if (all.some((block) => block.dirty)) {
      [text, kind] = [msg.msgUnsaved, "warning-emphasis"];
    }
    summary.textContent = text;
    summary.className = `answering-summary small mb-0 text-${kind}`;
  }

  // Save what is not saved yet (waiting for saves under way); true once everything is.
  async function saveAll() {
    for (let round = 0; round < 3; round += 1) {
      const pending = applying().filter((block) => block.dirty || block.inflight);
      if (!pending.length) return true;
      const results = await Promise.all(pending.map((block) => block.inflight || block.save()));
      if (!results.every(Boolean)) return false;
    }
    return !applying().some((block) => block.dirty || block.inflight);
  }

  // The blocks of questions that apply (conditions.js hides the others).
  function applying() {
    return [...blocks.values()].filter((block) => !block.hiddenByCondition);
  }

  function askToLogIn() {
    showBanner(msg.msgLogin, loginLink());
  }

  // Each section's line ("3 of 8 answered · 5 required missing") comes rendered from the server's
  // own template (plurals and numbers in the page's language); it holds no user text.
  function updateProgress(progress) {
    if (!progress) return;
    for (const item of document.querySelectorAll("[data-progress-list] [data-section]")) {
      const entry = progress.sections[item.dataset.section];
      const target = item.querySelector("[data-progress-text]");
      if (!entry || !target || typeof entry.html !== "string") continue;
      const doc = new DOMParser().parseFromString(`<body>${entry.html}</body>`, "text/html");
      target.replaceChildren(...doc.body.childNodes);
    }
  }

  // Recover what the journal holds from a previous visit (an expired session, a crash).
  async function recover() {
    let recovered = 0;
    for (const block of blocks.values()) {
      const pending = journal.read(block.key);
      if (!pending) continue;
      if (JSON.stringify(pending.value) === JSON.stringify(block.value())) {
        journal.clear(block.key);
        continue;
      }
      const ok = await block.save({ value: pending.value, revision: pending.revision });
      if (ok) {
        journal.clear(block.key);
        const fresh = await block.reload();
        if (fresh) recovered += 1;
      }
    }
    if (recovered) showBanner(msg.msgRecovered);
  }

  // After the types' scripts (deferred, after this one) have registered their handlers.
  document.addEventListener("DOMContentLoaded", () => {
    for (const el of form.querySelectorAll("fieldset.answer-block")) {
      const block = new AnswerBlock(el);
      blocks.set(block.key, block);
    }
    // Answers save themselves: say so (and show the editors' keys), and replace the Save buttons
    // with the save status and one way on, which first saves whatever is still unsaved.
    const help = form.querySelector("[data-autosave-help]");
    if (help) {
      help.hidden = false;
      const keys = help.querySelector("[data-editor-keys]");
      if (keys) keys.hidden = !form.querySelector(".ql-editor");
    }
    for (const button of form.querySelectorAll("[data-save-button]")) button.hidden = true;
    if (summary) summary.hidden = false;
    if (wayOn) {
      wayOn.hidden = false;
      wayOn.classList.replace("btn-link", "btn-primary");
      wayOn.addEventListener("click", async (event) => {
        if (!applying().some((block) => block.dirty || block.inflight)) return;
        event.preventDefault();
        if (await saveAll()) window.location.assign(wayOn.href);
      });
    }
    updateSummary();

    // Enter in a field submits the form: it saves every changed answer, and stays.
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const next = event.submitter && event.submitter.value === "next";
      if ((await saveAll()) && next && form.dataset.nextUrl) {
        window.location.assign(form.dataset.nextUrl);
      }
    });

    window.addEventListener("beforeunload", (event) => {
      if (leavingForLogin) return;
      const unsaved = applying().some((block) => block.dirty || block.inflight);
      if (unsaved) {
        event.preventDefault();
        event.returnValue = msg.msgLeave;
      }
    });
    window.addEventListener("online", () => {
      for (const block of blocks.values()) if (block.dirty && !block.halted) block.saveSoon(0);
    });

    recover();
  });
})();
