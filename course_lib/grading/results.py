"""What grading one submission produces (:class:`GradeResult`, plain JSON-able data) and where the
single writer keeps it (``grading/results/<assignment>/<student>.json``), read back by feedback,
export and the report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["CellResult", "GradeResult", "load_results", "result_path"]


@dataclass
class CellResult:
    grade_id: str
    points: float | None  #: None: graded by hand
    max_points: float
    passed: bool | None
    reasons: list[str] = field(default_factory=list)  #: failure tags ("values", "warning", "recheck", ...)
    kinds: list[str] = field(default_factory=list)  #: kinds of input that failed
    message: str = ""


@dataclass
class GradeResult:
    """The outcome of grading one student × assignment (JSON-serialisable)."""

    student: str
    assignment: str
    status: str  #: "graded", "missing" (nothing to grade) or "failed" (nbgrader could not grade it)
    score: float
    max_score: float
    cells: list[CellResult] = field(default_factory=list)
    message: str = ""
    timestamp: str | None = None
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)  #: what the student submitted
    autograded_dir: str | None = None  #: where record() put the autograded notebook
    grades: list[dict] = field(default_factory=list)  #: raw gradebook rows from the private gradebook
    comments: list[dict] = field(default_factory=list)
    digest: str = ""  #: SHA-256 of the submitted files (a rerun skips an unchanged, recorded submission)
    timings: dict = field(default_factory=dict)  #: seconds per phase (kernel start, execute, recheck, ...)
    #: the autograded folder's files, {relative path: base64}: shipped back to the writer, which may
    #: run on another machine than the grader (Dask); emptied once recorded
    autograded: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> GradeResult:
        d = dict(d)
        d["cells"] = [CellResult(**c) for c in d.get("cells", [])]
        return cls(**d)

    def summary(self) -> str:
        failing = [c for c in self.cells if c.passed is False]
        head = f"{self.student}/{self.assignment}: {self.status}, {self.score:g}/{self.max_score:g}"
        if self.message:
            head += f" -- {self.message}"
        return "\n".join([head] + [f"  {c.grade_id}: {c.message.splitlines()[0] if c.message else ''}"
                                   for c in failing])


def result_path(course, assignment: str, student: str) -> Path:
    return course.results / assignment / f"{student}.json"


def load_results(course) -> list[GradeResult]:
    if not course.results.exists():
        return []
    return [GradeResult.from_dict(json.loads(p.read_text())) for p in sorted(course.results.glob("*/*.json"))]
