// The course's additions to the theme's pages (jupyter-book includes every JS file in _static/).
// The bibliography: docutils marks each entry role="doc-biblioentry", a role deprecated in WAI-ARIA
// 1.3 and not allowed inside role="list" (axe: aria-required-children, critical); a list item it is.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll('.citation-list[role="list"] > .citation[role="doc-biblioentry"]')
    .forEach((entry) => entry.setAttribute("role", "listitem"));
});

// The colour-mode button: its icons' tooltips ("Light", "Dark", ...) count as visible text that is
// missing from its accessible name "Color mode" (axe: label-content-name-mismatch, serious).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".theme-switch-button i.theme-switch").forEach((icon) => {
    icon.removeAttribute("title");
    icon.setAttribute("aria-hidden", "true");
  });
});
