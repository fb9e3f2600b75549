"""Write the nbgrader source notebooks solutions/<id>/<id>.ipynb from course_lib.grading.spec.

    python tools/make_notebooks.py            # all six
    python tools/make_notebooks.py a1_sigmoid_tanh
"""

from course_lib.grading.notebook_template import main

if __name__ == "__main__":
    raise SystemExit(main())
