"""nbgrader configuration of the course (read by every `nbgrader` command run from this folder
and by `course`, the instructor CLI in course_lib/cli.py).

Layout: the nbgrader *source* notebooks (with solutions and hidden tests) are `solutions/<id>/`,
the student copies nbgrader generates from them are `exercises/<id>/` (both committed); all
grading work -- submissions, autograded notebooks, feedback, the gradebook and its backups --
lives in the git-ignored `grading/` folder.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
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
from course_lib.grading.feedback import CleanFeedback
from course_lib.grading.recheck import TrustedRecheck
from course_lib.grading.redact import RedactHiddenTests, StripHiddenTests
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

# Autograding = nbgrader's own pipeline, with four additions:
#  * StripHiddenTests: the hidden tests never run in the student's kernel (the re-check runs them);
#  * GradingExecute: nbgrader's Execute with a sandboxed (bubblewrap), memory-limited kernel that
#    survives a dead kernel, with a time budget per notebook;
#  * RedactHiddenTests: no hidden test's source in any output (it would reach the feedback);
#  * TrustedRecheck: re-runs the student's code in a sandboxed process and makes the score agree.
# `course grade --unsandboxed` turns both sandboxes off (only for code you trust).
c.Autograde.autograde_preprocessors = [
    StripHiddenTests,
    GradingExecute,
    RedactHiddenTests,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    TrustedRecheck,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.GradingExecute.kernel_memory_mb = 3072
c.GradingExecute.notebook_timeout = 300  # seconds for the whole notebook, on top of Execute.timeout per cell
c.TrustedRecheck.source_directory = os.path.join(ROOT, "solutions")
c.TrustedRecheck.cpu_seconds = 10  # the limit that decides (CPU time does not depend on the machine's load)
c.TrustedRecheck.timeout = 120  # wall-clock backstop for code that sleeps
c.TrustedRecheck.memory_limit_mb = 1024
# The secret that salts the re-check's random inputs (made at the first grading; keep it with the gradebook).
c.TrustedRecheck.secret_file = os.path.join(ROOT, WORK, "secret.key")
# `course grade` backs up the gradebook (and the secret) to grading/backups/ before it writes; the newest kept:
c.CourseBackups.keep = 50

# Late submissions: nbgrader's late-penalty plugin, applied by `course export` and `course feedback`
# (course_lib/grading/deadlines.py) from the submission time the import recorded, the due date set
# with `course release ID --due ...` and the extensions in grading/extensions.csv. (AssignLatePenalties
# above only sees the private gradebook of one submission, which knows no extensions.)
# PerDayPenalty: lose per_day of the points earned per started day late, at most cap of them.
c.AssignLatePenalties.plugin_class = "course_lib.grading.deadlines.PerDayPenalty"
c.PerDayPenalty.per_day = 0.1
c.PerDayPenalty.cap = 1.0

# Feedback: HTML with the scores; hidden tests removed (ClearHiddenTests); every error reduced to its
# reason, no tracebacks, instructor paths, HTML/SVG/JavaScript outputs, and the student's own Markdown
# shown as text with no javascript: links (CleanFeedback); nbconvert's sanitiser on top.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CleanFeedback, CSSHTMLHeaderPreprocessor]
c.HTMLExporter.sanitize_html = True

# `course import ASSIGNMENT ZIP|DIR` (course_lib/grading/importing.py) reads the file names of Canvas
# ("jsmith_late_12345_67890_a1_sigmoid_tanh.ipynb"), Moodle ("Jane Smith_12345_assignsubmission_file_
# a1_sigmoid_tanh.ipynb"), Blackboard ("a1_jsmith_attempt_2026-03-01-12-00-00_a1_sigmoid_tanh.ipynb")
# and folders per student. Other LMSs: regular expressions with the named groups student and file
# (optionally late, user_id, time), tried first. Times inside an LMS zip are read in lms_timezone.
c.CourseImport.patterns = []
c.CourseImport.lms_timezone = "UTC"
