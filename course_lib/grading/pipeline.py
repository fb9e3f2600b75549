"""The instructor workflow over nbgrader's API: release, import, grade, feedback, export.

Grading is split in two so that it can be parallelised (one writer, many graders):

* :func:`grade_submission` grades **one** student × assignment in isolation: it runs nbgrader's
  real ``Autograde`` converter (with the course's preprocessors, including the trusted
  re-check) against a private copy of the gradebook and a private output folder, and returns a
  :class:`GradeResult` -- plain data, JSON-serialisable, no side effect on the course;
* :func:`record` is the only function that writes grades: it copies the result's scores into
  the real gradebook (never touching manual scores), moves the autograded notebook into place
  and saves the result record used by the report.

:func:`grade` backs up the gradebook, then grades and records every submission with a
progress bar. Submissions are never modified; :func:`import_submissions` archives an earlier
submission before replacing it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import nbformat

from . import spec as _spec

__all__ = [
    "CellResult",
    "Course",
    "GradeResult",
    "backup_gradebook",
    "check_notebook",
    "export",
    "feedback",
    "grade",
    "grade_submission",
    "import_submissions",
    "record",
    "release",
]

# the course folder and the result records are their own modules; so are the steps before and
# after grading (importing.py, feedback.py, export.py), whose names stay importable from here
from .course import TIMESTAMP_FORMAT, Course, _ensure_path, _now, _quiet_sqlalchemy, safe_url  # noqa: F401
from .export import export
from .feedback import feedback
from .importing import import_submissions
from .release import release  # re-exported: release and the LMS bundle are in release.py
from .results import CellResult, GradeResult, load_results, result_path  # noqa: F401
from .student_check import check_notebook  # re-exported: `course check` is student_check.py

# ---- grading one submission in isolation -------------------------------------------------

def submission_digest(folder: Path) -> str:
    """SHA-256 over the submitted files' names and contents (``timestamp.txt`` included)."""
    h = hashlib.sha256()
    if folder.exists():
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def private_gradebook(course: Course, assignment_ids, dest: str | os.PathLike) -> Path:
    """A fresh SQLite gradebook at ``dest`` holding only the structure of the given assignments
    (notebooks, grade, solution, task and source cells), copied from the course's gradebook
    (SQLite or PostgreSQL). Each submission is autograded against a copy of it: no student
    data, small, the same whatever the real gradebook holds or which database it lives in."""
    from nbgrader.api import Gradebook, MissingEntry

    dest = Path(dest)
    if dest.exists():
        dest.unlink()
    _ensure_path()
    cid = course.course_id
    with _quiet_sqlalchemy(), Gradebook(course.db_url, course_id=cid) as src, \
            Gradebook(f"sqlite:///{dest}", course_id=cid) as dst:
        for aid in assignment_ids:
            try:
                a = src.find_assignment(aid)
            except MissingEntry:
                raise RuntimeError(f"assignment {aid} is not in the gradebook ({safe_url(course.db_url)}): "
                                   "run `course release` first") from None
            dst.update_or_create_assignment(aid, duedate=a.duedate)
            for nb in a.notebooks:
                dst.update_or_create_notebook(nb.name, aid, kernelspec=nb.kernelspec)
                for c in nb.grade_cells:
                    dst.update_or_create_grade_cell(c.name, nb.name, aid, max_score=c.max_score,
                                                    cell_type=c.cell_type)
                for c in nb.solution_cells:
                    dst.update_or_create_solution_cell(c.name, nb.name, aid)
                for c in nb.task_cells:
                    dst.update_or_create_task_cell(c.name, nb.name, aid, max_score=c.max_score,
                                                   cell_type=c.cell_type)
                for c in nb.source_cells:
                    dst.update_or_create_source_cell(c.name, nb.name, aid, cell_type=c.cell_type, locked=c.locked,
                                                     source=c.source, checksum=c.checksum)
        dst.db.commit()
    return dest


