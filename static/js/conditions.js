// Conditional questions on the answering page (questionnaire/conditions.py holds the rule).
//
// A question with conditions carries them in data-shown-when: {"mode": "all"|"any", "rules":
// [{"source": key, "type": type, "op": operator, "values": [...], "held": bool}]}. Whenever an
// answer changes, every conditional question is shown or hidden as its rules say, in page order
// (a question hidden counts as unanswered for those after it), and the change is announced to
// screen readers. A rule whose question is in another section uses "held": the server's verdict
// on the saved answers. Hiding keeps what the fields hold; the server refuses saves to a hidden
// question and never counts it. Without this script every question is on the page, with a note
// saying when it applies.
"use strict";

(() => {
  const form = document.getElementById("answering-form");
  if (!form || !form.querySelector("[data-shown-when]")) return;
  const announcer = form.querySelector("[data-condition-announcer]");
  const lang = document.documentElement.lang || "en";
  const DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹";

  // A number as typed in the page's language (types/number.py reads it the same way).
  function parseNumber(text) {
    let s = String(text || "")
      .replace(/[٠-٩۰-۹]/g, (d) => String(DIGITS.indexOf(d) % 10))
      .replace(/[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g, "")
      .replace(/[\s\u00a0\u202f\u2009\u2007\u066c]/g, "")
      .replace(/\u066b/g, ".")
      .replace(/\u2212/g, "-");
    s = lang.startsWith("fr") ? s.replace(/,/g, ".") : s.replace(/,/g, "");
    if (!/^[-+]?\d+(\.\d+)?$/.test(s) && !/^[-+]?\.\d+$/.test(s)) return null;
    return Number(s);
  }

  // What a source question holds now: the set of chosen values, a number, or null.
  function subject(key, type, hidden) {
    if (hidden.has(key)) return null;
    const na = form.querySelector(`[name="q-${key}-na"]`);
    if (na && na.checked) return null;
    const fields = [...form.querySelectorAll(`[name="q-${key}"]`)];
    if (type === "number") return fields.length ? parseNumber(fields[0].value) : null;
    const chosen = fields
      .filter((f) => (f.type === "radio" || f.type === "checkbox" ? f.checked : true))
      .map((f) => f.value)
      .filter(Boolean);
    return new Set(chosen);
  }

  function holds(rule, value) {
    const empty = value === null || (value instanceof Set && value.size === 0);
    if (empty) return rule.op === "not_equals";
    if (typeof value === "number") {
      const operand = Number(rule.values[0]);
      return (
        {
          equals: value === operand,
          not_equals: value !== operand,
          greater_than: value > operand,
          less_than: value < operand,
        }[rule.op] || false
      );
    }
    if (rule.op === "equals") return value.has(rule.values[0]);
    if (rule.op === "not_equals") return !value.has(rule.values[0]);
    if (rule.op === "one_of") return rule.values.some((v) => value.has(v));
    return false;
  }

  const onPage = (key) => Boolean(form.querySelector(`[data-question-item="${key}"]`));

  function evaluate(announce) {
    const hidden = new Set();
    for (const item of form.querySelectorAll("[data-question-item]")) {
      const block = item.querySelector("fieldset.answer-block");
      const spec = block && block.dataset.shownWhen ? JSON.parse(block.dataset.shownWhen) : null;
      if (!spec) continue;
      const results = spec.rules.map((rule) =>
        onPage(rule.source) ? holds(rule, subject(rule.source, rule.type, hidden)) : rule.held,
      );
      const shown = spec.mode === "any" ? results.some(Boolean) : results.every(Boolean);
      const key = item.dataset.questionItem;
      if (!shown) hidden.add(key);
      if (item.hidden === !shown) continue;
      item.hidden = !shown;
      const off = block.querySelector("[data-condition-off]");
      if (off) off.hidden = shown;
      if (shown && window.gcmAnswering) window.gcmAnswering.shown(key);
      if (announce && announcer) {
        const text = shown ? announcer.dataset.msgShown : announcer.dataset.msgHidden;
        announcer.textContent = text.replace("%(number)s", block.dataset.number || "");
      }
    }
  }

  // The questions others depend on: their answer saves at once when it changes.
  const sources = new Set();
  for (const block of form.querySelectorAll("[data-shown-when]")) {
    for (const rule of JSON.parse(block.dataset.shownWhen).rules) sources.add(rule.source);
  }
  const changed = (event) => {
    const item = event.target.closest("[data-question-item]");
    if (!item) return;
    evaluate(true);
    const settled = event.type === "change"; // a number saves once the person leaves it
    if (settled && sources.has(item.dataset.questionItem) && window.gcmAnswering) {
      window.gcmAnswering.saveNow(item.dataset.questionItem);
    }
  };
  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  // After answering.js has made its blocks (both run on DOMContentLoaded, this one second).
  document.addEventListener("DOMContentLoaded", () => evaluate(false));
})();
