"""Imports that cannot be used to smuggle: symlinks, zip-slip, bad timestamps, odd student ids,
spreadsheet formulas -- each through the real CLI (`course import`) on a temporary course.

Nothing here runs a kernel: the course is released once and each test imports into it.
"""

from __future__ import annotations

import csv
import os
import stat
import zipfile

import nbformat
import pytest
from grading_class import (  # tests/ is on sys.path (conftest.py)
    A1,
    _write,
    filled,
    make_course,
    run,
)

from course_lib.grading import pipeline as P
from course_lib.grading.export import csv_safe, write_csv
from course_lib.grading.importing import read_timestamp, student_map

NB = f"{A1}.ipynb"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("hostile"))
    P.release(course, [A1])
    return course


@pytest.fixture
def course(released, tmp_path):
    """A fresh grading/ folder for each test, sharing the released course (exercises/, gradebook)."""
    import shutil

    for sub in ("submitted", "archive"):
        shutil.rmtree(released.work / sub, ignore_errors=True)
    for name in ("students.csv", "imports.csv"):
        (released.work / name).unlink(missing_ok=True)
    return released


def submitted_files(course):
    return sorted(p.relative_to(course.submitted).as_posix() for p in course.submitted.rglob("*")
                  if p.is_file() or p.is_symlink()) if course.submitted.exists() else []


def test_symlinked_notebook_to_solutions_is_refused(course, tmp_path, capsys):
    _write(tmp_path / "in" / "honest", {NB: filled(course)})
    (tmp_path / "in" / "cheat").mkdir()
    os.symlink(course.source / A1 / NB, tmp_path / "in" / "cheat" / NB)
    status, out, err = run(course, capsys, "import", A1, str(tmp_path / "in"))
    assert status == 1
    assert f"refused: cheat: cheat/{NB} is a symbolic link; submissions must be plain files (not imported)" in err
    assert out.splitlines()[0] == "honest: new"
    assert submitted_files(course) == [f"honest/{A1}/{NB}", f"honest/{A1}/timestamp.txt"]


def test_symlink_to_another_students_notebook_and_symlinked_extra_file(course, tmp_path, capsys):
    _write(tmp_path / "in" / "victim", {NB: filled(course)})
    (tmp_path / "in" / "copier").mkdir()
    os.symlink(tmp_path / "in" / "victim" / NB, tmp_path / "in" / "copier" / NB)
    _write(tmp_path / "in" / "smuggler", {NB: filled(course)})
    os.symlink(course.gradebook, tmp_path / "in" / "smuggler" / "grades.db")
    status, _, err = run(course, capsys, "import", A1, str(tmp_path / "in"))
    assert status == 1
    assert "refused: copier: copier/" + NB + " is a symbolic link" in err
    assert "refused: smuggler: smuggler/grades.db is a symbolic link" in err
    assert submitted_files(course) == [f"victim/{A1}/{NB}", f"victim/{A1}/timestamp.txt"]


