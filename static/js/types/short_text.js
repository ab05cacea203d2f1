// Short text (questionnaire/types/short_text.py): one line in one field.
"use strict";

(() => {
  const { register, fieldValue } = window.gcmAnswering;

  register("short_text", { value: fieldValue });
})();
