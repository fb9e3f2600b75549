"""The untrusted half of the re-check: runs *inside* the sandbox. Standard library and NumPy only.

Started by :mod:`course_lib.grading.recheck` as ``python -I -S runner.py JOBDIR`` in a bubblewrap
sandbox (:mod:`course_lib.grading.sandbox`) with resource limits, where the file system holds the
standard library, NumPy and the read-only ``JOBDIR`` (``job.json``: the student's code cells and
the calls to make; ``inputs.npz``). An audit hook blocks files outside the job, processes,
sockets, ctypes and the forbidden modules (an inner layer: the sandbox is the boundary).

Everything this process does is in the student's reach, so it reports nothing but **raw
frames** on the pipe it was given as standard output (the student's own prints go to
``/dev/null``). A frame is one tag byte, a 4-byte little-endian length and the payload:

=====  ===============================================================================
``X``  a code cell failed: 4-byte cell index + UTF-8 text (shown to the student only)
``D``  the code cells are loaded
``C``  call number i starts (4 bytes)
``E``  the call raised: UTF-8 text
``R``  the call returned: 1 byte "is a tuple", 2 bytes number of items
``A``  one returned item as an array (see :func:`_array_frame`)
``T``  one returned item that is not a plain number array: its type's name
``M``  one array argument as it was after the call (the grader compares it with what it sent)
``W``  a warning the call raised: UTF-8 text
``Z``  all calls made
=====  ===============================================================================

The grader (:func:`course_lib.grading.recheck.parse_frames`) parses these bytes itself, accepts
only plain numeric dtypes and checks every size, and decides every verdict by comparing the
arrays with ``course_lib``: a forged frame can at most hand back the right numbers, which is
what a correct function does.
"""

import os
import struct
import sys


def _frame(out, tag, payload=b""):
    out.write(tag + struct.pack("<I", len(payload)) + payload)
    out.flush()


def _text(s, limit=300):
    return str(s)[:limit].encode("utf-8", "replace")


def _array_frame(np, a):
    """dtype string (1-byte length + ASCII), ndim (1 byte), shape (8 bytes each), raw C-order bytes."""
    a = np.array(a, order="C", copy=True)  # (ascontiguousarray would make a 0-d array 1-d)
    dt = a.dtype.str.encode("ascii")
    return (struct.pack("<B", len(dt)) + dt + struct.pack("<B", a.ndim)
            + b"".join(struct.pack("<q", n) for n in a.shape) + a.tobytes())


def _install_audit_hook(jobdir, readable, forbidden):
    home = os.path.realpath(os.environ.get("HOME", "/tmp"))
    writable = ("/tmp", home)
    readable = tuple(os.path.realpath(p) for p in readable) + (os.path.realpath(jobdir),) + writable
    blocked_events = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                      "os.forkpty", "pty.spawn", "socket.", "ctypes.", "os.kill", "os.killpg", "signal.",
                      "sys.setrecursionlimit", "os.chdir", "os.remove", "os.rename", "os.rmdir", "shutil.",
                      "os.symlink", "os.link", "os.truncate", "os.chmod", "os.chown", "webbrowser.", "urllib.",
                      "http.", "ftplib.", "smtplib.", "os.putenv", "os.unsetenv",
                      "gc.get_objects", "gc.get_referrers", "gc.get_referents")
    forbidden = tuple(forbidden) + ("ctypes", "_ctypes", "subprocess", "_posixsubprocess", "socket", "_socket",
                                    "multiprocessing", "_multiprocessing")
    # every helper the hook calls is bound here: the student's code can rebind module globals and
    # builtins (e.g. ``__main__.any``), not these locals
    realpath, fsdecode, any_, isinstance_, str_ = os.path.realpath, os.fsdecode, any, isinstance, str
    perm, imp = PermissionError, ImportError
    o_write = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def inside(path, roots):
        try:
            if isinstance_(path, int):
                return True  # an already open descriptor
            if isinstance_(path, bytes):
                path = fsdecode(path)
            real = realpath(path)  # relative to the working folder (the home; os.chdir is blocked)
        except Exception:  # noqa: BLE001 -- an odd path is simply refused
            return False
        return any_(real == r or real.startswith(r + "/") for r in roots) or real in ("/dev/null", "/dev/urandom")

    def hook(event, args):
        if event == "open":
            path, mode = args[0], args[1] or "r"
            writing = any_(c in str_(mode) for c in "wax+") or (isinstance_(args[2], int) and args[2] & o_write)
            if not inside(path, writable if writing else readable):
                raise perm(f"blocked by the grader: {'writing' if writing else 'reading'} {path!r} "
                           "(files outside the submission are not available to graded code)")
        elif event in ("os.listdir", "os.scandir", "glob.glob", "os.walk"):
            path = args[0] if args else "."
            if path is None or not inside(path, readable):
                raise perm(f"blocked by the grader: listing {path!r} (outside the submission)")
        elif event == "import":
            top = str_(args[0]).split(".")[0]
            if top in forbidden:
                raise imp(f"blocked by the grader: importing {top} is not allowed in solutions")
        elif event.startswith(blocked_events):
            raise perm(f"blocked by the grader: {event} is not allowed in solutions")

    sys.addaudithook(hook)


