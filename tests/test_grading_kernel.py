"""The grading kernel's plumbing (course_lib/grading/execute.py), on real Jupyter kernels.

What is checked here is behaviour the throughput work changed: the kernel client's readiness
check (no fixed waits, IOPub connected and drained when it returns), a kernel launched ahead of
time handing out a client connected early, a killed kernel being reaped, and the clean-up after
a failing cell freeing a big object that only a garbage collection can free.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import pytest

from course_lib.grading import sandbox
from course_lib.grading.execute import _RELEASE_TRACEBACK, LimitedKernelManager, ReadyClient, _Spare

pytestmark = pytest.mark.slow


async def _kernel(memory_mb: int = 2048) -> LimitedKernelManager:
    km = LimitedKernelManager(kernel_name="python3")
    km.memory_mb = memory_mb
    await km.start_kernel()
    return km


@contextlib.asynccontextmanager
async def _connected(memory_mb: int = 2048, *, ready: bool = True):
    """A fresh kernel and its client, channels started (and waited for, if ``ready``); both
    stopped on the way out."""
    km = await _kernel(memory_mb)
    kc = km.client()
    kc.start_channels()
    try:
        if ready:
            await kc.wait_for_ready(timeout=60)
        yield km, kc
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


async def _run(kc: ReadyClient, code: str) -> dict:
    """Execute ``code``; the reply's content plus everything it printed (``"stdout"``)."""
    out = []
    reply = await kc.execute_interactive(code, timeout=60, store_history=False,
                                         output_hook=lambda m: out.append(m["content"].get("text", "")))
    return {**reply["content"], "stdout": "".join(out)}


def test_ready_client_returns_with_iopub_connected_and_drained():
    async def main():
        async with _connected(ready=False) as (_, kc):
            assert isinstance(kc, ReadyClient)
            kc.start_channels()  # a second call is harmless (spare kernels are connected early)
            await kc.wait_for_ready(timeout=60)
            assert not await kc.iopub_channel.msg_ready()  # the kernel_info traffic has been read
            reply = await _run(kc, "print(6 * 7)")
            assert reply["status"] == "ok" and reply["stdout"] == "42\n"  # IOPub carries the output

    asyncio.run(main())


def test_ready_client_names_a_dead_kernel():
    async def main():
        async with _connected(ready=False) as (km, kc):
            os.killpg(km.provisioner.pid, 9)
            await km.provisioner.wait()
            with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
                await kc.wait_for_ready(timeout=30)

    asyncio.run(main())


def test_killed_kernel_is_reaped():
    async def main():
        km = await _kernel()
        pid = km.provisioner.pid
        await km.shutdown_kernel(now=True)
        assert not km.has_kernel
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone, not a zombie left for later

    asyncio.run(main())


def test_spare_kernel_hands_out_its_early_client_once():
    async def main():
        key = ("python3", 2048)
        km = LimitedKernelManager(kernel_name="python3")
        km.memory_mb = 2048
        await _Spare.launch(key, km, [])
        assert _Spare.take(("python3", 1024)) is None  # another limit: not used (and killed)
        km = LimitedKernelManager(kernel_name="python3")
        km.memory_mb = 2048
        await _Spare.launch(key, km, [])
        taken = _Spare.take(key)
        assert taken is km and _Spare.take(key) is None
        early = km.course_client
        assert isinstance(early, ReadyClient) and early.channels_running
        kc = km.client()
        assert kc is early and km.client() is not early  # handed out once
        try:
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            reply = await _run(kc, "import os; print(os.getcwd())")
            assert reply["stdout"].strip() == sandbox.HOME  # the sandbox's private home, not a course folder
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    try:
        asyncio.run(main())
    finally:
        _Spare.kill_all()


#: a failing call whose frame holds a big array in a reference cycle: clearing the frame is not
#: enough, only a garbage collection frees it (automatic collection is off, so that only the
#: clean-up can). The array takes 60 % of the address space left under the kernel's limit, so
#: a second one fits only if the first was freed.
CYCLE = ("import gc, resource, numpy as np\ngc.disable()\n"
         "_left = resource.getrlimit(resource.RLIMIT_AS)[0] - int(open('/proc/self/statm').read().split()[0]) * 4096\n"
         "_n = int(0.6 * _left) // 8\n"
         "class Node:\n    pass\n"
         "def hog():\n"
         "    n = Node(); n.self = n; n.data = np.ones(_n)\n"
         "    raise ValueError('boom')\n"
         "hog()\n")
AGAIN = "fresh = np.ones(_n); print('allocated')"
FULL_COLLECTIONS = ("import gc\n_full = []\n"
                    "gc.callbacks.append(lambda phase, info: _full.append(1) if phase == 'start' and "
                    "info['generation'] == 2 else None)\n")


@pytest.mark.parametrize("release", [True, False], ids=["released", "not released"])
def test_a_failed_cells_memory_is_freed_before_the_next_cell(release):
    async def main():
        async with _connected(memory_mb=1600) as (_, kc):
            assert (await _run(kc, CYCLE))["ename"] == "ValueError"
            if release:
                assert (await _run(kc, _RELEASE_TRACEBACK))["status"] == "ok"
            return await _run(kc, AGAIN)

    reply = asyncio.run(main())
    if release:
        assert reply["status"] == "ok" and reply["stdout"] == "allocated\n"
    else:
        assert reply["status"] == "error" and reply["ename"] == "MemoryError"


def test_release_skips_the_full_collection_when_memory_is_plentiful():
    async def main():
        async with _connected(memory_mb=0) as (_, kc):  # no limit, and far below 1 GiB resident
            await _run(kc, FULL_COLLECTIONS)
            await _run(kc, "1 / 0")
            assert (await _run(kc, _RELEASE_TRACEBACK))["status"] == "ok"
            after = await _run(kc, "print(len(_full))")
            names = await _run(kc, "print(sorted(k for k in dir() if k.startswith('_course') or k in ('_s', '_t', '_e', '_r', '_ip', '_g')))")
            return after["stdout"], names["stdout"]

    collections, leftovers = asyncio.run(main())
    assert collections == "0\n"
    assert leftovers == "[]\n"  # the snippet leaves nothing in the student's namespace
