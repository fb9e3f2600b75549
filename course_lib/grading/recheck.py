"""The trusted re-check: scores that cannot be faked.

In nbgrader the student's code and the test cells share one interpreter, so a submission can
make a test cell "pass" (monkeypatch ``np.testing``, return an always-equal ndarray subclass,
blank later cells with an IPython input transformer, import the reference, drop a ``numpy.py``
beside the notebook). :class:`TrustedRecheck`, an nbgrader preprocessor that runs in
``nbgrader autograde`` right after execution, closes that door:

1. it extracts the student's code (solution cells and the code cells they added);
2. runs it in a fresh ``python -I -S`` process (:mod:`._sandbox_runner`) inside an operating-
   system sandbox (:mod:`.sandbox`: bubblewrap, no network, its own PID namespace, a file system
   holding only the standard library, NumPy and the job, read-only), with CPU-time, memory and
   file-size limits, and an audit hook as an inner layer (processes, sockets, ctypes, the
   forbidden modules);
3. calls each function on every case of the test cells (fixed edge cases plus random inputs
   drawn here, seeded by the submission and the instructor's secret (:func:`submission_seed`):
   the same at every grading of it, so a rerun quotes the same failing inputs, different between
   students, and not computable by a student);
4. reads back only raw frames (arrays as dtype, shape and bytes; :func:`parse_frames`) and
   compares them *in this process* with ``course_lib`` using :func:`checks.evaluate`, including
   whether each array argument came back unchanged: nothing the student's code can reach
   (module globals, NumPy's functions, the serialiser, the audit hook) decides a pass;
5. makes the recorded score agree: a test cell that passed in the kernel but fails here gets an
   error output (so nbgrader scores it 0) saying why; a function that uses a forbidden module
   earns no points for its test cells, with a message naming the module.
"""

from __future__ import annotations

import ast
import contextlib
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
from traitlets import Bool, Float, Integer, Unicode

from . import checks, timing
from . import spec as _spec

__all__ = ["TrustedRecheck", "Verdict", "forbidden_usage", "instructor_secret", "parse_frames", "recheck_notebook",
           "student_code_cells", "submission_seed"]

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

SITE = "/opt/site"  #: where NumPy appears inside the re-check's sandbox
JOB = "/job"  #: the read-only job folder inside the sandbox
MAX_STREAM = 256 << 20  #: bytes the sandbox may send back in all
_DTYPES = {np.dtype(t).str for t in ("f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1")}


def _numpy_binds() -> dict[str, str]:
    """``{path in the sandbox: host path}``: NumPy (and its bundled libraries) under :data:`SITE`."""
    numpy_dir = os.path.dirname(os.path.realpath(np.__file__))
    binds = {f"{SITE}/numpy": numpy_dir}
    libs = os.path.join(os.path.dirname(numpy_dir), "numpy.libs")
    if os.path.isdir(libs):
        binds[f"{SITE}/numpy.libs"] = os.path.realpath(libs)
    return binds


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
    for index, call in enumerate(calls):
        args = []
        for j, a in enumerate(call["args"]):
            if isinstance(a, np.ndarray):
                key = f"a{index}_{j}"
                arrays[key] = a
                args.append({"type": "array", "key": key})
            else:
                args.append({"type": "value", "value": a})
        encoded.append({"index": index, "function": call["function"], "args": args, "kwargs": call["kwargs"]})
    return arrays, encoded


