"""The student's path, walked as a student would with the commands the README and notebooks print.

* the visible tests cover every kind of input the hidden ones check;
* a git pull that touches ``nbgrader_config.py`` and a source notebook, then ``make exercises`` and
  ``course release``, keeps the student's edited notebook, with one line saying so;
* plausible flawed solutions: ``course check``'s exact verdict and predicted score, and the score
  grading gives (the same; "ready" only for full automatic marks);
* the release bundle installs offline into a new virtual environment outside the repository, and
  ``course check`` passes the reference solution there;
* ``make lab`` starts (as root too), and its terminal has ``course`` on PATH in ``exercises/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading_class import A1, OVERRIDES, REF, _write, filled, make_course  # tests/ is on sys.path

from course_lib.grading import pipeline as P
from course_lib.grading import spec
from course_lib.grading.release import STUDENT_FILES, build_wheel
from course_lib.grading.student_check import check

REPO = Path(__file__).resolve().parents[1]
A6 = "a6_design"
BIN = Path(sys.executable).parent


def test_every_hidden_kind_has_a_visible_case():
    for a in spec.ASSIGNMENTS:
        for t in a.tests:
            visible = {c.kind for c in t.cases if not c.hidden and not c.random}
            hidden = {c.kind for c in t.cases if c.hidden}
            assert hidden <= visible, f"{a.id}/{t.grade_id}: no visible case of {hidden - visible}"


def test_student_package_holds_no_hidden_input_or_grading_seed(tmp_path):
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        text = "\n".join(zf.read(n).decode() for n in names)
    assert "course_lib/grading/spec.py" in names and "course_lib/grading/student_check.py" in names
    for secret in ("hidden_cases.py", "recheck.py", "_sandbox_runner.py", "pipeline.py"):
        assert not any(n.endswith(secret) for n in names), secret
    assert "submission_seed" not in text
    # no reference solution: every solution block of the spec it ships is empty
    shipped = zipfile.ZipFile(wheel).read("course_lib/grading/spec.py").decode()
    blocks = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", shipped, re.DOTALL)
    source = (REPO / "course_lib/grading/spec.py").read_text()
    assert len(blocks) == len(re.findall(r"^\s*### BEGIN SOLUTION$", source, re.MULTILINE)) > 20
    assert {b.strip() for b in blocks} == {"raise NotImplementedError()"}
    assert "bounded above like ReLU6" not in text  # the model written answer
    # the spec it ships has the visible and random cases and no hidden one
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from course_lib.grading import spec; "
             "cases = [c for a in spec.ASSIGNMENTS for t in a.tests for c in t.cases]; "
             "print(spec.HIDDEN_AVAILABLE, sum(c.hidden for c in cases), sum(c.random for c in cases))")
    out = subprocess.run([sys.executable, "-I", "-c", probe, str(wheel)], capture_output=True, text=True, check=True)
    n_random = sum(c.random for a in spec.ASSIGNMENTS for t in a.tests for c in t.cases)
    assert out.stdout.split() == ["False", "0", str(n_random)]
    assert len(STUDENT_FILES) < 12


# ---- the git-pull scenario ----------------------------------------------------------------

def _git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd,
                          capture_output=True, text=True, check=True).stdout


def _make(clone: Path, *targets) -> subprocess.CompletedProcess:
    """`make TARGET` in a clone, with this environment's .venv (never re-installed)."""
    venv = BIN.parent
    env = {**os.environ, "PYTHONPATH": str(clone)}  # the clone's course_lib, not the one installed
    return subprocess.run(["make", "--no-print-directory", "-C", str(clone), f"VENV={venv}",
                           "-o", f"{venv}/.installed-stamp", "-o", f"{venv}/etc/ipython/ipython_kernel_config.py",
                           *targets], capture_output=True, text=True, env=env, timeout=600, check=False)


