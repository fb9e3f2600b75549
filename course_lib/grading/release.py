"""``course release``: the student notebooks, and a bundle that works outside the repository.

:func:`release` regenerates ``exercises/`` (through :func:`~course_lib.grading.generate.sync_exercises`,
which never overwrites a notebook someone edited), registers the assignments in the gradebook
and, with ``zip_path``, writes the bundle to upload to an LMS (:func:`write_bundle`)::

    README.txt                                   what to do, with one offline install command
    course_lib_student-<version>-py3-none-any.whl   what the test cells import, and `course check`
    a1_sigmoid_tanh/a1_sigmoid_tanh.ipynb        the student notebooks
    ...

The wheel (:func:`build_wheel`, written by hand: a zip with a ``.dist-info`` folder, no network,
no build tool, the same bytes at every build) holds only what a student needs: the reference
library the visible tests compare with (``course_lib.activations``, ``course_lib.gradcheck``),
the test helpers and the spec's visible and random cases (``course_lib.grading.checks``,
``spec``), ``course check`` and the ``course`` command. It leaves out the hidden inputs and the
model written answer (``hidden_cases.py``: the spec it ships has no hidden case), the reference
solutions (cut from the spec it ships, :func:`without_solutions`), the trusted re-check and its
seeds, and the grading pipeline.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from . import spec as _spec
from .generate import NEW_SUFFIX, sync_exercises

__all__ = ["STUDENT_FILES", "build_wheel", "release", "without_solutions", "write_bundle"]

DIST = "course_lib_student"
#: the files of course_lib the student package holds (globs relative to the package folder)
STUDENT_FILES = (
    "__init__.py", "gradcheck.py", "cli.py", "activations/*.py",
    "grading/__init__.py", "grading/spec.py", "grading/checks.py", "grading/errors.py",
    "grading/notebook_template.py", "grading/student_check.py",
)
REQUIRES = ("numpy>=1.26", "scipy>=1.11", "matplotlib>=3.8", "nbformat>=5.9", "nbclient>=0.8", "ipykernel>=6")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed zip times: the same bytes at every build
INSTALL = f"python -m pip install --no-index --find-links . {DIST}"

README = """\
Activation functions in neural networks -- graded exercises
============================================================

This folder holds the student notebooks ({notebooks}) and
{wheel}, the small Python package their test cells import
(plus the `course check` command). Nothing here needs the network.

1. Install the package once, from this folder, into the Python your Jupyter runs
   (Python 3.11+ with NumPy, SciPy, Matplotlib and Jupyter already installed):

       {install}

2. Open a notebook in Jupyter (JupyterLab, Notebook, VS Code), fill in every
   YOUR CODE HERE and run the test cells under each part.

3. Before handing in: Kernel -> Restart Kernel and Run All Cells, save, then in a
   terminal in this folder run

       course check a1_sigmoid_tanh

   (with the notebook's id). It runs the notebook as grading does, re-tries your
   functions on fresh inputs, and says "ready to hand in" only when grading would
   give every automatic point.

4. Hand in the notebook only, with its name unchanged (e.g. a1_sigmoid_tanh.ipynb).
"""


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _zip_write(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


_SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION$", re.MULTILINE | re.DOTALL)


def without_solutions(source: str) -> str:
    r"""``source`` with the body of every ``### BEGIN SOLUTION`` block replaced, as nbgrader does.

    >>> print(without_solutions("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"))
    def f(x):
        ### BEGIN SOLUTION
        raise NotImplementedError()
        ### END SOLUTION
    """
    return _SOLUTION.sub(r"\1### BEGIN SOLUTION\n\1raise NotImplementedError()\n\1### END SOLUTION", source)


def student_package_files() -> dict[str, bytes]:
    """``{path in the wheel: bytes}`` of the course_lib files the student package ships; the spec
    without its reference solutions (and, having no ``hidden_cases.py``, without hidden cases)."""
    pkg = Path(__file__).resolve().parents[1]
    files = {}
    for pattern in STUDENT_FILES:
        for path in sorted(pkg.glob(pattern)):
            data = path.read_bytes()
            if path.name == "spec.py":
                data = without_solutions(data.decode()).encode()
            files[f"course_lib/{path.relative_to(pkg).as_posix()}"] = data
    return files


def build_wheel(dest: str | os.PathLike) -> Path:
    """Write the student package's wheel into folder ``dest``; returns its path."""
    from .. import __version__

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    info = f"{DIST}-{__version__}.dist-info"
    files = student_package_files()
    files[f"{info}/METADATA"] = "\n".join([
        "Metadata-Version: 2.1", f"Name: {DIST}", f"Version: {__version__}",
        ("Summary: What the graded notebooks of the activation-functions course need: the reference "
         "library, the visible tests and `course check`."),
        "Requires-Python: >=3.11", *[f"Requires-Dist: {r}" for r in REQUIRES], ""]).encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: course_lib.grading.release\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files[f"{info}/entry_points.txt"] = b"[console_scripts]\ncourse = course_lib.cli:main\n"
    files[f"{info}/top_level.txt"] = b"course_lib\n"
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    path = dest / f"{DIST}-{__version__}-py3-none-any.whl"
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in files.items():
            _zip_write(zf, name, data)
    os.replace(tmp, path)
    return path


def write_bundle(root: str | os.PathLike, zip_path: str | os.PathLike, ids=None) -> Path:
    """The LMS bundle: README.txt, the student wheel and ``<id>/<id>.ipynb`` from ``exercises/``
    (its ``<id>.new.ipynb`` when the notebook there was edited by hand and kept)."""
    import tempfile

    root, zip_path = Path(root), Path(zip_path)
    ids = [a.id for a in _spec.ASSIGNMENTS if not ids or a.id in ids]
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-bundle-") as tmp:
        wheel = build_wheel(tmp)
        tmp_zip = zip_path.with_name(f".{zip_path.name}.tmp")
        with zipfile.ZipFile(tmp_zip, "w") as zf:
            _zip_write(zf, "README.txt", README.format(
                notebooks=", ".join(f"{a}/{a}.ipynb" for a in ids[:2]) + (", ..." if len(ids) > 2 else ""),
                wheel=wheel.name, install=INSTALL).encode())
            _zip_write(zf, wheel.name, wheel.read_bytes())
            for aid in ids:
                folder = root / "exercises" / aid
                src = folder / (aid + NEW_SUFFIX)
                src = src if src.exists() else folder / f"{aid}.ipynb"
                _zip_write(zf, f"{aid}/{aid}.ipynb", src.read_bytes())
        os.replace(tmp_zip, zip_path)
    return zip_path


def release(course, ids=None, *, zip_path: str | os.PathLike | None = None,
            log: Callable[[str], None] | None = print) -> list[str]:
    """Regenerate the student notebooks in ``exercises/`` (never over a student's edits), register
    the assignments in the course's gradebook, and with ``zip_path`` write the LMS bundle."""
    ids = [a.id for a in _spec.ASSIGNMENTS if not ids or a.id in ids]
    sync_exercises(course.root, ids, db_url=course.db_url, force=True, log=log)
    if zip_path:
        write_bundle(course.root, zip_path, ids)
    return ids
