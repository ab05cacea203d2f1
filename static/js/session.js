// GCM Review Portal: warn before a session ends for lack of use, and say when it has.
//
// The server ends a session after <body data-session-idle> seconds without a request
// (accounts.middleware.IdleSessionMiddleware). Shortly before that (data-session-warning
// seconds), this asks the server how long is really left (another tab may have been busy: asking
// does not count as activity) and, if the end is near, opens a dialog with "Stay signed in",
// which posts to the keep-alive URL. When the session has ended, the dialog says so and offers to
// log in again; the answering page keeps what is typed meanwhile in localStorage (answering.js).
// Everything the dialog says comes from the page (translated), and the time it names from the
// server (as the pages write times, in the server's time zone): no text or clock format lives here.
"use strict";

(() => {
  const body = document.body;
  const dialog = document.getElementById("session-dialog");
  const statusUrl = body.dataset.sessionStatusUrl;
  if (!dialog || !statusUrl || typeof dialog.showModal !== "function") return;

  const warningSeconds = Number(body.dataset.sessionWarning || 300);
  const idleSeconds = Number(body.dataset.sessionIdle || 1800);
  const stayForm = dialog.querySelector("[data-session-stay]");
  const ended = dialog.querySelector("[data-session-ended]");
  const title = document.getElementById("session-dialog-title");
  const text = document.getElementById("session-dialog-text");
  const RETRY_MS = 30000; // the server could not be asked (offline): ask again later
  let timer = null;
  let endsAt = Date.now() + idleSeconds * 1000;
  let over = false;

  function open() {
    if (!dialog.open) dialog.showModal();
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  function warn(endsAtText) {
    title.textContent = dialog.dataset.titleWarning;
    text.textContent = dialog.dataset.msgWarning.replace("%(time)s", endsAtText);
    stayForm.hidden = false;
    ended.hidden = true;
    open();
  }

  function end() {
    over = true;
    clearTimeout(timer);
    title.textContent = dialog.dataset.titleEnded;
    text.textContent = dialog.dataset.msgEnded;
    stayForm.hidden = true;
    ended.hidden = false;
    open();
    ended.querySelector("a").focus(); // the warning's button has gone
  }

  // Plan the next look at the clock from the seconds the server says are left (and the time of
  // the end, written by the server, for the warning).
  function plan(secondsLeft, endsAtText = null) {
    clearTimeout(timer);
    if (over) return;
    endsAt = Date.now() + secondsLeft * 1000;
    if (secondsLeft <= 0) {
      end();
    } else if (secondsLeft > warningSeconds) {
      close();
      timer = setTimeout(check, (secondsLeft - warningSeconds) * 1000);
    } else if (endsAtText === null) {
      check(); // not asked yet, and only the server writes the time: ask it
    } else {
      warn(endsAtText);
      timer = setTimeout(check, secondsLeft * 1000 + 250);
    }
  }

  async function ask(url, options = {}) {
    const response = await fetch(url, {
      credentials: "same-origin",
      ...options,
      headers: { Accept: "application/json", ...(options.headers || {}) },
    });
    if (response.status === 401) return [0, ""];
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    return [Number(data.seconds_left), data.ends_at_text || ""];
  }

  async function check() {
    try {
      plan(...(await ask(statusUrl)));
    } catch (_e) {
      timer = setTimeout(check, RETRY_MS);
    }
  }

  stayForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = stayForm.querySelector("input[name=csrfmiddlewaretoken]").value;
    try {
      plan(
        ...(await ask(stayForm.action, { method: "POST", headers: { "X-CSRFToken": token } })),
      );
    } catch (_e) {
      stayForm.submit(); // let the browser try: it comes back to this page
    }
  });
  dialog.querySelector("[data-session-close]").addEventListener("click", close);
  // Escape closes a warning, but does not keep the session (only "Stay signed in" does): the
  // next look is at the end.
  dialog.addEventListener("cancel", () => {
    clearTimeout(timer);
    if (!over) timer = setTimeout(check, Math.max(0, endsAt - Date.now()) + 250);
  });

  // This page's own request was the latest activity.
  plan(idleSeconds);
})();
