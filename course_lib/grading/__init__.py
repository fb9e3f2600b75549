"""Graded exercises and instructor autograding on top of nbgrader.

* :mod:`.spec` -- the six assignments as data: parts, reference solutions, test cells and
  their input cases. The notebooks (:mod:`.notebook_template`), the kernel-side test helpers
  (:mod:`.checks`) and the trusted re-check (:mod:`.recheck`) all read it, so they cannot drift.
* :mod:`.checks` -- what a test cell calls: compare a student's function with ``course_lib``
  and fail with a human message ("sigmoid is wrong on large negative inputs ...").
* :mod:`.recheck` and :mod:`.sandbox` -- the trusted re-check, an nbgrader preprocessor that
  re-runs the student's code in an isolated ``python -I -S`` process and makes the score agree.
* :mod:`.execute` -- nbgrader's ``Execute`` with a memory-limited kernel that survives a dead kernel.
* :mod:`.pipeline` -- release, import, grade (one submission in isolation -> a result record;
  one writer for the gradebook), feedback, export; :mod:`.report` -- the grade report.
"""
