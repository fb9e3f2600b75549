"""The course folder: where everything lives, its nbgrader configuration and its gradebook URL.

Every step of the instructor's path (:mod:`.importing`, :mod:`.pipeline`, :mod:`.feedback`,
:mod:`.export`, :mod:`.report`, :mod:`.similarity`) takes a :class:`Course`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import CourseError

__all__ = ["TIMESTAMP_FORMAT", "Course", "safe_url"]

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


def _ensure_path() -> None:
    """nbgrader runs ``alembic`` from PATH; make the interpreter's bin directory visible."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


@contextmanager
def _quiet_sqlalchemy():
    """nbgrader's gradebook triggers SQLAlchemy "not in session" autoflush warnings; they are harmless."""
    with warnings.catch_warnings():
        try:
            from sqlalchemy.exc import SAWarning
        except ImportError:  # pragma: no cover
            yield
            return
        warnings.simplefilter("ignore", SAWarning)
        yield


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)


# ---- the course folder ------------------------------------------------------------------

@dataclass(frozen=True)
class Course:
    """A course folder with an ``nbgrader_config.py``; every path below derives from it.

    ``db`` is the gradebook's SQLAlchemy URL when it is not the SQLite file
    ``grading/gradebook.db`` (e.g. ``postgresql://user@host/gradebook`` for several instructors
    grading at once); without it, ``CourseDirectory.db_url`` from ``nbgrader_config.py`` or the
    ``COURSE_DB_URL`` environment variable is used.
    """

    root: Path
    db: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())
        if self.db is None and os.environ.get("COURSE_DB_URL"):
            object.__setattr__(self, "db", os.environ["COURSE_DB_URL"])

    @classmethod
    def find(cls, start: str | os.PathLike = ".", db: str | None = None) -> Course:
        here = Path(start).resolve()
        for d in (here, *here.parents):
            if (d / "nbgrader_config.py").exists():
                return cls(d, db)
        raise CourseError(f"no nbgrader_config.py in {here} or above: run `course` from the course folder "
                          "or give it with --root")

    work = property(lambda self: self.root / "grading")
    submitted = property(lambda self: self.work / "submitted")
    autograded = property(lambda self: self.work / "autograded")
    feedback_dir = property(lambda self: self.work / "feedback")

    @property
    def gradebook(self) -> Path:
        """The SQLite gradebook's file (meaningless when the gradebook is a PostgreSQL database)."""
        url = self.db_url
        return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else self.work / "gradebook.db"

    backups = property(lambda self: self.work / "backups")

    @property
    def secret(self) -> Path:
        """The instructor's secret that salts the re-check's random inputs (``TrustedRecheck.secret_file``)."""
        return Path(self._file_config().TrustedRecheck.get("secret_file") or self.work / "secret.key")
    archive = property(lambda self: self.work / "archive")
    results = property(lambda self: self.work / "results")
    source = property(lambda self: self.root / "solutions")
    release_dir = property(lambda self: self.root / "exercises")

    @property
    def db_url(self) -> str:
        if self.db:
            return self.db
        configured = self._file_config().CourseDirectory.get("db_url")
        return configured or f"sqlite:///{self.work / 'gradebook.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite:")

    @property
    def course_id(self) -> str:
        return self._file_config().CourseDirectory.get("course_id", "")

    def _file_config(self):
        from traitlets.config import PyFileConfigLoader

        cache = self.__dict__.get("_cfg_cache")
        if cache is None:
            cache = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
            self.__dict__["_cfg_cache"] = cache
        return cache

    def config(self, overrides: dict | None = None):
        """The course's nbgrader config (``nbgrader_config.py``) with ``{"Section.name": value}`` overrides."""
        from traitlets.config import Config, PyFileConfigLoader

        loader = PyFileConfigLoader("nbgrader_config.py", path=str(self.root))
        cfg = loader.load_config()
        cfg.CourseDirectory.root = str(self.root)
        cfg.CourseDirectory.db_url = self.db_url
        for key, value in (overrides or {}).items():
            section, name = key.rsplit(".", 1)
            cfg.merge(Config({section: {name: value}}))
        return cfg

    def api(self, config=None):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        _ensure_path()
        config = config or self.config()
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def students_with_submissions(self, assignment: str) -> list[str]:
        if not self.submitted.exists():
            return []
        return sorted(d.name for d in self.submitted.iterdir() if (d / assignment).is_dir())


def safe_url(url: str) -> str:
    """A database URL with its password masked (for messages)."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
