"""nbgrader configuration of the course (read by every `nbgrader` command run from this folder
and by `course`, the instructor CLI in course_lib/cli.py).

Layout: the nbgrader *source* notebooks (with solutions and hidden tests) are `solutions/<id>/`,
the student copies nbgrader generates from them are `exercises/<id>/` (both committed); all
grading work -- submissions, autograded notebooks, feedback, the gradebook and its backups --
lives in the git-ignored `grading/` folder.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from course_lib.grading.execute import GradingExecute
from course_lib.grading.recheck import TrustedRecheck
from course_lib.grading.sanitize import DropEmptyNbgraderMetadata

c = get_config()  # noqa: F821 -- provided by traitlets when nbgrader loads this file

ROOT = os.path.dirname(os.path.abspath(__file__))
WORK = "grading"  # git-ignored
os.makedirs(os.path.join(ROOT, WORK), exist_ok=True)  # the gradebook lives there

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "activation-functions"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = f"{WORK}/submitted"
c.CourseDirectory.autograded_directory = f"{WORK}/autograded"
c.CourseDirectory.feedback_directory = f"{WORK}/feedback"
c.CourseDirectory.solution_directory = f"{WORK}/solution"
c.CourseDirectory.db_url = f"sqlite:///{os.path.join(ROOT, WORK, 'gradebook.db')}"
c.Exchange.root = os.path.join(ROOT, WORK, "exchange")  # unused (no JupyterHub); keeps nbgrader quiet
os.makedirs(c.Exchange.root, exist_ok=True)
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Execution: a slow cell is interrupted after this many seconds (an infinite loop costs this once per cell).
c.Execute.timeout = 30
# Sanitising: grade cells a student deleted come back (and score on their own merits).
c.OverwriteCells.add_missing_cells = True

# Sanitising = nbgrader's own steps, plus one that keeps a duplicated test cell from crashing
# OverwriteCells (nbgrader 0.9.6 raises KeyError: 'grade_id' on the copy DeduplicateIds emptied).
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    DropEmptyNbgraderMetadata,
    OverwriteKernelspec,
    OverwriteCells,
    CheckCellMetadata,
]

# Autograding = nbgrader's own pipeline, with two substitutions:
#  * GradingExecute: nbgrader's Execute with a memory-limited kernel that survives a dead kernel;
#  * TrustedRecheck: re-runs the student's code in an isolated process and makes the score agree.
c.Autograde.autograde_preprocessors = [
    GradingExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    TrustedRecheck,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.GradingExecute.kernel_memory_mb = 3072
c.TrustedRecheck.source_directory = os.path.join(ROOT, "solutions")
c.TrustedRecheck.timeout = 20
c.TrustedRecheck.memory_limit_mb = 1024

# Feedback: HTML with the scores, hidden tests removed.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# `course import ZIP` (nbgrader zip_collect): file names as an LMS exports them, e.g. Canvas's
# "jsmith_late_12345_67890_a1_sigmoid_tanh.ipynb" -> student "jsmith", file "a1_sigmoid_tanh.ipynb".
c.ZipCollectApp.collector_plugin = FileNameCollectorPlugin
c.ZipCollectApp.downloaded_directory = f"{WORK}/downloaded"
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[A-Za-z0-9.\-]+)_(?:late_)?(?:\d+_)*(?P<file_id>[^/]+)$"