def _report(out, np, result, error, caught, arrays_after):
    if error is not None:
        _frame(out, b"E", _text(error))
    else:
        items = list(result) if isinstance(result, tuple) else [result]
        _frame(out, b"R", struct.pack("<BH", isinstance(result, tuple), min(len(items), 16)))
        for item in items[:16]:
            t = type(item)
            if t is np.ndarray or isinstance(item, np.generic) or t in (float, int):
                arr = np.asarray(item)
                if arr.dtype.kind in "fiub":
                    _frame(out, b"A", _array_frame(np, arr))
                    continue
                name = f"{t.__name__} (dtype {arr.dtype})"
            else:
                name = t.__name__ if t.__module__ in ("builtins", "numpy") else f"{t.__module__}.{t.__name__}"
            _frame(out, b"T", _text(name, 200))
    for a in arrays_after:
        _frame(out, b"M", _array_frame(np, a))
    for w in caught[:5]:
        _frame(out, b"W", _text(f"{w.category.__name__}: {w.message}", 200))


def main(jobdir):
    import json

    out = os.fdopen(os.dup(1), "wb")  # the channel; the student's prints go to /dev/null
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    with open(os.path.join(jobdir, "job.json")) as f:
        job = json.load(f)
    sys.path.insert(0, job["site"])
    sys.setrecursionlimit(5000)
    import warnings

    import numpy as np

    with np.load(os.path.join(jobdir, "inputs.npz"), allow_pickle=False) as data:
        inputs = {k: data[k] for k in data.files}
    _install_audit_hook(jobdir, job["readable"], job["forbidden"])
    namespace = {"__name__": "__main__", "np": np, "numpy": np}
    for i, source in enumerate(job["cells"]):
        try:
            exec(compile(source, f"<cell {i}>", "exec"), namespace)  # noqa: S102 -- this is the sandbox
        except BaseException as exc:  # noqa: BLE001
            _frame(out, b"X", struct.pack("<I", i) + _text(f"{type(exc).__name__}: {exc}"))
    _frame(out, b"D")
    hopeless = {}  # function -> MemoryError/RecursionError text: do not run it again
    for call in job["calls"]:
        _frame(out, b"C", struct.pack("<I", call["index"]))
        args = [inputs[a["key"]].copy() if a["type"] == "array" else a["value"] for a in call["args"]]
        func = namespace.get(call["function"])
        result, error = None, None
        with warnings.catch_warnings(record=True) as caught, \
                np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                if not callable(func):
                    raise NameError(f"{call['function']} is not defined by your code")  # noqa: TRY004
                if call["function"] in hopeless:
                    error = hopeless[call["function"]]
                else:
                    result = func(*args, **call["kwargs"])
            except MemoryError:
                error = hopeless[call["function"]] = "MemoryError (more memory than the grader allows)"
            except RecursionError as exc:
                error = hopeless[call["function"]] = f"RecursionError: {exc}"
            except BaseException as exc:  # noqa: BLE001 -- SystemExit and friends are the student's
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _report(out, np, result, error, list(caught), [a for a in args if isinstance(a, np.ndarray)])
    _frame(out, b"Z")


if __name__ == "__main__":
    main(sys.argv[1])
