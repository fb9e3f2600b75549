// The course's additions to the theme's pages (jupyter-book includes every JS file in _static/).
// The bibliography: docutils marks each entry role="doc-biblioentry", a role deprecated in WAI-ARIA
// 1.3 and not allowed inside role="list" (axe: aria-required-children, critical); a list item it is.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll('.citation-list[role="list"] > .citation[role="doc-biblioentry"]')
    .forEach((entry) => entry.setAttribute("role", "listitem"));
});

// The colour-mode button: its icons' tooltips ("Light", "Dark", ...) count as visible text that is
// missing from its accessible name "Color mode" (axe: label-content-name-mismatch, serious).
const untitleThemeIcons = () => {
  document.querySelectorAll(".theme-switch-button i.theme-switch").forEach((icon) => {
    icon.removeAttribute("title");
    icon.setAttribute("aria-hidden", "true");
  });
};
document.addEventListener("DOMContentLoaded", untitleThemeIcons);
window.addEventListener("load", untitleThemeIcons);  // again once the theme's own scripts have run

// The sidebar's search field: its aria-label "Search" leaves out its visible text "Search Ctrl+K"
// (axe: label-content-name-mismatch, serious); without it the name is the visible text.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".search-button-field[aria-label]").forEach((b) => b.removeAttribute("aria-label"));
});

// Interactive figures (course_lib/plotting/interactive.py): every curve was computed at build and
// sits in the figure's JSON; a control only chooses which set plotly.js draws. Without plotly.js
// (no JavaScript, a notebook, print) the static version stays. The controls are native <input
// type="range"> and <select>, so the keyboard and screen readers work them as usual.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.Plotly) return;
  document.querySelectorAll("figure.course-interactive").forEach((figure) => {
    const spec = JSON.parse(figure.querySelector("script.course-data").textContent);
    const live = figure.querySelector(".course-live");
    const plot = figure.querySelector(".course-plot");
    const describe = figure.querySelector(".course-describe");
    const controls = Array.from(figure.querySelectorAll(".course-controls input, .course-controls select"));
    const draw = () => {
      const key = controls.map((c) => c.value).join("-");
      const frame = spec.frames[key];
      controls.filter((c) => c.type === "range").forEach((c) => {
        const text = JSON.parse(c.dataset.labels)[Number(c.value)];
        c.setAttribute("aria-valuetext", text);
        c.nextElementSibling.textContent = text;
      });
      describe.textContent = frame.describe;
      plot.setAttribute("aria-label", frame.describe);
      plot.dataset.key = key;
      return Plotly.react(plot, frame.data, Object.assign({}, spec.layout, frame.layout),
                          {displayModeBar: false, responsive: true});
    };
    live.hidden = false;
    figure.querySelector(".course-static").hidden = true;
    controls.forEach((c) => c.addEventListener("input", draw));
    draw();
  });
});

// Figures on phones: course.css keeps each figure image at least 3/4 of its pixel width, which it
// reads from --natural-width (set here once the image is decoded).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("figure.course-figure img").forEach((img) => {
    const set = () => img.style.setProperty("--natural-width", `${img.naturalWidth}px`);
    if (img.complete) set(); else img.addEventListener("load", set);
  });
});

// The primary sidebar (book title, search field, chapter list) is a plain <div>, so its title and
// search field sit outside every landmark (axe: region, moderate); it is the book's navigation aside.
document.addEventListener("DOMContentLoaded", () => {
  const sidebar = document.querySelector(".bd-sidebar-primary:not([role])");
  if (sidebar) {
    sidebar.setAttribute("role", "complementary");
    sidebar.setAttribute("aria-label", "Book navigation");
  }
});
