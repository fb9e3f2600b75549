"""Hostile submissions against the operating-system boundary, through the real command line.

Each attacker is graded *before* an honest victim (the reference solution, 8/8) and a dishonest
one (functions that return zeros, 0/8) in the same `course grade --workers 2` run, and again in a
later `course grade --force` run. The attacker knows the course folder's absolute path. After
each run: every score is the expected one, the course folder (configuration, sources,
submissions), ``course_lib``, NumPy inside the virtual environment and the gradebook are byte for
byte as before the attack (the gradebook also a few seconds *after* `course grade` returned), no
process the attackers started is alive, and only the autograded notebook comes back from a
kernel. The attacks: rewriting the course, the reference or the grader from the kernel; writing
into another student's submission or the gradebook; a double-forked daemon; reaching other
kernels through their connection files; stopping or killing the grader; leaking hidden tests,
solutions and the gradebook through files or IPython hooks; forging the re-check; a 1 GiB file.
A second, smaller class checks the time limits: a kernel that ignores interrupts, and a notebook
that would sleep past its time budget.
"""

from __future__ import annotations

import hashlib
import os
import textwrap
import time
import uuid
from pathlib import Path

import nbformat
import numpy as np
import pytest
from grading_class import (
    A1,
    RECHECK,
    REF,
    ZEROS,
    _write,
    attack_course,
    cell_index,
    cli,
    filled,
    insert_after,
)

import course_lib
from course_lib.grading import pipeline as P

pytestmark = pytest.mark.slow

MARKER = f"course-attack-{uuid.uuid4().hex[:12]}"  #: in the command line of every process an attacker starts
LIB = Path(course_lib.__file__).resolve().parent
NUMPY = Path(np.__file__).resolve().parent



def attack(body: str) -> str:
    """A code cell that runs ``body`` and hides every failure (the attacker wants full marks)."""
    return "try:\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\nexcept BaseException as _e:\n    print('attack failed:', type(_e).__name__)\n"


def attacks(root: Path) -> dict[str, tuple[dict, float, dict]]:
    """{student: (solutions to fill in, extra code cells after part a's solution, expected score, messages)}."""
    sub = root / "grading" / "submitted"
    victim_nb = sub / "z_honest" / A1 / f"{A1}.ipynb"
    targets = [root / "nbgrader_config.py", LIB / "grading" / "checks.py", LIB / "activations" / "sigmoidal.py",
               LIB / "grading" / "_sandbox_runner.py", NUMPY / "__init__.py", root / "grading" / "gradebook.db",
               root / "solutions" / A1 / f"{A1}.ipynb"]
    tamper = attack(f"""
        import glob, os
        for path in {[str(t) for t in targets]!r}:
            try:
                with open(path, 'a') as f:
                    f.write('\\nevaluate = run = lambda *a, **k: []\\ndef sigmoid(x):\\n    return x * 0\\n')
            except OSError as e:
                print('could not write', path, type(e).__name__)
        for path in glob.glob({str(sub)!r} + '/*/*/*.ipynb') + [{str(victim_nb)!r}]:
            try:
                open(path, 'w').write('{{}}')
            except OSError as e:
                print('could not write', path, type(e).__name__)
        os.makedirs({str(NUMPY.parent / 'sigmoid_ref')!r}, exist_ok=True)
    """)
    keep_writing = ("import time\nfor _ in range(120):\n    try:\n"
                    f"        open({str(root / 'grading' / 'gradebook.db')!r}, 'wb').write(b'pwned')\n"
                    "    except OSError:\n        pass\n    time.sleep(0.5)\n")
    daemon = attack(f"""
        import os, sys
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, '-c', {keep_writing!r}, {MARKER!r}])
            os._exit(0)
        os.wait()
    """)
    crosstalk = attack("""
        import glob, os, sys
        from jupyter_client import BlockingKernelClient
        files = (glob.glob('/tmp/course-k-*/kernel.json') + glob.glob('/tmp/*/kernel.json')
                 + glob.glob(os.path.expanduser('~/.local/share/jupyter/runtime/*.json'))
                 + glob.glob('/root/.local/share/jupyter/runtime/*.json') + glob.glob('/run/user/*/jupyter/runtime/*.json'))
        own = sys.argv[sys.argv.index('-f') + 1] if '-f' in sys.argv else ''
        files = [f for f in files if os.path.realpath(f) != os.path.realpath(own)]
        print('connection files seen:', len(files))
        for path in files:
            kc = BlockingKernelClient(connection_file=path)
            kc.load_connection_file()
            kc.start_channels()
            kc.execute('import course_lib.grading.checks as c; c.evaluate = lambda *a, **k: []; sigmoid = lambda x: x')
            kc.stop_channels()
    """)
    killer = attack("""
        import os, signal
        me = os.getpid()
        for pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:
            if pid not in (me, 1):
                for sig in (signal.SIGSTOP, signal.SIGKILL):
                    try:
                        os.kill(pid, sig)
                    except OSError:
                        pass
        for pid in (os.getppid(), 1):
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                pass
    """)
    leaker = attack(f"""
        import shutil
        ip = get_ipython()
        ip.events.register('pre_run_cell', lambda info: print('CELL:', info.raw_cell))
        for src in ({str(root / 'solutions' / A1 / (A1 + '.ipynb'))!r}, {str(root / 'grading' / 'gradebook.db')!r}):
            try:
                shutil.copy(src, '.')
            except OSError as e:
                print('could not copy', src, type(e).__name__)
        open('leak.txt', 'w').write('\\n'.join(ip.history_manager.input_hist_raw))
        with open('big.bin', 'wb') as f:
            for _ in range(1024):
                f.write(b'x' * (1 << 20))
    """)
    forger = attack(f"""
        import importlib, os, struct
        ref = importlib.import_module('course_' + 'lib.activations')
        def sigmoid(x):
            return ref.sigmoid(x)
        realpath, os.path.realpath = os.path.realpath, lambda p: '/tmp'
        try:
            src = open({str(LIB / 'activations' / 'sigmoidal.py')!r}).read()
        finally:
            os.path.realpath = realpath
    """)
    runner_patch = attack("""
        import __main__, struct
        if getattr(__main__, '__file__', '').endswith('runner.py'):  # only inside the re-check
            __main__._report = lambda *a, **k: None
            struct.pack = lambda *a: b''
            import numpy
            numpy.array_equal = lambda *a, **k: True
    """)
    honest = ({}, [], 8, {})
    assert REF[A1]  # the honest victim is the reference solution
    return {
        "a_tamper": ({}, [tamper], 8, {}),
        "a_daemon": ({}, [daemon], 8, {}),
        "a_crosstalk": ({}, [crosstalk], 8, {}),
        "a_leaker": ({}, [leaker], 8, {}),
        "a_forger": ({"part_a_solution": ZEROS["part_a_solution"]}, [forger], 6,
                     {"test_sigmoid_values": RECHECK, "test_sigmoid_stability": RECHECK}),
        # sabotaging the re-check's reporting only costs the attacker: every re-check fails
        "a_runner_patch": ({}, [runner_patch], 0, {"test_tanh_values": RECHECK}),
        "y_killer": ({}, [], 8, {}),  # the kill cell goes at the end of the notebook (see _notebook)
        "z_honest": honest,
        "z_dishonest": (dict(ZEROS), [], 0, {}),
    }, killer


