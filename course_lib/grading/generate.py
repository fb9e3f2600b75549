"""The student notebooks ``exercises/<id>/<id>.ipynb``, regenerated without ever losing a student's work.

``nbgrader generate_assignment --force`` rewrites a student copy whenever it runs. Here it writes
into a temporary folder instead, and :func:`sync_exercises` decides by **content** what to do
with each notebook, never by file times:

* every generated notebook carries, in its metadata, the SHA-256 of its cells as generated
  (``metadata.course.generated``, see :func:`cells_digest`: cell types and sources only, so
  running a notebook does not count as editing it);
* the fresh copy has the same cells as the one recorded in the current file: nothing to do
  (whatever the student wrote stays, and so do the file's bytes);
* the exercise really changed and the current file's cells are still those it was generated
  with: the file is replaced by the new version ("updated");
* the exercise changed **and** the student edited the file: the student's file is kept where it
  is, untouched, and the new version is written beside it as ``<id>.new.ipynb``, with one line
  saying so ("kept"), and said again at every later run while that file is there.

Generating takes a few seconds, so the digest of the inputs (the source notebook and
``nbgrader_config.py``) of the last run is cached in the git-ignored ``grading/`` folder; an
unchanged source is not generated again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat

from . import spec as _spec

__all__ = ["cells_digest", "inputs_digest", "sync_exercises"]

NEW_SUFFIX = ".new.ipynb"


def cells_digest(nb) -> str:
    """SHA-256 of a notebook's cell types and sources (what a student edits).

    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> a = new_notebook(cells=[new_code_cell("x = 1")])
    >>> b = new_notebook(cells=[new_code_cell("x = 1", execution_count=3)])
    >>> cells_digest(a) == cells_digest(b), cells_digest(a) == cells_digest(new_notebook(cells=[new_code_cell("x = 2")]))
    (True, False)
    """
    cells = [[c.get("cell_type"), c.get("source", "")] for c in nb.get("cells", [])]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def inputs_digest(root: Path, assignment_id: str) -> str:
    """SHA-256 of what a student copy is generated from: its source notebook and the nbgrader config."""
    h = hashlib.sha256()
    for path in (root / "solutions" / assignment_id / f"{assignment_id}.ipynb", root / "nbgrader_config.py"):
        h.update(path.read_bytes() if path.exists() else b"")
        h.update(b"\0")
    return h.hexdigest()


def _recorded(nb) -> str | None:
    return (nb.get("metadata", {}).get("course") or {}).get("generated")


def _generate(root: Path, ids: list[str], dest: Path, db_url: str | None) -> None:
    """``nbgrader generate_assignment`` of ``ids`` into ``dest`` (not into ``exercises/``)."""
    from .pipeline import Course, _quiet_sqlalchemy

    course = Course(root)
    overrides = {"CourseDirectory.release_directory": str(dest)}
    if db_url:
        overrides["CourseDirectory.db_url"] = db_url
    api = course.api(course.config(overrides))
    for aid in ids:
        with _quiet_sqlalchemy():
            res = api.generate_assignment(aid, force=True, create=True)
        if not res["success"]:
            log = res.get("error") or res.get("log") or ""
            raise RuntimeError(f"nbgrader could not generate {aid}: {log.strip().splitlines()[-1:] or 'no log'}")


def _kept_line(aid: str) -> str:
    return (f"kept your edited exercises/{aid}/{aid}.ipynb; the updated exercise is exercises/{aid}/{aid}{NEW_SUFFIX} "
            "(copy your code into it, or keep working where you are)")


def _write(nb, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(nbformat.writes(nb) + "\n")
    os.replace(tmp, path)


def sync_exercises(root: str | os.PathLike = ".", ids=None, *, db_url: str | None = None, force: bool = False,
                   log: Callable[[str], None] | None = print) -> dict[str, str]:
    """Bring ``exercises/`` up to date with ``solutions/``; never overwrite a student's edits.

    ``db_url`` is the gradebook the assignments are registered in (default: the course's own;
    ``course release`` uses it, ``make exercises`` passes a throw-away one). ``force`` generates
    even when the inputs did not change. Returns ``{assignment id: status}``: ``"unchanged"``,
    ``"written"`` (there was no file), ``"updated"`` (the file had not been edited) or ``"kept"``
    (edited by the student: the new version is ``<id>.new.ipynb`` beside it).
    """
    root = Path(root).resolve()
    ids = [a.id for a in _spec.ASSIGNMENTS if not ids or a.id in ids]
    cache_path = root / "grading" / "exercises-generated.json"
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    digests = {aid: inputs_digest(root, aid) for aid in ids}
    todo = [aid for aid in ids if force or cache.get(aid) != digests[aid]
            or not (root / "exercises" / aid / f"{aid}.ipynb").exists()]
    statuses = {aid: "unchanged" for aid in ids}
    for aid in ids:
        beside = root / "exercises" / aid / (aid + NEW_SUFFIX)
        if aid not in todo and beside.exists():  # an earlier run kept the student's copy: say so again
            statuses[aid] = "kept"
            if log:
                log(_kept_line(aid))
    if not todo:
        return statuses
    with tempfile.TemporaryDirectory(prefix="course-generate-") as tmp:
        tmp = Path(tmp)
        _generate(root, todo, tmp / "release", db_url or f"sqlite:///{tmp / 'gradebook.db'}")
        for aid in todo:
            new = nbformat.read(tmp / "release" / aid / f"{aid}.ipynb", as_version=4)
            new.metadata["course"] = {"generated": cells_digest(new)}
            path = root / "exercises" / aid / f"{aid}.ipynb"
            beside = path.with_name(aid + NEW_SUFFIX)
            rel = path.relative_to(root)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                _write(new, path)
                statuses[aid] = "written"
            else:
                cur = nbformat.read(path, as_version=4)
                recorded = _recorded(cur)
                if cells_digest(new) in (recorded, cells_digest(cur)):
                    pass  # the exercise did not change (or the file already is it): the file stays as it is
                elif recorded is not None and cells_digest(cur) == recorded:
                    _write(new, path)
                    statuses[aid] = "updated"
                else:
                    _write(new, beside)
                    statuses[aid] = "kept"
            if log and statuses[aid] == "written":
                log(f"wrote {rel}")
            elif log and statuses[aid] == "updated":
                log(f"updated {rel} (you had not edited it)")
            elif log and statuses[aid] == "kept":
                log(_kept_line(aid))
            cache[aid] = digests[aid]
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache_path.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n")
    return statuses
