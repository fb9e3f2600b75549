"""Grading a whole class: many graders, one writer, a progress bar, Ctrl-C and resume.

:func:`run` (what ``course grade`` calls, via :func:`pipeline.grade`) plans the jobs (one per
student × assignment, skipping those already recorded and unchanged), makes the private
gradebook the graders work against once (:func:`pipeline.private_gradebook`, a small SQLite
file with the assignments' structure only, shipped to every job as bytes), then hands the jobs
to a backend:

* ``workers=N``: a pool of N local worker processes (``spawn``; each grades one submission at
  a time, its own Jupyter kernel and its own trusted re-check);
* ``scheduler=ADDRESS``: a Dask distributed cluster (``distributed.Client(ADDRESS)``); the
  workers must see the course folder at the same path (a shared file system) and have the
  course's environment installed. A job returns the result as plain data, the autograded
  notebook's bytes included, so the workers' scratch folders need not be visible here.

Only this process writes (:func:`pipeline.record`), in the order results arrive, so the
gradebook never has two writers from one run. Ctrl-C (SIGINT) stops the run *between* two
records: queued jobs are cancelled, running ones are stopped, nothing half-written is left, and
:class:`Interrupted` says how much was done; the next run grades the rest.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from . import sandbox
from . import spec as _spec
from .pipeline import (
    Course,
    GradeResult,
    backup_gradebook,
    grade_submission,
    private_gradebook,
    record,
    recorded,
    safe_url,
    submission_digest,
)
from .recheck import instructor_secret

__all__ = ["Interrupted", "plan", "run"]


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C); ``results`` are the submissions recorded before."""

    def __init__(self, results: list[GradeResult], remaining: int, force: bool = False):
        self.results = results
        self.remaining = remaining
        again = ("run `course grade --force` again to regrade them (it regrades everything; without --force only "
                 "new or changed submissions are graded)" if force else "run `course grade` again to grade the rest")
        super().__init__(f"interrupted: {len(results)} submission(s) recorded in this run, {remaining} not graded "
                         f"yet; the gradebook is consistent -- {again}")


def plan(course: Course, assignments=None, students=None, *, force: bool = False):
    """``(jobs, skipped)``: the (student, assignment) pairs to grade, and those already graded
    (a result record and a gradebook entry exist, and the submission is unchanged)."""
    ids = [a.id for a in _spec.ASSIGNMENTS if not assignments or a.id in assignments]
    wanted = [(s, a) for a in ids for s in course.students_with_submissions(a) if not students or s in students]
    done = {} if force else recorded(course)
    jobs, skipped = [], []
    for s, a in wanted:
        digest = done.get((s, a))
        if digest and digest == submission_digest(course.submitted / s / a):
            skipped.append((s, a))
        else:
            jobs.append((s, a))
    return jobs, skipped


# ---- the job (runs in a worker process, locally or on a Dask worker) ---------------------

def grade_job(root: str, student: str, assignment: str, overrides: dict | None, template: bytes) -> dict:
    """Grade one submission; the result as plain (JSON-able) data."""
    return grade_submission(Course(root), student, assignment, overrides=overrides, template=template).to_dict()


def _sees_course(root: str) -> bool:
    return os.path.exists(os.path.join(root, "nbgrader_config.py"))


def _worker_init() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the main process decides what to do
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)


def _exit_on_term(signum, frame):
    # stopped on purpose (Ctrl-C in the main process): what the half-run job prints while it is
    # unwound (asyncio and ZeroMQ complaints) is noise, not news
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    raise SystemExit(128 + signum)  # unwinds nbclient, which shuts its kernel down


# ---- backends: submit jobs, collect what is done -------------------------------------------

class _Local:
    def __init__(self, workers: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_worker_init)
        self.template = None

    def scatter(self, template: bytes):
        self.template = template

    def submit(self, *args):
        return self.pool.submit(grade_job, *args, self.template)

    def done(self, pending, timeout: float):
        from concurrent.futures import FIRST_COMPLETED, wait

        finished, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
        return finished

    @staticmethod
    def outcome(fut):
        exc = fut.exception()
        return (None, exc) if exc else (fut.result(), None)

    def stop(self, pending):
        for fut in pending:
            fut.cancel()
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        for p in procs:
            if p.is_alive():
                p.terminate()  # SIGTERM: the worker stops its kernel and exits
        deadline = time.monotonic() + 10
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def close(self):
        self.pool.shutdown(wait=True)


