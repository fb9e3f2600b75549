"""The untrusted half of the re-check: runs *inside* the isolated process. Standard library and NumPy only.

Started by :mod:`course_lib.grading.recheck` as ``python -I -S runner.py WORKDIR`` with resource
limits. It reads ``job.json`` (the student's code cells, the calls to make, where NumPy is) and
``inputs.npz``, installs an audit hook that blocks file access outside WORKDIR, process creation,
sockets, ctypes and the forbidden modules, executes the code cells one by one, then makes each
call and writes ``out_<id>.npz`` (plain arrays, never pickles) and ``out_<id>.json`` right away,
so a crash or a time-out loses only the call in progress (named in ``progress.txt``).

Nothing written here is trusted: the trusted process only reads plain arrays and compares them
with ``course_lib`` itself.
"""

import json
import os
import sys


def _install_audit_hook(workdir, readable, forbidden):
    real_workdir = os.path.realpath(workdir)
    readable = tuple(os.path.realpath(p) for p in readable) + (real_workdir,)
    blocked_events = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                      "os.forkpty", "pty.spawn", "socket.", "ctypes.", "os.kill", "os.killpg", "signal.",
                      "sys.setrecursionlimit", "os.chdir", "os.remove", "os.rename", "os.rmdir", "shutil.",
                      "os.symlink", "os.link", "os.truncate", "os.chmod", "os.chown", "webbrowser.", "urllib.",
                      "http.", "ftplib.", "smtplib.", "os.putenv", "os.unsetenv",
                      "gc.get_objects", "gc.get_referrers", "gc.get_referents")  # no reaching into this hook
    forbidden = tuple(forbidden) + ("ctypes", "_ctypes", "subprocess", "_posixsubprocess", "socket", "_socket",
                                    "multiprocessing", "_multiprocessing")

    def inside(path, roots):
        try:
            if isinstance(path, int):
                return True  # an already open descriptor
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            real = os.path.realpath(os.path.join(real_workdir, path))
        except Exception:  # noqa: BLE001 -- an odd path is simply refused
            return False
        return any(real == r or real.startswith(r + os.sep) for r in roots) or real in ("/dev/null", "/dev/urandom")

    def hook(event, args):
        if event == "open":
            path, mode = args[0], args[1] or "r"
            writing = any(c in str(mode) for c in "wax+") or (
                isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            roots = (real_workdir,) if writing else readable
            if not inside(path, roots):
                raise PermissionError(f"blocked by the grader: {'writing' if writing else 'reading'} {path!r} "
                                      "(files outside the submission are not available to graded code)")
        elif event in ("os.listdir", "os.scandir", "glob.glob", "os.walk"):
            path = args[0] if args else "."
            if path is None or not inside(path, readable):
                raise PermissionError(f"blocked by the grader: listing {path!r} (outside the submission)")
        elif event == "import":
            top = str(args[0]).split(".")[0]
            if top in forbidden:
                raise ImportError(f"blocked by the grader: importing {top} is not allowed in solutions")
        elif event.startswith(blocked_events):
            raise PermissionError(f"blocked by the grader: {event} is not allowed in solutions")

    sys.addaudithook(hook)


def _store(workdir, call_id, result, error, caught, mutated):
    import numpy as np

    meta = {"error": error, "warnings": caught[:5], "mutated": bool(mutated), "is_tuple": False,
            "types": [], "plain": []}
    arrays = {}
    if error is None:
        meta["is_tuple"] = isinstance(result, tuple)
        items = list(result) if meta["is_tuple"] else [result]
        for i, item in enumerate(items[:16]):
            t = type(item)
            plain = t is np.ndarray or isinstance(item, np.generic) or t in (float, int)
            name = t.__name__ if t.__module__ in ("builtins", "numpy") else f"{t.__module__}.{t.__name__}"
            try:
                arr = np.array(item.view(np.ndarray) if isinstance(item, np.ndarray) else item, copy=True)
                if arr.dtype.kind not in "fiub":
                    raise TypeError(f"not an array of numbers (dtype {arr.dtype})")
                arrays[f"o{i}"] = arr
            except Exception as exc:  # noqa: BLE001
                name += f" ({str(exc)[:100]})"
            meta["types"].append(name)
            meta["plain"].append(bool(plain))
    np.savez(os.path.join(workdir, f"out_{call_id}.npz"), **arrays)
    with open(os.path.join(workdir, f"out_{call_id}.json"), "w") as f:
        json.dump(meta, f)


def main(workdir):
    with open(os.path.join(workdir, "job.json")) as f:
        job = json.load(f)
    sys.path.insert(0, job["site"])
    sys.setrecursionlimit(5000)
    import warnings

    import numpy as np

    data = np.load(os.path.join(workdir, "inputs.npz"), allow_pickle=False)
    inputs = {k: data[k] for k in data.files}
    progress = open(os.path.join(workdir, "progress.txt"), "a", buffering=1)  # noqa: SIM115 -- open until exit
    cell_errors = []
    _install_audit_hook(workdir, job["readable"], job["forbidden"])
    namespace = {"__name__": "__main__", "np": np, "numpy": np}
    for i, source in enumerate(job["cells"]):
        progress.write(f"load {i}\n")
        try:
            exec(compile(source, f"<cell {i}>", "exec"), namespace)  # noqa: S102 -- this is the sandbox
        except BaseException as exc:  # noqa: BLE001
            cell_errors.append([i, f"{type(exc).__name__}: {exc}"[:300]])
    with open(os.path.join(workdir, "cells.json"), "w") as f:
        json.dump(cell_errors, f)
    progress.write("loaded\n")
    hopeless = {}  # function -> MemoryError/RecursionError text: do not run it again
    for call in job["calls"]:
        progress.write(f"call {call['id']}\n")
        args = [inputs[a["key"]].copy() if a["type"] == "array" else a["value"] for a in call["args"]]
        originals = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
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
                error = hopeless[call["function"]] = f"RecursionError: {exc}"[:300]
            except BaseException as exc:  # noqa: BLE001 -- SystemExit and friends are the student's
                error = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:300]
        mutated = any(o is not None and not np.array_equal(a, o, equal_nan=True) for a, o in zip(args, originals))
        _store(workdir, call["id"], result, error,
               [f"{w.category.__name__}: {w.message}"[:200] for w in caught], mutated)
    progress.write("done\n")


if __name__ == "__main__":
    main(sys.argv[1])
