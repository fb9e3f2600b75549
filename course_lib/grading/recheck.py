"""The trusted re-check: scores that cannot be faked.

In nbgrader the student's code and the test cells share one interpreter, so a submission can
make a test cell "pass" (monkeypatch ``np.testing``, return an always-equal ndarray subclass,
blank later cells with an IPython input transformer, import the reference, drop a ``numpy.py``
beside the notebook). :class:`TrustedRecheck`, an nbgrader preprocessor that runs in
``nbgrader autograde`` right after execution, closes that door:

1. it extracts the student's code (solution cells and the code cells they added);
2. runs it in a fresh ``python -I -S`` process (:mod:`._sandbox_runner`) in an empty temporary
   directory, with CPU-time, memory and file-size limits, only NumPy importable (not
   ``course_lib``, SciPy, PyTorch, TensorFlow, nor anything beside the notebook), and an audit
   hook that blocks reading files outside that directory, processes and sockets;
3. calls each function on every case of the test cells (fixed edge cases plus random inputs
   drawn here, seeded by the submission (:func:`submission_seed`): the same at every grading of
   it, so a rerun quotes the same failing inputs, and different between students) and reads
   back plain arrays (``.npz`` with ``allow_pickle=False``);
4. compares them *in this process* with ``course_lib`` using :func:`checks.evaluate`;
5. makes the recorded score agree: a test cell that passed in the kernel but fails here gets an
   error output (so nbgrader scores it 0) saying why; a function that uses a forbidden module
   earns no points for its test cells, with a message naming the module.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
from nbformat import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer, Unicode

from . import checks, timing
from . import spec as _spec

__all__ = ["TrustedRecheck", "Verdict", "forbidden_usage", "recheck_notebook", "student_code_cells"]

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sandbox_runner.py")


@dataclass
class Verdict:
    grade_id: str
    passed: bool
    failures: list[checks.Failure] = field(default_factory=list)

    @property
    def message(self) -> str:
        return "\n".join(f.message for f in self.failures)


# ---- what the student wrote -------------------------------------------------------------

_HIDDEN = re.compile(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.DOTALL)


def student_code_cells(nb, source_nb=None) -> list[str]:
    """Solution cells, and code cells that are neither test cells nor unchanged given cells."""
    given = set()
    if source_nb is not None:
        for c in source_nb.cells:
            if c.cell_type == "code" and not nbutils.is_solution(c):
                given.add(c.source.strip())  # the given cells, and copies of test cells (with or without
                given.add(_HIDDEN.sub("", c.source).strip())  # their hidden block)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if nbutils.is_solution(cell) or (not nbutils.is_grade(cell) and not nbutils.is_locked(cell)
                                          and cell.source.strip() not in given):
            out.append(cell.source)
    return out


def _module_of(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [node.module]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, str):
        fn = node.func
        name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
        if name in ("__import__", "import_module"):
            return [node.args[0].value]
    return []


def forbidden_usage(cells: list[str]) -> dict[str, str]:
    """``{function name: forbidden module}`` for functions that import or use a forbidden module.

    >>> forbidden_usage(["from scipy.special import expit\\ndef sigmoid(x):\\n    return expit(x)"])
    {'expit': 'scipy', 'sigmoid': 'scipy'}
    >>> forbidden_usage(["from course_lib.activations import tanh"])
    {'tanh': 'course_lib'}
    >>> forbidden_usage(["def relu(x):\\n    import torch\\n    return x"])
    {'relu': 'torch'}
    """
    used: dict[str, str] = {}
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        bound: dict[str, str] = {}
        for node in tree.body:
            for mod in _module_of(node):
                top = mod.split(".")[0]
                if top in _spec.FORBIDDEN_MODULES:
                    for alias in getattr(node, "names", []):
                        name = (alias.asname or alias.name).split(".")[0]
                        bound[name] = top
                        used.setdefault(name, top)  # ``from course_lib.activations import sigmoid``
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for sub in ast.walk(node):
                mods = [m.split(".")[0] for m in _module_of(sub)]
                hit = next((m for m in mods if m in _spec.FORBIDDEN_MODULES), None)
                if hit is None and isinstance(sub, ast.Name) and sub.id in bound:
                    hit = bound[sub.id]
                if hit:
                    used[node.name] = hit
                    break
    return used


# ---- the isolated run -------------------------------------------------------------------

def _sandbox_site(workdir: str) -> tuple[str, list[str]]:
    """A site directory holding only NumPy (symlinks); returns it and the real paths to allow reading."""
    site = os.path.join(workdir, "site")
    os.makedirs(site)
    numpy_dir = os.path.dirname(os.path.realpath(np.__file__))
    readable = [numpy_dir]
    os.symlink(numpy_dir, os.path.join(site, "numpy"))
    libs = os.path.join(os.path.dirname(numpy_dir), "numpy.libs")
    if os.path.isdir(libs):
        os.symlink(libs, os.path.join(site, "numpy.libs"))
        readable.append(os.path.realpath(libs))
    stdlib = os.path.dirname(os.path.realpath(os.__file__))
    readable.append(stdlib)
    return site, readable


def _limits(memory_bytes: int, cpu_seconds: int):
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _encode_calls(calls):
    """Split call arguments into arrays (for inputs.npz) and JSON scalars."""
    arrays, encoded = {}, []
    for call in calls:
        args = []
        for j, a in enumerate(call["args"]):
            if isinstance(a, np.ndarray):
                key = f"{call['id']}_{j}"
                arrays[key] = a
                args.append({"type": "array", "key": key})
            else:
                args.append({"type": "value", "value": a})
        encoded.append({"id": call["id"], "function": call["function"], "args": args, "kwargs": call["kwargs"]})
    return arrays, encoded


def _read_outputs(workdir: str, call_id: str) -> checks.Observed | None:
    meta_path = os.path.join(workdir, f"out_{call_id}.json")
    npz_path = os.path.join(workdir, f"out_{call_id}.npz")
    if not (os.path.exists(meta_path) and os.path.exists(npz_path)):
        return None
    try:
        if os.path.getsize(meta_path) > 1 << 20:
            raise ValueError("metadata too large")
        with open(meta_path) as f:
            meta = json.load(f)
        with np.load(npz_path, allow_pickle=False) as data:
            arrays = {k: np.array(data[k]) for k in data.files}
        types = [str(t)[:200] for t in meta.get("types", [])]
        plain = [bool(p) for p in meta.get("plain", [])]
        return checks.Observed(
            error=None if meta.get("error") is None else str(meta["error"])[:300],
            outputs=None if meta.get("error") is not None else [arrays.get(f"o{i}") for i in range(len(types))],
            types=types, plain=plain, is_tuple=bool(meta.get("is_tuple")),
            warnings=[str(w)[:200] for w in meta.get("warnings", [])][:5], mutated=bool(meta.get("mutated")))
    except Exception as exc:  # noqa: BLE001 -- a corrupt result is the submission's problem
        return checks.Observed(error=f"its result could not be read ({type(exc).__name__})")


def _describe_exit(returncode: int | None, timed_out: bool, timeout: float) -> str:
    if timed_out:
        return f"did not finish within {timeout:g} s (an infinite loop?)"
    if returncode is not None and returncode < 0:
        sig = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else -returncode
        if sig in ("SIGXCPU", "SIGKILL"):
            return f"was stopped by the grader's CPU-time limit ({sig})"
        if sig == "SIGXFSZ":
            return "wrote too much data (file-size limit)"
        return f"crashed ({sig}; too much memory?)"
    return f"ended the Python process (exit code {returncode}; os._exit or similar)"


def run_isolated(cells: list[str], calls: list[dict], *, timeout: float = 20.0,
                 memory_mb: int = 1024) -> tuple[dict[str, checks.Observed | str], list]:
    """Run ``cells`` then every call in fresh sandboxes; returns ``({call id: Observed or failure text}, cell errors)``.

    A call that crashes or hangs the process is answered with a text; the calls after it run
    in a new process, so one bad function cannot take the others down with it.
    """
    results: dict[str, checks.Observed | str] = {}
    cell_errors: list = []
    pending = list(calls)
    for _attempt in range(len(calls) + 1):
        if not pending:
            break
        workdir = tempfile.mkdtemp(prefix="course-recheck-")
        try:
            site, readable = _sandbox_site(workdir)
            arrays, encoded = _encode_calls(pending)
            np.savez(os.path.join(workdir, "inputs.npz"), **arrays)
            job = {"cells": cells, "calls": encoded, "site": site, "readable": readable,
                   "forbidden": list(_spec.FORBIDDEN_MODULES)}
            with open(os.path.join(workdir, "job.json"), "w") as f:
                json.dump(job, f)
            runner = os.path.join(workdir, "runner.py")
            shutil.copy(RUNNER, runner)
            env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": workdir, "OPENBLAS_NUM_THREADS": "1",
                   "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
            timed_out = False
            with open(os.path.join(workdir, "stderr.txt"), "wb") as err:
                proc = subprocess.Popen([sys.executable, "-I", "-S", runner, workdir], cwd=workdir, env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                        preexec_fn=_limits(memory_mb << 20, int(timeout) + 1))  # noqa: PLW1509
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            try:
                with open(os.path.join(workdir, "progress.txt")) as f:
                    progress = f.read().split("\n")
            except OSError:
                progress = []
            progress = [p for p in progress if p]
            if os.path.exists(os.path.join(workdir, "cells.json")):
                with open(os.path.join(workdir, "cells.json")) as f:
                    cell_errors = json.load(f)
            done = []
            for call in pending:
                obs = _read_outputs(workdir, call["id"])
                if obs is not None:
                    results[call["id"]] = obs
                    done.append(call["id"])
            last = progress[-1] if progress else ""
            why = _describe_exit(proc.returncode, timed_out, timeout)
            if last == "done":
                for call in pending:
                    results.setdefault(call["id"], "its result is missing")
                pending = []
            elif "loaded" not in progress:
                where = f" while running your code cell {last.split()[1]}" if last.startswith("load ") else ""
                for call in pending:
                    results[call["id"]] = f"your code could not be loaded: the process {why}{where}"
                pending = []
            else:
                culprit = next((c for c in pending if last == f"call {c['id']}"), None)
                if culprit is not None:
                    for call in pending:  # the same function would do the same again
                        if call["function"] == culprit["function"] and call["id"] not in done:
                            results[call["id"]] = f"the process {why} in {culprit['function']}"
                pending = [c for c in pending if c["id"] not in results]
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    for call in pending:
        results.setdefault(call["id"], "not run (too many crashes)")
    return results, cell_errors


def submission_seed(assignment: str, student: str, notebook: str = "") -> int:
    """The seed of the re-check's random inputs for one submission: a hash of who and what, so
    every grading of it draws the same inputs (a rerun or a parallel run quotes the same failing
    values) while two students draw different ones."""
    digest = hashlib.sha256(f"{assignment}\0{student}\0{notebook}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def recheck_notebook(assignment: _spec.Assignment, nb, source_nb=None, *, timeout: float = 20.0,
                     memory_mb: int = 1024, seed: int | None = None) -> tuple[dict[str, Verdict], dict]:
    """Re-check every test cell of ``assignment`` against the student code in ``nb``."""
    start = time.perf_counter()
    cells = student_code_cells(nb, source_nb)
    forbidden = forbidden_usage(cells)
    rng = np.random.default_rng(seed)
    calls, where = [], {}
    for ti, test in enumerate(assignment.tests):
        if test.function in forbidden:
            continue
        for ci, case in enumerate(test.cases):
            args, kwargs = case.make(rng)
            cid = f"t{ti}c{ci}"
            calls.append({"id": cid, "function": test.function, "args": list(args), "kwargs": kwargs})
            where[cid] = (test, case, args, kwargs)
    results, cell_errors = run_isolated(cells, calls, timeout=timeout, memory_mb=memory_mb) if calls else ({}, [])
    verdicts = {}
    for test in assignment.tests:
        failures: list[checks.Failure] = []
        if test.function in forbidden:
            mod = forbidden[test.function]
            failures.append(checks.Failure("", "forbidden", (
                f"{test.function} uses {mod}: solutions may not use course_lib (the reference), PyTorch, SciPy "
                "or TensorFlow, so this part earns no points")))
        for cid, (t, case, args, kwargs) in where.items():
            if t is not test:
                continue
            res = results.get(cid)
            if isinstance(res, str):
                failures.append(checks.Failure(case.kind, "crash", f"{test.function} on {case.kind}: {res}"))
            elif res is not None:
                fails = checks.evaluate(test, case, args, kwargs, res)
                if fails and res.error and "is not defined" in res.error and cell_errors:
                    i, err = cell_errors[0]
                    fails = [checks.Failure(f.kind, f.reason, f"{f.message} (your code cell {i} failed: {err})")
                             for f in fails]
                failures += fails
        # one line per kind of problem is enough
        seen, unique = set(), []
        for f in failures:
            key = ((f.reason, f.message.split(": ", 1)[-1]) if f.reason == "crash"
                   else (f.reason, f.message.rsplit(" on ", 1)[0]) if f.reason == "exception" else f.message)
            if key not in seen:
                seen.add(key)
                unique.append(f)
        verdicts[test.grade_id] = Verdict(test.grade_id, not failures, unique[:4])
    notes = {"seconds": round(time.perf_counter() - start, 3), "cell_errors": cell_errors,
             "forbidden": forbidden, "calls": len(calls)}
    return verdicts, notes


# ---- the nbgrader preprocessor ----------------------------------------------------------

def _kernel_passed(cell) -> bool:
    return not any(o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
                   for o in cell.get("outputs", []))


class TrustedRecheck(NbGraderPreprocessor):
    """Re-run the student's code in isolation and make the autograded score agree with it."""

    source_directory = Unicode("", help="Absolute path of the nbgrader source directory "
                               "(to tell the given cells from the student's).").tag(config=True)
    timeout = Float(20.0, help="Wall-clock seconds for one isolated run.").tag(config=True)
    memory_limit_mb = Integer(1024, help="Address-space limit of the isolated process (MiB).").tag(config=True)

    def preprocess(self, nb, resources):
        with timing.phase("recheck"):
            return self._preprocess(nb, resources)

    def _preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        try:
            assignment = _spec.get_assignment(info.get("assignment", ""))
        except KeyError:
            return nb, resources
        source_nb = None
        path = os.path.join(self.source_directory, assignment.id, f"{info.get('notebook')}.ipynb")
        if self.source_directory and os.path.exists(path):
            import nbformat
            source_nb = nbformat.read(path, as_version=4)
        seed = submission_seed(assignment.id, str(info.get("student", "")), str(info.get("notebook", "")))
        verdicts, notes = recheck_notebook(assignment, nb, source_nb, timeout=self.timeout,
                                           memory_mb=self.memory_limit_mb, seed=seed)
        for cell in nb.cells:
            if not (nbutils.is_grade(cell) and cell.cell_type == "code"):
                continue
            verdict = verdicts.get(cell.metadata.nbgrader.get("grade_id"))
            if verdict is None:
                continue
            kernel_ok = _kernel_passed(cell)
            if kernel_ok and not verdict.passed:
                msg = ("This test passed in the notebook, but the trusted re-check (your code re-run in a "
                       "clean, isolated Python on fresh inputs) failed, so it scores 0:\n" + verdict.message)
                cell.outputs.append(NotebookNode(output_type="error", ename="TrustedRecheckFailed", evalue=msg,
                                                 traceback=[f"TrustedRecheckFailed: {msg}"]))
                self.log.warning("%s: re-check failed: %s", verdict.grade_id, verdict.message.split("\n")[0])
            cell.metadata["course_recheck"] = {
                "passed": verdict.passed, "kernel_passed": kernel_ok,
                "failures": [{"kind": f.kind, "reason": f.reason, "message": f.message} for f in verdict.failures],
            }
        nb.metadata["course_recheck"] = notes
        return nb, resources
