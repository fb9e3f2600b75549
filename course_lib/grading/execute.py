"""nbgrader's ``Execute`` preprocessor, hardened for grading a class.

* :class:`LimitedKernelManager` starts the kernel inside an operating-system sandbox
  (:mod:`.sandbox`: bubblewrap, its own PID/network/IPC namespaces, the course and the virtual
  environment read-only, a private size-limited home; ``GradingExecute.sandbox``), talking to
  it over ZeroMQ ``ipc`` sockets in a private folder that is made read-only once the kernel is up,
  and under an address-space limit (``GradingExecute.kernel_memory_mb``), so a memory bomb raises
  ``MemoryError`` in the student's cell instead of taking the grading machine down. Interrupts
  are sent as messages (a signal to the sandbox's process group would kill it).
* Time: each cell has ``Execute.timeout`` seconds of **CPU time** of the kernel's process tree
  (read from ``/proc`` while it runs: the same on a busy machine) and ``wall_factor`` times as
  much wall-clock time; the whole notebook has ``GradingExecute.notebook_timeout`` seconds. A cell
  past its limit is interrupted, and a kernel that ignores the interrupt for
  ``GradingExecute.interrupt_grace`` seconds is killed: that cell and the later ones are lost, the
  earlier ones keep their points. The same watcher stops a kernel that runs more than
  ``max_processes`` processes or touches its connection folder.
* :class:`GradingExecute` survives a dead kernel (``os._exit``, a segfault, the OOM killer):
  the cell that killed it and every later cell get an error output saying so, and the
  notebook goes on to be scored (cells that passed before keep their points) instead of the
  whole submission failing.
* Throughput: the next notebook's kernel is launched, and its client connected, as soon as the
  current one is ready, so it boots while the current notebook runs (``GradingExecute.prestart``);
  :class:`ReadyClient` knows a kernel is ready the moment it answers (jupyter_client's check
  always waits 0.2 s more); kernels are killed, not shut down gracefully, and reaped without
  jupyter_client's 0.1 s polling; after a failing cell the traceback is released without a full
  garbage collection unless memory is short. Kernel start-up and the cells' run time are tallied
  separately (:mod:`.timing`).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from queue import Empty
from typing import ClassVar

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellExecutionComplete, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, DottedObjectName, Float, Integer, Type, default

from . import sandbox as _sandbox
from . import timing

__all__ = ["GradingExecute", "LimitedKernelManager", "ReadyClient"]

_WRAPPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_kernel_limits.py")


class ReadyClient(AsyncKernelClient):
    """A kernel client whose readiness check ends as soon as the kernel has answered.

    jupyter_client's ``wait_for_ready`` ends by waiting 0.2 s for IOPub messages that do not
    come: 0.2 s idle per notebook, a tenth of a notebook's grading time. Here the check asks
    ``kernel_info``, waits for the reply, then for the kernel's ``idle`` status *of that request*
    on IOPub, which proves IOPub is connected and that everything published before it has been
    read; if IOPub was not connected yet when the kernel published it, it asks again.
    ``start_channels`` may be called again: it starts the channels not yet running (a kernel
    launched ahead of time is connected early, without the heartbeat's thread).
    """

    _course_started: frozenset = frozenset()

    def start_channels(self, shell: bool = True, iopub: bool = True, stdin: bool = True, hb: bool = True,
                       control: bool = True) -> None:
        asked = {"shell": shell, "iopub": iopub, "stdin": stdin, "hb": hb, "control": control}
        new = {name: on and name not in self._course_started for name, on in asked.items()}
        super().start_channels(**new)
        self._course_started |= {name for name, on in new.items() if on}
        self.allow_stdin = "stdin" in self._course_started

    async def _idle_after(self, msg_id: str, patience: float) -> bool:
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=patience)
            except Empty:
                return False
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return True

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            try:
                reply = await self._async_recv_reply(msg_id, timeout=max(0.0, min(1.0, deadline - time.monotonic())))
            except TimeoutError:
                reply = None
            if reply is not None and await self._idle_after(msg_id, 0.1):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    wait_for_ready = _async_wait_for_ready


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run sandboxed, under ``memory_mb`` MiB of address space."""

    memory_mb = Integer(3072, help="Address-space limit of the kernel in MiB (0: none).").tag(config=True)
    sandbox = Bool(True, help="Run the kernel in a bubblewrap sandbox (see course_lib.grading.sandbox).").tag(config=True)
    scratch_mb = Integer(64, help="Size of the sandboxed kernel's private home folder in MiB.").tag(config=True)
    client_class = DottedObjectName("course_lib.grading.execute.ReadyClient")
    client_factory = Type(ReadyClient, klass=AsyncKernelClient)
    course_client = None  #: a client connected ahead of time (see :class:`_Spare`), handed out once
    course_dir = None  #: the sandboxed kernel's private folder (connection file and ipc sockets)

    async def _async_pre_start_kernel(self, **kw):
        if self.sandbox:
            # ipc sockets in a private folder: the sandbox has no network, and no other kernel's files
            self.course_dir = tempfile.mkdtemp(prefix="course-k-")
            self.transport = "ipc"
            self.ip = os.path.join(self.course_dir, "k")
            self.connection_file = os.path.join(self.course_dir, "kernel.json")
        return await super()._async_pre_start_kernel(**kw)

    pre_start_kernel = _async_pre_start_kernel

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = [sys.executable, _WRAPPER, str(self.memory_mb), "--", *super().format_kernel_cmd(extra_arguments)]
        if not self.sandbox:
            return cmd
        mpl = "/home/student/.config/matplotlib"
        env = {"PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin", "LANG": "C.UTF-8",
               "IPYTHONDIR": "/home/student/.ipython", "MPLCONFIGDIR": mpl, "JUPYTER_RUNTIME_DIR": "/tmp",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        files = {f"{mpl}/{os.path.basename(f)}": f for f in _font_cache()}
        files[_COURSE_LIB] = _student_view()  # what a student has: no hidden cases, no reference solutions
        return _sandbox.command(cmd, rw=[self.course_dir], env=env, home_mb=self.scratch_mb, files=files)

    def course_lock(self) -> None:
        """Once the kernel has bound its sockets: nothing more may be created in its folder.

        As root (CI, a grading server) the folder and the connection file are given to ``nobody``
        and made read-only: the kernel, the same user as its owner otherwise, can then not make
        them writable again (it has no capability). As another user, the kernel could chmod them
        back; :meth:`course_tampered` notices and grading stops the kernel."""
        if self.course_dir and os.path.isdir(self.course_dir):
            mode = 0o500
            if os.geteuid() == 0:
                with contextlib.suppress(OSError):
                    os.chown(self.connection_file, 65534, 65534)
                    os.chmod(self.connection_file, 0o444)
                os.chown(self.course_dir, 65534, 65534)
                mode = 0o555
            else:
                with contextlib.suppress(OSError):
                    os.chmod(self.connection_file, 0o400)
            os.chmod(self.course_dir, mode)
            self.course_locked = (mode, sorted(os.listdir(self.course_dir)))

    def course_tampered(self) -> bool:
        """Did the kernel change its (host) connection folder since :meth:`course_lock`? Its owner
        could chmod it writable again; grading then kills the kernel (and the folder goes with it)."""
        locked = getattr(self, "course_locked", None)
        if not locked or not self.course_dir:
            return False
        try:
            st = os.stat(self.course_dir)
            return (st.st_mode & 0o777, sorted(os.listdir(self.course_dir))) != locked
        except OSError:
            return True

    async def _async_interrupt_kernel(self):
        if not self.sandbox:
            return await super()._async_interrupt_kernel()
        if self.has_kernel:  # a message: SIGINT to the process group would end bwrap and the kernel with it
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)
        return None

    interrupt_kernel = _async_interrupt_kernel

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        pid = getattr(getattr(self, "provisioner", None), "pid", None)
        tree = _sandbox.descendants(pid) if pid else []
        await super()._async_kill_kernel(restart=restart)
        for p in tree[1:]:  # the whole sandbox, even an init whose parent-death signal was cleared
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)

    _kill_kernel = _async_kill_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        self.course_remove_dir()

    cleanup_resources = _async_cleanup_resources

    def course_remove_dir(self) -> None:
        if self.course_dir:
            with contextlib.suppress(OSError):
                os.chmod(self.course_dir, 0o700)
            shutil.rmtree(self.course_dir, ignore_errors=True)

    def client(self, **kwargs):
        kc, self.course_client = self.course_client, None
        return kc if kc is not None else super().client(**kwargs)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # a killed kernel is gone within milliseconds: don't sleep 0.1 s before noticing
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))


