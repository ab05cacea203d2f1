// Yes / no with explanation (questionnaire/types/yes_no.py): two radio buttons and an editor.
"use strict";

(() => {
  const { register, answerBox, choiceLabel, editorHtml, safeFragment } = window.gcmAnswering;

  register("yes_no", {
    value(block) {
      const checked = block.el.querySelector(`[name="q-${block.key}"]:checked`);
      const explanation = block.editors.explanation
        ? editorHtml(block.editors.explanation)
        : block.el.querySelector("textarea").value;
      if (!checked && !explanation) return null;
      return { answer: checked ? checked.value : "", explanation };
    },
    asFragment(block, value) {
      const out = answerBox();
      if (value) {
        const word = document.createElement("p");
        word.className = "fw-semibold mb-1";
        word.textContent = value.answer ? choiceLabel(block, value.answer) : "";
        out.append(word, safeFragment(value.explanation));
      }
      return out;
    },
  });
})();
