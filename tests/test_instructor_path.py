"""The instructor's path through the real CLI (`course_lib.cli.main`) on a temporary course.

* every bad input gives one line naming the problem and a non-zero exit status, never a traceback;
* LMS exports (Canvas with a resubmission and a late file, Moodle, Blackboard, a zip of
  per-student folders) import exactly the students they hold; `course remove` archives;
* a small class, imported from a Canvas zip with a due date, an extension, a late file, a hostile
  student and a renamed notebook, is graded once; then feedback (the reason first, test names, no
  hidden source, no paths, no remote or live scripts, MathJax inline), export (manual scores set
  through nbgrader's gradebook API survive a regrade; per-cell rows sum to grades.csv; the late
  penalty; the Canvas file), the report, and one student's broken notebook not stopping feedback;
* similarity flags a renamed copy and a copy of the book's code and leaves independent solutions.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading_class import (  # tests/ is on sys.path (conftest.py)
    A1,
    NAIVE_SIGMOID,
    OVERRIDES,
    _write,
    filled,
    insert_after,
    make_course,
    run,
)

from course_lib.cli import build_parser, main
from course_lib.grading import pipeline as P
from course_lib.grading.feedback import MATHJAX_END, MATHJAX_START

NB = f"{A1}.ipynb"
REPO = Path(__file__).resolve().parents[1]
KNOWN = "a1_sigmoid_tanh, a2_relu_family, a3_smooth, a4_softmax, a5_backprop, a6_design"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("instructor"))
    P.release(course, [A1])
    return course


def reset(course):
    for sub in ("submitted", "archive", "autograded", "results", "feedback"):
        shutil.rmtree(course.work / sub, ignore_errors=True)
    for name in ("students.csv", "imports.csv", "extensions.csv"):
        (course.work / name).unlink(missing_ok=True)


# ---- bad input: one line, non-zero exit ------------------------------------------------------

def test_bad_input_is_one_line_and_a_nonzero_status(released, tmp_path, capsys, monkeypatch):
    course = released
    reset(course)
    (tmp_path / "empty").mkdir()
    (tmp_path / "fake.zip").write_text("this is not a zip\n")
    unknown = f"unknown assignment 'a9_nope'; the course has {KNOWN}"
    cases = [
        (["import", "a9_nope", str(tmp_path)], f"course import: {unknown}"),
        (["import", A1, str(tmp_path / "missing")],
         (f"course import: {tmp_path / 'missing'} does not exist; give a folder with one sub-folder per student or "
         "an LMS export (.zip)")),
        (["import", A1, str(tmp_path / "fake.zip")],
         (f"course import: {tmp_path / 'fake.zip'} is neither a folder nor a zip file (is it a download that "
         "failed?); give a folder with one sub-folder per student or the LMS export's .zip")),
        (["import", A1, str(tmp_path / "empty")],
         (f"course import: nothing imported from {tmp_path / 'empty'}: it holds no files (expected "
         f"<student>/{A1}.ipynb folders or an LMS export)")),
        (["export", str(tmp_path)], (f"course export: {tmp_path} is a folder; give a file name, e.g. "
                                    f"{tmp_path / 'grades.csv'}")),
        (["export", str(tmp_path / "grades.txt")], (f"course export: {tmp_path / 'grades.txt'}: the grades file must "
                                                   "end in .csv")),
        (["grade", "--assignment", "a9_nope"], f"course grade: {unknown}"),
        (["grade", "--student", "nobody"], "course grade: no submission from student 'nobody'; nothing is imported yet"),
        (["feedback", "--assignment", "a9_nope"], f"course feedback: {unknown}"),
        (["feedback", "--student", "nobody"],
         ("course feedback: no graded submission from 'nobody'; run `course grade` first, or check the id "
         "(grading/students.csv maps LMS ids to student ids)")),
        (["release", "a9_nope"], f"course release: {unknown}"),
        (["release", "--due", "2026-03-01"], ("course release: --due needs the assignment(s) it is for, e.g. "
                                             "`course release a1_sigmoid_tanh --due '2026-03-01 23:59'`")),
        (["release", A1, "--due", "soon"],
         "course release: --due: not a date: 'soon' (expected e.g. 2026-03-01 12:00:00 UTC)"),
        (["remove", A1, "nobody"], f"course remove: no submission of {A1} from 'nobody'; none is imported"),
        (["similarity", "a9_nope"], f"course similarity: {unknown}"),
        (["similarity", A1], (f"course similarity: no submitted {A1}.ipynb to compare; run "
                             f"`course import {A1} ...` first")),
    ]
    zip_before = (course.work / "release" / "exercises.zip")
    zip_before = zip_before.stat().st_mtime_ns if zip_before.exists() else None
    for argv, message in cases:
        status, out, err = run(course, capsys, *argv)
        assert (status, err.strip(), out) == (2, message, ""), argv
    # a typo never rewrites the LMS zip
    after = course.work / "release" / "exercises.zip"
    assert (after.stat().st_mtime_ns if after.exists() else None) == zip_before
    # places that cannot be written
    status, out, err = run(course, capsys, "export", "/proc/x.csv")
    assert status == 2 and err.startswith("course export: cannot write /proc/x.csv: ") and len(err.splitlines()) == 1
    status, out, err = run(course, capsys, "report", "--out", "/proc/x")
    assert status == 2 and err.startswith("course report: cannot write the report into /proc/x: ")
    assert len(err.splitlines()) == 1
    # outside a course, and --root that is not one
    monkeypatch.chdir(tmp_path)
    assert main(["grade"]) == 2
    assert capsys.readouterr().err.strip() == (f"course grade: no nbgrader_config.py in {tmp_path.resolve()} or above: "
                                               "run `course` from the course folder or give it with --root")
    assert main(["--root", str(tmp_path), "export"]) == 2
    assert capsys.readouterr().err.strip() == (f"course export: --root {tmp_path}: no nbgrader_config.py there; "
                                               "give the course folder")


@pytest.mark.parametrize("argv, message", [
    (["grade", "--workers", "0"], "argument --workers: expected a whole number of at least 1, got '0'"),
    (["similarity", A1, "--threshold", "2"], "argument --threshold: expected a number in (0, 1], e.g. 0.6, got '2'"),
])
def test_bad_numbers_are_refused_by_the_parser(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and capsys.readouterr().err.strip().endswith(message)


def test_every_argument_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {action.dest}" for name, p in [("course", parser), *sub.choices.items()]
               for action in p._actions if not isinstance(action, argparse._SubParsersAction) and not action.help]
    assert missing == []
    assert {"import", "remove", "similarity", "release", "grade", "feedback", "export", "report"} <= set(sub.choices)


# ---- LMS exports -------------------------------------------------------------------------------

def _zipped(path, members: dict) -> str:
    with zipfile.ZipFile(path, "w") as zf:
        for name, (data, when) in members.items():
            zf.writestr(zipfile.ZipInfo(name, when), data)
    return str(path)


MARCH_1, MARCH_2, MARCH_3 = (2026, 3, 1, 10, 0, 0), (2026, 3, 2, 10, 0, 0), (2026, 3, 3, 10, 0, 0)


def test_canvas_resubmission_and_late_marker(released, tmp_path, capsys):
    course = released
    reset(course)
    old, new = nbformat.writes(filled(course, {"part_a_solution": NAIVE_SIGMOID})), nbformat.writes(filled(course))
    archive = _zipped(tmp_path / "submissions.zip", {
        f"smithjane_12345_600_{NB}": (old, MARCH_1),
        f"smithjane_12345_700_{A1}-1.ipynb": (new, MARCH_2),  # handed in again: Canvas adds "-1"
        f"leekim_late_23456_800_{NB}": (new, MARCH_3),
    })
    status, out, err = run(course, capsys, "import", A1, archive)
    assert status == 0, err
    assert out.splitlines() == ["leekim: new", "smithjane: new", f"imported 2 submission(s) for {A1} (Canvas export)"]
    assert (course.submitted / "smithjane" / A1 / NB).read_text() == new  # the newest, under its proper name
    assert (course.submitted / "smithjane" / A1 / "timestamp.txt").read_text() == "2026-03-02 10:00:00.000000 UTC"
    archived = list((course.archive / "smithjane" / A1).rglob(NB))
    assert [p.read_text() for p in archived] == [old]
    assert f"warning: smithjane: smithjane_12345_600_{NB} is an older version of a file in the same export" in err
    with open(course.work / "imports.csv", newline="") as f:
        log = {r["student_id"]: r for r in csv.DictReader(f)}
    assert (log["leekim"]["late"], log["leekim"]["lms_user_id"], log["smithjane"]["late"]) == ("late", "23456", "")
    assert log["leekim"]["timestamp"] == "2026-03-03 10:00:00.000000 UTC"


def test_moodle_blackboard_and_folder_zips(released, tmp_path, capsys):
    course = released
    nb = nbformat.writes(filled(course))
    exports = {
        "moodle.zip": ({f"Jane Smith_301_assignsubmission_file_{NB}": (nb, MARCH_1),
                        f"Li Wei_302_assignsubmission_file_{NB}": (nb, MARCH_2)}, ["Jane_Smith", "Li_Wei"]),
        "moodle_folders.zip": ({f"Ana Lima_303_assignsubmission_file_/{NB}": (nb, MARCH_1)}, ["Ana_Lima"]),
        "blackboard.zip": ({f"{A1}_bjones_attempt_2026-03-01-09-30-00_{NB}": (nb, MARCH_2),
                            f"{A1}_bjones_attempt_2026-03-01-09-30-00.txt": ("receipt", MARCH_2)}, ["bjones"]),
        # a zip of per-student folders, one of them with the assignment's folder inside: no bogus students
        # (bob's helper file looks like a Canvas name, but it is inside his folder)
        "folders.zip": ({f"export/ann/{A1}/{NB}": (nb, MARCH_1), f"export/bob/{NB}": (nb, MARCH_1),
                         "export/bob/helper_1_2_x.py": ("x = 1\n", MARCH_1)}, ["ann", "bob"]),
    }
    for name, (members, students) in exports.items():
        reset(course)
        status, out, err = run(course, capsys, "import", A1, _zipped(tmp_path / name, members))
        assert status == 0, (name, err)
        assert [ln.split(":")[0] for ln in out.splitlines()[:-1]] == students, name
        assert sorted(d.name for d in course.submitted.iterdir()) == students, name
        for s in students:
            assert (course.submitted / s / A1 / NB).read_text() == nb
        if name == "blackboard.zip":  # Blackboard's submission time is in its file name
            assert (course.submitted / "bjones" / A1 / "timestamp.txt").read_text() == "2026-03-01 09:30:00.000000 UTC"
    assert (course.submitted / "bob" / A1 / "helper_1_2_x.py").read_text() == "x = 1\n"


def test_unmatched_files_and_a_renamed_notebook_are_reported(released, tmp_path, capsys):
    course = released
    reset(course)
    nb = nbformat.writes(filled(course))
    archive = _zipped(tmp_path / "mixed.zip", {
        f"ok_1_2_{NB}": (nb, MARCH_1),
        f"sloppy_3_4_{A1} (1).ipynb": (nb, MARCH_1),
        "README.txt": ("instructions", MARCH_1),
    })
    status, out, err = run(course, capsys, "import", A1, archive)
    assert status == 1
    assert out.splitlines() == ["ok: new", "sloppy: new", (f"imported 2 submission(s) for {A1} (Canvas export); "
                                "0 refused, 1 file(s) matched no pattern")]
    assert (f"warning: sloppy: no {NB} in the submission; found {A1} (1).ipynb (renamed?); it will score 0 unless "
            f"the notebook is renamed to {NB} and imported again") in err
    assert (f"not imported: README.txt: matches no LMS file-name pattern; expected e.g. jsmith_12345_67890_{NB} "
            "(Canvas)") in err


def test_remove_archives_a_wrong_submission(released, tmp_path, capsys):
    course = released
    reset(course)
    _write(tmp_path / "in" / "oops", {NB: filled(course)})
    run(course, capsys, "import", A1, str(tmp_path / "in"))
    status, out, err = run(course, capsys, "remove", A1, "oops")
    assert status == 0, err
    assert out.startswith(f"removed oops/{A1}: submission, grades and feedback archived in grading/archive/oops/{A1}/")
    assert not (course.submitted / "oops" / A1).exists()
    kept = list((course.archive / "oops" / A1).glob(f"removed-*/submitted/{NB}"))
    assert len(kept) == 1 and kept[0].read_bytes() == (tmp_path / "in" / "oops" / NB).read_bytes()


# ---- a graded class: feedback, export, report -------------------------------------------------

HOSTILE_OUTPUT = ("from IPython.display import HTML, display\n"
                  "display(HTML('<img src=x onerror=\"alert(1)\"><script>alert(2)</script>"
                  "<a href=\"javascript:alert(3)\">x</a>'))\n"
                  "print('<script>alert(4)</script>')\n")
HOSTILE_MARKDOWN = "<script>alert(5)</script> <img src=x onerror=alert(6)> [click](javascript:alert(7))"


def _hostile(nb):
    insert_after("part_a_solution", HOSTILE_OUTPUT)(nb)
    nb.cells.append(nbformat.v4.new_markdown_cell(HOSTILE_MARKDOWN))


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory):
    course = released
    reset(course)
    tmp = tmp_path_factory.mktemp("class")
    assert main(["--root", str(course.root), "release", A1, "--due", "2026-03-01 23:59"]) == 0
    (course.work / "extensions.csv").write_text(f"student_id,assignment,until\nexcused,{A1},2026-03-05 00:00\n")
    members = {
        f"ref_101_1_{NB}": (nbformat.writes(filled(course)), MARCH_1),
        f"partial_102_2_{NB}": (nbformat.writes(filled(course, {"part_a_solution": NAIVE_SIGMOID})), MARCH_1),
        f"late_late_103_3_{NB}": (nbformat.writes(filled(course)), MARCH_3),
        f"excused_late_104_4_{NB}": (nbformat.writes(filled(course)), MARCH_3),
        f"hostile_105_5_{NB}": (nbformat.writes(filled(course, edit=_hostile)), MARCH_1),
        f"resub_106_6_{A1}-2.ipynb": (nbformat.writes(filled(course)), MARCH_1),
        f"renamed_107_7_{A1}-Copy1.ipynb": (nbformat.writes(filled(course)), MARCH_1),
    }
    assert main(["--root", str(course.root), "import", A1, _zipped(tmp / "canvas.zip", members)]) == 0
    results = P.grade(course, [A1], overrides=OVERRIDES, workers=2, progress=False, log=None)
    return course, {r.student: r for r in results}


def _page(course, student):
    page = (course.feedback_dir / student / A1 / f"{A1}.html").read_text()
    start, end = page.index(MATHJAX_START), page.index(MATHJAX_END)
    return page[:start] + page[end:], page[start:end]


def test_class_grades(graded):
    _, results = graded
    assert {s: (r.status, r.score) for s, r in results.items()} == {
        "ref": ("graded", 8), "partial": ("graded", 7), "late": ("graded", 8), "excused": ("graded", 8),
        "hostile": ("graded", 8), "resub": ("graded", 8), "renamed": ("missing", 0)}


def test_feedback_pages(graded, capsys):
    course, _ = graded
    status, out, err = run(course, capsys, "feedback")
    assert (status, err) == (0, "")
    assert out.strip() == "wrote 7 feedback file(s) under grading/feedback/"
    for student in ("ref", "partial", "late", "excused", "hostile", "resub"):
        page, mathjax = _page(course, student)
        for leak in ("BEGIN HIDDEN TESTS", "hidden=True", str(course.root), "/tmp/", "checks.py", "most recent call", "----&gt;",
                     "cdnjs", "<script src", "mathjax/2.7"):
            assert leak not in page, (student, leak)
        assert "<script" not in page, student  # the only scripts are MathJax's, inlined
        assert "window.MathJax" in mathjax
        assert re.search(r'src="https?:', mathjax) is None
        for test in ("test_sigmoid_values", "test_tanh_grad_stability"):
            assert f'<a href="#{test}">{test}</a>' in page
    partial, _ = _page(course, "partial")
    # the reason sentence is at the top, beside the failing test's name
    assert re.search(r'<a href="#test_sigmoid_stability">test_sigmoid_stability</a> \(Score: 0\.0 / 1\.0\) &mdash; '
                     r'<span class="reason">sigmoid raised RuntimeWarning: overflow encountered in exp on large '
                     r'negative', partial)
    hostile, _ = _page(course, "hostile")
    assert "<script>alert" not in hostile and "<img src=x" not in hostile and "<img src=\"x\"" not in hostile
    assert "&lt;script&gt;alert(5)&lt;/script&gt; &lt;img src=x onerror=alert(6)&gt;" in hostile  # the answer, as text
    assert re.search(r"<[a-zA-Z][^<>]*\son\w+\s*=", hostile) is None  # no event handler on any element
    assert re.search(r"<[a-zA-Z][^<>]*\s(href|src)\s*=\s*[\"']?\s*javascript:", hostile, re.IGNORECASE) is None
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in hostile  # printed text is shown, as text
    late, _ = _page(course, "late")
    assert "Late submission penalty (Score: -1.6)" in late
    excused, _ = _page(course, "excused")
    assert "Late submission penalty" not in excused
    renamed = (course.feedback_dir / "renamed" / A1 / f"{A1}.html").read_text()
    assert f"Your submission could not be graded: {NB} is missing from the submission; found {A1}-Copy1.ipynb" in renamed
    assert list((course.feedback_dir / "ref" / A1).iterdir()) == [course.feedback_dir / "ref" / A1 / f"{A1}.html"]


def test_feedback_renders_math_offline_and_runs_no_student_script(graded):
    """In headless Chromium (Debian's `chromium`; `make browser`), from file://: MathJax typesets the
    page with nothing fetched from the network, and the hostile student's page runs no script of theirs."""
    import sys

    sys.path.insert(0, str(REPO / "tools"))
    from chromium import SETTLED, chromium

    course, _ = graded
    with chromium() as browser:
        browser.send("Network.enable")
        for student in ("partial", "hostile"):
            page = course.feedback_dir / student / A1 / f"{A1}.html"
            browser.navigate(page.as_uri())
            browser.evaluate(SETTLED)
            typeset = browser.evaluate("document.querySelectorAll('mjx-container').length")
            raw_tex = browser.evaluate("document.body.innerText.includes(String.fromCharCode(92) + 'sigma')")
            scripts = browser.evaluate("document.scripts.length")
            handlers = browser.evaluate("Array.from(document.querySelectorAll('*')).filter(e => "
                                        "Array.from(e.attributes).some(a => a.name.startsWith('on'))).length")
            links = browser.evaluate("Array.from(document.querySelectorAll('a[href]')).filter(a => "
                                     "a.protocol === 'javascript:').length")
            fetched = [e["params"]["request"]["url"] for e in browser.drain("Network.requestWillBeSent")]
            assert typeset > 0 and not raw_tex, (student, typeset)
            assert (scripts, handlers, links) == (2, 0, 0), student  # MathJax's configuration and code only
            assert [u for u in fetched if not u.startswith(("file:", "data:"))] == [], student


def test_one_broken_notebook_does_not_stop_feedback(graded, capsys):
    course, _ = graded
    broken = course.autograded / "partial" / A1 / NB
    saved = broken.read_bytes()
    try:
        broken.write_text("{ not a notebook")
        status, out, err = run(course, capsys, "feedback")
    finally:
        broken.write_bytes(saved)
    assert status == 1
    assert out.strip() == "wrote 6 feedback file(s) under grading/feedback/; 1 problem(s) above"
    assert err.startswith(f"problem: partial/{A1}: feedback not written")
    assert len(err.splitlines()) == 1


def _csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_export_agrees_with_manual_scores_late_penalty_and_canvas(graded, tmp_path, capsys):
    from nbgrader.api import Gradebook

    course, _ = graded
    with P._quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        gb.find_grade("test_sigmoid_values", A1, A1, "ref").manual_score = 0.5
        gb.db.commit()
    P.grade(course, [A1], ["ref"], overrides=OVERRIDES, workers=1, progress=False, log=None, force=True)
    status, _out, err = run(course, capsys, "export", str(tmp_path / "grades.csv"))
    assert (status, err) == (0, "")
    grades = {r["student_id"]: r for r in _csv(tmp_path / "grades.csv") if r["assignment"] == A1}
    detail = _csv(tmp_path / "grades_detail.csv")
    for student, row in grades.items():
        cells = [float(r["score"]) for r in detail if r["student_id"] == student]
        assert sum(cells) == pytest.approx(float(row["score"])), student
    assert {s: (float(r["raw_score"]), float(r["late_submission_penalty"]), float(r["score"]))
            for s, r in grades.items()} == {
        "ref": (7.5, 0, 7.5), "partial": (7, 0, 7), "late": (8, 1.6, 6.4), "excused": (8, 0, 8),
        "hostile": (8, 0, 8), "resub": (8, 0, 8), "renamed": (0, 0, 0)}
    overridden = next(r for r in detail if r["student_id"] == "ref" and r["test"] == "test_sigmoid_values")
    assert (overridden["auto_score"], overridden["manual_score"], overridden["score"]) == ("1.0", "0.5", "0.5")
    failing = next(r for r in detail if r["student_id"] == "partial" and r["test"] == "test_sigmoid_stability")
    parts = failing["message"].split("; ")  # the kernel's and the re-check's reports, each statement once
    assert parts[0].startswith("sigmoid raised RuntimeWarning: overflow") and len(parts) == len(set(parts))
    assert "Trusted re-check" not in failing["message"]
    canvas = _csv(tmp_path / "grades_canvas.csv")
    assert list(canvas[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A1]
    assert {r["Student"]: (r["ID"], float(r[A1])) for r in canvas} == {
        "ref": ("101", 7.5), "partial": ("102", 7), "late": ("103", 6.4), "excused": ("104", 8),
        "hostile": ("105", 8), "resub": ("106", 8), "renamed": ("107", 0)}


def test_report_separates_ungradable_from_zero(graded, capsys):
    course, _ = graded
    status, _out, err = run(course, capsys, "report")
    assert (status, err) == (0, "")
    page = (course.work / "report" / "report.html").read_text()
    assert "6 graded submissions; 1 could not be graded" in page
    assert f"<li>renamed / {A1}: {NB} is missing from the submission" in page
    assert f"<tr><td>{A1}</td><td>test_sigmoid_stability</td><td>5 of 6 (83%)</td>" in page


# ---- similarity ------------------------------------------------------------------------------

INDEP1 = {
    "part_a_solution": "def sigmoid(x):\n    x = np.asarray(x, dtype=float)\n    return np.exp(-np.logaddexp(0.0, -x))\n",
    "part_b_solution": "def sigmoid_grad(x):\n    x = np.asarray(x, dtype=float)\n"
                       "    s = np.exp(-np.logaddexp(0.0, -x))\n    t = np.exp(-np.logaddexp(0.0, x))\n    return s * t\n",
    "part_c_solution": "def tanh(x):\n    return np.tanh(np.asarray(x, dtype=float))\n",
    "part_d_solution": "def tanh_grad(x):\n    c = np.cosh(np.clip(np.asarray(x, dtype=float), -350, 350))\n"
                       "    return 1.0 / (c * c)\n",
}
RENAMED_COPY = {  # INDEP1 with every local name changed
    "part_a_solution": "def sigmoid(x):\n    v = np.asarray(x, dtype=float)\n    return np.exp(-np.logaddexp(0.0, -v))\n",
    "part_b_solution": "def sigmoid_grad(x):\n    inp = np.asarray(x, dtype=float)\n"
                       "    left = np.exp(-np.logaddexp(0.0, -inp))\n    right = np.exp(-np.logaddexp(0.0, inp))\n"
                       "    return left * right\n",
    "part_c_solution": "def tanh(x):\n    return np.tanh(np.asarray(x, dtype=float))\n",
    "part_d_solution": "def tanh_grad(x):\n    ch = np.cosh(np.clip(np.asarray(x, dtype=float), -350, 350))\n"
                       "    return 1.0 / (ch * ch)\n",
}
INDEP2 = {
    "part_a_solution": "def sigmoid(x):\n    arr = np.array(x, dtype=np.float64)\n    half = 0.5 * arr\n"
                       "    return 0.5 + 0.5 * np.tanh(half)\n",
    "part_b_solution": "def sigmoid_grad(x):\n    y = 0.5 * np.tanh(0.5 * np.array(x, dtype=np.float64))\n"
                       "    return 0.25 - y ** 2\n",
    "part_c_solution": "def tanh(x):\n    v = np.array(x, dtype=np.float64)\n    return 2.0 / (1.0 + np.exp(-2.0 * v)) - 1.0\n",
    "part_d_solution": "def tanh_grad(x):\n    th = np.tanh(np.array(x, dtype=np.float64))\n"
                       "    return (1.0 - th) * (1.0 + th)\n",
}
FROM_THE_BOOK = {  # course_lib's _sigmoid, which the sigmoid page shows with literalinclude
    "part_a_solution": "def sigmoid(x):\n    x = np.asarray(x, dtype=float)\n    out = np.negative(x)\n"
                       "    np.exp(out, out=out)\n    out += 1.0\n    np.divide(1.0, out, out=out)\n"
                       "    deep = x < -700\n    if deep.any():\n        out[deep] = np.exp(x[deep])\n    return out\n",
}


# (before the similarity test, which starts a class of its own: `graded` must still be there)
def test_an_unreadable_result_record_does_not_stop_export_or_report(graded, tmp_path, capsys):
    course, _ = graded
    torn = course.results / A1 / "torn.json"
    torn.write_text('{"student": "torn", "assign')
    try:
        status, _, err = run(course, capsys, "export", str(tmp_path / "grades.csv"))
        assert status == 1 and err.startswith(f"problem: torn/{A1}: result record unreadable (")
        assert {r["student_id"] for r in _csv(tmp_path / "grades.csv")} >= {"ref", "partial", "late"}
        status, _out, err = run(course, capsys, "report")
        assert (status, err) == (0, "")
        assert f"torn/{A1}: result record unreadable" in (course.work / "report" / "report.html").read_text()
    finally:
        torn.unlink()


def test_similarity_flags_copies_and_leaves_independent_work(released, tmp_path, capsys):
    course = released
    reset(course)
    untouched = {k: "" for k in INDEP1}  # the template's cells only
    for student, sols in {"indep1": INDEP1, "copier": RENAMED_COPY, "indep2": INDEP2,
                          "bookworm": FROM_THE_BOOK}.items():
        nb = filled(course, sols)
        if student == "bookworm":  # only part a written; the rest left as released
            template = {c.metadata["nbgrader"]["grade_id"]: c.source for c in
                        nbformat.read(course.release_dir / A1 / NB, as_version=4).cells
                        if c.metadata.get("nbgrader", {}).get("grade_id") in untouched}
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if gid in template and gid != "part_a_solution":
                    cell.source = template[gid]
        _write(tmp_path / "in" / student, {NB: nb})
    assert run(course, capsys, "import", A1, str(tmp_path / "in"))[0] == 0
    status, out, err = run(course, capsys, "similarity", A1)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    flagged = [re.sub(r"^\s*\d+%\s+", "", ln) for ln in lines[:-1]]
    assert flagged[0] == "copier ~ indep1" and lines[0].startswith("100%")
    assert "bookworm (part_a_solution) ~ course_lib/activations/sigmoidal.py (the course's code)" in flagged
    assert len(flagged) == 2  # nothing for indep2, nor between the independent solutions
    page = course.work / "report" / f"similarity-{A1}.html"
    assert lines[-1] == f"2 pair(s) at or above 60%; side by side in {page}"
    html = page.read_text()
    assert "<mark>" in html and "logaddexp" in html and "<script" not in html
