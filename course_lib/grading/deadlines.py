"""Deadlines: due dates, per-student extensions and the late-submission penalty.

* ``course release ASSIGNMENT --due "2026-03-01 23:59"`` stores the due date (UTC unless a zone
  is given) in the gradebook (:func:`set_due`);
* ``grading/extensions.csv`` (columns ``student_id,assignment,until``) gives a student a later
  deadline; it becomes nbgrader's ``extension`` of that submission;
* the penalty is nbgrader's late-submission plugin configured in ``nbgrader_config.py``
  (``c.AssignLatePenalties.plugin_class``; the course's :class:`PerDayPenalty` takes a fraction of
  the points earned per started day late). :func:`apply_late_penalties` computes it from the
  submission time the import recorded (the LMS's, where it gives one) and writes it to the
  gradebook, where ``course export`` (``late_submission_penalty`` and ``score``) and ``course
  feedback`` (a "Late submission penalty" line) read it. It is recomputed from the gradebook each
  time, so a changed due date or extension takes effect at the next export or feedback.
"""

from __future__ import annotations

import csv
import datetime as dt
import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

from .course import _quiet_sqlalchemy
from .errors import CourseError, known_assignment
from .importing import parse_timestamp

__all__ = ["EXTENSIONS_CSV", "PerDayPenalty", "apply_late_penalties", "extensions", "parse_due", "set_due"]

EXTENSIONS_CSV = "extensions.csv"


class PerDayPenalty(LateSubmissionPlugin):
    """Lose ``per_day`` of the points earned for each started day late, at most ``cap`` of them.

    >>> p = PerDayPenalty(per_day=0.1)
    >>> p.late_submission_penalty("jsmith", 8.0, 3600), p.late_submission_penalty("jsmith", 8.0, 86401)
    (0.8, 1.6)
    >>> p.late_submission_penalty("jsmith", 8.0, 0), p.late_submission_penalty("jsmith", 8.0, 30 * 86400)
    (0.0, 8.0)
    """

    per_day = Float(0.1, help="fraction of the earned points lost per started day late").tag(config=True)
    cap = Float(1.0, help="largest fraction of the earned points a late submission can lose").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds):
        if not total_seconds or total_seconds <= 0:
            return 0.0
        days = math.ceil(total_seconds / 86400)
        return round(score * min(self.cap, self.per_day * days), 6)


def parse_due(text: str) -> dt.datetime:
    """A due date as a naive UTC datetime; :class:`CourseError` unless it is a date."""
    try:
        return dt.datetime.strptime(parse_timestamp(text), "%Y-%m-%d %H:%M:%S.%f UTC")
    except ValueError as exc:
        raise CourseError(f"--due: {exc}") from None


def set_due(course, assignment: str, when: str | dt.datetime) -> dt.datetime:
    """Store ``assignment``'s due date in the gradebook (the assignment must be released)."""
    from nbgrader.api import Gradebook, MissingEntry

    known_assignment(assignment)
    due = parse_due(when) if isinstance(when, str) else when
    with _quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(f"{assignment} is not released yet: run `course release {assignment}` first") from None
        gb.update_or_create_assignment(assignment, duedate=due)
    return due


def extensions(course) -> dict[tuple[str, str], dt.datetime]:
    """``{(student, assignment): new deadline}`` from ``grading/extensions.csv``."""
    path = course.work / EXTENSIONS_CSV
    if not path.exists():
        return {}
    out = {}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = {"student_id", "assignment", "until"} - set(reader.fieldnames or [])
        if missing:
            raise CourseError(f"{path}: missing column(s) {', '.join(sorted(missing))}; "
                              "the header must be student_id,assignment,until")
        for n, row in enumerate(reader, start=2):
            try:
                known_assignment(row["assignment"].strip())
                out[(row["student_id"].strip(), row["assignment"].strip())] = parse_due(row["until"])
            except CourseError as exc:
                raise CourseError(f"{path}, line {n}: {exc}") from None
    return out


def apply_late_penalties(course, assignments=None) -> dict[tuple[str, str], float]:
    """Set every submission's extension and late penalty in the gradebook; returns the non-zero
    penalties ``{(student, assignment): points}``."""
    from nbgrader.api import Gradebook
    from traitlets.utils.importstring import import_item

    cfg = course.config()
    plugin_class = cfg.AssignLatePenalties.get("plugin_class", LateSubmissionPlugin)
    if isinstance(plugin_class, str):
        plugin_class = import_item(plugin_class)
    plugin = plugin_class(config=cfg)
    extra = extensions(course)
    penalties = {}
    with _quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        for assignment in gb.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for sub in assignment.submissions:
                until = extra.get((sub.student.id, assignment.name))
                due = assignment.duedate
                sub.extension = (until - due) if (until and due) else None
                late = 0.0
                if due and sub.timestamp:
                    late = (sub.timestamp - (until or due)).total_seconds()
                for nb in sub.notebooks:
                    penalty = plugin.late_submission_penalty(sub.student.id, nb.score, late) if late > 0 else 0.0
                    nb.late_submission_penalty = penalty or 0.0
                    if penalty:
                        penalties[(sub.student.id, assignment.name)] = \
                            penalties.get((sub.student.id, assignment.name), 0.0) + penalty
        gb.db.commit()
    return penalties
