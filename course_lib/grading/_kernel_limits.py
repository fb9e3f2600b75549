"""Start a Jupyter kernel under resource limits: ``python _kernel_limits.py MEMORY_MB -- KERNEL_CMD...``.

Run as a script (not imported) by :class:`course_lib.grading.execute.LimitedKernelManager`:
it sets the address-space limit and one BLAS thread, then ``exec`` s the kernel command, which inherits it. A
memory bomb in a student's cell then raises ``MemoryError`` instead of exhausting the machine.
"""

import os
import resource
import sys


def main(argv):
    memory_mb = int(argv[1])
    cmd = argv[argv.index("--") + 1:]
    if memory_mb > 0:
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))  # no file over 64 MiB (Python gets EFBIG)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one BLAS thread: less reserved memory, no contention between graders
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv)
