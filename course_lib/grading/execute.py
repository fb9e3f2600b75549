"""nbgrader's ``Execute`` preprocessor, hardened for grading a class.

* :class:`LimitedKernelManager` starts the kernel under an address-space limit
  (``GradingExecute.kernel_memory_mb``), so a memory bomb raises ``MemoryError`` in the
  student's cell instead of taking the grading machine down.
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

import atexit
import contextlib
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
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, DottedObjectName, Integer, Type, default

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
    """A kernel manager whose kernels run under ``memory_mb`` MiB of address space."""

    memory_mb = Integer(3072, help="Address-space limit of the kernel in MiB (0: none).").tag(config=True)
    client_class = DottedObjectName("course_lib.grading.execute.ReadyClient")
    client_factory = Type(ReadyClient, klass=AsyncKernelClient)
    course_client = None  #: a client connected ahead of time (see :class:`_Spare`), handed out once

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, _WRAPPER, str(self.memory_mb), "--", *cmd]

    def client(self, **kwargs):
        kc, self.course_client = self.course_client, None
        return kc if kc is not None else super().client(**kwargs)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # a killed kernel is gone within milliseconds: don't sleep 0.1 s before noticing
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))


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


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    """``Execute`` with a memory-limited kernel that records a dead kernel instead of failing."""

    kernel_memory_mb = Integer(3072, help="Address-space limit of the grading kernel in MiB (0: none).").tag(config=True)
    prestart = Bool(True, help="Launch the next notebook's kernel while this one runs (it boots in the "
                    "background; a fresh process, never used before).").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(*args, **kwargs)
        self._dead = None
        self._cwd = None

    @default("shutdown_kernel")
    def _default_shutdown_kernel(self):
        return "immediate"  # a graded kernel's state is worthless: no graceful shutdown to wait for

    def preprocess(self, nb, resources=None, km=None):
        self._dead = None
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
            cwd = self.resources.get("metadata", {}).get("path") or None
            if getattr(self.km, "course_spare_cwd", None) and cwd:
                # a kernel launched ahead of time runs in a neutral folder: move it to the notebook's
                msg_id = kc.execute(f"import os as _o; _o.chdir({os.path.abspath(cwd)!r}); del _o",
                                    silent=True, store_history=False)
                await self.async_wait_for_reply(msg_id)
        if self.prestart:
            extra = list(self.extra_arguments)
            if self.ipython_hist_file and not any(a.startswith("--HistoryManager.hist_file") for a in extra):
                extra.append(f"--HistoryManager.hist_file={self.ipython_hist_file}")  # as nbclient does
            await _Spare.launch((self.kernel_name, self.kernel_memory_mb), self._fresh_kernel_manager(), extra)
        return kc

    # nbclient binds its synchronous wrappers to its own coroutines: rebind them to ours
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _fresh_kernel_manager(self):
        current = self.km
        km = super().create_kernel_manager()  # (which sets self.km)
        self.km = current
        if isinstance(km, LimitedKernelManager):
            km.memory_mb = self.kernel_memory_mb
        return km

    def create_kernel_manager(self):
        if not self.kernel_name:  # as nbclient does, so that the spare's key matches
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or ""
        spare = _Spare.take((self.kernel_name, self.kernel_memory_mb)) if self.prestart else None
        self.km = spare or super().create_kernel_manager()
        if isinstance(self.km, LimitedKernelManager):
            self.km.memory_mb = self.kernel_memory_mb
        return self.km

    def _release_traceback(self):
        try:
            msg_id = self.kc.execute(_RELEASE_TRACEBACK, silent=True, store_history=False)
            self.wait_for_reply(msg_id)
        except Exception as exc:  # noqa: BLE001 -- best effort; a dead kernel is handled by the caller
            self.log.debug("could not release the last traceback: %s", exc)

    def preprocess_cell(self, cell, resources, index):
        if self._dead is not None:
            if cell.cell_type == "code":
                cell.outputs = [_error("KernelDied", f"not run: the kernel died in an earlier cell ({self._dead})")]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if any(o.output_type == "error" for o in cell.get("outputs", [])):
                self._release_traceback()
            return cell, resources
        except DeadKernelError as exc:
            first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")[:60]
            self._dead = f"cell {index}: {first}"
            self.log.warning("The kernel died while running cell %d: %s", index, exc)
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "KernelDied", "the kernel died while running this cell (os._exit, a crash, or too much memory); "
                "later cells were not run")]
            return cell, resources


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

    @classmethod
    def _kill(cls, km):
        cls._all.discard(km)
        kc = getattr(km, "course_client", None)
        if kc is not None:
            km.course_client = None
            with contextlib.suppress(Exception):
                kc.stop_channels()
        provisioner = getattr(km, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # kernels run in a session of their own
            with contextlib.suppress(Exception):
                provisioner.process.wait(timeout=5)  # reap it: no zombie for the rest of the run
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()
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