_COURSE_LIB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _font_cache() -> list[str]:
    """matplotlib's font list, built once here and bound read-only into every sandboxed kernel
    (each kernel would otherwise spend a second rebuilding it in its empty home)."""
    global _FONT_CACHE
    if _FONT_CACHE is None:
        import matplotlib

        cache = matplotlib.get_cachedir()
        found = glob.glob(os.path.join(cache, "fontlist-v*.json"))
        if not found:
            import matplotlib.font_manager
            found = glob.glob(os.path.join(cache, "fontlist-v*.json"))
        _FONT_CACHE = found
    return _FONT_CACHE


_FONT_CACHE = None
_VIEW = None


def _student_view() -> str:
    """A folder holding the course_lib a student has (``release.student_package_files``: no
    ``hidden_cases.py``, the spec without reference solutions) and the kernel's limits wrapper;
    bound read-only over course_lib in every grading kernel. Made once per process."""
    global _VIEW
    if _VIEW is None or not os.path.isdir(_VIEW):
        from .release import student_package_files

        view = tempfile.mkdtemp(prefix="course-student-lib-")
        files = {name[len("course_lib/"):]: data for name, data in student_package_files().items()}
        with open(_WRAPPER, "rb") as f:
            files["grading/_kernel_limits.py"] = f.read()
        for name, data in files.items():
            path = os.path.join(view, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        atexit.register(shutil.rmtree, view, True)
        _VIEW = view
    return _VIEW


#: Run silently after a cell that raised: IPython keeps the exception (``last_execution_result``,
#: ``sys.last_value``) and with it the traceback's frames and their locals, e.g. a list that
#: filled the memory limit; clearing a frame is not enough once the traceback formatter has read
#: its ``f_locals`` (kept in a dict of their own), so the traceback is dropped as well. A full
#: ``gc.collect()`` (for locals caught in reference cycles) costs tens of milliseconds in a kernel
#: with matplotlib loaded, and a failing notebook has a dozen errors, so it runs only when the
#: kernel uses over half its address-space limit (or 1 GiB of resident memory with no limit).
_RELEASE_TRACEBACK = (
    "import sys as _s, traceback as _t\n"
    "_ip = get_ipython()\n"
    "_r = getattr(_ip, 'last_execution_result', None)\n"
    "for _e in (getattr(_s, 'last_value', None), getattr(_r, 'error_in_exec', None),\n"
    "           getattr(_r, 'error_before_exec', None)):\n"
    "    while isinstance(_e, BaseException) and _e.__traceback__ is not None:\n"
    "        _t.clear_frames(_e.__traceback__)\n"
    "        _e.__traceback__ = None\n"
    "        _e = _e.__context__\n"
    "if getattr(_s, 'last_traceback', None) is not None:\n"
    "    _t.clear_frames(_s.last_traceback)\n"
    "_s.last_type = _s.last_value = _s.last_traceback = None\n"
    "if getattr(_ip, 'InteractiveTB', None) is not None:\n"
    "    _ip.InteractiveTB.tb = None\n"
    "del _s, _t, _ip, _r, _e\n"
    "def _course_memory_is_high():\n"
    "    import os, resource\n"
    "    try:\n"
    "        with open('/proc/self/statm') as f:\n"
    "            size, resident = (int(v) * os.sysconf('SC_PAGE_SIZE') for v in f.read().split()[:2])\n"
    "    except (OSError, ValueError):\n"
    "        return True\n"
    "    limit = resource.getrlimit(resource.RLIMIT_AS)[0]\n"
    "    return size > limit // 2 if limit != resource.RLIM_INFINITY else resident > 1 << 30\n"
    "if _course_memory_is_high():\n"
    "    import gc as _g; _g.collect(); del _g\n"
    "del _course_memory_is_high"
)


def tree_stats(pid: int) -> tuple[float, int]:
    """``(CPU seconds, processes)`` of process ``pid`` and all its descendants (user + system time,
    their waited-for children included), from ``/proc``: for a sandboxed kernel, bwrap and
    everything inside."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0, _sandbox.descendants(pid)
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return total / tick, len(pids)



def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    """``Execute`` with a memory-limited kernel that records a dead kernel instead of failing."""

    kernel_memory_mb = Integer(3072, help="Address-space limit of the grading kernel in MiB (0: none).").tag(config=True)
    prestart = Bool(True, help="Launch the next notebook's kernel while this one runs (it boots in the "
                    "background; a fresh process, never used before).").tag(config=True)
    sandbox = Bool(True, help="Run the kernel in a bubblewrap sandbox (course_lib.grading.sandbox); False "
                   "only for code you trust.").tag(config=True)
    scratch_mb = Integer(64, help="Size of the sandboxed kernel's private home folder in MiB.").tag(config=True)
    notebook_timeout = Integer(300, help="Seconds for the whole notebook (on top of the per-cell "
                               "Execute.timeout); the cells after it are not run.").tag(config=True)
    interrupt_grace = Float(5.0, help="Seconds a timed-out kernel has to obey the interrupt before it is "
                            "killed (later cells are then not run).").tag(config=True)
    max_processes = Integer(32, help="Processes a student's kernel may start (checked while a cell runs; "
                            "more, e.g. a fork bomb, and the kernel is stopped).").tag(config=True)
    cpu_timeout = Bool(True, help="Execute.timeout counts the CPU seconds the kernel (and what it started) uses "
                       "in a cell, which do not depend on how busy the machine is; wall_factor x timeout of wall "
                       "time remains for cells that wait (sleep).").tag(config=True)
    wall_factor = Float(10.0, help="With cpu_timeout: a cell's wall-clock limit, in multiples of Execute.timeout "
                        "(generous: a kernel that gets a tenth of a core still reaches its CPU limit first).").tag(
        config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(*args, **kwargs)
        self._dead = None
        self._deadline = None
        self._budget_cut = False
        self._idle = False
        self._cpu_stopped = False
        self._timed_out = None
        self._budget_spent = False
        self._budget_used = None

    @default("shutdown_kernel")
    def _default_shutdown_kernel(self):
        return "immediate"  # a graded kernel's state is worthless: no graceful shutdown to wait for

    def _key(self):
        return (self.kernel_name, self.kernel_memory_mb, self.sandbox, self.scratch_mb)

    def _configure(self, km):
        if isinstance(km, LimitedKernelManager):
            km.memory_mb = self.kernel_memory_mb
            km.sandbox = self.sandbox
            km.scratch_mb = self.scratch_mb

    def preprocess(self, nb, resources=None, km=None):
        self._dead = self._budget_used = None
        self._budget_spent = False
        self._deadline = time.monotonic() + self.notebook_timeout if self.notebook_timeout > 0 else None
        start = timing.PHASES.get("kernel start", 0.0)
        with timing.phase("execute"):
            out = super().preprocess(nb, resources, km)
        # "execute" is the cells' run time: the kernel's start-up is counted on its own
        timing.add("execute", -(timing.PHASES.get("kernel start", 0.0) - start))
        return out

    async def async_start_new_kernel(self, **kwargs):
        # the kernel talks to us over ZeroMQ; its own stdout/stderr only carry ipykernel's log
        # (and its complaints when it is stopped mid-cell), which would garble the progress bar
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        with timing.phase("kernel start"):
            return await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        with timing.phase("kernel start"):
            kc = await super().async_start_new_kernel_client()
            if isinstance(self.km, LimitedKernelManager):
                self.km.course_lock()
            cwd = self.resources.get("metadata", {}).get("path") or None
            if getattr(self.km, "course_spare_cwd", None) and cwd and not self.sandbox:
                # a kernel launched ahead of time runs in a neutral folder: move it to the notebook's
                msg_id = kc.execute(f"import os as _o; _o.chdir({os.path.abspath(cwd)!r}); del _o",
                                    silent=True, store_history=False)
                await self.async_wait_for_reply(msg_id)
        if self.prestart:
            extra = list(self.extra_arguments)
            if self.ipython_hist_file and not any(a.startswith("--HistoryManager.hist_file") for a in extra):
                extra.append(f"--HistoryManager.hist_file={self.ipython_hist_file}")  # as nbclient does
            await _Spare.launch(self._key(), self._fresh_kernel_manager(), extra)
        return kc

    # nbclient binds its synchronous wrappers to its own coroutines: rebind them to ours
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _fresh_kernel_manager(self):
        current = self.km
        km = super().create_kernel_manager()  # (which sets self.km)
        self.km = current
        self._configure(km)
        return km

    def create_kernel_manager(self):
        if not self.kernel_name:  # as nbclient does, so that the spare's key matches
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or ""
        spare = _Spare.take(self._key()) if self.prestart else None
        self.km = spare or super().create_kernel_manager()
        self._configure(self.km)
        return self.km

    _TAMPERED = "the kernel changed its connection folder on the grading machine, so it was stopped"

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if timeout is not None and self.cpu_timeout:
            timeout = int(timeout * self.wall_factor)  # the backstop; the CPU watcher decides
        self._budget_cut = False
        if self._deadline is not None and cell is not None:
            left = max(0.01, self._deadline - time.monotonic())
            if timeout is None or left < timeout:
                timeout, self._budget_cut = left, True
        return timeout

    def process_message(self, msg, cell, cell_index):
        try:
            return super().process_message(msg, cell, cell_index)
        except CellExecutionComplete:  # the kernel went idle after this cell
            self._idle = True
            raise

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        watch = None
        if self.cpu_timeout and self.timeout and cell.cell_type == "code" and self.km is not None:
            pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
            if pid:
                watch = asyncio.ensure_future(self._watch_cpu(pid, self.timeout))
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally:
            if watch is not None:
                watch.cancel()

    execute_cell = run_sync(async_execute_cell)

    async def _watch_cpu(self, pid: int, limit: float) -> None:
        """Interrupt the cell once the kernel's process tree has used ``limit`` CPU seconds in it;
        kill the kernel if it ignores the interrupt for ``interrupt_grace`` seconds."""
        start = tree_stats(pid)[0]
        while True:
            cpu, processes = tree_stats(pid)
            if cpu - start > limit:
                break
            why = (self._TAMPERED if isinstance(self.km, LimitedKernelManager) and self.km.course_tampered()
                   else f"the kernel ran more than {self.max_processes} processes at once, so it was stopped"
                   if processes > self.max_processes + 3 else None)  # + bwrap, its init and the kernel
            if why:
                self._timed_out = why
                _Spare.kill_process(self.km)  # the whole PID namespace, however many processes it holds
                return
            await asyncio.sleep(0.05)
        self._idle, self._cpu_stopped = False, True
        await self.km.interrupt_kernel()
        grace = time.monotonic() + self.interrupt_grace
        while time.monotonic() < grace:
            if self._idle:
                return
            await asyncio.sleep(0.02)
        self._timed_out = (f"it used more than {limit:g} s of CPU time and ignored the interrupt, "
                           "so the kernel was stopped")
        _Spare.kill_process(self.km)

    async def _async_handle_timeout(self, timeout, cell=None):
        self._idle = False
        reply = await super()._async_handle_timeout(timeout, cell)  # interrupts the kernel
        limit = (f"the notebook's time budget ({self.notebook_timeout} s in all)" if self._budget_cut
                 else f"the wall-clock limit of {timeout:g} s per cell" if self.cpu_timeout
                 else f"the time limit of {timeout:g} s per cell")
        if self._budget_cut:
            self._budget_spent = True
        if reply is not None:
            reply["content"]["evalue"] = f"this cell did not finish within {limit} and was interrupted"
            reply["content"]["traceback"] = [f"CellTimeoutError: {reply['content']['evalue']}"]
        grace = time.monotonic() + self.interrupt_grace
        while time.monotonic() < grace:  # the output poller sees the kernel go idle once it obeys
            if self._idle:
                return reply
            await asyncio.sleep(0.02)
        self._timed_out = f"it did not finish within {limit} and ignored the interrupt, so the kernel was stopped"
        raise DeadKernelError(self._timed_out)

    def _release_traceback(self):
        try:
            msg_id = self.kc.execute(_RELEASE_TRACEBACK, silent=True, store_history=False)
            self.wait_for_reply(msg_id)
        except Exception as exc:  # noqa: BLE001 -- best effort; a dead kernel is handled by the caller
            self.log.debug("could not release the last traceback: %s", exc)

    def preprocess_cell(self, cell, resources, index):
        if self._dead is None and cell.cell_type == "code" and self._deadline is not None \
                and (self._budget_spent or time.monotonic() >= self._deadline):
            self._dead = self._budget_used = f"the notebook's time budget ({self.notebook_timeout} s in all) was used up"
        if self._dead is not None:
            if cell.cell_type == "code":
                cell.outputs = [_error("CellTimeoutError", f"not run: {self._dead}") if self._budget_used else
                                _error("KernelDied", f"not run: the kernel died in an earlier cell ({self._dead})")]
            return cell, resources
        try:
            self._cpu_stopped = False
            cell, resources = super().preprocess_cell(cell, resources, index)
            if self._cpu_stopped:  # the kernel obeyed the interrupt: say why it came
                why = (f"the cell did not finish within {self.timeout:g} s of CPU time and was interrupted "
                       "(an infinite loop?)")
                cell.outputs = [o for o in cell.get("outputs", []) if o.output_type != "error"]
                cell.outputs.append(_error("CellTimeoutError", why))
            if isinstance(self.km, LimitedKernelManager) and self.km.course_tampered():
                self._timed_out = self._TAMPERED
                raise DeadKernelError(self._TAMPERED)
            if any(o.output_type == "error" for o in cell.get("outputs", [])):
                self._release_traceback()
            return cell, resources
        except DeadKernelError as exc:
            first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")[:60]
            self._dead = f"cell {index}: {first}"
            self.log.warning("The kernel died while running cell %d: %s", index, exc)
            why, self._timed_out = self._timed_out, None
            if why:
                self._dead += f"; {why}"
                self._kill_kernel()
                cell.outputs = list(cell.get("outputs", [])) + [_error(
                    "KernelDied" if why == self._TAMPERED else "CellTimeoutError",
                    f"this cell was stopped: {why}; later cells were not run")]
            else:
                cell.outputs = list(cell.get("outputs", [])) + [_error(
                    "KernelDied", "the kernel died while running this cell (os._exit, a crash, or too much memory); "
                    "later cells were not run")]
            return cell, resources

    def _kill_kernel(self):
        """Kill a kernel that would not stop (the sandbox goes with it)."""
        km = self.km
        if km is not None and getattr(km, "provisioner", None) is not None:
            _Spare.kill_process(km)


class _Spare:
    """At most one kernel per process launched ahead of time for the next notebook.

    It is a fresh process that has run nothing yet: launched (not waited for) as soon as the
    current notebook's kernel is ready, it boots while that notebook runs, so the next notebook
    finds it ready. It is used only with the same kernel name, memory limit and arguments;
    otherwise, and when the process exits, it is killed.
    """

    _spare = None  #: (key, kernel manager)
    _all: ClassVar[set] = set()
    _dir = None

    @classmethod
    def take(cls, key):
        spare, cls._spare = cls._spare, None
        if spare is None:
            return None
        spare_key, km = spare
        if spare_key == key and km.has_kernel:
            cls._all.discard(km)
            return km
        cls._kill(km)
        return None

    @classmethod
    async def launch(cls, key, km, extra_arguments):
        old, cls._spare = cls._spare, None
        if old is not None:
            cls._kill(old[1])
        if cls._dir is None:
            cls._dir = tempfile.mkdtemp(prefix="course-kernel-")
            atexit.register(cls.kill_all)
            from multiprocessing import (
                util,  # multiprocessing's workers skip atexit; finalizers run
            )

            util.Finalize(None, cls.kill_all, exitpriority=10)
        await km.start_kernel(extra_arguments=extra_arguments, cwd=cls._dir, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        if isinstance(km, LimitedKernelManager):
            # connect now: IOPub's subscription is in place long before the notebook needs it
            km.course_client = km.client()
            km.course_client.start_channels(hb=False)  # the heartbeat's thread starts with the notebook
        km.course_spare_cwd = cls._dir
        cls._spare = (key, km)
        cls._all.add(km)

    @staticmethod
    def kill_process(km):
        """SIGKILL the kernel's sandbox (bwrap and everything below it) and reap it."""
        provisioner = getattr(km, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        if pid:
            _sandbox.kill_tree(pid)
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # kernels run in a session of their own
            with contextlib.suppress(Exception):
                provisioner.process.wait(timeout=5)  # reap it: no zombie for the rest of the run

    @classmethod
    def _kill(cls, km):
        cls._all.discard(km)
        kc = getattr(km, "course_client", None)
        if kc is not None:
            km.course_client = None
            with contextlib.suppress(Exception):
                kc.stop_channels()
        cls.kill_process(km)
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()
        if isinstance(km, LimitedKernelManager):
            km.course_remove_dir()
        with contextlib.suppress(Exception):
            km._close_control_socket()
            if km._created_context:
                km.context.destroy(linger=0)

    @classmethod
    def kill_all(cls):
        for km in list(cls._all):
            cls._kill(km)
        cls._spare = None
        if cls._dir is not None:
            shutil.rmtree(cls._dir, ignore_errors=True)
            cls._dir = None