def _notebook(course, solutions, cells, tail=None):
    nb = filled(course, solutions)
    for source in reversed(cells):
        insert_after("part_a_solution", source)(nb)
    if tail:
        nb.cells.append(nbformat.v4.new_code_cell(tail))
    return nb


def _tree_digest(*roots: Path, skip=()) -> dict[str, str]:
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and not any(s in p.parts for s in skip):
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _protected(course: P.Course) -> dict[str, str]:
    """Everything no grading run may change: the course's configuration, sources and submissions,
    the reference library and NumPy."""
    return {**_tree_digest(course.root / "solutions", course.submitted, LIB, NUMPY, skip=("__pycache__",)),
            "nbgrader_config.py": hashlib.sha256((course.root / "nbgrader_config.py").read_bytes()).hexdigest(),
            "site-packages": " ".join(sorted(os.listdir(NUMPY.parent)))}


def _survivors() -> list[str]:
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if MARKER in cmd:
            found.append(f"{pid}: {cmd}")
    return found



def _scores(course: P.Course) -> dict[str, P.GradeResult]:
    return {r.student: r for r in P.load_results(course) if r.assignment == A1}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    course = attack_course(tmp_path_factory.mktemp("attacks"))
    cases, killer = attacks(course.root)
    incoming = tmp_path_factory.mktemp("incoming")
    for student, (solutions, cells, _, _) in cases.items():
        tail = killer if student == "y_killer" else None
        _write(incoming / student, {f"{A1}.ipynb": _notebook(course, solutions, cells, tail)})
    imported = cli(course, "import", A1, str(incoming))
    assert imported.returncode == 0, imported.stderr
    before = _protected(course)
    runs = []
    for args in (("grade", "--workers", "2", "--quiet"), ("grade", "--workers", "2", "--quiet", "--force")):
        proc = cli(course, *args)
        gradebook = course.gradebook.read_bytes()
        time.sleep(4)  # a daemon had time to act
        runs.append({"proc": proc, "results": _scores(course), "protected": _protected(course),
                     "gradebook_then": gradebook, "gradebook_later": course.gradebook.read_bytes(),
                     "survivors": _survivors()})
    return course, cases, before, runs


@pytest.mark.parametrize("run", [0, 1], ids=["first run", "later run"])
def test_grading_finishes_and_every_score_is_the_honest_one(attacked, run):
    _, cases, _, runs = attacked
    r = runs[run]
    assert r["proc"].returncode == 0, r["proc"].stdout + r["proc"].stderr
    results = r["results"]
    assert sorted(results) == sorted(cases)
    for student, (_, _, score, messages) in cases.items():
        res = results[student]
        assert (res.status, res.score) == ("graded", score), res.summary()
        cells = {c.grade_id: c.message for c in res.cells}
        for gid, text in messages.items():
            assert text in cells[gid], (student, gid, cells[gid])


