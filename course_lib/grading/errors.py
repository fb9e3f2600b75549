"""The one exception for bad input on the instructor's path, and the checks that raise it.

``course`` (:mod:`course_lib.cli`) prints a :class:`CourseError` as one line and exits with its
``status`` (2 for bad input); anything else is a bug and keeps its traceback (``--debug``).
"""

from __future__ import annotations

from . import spec as _spec

__all__ = ["CourseError", "known_assignment", "known_assignments"]


class CourseError(Exception):
    """Bad input or a state the instructor must fix: one line saying what and what to do.

    >>> str(CourseError("no such folder: x"))
    'no such folder: x'
    """

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


def known_assignment(assignment_id: str) -> str:
    """``assignment_id`` if the course has it, else a :class:`CourseError` listing the known ones.

    >>> known_assignment("a9_nope")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    course_lib.grading.errors.CourseError: unknown assignment 'a9_nope'; the course has a1_sigmoid_tanh, a2_relu_family, a3_smooth, a4_softmax, a5_backprop, a6_design
    """
    ids = [a.id for a in _spec.ASSIGNMENTS]
    if assignment_id not in ids:
        raise CourseError(f"unknown assignment {assignment_id!r}; the course has {', '.join(ids)}")
    return assignment_id


def known_assignments(ids) -> list[str] | None:
    """Every id checked with :func:`known_assignment`; ``None`` (all) stays ``None``."""
    return [known_assignment(a) for a in ids] if ids else None
