// GCM objectives grid (questionnaire/types/objectives_grid.py): a status and a note per
// objective.
"use strict";

(() => {
  const { register, answerBox, interpolate, list } = window.gcmAnswering;

  register("objectives_grid", {
    // The notes: each grows with its text where the browser cannot size a text area to its
    // content (CSS field-sizing), and near its limit says how much is left.
    setup(block) {
      const table = block.el.querySelector("[data-note-left]");
      if (!table) return;
      const grows = Boolean(window.CSS && CSS.supports("field-sizing", "content"));
      for (const note of table.querySelectorAll("textarea[data-field=note]")) {
        const left = note.parentElement.querySelector("[data-note-left-count]");
        const update = () => {
          if (!grows) {
            note.style.height = "auto";
            note.style.height = `${note.scrollHeight + note.offsetHeight - note.clientHeight}px`;
          }
          const limit = note.maxLength;
          const remaining = limit - note.value.length;
          const near = limit > 0 && remaining <= Math.max(100, limit / 10);
          if (left) {
            left.hidden = !near;
            left.textContent = near ? interpolate(table.dataset.noteLeft, { n: remaining }) : "";
          }
        };
        note.addEventListener("input", update);
        update();
      }
    },
    value(block) {
      const grid = {};
      for (const row of block.el.querySelectorAll("[data-objective]")) {
        const status = row.querySelector("[data-field=status]").value;
        const note = row.querySelector("[data-field=note]").value;
        if (status || note) grid[row.dataset.objective] = { status, note };
      }
      return grid;
    },
    asFragment(block, value) {
      const rows = Object.entries(value || {}).map(([number, row]) => {
        const select = block.el.querySelector(`[data-objective="${number}"] [data-field=status]`);
        const option = select && [...select.options].find((o) => o.value === row.status);
        const status = row.status && option ? option.textContent.trim() : row.status || "";
        return `${number}. ${status}${row.note ? ` — ${row.note}` : ""}`;
      });
      const out = answerBox();
      out.appendChild(list(rows));
      return out;
    },
  });
})();