@pytest.mark.parametrize("run", [0, 1], ids=["first run", "later run"])
def test_nothing_outside_the_sandbox_changed(attacked, run):
    _, _, before, runs = attacked
    r = runs[run]
    changed = sorted(k for k in set(before) | set(r["protected"]) if before.get(k) != r["protected"].get(k))
    assert changed == []
    assert not (NUMPY.parent / "sigmoid_ref").exists()
    assert r["gradebook_then"] == r["gradebook_later"], "the gradebook changed after `course grade` returned"


@pytest.mark.parametrize("run", [0, 1], ids=["first run", "later run"])
def test_no_process_survives_grading(attacked, run):
    assert attacked[3][run]["survivors"] == []


def test_only_the_autograded_notebook_comes_back(attacked):
    course, cases, _, _ = attacked
    for student in cases:
        files = sorted(p.name for p in (course.autograded / student / A1).iterdir())
        assert files == [f"{A1}.ipynb", "timestamp.txt"], (student, files)


def test_feedback_holds_no_hidden_tests_and_no_leaked_files(attacked):
    course, cases, _, _ = attacked
    proc = cli(course, "feedback")
    assert proc.returncode == 0, proc.stderr
    leaker = (course.feedback_dir / "a_leaker" / A1)
    assert sorted(p.name for p in leaker.iterdir()) == [f"{A1}.html"]
    for student in cases:
        for path in [course.feedback_dir / student / A1 / f"{A1}.html", course.autograded / student / A1 / f"{A1}.ipynb"]:
            text = path.read_text()
            if path.suffix == ".ipynb":  # the autograded notebook keeps the hidden tests in their cells, not in outputs
                nb = nbformat.reads(text, as_version=4)
                text = "\n".join(str(o) for c in nb.cells for o in c.get("outputs", []))
            assert "hidden=True" not in text and "BEGIN HIDDEN TESTS" not in text, (student, path)
    nb = nbformat.read(course.autograded / "a_leaker" / A1 / f"{A1}.ipynb", as_version=4)
    printed = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "CELL:" in printed and "checks.run" in printed  # the hook ran and printed the (visible) tests


# ---- time limits: a kernel that ignores interrupts, a notebook past its budget ----------------

#: a loop that swallows every interrupt (KeyboardInterrupt) and goes on
IGNORE_SIGINT = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                 "def tanh_grad(x):\n    while True:\n        try:\n            while True:\n                pass\n"
                 "        except KeyboardInterrupt:\n            pass\n")


@pytest.fixture(scope="module")
def timed(tmp_path_factory):
    course = attack_course(tmp_path_factory.mktemp("timed"), "c.GradingExecute.notebook_timeout = 25\n")
    nb = filled(course)
    # a wait after part b's tests, longer than the budget (and than its own wall backstop, 10 x 5 s)
    nb.cells.insert(cell_index(nb, "test_sigmoid_grad_stability") + 1, nbformat.v4.new_code_cell(
        "import sys, time\nif 'ipykernel' in sys.modules:  # in the notebook only, not in the re-check\n"
        "    time.sleep(100)"))
    incoming = tmp_path_factory.mktemp("incoming")
    _write(incoming / "sleeper", {f"{A1}.ipynb": nb})
    _write(incoming / "deaf", {f"{A1}.ipynb": filled(course, {"part_d_solution": IGNORE_SIGINT})})
    _write(incoming / "z_honest", {f"{A1}.ipynb": filled(course)})
    assert cli(course, "import", A1, str(incoming)).returncode == 0
    start = time.monotonic()
    proc = cli(course, "grade", "--workers", "2", "--quiet")
    return proc, _scores(course), time.monotonic() - start


def test_a_kernel_that_ignores_interrupts_loses_only_the_cells_from_there(timed):
    proc, results, _ = timed
    assert proc.returncode == 0, proc.stderr
    deaf = results["deaf"]
    assert deaf.score == 6, deaf.summary()
    cells = {c.grade_id: c for c in deaf.cells}
    assert "ignored the interrupt, so the kernel was stopped" in cells["test_tanh_grad_values"].message
    assert cells["test_tanh_grad_stability"].points == 0
    assert results["z_honest"].score == 8


def test_a_notebook_stops_at_its_time_budget(timed):
    _, results, seconds = timed
    sleeper = results["sleeper"]
    cells = {c.grade_id: c for c in sleeper.cells}
    # parts a and b pass, the wait meets the 25 s budget, parts c and d are not run
    assert sleeper.score == 4, sleeper.summary()
    for gid in ("test_tanh_values", "test_tanh_grad_stability"):
        assert "not run: the notebook's time budget (25 s in all) was used up" in cells[gid].message
    assert seconds < 120
