"""``course``: the course's command line (a thin layer over :mod:`course_lib.grading`).

Students::

    course check a1_sigmoid_tanh   # run it as grading does (or give a path); "ready" means full marks

Instructors (from the course folder)::

    course release                          # solutions/ -> exercises/ (+ grading/release/exercises.zip)
    course import a1_sigmoid_tanh DIR|ZIP   # a folder per student, or an LMS zip (nbgrader zip_collect)
    course grade [--assignment ID] [--student ID] [--workers N | --scheduler ADDRESS] [--db-url URL] [--force]
    course feedback                         # HTML in grading/feedback/, hidden tests removed
    course export [grading/grades.csv]
    course report                           # grading/report/report.{png,html}
"""

from __future__ import annotations

import argparse
import os
import sys


def _course(args):
    from course_lib.grading.pipeline import Course

    db = getattr(args, "db_url", None)
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
    from course_lib.grading.pipeline import release

    course = _course(args)
    zip_path = course.work / "release" / "exercises.zip"
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    done = release(course, args.assignment or None, zip_path=zip_path)
    print(f"released {', '.join(done)} into exercises/; zip for your LMS: {zip_path.relative_to(course.root)}")
    return 0


def cmd_import(args) -> int:
    from course_lib.grading.pipeline import import_submissions

    statuses = import_submissions(_course(args), args.assignment, args.source)
    for student, status in statuses.items():
        print(f"{student}: {status}")
    print(f"imported {len(statuses)} submission(s) for {args.assignment}")
    return 0


def cmd_grade(args) -> int:
    from course_lib.grading.parallel import Interrupted
    from course_lib.grading.pipeline import grade

    try:
        results = grade(_course(args), args.assignment or None, args.student or None, progress=not args.quiet,
                        workers=args.workers, scheduler=args.scheduler, force=args.force)
    except Interrupted as exc:
        print(exc, file=sys.stderr)
        return 130
    for r in results:
        if args.verbose or r.status != "graded":
            print(r.summary())
    return 0


def cmd_feedback(args) -> int:
    from course_lib.grading.pipeline import feedback

    paths = feedback(_course(args), args.assignment or None, args.student or None)
    print(f"wrote {len(paths)} feedback file(s) under grading/feedback/")
    return 0


def cmd_export(args) -> int:
    from course_lib.grading.pipeline import export

    course = _course(args)
    path, detail = export(course, args.path or course.work / "grades.csv")
    print(f"wrote {path} and {detail}")
    return 0


def cmd_report(args) -> int:
    from course_lib.grading.report import write_report

    png, page = write_report(_course(args), args.out)
    print(f"wrote {png} and {page}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course", description="Graded exercises of the activation-functions course.")
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
    s.add_argument("assignment", nargs="*")
    s.set_defaults(func=cmd_release)

    s = sub.add_parser("import", help="import submissions: a folder per student, or an LMS zip")
    s.add_argument("assignment")
    s.add_argument("source")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("grade", help="autograde every submission (backs up the gradebook first)")
    s.add_argument("--assignment", action="append")
    s.add_argument("--student", action="append")
    s.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="grade in N worker processes (default: the number of cores, here %(default)s)")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786); the workers must see "
                        "the course folder at the same path")
    s.add_argument("--force", action="store_true",
                   help="regrade everything (default: skip submissions already graded and unchanged)")
    s.add_argument("--db-url", default=argparse.SUPPRESS, help="the gradebook's database URL (as `course --db-url`)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--verbose", action="store_true", help="print every result, not only the problems")
    s.set_defaults(func=cmd_grade)

    s = sub.add_parser("feedback", help="HTML feedback with hidden tests removed")
    s.add_argument("--assignment", action="append")
    s.add_argument("--student", action="append")
    s.set_defaults(func=cmd_feedback)

    s = sub.add_parser("export", help="grades as CSV")
    s.add_argument("path", nargs="?")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("report", help="score distributions and common failures (PNG + HTML)")
    s.add_argument("--out")
    s.set_defaults(func=cmd_report)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