@pytest.mark.slow
def test_git_pull_keeps_the_students_work(tmp_path):
    upstream, clone = tmp_path / "upstream", tmp_path / "student"
    _git(tmp_path, "clone", "-q", str(REPO), str(upstream))
    _git(tmp_path, "clone", "-q", str(upstream), str(clone))
    mine = clone / "exercises" / A1 / f"{A1}.ipynb"

    # a fresh clone: nothing is regenerated, nothing is printed about the notebooks
    fresh = _make(clone, "exercises")
    assert fresh.returncode == 0, fresh.stderr
    assert "exercises/" not in fresh.stdout + fresh.stderr and not _git(clone, "status", "--porcelain")

    # the student solves a1 in exercises/
    nb = nbformat.read(mine, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in REF[A1]:
            cell.source = REF[A1][gid]
    nbformat.write(nb, mine)
    work = mine.read_bytes()

    # upstream touches nbgrader_config.py and a1's text (spec.py and the source notebook made from
    # it), and does not regenerate the student copies
    with open(upstream / "nbgrader_config.py", "a") as f:
        f.write("\n# a comment from upstream\n")
    spec_py = upstream / "course_lib" / "grading" / "spec.py"
    text = spec_py.read_text()
    hint = "overflow and stay accurate far out in the tails."
    assert text.count(hint) == 1
    spec_py.write_text(text.replace(hint, hint + " One more hint."))
    regenerate = "from course_lib.grading.notebook_template import write_all; print(write_all('.'))"
    subprocess.run([sys.executable, "-c", regenerate], cwd=upstream, env={**os.environ, "PYTHONPATH": str(upstream)},
                   check=True, capture_output=True)
    _git(upstream, "commit", "-q", "-am", "upstream: config comment, a1 text")
    assert _git(upstream, "show", "--name-only", "--format=").split() == [
        "course_lib/grading/spec.py", "nbgrader_config.py", f"solutions/{A1}/{A1}.ipynb"]
    _git(clone, "pull", "-q", "--no-rebase")

    for attempt in range(2):  # and again: still nothing lost, the same one line
        out = _make(clone, "exercises")
        assert out.returncode == 0, out.stderr
        lines = [ln for ln in out.stdout.splitlines() if "exercises/" in ln]
        assert lines == [KEPT], out.stdout
        assert mine.read_bytes() == work
    new = nbformat.read(mine.with_name(f"{A1}.new.ipynb"), as_version=4)
    assert "One more hint." in new.cells[0].source
    # the other five notebooks were not touched
    assert _git(clone, "status", "--porcelain", "exercises").split() == [
        "M", f"exercises/{A1}/{A1}.ipynb", "??", f"exercises/{A1}/{A1}.new.ipynb"]

    # `course release` (the instructor's command, run by mistake) keeps it too
    env = {**os.environ, "PYTHONPATH": str(clone)}
    rel = subprocess.run([str(BIN / "course"), "release"], cwd=clone, capture_output=True, text=True, env=env,
                         timeout=600, check=False)
    assert rel.returncode == 0, rel.stderr
    assert mine.read_bytes() == work

    # `make book` and `make test` reach exercises/ only through `make exercises`
    for target in ("book", "test"):
        dry = _make(clone, "-n", target).stdout
        assert "tools/make_notebooks.py" in dry and "generate_assignment" not in dry


KEPT = (f"kept your edited exercises/{A1}/{A1}.ipynb; the updated exercise is exercises/{A1}/{A1}.new.ipynb "
        "(copy your code into it, or keep working where you are)")


# ---- flawed solutions: course check's verdict against the grade -----------------------------

SIGMOID_OK = REF[A1]["part_a_solution"]
FLAWED = {  # student: (solutions, check's last line, a line check prints, score)
    "reference": ({}, ("ready to hand in -- all 8 test cells pass, also on fresh random inputs: 8 of 8 "
                       "automatic points"), None, 8),
    "naive_sigmoid": ({"part_a_solution": "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x)))\n"},
                      "NOT ready -- 7 of 8 test cells pass: 7 of 8 automatic points; see above",
                      ("sigmoid raised RuntimeWarning: overflow encountered in exp on large negative and "
                       "positive inputs (|x| up to 1000)"), 7),
    "float64_for_float32": ({"part_a_solution": SIGMOID_OK.replace("x = np.asarray(x)", "x = np.asarray(x, dtype=float)")},
                            "NOT ready -- 6 of 8 test cells pass: 6 of 8 automatic points; see above",
                            "sigmoid returned dtype float64 on float32 input; expected float32", 6),
    "no_inf": ({"part_c_solution": "def tanh(x):\n    x = np.asarray(x)\n"
                                   "    sign = np.divide(x, np.abs(x), out=np.zeros_like(x), where=x != 0)\n"
                                   "    z = np.expm1(-2 * np.abs(x))\n    return sign * (-z / (2 + z))\n"},
               "NOT ready -- 7 of 8 test cells pass: 7 of 8 automatic points; see above",
               "tanh is wrong on x = -inf and +inf: 2 of 3 values differ; at x = -inf: expected -1.0, got nan", 7),
    "in_place": ({"part_a_solution": SIGMOID_OK.replace(
        "    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
        "    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))\n    x[...] = 0\n    return out")},
                 "NOT ready -- 6 of 8 test cells pass: 6 of 8 automatic points; see above",
                 "sigmoid modified its input in place on ordinary inputs; compute a new array instead", 6),
    "scalar_and_2d": ({"part_b_solution": "def sigmoid_grad(x):\n    x = np.asarray(x)\n    z = np.exp(-np.abs(x))\n"
                                          "    return np.diag(np.outer(z, 1 / (1 + z) ** 2))\n"},
                      "NOT ready -- 7 of 8 test cells pass: 7 of 8 automatic points; see above",
                      "sigmoid_grad returned shape (6,) on a 2-D array; expected (2, 3)", 7),
    "syntax_error": ({"part_a_solution": "def sigmoid(x)\n    return x\n"},
                     "NOT ready -- 6 of 8 test cells pass: 6 of 8 automatic points; see above",
                     "ERROR your code for Part A raised SyntaxError: expected ':' at line 1: def sigmoid(x)", 6),
    "imports_the_reference": ({"part_a_solution": "from course_lib.activations import sigmoid\n"},
                              "NOT ready -- 6 of 8 test cells pass: 6 of 8 automatic points; see above",
                              "sigmoid uses course_lib: solutions may not use course_lib", 6),
    # the textbook formulas everywhere: sigmoid_grad passes its visible test but not random float32 inputs
    "all_naive": ({"part_a_solution": "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x)))\n",
                   "part_b_solution": "def sigmoid_grad(x):\n    s = sigmoid(x)\n    return s * (1 - s)\n",
                   "part_c_solution": "def tanh(x):\n    return np.tanh(x)\n",
                   "part_d_solution": "def tanh_grad(x):\n    return 1 - np.tanh(x) ** 2\n"},
                  "NOT ready -- 3 of 8 test cells pass: 3 of 8 automatic points; see above",
                  "passes in the notebook, but not when re-run on fresh inputs as grading does:",
                  3),
}


@pytest.fixture(scope="module")
def flawed(tmp_path_factory):
    """Each flawed notebook checked with `course check` and graded through the real pipeline."""
    tmp = tmp_path_factory.mktemp("flawed")
    course = make_course(tmp)
    P.release(course, log=None)
    checked, incoming = {}, tmp / "incoming"
    for student, (solutions, *_rest) in FLAWED.items():
        nb = filled(course, solutions)
        _write(incoming / student, {f"{A1}.ipynb": nb})
        status = subprocess.run([str(BIN / "course"), "--root", str(course.root), "check", f"{A1}.ipynb"],
                                cwd=incoming / student, capture_output=True, text=True, timeout=300, check=False)
        checked[student] = status
    # a6 with every function right and the written answer left empty
    a6 = filled(course, assignment=A6, edit=lambda nb: [setattr(c, "source", "YOUR ANSWER HERE") for c in nb.cells
                                                          if c.metadata.get("nbgrader", {}).get("grade_id") == "trade_offs"])
    _write(tmp / "a6" / "empty_answer", {f"{A6}.ipynb": a6})
    a6_check = check(tmp / "a6" / "empty_answer" / f"{A6}.ipynb", course)
    P.import_submissions(course, A1, incoming)
    P.import_submissions(course, A6, tmp / "a6")
    results = {(r.student, r.assignment): r for r in P.grade(course, [A1, A6], overrides=OVERRIDES, workers=2,
                                                              progress=False, log=None)}
    return checked, results, a6_check


@pytest.mark.slow
@pytest.mark.parametrize("student", list(FLAWED))
def test_check_predicts_the_grade(flawed, student):
    checked, results, _ = flawed
    _, last, line, score = FLAWED[student]
    out = checked[student]
    assert out.stdout.rstrip().splitlines()[-1] == f"{A1}.ipynb: {last}", out.stdout + out.stderr
    assert out.returncode == (0 if score == 8 else 1)
    if line:
        assert line in out.stdout
    assert "Traceback" not in out.stdout + out.stderr and "without encryption" not in out.stderr
    graded = results[(student, A1)]
    assert graded.status == "graded" and graded.score == score, graded.summary()
    if "ready to hand in" in last:
        assert graded.score == graded.max_score


@pytest.mark.slow
def test_check_names_an_empty_written_answer(flawed):
    _, results, a6_check = flawed
    a = spec.get_assignment(A6)
    auto = a.points - a.written["points"]
    assert not a6_check.ok and a6_check.score == auto
    assert "the written answer (trade_offs, 3 points, graded by hand) is empty: write it before handing in" \
        in a6_check.summary()
    assert a6_check.summary().splitlines()[-1] == (
        f"{A6}.ipynb: NOT ready -- {len(a.tests)} of {len(a.tests)} test cells pass: {auto} of {auto} automatic "
        "points; see above")
    assert results[("empty_answer", A6)].score == auto


@pytest.mark.slow
def test_check_reports_the_time_limit(tmp_path):
    course = make_course(tmp_path)
    with open(course.root / "nbgrader_config.py", "a") as f:
        f.write("\nc.TrustedRecheck.timeout = 3\n")
    P.release(course, log=None)
    nb = filled(course, {"part_d_solution": "def tanh_grad(x):\n    while True:\n        pass\n"})
    nbformat.write(nb, tmp_path / f"{A1}.ipynb")
    result = check(tmp_path / f"{A1}.ipynb", course, timeout=2)
    fails = {c.grade_id: c.problems for c in result.cells if not c.passed}
    assert set(fails) == {"test_tanh_grad_values", "test_tanh_grad_stability"}
    assert fails["test_tanh_grad_values"] == [
        "did not finish within 2 s, the time limit of a cell when grading (an infinite loop, or far too slow?)"]


def test_check_outside_a_course_and_bad_input(tmp_path, capsys, monkeypatch):
    from course_lib.cli import main

    assert main(["--root", str(tmp_path), "check", "a1_sigmoid_tanh"]) == 2
    assert "no nbgrader_config.py there" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    assert main(["check", "a1_sigmoid_tanh"]) == 1
    assert capsys.readouterr().out.startswith("course check: a1_sigmoid_tanh: no notebook a1_sigmoid_tanh.ipynb here")
    (tmp_path / "notes.ipynb").write_text("not json")
    assert main(["check", "notes.ipynb"]) == 1
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "  notes.ipynb is not a readable notebook (NotJSONError: Notebook does not appear to be JSON: 'not json')",
        "notes.ipynb: NOT checked"]