class _Frames:
    """A strict reader of the sandbox's frames (see :mod:`._sandbox_runner`): it never trusts a
    length, a dtype or a shape it has not checked."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def __iter__(self):
        import struct

        while self.pos + 5 <= len(self.data):
            tag = self.data[self.pos:self.pos + 1]
            (n,) = struct.unpack_from("<I", self.data, self.pos + 1)
            if self.pos + 5 + n > len(self.data):
                return  # a torn last frame: the process died while writing it
            yield tag, self.data[self.pos + 5:self.pos + 5 + n]
            self.pos += 5 + n

    @staticmethod
    def array(payload: bytes) -> np.ndarray:
        import struct

        k = payload[0]
        dtype = payload[1:1 + k].decode("ascii")
        if dtype not in _DTYPES:
            raise ValueError(f"unexpected dtype {dtype[:20]!r}")
        ndim = payload[1 + k]
        if ndim > 8:
            raise ValueError("too many dimensions")
        at = 2 + k
        shape = struct.unpack_from(f"<{ndim}q", payload, at)
        if any(d < 0 for d in shape):
            raise ValueError("negative shape")
        body = payload[at + 8 * ndim:]
        if len(body) != int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize:
            raise ValueError("size does not match the shape")
        return np.frombuffer(body, dtype=dtype).reshape(shape).copy()


def _text(payload: bytes, limit: int = 300) -> str:
    return payload[:limit].decode("utf-8", "replace")


def parse_frames(data: bytes, calls: list[dict]) -> tuple[dict[int, checks.Observed], list, bool, bool, int | None]:
    """``(observed per call index, cell errors, loaded, done, the call that started last)`` from
    the raw bytes the sandbox sent. Every verdict rests on what is checked here: the arrays
    themselves and whether each array argument came back unchanged."""
    import struct

    observed: dict[int, checks.Observed] = {}
    cell_errors, loaded, done, current, obs, expect_args = [], False, False, None, None, []

    def finish():
        if obs is not None and current is not None:
            if obs.error is None and obs.outputs is None:
                obs.error = "its result is missing"
            # an array argument that did not come back is counted as modified: nothing is assumed
            obs.mutated = obs.mutated or bool(expect_args)
            observed[current] = obs

    try:
        for tag, payload in _Frames(data):
            if tag == b"X" and len(payload) >= 4 and len(cell_errors) < 20:
                cell_errors.append([struct.unpack_from("<I", payload)[0], _text(payload[4:])])
            elif tag == b"D":
                loaded = True
            elif tag == b"C" and len(payload) == 4:
                finish()
                current, obs = struct.unpack("<I", payload)[0], None
                if not 0 <= current < len(calls) or current in observed:
                    raise ValueError("a call out of order")
                expect_args = [a for a in calls[current]["args"] if isinstance(a, np.ndarray)]
                obs = checks.Observed(outputs=None)
            elif obs is None:
                if tag == b"Z":
                    done = True
                continue
            elif tag == b"E":
                obs.error = _text(payload) or "an exception"
            elif tag == b"R" and len(payload) == 3:
                obs.is_tuple = bool(payload[0])
                obs.outputs = []
            elif tag in (b"A", b"T") and obs.outputs is not None and len(obs.outputs) < 16:
                if tag == b"A":
                    arr = _Frames.array(payload)
                    obs.outputs.append(arr)
                    obs.types.append("ndarray" if arr.ndim else type(arr.dtype.type(0)).__name__)
                    obs.plain.append(True)
                else:
                    obs.outputs.append(None)
                    obs.types.append(_text(payload, 200))
                    obs.plain.append(False)
            elif tag == b"M" and expect_args:
                sent = expect_args.pop(0)
                back = _Frames.array(payload)
                if back.shape != sent.shape or back.dtype != sent.dtype or not np.array_equal(back, sent, equal_nan=True):
                    obs.mutated = True
            elif tag == b"W" and len(obs.warnings) < 5:
                obs.warnings.append(_text(payload, 200))
            elif tag == b"Z":
                finish()
                current, obs, done = None, None, True
    except (ValueError, IndexError, struct.error, UnicodeError) as exc:
        if current is not None:
            observed[current] = checks.Observed(error=f"its result could not be read ({exc})")
        return observed, cell_errors, loaded, False, None
    if obs is not None and current is not None:
        if obs.error is None and obs.outputs is None:
            return observed, cell_errors, loaded, done, current  # it died inside this call
        finish()
    return observed, cell_errors, loaded, done, None


def _read_capped(proc, deadline: float, cap: int = MAX_STREAM) -> tuple[bytes, bool, bool]:
    """All of the process's standard output up to ``cap`` bytes; ``(data, timed out, too much)``."""
    import select

    chunks, size = [], 0
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), True, False
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False, False
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            return b"".join(chunks), False, True


