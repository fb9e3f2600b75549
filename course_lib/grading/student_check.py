"""``course check``: tell a student, before handing in, the grade their notebook will get.

:func:`check_notebook` does what grading does, on a copy (the student's file is never written):

1. restores test cells that were edited, deleted or turned into markdown (grading restores them
   from the original, so they are checked as the original) and says so;
2. runs the notebook top to bottom in a fresh kernel, in the notebook's folder, with grading's
   time limit per cell (``Execute.timeout`` in ``nbgrader_config.py``, 30 s);
3. re-runs the student's functions in a clean Python on random inputs, as grading does
   (:func:`course_lib.grading.recheck.recheck_notebook`, with a seed of its own: the inputs are
   fresh at every check and are never those of grading);
4. reports, per test cell, why it would lose its points (the student's own ``SyntaxError`` with
   its line, the time limit on a time-out, the kind of input that fails, a forbidden module),
   and an empty written answer with its points.

"Ready to hand in" is printed only if every test cell passes both in the kernel and in the
re-check and every written answer is filled in: then grading gives every automatic point. The
visible cases of :mod:`~course_lib.grading.spec` cover every kind of input the hidden ones check,
so the hidden values (which the student package does not contain) change nothing.

The kernel talks to this process over IPC sockets in a private temporary folder (no TCP port,
hence no "running over TCP without encryption" warning).
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import spec as _spec

__all__ = ["CheckResult", "check_notebook", "find_notebook"]

DEFAULT_TIMEOUT = 30.0  #: seconds per cell when no nbgrader_config.py says otherwise (as grading)
RECHECK_TIMEOUT = 20.0
UNANSWERED = ("", "YOUR ANSWER HERE")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LINE = re.compile(r"line (\d+)")


@dataclass
class CellCheck:
    grade_id: str
    doc: str
    points: float
    passed: bool = True
    problems: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    """What ``course check`` found; ``ok`` means ready to hand in (every automatic point)."""

    path: Path
    assignment: str | None
    cells: list[CellCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  #: problems outside the test cells (blocking)
    info: list[str] = field(default_factory=list)  #: things to know (not blocking)
    manual_points: float = 0.0
    recheck_ran: bool = False

    @property
    def score(self) -> float:
        return sum(c.points for c in self.cells if c.passed)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.cells)

    @property
    def ok(self) -> bool:
        return self.assignment is not None and not self.notes and all(c.passed for c in self.cells)

    def summary(self) -> str:
        name = self.path.name
        lines = []
        for c in self.cells:
            if not c.passed:
                lines.append(f"  FAIL  {c.doc} [{c.grade_id}, {_pts(c.points)}]")
                lines += [f"        {p}" for p in c.problems]
        lines += [f"  {n}" for n in self.notes]
        lines += [f"  note: {n}" for n in self.info]
        if self.assignment is None:
            return "\n".join(lines + [f"{name}: NOT checked"])
        n, passed = len(self.cells), sum(c.passed for c in self.cells)
        manual = f" (+ {_pts(self.manual_points)} graded by hand)" if self.manual_points else ""
        if self.ok:
            head = (f"{name}: ready to hand in -- all {n} test cells pass, also on fresh random inputs: "
                    f"{self.score:g} of {self.max_score:g} automatic points{manual}")
        else:
            head = (f"{name}: NOT ready -- {passed} of {n} test cells pass: {self.score:g} of "
                    f"{self.max_score:g} automatic points{manual}; see above")
        return "\n".join(lines + [head])


def _pts(p: float) -> str:
    return f"{p:g} point{'s' if p != 1 else ''}"


# ---- finding the notebook and its assignment ----------------------------------------------

def find_notebook(arg: str | os.PathLike, root: str | os.PathLike | None = None) -> Path:
    """A notebook path, or an assignment id looked up as ``ID.ipynb``, ``ID/ID.ipynb`` or
    ``exercises/ID/ID.ipynb`` in the current folder (then in ``root``). Raises FileNotFoundError."""
    path = Path(arg)
    if path.is_file():
        return path
    aid = path.name.removesuffix(".ipynb")
    bases = [Path.cwd()] + ([Path(root)] if root else [])
    tried = []
    for base in bases:
        for cand in (base / f"{aid}.ipynb", base / aid / f"{aid}.ipynb", base / "exercises" / aid / f"{aid}.ipynb"):
            if cand.is_file():
                return cand
            tried.append(cand)
    if path.suffix == ".ipynb" or os.sep in str(arg):
        raise FileNotFoundError(f"{arg}: no such notebook")
    raise FileNotFoundError(f"{arg}: no notebook {aid}.ipynb here (looked for {', '.join(str(t) for t in tried[:3])})")


def _grade_ids(nb) -> list[str]:
    return [c.metadata.get("nbgrader", {}).get("grade_id", "") for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")]


def _assignment_of(path: Path, nb) -> tuple[_spec.Assignment | None, str]:
    ids = {a.id: a for a in _spec.ASSIGNMENTS}
    stem = path.name.removesuffix(".ipynb")
    if stem in ids:
        return ids[stem], ""
    found = set(_grade_ids(nb))
    best = max(_spec.ASSIGNMENTS, key=lambda a: len(found & {t.grade_id for t in a.tests}))
    if not found & {t.grade_id for t in best.tests}:
        return None, f"{path.name} is not a notebook of this course (no test cell of {', '.join(ids)})"
    return best, (f"the notebook must be named {best.id}.ipynb (grading looks for that name and gives 0 "
                  "without it): rename it before handing in")


# ---- running it ---------------------------------------------------------------------------

def _config_value(course, section: str, name: str, default: float) -> float:
    if course is None:
        return default
    try:
        return float(course.config()[section].get(name, default))
    except Exception:  # noqa: BLE001 -- an unreadable config: grading's defaults
        return default


def _restore_tests(nb, assignment) -> list[str]:
    """Put back edited, deleted or retyped test cells, as grading does; returns one note per cell."""
    from .notebook_template import _test_source, visible_test_source

    notes = []
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)
             if c.metadata.get("nbgrader", {}).get("grade")}
    for test in assignment.tests:
        visible = visible_test_source(assignment, test)
        allowed = {visible.strip(), _test_source(assignment, test).strip()}
        i = by_id.get(test.grade_id)
        if i is None:
            cell = nbformat.v4.new_code_cell(visible)
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": test.grade_id, "points": test.points,
                                         "locked": True, "solution": False}
            nb.cells.append(cell)
            notes.append(f"test cell {test.grade_id} was deleted: grading puts it back (checked here as the original)")
        elif nb.cells[i].cell_type != "code" or nb.cells[i].source.strip() not in allowed:
            what = "turned into markdown" if nb.cells[i].cell_type != "code" else "edited"
            cell = nbformat.v4.new_code_cell(visible, metadata=nb.cells[i].metadata)
            cell["id"] = nb.cells[i].get("id", cell["id"])
            nb.cells[i] = cell
            notes.append(f"test cell {test.grade_id} was {what}: grading restores the original (checked here as the "
                         "original)")
    return notes


def _execute(nb, cwd: Path, timeout: float) -> str:
    """Run ``nb`` in place in a fresh kernel; returns "" or why the kernel stopped."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="course-check-") as ipc:
        cfg = Config()
        cfg.KernelManager.transport = "ipc"
        cfg.KernelManager.ip = os.path.join(ipc, "kernel")
        client = NotebookClient(nb, config=cfg, timeout=timeout, kernel_name="python3", allow_errors=True,
                                interrupt_on_timeout=True, resources={"metadata": {"path": str(cwd)}})
        try:
            client.execute()
        except DeadKernelError:
            return ("the kernel died while running the notebook (os._exit, a crash, or too much memory?): "
                    "the cells after that score 0")
    return ""


