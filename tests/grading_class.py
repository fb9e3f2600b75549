"""The test class of submissions to assignment 1, shared by the grading tests.

A temporary course (a copy of nbgrader_config.py and solutions/), notebooks filled with the
reference or with a broken solution, and :func:`submissions`: one student per adversarial case,
each with the exact score and the message grading must give.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat

from course_lib.grading import pipeline as P
from course_lib.grading import spec

REPO = Path(__file__).resolve().parents[1]
A1 = "a1_sigmoid_tanh"
TIMEOUT = 5  # CPU seconds: kernel cell time-out and re-check limit in these tests (the same on a busy machine)
OVERRIDES = {"Execute.timeout": TIMEOUT, "GradingExecute.timeout": TIMEOUT, "TrustedRecheck.cpu_seconds": TIMEOUT,
             "GradingExecute.kernel_memory_mb": 2048}


def strip_solution(code: str) -> str:
    return re.sub(r"^\s*### (BEGIN|END) SOLUTION\n", "", code, flags=re.MULTILINE)


REF = {A1: {}}
for _a in spec.ASSIGNMENTS:
    REF[_a.id] = {f"part_{chr(97 + i)}_solution": strip_solution(p.code) for i, p in enumerate(_a.parts)}
    if _a.written:
        REF[_a.id][_a.written["grade_id"]] = "Bounded above by 6, leaky below 0: no dead units, but saturates."


def make_course(tmp: Path) -> P.Course:
    root = tmp / "course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    return P.Course(root)


#: appended to the course's nbgrader_config.py by the attack tests (what an instructor would configure)
ATTACK_CONFIG = """
c.Execute.timeout = 5
c.GradingExecute.kernel_memory_mb = 2048
c.GradingExecute.interrupt_grace = 2
c.TrustedRecheck.cpu_seconds = 5
"""


def attack_course(tmp: Path, extra: str = "") -> P.Course:
    """A released temporary course with :data:`ATTACK_CONFIG` (and ``extra``) in its configuration."""
    course = make_course(tmp)
    with open(course.root / "nbgrader_config.py", "a") as f:
        f.write(ATTACK_CONFIG + extra)
    P.release(course)
    return course


def cli(course: P.Course, *args: str, env: dict | None = None, timeout: float = 900):
    """``course --root COURSE ARGS...`` in a new process, as an instructor types it."""
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "course_lib.cli", "--root", str(course.root), *args],
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})


def run(course: P.Course, capsys, *args: str) -> tuple[int, str, str]:
    """``course --root COURSE ARGS...`` in this process: ``(exit status, stdout, stderr)``."""
    from course_lib.cli import main

    status = main(["--root", str(course.root), *args])
    out, err = capsys.readouterr()
    return status, out, err


def student_copy(course: P.Course, assignment: str = A1):
    return nbformat.read(course.release_dir / assignment / f"{assignment}.ipynb", as_version=4)


def filled(course, solutions=None, assignment=A1, edit=None):
    nb = student_copy(course, assignment)
    sols = {**REF[assignment], **(solutions or {})}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in sols:
            cell.source = sols[gid]
    if edit:
        edit(nb)
    return nb


def cell_index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def insert_after(grade_id, source):
    def edit(nb):
        nb.cells.insert(cell_index(nb, grade_id) + 1, nbformat.v4.new_code_cell(source))
    return edit


ZEROS = {f"part_{p}_solution": f"def {f}(x):\n    return np.zeros_like(np.asarray(x, dtype=float))\n"
         for p, f in zip("abcd", ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad"])}
NAIVE_SIGMOID = "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x)))\n"
ALL_TESTS = [t.grade_id for t in spec.get_assignment(A1).tests]
TANH_TESTS = ["test_tanh_values", "test_tanh_stability"]
SIG = ["test_sigmoid_values", "test_sigmoid_stability"]
SIG_GRAD = ["test_sigmoid_grad_values", "test_sigmoid_grad_stability"]
RECHECK = "passed in the notebook, but the trusted re-check"


def _edit_tests(*ids, source="print('all tests pass')"):
    def edit(nb):
        for gid in ids:
            nb.cells[cell_index(nb, gid)].source = source
    return edit


def _delete(*ids):
    def edit(nb):
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in ids]
    return edit


def _duplicate(gid):
    def edit(nb):
        i = cell_index(nb, gid)
        nb.cells.insert(i + 1, nbformat.from_dict(json.loads(json.dumps(nb.cells[i]))))
        nb.cells[i + 1]["id"] = "duplicated-cell"
    return edit


def _to_markdown(*ids):
    def edit(nb):
        for gid in ids:
            cell = nb.cells[cell_index(nb, gid)]
            cell.cell_type = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return edit


SHADOW_NUMPY = '''\
import os, sys
del sys.modules["numpy"]
here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != here]
import numpy as _real
sys.modules["numpy"] = _real
import course_lib.grading.checks as _checks
_checks.evaluate = lambda *args, **kwargs: []
'''

INPUT_TRANSFORMER = '''\
def _blank(lines):
    return [] if any("checks.run" in line for line in lines) else lines
get_ipython().input_transformers_cleanup.append(_blank)
'''

MONKEYPATCH = '''\
import numpy.testing
import course_lib.grading.checks as checks_module
numpy.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
checks_module.evaluate = lambda *a, **k: []
'''


def reads_reference(root):
    return (
        "def sigmoid(x):\n"
        "    import json\n"
        f"    nb = json.load(open({str(root / 'solutions' / A1 / (A1 + '.ipynb'))!r}))\n"
        "    src = next(''.join(c['source']) for c in nb['cells'] if 'def sigmoid(x)' in ''.join(c['source']))\n"
        "    ns = {'np': np}\n"
        "    exec(src, ns)\n"
        "    return ns['sigmoid'](x)\n"
    )


def submissions(course):
    """{student: (files {name: notebook or text}, expected score, {grade_id or '*': message substring})}."""
    nb = f"{A1}.ipynb"
    untouched = student_copy(course)
    return {
        "ref": ({nb: filled(course)}, 8, {}),
        "untouched": ({nb: untouched}, 0, {g: "raised NotImplementedError" for g in ALL_TESTS}),
        "partial": ({nb: filled(course, {
            "part_a_solution": NAIVE_SIGMOID,
            "part_d_solution": "def tanh_grad(x):\n    return 1 - np.tanh(x) ** 2\n"})}, 5, {
            "test_sigmoid_stability": "sigmoid raised RuntimeWarning: overflow encountered in exp on large negative",
            "test_tanh_grad_values": "tanh_grad is wrong on float32 input: 2 of 10 values differ (hidden test",
            "test_tanh_grad_stability": "tanh_grad is wrong on large negative and positive inputs (|x| up to 1000): "
                                        "2 of 6 values differ; at x = -100.0: expected 5.53558610694695e-87, got 0.0"}),
        "wrong_values": ({nb: filled(course, {"part_a_solution": "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n"})},
                         6, {"test_sigmoid_values": "sigmoid is wrong on ordinary inputs: 10 of 10 values differ; "
                                                    "at x = -4.5: expected 0.01098694263059318, got 0.989013"}),
        "syntax_error": ({nb: filled(course, {"part_a_solution": "def sigmoid(x)\n    return x\n"})}, 6,
                         {g: "NameError: name 'sigmoid' is not defined" for g in SIG}),
        "edited_test": ({nb: filled(course, {"part_a_solution": ZEROS["part_a_solution"]}, edit=_edit_tests(*SIG))},
                        6, {"test_sigmoid_values": "sigmoid is wrong on ordinary inputs"}),
        "deleted_test": ({nb: filled(course, {"part_c_solution": "def tanh(x):\n    return np.tanh(x) + 1e-3\n"},
                                     edit=_delete(*TANH_TESTS))}, 6,
                         {"test_tanh_values": "tanh is wrong on ordinary inputs"}),
        "duplicated_test": ({nb: filled(course, edit=_duplicate("test_sigmoid_values"))}, 8, {}),
        "markdown_cell": ({nb: filled(course, edit=_to_markdown("test_sigmoid_values", "part_d_solution"))}, 8, {}),
        "renamed": ({f"{A1}-Copy1.ipynb": filled(course)}, 0,
                    {"*": f"{A1}.ipynb is missing from the submission; found {A1}-Copy1.ipynb (renamed?"}),
        "missing": ({"notes.txt": "ran out of time"}, 0, {"*": f"{A1}.ipynb is missing from the submission"}),
        "infinite_loop": ({nb: filled(course, {"part_d_solution": "def tanh_grad(x):\n    while True:\n        pass\n"})},
                          6, {"test_tanh_grad_values": "Timeout: the cell did not finish within 5 s"}),
        "os_exit": ({nb: filled(course, {"part_b_solution": "import os\ndef sigmoid_grad(x):\n    os._exit(1)\n"})},
                    2, {"test_sigmoid_grad_values": "kernel died", "test_tanh_grad_stability": "kernel died"}),
        "sys_exit": ({nb: filled(course, {"part_b_solution": "import sys\ndef sigmoid_grad(x):\n    sys.exit(0)\n"})},
                     6, {"test_sigmoid_grad_values": "sigmoid_grad raised SystemExit: 0 on ordinary inputs"}),
        "huge_output": ({nb: filled(course, {"part_a_solution": REF[A1]["part_a_solution"].replace(
            "    x = np.asarray(x)", "    print('spam\\n' * 100_000)\n    x = np.asarray(x)")})}, 8, {}),
        "memory_bomb": ({nb: filled(course, {"part_a_solution": (
            "def sigmoid(x):\n    hog = []\n    while True:\n        hog.append(np.ones(10**7))\n")})}, 6,
                        {"test_sigmoid_values": "MemoryError"}),
        "monkeypatch": ({nb: filled(course, ZEROS, edit=insert_after("part_a_solution", MONKEYPATCH))}, 0,
                        {g: RECHECK for g in ALL_TESTS}),
        "always_equal": ({nb: filled(course, {"part_a_solution": (
            "class AlwaysEqual(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n"
            "def sigmoid(x):\n    return np.zeros_like(np.asarray(x, dtype=float)).view(AlwaysEqual)\n")})}, 6,
                         {"test_sigmoid_values": "AlwaysEqual on ordinary inputs; expected a plain NumPy array"}),
        "input_transformer": ({nb: filled(course, ZEROS, edit=insert_after("part_a_solution", INPUT_TRANSFORMER))},
                              0, {g: RECHECK for g in ALL_TESTS}),
        "imported_reference": ({nb: filled(course, {
            "part_a_solution": "from course_lib.activations import sigmoid\n",
            "part_b_solution": "from course_lib.activations import sigmoid_grad\n",
            "part_d_solution": "def tanh_grad(x):\n    from scipy.special import expit\n"
                               "    return 4 * expit(2 * x) * expit(-2 * x)\n"})}, 2,
                               {"test_sigmoid_values": "sigmoid uses course_lib: solutions may not use course_lib",
                                "test_sigmoid_grad_values": "sigmoid_grad uses course_lib",
                                "test_tanh_grad_values": "tanh_grad uses scipy"}),
        "shadow_module": ({nb: filled(course, ZEROS), "numpy.py": SHADOW_NUMPY}, 0,
                          {"*": "extra files ignored by grading: numpy.py"}),
        "nan_output": ({nb: filled(course, {"part_a_solution": (
            "def sigmoid(x):\n    return np.full_like(np.asarray(x, dtype=float), np.nan)\n")})}, 6,
                       {"test_sigmoid_values": "expected 0.01098694263059318, got nan"}),
        "float32_scalar": ({nb: filled(course, {
            "part_a_solution": REF[A1]["part_a_solution"].replace(
                "return np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
                "return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(np.float32)"),
            "part_b_solution": "def sigmoid_grad(x):\n    s = 1 / (1 + np.exp(-np.abs(x)))\n"
                               "    return float(np.mean(s * (1 - s)))\n"})}, 4,
                           {"test_sigmoid_values": "sigmoid returned dtype float32 on ordinary inputs; expected float64",
                            "test_sigmoid_grad_values": "sigmoid_grad returned shape () on ordinary inputs; expected (10,)"}),
        "mutates_input": ({nb: filled(course, {"part_a_solution": REF[A1]["part_a_solution"].replace(
            "    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
            "    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))\n    x[...] = 0\n    return out")})}, 6,
                          {"test_sigmoid_values": "sigmoid modified its input in place on ordinary inputs"}),
        "reads_files": ({nb: filled(course, {"part_a_solution": reads_reference(course.root)})}, 6,
                        # the sandbox's file system holds no course files: not even a path to read
                        {"test_sigmoid_values": "No such file or directory"}),
    }


def _write(folder: Path, files: dict):
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, str):
            (folder / name).write_text(content)
        else:
            nbformat.write(content, folder / name)


def _digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