def test_symlinked_student_folder_is_refused(course, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    os.symlink(course.source / A1, tmp_path / "in" / "mallory")
    status, _, err = run(course, capsys, "import", A1, str(tmp_path / "in"))
    assert status == 2
    assert err.strip() == (f"course import: nothing imported from {tmp_path / 'in'}: mallory: mallory is a symbolic "
                           "link; submissions must be plain files (not imported)")
    assert submitted_files(course) == []


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            if isinstance(data, zipfile.ZipInfo):
                zf.writestr(data, "/etc/passwd")
            else:
                zf.writestr(name, data)
    return path


def test_zip_slip_members_are_refused(course, tmp_path, capsys):
    nb = nbformat.writes(filled(course))
    link = zipfile.ZipInfo(f"linker_12345_67890_{NB}")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = _zip(tmp_path / "export.zip", {
        f"../escaped/{A1}/{NB}": nb,
        f"/abs_12345_67890_{NB}": nb,
        f"ok_12345_67890_{NB}": nb,
        "link": link,
    })
    status, out, err = run(course, capsys, "import", A1, str(archive))
    assert status == 1
    assert f"refused: export.zip: '../escaped/{A1}/{NB}' refused: a '..' path" in err
    assert f"refused: export.zip: '/abs_12345_67890_{NB}' refused: an absolute path" in err
    assert f"refused: export.zip: 'linker_12345_67890_{NB}' refused: a symbolic link" in err
    assert out.splitlines() == ["ok: new", (f"imported 1 submission(s) for {A1} (Canvas export); 3 refused, "
                                           "0 file(s) matched no pattern")]
    assert submitted_files(course) == [f"ok/{A1}/{NB}", f"ok/{A1}/timestamp.txt"]
    assert not (tmp_path / "escaped").exists() and not (course.work / "escaped").exists()


def test_zip_of_only_unsafe_members_imports_nothing(course, tmp_path, capsys):
    archive = _zip(tmp_path / "bad.zip", {f"../../{NB}": "{}"})
    status, _, err = run(course, capsys, "import", A1, str(archive))
    assert status == 2
    assert err.strip() == (f"course import: nothing imported from {archive}: bad.zip: '../../{NB}' refused: a '..' "
                           "path (archive members must be plain files with relative paths)")


def test_malformed_timestamp_is_refused_at_import(course, tmp_path, capsys):
    _write(tmp_path / "in" / "late", {NB: filled(course), "timestamp.txt": "yesterday, honest"})
    _write(tmp_path / "in" / "fine", {NB: filled(course), "timestamp.txt": "2026-03-01T14:30:00+02:00"})
    status, out, err = run(course, capsys, "import", A1, str(tmp_path / "in"))
    assert status == 1
    assert ("refused: late: timestamp.txt is not a date: 'yesterday, honest' (expected e.g. 2026-03-01 12:00:00 UTC); "
            "fix it or delete it (not imported)") in err
    assert out.splitlines()[0] == "fine: new"
    assert (course.submitted / "fine" / A1 / "timestamp.txt").read_text() == "2026-03-01 12:30:00.000000 UTC"


def test_malformed_timestamp_at_grade_time_is_a_message(tmp_path):
    (tmp_path / "timestamp.txt").write_text("2026-02-30 25:00")
    assert read_timestamp(tmp_path) == (None, ("timestamp.txt is not a date: '2026-02-30 25:00' (expected e.g. "
                                              "2026-03-01 12:00:00 UTC): ignored (the submission counts as on time)"))
    (tmp_path / "timestamp.txt").write_text("2026-03-01 12:00:00 UTC\n")
    assert read_timestamp(tmp_path) == ("2026-03-01 12:00:00.000000 UTC", "")


ODD = {"a+b": "a_b", "x=y": "x_y", "[team]": "team", "=HYPERLINK(1)": "HYPERLINK_1", "-rm": "rm",
       "@at": "at", "+plus": "plus", "Zoë Ödegaard": "Zoe_Odegaard"}


def test_odd_student_ids_are_normalised_and_recorded(course, tmp_path, capsys):
    long_id = "a_very_long_student_identifier_from_some_lms_0123456789"
    for raw in [*ODD, long_id]:
        _write(tmp_path / "in" / raw, {NB: filled(course)})
    status, out, err = run(course, capsys, "import", A1, str(tmp_path / "in"))
    assert status == 0, err
    ids = {line.split(":")[0] for line in out.splitlines()[:-1]}
    mapping = student_map(course)
    assert {raw: sid for sid, row in mapping.items() for raw in [row["lms_id"]] if raw in ODD} == ODD
    long_safe = next(s for s in ids if s.startswith("a_very_long"))
    assert len(long_safe) == 40 and mapping[long_safe]["lms_id"] == long_id
    assert ids == {*ODD.values(), long_safe}
    for sid in ids:
        assert (course.submitted / sid / A1 / NB).is_file()
    # the LMS ids starting with = + - @ are escaped in students.csv (read as text, not a formula)
    rows = list(csv.reader((course.work / "students.csv").read_text().splitlines()))
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if c and c[0] in "=+-@"] == []
    assert {"'=HYPERLINK(1)", "'-rm", "'@at", "'+plus"} <= set(cells)
    # importing the same class again keeps the same ids (stable)
    status, out2, _ = run(course, capsys, "import", A1, str(tmp_path / "in"))
    assert {line.split(":")[0] for line in out2.splitlines()[:-1]} == ids
    assert all(line.endswith(": unchanged") for line in out2.splitlines()[:-1])


def test_colliding_ids_get_distinct_safe_ids(course, tmp_path, capsys):
    for raw in ("a+b", "a=b"):
        _write(tmp_path / "in" / raw, {NB: filled(course)})
    status, out, _ = run(course, capsys, "import", A1, str(tmp_path / "in"))
    ids = sorted(line.split(":")[0] for line in out.splitlines()[:-1])
    assert status == 0 and len(set(ids)) == 2 and ids[0] == "a_b" and ids[1].startswith("a_b_")


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_prefix_is_escaped(tmp_path, value):
    path = write_csv(tmp_path / "x.csv", ["student_id", "score"], [{"student_id": value, "score": -1.5}])
    with open(path, newline="") as f:
        row = next(csv.DictReader(f))
    assert row == {"student_id": "'" + value, "score": "-1.5"}  # numbers stay numbers
    assert csv_safe("jsmith") == "jsmith"