@pytest.mark.slow
@pytest.mark.parametrize("student", ["all_naive", "imports_the_reference"])
def test_check_without_the_trusted_recheck_predicts_the_same(tmp_path, monkeypatch, student):
    """The student package has no re-check (no nbgrader): the random inputs run in the kernel."""
    from course_lib.grading import student_check

    course = make_course(tmp_path)
    P.release(course, log=None)
    nbformat.write(filled(course, FLAWED[student][0]), tmp_path / f"{A1}.ipynb")
    monkeypatch.setattr(student_check, "_have_recheck", lambda: False)
    result = check(tmp_path / f"{A1}.ipynb", course)
    _, last, line, score = FLAWED[student]
    assert result.summary().splitlines()[-1] == f"{A1}.ipynb: {last}" and line in result.summary()
    assert result.score == score and not result.recheck_ran


def test_one_check_command_everywhere():
    """The notebooks, the README and the book print the same command: `course check <id>`."""
    texts = {"README.md": (REPO / "README.md").read_text()}
    for a in spec.ASSIGNMENTS:
        texts[f"exercises/{a.id}"] = (REPO / "exercises" / a.id / f"{a.id}.ipynb").read_text()
        texts[f"book/exercises/{a.id}.md"] = (REPO / "book" / "exercises" / f"{a.id}.md").read_text()
        assert f"course check {a.id}" in texts[f"exercises/{a.id}"] + texts[f"book/exercises/{a.id}.md"]
    texts["book/exercises/index.md"] = (REPO / "book" / "exercises" / "index.md").read_text()
    for name, text in texts.items():
        assert "make check NB=" not in text and "course check exercises/" not in text, name
        assert not re.search(r"course check \S+/\S+\.ipynb", text), name
    assert "course check a1_sigmoid_tanh" in texts["README.md"] and "course check a1_sigmoid_tanh" in \
        texts["book/exercises/index.md"]


