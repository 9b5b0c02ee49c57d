"""The end-of-program wait, made linear for offline runs.

When a program returns, ``pulumi.runtime.stack.wait_for_rpcs`` waits for every Output still pending with
``asyncio.wait(..., FIRST_COMPLETED)`` in a loop: each time one Output finishes it subscribes again to all the
others, so a stack of n resources costs in the order of n² subscriptions (2,600 resources: ~780,000; a fifth of the
run). ``linear_output_wait`` swaps in a wait with the same steps and the same errors -- RPCs drained first, then
every pending Output awaited, the first failure re-raised as soon as it happens, Outputs created meanwhile picked
up by the next round -- that subscribes once per Output per round (``FIRST_EXCEPTION``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.settings import SETTINGS, _get_rpc_manager


async def _drain_rpcs(rpc_manager: Any) -> None:
    while rpc_manager.rpcs:
        await asyncio.sleep(0)
        try:
            await rpc_manager.rpcs.pop()
        except Exception as exn:
            if rpc_manager.unhandled_exception is not None:
                cause = rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
                raise exn from cause
            raise
    if rpc_manager.unhandled_exception is not None:
        raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)


async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    """What ``pulumi.runtime.stack.wait_for_rpcs`` does, in time linear in the pending Outputs."""
    rpc_manager = _get_rpc_manager()
    while True:
        await _drain_rpcs(rpc_manager)
        while await_all_outstanding_tasks:
            with SETTINGS.lock:
                pending: list[asyncio.Task[Any]] = list(SETTINGS.outputs)
                SETTINGS.outputs.clear()
            if not pending:
                break
            done, not_done = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                await task  # re-raises a failure, as the stock wait does
            with SETTINGS.lock:
                SETTINGS.outputs.update(not_done)
        if not rpc_manager.rpcs:
            break


@contextmanager
def linear_output_wait(stock: bool = False) -> Iterator[None]:
    """While active, programs run by ``pulumi.runtime.stack.run_in_stack`` end with ``wait_for_rpcs`` above
    (unless ``stock``: then nothing changes)."""
    if stock:
        yield
        return
    original = runtime_stack.wait_for_rpcs
    runtime_stack.wait_for_rpcs = wait_for_rpcs
    try:
        yield
    finally:
        runtime_stack.wait_for_rpcs = original
