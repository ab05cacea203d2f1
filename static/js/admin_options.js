// A question's type options in the admin (questionnaire/admin/options.py): the tables of its
// choices, columns and scale steps.
//
// Without this script every row has an order number and a remove box, and two blank rows wait at
// the end of each table; the server sorts the rows by their numbers. With it, rows move with
// "Move up" / "Move down" buttons (their names say which row, and the new place is announced) or
// by dragging their handle, "Add a row" adds one, the order numbers follow the rows, and the
// tables shown follow the question's type select. Everything is found from the document when an
// event happens (delegation), so a question added by the section page's "Add another question"
// (Django's inlines.js clones the empty form and renames its fields) works as well.
"use strict";

(() => {
  const WIDGET = "[data-options-widget]";
  const ROW = "[data-options-row]";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name] ?? ""));
  }

  // The question's type select: the widget's field is "<prefix>options", the type "<prefix>type".
  function typeSelect(widget) {
    const id = widget.id.replace(/_widget$/, "").replace(/options$/, "type");
    return document.getElementById(id);
  }

  function hasFilledRows(list) {
    return Array.from(list.querySelectorAll(ROW)).some((row) =>
      Array.from(row.querySelectorAll('input[type="text"]')).some(
        (input) => input.dataset.field !== "order" && input.value.trim() !== "",
      ),
    );
  }

  // The tables of the selected type, and any table that holds rows (nothing typed is hidden).
  function showListsOfType(widget) {
    const select = typeSelect(widget);
    if (!select) return;
    const lists = JSON.parse(widget.dataset.typeLists || "{}")[select.value] || [];
    widget.querySelectorAll("[data-options-list]").forEach((list) => {
      list.hidden = !(lists.includes(list.dataset.optionsList) || hasFilledRows(list));
    });
  }

  // Numbers, order fields and accessible names follow the rows' places.
  function renumber(list) {
    const widget = list.closest(WIDGET);
    const rowTemplate = list.dataset.rowTemplate;
    list.querySelectorAll(ROW).forEach((row, index) => {
      const n = index + 1;
      const name = fill(rowTemplate, { n });
      row.querySelector('[data-field="order"]').value = String(n);
      const number = row.querySelector("[data-options-number]");
      if (number) number.textContent = String(n);
      row.querySelectorAll("input[data-column]").forEach((input) => {
        input.setAttribute(
          "aria-label",
          fill(widget.dataset.cellTemplate, { column: input.dataset.column, row: name }),
        );
      });
      const ident = row.querySelector('[data-field="ident"]');
      const identHeading = list.querySelector("th.gcm-options-ident");
      if (ident && identHeading) {
        ident.setAttribute(
          "aria-label",
          fill(widget.dataset.cellTemplate, { column: identHeading.textContent.trim(), row: name }),
        );
      }
      row
        .querySelector('[data-field="remove"]')
        .setAttribute("aria-label", fill(widget.dataset.removeTemplate, { row: name }));
      for (const [direction, template] of [
        ["up", widget.dataset.upTemplate],
        ["down", widget.dataset.downTemplate],
      ]) {
        const button = row.querySelector(`[data-options-move="${direction}"]`);
        const label = fill(template, { row: name });
        button.setAttribute("aria-label", label);
        button.title = label;
      }
    });
  }

  function announce(list, row) {
    const widget = list.closest(WIDGET);
    const status = widget.querySelector("[data-options-status]");
    const rows = Array.from(list.querySelectorAll(ROW));
    const n = rows.indexOf(row) + 1;
    const ident = row.querySelector('[data-field="ident"]').value.trim();
    const label = row.querySelector('[data-field="label"]').value.trim();
    const name = fill(list.dataset.rowTemplate, { n }) + (label || ident ? ` (${label || ident})` : "");
    // Blank rows waiting at the end are not counted.
    const count = Math.max(n, rows.filter((r) => !isBlank(r)).length);
    status.textContent = fill(widget.dataset.movedTemplate, { row: name, n, count });
  }

  function move(row, direction) {
    const list = row.closest("[data-options-list]");
    const sibling = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) return;
    if (direction === "up") sibling.before(row);
    else sibling.after(row);
    renumber(list);
    announce(list, row);
  }

  function isBlank(row) {
    return Array.from(row.querySelectorAll('input[type="text"], input[type="hidden"]')).every(
      (input) => input.dataset.field === "order" || input.value.trim() === "",
    );
  }

  // A new row: the first blank one, else a copy of the last one, emptied and named after the
  // table's count.
  function addRow(list) {
    const blank = Array.from(list.querySelectorAll(ROW)).find(isBlank);
    if (blank) {
      blank.querySelector('[data-field="ident"]').focus();
      return;
    }
    const total = list.querySelector("[data-options-total]");
    const base = total.name.replace(/-TOTAL$/, "");
    const index = Number(total.value);
    const rows = list.querySelectorAll(ROW);
    const row = rows[rows.length - 1].cloneNode(true);
    row.querySelectorAll("input").forEach((input) => {
      input.name = `${base}-${index}-${input.dataset.field}`;
      if (input.type === "checkbox") input.checked = false;
      else input.value = "";
    });
    list.querySelector("[data-options-rows]").append(row);
    total.value = String(index + 1);
    renumber(list);
    row.querySelector('[data-field="ident"]').focus();
  }

  function enhance(root) {
    root.querySelectorAll(WIDGET).forEach((widget) => {
      if (widget.id.includes("__prefix__")) return; // the inline's empty form, still a template
      widget.classList.add("gcm-options--js");
      widget.querySelectorAll("[data-options-js]").forEach((element) => {
        element.hidden = false;
      });
      showListsOfType(widget);
    });
  }

  // --- Events, delegated ------------------------------------------------------------------------

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-options-move], [data-options-add]");
    if (!button || !button.closest(WIDGET)) return;
    event.preventDefault();
    if (button.dataset.optionsMove) {
      move(button.closest(ROW), button.dataset.optionsMove);
      button.focus();
    } else {
      addRow(button.closest("[data-options-list]"));
    }
  });

  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !/(^|-)type$/.test(select.name)) return;
    const widget = document.getElementById(select.id.replace(/type$/, "options_widget"));
    if (widget) showListsOfType(widget);
  });

  // A row ticked for removal is greyed (the CSS), its fields still there to untick.
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (box.dataset && box.dataset.field === "remove" && box.closest(WIDGET)) {
      box.closest(ROW).classList.toggle("gcm-options-removed", box.checked);
    }
  });

  // Drag and drop by the handle (the buttons do the same from the keyboard).
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const row = event.target.closest && event.target.closest(ROW);
    if (!row || !row.draggable) return;
    dragged = row;
    row.classList.add("gcm-options-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "");
  });
  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const row = event.target.closest && event.target.closest(ROW);
    if (!row || row === dragged || row.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    const box = row.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) row.before(dragged);
    else row.after(dragged);
  });
  document.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
  });
  document.addEventListener("dragend", () => {
    if (!dragged) return;
    const list = dragged.closest("[data-options-list]");
    dragged.classList.remove("gcm-options-dragging");
    dragged.draggable = false;
    renumber(list);
    announce(list, dragged);
    dragged = null;
  });
  // Only the handle starts a drag, so that text in the fields can still be selected.
  document.addEventListener("mousedown", (event) => {
    const handle = event.target.closest && event.target.closest("[data-options-handle]");
    if (handle) handle.closest(ROW).draggable = true;
  });
  document.addEventListener("mouseup", () => {
    document.querySelectorAll(`${WIDGET} ${ROW}[draggable="true"]`).forEach((row) => {
      if (row !== dragged) row.draggable = false;
    });
  });

  // A question added on a section's page: Django's inlines.js sends formset:added with its row.
  document.addEventListener("formset:added", (event) => enhance(event.target));

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => enhance(document));
  } else {
    enhance(document);
  }
})();
