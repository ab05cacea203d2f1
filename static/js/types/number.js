// Number (questionnaire/types/number.py): sent as typed, in the page's language; the server
// reads it.
"use strict";

(() => {
  const { register, fieldValue } = window.gcmAnswering;

  register("number", {
    value: fieldValue,
    // Once the person has left the field, it shows the saved number as the page writes numbers
    // ("1250000,5" becomes "1 250 000,5"): what was understood is what they see.
    showSaved(block, text) {
      const input = block.el.querySelector(`[name="q-${block.key}"]`);
      if (!input || typeof text !== "string" || document.activeElement === input) return;
      input.value = text;
    },
  });
})();