class _Dask:
    def __init__(self, address: str, root: str):
        from distributed import Client

        self.client = Client(address)
        seen = self.client.run(_sees_course, root)
        blind = [w for w, ok in seen.items() if not ok]
        if not seen:
            self.client.close()
            raise RuntimeError(f"the Dask cluster at {address} has no workers")
        if blind:
            self.client.close()
            raise RuntimeError(f"Dask workers {', '.join(blind)} cannot see the course folder {root}: "
                               "it must be on a file system shared by every worker, at the same path")
        self.template = None

    def scatter(self, template: bytes):
        self.template = self.client.scatter(template, broadcast=True)

    def submit(self, root, student, assignment, overrides):
        return self.client.submit(grade_job, root, student, assignment, overrides, self.template,
                                  key=f"grade-{assignment}-{student}-{os.urandom(4).hex()}", pure=False)

    def done(self, pending, timeout: float):
        from distributed import wait

        try:
            wait(list(pending), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return {f for f in pending if f.done()}

    @staticmethod
    def outcome(fut):
        if fut.status == "finished":
            return fut.result(), None
        try:
            return None, fut.exception()
        except Exception as exc:  # noqa: BLE001 -- cancelled: report it as the job's error
            return None, exc

    def stop(self, pending):
        self.client.cancel(list(pending), force=True)
        self.close()

    def close(self):
        self.client.close()


# ---- the run ---------------------------------------------------------------------------

def run(course: Course, assignments=None, students=None, *, overrides: dict | None = None, progress: bool = True,
        workers: int = 1, scheduler: str | None = None, force: bool = False, log=print) -> list[GradeResult]:
    from tqdm import tqdm

    log = log or (lambda *a, **k: None)
    start = time.perf_counter()
    jobs, skipped = plan(course, assignments, students, force=force)
    if skipped:
        log(f"skipping {len(skipped)} submission(s) already graded and unchanged (--force to regrade them)")
    results: list[GradeResult] = []
    errors: list[tuple[str, str, str]] = []
    if not jobs:
        log("nothing to grade")
        return results
    cfg = course.config(overrides)
    if cfg.GradingExecute.get("sandbox", True) or cfg.TrustedRecheck.get("sandbox", True):
        sandbox.require()  # before anything is written: no sandbox, no grading (unless --unsandboxed)
    if cfg.TrustedRecheck.get("secret_file"):
        instructor_secret(cfg.TrustedRecheck.secret_file)  # made now, so that the backup holds it
    # only when something will be written, pruned to the newest CourseBackups.keep
    backup = backup_gradebook(course, keep=int(cfg.CourseBackups.get("keep", 50)))
    if backup:
        log(f"gradebook backed up to {backup.relative_to(course.root)}")
    elif not course.is_sqlite:
        log(f"gradebook: {safe_url(course.db_url)} (back it up with the database's own tools, e.g. pg_dump)")

    ids = sorted({a for _, a in jobs})
    fd, tmp = tempfile.mkstemp(prefix="course-private-gradebook-", suffix=".db")
    os.close(fd)
    try:
        template = private_gradebook(course, ids, tmp).read_bytes()
    finally:
        Path(tmp).unlink(missing_ok=True)

    where = f"on the Dask cluster at {scheduler}" if scheduler else f"in {workers} worker process(es)"
    log(f"grading {len(jobs)} submission(s) {where}")
    backend = _Dask(scheduler, str(course.root)) if scheduler else _Local(max(1, workers))
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        def on_sigint(signum, frame):
            if stop.is_set():
                raise KeyboardInterrupt
            stop.set()
        previous = signal.signal(signal.SIGINT, on_sigint)

    pending: dict = {}
    bar = tqdm(total=len(jobs), desc="grading", unit="submission", disable=not progress, smoothing=0.1)
    failed = 0
    try:
        backend.scatter(template)
        pending = {backend.submit(str(course.root), s, a, overrides): (s, a) for s, a in jobs}
        while pending and not stop.is_set():
            for fut in backend.done(set(pending), timeout=0.25):
                student, assignment = pending.pop(fut)
                data, exc = backend.outcome(fut)
                if exc is not None:
                    errors.append((student, assignment, f"{type(exc).__name__}: {exc}"[:300]))
                    failed += 1
                else:
                    result = GradeResult.from_dict(data)
                    record(course, result)  # SIGINT only sets a flag: a record is never cut in half
                    results.append(result)
                    failed += result.status != "graded"
                bar.set_postfix_str(f"failed {failed}, last {student}/{assignment}", refresh=False)
                bar.update()
                if stop.is_set():
                    break
        if stop.is_set():
            bar.close()
            log("interrupted: stopping the graders (nothing half-written is kept)...")
            backend.stop(set(pending))
            raise Interrupted(results, len(pending), force)
        backend.close()
    except BaseException:
        bar.close()
        if not stop.is_set():
            try:
                backend.stop(set(pending))
            except Exception as exc:  # noqa: BLE001 -- already failing; keep the first error
                log(f"(could not stop the graders cleanly: {exc})")
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    bar.close()
    _summary(log, results, errors, skipped, time.perf_counter() - start)
    return results


def _summary(log, results, errors, skipped, seconds):
    bad = [r for r in results if r.status != "graded"]
    n = len(results) + len(errors)
    rate = f", {60 * n / seconds:.1f} submissions/min" if seconds > 0 and n else ""
    log(f"graded {len(results) - len(bad)}, failed {len(bad) + len(errors)}"
        + (f", skipped {len(skipped)} (already graded)" if skipped else "")
        + f"; total time {seconds:.1f} s{rate}")
    if bad or errors:
        reasons = Counter(r.status for r in bad)
        parts = [f"{k} {v}" for k, v in reasons.items()]
        if errors:
            parts.append(f"grader errors {len(errors)} (not recorded; a rerun retries them)")
        log("failures: " + ", ".join(parts))
        for r in bad:
            log(f"  {r.student}/{r.assignment}: {r.status}: {r.message}")
        for s, a, why in errors:
            log(f"  {s}/{a}: grader error: {why}")