def _error_of(cell) -> tuple[str, str, str] | None:
    """``(ename, evalue, "at line N: code")`` of a cell's first error output."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            where = ""
            tb = _ANSI.sub("", "\n".join(o.get("traceback", [])))
            if o.get("ename") in ("SyntaxError", "IndentationError", "TabError"):
                m = _LINE.search(tb)
                code = next((ln.strip() for ln in tb.splitlines()[1:2] if ln.strip()), "")
                where = f" at line {m.group(1)}" + (f": {code}" if code else "") if m else ""
            else:
                cells = [m.group(1) for m in re.finditer(r"Cell In\[\d+\], line (\d+)", tb)]
                where = f" at line {cells[-1]}" if cells else ""
            evalue = re.sub(r"\s*\([^()]*\.py, line \d+\)$", "", _ANSI.sub("", o.get("evalue", "")))
            return o.get("ename", "Error"), evalue, where
    return None


def _student_cells(nb, assignment) -> list[tuple[str, object]]:
    """``(label, cell)`` of the cells holding the student's code: solution cells and added cells."""
    from .notebook_template import build_notebook

    given = {c.source.strip() for c in build_notebook(assignment).cells if c.cell_type == "code"
             and not c.metadata.get("nbgrader", {}).get("solution")}
    out = []
    for i, cell in enumerate(nb.cells):
        md = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or md.get("grade") and not md.get("solution") or cell.metadata.get("course_check"):
            continue
        gid = md.get("grade_id", "")
        if md.get("solution") and gid.startswith("part_"):
            out.append((f"your code for Part {gid.split('_')[1].upper()}", cell))
        elif cell.source.strip() and cell.source.strip() not in given:
            out.append((f"your cell {i + 1}", cell))
    return out