@pytest.mark.slow
def test_no_tcp_warning_from_the_course_kernels(tmp_path):
    """Kernels of the course's Python (the book build, make lab) start without ipykernel's
    "running over TCP without encryption" warning; `course check` uses IPC anyway."""
    installed = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    assert installed.read_text() == (REPO / "tools" / "ipython_kernel_config.py").read_text(), "run make exercises"
    script = ("from nbclient import NotebookClient; from nbformat.v4 import new_notebook, new_code_cell; "
              "nb = new_notebook(cells=[new_code_cell('import warnings; warnings.warn(\"kept\")')]); "
              "NotebookClient(nb, kernel_name='python3').execute(); print(nb.cells[0].outputs[0]['text'])")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         check=True)
    assert "without encryption" not in out.stderr and "UserWarning: kept" in out.stdout, out.stderr


@pytest.mark.slow
def test_make_check_ends_with_the_course_summary(tmp_path):
    nb = tmp_path / A1 / f"{A1}.ipynb"
    nb.parent.mkdir()
    shutil.copy(REPO / "exercises" / A1 / f"{A1}.ipynb", nb)
    out = _make(REPO, "check", f"NB={nb}")
    lines = (out.stdout + out.stderr).rstrip().splitlines()
    assert lines[-1] == f"{A1}.ipynb: NOT ready -- 0 of 8 test cells pass: 0 of 8 automatic points; see above", lines
    assert "Error" not in out.stderr and "without encryption" not in out.stderr


