"""JupyterLab settings of `make lab` (students): its terminals have the course's tools.

`make lab` starts JupyterLab in exercises/ with the course's .venv/bin first on PATH. A terminal
opened in it starts in exercises/ (the paths the notebooks print are relative to it) and runs
bash with lab_terminal_rc.sh, which reads the user's ~/.bashrc and then puts .venv/bin first on
PATH again, so that `course check a1_sigmoid_tanh` works as printed. Without this, jupyter_server
starts a *login* shell when it is not run from a terminal, and /etc/profile resets PATH.
"""

import os
import shutil

c = get_config()  # noqa: F821 -- provided by traitlets when JupyterLab loads this file

if shutil.which("bash"):
    c.ServerApp.terminado_settings = {
        "shell_command": ["bash", "--rcfile", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                           "lab_terminal_rc.sh")],
    }
