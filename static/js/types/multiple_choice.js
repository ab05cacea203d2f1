// Multiple choice (questionnaire/types/multiple_choice.py): check boxes.
"use strict";

(() => {
  const { register, answerBox, choiceLabel, list } = window.gcmAnswering;

  register("multiple_choice", {
    value(block) {
      return [...block.el.querySelectorAll(`[name="q-${block.key}"]:checked`)].map(
        (i) => i.value,
      );
    },
    asFragment(block, value) {
      const out = answerBox();
      out.appendChild(list((value || []).map((v) => choiceLabel(block, v))));
      return out;
    },
  });
})();
