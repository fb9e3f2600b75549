"""The operating-system boundary around student code: command lines for Debian's ``bwrap``.

Every process that runs a student's code -- the grading kernel (:mod:`.execute`) and the trusted
re-check (:mod:`.recheck`) -- is started inside a `bubblewrap <https://github.com/containers/bubblewrap>`_
sandbox built here:

* new user, PID, network, IPC, UTS and cgroup namespaces (``--unshare-all``): no network, no
  view of the grader's or other students' processes, no signals to them; ``--die-with-parent``
  and the PID namespace together end every process the student started (double-forked daemons
  included) when the sandbox's parent goes; ``--new-session`` (no terminal injection);
* every capability dropped and no further user namespace (``--cap-drop ALL --disable-userns``),
  so the read-only mounts cannot be remounted and a folder the grader made read-only stays so;
* a file system of its own: the system folders, the Python installation and what the process
  needs (NumPy only for the re-check; the virtual environment and ``course_lib`` for the kernel)
  bound **read-only**; a private, size-limited ``tmpfs`` as home and ``/tmp``; nothing else of
  the course (no ``solutions/``, no ``grading/``, no other submission, no gradebook);
* a clean environment (``--clearenv``; ``JPY_PARENT_PID`` is never set, it names a process the
  PID namespace cannot see).

Resource limits (address space, CPU time, file size) and the re-check's audit hook stay as inner
layers. :func:`check` says whether the sandbox works on this machine; ``course grade`` stops with
its reason when it does not (``--unsandboxed`` proceeds without it, knowingly).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

__all__ = ["HOME", "SandboxUnavailable", "check", "command", "descendants", "kill_tree", "require"]

HOME = "/home/student"  #: the sandbox's home and working folder (a private tmpfs)

#: System folders every sandbox sees, read-only (``--ro-bind-try``: absent ones are skipped).
_SYSTEM = ("/usr", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
           "/etc/fonts", "/etc/alternatives", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
           "/sys/devices/system/cpu")
_MERGED = (("usr/bin", "/bin"), ("usr/sbin", "/sbin"), ("usr/lib", "/lib"), ("usr/lib64", "/lib64"))


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here."""


def _bwrap() -> str | None:
    """The bwrap program: ``COURSE_BWRAP`` if set (a path; e.g. a build of your own), else from PATH."""
    if os.environ.get("COURSE_BWRAP"):
        return os.environ["COURSE_BWRAP"] if os.path.exists(os.environ["COURSE_BWRAP"]) else None
    return shutil.which("bwrap") or next((p for p in ("/usr/bin/bwrap", "/bin/bwrap") if os.path.exists(p)), None)


def _python_roots(venv: bool) -> tuple[list[str], list[str]]:
    """``(folders to bind read-only, folders to hide)`` for the Python installation: its base
    prefix and, with ``venv``, the virtual environment; without it, the base installation's own
    site-packages is hidden (only the standard library remains)."""
    import sysconfig

    base = os.path.realpath(sys.base_prefix)
    roots, hidden = [base], []
    if venv and os.path.realpath(sys.prefix) != base:
        roots.append(os.path.realpath(sys.prefix))
    if not venv:
        paths = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})
        hidden = sorted({os.path.realpath(paths[k]) for k in ("purelib", "platlib") if os.path.isdir(paths[k])})
    return roots, hidden


def command(argv: list[str], *, ro: list[str] = (), rw: list[str] = (), files: dict[str, str] | None = None,
            env: dict[str, str] | None = None, home_mb: int = 64, tmp_mb: int = 64,
            venv: bool = True) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` in a fresh sandbox.

    ``ro``: host paths bound read-only at the same path; ``rw``: host folders bound writable at
    the same path (only the kernel's private connection folder); ``files``: ``{path in the
    sandbox: host file}`` bound read-only (e.g. a prebuilt font cache inside the home);
    ``env``: the whole environment (``HOME`` and ``TMPDIR`` are added); ``home_mb``/``tmp_mb``:
    sizes of the private ``tmpfs`` home (also the working folder) and ``/tmp``. The Python
    installation is bound read-only: with ``venv``, the virtual environment too; without it, only
    the standard library (the base installation's site-packages is hidden).
    """
    bwrap = _bwrap()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    # bwrap itself starts with an empty environment: its init process (PID 1 inside, whose
    # /proc/1/environ the student can read) must not hold the grader's variables
    cmd = ["/usr/bin/env", "-i", bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
           "--die-with-parent", "--new-session", "--hostname", "sandbox",
           "--proc", "/proc", "--dev", "/dev"]
    for path in _SYSTEM:
        cmd += ["--ro-bind-try", path, path]
    for target, link in _MERGED:
        if os.path.islink(link):
            cmd += ["--symlink", target, link]
        else:
            cmd += ["--ro-bind-try", link, link]
    # the private tmpfs first: a folder bound below (e.g. under the host's /tmp) must stay visible
    cmd += ["--size", str(tmp_mb << 20), "--tmpfs", "/tmp",
            "--size", str(home_mb << 20), "--tmpfs", HOME]
    roots, hidden = _python_roots(venv)
    for path in roots + list(ro):
        cmd += ["--ro-bind", path, path]
    for path in hidden:
        cmd += ["--tmpfs", path]
    for path in rw:
        cmd += ["--bind", path, path]
    for inside, host in (files or {}).items():
        cmd += ["--ro-bind", host, inside]
    cmd += ["--chdir", HOME, "--clearenv"]
    for key, value in {"HOME": HOME, "TMPDIR": "/tmp", **(env or {})}.items():
        cmd += ["--setenv", key, value]
    return [*cmd, "--", *argv]


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from ``/proc/*/task/*/children``), parents first."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        if p in out:
            continue
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return out


def kill_tree(pid: int) -> None:
    """SIGKILL a sandbox: bwrap (``pid``) and everything below it, found *before* any of it dies.

    Killing the PID namespace's init (bwrap's child) ends every process inside, even one whose
    parent-death signal a student cleared (e.g. by ptrace-ing that init); killing only bwrap
    would let such a sandbox be reparented and live on.
    """
    import signal

    for p in descendants(pid):
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


@functools.lru_cache(maxsize=1)
def check() -> str | None:
    """``None`` if a sandbox can be made here, else why not (one line)."""
    if _bwrap() is None:
        return "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        proc = subprocess.run(command([os.path.realpath(sys.executable), "-I", "-S", "-c", "print('ok')"]),
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not be started ({exc})"
    if proc.returncode != 0 or proc.stdout.strip() != "ok":
        why = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return f"bubblewrap cannot create a sandbox here ({why}); unprivileged user namespaces may be disabled"
    return None


def require() -> None:
    """Raise :class:`SandboxUnavailable` with the reason when no sandbox can be made."""
    why = check()
    if why:
        raise SandboxUnavailable(why)
