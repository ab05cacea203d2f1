// List of entries (questionnaire/types/entry_list.py): rows of named columns; "Add a row" copies
// the last row, and ticked rows are left out.
"use strict";

(() => {
  const { register, answerBox, interpolate, list } = window.gcmAnswering;

  function renumber(block, table) {
    [...table.tBodies[0].rows].forEach((row, index) => {
      for (const input of row.querySelectorAll("input")) {
        const column = input.dataset.column;
        input.name = `q-${block.key}-${index}-${column || "delete"}`;
        // A copied row would otherwise be announced as the row it was copied from.
        const label = column ? table.dataset.cellLabel : table.dataset.removeLabel;
        if (label) {
          input.setAttribute(
            "aria-label",
            interpolate(label, { column: input.dataset.label || "", n: index + 1 }),
          );
        }
      }
    });
  }

  register("entry_list", {
    setup(block) {
      const table = block.el.querySelector("[data-entries]");
      const add = block.el.querySelector("[data-add-entry]");
      if (!table || !add) return;
      add.hidden = false;
      add.addEventListener("click", () => {
        const rows = table.tBodies[0].rows;
        const clone = rows[rows.length - 1].cloneNode(true);
        for (const input of clone.querySelectorAll("input")) {
          if (input.type === "checkbox") input.checked = false;
          else input.value = "";
        }
        table.tBodies[0].appendChild(clone);
        renumber(block, table);
        clone.querySelector("input[type=text]").focus();
      });
    },
    value(block) {
      return [...block.el.querySelectorAll("[data-entry-row]")]
        .filter((row) => !row.querySelector("[data-entry-delete]:checked"))
        .map((row) => {
          const entry = {};
          for (const input of row.querySelectorAll("[data-column]")) {
            entry[input.dataset.column] = input.value;
          }
          return entry;
        })
        .filter((entry) => Object.values(entry).some((v) => v.trim()));
    },
    asFragment(block, value) {
      const label = (key) => {
        const input = block.el.querySelector(`[data-column="${key}"]`);
        return input ? input.dataset.label : key;
      };
      const rows = (value || []).map((row) =>
        Object.entries(row)
          .filter(([, text]) => text)
          .map(([key, text]) => `${label(key)}: ${text}`)
          .join(" · "),
      );
      const out = answerBox();
      out.appendChild(list(rows));
      return out;
    },
  });
})();
