"""Regenerate the graded notebooks from course_lib.grading.spec; only what changed is rewritten.

1. solutions/<id>/<id>.ipynb, the nbgrader sources (course_lib.grading.notebook_template);
2. exercises/<id>/<id>.ipynb, the student copies (nbgrader generate_assignment, through
   course_lib.grading.generate: decided by content, and a notebook a student edited is never
   overwritten -- the new version goes beside it as <id>.new.ipynb, with one line saying so);
3. _build/exercises/activation-course-exercises.zip, the bundle the book's exercise pages link to
   (the notebooks, the student wheel, a README; course_lib.grading.release.write_bundle).

    python tools/make_notebooks.py            # all six (what `make exercises` runs)
    python tools/make_notebooks.py a1_sigmoid_tanh
"""

import argparse
import sys
from pathlib import Path

from course_lib.grading.generate import sync_exercises
from course_lib.grading.notebook_template import write_all
from course_lib.grading.release import write_bundle

BUNDLE = Path("_build") / "exercises" / "activation-course-exercises.zip"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help="course root")
    parser.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    args = parser.parse_args(argv)
    for path in write_all(args.root, args.ids):
        print(f"wrote {Path(path).relative_to(Path(args.root).resolve()) if Path(path).is_absolute() else path}")
    try:
        sync_exercises(args.root, args.ids or None)
        write_bundle(args.root, Path(args.root) / BUNDLE)
    except RuntimeError as exc:
        print(f"make_notebooks: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