def _describe_exit(returncode: int | None, timed_out: bool, timeout: float, too_much: bool = False) -> str:
    if too_much:
        return "sent back more data than the grader accepts"
    if timed_out:
        return f"did not finish within {timeout:g} s (an infinite loop, or sleeping?)"
    if returncode is not None and returncode > 128 and returncode - 128 in signal.Signals._value2member_map_:
        returncode = 128 - returncode  # bwrap reports a child killed by signal N as exit status 128 + N
    if returncode is not None and returncode < 0:
        sig = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else -returncode
        if sig in ("SIGXCPU", "SIGKILL"):
            return f"was stopped by the grader's CPU-time limit ({sig})"
        if sig == "SIGXFSZ":
            return "wrote too much data (file-size limit)"
        return f"crashed ({sig}; too much memory?)"
    return f"ended the Python process (exit code {returncode}; os._exit or similar)"


def _command(jobdir: str, sandboxed: bool) -> tuple[list[str], dict]:
    python = os.path.realpath(sys.executable)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    if not sandboxed:  # the instructor chose to grade without the OS boundary (--unsandboxed)
        return [python, "-I", "-S", os.path.join(jobdir, "runner.py"), jobdir], {**env, "HOME": jobdir}
    from . import sandbox

    binds = {**_numpy_binds(), JOB: jobdir, "/opt/runner.py": RUNNER}
    return sandbox.command([python, "-I", "-S", "/opt/runner.py", JOB], files=binds, env=env, venv=False,
                           home_mb=64, tmp_mb=64), {}


def run_isolated(cells: list[str], calls: list[dict], *, timeout: float = 120.0, memory_mb: int = 1024,
                 cpu_seconds: int = 10, sandboxed: bool | None = None) -> tuple[dict[str, checks.Observed | str], list]:
    """Run ``cells`` then every call in fresh sandboxes; returns ``({call id: Observed or failure text}, cell errors)``.

    The process runs in a bubblewrap sandbox (:mod:`.sandbox`; ``sandboxed=False`` only with
    ``course grade --unsandboxed``) under an address-space limit, ``cpu_seconds`` of CPU time (the
    limit that decides: CPU time does not depend on how busy the machine is) and ``timeout``
    seconds of wall time (a backstop for code that sleeps). A call that crashes or hangs the
    process is answered with a text; the calls after it run in a new process, so one bad
    function cannot take the others down with it. ``sandboxed=None`` (a student checking their
    own notebook): the sandbox where this machine can make one; grading always passes ``True``.
    """
    if sandboxed is None:
        from . import sandbox

        sandboxed = sandbox.check() is None
    results: dict[str, checks.Observed | str] = {}
    cell_errors: list = []
    pending = list(calls)
    for _attempt in range(len(calls) + 1):
        if not pending:
            break
        jobdir = tempfile.mkdtemp(prefix="course-recheck-")
        try:
            arrays, encoded = _encode_calls(pending)
            np.savez(os.path.join(jobdir, "inputs.npz"), **arrays)
            site = SITE if sandboxed else os.path.join(jobdir, "site")
            if not sandboxed:
                os.makedirs(site)
                for inside, host in _numpy_binds().items():
                    os.symlink(host, os.path.join(site, os.path.basename(inside)))
                shutil.copy(RUNNER, os.path.join(jobdir, "runner.py"))
            stdlib = os.path.dirname(os.path.realpath(os.__file__))
            readable = [SITE, stdlib] if sandboxed else [*_numpy_binds().values(), stdlib]
            job = {"cells": cells, "calls": encoded, "site": site, "readable": readable,
                   "forbidden": list(_spec.FORBIDDEN_MODULES)}
            with open(os.path.join(jobdir, "job.json"), "w") as f:
                json.dump(job, f)
            argv, env = _command(jobdir, sandboxed)
            proc = subprocess.Popen(argv, cwd=jobdir, env=env or {"PATH": "/usr/bin:/bin"},
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    preexec_fn=_limits(memory_mb << 20, cpu_seconds))  # noqa: PLW1509
            try:
                data, timed_out, too_much = _read_capped(proc, time.monotonic() + timeout)
            finally:
                from .sandbox import kill_tree

                kill_tree(proc.pid)  # whatever is left, the whole sandbox
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.stdout.close()
                proc.wait()
            observed, errors, loaded, done, last = parse_frames(data, pending)
            cell_errors = errors or cell_errors
            for index, obs in observed.items():
                results[pending[index]["id"]] = obs
            why = _describe_exit(proc.returncode, timed_out, timeout, too_much)
            if done:
                for call in pending:
                    results.setdefault(call["id"], "its result is missing")
                pending = []
            elif not loaded:
                for call in pending:
                    results[call["id"]] = f"your code could not be loaded: the process {why}"
                pending = []
            else:
                culprit = pending[last] if last is not None and pending[last]["id"] not in results else None
                if culprit is not None:
                    for call in pending:  # the same function would do the same again
                        if call["function"] == culprit["function"] and call["id"] not in results:
                            results[call["id"]] = f"the process {why} in {culprit['function']}"
                elif not observed:
                    for call in pending:
                        results.setdefault(call["id"], f"the process {why}")
                pending = [c for c in pending if c["id"] not in results]
        finally:
            shutil.rmtree(jobdir, ignore_errors=True)
    for call in pending:
        results.setdefault(call["id"], "not run (too many crashes)")
    return results, cell_errors


