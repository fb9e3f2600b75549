"""Grading a class in parallel: the same grades as serial, on local workers and on Dask;
Ctrl-C and resume; PostgreSQL as the gradebook of two instructors grading at once. The parallel
and Dask runs happen while two busy processes load both cores: a grade must not depend on load.

The class is the adversarial one of test_grading.py (tests/grading_class.py), cut to the cases
that stress a grader (kernel killed, time-outs, memory bomb, nothing to grade, faked passes);
test_grading.py checks each case's exact score and message on the full class. It is graded
serially once and in parallel once (module-scoped fixtures); the other tests compare with those.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from grading_class import A1, OVERRIDES, _write, make_course, submissions  # tests/ is on sys.path

from course_lib.grading import pipeline as P
from course_lib.grading.parallel import Interrupted, plan

pytestmark = pytest.mark.slow

#: what a grade consists of: everything but timings and where the files went
COMPARED = ("status", "score", "max_score", "message", "files", "digest", "grades", "comments", "cells", "timestamp")
CLASS = ["ref", "untouched", "partial", "syntax_error", "deleted_test", "renamed", "missing", "infinite_loop",
         "os_exit", "sys_exit", "huge_output", "memory_bomb", "monkeypatch", "input_transformer"]
#: the Dask run grades these (the bad ones included) to keep the test short
DASK_STUDENTS = ["ref", "partial", "syntax_error", "missing", "infinite_loop", "os_exit", "memory_bomb", "monkeypatch"]


def comparable(result: P.GradeResult) -> dict:
    """A result without its timings and where its files went. The re-check's random inputs are
    seeded by the submission, so messages, quoted values included, must match exactly."""
    d = result.to_dict()
    return {k: d[k] for k in COMPARED}


def scores_in_gradebook(course: P.Course) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with P._quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        return {s.student.id: s.score for s in gb.find_assignment(A1).submissions}


def import_class(course: P.Course, tmp: Path, students=None) -> dict:
    subs = submissions(course)
    for student, (files, _, _) in subs.items():
        if students is None or student in students:
            _write(tmp / student, files)
    P.import_submissions(course, A1, tmp)
    return subs


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("parallel"))
    P.release(course)
    subs = import_class(course, tmp_path_factory.mktemp("incoming"), CLASS)
    return course, {s: subs[s] for s in CLASS}


@pytest.fixture(scope="module")
def serial(course):
    course, _ = course
    return {r.student: r for r in P.grade(course, [A1], overrides=OVERRIDES, workers=1, progress=False, log=None)}


@contextlib.contextmanager
def busy_machine(processes: int = 2):
    """Keep every core of the 2-core CI machine busy (grades must not depend on load)."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield
    finally:
        for p in burners:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def parallel(course, serial):
    course, _ = course
    lines = []
    with busy_machine():
        results = P.grade(course, [A1], overrides=OVERRIDES, workers=2, force=True, progress=False, log=lines.append)
    return {r.student: r for r in results}, lines


def test_serial_grades_are_the_expected_ones(course, serial):
    _, subs = course
    assert {s: r.score for s, r in serial.items()} == {s: score for s, (_, score, _) in subs.items()}


def test_parallel_grades_equal_serial(course, serial, parallel):
    results, _ = parallel
    assert set(results) == set(serial)
    for student, r in serial.items():
        assert comparable(results[student]) == comparable(r), student


