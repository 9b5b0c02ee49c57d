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
from asyncio import events as asyncio_events
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class InlineExecutor(futures.ThreadPoolExecutor):
    """An executor that runs each call at once, in the caller's thread (a ``ThreadPoolExecutor`` only because an
    event loop's default executor must be one; it never starts a thread).

    The call runs as it would on a worker thread: with no event loop running and an event loop of its own. The mock
    monitor's ``RegisterResource`` and ``ReadResource`` serialise with ``_sync_await``, which on a worker thread runs
    a loop of that thread's own; on the program's running loop it would pump that loop from inside one of its tasks,
    and a stack that reads its peer fails with "Leaving task ... does not match the current task" (measured on the
    pair grown to six stacks).
    """

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self._own_loop: asyncio.AbstractEventLoop | None = None

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> futures.Future[T]:
        future: futures.Future[T] = futures.Future()
        running = asyncio_events._get_running_loop()
        # The thread's current loop as set (the default policy keeps it in ``_local``), put back as it was.
        current = getattr(getattr(asyncio.get_event_loop_policy(), "_local", None), "_loop", running)
        if self._own_loop is None:
            self._own_loop = asyncio.new_event_loop()
        asyncio_events._set_running_loop(None)
        asyncio.set_event_loop(self._own_loop)
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting coroutine, as a worker thread would
            future.set_exception(exc)
        finally:
            asyncio.set_event_loop(current)
            asyncio_events._set_running_loop(running)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._own_loop is not None:
            self._own_loop.close()
            self._own_loop = None
        super().shutdown(wait, cancel_futures=cancel_futures)


@contextmanager
def inline_calls(loop: asyncio.AbstractEventLoop, stock: bool = False) -> Iterator[None]:
    """While active, ``loop.run_in_executor(None, ...)`` runs the call inline (unless ``stock``)."""
    if stock:
        yield
        return
    previous: Any = getattr(loop, "_default_executor", None)
    executor = InlineExecutor()
    loop.set_default_executor(executor)
    try:
        yield
    finally:
        loop._default_executor = previous  # type: ignore[attr-defined]
        executor.shutdown()
