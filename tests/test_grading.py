"""The real grading pipeline on a class of adversarial submissions.

One temporary course (a copy of nbgrader_config.py and solutions/) is released, a class of
submissions to assignment 1 is imported and graded ONCE (module-scoped fixtures), then many
tests read the results: each submission's exact score and message, feedback, export, report,
that nothing submitted is lost, that re-grading one student changes nobody else's grade and
keeps manual scores, and that the reference solutions of all six assignments get full marks.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import pipeline as P
from course_lib.grading import spec

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
A1 = "a1_sigmoid_tanh"
TIMEOUT = 5  # seconds: kernel cell time-out and re-check time-out in these tests
OVERRIDES = {"Execute.timeout": TIMEOUT, "GradingExecute.timeout": TIMEOUT, "TrustedRecheck.timeout": TIMEOUT,
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
                        {"test_sigmoid_values": "blocked by the grader: reading"}),
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


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("grading"))
    P.release(course)
    return course


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """Import and grade the class once; returns (results by student, expectations, submitted digests)."""
    subs = submissions(course)
    incoming = tmp_path_factory.mktemp("incoming")
    for student, (files, _, _) in subs.items():
        _write(incoming / student, files)
    statuses = P.import_submissions(course, A1, incoming)
    assert set(statuses) == set(subs) and set(statuses.values()) == {"new"}
    digests = {s: _digest(course.submitted / s / A1) for s in subs}
    start = time.perf_counter()
    results = P.grade(course, [A1], overrides=OVERRIDES, workers=2, progress=False, log=None)
    seconds = time.perf_counter() - start
    print(f"\ngraded {len(results)} submissions of {A1} in {seconds:.1f} s with 2 workers")
    return {r.student: r for r in results}, subs, digests


def _all_messages(result: P.GradeResult) -> str:
    return result.message + "\n" + "\n".join(c.message for c in result.cells)


STUDENTS = ["ref", "untouched", "partial", "wrong_values", "syntax_error", "edited_test", "deleted_test",
            "duplicated_test", "markdown_cell", "renamed", "missing", "infinite_loop", "os_exit", "sys_exit",
            "huge_output", "memory_bomb", "monkeypatch", "always_equal", "input_transformer",
            "imported_reference", "shadow_module", "nan_output", "float32_scalar", "mutates_input", "reads_files"]


@pytest.mark.parametrize("student", STUDENTS)
def test_score_and_message(graded, student):
    results, subs, _ = graded
    result = results[student]
    _, score, messages = subs[student]
    assert result.max_score == 8
    assert result.score == score, result.summary()
    cells = {c.grade_id: c for c in result.cells}
    for gid, text in messages.items():
        where = _all_messages(result) if gid == "*" else cells[gid].message
        assert text in where, f"{gid}: {text!r} not in {where!r}"
    for c in result.cells:  # every lost point names its problem
        if c.points is not None and c.points < c.max_points:
            assert c.message or result.message, f"{student}/{c.grade_id} lost points without a message"


def test_gradebook_agrees_with_results(course, graded):
    from nbgrader.api import Gradebook

    results, _, _ = graded
    with P._quiet_sqlalchemy(), Gradebook(course.db_url) as gb:
        for student, r in results.items():
            assert gb.find_submission(A1, student).score == r.score


def test_recheck_overrides_the_kernel(graded):
    results, _, _ = graded
    for student in ("monkeypatch", "input_transformer"):
        for cell in results[student].cells:
            assert "recheck" in cell.reasons and RECHECK in cell.message


def test_nothing_submitted_is_lost(course, graded):
    _, _, digests = graded
    for student, digest in digests.items():
        assert _digest(course.submitted / student / A1) == digest


def test_huge_output_is_truncated(course, graded):
    nb = course.autograded / "huge_output" / A1 / f"{A1}.ipynb"
    assert nb.stat().st_size < 2_000_000


def test_feedback_has_scores_and_no_hidden_tests(course, graded):
    paths = P.feedback(course, [A1])
    assert len(paths) == len(STUDENTS) - 2  # the renamed and the missing notebook have nothing to show
    ref = (course.feedback_dir / "ref" / A1 / f"{A1}.html").read_text()
    assert "8.0" in ref and "hidden=True" not in ref and "BEGIN HIDDEN TESTS" not in ref
    bad = (course.feedback_dir / "monkeypatch" / A1 / f"{A1}.html").read_text()
    assert "trusted re-check" in bad


def test_export_and_report(course, graded, tmp_path):
    results, _, _ = graded
    path, detail = P.export(course, tmp_path / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(path.read_text().splitlines()) if r["assignment"] == A1}
    assert {s: float(rows[s]["score"]) for s in STUDENTS} == {s: results[s].score for s in STUDENTS}
    detail_rows = list(csv.DictReader(detail.read_text().splitlines()))
    assert len([r for r in detail_rows if r["student"] == "ref"]) == 8
    from course_lib.grading.report import failure_table, write_report

    png, page = write_report(course, tmp_path / "report")
    assert png.stat().st_size > 10_000 and "Most common failures" in page.read_text()
    table = failure_table(list(results.values()))
    assert table[(A1, "test_sigmoid_values")].most_common(1)[0][1] >= 3


def test_regrading_changes_only_that_student_and_keeps_manual_grades(course, graded, tmp_path):
    from nbgrader.api import Gradebook

    def scores():
        with P._quiet_sqlalchemy(), Gradebook(course.db_url) as gb:
            return {s.student.id: s.score for s in gb.find_assignment(A1).submissions}

    with P._quiet_sqlalchemy(), Gradebook(course.db_url) as gb:  # an instructor overrides one cell by hand
        gb.find_grade("test_sigmoid_values", A1, A1, "ref").manual_score = 0.5
        gb.db.commit()
    before = scores()
    assert before["ref"] == 7.5
    # "partial" hands in a corrected notebook: the earlier one is archived, not lost
    _write(tmp_path / "resubmit" / "partial", {f"{A1}.ipynb": filled(course)})
    assert P.import_submissions(course, A1, tmp_path / "resubmit") == {"partial": "replaced (earlier submission archived)"}
    assert len(list((course.archive / "partial" / A1).iterdir())) == 1
    n_backups = len(list(course.backups.glob("*.db")))
    P.grade(course, [A1], ["partial", "ref"], overrides=OVERRIDES, progress=False, log=None)
    assert len(list(course.backups.glob("*.db"))) == n_backups + 1
    after = scores()
    assert after["partial"] == 8 and after["ref"] == 7.5  # the manual score survived re-grading
    assert {s: v for s, v in after.items() if s != "partial"} == {s: v for s, v in before.items() if s != "partial"}
    with P._quiet_sqlalchemy(), Gradebook(course.db_url) as gb:
        grade = gb.find_grade("test_sigmoid_values", A1, A1, "ref")
        assert grade.manual_score == 0.5 and grade.auto_score == 1 and grade.needs_manual_grade


def test_import_lms_zip(course, tmp_path):
    nb = nbformat.writes(filled(course))
    archive = tmp_path / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"zoe_12345_67890_{A1}.ipynb", nb)
        zf.writestr(f"yan_late_23456_78901_{A1}.ipynb", nb)
    statuses = P.import_submissions(course, A1, archive)
    assert statuses == {"yan": "new", "zoe": "new"}
    for s in statuses:
        assert (course.submitted / s / A1 / f"{A1}.ipynb").read_text() == nb
        assert (course.submitted / s / A1 / "timestamp.txt").exists()


def test_six_assignments_reference_full_marks(course, tmp_path):
    """One student handing in the reference solution of every assignment: full automatic marks."""
    for a in spec.ASSIGNMENTS:
        _write(tmp_path / "six" / a.id / "six", {f"{a.id}.ipynb": filled(course, assignment=a.id)})
        P.import_submissions(course, a.id, tmp_path / "six" / a.id)
    start = time.perf_counter()
    results = P.grade(course, None, ["six"], progress=False, log=None)
    seconds = time.perf_counter() - start
    print(f"\nautograded one submission of all six assignments in {seconds:.1f} s (serial)")
    assert len(results) == 6
    for r in results:
        a = spec.get_assignment(r.assignment)
        manual = (a.written or {}).get("points", 0)
        assert r.status == "graded" and r.score == a.points - manual, r.summary()
        if manual:
            cell = next(c for c in r.cells if c.grade_id == a.written["grade_id"])
            assert cell.points is None and cell.message == "graded by hand"