def instructor_secret(path: str | os.PathLike) -> bytes:
    """The course's secret (32 random bytes, hex, in ``path``; made on first use, readable by
    the instructor only). It salts :func:`submission_seed`, so the re-check's "fresh" inputs
    cannot be reproduced from public information, while regrades draw the same ones. Keep it
    with the gradebook (``grading/`` is git-ignored; ``course grade`` backs it up)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            text = f.read().strip()
    except FileNotFoundError:
        folder = os.path.dirname(path) or "."
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".secret-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(os.urandom(32).hex().encode() + b"\n")
            os.link(tmp, path)  # appears whole, or not at all; never replaces another grader's
        except FileExistsError:
            pass  # another grader (a second instructor, a parallel run) made it first: use theirs
        finally:
            os.unlink(tmp)
        return instructor_secret(path)
    if len(text) != 64 or any(c not in b"0123456789abcdef" for c in text):
        raise ValueError(f"{path} is not a course secret (64 hexadecimal digits); restore it from grading/backups/")
    return bytes.fromhex(text.decode())


def submission_seed(assignment: str, student: str, notebook: str = "", secret: bytes = b"", code: str = "") -> int:
    """The seed of the re-check's random inputs for one submission: a keyed hash of who and what
    (``code``: the student's code), so every grading of it draws the same inputs (a rerun or a
    parallel run quotes the same failing values), while two students, or two versions of one
    student's code, draw different ones, and nobody without the instructor's ``secret`` can
    compute them (what one grading's feedback reveals is useless for the next submission)."""
    who = f"\0{assignment}\0{student}\0{notebook}\0".encode() + hashlib.sha256(code.encode()).digest()
    digest = hashlib.sha256(secret + who).digest()
    return int.from_bytes(digest[:8], "little")


def recheck_notebook(assignment: _spec.Assignment, nb, source_nb=None, *, timeout: float = 120.0,
                     memory_mb: int = 1024, seed: int | None = None, cpu_seconds: int = 10,
                     sandboxed: bool | None = None) -> tuple[dict[str, Verdict], dict]:
    """Re-check every test cell of ``assignment`` against the student code in ``nb`` (see
    :func:`run_isolated` for the limits)."""
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
    results, cell_errors = run_isolated(cells, calls, timeout=timeout, memory_mb=memory_mb, cpu_seconds=cpu_seconds,
                                        sandboxed=sandboxed) if calls else ({}, [])
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
    timeout = Float(120.0, help="Wall-clock seconds for one isolated run (a backstop for code that sleeps; "
                    "cpu_seconds is the limit that decides, even on a busy machine).").tag(config=True)
    cpu_seconds = Integer(10, help="CPU seconds for one isolated run (independent of the machine's load).").tag(config=True)
    memory_limit_mb = Integer(1024, help="Address-space limit of the isolated process (MiB).").tag(config=True)
    sandbox = Bool(True, help="Run the re-check in a bubblewrap sandbox (False only for code you trust).").tag(config=True)
    secret_file = Unicode("", help="The course secret that salts the random inputs' seed (made on first "
                          "use); empty: no salt.").tag(config=True)

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
        secret = instructor_secret(self.secret_file) if self.secret_file else b""
        code = "\0".join(student_code_cells(nb, source_nb))
        seed = submission_seed(assignment.id, str(info.get("student", "")), str(info.get("notebook", "")), secret,
                               code)
        verdicts, notes = recheck_notebook(assignment, nb, source_nb, timeout=self.timeout,
                                           memory_mb=self.memory_limit_mb, seed=seed, cpu_seconds=self.cpu_seconds,
                                           sandboxed=self.sandbox)
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
