"""Where the time of grading one notebook goes: a per-process tally of named phases.

:func:`grade_submission <course_lib.grading.pipeline.grade_submission>` resets it, the grading
preprocessors add to it (``kernel start``, ``execute``, ``recheck``) and the result record
carries it, so the benchmark can report the split. One submission is graded at a time per
process (Dask workers should run one thread each), so a module-level tally is enough.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

PHASES: dict[str, float] = {}


def reset() -> None:
    PHASES.clear()


def add(name: str, seconds: float) -> None:
    PHASES[name] = PHASES.get(name, 0.0) + seconds


@contextmanager
def phase(name: str):
    """``with phase("recheck"): ...`` adds the block's wall time to ``PHASES[name]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        add(name, time.perf_counter() - start)


def snapshot() -> dict[str, float]:
    return {k: round(v, 4) for k, v in PHASES.items()}
