"""Grades out of the gradebook: three CSV files that agree with each other.

* ``grades.csv`` -- nbgrader's columns (one row per student × assignment: ``raw_score``, the
  ``late_submission_penalty`` and ``score``), manual scores included;
* ``grades_detail.csv`` -- one row per graded cell with its automatic score, its manual score
  (formgrader), the score that counts and the message, plus one row for a late penalty, so the
  rows of a submission sum to its ``score`` in ``grades.csv``;
* ``grades_canvas.csv`` -- Canvas's gradebook-import columns (Student, ID, SIS User ID, SIS Login
  ID, Section, one column per assignment) with the ids captured at import.

Every CSV the course writes goes through :func:`csv_safe`: a text cell starting with ``= + - @``
(or a tab, a carriage return or ``'`` itself) is prefixed with ``'`` so a spreadsheet never runs it
as a formula; :func:`csv_unsafe` reverses it for the files the course reads back.
One student's unreadable result record is reported and skipped; it never stops the export.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from .course import _quiet_sqlalchemy
from .errors import CourseError
from .results import GradeResult

_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")

__all__ = ["GRADE_FIELDS", "csv_safe", "csv_unsafe", "export", "export_all", "read_results", "write_csv"]

GRADE_FIELDS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                "raw_score", "late_submission_penalty", "score", "max_score"]
DETAIL_FIELDS = ["student_id", "assignment", "status", "test", "auto_score", "manual_score", "extra_credit",
                 "score", "max_score", "reasons", "message"]


def csv_safe(value):
    """``value`` for a CSV cell: text that a spreadsheet would run as a formula gets a leading ``'``.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")"), csv_safe("+1"), csv_safe("-x"), csv_safe("@a"), csv_safe("jsmith")
    ('\\'=HYPERLINK("http://x")', "'+1", "'-x", "'@a", 'jsmith')
    >>> csv_safe(-1.5), csv_safe(None), csv_safe("'quoted")
    (-1.5, '', "''quoted")
    """
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in _FORMULA:
        return "'" + value
    return value


def csv_unsafe(value: str) -> str:
    """The text :func:`csv_safe` escaped, back (a text starting with ``'`` is escaped too, so
    this is exact).

    >>> all(csv_unsafe(csv_safe(t)) == t for t in ["=1", "'=1", "''", "'", "x", "-"])
    True
    """
    return value[1:] if value[:1] == "'" and value[1:2] in _FORMULA else value


def write_csv(path: str | os.PathLike, fields: list[str], rows) -> Path:
    """Write ``rows`` (dicts) with :func:`csv_safe` applied to every cell; a clear error when the
    place cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise CourseError(f"{path} is a folder; give a file name, e.g. {path / 'grades.csv'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", newline="") as f:
            w = csv.DictWriter(f, fields, extrasaction="ignore")
            w.writeheader()
            for row in rows:
                w.writerow({k: csv_safe(row.get(k)) for k in fields})
        os.replace(tmp, path)
    except OSError as exc:
        raise CourseError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def read_results(course) -> tuple[dict[tuple[str, str], GradeResult], list[str]]:
    """``({(student, assignment): result}, problems)``: a record that cannot be read is a problem
    line naming the student, never an exception."""
    out, problems = {}, []
    if course.results.exists():
        for p in sorted(course.results.glob("*/*.json")):
            try:
                r = GradeResult.from_dict(json.loads(p.read_text()))
                out[(r.student, r.assignment)] = r
            except (OSError, ValueError, TypeError) as exc:
                problems.append(f"{p.stem}/{p.parent.name}: result record unreadable ({exc}); grade it again")
    return out, problems


def _message(result: GradeResult | None, grade_id: str) -> tuple[str, str]:
    """``(reasons, message)`` of one cell: each distinct line once."""
    if result is None:
        return "", ""
    cell = next((c for c in result.cells if c.grade_id == grade_id), None)
    text = (cell.message if cell and cell.message else result.message) or ""
    return (" ".join(cell.reasons) if cell else ""), distinct_sentences(text)


def distinct_sentences(text: str) -> str:
    r"""Each statement of a cell's message once: the kernel's and the trusted re-check's reports of
    the same failure are merged (a part contained in one already kept is dropped).

    >>> distinct_sentences("f is wrong at x = 1 (and on 1 more kind of input)\n"
    ...                    "Trusted re-check: f is wrong at x = 1; f is wrong on float32")
    'f is wrong at x = 1 (and on 1 more kind of input); f is wrong on float32'
    """
    kept: list[str] = []
    for line in text.splitlines():
        for part in line.strip().removeprefix("Trusted re-check: ").split("; "):
            part = part.strip()
            if part and not any(part in k for k in kept):
                kept = [k for k in kept if k not in part] + [part]
    return "; ".join(kept)


def _rows(course):
    """nbgrader's per-submission rows and our per-cell rows, from one read of the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    from .deadlines import apply_late_penalties

    apply_late_penalties(course)
    results, problems = read_results(course)
    grades, detail = [], []
    with _quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        for assignment in gb.assignments:
            for student in gb.students:
                row = {"assignment": assignment.name, "duedate": assignment.duedate or "",
                       "student_id": student.id, "last_name": student.last_name, "first_name": student.first_name,
                       "email": student.email, "max_score": assignment.max_score}
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    grades.append({**row, "timestamp": "", "raw_score": 0.0, "late_submission_penalty": 0.0,
                                   "score": 0.0})
                    continue
                try:
                    penalty = sub.late_submission_penalty or 0.0
                    grades.append({**row, "timestamp": sub.timestamp or "", "raw_score": sub.score,
                                   "late_submission_penalty": penalty, "score": max(0.0, sub.score - penalty)})
                    result = results.get((student.id, assignment.name))
                    for nb in sub.notebooks:
                        for g in nb.grades:
                            reasons, message = _message(result, g.name)
                            detail.append({"student_id": student.id, "assignment": assignment.name,
                                           "status": result.status if result else "", "test": g.name,
                                           "auto_score": g.auto_score, "manual_score": g.manual_score,
                                           "extra_credit": g.extra_credit, "score": g.score,
                                           "max_score": g.max_score, "reasons": reasons, "message": message})
                    if penalty:
                        detail.append({"student_id": student.id, "assignment": assignment.name, "status": "late",
                                       "test": "late_submission_penalty", "score": -min(penalty, sub.score),
                                       "max_score": 0.0, "reasons": "late",
                                       "message": f"submitted {sub.timestamp}, due {sub.duedate}"})
                except Exception as exc:  # noqa: BLE001 -- one broken submission never stops the export
                    problems.append(f"{student.id}/{assignment.name}: not exported ({type(exc).__name__}: {exc})")
    return grades, detail, problems


def export_all(course, path: str | os.PathLike) -> tuple[list[Path], list[str]]:
    """Write ``path`` (grades), ``<stem>_detail.csv`` and ``<stem>_canvas.csv`` beside it;
    ``(paths, problems)``."""
    from .importing import student_map

    path = Path(path)
    if path.is_dir():
        raise CourseError(f"{path} is a folder; give a file name, e.g. {path / 'grades.csv'}")
    if path.suffix.lower() != ".csv":
        raise CourseError(f"{path}: the grades file must end in .csv")
    grades, detail, problems = _rows(course)
    written = [write_csv(path, GRADE_FIELDS, grades),
               write_csv(path.with_name(path.stem + "_detail.csv"), DETAIL_FIELDS, detail)]
    lms = student_map(course)
    ids = sorted({g["assignment"] for g in grades})
    by_student: dict[str, dict] = {}
    for g in grades:
        who = lms.get(g["student_id"], {})
        row = by_student.setdefault(g["student_id"], {
            "Student": who.get("lms_id") or g["student_id"], "ID": who.get("lms_user_id", ""),
            "SIS User ID": "", "SIS Login ID": who.get("lms_id") or g["student_id"], "Section": ""})
        row[g["assignment"]] = g["score"]
    written.append(write_csv(path.with_name(path.stem + "_canvas.csv"),
                             ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ids],
                             [by_student[s] for s in sorted(by_student)]))
    return written, problems


def export(course, path: str | os.PathLike) -> tuple[Path, Path]:
    """``(grades.csv, grades_detail.csv)`` of :func:`export_all` (the Canvas file is written too)."""
    written, _ = export_all(course, path)
    return written[0], written[1]
