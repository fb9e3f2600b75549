"""The frameworks tier: the library and the book checked against PyTorch and Keras 3.

Without torch or keras the tier is one skipped test naming what is missing, and the other
modules here are not even imported; with ``CI=true`` or ``COURSE_FRAMEWORKS=1`` that test fails
instead (``.ci/run`` sets ``COURSE_FRAMEWORKS=1`` after ``make frameworks``). Keras runs on the
torch backend (``framework_status`` sets ``KERAS_BACKEND`` before keras is first imported).
"""

from __future__ import annotations

from pathlib import Path

from framework_status import MISSING

HERE = Path(__file__).resolve().parent
REPORTER = "test_frameworks_installed.py"


def pytest_ignore_collect(collection_path, config):
    """Without the frameworks, collect only the module that reports them missing."""
    path = Path(collection_path)
    if MISSING and path.suffix == ".py" and path.parent == HERE and path.name != REPORTER:
        return True
    return None
