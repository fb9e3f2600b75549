"""The grade report: score distribution per assignment and the most common failures per test.

Reads the result records written by :func:`course_lib.grading.pipeline.record`
(``grading/results/<assignment>/<student>.json``) and writes ``report.png`` and ``report.html``.
Submissions that could not be graded (missing or renamed notebook, nbgrader failed) are listed
apart and left out of the histograms, which count only graded ones; per test, the share of graded
students passing and the most common failure kinds. An unreadable result record is listed, never
fatal.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from pathlib import Path

from . import spec as _spec
from .errors import CourseError
from .results import GradeResult

__all__ = ["failure_table", "write_report"]


def failure_table(results: list[GradeResult]) -> dict[tuple[str, str], Counter]:
    """``{(assignment, test): Counter of "reason: kind of input"}`` over all failing cells."""
    table: dict[tuple[str, str], Counter] = {}
    for r in results:
        for c in r.cells:
            if c.passed is not False:
                continue
            counter = table.setdefault((r.assignment, c.grade_id), Counter())
            labels = [f"{reason}: {kind}" for reason in c.reasons[:1] for kind in c.kinds[:3]] or \
                     [", ".join(c.reasons) or "failed"]
            counter.update(labels)
    return table


def _figure(results: list[GradeResult]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = [a.id for a in _spec.ASSIGNMENTS]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), constrained_layout=True)
    for ax, aid in zip(axes.ravel(), ids):
        a = _spec.get_assignment(aid)
        scores = [r.score for r in results if r.assignment == aid and r.status == "graded"]
        ungraded = sum(1 for r in results if r.assignment == aid and r.status != "graded")
        ax.hist(scores, bins=range(a.points + 2), align="left", rwidth=0.85, color="#4477aa")
        ax.set_title(f"{aid} (graded: {len(scores)}" + (f", not gradable: {ungraded})" if ungraded else ")"),
                     fontsize=10)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlim(-0.7, a.points + 0.7)
        ax.set_xlabel(f"score (of {a.points}; manual points not included)")
        ax.set_ylabel("students")
        ax.yaxis.get_major_locator().set_params(integer=True)
        if not scores:
            ax.set_yticks([])
            ax.text(0.5, 0.5, "no submissions", ha="center", va="center", transform=ax.transAxes, color="0.5")
    fig.suptitle("Autograded score distribution per assignment")
    return fig


def write_report(course, out_dir: str | Path | None = None, top: int = 3) -> tuple[Path, Path]:
    """Write ``report.png`` and ``report.html`` (default: ``grading/report/``)."""
    from .export import read_results

    out = Path(out_dir or course.work / "report")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise CourseError(f"cannot write the report into {out}: {exc.strerror or exc}") from None
    by_key, unreadable = read_results(course)
    results = list(by_key.values())
    fig = _figure(results)
    png = out / "report.png"
    fig.savefig(png, dpi=110)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    import matplotlib.pyplot as plt

    plt.close(fig)
    rows = []
    graded = [r for r in results if r.status == "graded"]
    table = failure_table(graded)
    for a in _spec.ASSIGNMENTS:
        mine = [r for r in graded if r.assignment == a.id]
        if not mine:
            continue
        for gid in [t.grade_id for t in a.tests]:
            cells = [c for r in mine for c in r.cells if c.grade_id == gid]
            passing = sum(1 for c in cells if c.passed)
            common = "<br>".join(f"{html.escape(k)} ({v})" for k, v in table.get((a.id, gid), Counter()).most_common(top))
            rows.append(f"<tr><td>{a.id}</td><td>{gid}</td><td>{passing} of {len(cells)} "
                        f"({100 * passing / max(1, len(cells)):.0f}%)</td><td>{common or '&mdash;'}</td></tr>")
    problems = [f"<li>{html.escape(r.student)} / {r.assignment}: {html.escape(r.message)}</li>"
                for r in results if r.status != "graded"]
    problems += [f"<li>{html.escape(p)}</li>" for p in unreadable]
    page = f"""<!doctype html><meta charset="utf-8"><title>Grade report</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}td,th{{border-bottom:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top}}table{{border-collapse:collapse}}</style>
<h1>Grade report</h1><p>{len(graded)} graded submissions; {len(results) - len(graded)} could not be graded
(listed at the end, not counted in the histograms).</p>
<img src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}" style="max-width:100%">
<h2>Tests: students passing and the most common failures</h2>
<table><tr><th>assignment</th><th>test</th><th>passing</th><th>most common failures (reason: kind of input)</th></tr>
{''.join(rows) or '<tr><td colspan=4>no failures</td></tr>'}</table>
<h2>Submissions that could not be graded</h2><ul>{''.join(problems) or '<li>none</li>'}</ul>
"""
    page_path = out / "report.html"
    page_path.write_text(page)
    return png, page_path
