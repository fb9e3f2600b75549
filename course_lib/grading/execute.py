"""nbgrader's ``Execute`` preprocessor, hardened for grading a class.

* :class:`LimitedKernelManager` starts the kernel under an address-space limit
  (``GradingExecute.kernel_memory_mb``), so a memory bomb raises ``MemoryError`` in the
  student's cell instead of taking the grading machine down.
* :class:`GradingExecute` survives a dead kernel (``os._exit``, a segfault, the OOM killer):
  the cell that killed it and every later cell get an error output saying so, and the
  notebook goes on to be scored (cells that passed before keep their points) instead of the
  whole submission failing.
"""

from __future__ import annotations

import os
import subprocess
import sys

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from . import timing

__all__ = ["GradingExecute", "LimitedKernelManager"]

_WRAPPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_kernel_limits.py")


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run under ``memory_mb`` MiB of address space."""

    memory_mb = Integer(3072, help="Address-space limit of the kernel in MiB (0: none).").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, _WRAPPER, str(self.memory_mb), "--", *cmd]


#: Run silently after a cell that raised: IPython keeps the last traceback (and with it every
#: frame's locals, e.g. a list that filled the memory limit) alive; drop it so later cells can run.
_RELEASE_TRACEBACK = (
    "import sys as _s, gc as _g, traceback as _t\n"
    "_ip = get_ipython()\n"
    "for _tb in (getattr(_s, 'last_traceback', None), getattr(getattr(_ip, 'InteractiveTB', None), 'tb', None)):\n"
    "    if _tb is not None:\n"
    "        _t.clear_frames(_tb)\n"
    "_s.last_type = _s.last_value = _s.last_traceback = None\n"
    "if getattr(_ip, 'InteractiveTB', None) is not None:\n"
    "    _ip.InteractiveTB.tb = None\n"
    "del _s, _t, _ip, _tb; _g.collect(); del _g"
)


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    """``Execute`` with a memory-limited kernel that records a dead kernel instead of failing."""

    kernel_memory_mb = Integer(3072, help="Address-space limit of the grading kernel in MiB (0: none).").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(*args, **kwargs)
        self._dead = None

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
            return await super().async_start_new_kernel_client()

    # nbclient binds its synchronous wrappers to its own coroutines: rebind them to ours
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, LimitedKernelManager):
            km.memory_mb = self.kernel_memory_mb
        return km

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
