"""The real grading pipeline on a class of adversarial submissions.

One temporary course (a copy of nbgrader_config.py and solutions/) is released, a class of
submissions to assignment 1 is imported and graded ONCE (module-scoped fixtures), then many
tests read the results: each submission's exact score and message, feedback, export, report,
that nothing submitted is lost, that re-grading one student changes nobody else's grade and
keeps manual scores, and that the reference solutions of all six assignments get full marks.
"""

from __future__ import annotations

import csv
import time
import zipfile

import nbformat
import pytest
from grading_class import (  # tests/ is on sys.path (conftest.py)
    A1,
    OVERRIDES,
    RECHECK,
    _digest,
    _write,
    filled,
    make_course,
    submissions,
)

from course_lib.grading import pipeline as P
from course_lib.grading import spec

pytestmark = pytest.mark.slow


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
    assert len(paths) == len(STUDENTS)  # the renamed and the missing notebook get a page saying why
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
    assert len([r for r in detail_rows if r["student_id"] == "ref"]) == 8
    from course_lib.grading.report import failure_table, write_report

    png, page = write_report(course, tmp_path / "report")
    assert png.stat().st_size > 10_000 and "most common failures" in page.read_text()
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
    P.grade(course, [A1], ["partial", "ref"], overrides=OVERRIDES, progress=False, log=None, force=True)
    assert len(list(course.backups.glob("*.db"))) == n_backups + 1
    after = scores()
    assert after["partial"] == 8 and after["ref"] == 7.5  # the manual score survived re-grading
    assert {s: v for s, v in after.items() if s != "partial"} == {s: v for s, v in before.items() if s != "partial"}
    with P._quiet_sqlalchemy(), Gradebook(course.db_url) as gb:
        grade = gb.find_grade("test_sigmoid_values", A1, A1, "ref")
        # unchanged submission, same automatic score: the hand-graded cell is not flagged again
        assert grade.manual_score == 0.5 and grade.auto_score == 1 and not grade.needs_manual_grade


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
