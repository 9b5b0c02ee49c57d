"""The mock monitor's calls made on the event loop's own thread, for offline runs.

The SDK sends every RPC (``RegisterResource``, ``Invoke``, ``RegisterResourceOutputs``, ...) through
``loop.run_in_executor``, so a blocking gRPC call to the Pulumi engine does not stall the program's event loop.
Offline the monitor is ``engine.mocks.RecordingMonitor``: plain Python that answers at once, so each of the pair's
~1,300 calls paid only for the hand-off: a worker thread to wake, the GIL to pass back and forth, the loop to
wake from ``epoll`` (about 0.2 s of a 1.6 s check). ``inline_calls`` gives the loop an executor that runs each
call where it is submitted and hands back a finished future: the same calls, answered by the same monitor. The
order resources are recorded in is the order the program's coroutines reach their calls, the same on every run
(the threads made it vary from run to run, which is why plans are compared with registration order taken out;
otherwise the plan is the same: ``tests/test_perf_engine.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class InlineExecutor(futures.ThreadPoolExecutor):
    """An executor that runs each call at once, in the caller's thread (a ``ThreadPoolExecutor`` only because an
    event loop's default executor must be one; it never starts a thread)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> futures.Future[T]:
        future: futures.Future[T] = futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting coroutine, as a worker thread would
            future.set_exception(exc)
        return future


@contextmanager
def inline_calls(loop: asyncio.AbstractEventLoop, stock: bool = False) -> Iterator[None]:
    """While active, ``loop.run_in_executor(None, ...)`` runs the call inline (unless ``stock``)."""
    if stock:
        yield
        return
    previous: Any = getattr(loop, "_default_executor", None)
    loop.set_default_executor(InlineExecutor(max_workers=1))
    try:
        yield
    finally:
        loop._default_executor = previous  # type: ignore[attr-defined]
