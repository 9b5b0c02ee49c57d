"""Offline runs skip the stack trace the SDK captures for every resource registration.

``pulumi.runtime.resource`` sends each ``RegisterResource``/``ReadResource`` the stack trace and source position of
the code that created the resource (``_get_stack_trace``: ``traceback.extract_stack()`` with each frame's source
line read through ``linecache``, then a ``file://`` URI per frame), for the Pulumi service to show where a resource
was declared. The offline engine's monitor records neither (``RecordedResource`` has no such field), yet building
them is about a fifth of a profiled program run: a lifecycle replay registers ~20,000 resources.
``without_stack_traces`` hands the SDK an empty trace instead; ``tests/test_perf_engine.py`` compares the plans
with and without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pulumi.runtime import resource as runtime_resource
from pulumi.runtime.proto import source_pb2


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


@contextmanager
def without_stack_traces() -> Iterator[None]:
    """While active, registrations carry an empty stack trace and no source position."""
    original = runtime_resource._get_stack_trace
    runtime_resource._get_stack_trace = _no_stack_trace
    try:
        yield
    finally:
        runtime_resource._get_stack_trace = original