def test_gradebook_is_intact_and_agrees(course, parallel):
    course, _ = course
    results, _ = parallel
    with contextlib.closing(sqlite3.connect(course.gradebook)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert scores_in_gradebook(course) == {s: r.score for s, r in results.items()}
    for s, r in results.items():  # the autograded notebooks came back through the result
        nb = course.autograded / s / A1 / f"{A1}.ipynb"
        assert nb.exists() == (r.status == "graded"), s


def test_summary_names_failures_and_time(parallel):
    _, lines = parallel
    summary = next(ln for ln in lines if ln.startswith("graded "))
    assert summary.startswith(f"graded {len(CLASS) - 2}, failed 2;") and "total time" in summary and "submissions/min" in summary
    assert any("missing/a1_sigmoid_tanh: missing: a1_sigmoid_tanh.ipynb is missing" in ln for ln in lines)
    assert any("renamed/a1_sigmoid_tanh: missing:" in ln for ln in lines)


def test_rerun_skips_what_is_graded_and_force_regrades(course, parallel):
    course, _ = course
    jobs, skipped = plan(course, [A1])
    assert jobs == [] and len(skipped) == len(CLASS)
    jobs, skipped = plan(course, [A1], force=True)
    assert len(jobs) == len(CLASS) and skipped == []


def test_private_gradebook_holds_the_structure_and_no_student(course, tmp_path):
    from nbgrader.api import Gradebook

    course, _ = course
    private = P.private_gradebook(course, [A1], tmp_path / "private.db")

    def structure(url):
        with P._quiet_sqlalchemy(), Gradebook(url, course_id=course.course_id) as gb:
            nb = gb.find_notebook(A1, A1)
            return (sorted((c.name, c.max_score, c.cell_type) for c in nb.grade_cells),
                    sorted(c.name for c in nb.solution_cells),
                    sorted((c.name, c.checksum, c.locked) for c in nb.source_cells),
                    len(gb.students))

    real, mine = structure(course.db_url), structure(f"sqlite:///{private}")
    assert mine[:3] == real[:3] and len(mine[0]) == 8
    assert real[3] == len(CLASS) and mine[3] == 0


def test_timings_say_where_the_time_goes(serial):
    r = serial["ref"]
    assert {"kernel start", "execute", "recheck", "gradebook", "record"} <= set(r.timings)
    assert all(r.timings[k] > 0 for k in ("kernel start", "execute", "recheck", "gradebook", "record"))


def test_dask_grades_equal_serial(course, serial, parallel):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    course, _ = course
    with busy_machine(), LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                      memory_limit=0) as cluster:
        results = P.grade(course, [A1], DASK_STUDENTS, overrides=OVERRIDES, scheduler=cluster.scheduler_address,
                          force=True, progress=False, log=None)
    assert sorted(r.student for r in results) == sorted(DASK_STUDENTS)
    for r in results:
        assert comparable(r) == comparable(serial[r.student]), r.student
    with contextlib.closing(sqlite3.connect(course.gradebook)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---- Ctrl-C and resume ---------------------------------------------------------------------

QUICK = ["ref", "partial", "wrong_values", "sys_exit", "nan_output", "float32_scalar", "mutates_input"]


def test_sigint_leaves_a_consistent_gradebook_and_a_rerun_finishes(tmp_path):
    course = make_course(tmp_path)
    P.release(course)
    subs = import_class(course, tmp_path / "incoming", QUICK)
    proc = subprocess.Popen([sys.executable, "-m", "course_lib.cli", "--root", str(course.root), "grade",
                             "--workers", "1", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(course.results.glob(f"{A1}/*.json")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted:" in err and "run `course grade` again" in err
    assert "Traceback" not in err, err
    with contextlib.closing(sqlite3.connect(course.gradebook)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = {r.student: r.score for r in P.load_results(course)}
    assert 1 <= len(done) < len(QUICK)
    assert scores_in_gradebook(course) == done  # every record is whole: gradebook and result agree
    assert done == {s: subs[s][1] for s in done}
    rerun = P.grade(course, [A1], workers=2, progress=False, log=None)
    assert sorted(r.student for r in rerun) == sorted(set(QUICK) - set(done))
    assert scores_in_gradebook(course) == {s: subs[s][1] for s in QUICK}


def test_interrupted_carries_the_counts():
    exc = Interrupted([], 3)
    assert "3 not graded yet" in str(exc) and "consistent" in str(exc)


# ---- PostgreSQL --------------------------------------------------------------------------

def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL test cannot run in CI: {reason}")
    pytest.skip(f"PostgreSQL test skipped: {reason} (install the Debian package `postgresql`, e.g. `make postgres`)")


def _pg_bin() -> Path | None:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return Path(d)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL server on 127.0.0.1 (run as a non-root user); yields a URL maker."""
    psycopg = pytest.importorskip("psycopg", reason="the psycopg driver is not installed")

    bindir = _pg_bin()
    if bindir is None:
        _unavailable("no initdb/pg_ctl found (/usr/lib/postgresql/*/bin)")
    run_as: list[str] = []
    top = Path(tempfile.mkdtemp(prefix="course-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
        if user is None or not shutil.which("runuser"):
            _unavailable("running as root and no unprivileged user (postgres, nobody) with runuser")
        run_as = ["runuser", "-u", user, "--"]
        os.chmod(top, 0o755)
        pw = pwd.getpwnam(user)
        os.chown(top, pw.pw_uid, pw.pw_gid)
    data, port = top / "data", _free_port()
    try:
        subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True, text=True)
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(top / "log"), "-w", "-t", "60",
                        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {top} -c fsync=off", "start"],
                       check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(top, ignore_errors=True)
        _unavailable(f"could not start a server: {exc.stderr or exc.stdout}")

    def make_db(name: str) -> str:
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{port}/{name}"

    yield make_db
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                   capture_output=True, check=False)
    shutil.rmtree(top, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def test_two_instructors_grade_at_once_into_postgresql(postgres, tmp_path):
    url = postgres("gradebook")
    course = P.Course(make_course(tmp_path).root, url)
    P.release(course)  # registers the assignments in PostgreSQL
    halves = [["ref", "partial"], ["wrong_values", "sys_exit", "nan_output"]]
    subs = import_class(course, tmp_path / "incoming", [s for h in halves for s in h])
    runs = [subprocess.Popen([sys.executable, "-m", "course_lib.cli", "--root", str(course.root), "--db-url", url,
                              "grade", "--workers", "1", "--quiet", *[a for s in half for a in ("--student", s)]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for half in halves]
    for proc in runs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, (out, err)
        assert "back it up with the database's own tools" in out
    expected = {s: subs[s][1] for h in halves for s in h}
    assert scores_in_gradebook(course) == expected
    assert not course.gradebook.exists()  # nothing went to SQLite
    # resuming works against PostgreSQL too: nothing left to grade
    assert plan(course, [A1]) == ([], sorted([(s, A1) for s in expected], key=lambda p: p[0]))
