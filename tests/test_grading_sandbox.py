"""The operating-system boundary itself: what a sandboxed kernel sees and may do, the re-check's
raw channel, the instructor's secret, and `course grade` where no sandbox can be made.

The end-to-end attacks through the CLI are in test_grading_attacks.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import struct
import subprocess
import sys

import numpy as np
import pytest
from grading_class import A1, _write, filled, make_course

import course_lib
from course_lib.grading import pipeline as P
from course_lib.grading import recheck, sandbox
from course_lib.grading.execute import LimitedKernelManager

pytestmark = pytest.mark.slow

LIB = os.path.dirname(os.path.abspath(course_lib.__file__))

PROBE = f"""
import os, socket, errno
def attempt(f):
    try:
        f()
        return 'ok'
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
res = {{}}
res['write_lib'] = attempt(lambda: open({os.path.join(LIB, 'grading', 'checks.py')!r}, 'a'))
res['write_venv'] = attempt(lambda: open(os.path.join(os.path.dirname(os.__file__), 'x.py'), 'w'))
res['course_visible'] = os.path.exists({os.path.join(os.path.dirname(LIB), 'nbgrader_config.py')!r})
res['home'] = os.getcwd()
def fill():
    with open('big.bin', 'wb') as f:
        for _ in range(200):
            f.write(b'x' * (1 << 20))
res['fill_home'] = attempt(fill)
def net():
    s = socket.socket(); s.settimeout(2); s.connect(('127.0.0.1', 22))
