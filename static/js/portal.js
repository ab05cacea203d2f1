// GCM Review Portal: small behaviours for elements that opt in with data attributes.
// Kept out of the templates so a Content-Security-Policy can forbid inline scripts.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // <button type="button" data-portal-print> prints the page (the print stylesheet hides the chrome).
  for (const button of document.querySelectorAll("[data-portal-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
