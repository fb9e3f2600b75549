"""Throughput of grading a class: plain serial ``nbgrader autograde`` against ``course grade``.

Generates a synthetic class in a temporary copy of the course (``--students`` students × the
six assignments; a quarter each hand in the reference solution, a partial one (half the parts),
a broken one (a syntax error in the first part, wrong values in the second) and the untouched
student copy), then times, in one run:

* ``nbgrader autograde`` -- the real CLI, serially, one call per assignment, with nbgrader's own
  autograde preprocessors (plain ``Execute``, no trusted re-check);
* ``course grade --workers 1`` and ``--workers 2`` (``--force``; re-check included; kernel and
  re-check in their bubblewrap sandboxes);
* ``course grade --workers 1 --unsandboxed``, to give the sandbox's cost per notebook.

It prints submissions per minute and the ratio to nbgrader, then where the time per notebook
goes in ``course grade --workers 1`` (the phases each result records: kernel start-up, cell
execution, trusted re-check, gradebook I/O in the grader, the writer's record, the rest).

Usage: python benchmarks/grading.py [--students N] [--workers 1,2] [--keep]
Target (issue 5): ``--workers 2`` >= 1.8 x the serial nbgrader throughput on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course_lib.grading import pipeline as P
from course_lib.grading import spec

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KINDS = ("correct", "partial", "broken", "untouched")

PLAIN_NBGRADER = '''
# benchmark: nbgrader's own autograde pipeline (plain Execute, no trusted re-check)
from nbgrader.preprocessors import Execute
c.Autograde.autograde_preprocessors = [Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
'''


def _solution(code: str) -> str:
    return re.sub(r"^\s*### (BEGIN|END) SOLUTION\n", "", code, flags=re.MULTILINE)


def submission(course: P.Course, a: spec.Assignment, kind: str):
    nb = nbformat.read(course.release_dir / a.id / f"{a.id}.ipynb", as_version=4)
    sols = {f"part_{chr(97 + i)}_solution": _solution(p.code) for i, p in enumerate(a.parts)}
    if kind == "partial":
        sols = dict(list(sols.items())[: max(1, len(sols) // 2)])
    elif kind == "broken":
        names = list(sols)
        sols[names[0]] = sols[names[0]].replace("):", ")", 1)  # a syntax error
        for name in names[1:2]:
            sols[name] = re.sub(r"\breturn\b", "return 0.5 * ", sols[name], count=1)  # wrong values
    elif kind == "untouched":
        sols = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in sols:
            cell.source = sols[gid]
        elif a.written and gid == a.written["grade_id"] and kind != "untouched":
            cell.source = "Bounded above, leaky below: no dead units."
    return nb


def make_class(tmp: Path, students: int) -> P.Course:
    root = tmp / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions", root / "solutions")
    course = P.Course(root)
    P.release(course)
    for a in spec.ASSIGNMENTS:
        incoming = tmp / "incoming" / a.id
        for i in range(students):
            folder = incoming / f"s{i:03d}"
            folder.mkdir(parents=True)
            nbformat.write(submission(course, a, KINDS[i % len(KINDS)]), folder / f"{a.id}.ipynb")
        P.import_submissions(course, a.id, incoming)
    return course


def time_nbgrader(course: P.Course, tmp: Path) -> float:
    """Serial ``nbgrader autograde`` (the real CLI) of every submission, in a copy of the course."""
    plain = tmp / "plain"
    shutil.copytree(course.root, plain, ignore=shutil.ignore_patterns("autograded", "results", "backups"))
    with open(plain / "nbgrader_config.py", "a") as f:
        f.write(PLAIN_NBGRADER)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    for a in spec.ASSIGNMENTS:
        subprocess.run([str(BIN / "nbgrader"), "autograde", a.id, "--force", "--log-level=ERROR"], cwd=plain,
                       env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    graded = len(list((plain / "grading" / "autograded").glob("*/*/*.ipynb")))
    return seconds, graded


def time_course(course: P.Course, workers: int, *extra: str) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    subprocess.run([str(BIN / "course"), "--root", str(course.root), "grade", "--workers", str(workers),
                    "--force", "--quiet", *extra], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    return seconds, [json.loads(p.read_text()) for p in sorted(course.results.glob("*/*.json"))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=40, help="students in the class (default 40)")
    ap.add_argument("--workers", default="1,2", help="worker counts for course grade (default 1,2)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="course-bench-grading-"))
    try:
        course = make_class(tmp, args.students)
        n = args.students * len(spec.ASSIGNMENTS)
        print(f"synthetic class: {args.students} students x {len(spec.ASSIGNMENTS)} assignments = {n} submissions "
              f"({', '.join(KINDS)} in turn); {os.cpu_count()} cores")
        rows = []
        seconds, graded = time_nbgrader(course, tmp)
        assert graded == n, f"nbgrader autograded {graded} of {n} notebooks"
        base = 60 * n / seconds
        rows.append(("nbgrader autograde (serial, no re-check)", seconds, base))
        breakdown = None
        for w in [int(x) for x in args.workers.split(",")]:
            seconds, results = time_course(course, w)
            assert len(results) == n, f"course grade recorded {len(results)} of {n}"
            rows.append((f"course grade --workers {w} (re-check included)", seconds, 60 * n / seconds))
            if breakdown is None:
                breakdown = results
        seconds, unsandboxed = time_course(course, 1, "--unsandboxed")
        rows.append(("course grade --workers 1 --unsandboxed", seconds, 60 * n / seconds))
        print(f"\n| {'mode':<45} | {'seconds':>8} | {'submissions/min':>15} | {'vs nbgrader':>11} |")
        print(f"|{'-' * 47}|{'-' * 10}|{'-' * 17}|{'-' * 13}|")
        for name, seconds, rate in rows:
            print(f"| {name:<45} | {seconds:8.1f} | {rate:15.1f} | {rate / base:10.2f}x |")
        graded = [r for r in breakdown if r["status"] == "graded"]
        phases = ["kernel start", "execute", "recheck", "gradebook", "record", "other"]
        print(f"\nwhere the time per notebook goes (course grade --workers 1, mean over {len(graded)} notebooks):")
        total = statistics.mean(r["seconds"] + r["timings"].get("record", 0) for r in graded)
        for ph in phases:
            mean = statistics.mean(r["timings"].get(ph, 0.0) for r in graded)
            print(f"  {ph:<13} {mean:6.3f} s  ({100 * mean / total:4.1f} %)")
        print(f"  {'total':<13} {total:6.3f} s")
        bare = [r for r in unsandboxed if r["status"] == "graded"]
        print("\nthe sandbox's cost per notebook (--workers 1, sandboxed minus --unsandboxed, mean):")
        for ph in ("kernel start", "execute", "recheck"):
            cost = (statistics.mean(r["timings"].get(ph, 0.0) for r in graded)
                    - statistics.mean(r["timings"].get(ph, 0.0) for r in bare))
            print(f"  {ph:<13} {cost:+6.3f} s")
        cost = total - statistics.mean(r["seconds"] + r["timings"].get("record", 0) for r in bare)
        print(f"  {'total':<13} {cost:+6.3f} s")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
