// Date (questionnaire/types/date.py): the browser's date field, which gives YYYY-MM-DD.
"use strict";

(() => {
  const { register, fieldValue } = window.gcmAnswering;

  register("date", { value: fieldValue });
})();