res['network'] = attempt(net)
res['pids'] = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
res['conn_dir_writable'] = attempt(lambda: open(os.path.join(os.path.dirname(os.environ.get('_CONN', '/nonexistent')), 'new'), 'w'))
res['parent_env'] = 'JPY_PARENT_PID' in os.environ
print(res)
"""


def _run_in_kernel(code: str) -> dict:
    async def main():
        km = LimitedKernelManager(kernel_name="python3")
        km.memory_mb = 2048
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            km.course_lock()
            out = []
            source = f"import os; os.environ['_CONN'] = {km.connection_file!r}\n" + code
            await kc.execute_interactive(source, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
            return eval("".join(out).strip().splitlines()[-1]), km.course_dir
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    return asyncio.run(main())


def test_a_sandboxed_kernel_sees_nothing_it_could_change():
    res, folder = _run_in_kernel(PROBE)
    assert res["write_lib"] == "EROFS" and res["write_venv"] == "EROFS"
    assert res["course_visible"] is False
    assert res["home"] == sandbox.HOME
    assert res["fill_home"] == "ENOSPC"  # the private home is a 64 MiB tmpfs
    assert res["network"] in ("ENETUNREACH", "ECONNREFUSED")  # its own, empty network namespace
    assert max(res["pids"]) < 10  # its own PID namespace: bwrap, the kernel and its threads' tasks only
    assert res["conn_dir_writable"] == "EACCES"  # the connection folder is read-only once the kernel is up
    assert res["parent_env"] is False
    assert not os.path.exists(folder)  # the private folder is removed with the kernel


# ---- the raw channel of the re-check ------------------------------------------------------

def _frame(tag: bytes, payload: bytes = b"") -> bytes:
    return tag + struct.pack("<I", len(payload)) + payload


def _array(a: np.ndarray) -> bytes:
    dt = a.dtype.str.encode()
    return struct.pack("<B", len(dt)) + dt + struct.pack("<B", a.ndim) + b"".join(
        struct.pack("<q", n) for n in a.shape) + a.tobytes()


X = np.array([1.0, -2.0])
CALLS = [{"id": "c0", "function": "f", "args": [X], "kwargs": {}}]


def test_frames_are_read_back_as_plain_arrays_and_checked_arguments():
    data = (_frame(b"D") + _frame(b"C", struct.pack("<I", 0)) + _frame(b"R", struct.pack("<BH", 0, 1))
            + _frame(b"A", _array(X * 2)) + _frame(b"M", _array(X)) + _frame(b"Z"))
    observed, errors, loaded, done, last = recheck.parse_frames(data, CALLS)
    obs = observed[0]
    assert (loaded, done, last, errors) == (True, True, None, [])
    assert obs.error is None and obs.plain == [True] and not obs.mutated
    np.testing.assert_array_equal(obs.outputs[0], X * 2)
    assert type(obs.outputs[0]) is np.ndarray


@pytest.mark.parametrize(("frames", "expected"), [
    # the argument did not come back: counted as modified, nothing is assumed
    ([b"R", b"A"], "mutated"),
    # the argument came back changed
    ([b"R", b"A", b"M!"], "mutated"),
    # a type the grader does not accept
    ([b"R", b"O"], "could not be read"),
    # bytes that do not match the shape
    ([b"R", b"S"], "could not be read"),
    # no result at all for a started call
    ([b"C1"], "its result is missing"),
])
def test_forged_or_broken_frames_never_pass(frames, expected):
    body = _frame(b"D") + _frame(b"C", struct.pack("<I", 0))
    for f in frames:
        body += {b"R": _frame(b"R", struct.pack("<BH", 0, 1)), b"A": _frame(b"A", _array(X * 2)),
                 b"M!": _frame(b"M", _array(X * 0)),
                 b"O": _frame(b"A", struct.pack("<B", 3) + b"|O8" + struct.pack("<B", 0) + b"\0" * 8),
                 b"S": _frame(b"A", _array(X * 2)[:-3]),
                 b"C1": b""}[f]
    observed, *_ = recheck.parse_frames(body + _frame(b"Z"), CALLS)
    obs = observed[0]
    if expected == "mutated":
        assert obs.mutated
    else:
        assert obs.error and expected in obs.error


def test_a_torn_stream_names_the_call_that_was_running():
    data = _frame(b"D") + _frame(b"C", struct.pack("<I", 0)) + b"R\x03\x00"
    observed, _, loaded, done, last = recheck.parse_frames(data, CALLS)
    assert (observed, loaded, done, last) == ({}, True, False, 0)


# ---- the instructor's secret -----------------------------------------------------------------

def test_the_secret_is_made_once_private_and_salts_the_seed(tmp_path):
    path = tmp_path / "grading" / "secret.key"
    first = recheck.instructor_secret(path)
    assert len(first) == 32 and recheck.instructor_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    seed = recheck.submission_seed(A1, "ann", A1, first)
    assert seed == recheck.submission_seed(A1, "ann", A1, first)  # regrades draw the same inputs
    assert seed != recheck.submission_seed(A1, "ann", A1)  # not computable without the secret
    path.write_text("not a secret\n")
    with pytest.raises(ValueError, match="is not a course secret"):
        recheck.instructor_secret(path)


# ---- `course grade` where no sandbox can be made --------------------------------------------

@pytest.fixture
def small_course(tmp_path):
    course = make_course(tmp_path)
    P.release(course)
    _write(tmp_path / "incoming" / "ann", {f"{A1}.ipynb": filled(course)})
    P.import_submissions(course, A1, tmp_path / "incoming")
    return course


def _grade(course, *args, env=None):
    return subprocess.run([sys.executable, "-m", "course_lib.cli", "--root", str(course.root), "grade", "--quiet",
                           "--workers", "1", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})}, check=False)


def test_no_sandbox_no_grading_unless_the_instructor_says_so(small_course):
    course = small_course
    broken = {"COURSE_BWRAP": "/bin/false"}  # as where user namespaces are disabled: bwrap fails at once
    with contextlib.suppress(FileNotFoundError):
        before = course.gradebook.read_bytes()
    proc = _grade(course, env=broken)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("course grade: cannot grade safely: bubblewrap cannot create"), proc.stderr
    assert "--unsandboxed" in lines[0] and "Traceback" not in proc.stderr
    assert not course.backups.exists() and course.gradebook.read_bytes() == before  # nothing was written
    proc = _grade(course, "--unsandboxed", env=broken)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING: grading without the operating-system sandbox" in proc.stderr
    assert [r.score for r in P.load_results(course)] == [8.0]


# ---- what one grading's feedback reveals must not help the next submission -------------------

def test_a_resubmission_draws_new_random_inputs():
    seed = recheck.submission_seed(A1, "ann", A1, b"key", "def sigmoid(x):\n    return x")
    assert seed == recheck.submission_seed(A1, "ann", A1, b"key", "def sigmoid(x):\n    return x")  # a regrade
    assert seed != recheck.submission_seed(A1, "ann", A1, b"key", "def sigmoid(x):\n    return x + 0")


def test_an_exception_on_an_unseen_input_shows_only_its_type():
    from course_lib.grading import checks, spec

    test = spec.get_test(A1, "test_sigmoid_values")
    obs = checks.Observed(error="ValueError: 3f9a1c (the input, encoded)")
    messages = {}
    for case in test.cases:
        args, kwargs = case.make(np.random.default_rng(0))
        [failure] = checks.evaluate(test, case, args, kwargs, obs)
        messages[(case.random, case.hidden)] = failure.message
    assert "3f9a1c" not in messages[(True, False)] and "raised ValueError on" in messages[(True, False)]
    assert "3f9a1c" in messages[(False, False)]  # a visible input: the whole message helps the student


def test_graders_starting_together_share_one_secret(tmp_path):
    """Two instructors' `course grade` runs (or Dask workers) may make the secret at the same time:
    each must read a whole secret, and the same one."""
    import concurrent.futures

    path = tmp_path / "grading" / "secret.key"
    with concurrent.futures.ProcessPoolExecutor(4) as pool:
        secrets = set(pool.map(recheck.instructor_secret, [path] * 16))
    assert len(secrets) == 1 and sorted(os.listdir(path.parent)) == ["secret.key"]