def _copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of an SQLite database (the online backup API)."""
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)
    s.close()
    d.close()


def _cells_from_notebook(path: Path, scores: dict[str, dict], timeout: float) -> list[CellResult]:
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        md = cell.metadata.get("nbgrader", {})
        gid = md.get("grade_id")
        if not md.get("grade") or gid not in scores:
            continue
        row = scores[gid]
        manual = cell.cell_type != "code"
        if manual:
            out.append(CellResult(gid, None, row["max_score"], None, [], [],
                                  "graded by hand" if row["auto_score"] is None else "no answer"))
            continue
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        stderr = [o for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stderr"]
        recheck = cell.metadata.get("course_recheck", {})
        reasons, kinds, lines = [], [], []
        for o in errors:
            if o.ename == "TrustedRecheckFailed":
                reasons.append("recheck")
                lines.append(o.evalue)
            elif o.ename in ("CellTimeoutError", "KeyboardInterrupt"):
                reasons.append("timeout")
                said = o.evalue or ""  # GradingExecute names the limit that stopped the cell
                lines.append(f"Timeout: {said}" if said
                             else f"Timeout: the cell did not finish within {timeout:g} s and was interrupted "
                             "(an infinite loop?)")
            else:
                reasons.append({"AssertionError": "test", "KernelDied": "kernel died"}.get(o.ename, "exception"))
                lines.append(f"{o.ename}: {o.evalue}" if o.ename != "AssertionError" else o.evalue)
        if stderr and not errors:
            reasons.append("stderr")
            lines.append("the cell wrote to stderr: " + "".join(s.text for s in stderr)[:200])
        for f in recheck.get("failures", []):
            reasons.append(f["reason"])
            if f["kind"]:
                kinds.append(f["kind"])
        if recheck and not recheck.get("kernel_passed", True) and recheck.get("passed") is False:
            lines.append("Trusted re-check: " + "; ".join(f["message"] for f in recheck["failures"]))
        points = row["auto_score"]
        out.append(CellResult(gid, points, row["max_score"], points == row["max_score"],
                              list(dict.fromkeys(reasons)), list(dict.fromkeys(kinds)), "\n".join(lines)[:2000]))
    return out


def _zero_cells(assignment: _spec.Assignment, message: str) -> list[CellResult]:
    cells = [CellResult(t.grade_id, 0.0, float(t.points), False, ["missing"], [], message) for t in assignment.tests]
    if assignment.written:
        w = assignment.written
        cells.append(CellResult(w["grade_id"], 0.0, float(w["points"]), False, ["missing"], [], message))
    return cells


def grade_submission(course: Course, student: str, assignment_id: str, *, overrides: dict | None = None,
                     template: bytes | str | os.PathLike | None = None) -> GradeResult:
    """Autograde one submission in isolation (private gradebook and output folder).

    Reads ``grading/submitted/<student>/<assignment>`` and the course's source notebooks; writes
    only to a temporary folder, which it deletes: the autograded files come back inside the
    result (``autograded``) for :func:`record` to write. ``template`` is a private gradebook made
    by :func:`private_gradebook` (its bytes or its path); without it one is made from the course's
    gradebook.
    """
    from . import timing

    timing.reset()
    start = time.perf_counter()
    assignment = _spec.get_assignment(assignment_id)
    sub = course.submitted / student / assignment_id
    files = sorted(str(p.relative_to(sub)) for p in sub.rglob("*") if p.is_file()) if sub.exists() else []
    from .importing import read_timestamp

    ts, ts_problem = read_timestamp(sub)  # a malformed timestamp is this submission's note, never a crash
    expected = f"{assignment_id}.ipynb"
    base = {"student": student, "assignment": assignment_id, "max_score": float(assignment.points),
            "timestamp": ts, "files": files, "digest": submission_digest(sub)}
    if expected not in files:
        others = [f for f in files if f.endswith(".ipynb") and ".ipynb_checkpoints" not in f]
        msg = f"{expected} is missing from the submission"
        msg += f"; found {', '.join(others)} (renamed? the notebook must keep its name)" if others else ""
        return GradeResult(**base, status="missing", score=0.0, cells=_zero_cells(assignment, msg), message=msg,
                           seconds=time.perf_counter() - start)
    scratch = Path(tempfile.mkdtemp(prefix=f"course-grade-{student}-{assignment_id}-"))
    try:
        return _grade_in(course, scratch, base, assignment, overrides, template, start, ts_problem)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _grade_in(course, scratch: Path, base: dict, assignment, overrides, template, start,
              ts_problem: str = "") -> GradeResult:
    import base64

    from . import timing

    student, assignment_id = base["student"], base["assignment"]
    expected = f"{assignment_id}.ipynb"
    with timing.phase("gradebook"):
        if template is None:
            private_gradebook(course, [assignment_id], scratch / "gradebook.db")
        elif isinstance(template, bytes):
            (scratch / "gradebook.db").write_bytes(template)
        else:
            shutil.copyfile(template, scratch / "gradebook.db")
    cfg = course.config({
        "CourseDirectory.autograded_directory": str(scratch / "autograded"),
        "CourseDirectory.db_url": f"sqlite:///{scratch / 'gradebook.db'}",
        **(overrides or {}),
    })
    api = course.api(cfg)
    with _quiet_sqlalchemy():
        res = api.autograde(assignment_id, student, force=True, create=True)
    gb_start = time.perf_counter()
    out_dir = scratch / "autograded" / student / assignment_id
    nb_path = out_dir / expected
    from nbgrader.api import Gradebook, MissingEntry

    grades, comments = [], []
    with _quiet_sqlalchemy(), Gradebook(f"sqlite:///{scratch / 'gradebook.db'}", course_id=cfg.CourseDirectory.course_id) as gb:
        try:
            submission = gb.find_submission(assignment_id, student)
            for snb in submission.notebooks:
                for g in snb.grades:
                    grades.append({"notebook": snb.name, "name": g.name, "auto_score": g.auto_score,
                                   "max_score": g.max_score})
                for c in snb.comments:
                    comments.append({"notebook": snb.name, "name": c.name, "auto_comment": c.auto_comment})
        except MissingEntry:
            pass
    timing.add("gradebook", time.perf_counter() - gb_start)
    if not res["success"] or not nb_path.exists():
        log = res.get("log") or ""
        errors = [ln for ln in log.splitlines() if "ERROR" in ln][:3]
        msg = "nbgrader could not autograde this notebook: " + (" | ".join(errors)[:500] or "unknown error")
        return GradeResult(**base, status="failed", score=0.0, cells=_zero_cells(assignment, msg), message=msg,
                           seconds=time.perf_counter() - start, timings=timing.snapshot())
    scores = {g["name"]: g for g in grades}
    cells = _cells_from_notebook(nb_path, scores, float(cfg.Execute.get('timeout', 30)))
    score = sum(c.points or 0.0 for c in cells)
    nb_notes = nbformat.read(nb_path, as_version=4).metadata.get("course_recheck", {})
    notes = [ts_problem] if ts_problem else []
    if nb_notes.get("forbidden"):
        notes.append("uses " + ", ".join(f"{m} ({f})" for f, m in sorted(nb_notes["forbidden"].items())))
    if nb_notes.get("cell_errors"):
        notes.append("code that fails in a clean Python: " + "; ".join(e for _, e in nb_notes["cell_errors"][:2]))
    extra = [f for f in base["files"] if f not in (expected, "timestamp.txt")]
    if extra:
        notes.append(f"extra files ignored by grading: {', '.join(extra[:5])}")
    # only what the grader chooses comes back: the autograded notebook (size-capped) and the
    # timestamp, never other files from the folder (nbgrader copies the submission's extra files there)
    shipped = {}
    for name, cap in ((expected, MAX_AUTOGRADED_BYTES), ("timestamp.txt", 200)):
        path = out_dir / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= cap:
            shipped[name] = base64.b64encode(path.read_bytes()).decode("ascii")
    if expected not in shipped:
        msg = f"the autograded notebook is larger than {MAX_AUTOGRADED_BYTES >> 20} MiB (huge outputs?)"
        return GradeResult(**base, status="failed", score=0.0, cells=_zero_cells(assignment, msg), message=msg,
                           seconds=time.perf_counter() - start, timings=timing.snapshot())
    seconds = time.perf_counter() - start
    timings = timing.snapshot()
    timings["other"] = round(seconds - sum(timings.values()), 4)
    return GradeResult(**base, status="graded", score=score, cells=cells, message="; ".join(notes),
                       seconds=seconds, grades=grades, comments=comments, timings=timings, autograded=shipped)


# ---- the single writer ------------------------------------------------------------------

MAX_AUTOGRADED_BYTES = 32 << 20  #: the largest autograded notebook a grader hands back


def _result_path(course: Course, assignment: str, student: str) -> Path:
    return course.results / assignment / f"{student}.json"


def record(course: Course, result: GradeResult, *, retries: int = 5) -> None:
    """Write one result into the gradebook, the autograded folder and the result records.

    The only place grades are written. Manual scores are never touched (a re-graded cell that
    had a manual score is flagged for review, as nbgrader does). Order matters for resuming:
    the gradebook first, then the autograded files, and the result record last -- a submission
    counts as graded (and is skipped by the next run) only once its result record exists.
    With a shared database (PostgreSQL, several instructors grading at once) a transaction that
    loses a race is rolled back and retried.
    """
    import base64

    from sqlalchemy.exc import DBAPIError, IntegrityError

    start = time.perf_counter()
    try:
        previous = json.loads(_result_path(course, result.assignment, result.student).read_text()).get("digest")
    except (OSError, ValueError):
        previous = None
    for attempt in range(retries + 1):
        try:
            _record_grades(course, result, changed=previous != result.digest)
            break
        except (IntegrityError, DBAPIError):
            if attempt == retries:
                raise
            time.sleep(0.2 * (attempt + 1))
    dest = course.autograded / result.student / result.assignment
    if result.autograded:
        tmp = dest.with_name(f".{dest.name}.incoming")
        shutil.rmtree(tmp, ignore_errors=True)
        for rel, data in result.autograded.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(data))
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    elif dest.exists():
        shutil.rmtree(dest)
    path = _result_path(course, result.assignment, result.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    result.timings["record"] = round(time.perf_counter() - start, 4)  # the writer's share
    data = result.to_dict()
    data["autograded"] = {}
    data["autograded_dir"] = str(dest) if dest.exists() else None
    tmp_json = path.with_name(f".{path.name}.tmp")
    tmp_json.write_text(json.dumps(data, indent=1))
    os.replace(tmp_json, path)
    result.autograded_dir = data["autograded_dir"]
    result.autograded = {}


def _record_grades(course: Course, result: GradeResult, *, changed: bool = True) -> None:
    """Put the autograded scores in the gradebook. A cell is flagged for (re)grading by hand when
    it has no score, or when it has a manual score and either the submission changed since it
    was graded or its autograded score differs now; a hand-graded answer of an unchanged
    submission stays as the instructor left it."""
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    nb_name = result.assignment
    with _quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        try:
            gb.update_or_create_student(result.student)
            kwargs = {"timestamp": parse_utc(result.timestamp)} if result.timestamp else {}
            gb.update_or_create_submission(result.assignment, result.student, **kwargs)
            by_name = {g["name"]: g for g in result.grades}
            for cell in result.cells:
                grade = gb.find_grade(cell.grade_id, nb_name, result.assignment, result.student)
                before = grade.auto_score
                if result.status == "graded":
                    grade.auto_score = by_name.get(cell.grade_id, {}).get("auto_score", cell.points)
                else:
                    grade.auto_score = 0.0
                if grade.manual_score is None:
                    grade.needs_manual_grade = grade.auto_score is None
                elif changed or before != grade.auto_score:
                    grade.needs_manual_grade = True
            for c in result.comments:
                comment = gb.find_comment(c["name"], nb_name, result.assignment, result.student)
                comment.auto_comment = c["auto_comment"]
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise


def recorded(course: Course) -> dict[tuple[str, str], str]:
    """``{(student, assignment): submission digest}`` of the submissions already graded: a result
    record exists and the gradebook holds the submission."""
    from nbgrader.api import Assignment, Gradebook, SubmittedAssignment

    records = {}
    if course.results.exists():
        for p in course.results.glob("*/*.json"):
            try:
                records[(p.stem, p.parent.name)] = json.loads(p.read_text()).get("digest", "")
            except (OSError, ValueError):
                continue  # a torn record: grade again
    if not records:
        return {}
    with _quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        rows = gb.db.query(SubmittedAssignment.student_id, Assignment.name).join(
            Assignment, SubmittedAssignment.assignment_id == Assignment.id)
        in_db = {(student, assignment) for student, assignment in rows}
    return {k: v for k, v in records.items() if k in in_db}


def backup_gradebook(course: Course, keep: int = 50) -> Path | None:
    """Copy the gradebook to ``grading/backups/gradebook-<UTC time>.db`` (keeps the last ``keep``).

    SQLite only: a PostgreSQL gradebook is backed up with the server's tools (``pg_dump``)."""
    if not course.is_sqlite or not course.gradebook.exists():
        return None
    course.backups.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    dest = course.backups / f"gradebook-{stamp}.db"
    _copy_db(course.gradebook, dest)
    secret, kept = course.secret, course.backups / course.secret.name
    if secret.exists() and (not kept.exists() or kept.read_bytes() != secret.read_bytes()):
        shutil.copyfile(secret, kept)  # the re-check's seeds depend on it: regrades need the same one
        kept.chmod(0o600)
    for old in sorted(course.backups.glob("gradebook-*.db"))[:-keep]:
        old.unlink()
    return dest


def grade(course: Course, assignments=None, students=None, *, overrides: dict | None = None,
          progress: bool = True, workers: int = 1, scheduler: str | None = None, force: bool = False,
          log=print) -> list[GradeResult]:
    """Back up the gradebook, then grade every submission not graded yet and record it.

    Each submission is graded in isolation by :func:`grade_submission` -- in ``workers`` local
    worker processes, or on a Dask cluster when ``scheduler`` is its address -- and this process
    alone writes the results (:func:`record`). A submission whose result is recorded and which has
    not changed since is skipped, unless ``force``. Ctrl-C stops the run between two records
    (:class:`~course_lib.grading.parallel.Interrupted`); the next run picks up the rest.
    See :mod:`course_lib.grading.parallel`.
    """
    from .parallel import run

    return run(course, assignments, students, overrides=overrides, progress=progress, workers=workers,
               scheduler=scheduler, force=force, log=log)