# ---- the release bundle, outside the repository ---------------------------------------------

@pytest.mark.slow
def test_release_bundle_installs_offline_and_passes_outside_the_repo(tmp_path):
    (tmp_path / "instructor").mkdir()
    course = make_course(tmp_path / "instructor")
    zip_path = course.work / "release" / "exercises.zip"
    P.release(course, zip_path=zip_path, log=None)
    with zipfile.ZipFile(zip_path) as zf:
        names = sorted(zf.namelist())
        text = "".join(zf.read(n).decode(errors="replace") for n in names if not n.endswith(".whl"))
        zf.extractall(tmp_path / "lms")
    assert names[0] == "README.txt" and any(n.endswith("-py3-none-any.whl") for n in names)
    assert [n for n in names if n.endswith(".ipynb")] == [f"{a.id}/{a.id}.ipynb" for a in spec.ASSIGNMENTS]
    assert "BEGIN HIDDEN TESTS" not in text and "hidden=True" not in text and "BEGIN SOLUTION" not in text
    readme = (tmp_path / "lms" / "README.txt").read_text()
    install = re.search(r"^ {7}(python -m pip install .*)$", readme, re.MULTILINE).group(1)

    # a new virtual environment outside the repository; NumPy, Jupyter & co. come from this one's
    # site-packages (a .pth line: its own .pth files, such as the editable course_lib, stay off)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "course_env.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PIP_NO_INDEX": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "LANG": "C.UTF-8"}
    lms = tmp_path / "lms"
    subprocess.run(install.split(), cwd=lms, env=env, check=True, capture_output=True, timeout=300)
    where = subprocess.run(["python", "-c", "import course_lib, os; print(course_lib.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site)), where

    # the student fills in a1 and checks it in the bundle's folder, as the README says
    nb = nbformat.read(lms / A1 / f"{A1}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in REF[A1]:
            cell.source = REF[A1][gid]
    nbformat.write(nb, lms / A1 / f"{A1}.ipynb")
    out = subprocess.run(["course", "check", A1], cwd=lms, env=env, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.rstrip().splitlines()[-1] == (
        f"{A1}.ipynb: ready to hand in -- all 8 test cells pass, also on fresh random inputs: 8 of 8 automatic points")
    assert "without encryption" not in out.stderr and "Traceback" not in out.stderr

    # and a flaw is found there too, on its kind of input only
    part_a = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "part_a_solution")
    part_a.source = FLAWED["float64_for_float32"][0]["part_a_solution"]
    nbformat.write(nb, lms / A1 / f"{A1}.ipynb")
    out = subprocess.run(["course", "check", A1], cwd=lms, env=env, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 1 and FLAWED["float64_for_float32"][2] in out.stdout, out.stdout


# ---- make lab ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_make_lab_terminal_has_course_on_path(tmp_path):
    """As root, JupyterLab refuses to start without --allow-root: starting at all is the check."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    venv = BIN.parent
    flags = f"--no-browser --port={port} --ServerApp.token=t --ServerApp.open_browser=False"
    with open(tmp_path / "lab.log", "w+") as log:
        _lab(tmp_path, port, venv, flags, log)


def _lab(tmp_path, port, venv, flags, log):
    import urllib.request

    proc = subprocess.Popen(["make", "--no-print-directory", "-C", str(REPO), "lab", f"VENV={venv}",
                             "-o", f"{venv}/.installed-stamp", "-o", f"{venv}/etc/ipython/ipython_kernel_config.py",
                             f"LAB_FLAGS={flags}"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "PATH": "/usr/bin:/bin", "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")})
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/api/status?token=t", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            log.seek(0)
            pytest.fail("JupyterLab did not start:\n" + log.read()[-3000:])
        req = urllib.request.Request(f"{base}/api/terminals?token=t", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:
            name = json.loads(resp.read())["name"]
        out = _terminal_run(f"ws://127.0.0.1:{port}/terminals/websocket/{name}?token=t",
                            "echo START; command -v course; pwd; echo END\r")
        body = out.split("START", 2)[-1]
        assert f"{venv}/bin/course" in body and f"{REPO}/exercises" in body, out
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def _terminal_run(url: str, command: str) -> str:
    """Send ``command`` to a Jupyter terminal's websocket and return what it printed up to END."""
    import asyncio

    from tornado.websocket import websocket_connect

    async def talk():
        ws = await websocket_connect(url)
        await ws.write_message(json.dumps(["stdin", command]))
        text = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not re.search(r"\nEND", text):
            msg = await asyncio.wait_for(ws.read_message(), timeout=20)
            if msg is None:
                break
            kind, *data = json.loads(msg)
            if kind == "stdout":
                text += data[0]
        ws.close()
        return text

    return asyncio.run(talk())
