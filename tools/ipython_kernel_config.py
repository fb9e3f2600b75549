"""IPython kernel configuration installed into the course's virtual environment (.venv/etc/ipython/).

Every kernel started with the course's Python (the book build, `make lab`, grading) reads it. It
drops one log message only: ipykernel's "Kernel is running over TCP without encryption", printed
at every kernel start although these kernels listen on 127.0.0.1 for one local client; it would
otherwise reach students and the book build as a scary warning. Everything else is left alone.
"""

import logging


class _NoTcpEncryptionWarning(logging.Filter):
    def filter(self, record):
        return "running over TCP without encryption" not in record.getMessage()


logging.getLogger("IPKernelApp").addFilter(_NoTcpEncryptionWarning())