def _kernel_problems(cell, test, timeout: float, code_errors: list[str]) -> list[str]:
    problems = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            ename, evalue = o.get("ename", ""), _ANSI.sub("", o.get("evalue", ""))
            if ename == "KeyboardInterrupt":
                problems.append(f"did not finish within {timeout:g} s, the time limit of a cell when grading "
                                "(an infinite loop, or far too slow?)")
            elif ename == "NameError" and f"'{test.function}'" in evalue and code_errors:
                problems.append(f"{test.function} is not defined: {code_errors[0].split(' raised ')[0]} failed "
                                "(the ERROR line below)")
            elif ename == "AssertionError":
                problems += [ln for ln in evalue.splitlines() if ln.strip()][:6]
            else:
                problems.append(f"{ename}: {evalue}"[:300])
        elif o.get("output_type") == "stream" and o.get("name") == "stderr":
            problems.append("the test cell wrote to stderr, which grading counts as a failure: "
                            + o.get("text", "").strip().splitlines()[0][:200] if o.get("text", "").strip() else "")
    return [p for p in problems if p]


def check_notebook(path: str | os.PathLike, course=None, *, timeout: float | None = None,
                   seed: int | None = None) -> tuple[bool, str]:
    """Check one notebook; returns ``(ready to hand in, summary)`` (see :func:`check`)."""
    result = check(path, course, timeout=timeout, seed=seed)
    return result.ok, result.summary()


def check(path: str | os.PathLike, course=None, *, timeout: float | None = None,
          seed: int | None = None) -> CheckResult:
    """Run a notebook as grading does (on a copy) and predict its automatic score.

    ``course`` (a :class:`~course_lib.grading.pipeline.Course`, optional) supplies grading's time
    limits from its ``nbgrader_config.py``; ``seed`` fixes the re-check's random inputs (default:
    fresh ones at every call; never grading's).
    """
    path = Path(path)
    result = CheckResult(path, None)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 -- any unreadable file gets one line
        result.notes.append(f"{path.name} is not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})")
        return result
    assignment, naming = _assignment_of(path, nb)
    if assignment is None:
        result.notes.append(naming)
        return result
    result.assignment = assignment.id
    if naming:
        result.notes.append(naming)
    timeout = timeout or _config_value(course, "Execute", "timeout", DEFAULT_TIMEOUT)
    result.info += _restore_tests(nb, assignment)
    seed = secrets.randbits(63) if seed is None else seed
    if not _have_recheck():
        nb.cells.append(_kernel_recheck_cell(assignment, seed))
    died = _execute(nb, path.parent.resolve(), timeout)
    if died:
        result.notes.append(died)
    code_errors = []
    for label, cell in _student_cells(nb, assignment):
        err = _error_of(cell)
        if err and err[0] != "NotImplementedError":
            code_errors.append(f"{label} raised {err[0]}: {err[1]}{err[2]}")
    result.notes += [f"ERROR {e}" for e in code_errors[:3]]
    verdicts = _recheck(assignment, nb, course, seed, result)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for test in assignment.tests:
        check_ = CellCheck(test.grade_id, test.doc.removeprefix("Check that ").rstrip("."), float(test.points))
        cell = cells.get(test.grade_id)
        executed = cell is not None and cell.get("execution_count") is not None
        problems = _kernel_problems(cell, test, timeout, code_errors) if cell is not None else []
        if not executed and not problems:
            problems.append("not run (the kernel stopped before this cell)")
        verdict = verdicts.get(test.grade_id)
        if verdict is not None and not verdict.passed:
            forbidden = [f.message for f in verdict.failures if f.reason == "forbidden"]
            if forbidden:
                problems = forbidden + problems
            elif not problems:
                problems.append("passes in the notebook, but not when re-run on fresh inputs as grading does:")
                problems += [ln for f in verdict.failures for ln in f.message.splitlines()][:4]
        check_.passed = not problems
        check_.problems = problems
        result.cells.append(check_)
    if assignment.written:
        w = assignment.written
        cell = cells.get(w["grade_id"])
        text = cell.source.strip() if cell is not None else ""
        if text in UNANSWERED:
            result.notes.append(f"the written answer ({w['grade_id']}, {_pts(w['points'])}, graded by hand) is "
                                "empty: write it before handing in")
        else:
            result.manual_points = float(w["points"])
    return result


