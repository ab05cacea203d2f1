// Single choice (questionnaire/types/single_choice.py): radio buttons, "No answer" among them.
"use strict";

(() => {
  const { register, answerBox, choiceLabel } = window.gcmAnswering;

  register("single_choice", {
    value(block) {
      const checked = block.el.querySelector(`[name="q-${block.key}"]:checked`);
      return checked ? checked.value : "";
    },
    asFragment(block, value) {
      const out = answerBox();
      out.textContent = value ? choiceLabel(block, value) : "";
      return out;
    },
  });
})();
