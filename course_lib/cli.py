"""``course``: the course's command line (a thin layer over :mod:`course_lib.grading`).

Students::

    course check a1_sigmoid_tanh   # run it as grading does (or give a path); "ready" means full marks

Instructors (from the course folder)::

    course release                          # solutions/ -> exercises/ (+ grading/release/exercises.zip)
    course release a1_sigmoid_tanh --due "2026-03-01 23:59"   # ... and its due date (UTC)
    course import a1_sigmoid_tanh DIR|ZIP   # a folder per student, or a Canvas/Moodle/Blackboard zip
    course remove a1_sigmoid_tanh STUDENT   # archive a wrongly imported submission (nothing is deleted)
    course grade [--assignment ID] [--student ID] [--workers N | --scheduler ADDRESS] [--db-url URL] [--force]
    course feedback                         # HTML in grading/feedback/, hidden tests removed
    course export [grading/grades.csv]
    course report                           # grading/report/report.{png,html}
    course similarity a1_sigmoid_tanh       # grading/report/similarity-a1_sigmoid_tanh.html

Bad input is one line on stderr and exit status 2 (``--debug`` adds the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def _course(args):
    from course_lib.grading.errors import CourseError
    from course_lib.grading.pipeline import Course

    db = getattr(args, "db_url", None) or os.environ.get("COURSE_DB_URL")
    if db and db.startswith("postgresql") and not _installed("psycopg"):
        raise CourseError("a PostgreSQL gradebook needs psycopg: pip install -e '.[postgres]' (make install does)")
    if args.root and not os.path.isfile(os.path.join(args.root, "nbgrader_config.py")):
        raise CourseError(f"--root {args.root}: no nbgrader_config.py there; give the course folder")
    return Course(args.root, db) if args.root else Course.find(db=db)


def cmd_check(args) -> int:
    from course_lib.grading.student_check import check_notebook, find_notebook

    course = None
    if args.root:
        course = _course(args)  # a wrong --root is one line (CourseError)
    else:
        from course_lib.grading.errors import CourseError

        try:
            course = _course(args)
        except (CourseError, FileNotFoundError, ImportError):  # outside a course folder; the student package
            course = None
    ok_all, results = True, []
    for arg in args.notebooks:
        try:
            path = find_notebook(arg, course.root if course else None)
        except FileNotFoundError as exc:
            print(f"course check: {exc}")
            ok_all = False
            continue
        ok, summary = check_notebook(path, course)
        print(summary, flush=True)
        results.append(ok)
        ok_all &= ok
    if len(args.notebooks) > 1:
        print(f"{sum(results)} of {len(args.notebooks)} notebooks ready to hand in")
    return 0 if ok_all else 1


def cmd_release(args) -> int:
    from course_lib.grading.deadlines import parse_due, set_due
    from course_lib.grading.errors import CourseError, known_assignments
    from course_lib.grading.pipeline import release

    course = _course(args)
    known_assignments(args.assignment)
    if args.due and not args.assignment:
        raise CourseError("--due needs the assignment(s) it is for, e.g. `course release a1_sigmoid_tanh --due "
                          "'2026-03-01 23:59'`")
    due = parse_due(args.due) if args.due else None
    zip_path = course.work / "release" / "exercises.zip"
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    done = release(course, args.assignment or None, zip_path=zip_path)
    print(f"released {', '.join(done)} into exercises/; the bundle for your LMS (the notebooks, the student "
          f"package and a README.txt with its offline install command): {zip_path.relative_to(course.root)}")
    for aid in done if due else []:
        set_due(course, aid, due)
        print(f"{aid}: due {due:%Y-%m-%d %H:%M} UTC")
    return 0


def cmd_import(args) -> int:
    from course_lib.grading.importing import import_source

    report = import_source(_course(args), args.assignment, args.source)
    for student, status in report.statuses.items():
        print(f"{student}: {status}")
    for line in report.warnings:
        print(f"warning: {line}", file=sys.stderr)
    for line in report.unmatched:
        print(f"not imported: {line}", file=sys.stderr)
    for line in report.refused:
        print(f"refused: {line}", file=sys.stderr)
    print(f"imported {len(report.statuses)} submission(s) for {args.assignment}"
          + (f" ({report.lms} export)" if report.lms else "")
          + (f"; {len(report.refused)} refused, {len(report.unmatched)} file(s) matched no pattern"
             if report.refused or report.unmatched else ""))
    return 1 if report.refused or report.unmatched else 0


def cmd_remove(args) -> int:
    from course_lib.grading.importing import remove_submission

    course = _course(args)
    slot = remove_submission(course, args.assignment, args.student)
    print(f"removed {args.student}/{args.assignment}: submission, grades and feedback archived in "
          f"{slot.relative_to(course.root)}")
    return 0


def cmd_grade(args) -> int:
    from course_lib.grading.errors import CourseError
    from course_lib.grading.importing import check_selection
    from course_lib.grading.parallel import Interrupted
    from course_lib.grading.pipeline import grade
    from course_lib.grading.sandbox import SandboxUnavailable

    overrides = None
    if args.unsandboxed:
        overrides = {"GradingExecute.sandbox": False, "TrustedRecheck.sandbox": False}
        print("WARNING: grading without the operating-system sandbox (--unsandboxed): student code runs as you, "
              "with your access to this course folder; do this only for code you trust", file=sys.stderr)
    course = _course(args)
    check_selection(course, args.assignment, args.student)
    if args.scheduler and not _installed("distributed"):
        raise CourseError("--scheduler needs Dask: pip install -e '.[dask]' (make install does)")
    try:
        results = grade(course, args.assignment or None, args.student or None, progress=not args.quiet,
                        workers=args.workers, scheduler=args.scheduler, force=args.force, overrides=overrides)
    except Interrupted as exc:
        print(exc, file=sys.stderr)
        return 130
    except SandboxUnavailable as exc:
        print(f"course grade: cannot grade safely: {exc}. Install Debian's bubblewrap package "
              "(apt-get install bubblewrap) where unprivileged user namespaces are allowed, or run "
              "`course grade --unsandboxed` to grade without it (only for code you trust).", file=sys.stderr)
        return 2
    for r in results:
        if args.verbose or r.status != "graded":
            print(r.summary())
    return 0


def cmd_feedback(args) -> int:
    from course_lib.grading.feedback import write_feedback

    paths, problems = write_feedback(_course(args), args.assignment or None, args.student or None)
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)
    print(f"wrote {len(paths)} feedback file(s) under grading/feedback/"
          + (f"; {len(problems)} problem(s) above" if problems else ""))
    return 1 if problems else 0


def cmd_export(args) -> int:
    from course_lib.grading.export import export_all

    course = _course(args)
    paths, problems = export_all(course, args.path or course.work / "grades.csv")
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)
    print(f"wrote {', '.join(str(p) for p in paths)}")
    return 1 if problems else 0


def cmd_report(args) -> int:
    from course_lib.grading.report import write_report

    png, page = write_report(_course(args), args.out)
    print(f"wrote {png} and {page}")
    return 0


def cmd_similarity(args) -> int:
    from course_lib.grading.similarity import similarity

    pairs, problems, page = similarity(_course(args), args.assignment, args.threshold)
    for p in pairs[:args.top]:
        other = f"{p.second} (the course's code)" if p.reference else p.second
        print(f"{p.share:4.0%}  {p.first} ~ {other}")
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)
    print(f"{len(pairs)} pair(s) at or above {args.threshold:.0%}; side by side in {page}")
    return 0


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return n


def _fraction(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not 0 < x <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], e.g. 0.6, got {text!r}")
    return x


_ASSIGNMENT = "an assignment id, e.g. a1_sigmoid_tanh (`ls solutions/` lists them)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course", description="Graded exercises of the activation-functions course.")
    p.add_argument("--debug", action="store_true", help="on an error, print the traceback too")
    p.add_argument("--root", help="course folder (default: the folder holding nbgrader_config.py)")
    p.add_argument("--db-url", help="the gradebook's database URL, e.g. postgresql://user@host/gradebook "
                   "(default: COURSE_DB_URL, else CourseDirectory.db_url in nbgrader_config.py)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("check", help="(students) run a notebook as grading does and predict its score")
    s.add_argument("notebooks", nargs="+", metavar="NOTEBOOK",
                   help="an assignment id (a1_sigmoid_tanh: found as ID.ipynb, ID/ID.ipynb or exercises/ID/ID.ipynb "
                        "here) or a notebook's path")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("release", help="generate the student notebooks in exercises/")
    s.add_argument("assignment", nargs="*", metavar="ASSIGNMENT", help=_ASSIGNMENT + " (default: all)")
    s.add_argument("--due", metavar="WHEN",
                   help="the due date of the named assignment(s), e.g. '2026-03-01 23:59' (UTC, or with a zone: "
                        "'2026-03-01T23:59+01:00'); later submissions lose points per nbgrader_config.py")
    s.set_defaults(func=cmd_release)

    s = sub.add_parser("import", help="import submissions: a folder per student, or an LMS zip")
    s.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT)
    s.add_argument("source", metavar="SOURCE",
                   help="a folder with one sub-folder per student (DIR/<student>/ or DIR/<student>/<assignment>/), "
                        "or the zip a Canvas, Moodle or Blackboard export downloads")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("remove", help="archive a wrongly imported submission with its grades (nothing is deleted)")
    s.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT)
    s.add_argument("student", metavar="STUDENT", help="the student id (as `course import` printed it)")
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser("grade", help="autograde every submission (backs up the gradebook first)")
    s.add_argument("--assignment", action="append", metavar="ID", help="only this assignment (repeatable)")
    s.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    s.add_argument("--workers", type=_positive, default=os.cpu_count() or 1,
                   help="grade in N worker processes (default: the number of cores, here %(default)s)")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786); the workers must see "
                        "the course folder at the same path")
    s.add_argument("--force", action="store_true",
                   help="regrade everything (default: skip submissions already graded and unchanged)")
    s.add_argument("--db-url", default=argparse.SUPPRESS, help="the gradebook's database URL (as `course --db-url`)")
    s.add_argument("--unsandboxed", action="store_true",
                   help="grade without the bubblewrap sandbox (student code then runs as you, with your access "
                        "to the course folder): only where namespaces are unavailable and for code you trust")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--verbose", action="store_true", help="print every result, not only the problems")
    s.set_defaults(func=cmd_grade)

    s = sub.add_parser("feedback", help="HTML feedback with hidden tests removed")
    s.add_argument("--assignment", action="append", metavar="ID", help="only this assignment (repeatable)")
    s.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    s.set_defaults(func=cmd_feedback)

    s = sub.add_parser("export", help="grades as CSV (+ per-test detail and a Canvas gradebook import file)")
    s.add_argument("path", nargs="?", metavar="FILE.csv",
                   help="where to write the grades (default: grading/grades.csv); FILE_detail.csv and "
                        "FILE_canvas.csv are written beside it")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("report", help="score distributions and common failures (PNG + HTML)")
    s.add_argument("--out", metavar="DIR", help="the folder to write report.png and report.html in "
                   "(default: grading/report/)")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("similarity", help="students' code compared with each other and with the course's code")
    s.add_argument("assignment", metavar="ASSIGNMENT", help=_ASSIGNMENT)
    s.add_argument("--threshold", type=_fraction, default=0.6,
                   help="flag a pair when this share of one side's code is in the other (default: %(default)s)")
    s.add_argument("--top", type=_positive, default=20, help="pairs to print (all are in the HTML report; "
                   "default: %(default)s)")
    s.set_defaults(func=cmd_similarity)
    return p


def main(argv=None) -> int:
    from course_lib.grading.errors import CourseError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:  # bad input: one line; anything else is a bug and keeps its traceback
        if args.debug:
            import traceback

            traceback.print_exc()
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return exc.status


if __name__ == "__main__":
    sys.exit(main())
