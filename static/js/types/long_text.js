// Long text (questionnaire/types/long_text.py): the answering page's editor (Quill, set up by
// answering.js for every [data-editor]) holds the answer as HTML.
"use strict";

(() => {
  const { register, editorHtml, setEditorHtml, safeFragment } = window.gcmAnswering;

  register("long_text", {
    value(block) {
      return block.editors.main
        ? editorHtml(block.editors.main)
        : block.el.querySelector("textarea").value;
    },
    asFragment(_block, value) {
      return safeFragment(value);
    },
    // "Merge by hand": their text, the marker line, then mine, in the one editor.
    merge(block, mine, marker) {
      const editor = block.editors.main;
      if (!editor) return null;
      setEditorHtml(editor, `${editorHtml(editor)}<p>${marker}</p>${mine}`);
      return editor;
    },
  });
})();