def _have_recheck() -> bool:
    try:
        from . import recheck  # noqa: F401 -- the course's full installation (nbgrader)
    except ImportError:
        return False
    return True


# ---- the student package: the random inputs in the kernel -----------------------------------

_MARK = "COURSE-KERNEL-RECHECK "


def _kernel_recheck_cell(assignment, seed: int):
    """The cell appended to the copy when the trusted re-check is not installed (student package)."""
    cell = nbformat.v4.new_code_cell(
        "from course_lib.grading.student_check import kernel_recheck as _course_kernel_recheck\n"
        f"_course_kernel_recheck({assignment.id!r}, {seed}, globals())")
    cell.metadata["course_check"] = True
    return cell


def _forbidden_in(func, depth: int = 3) -> str | None:
    """The forbidden module ``func`` (or a function of the notebook it calls) uses, if any."""
    import inspect

    top = (getattr(func, "__module__", None) or "").split(".")[0]
    if top in _spec.FORBIDDEN_MODULES:
        return top
    code, env = getattr(func, "__code__", None), getattr(func, "__globals__", {})
    for name in code.co_names if code is not None else ():
        if name in _spec.FORBIDDEN_MODULES:
            return name
        obj = env.get(name)
        mod = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", None) or ""
        if mod.split(".")[0] in _spec.FORBIDDEN_MODULES:
            return mod.split(".")[0]
        if depth and inspect.isfunction(obj) and obj is not func:
            hit = _forbidden_in(obj, depth - 1)
            if hit:
                return hit
    return None


def kernel_recheck(assignment_id: str, seed: int, namespace: dict) -> None:
    """In the student's kernel: every test's random cases (and a forbidden-module check); prints
    one line, ``COURSE-KERNEL-RECHECK {grade_id: [[reason, message], ...]}``, for ``course check``."""
    import json

    import numpy as np

    from . import checks

    rng = np.random.default_rng(seed)
    found = {}
    for test in _spec.get_assignment(assignment_id).tests:
        func, failures = namespace.get(test.function), []
        if callable(func):
            mod = _forbidden_in(func)
            if mod:
                failures.append(["forbidden", (f"{test.function} uses {mod}: solutions may not use course_lib "
                                               "(the reference), PyTorch, SciPy or TensorFlow, so this part earns "
                                               "no points")])
            for case in (c for c in test.cases if c.random):
                args, kwargs = case.make(rng)
                failures += [[f.reason, f.message] for f in
                             checks.evaluate(test, case, args, kwargs, checks.observe(func, args, kwargs))]
        found[test.grade_id] = failures[:4]
    print(_MARK + json.dumps(found))


@dataclass
class _KernelVerdict:
    passed: bool
    failures: list


def _kernel_verdicts(nb) -> dict:
    from .checks import Failure

    cell = next((c for c in nb.cells if c.metadata.get("course_check")), None)
    text = "".join(o.get("text", "") for o in (cell or {}).get("outputs", []) if o.get("output_type") == "stream")
    line = next((ln for ln in text.splitlines() if ln.startswith(_MARK)), None)
    if line is None:
        return {}
    import json

    return {gid: _KernelVerdict(not fails, [Failure("", reason, msg) for reason, msg in fails])
            for gid, fails in json.loads(line[len(_MARK):]).items()}


def _recheck(assignment, nb, course, seed, result) -> dict:
    """The trusted re-check on the student's code, with a seed of its own (never grading's);
    in the student package, the random inputs run in the kernel instead (see :func:`kernel_recheck`)."""
    if not _have_recheck():
        return _kernel_verdicts(nb)
    from .notebook_template import build_notebook
    from .recheck import recheck_notebook

    verdicts, _notes = recheck_notebook(
        assignment, nb, build_notebook(assignment),
        timeout=_config_value(course, "TrustedRecheck", "timeout", RECHECK_TIMEOUT),
        memory_mb=int(_config_value(course, "TrustedRecheck", "memory_limit_mb", 1024)), seed=seed)
    result.recheck_ran = True
    return verdicts
