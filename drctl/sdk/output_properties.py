"""Offline runs make a resource's output-property ``Output`` when the program first reads it, not up front.

For every registration ``pulumi.runtime.rpc.transfer_properties`` gives the resource one ``Output`` per output
property its class declares (an AKS cluster or a Cosmos account has 50-80), and each ``Output`` starts an asyncio
task that waits on four futures, whether or not anything reads the property. A plan reads a handful, so most of
that work, about a fifth of a program run, is for nothing (``benchmarks/README.md``).

``lazy_output_properties`` swaps in the same function with one difference: each property holds a
:class:`DeferredOutput` over the same four futures, which starts its task (``Output.__init__``) when something
first uses it. The futures are resolved exactly as before, so a property read late sees the same value, and one
never read waits on nothing. ``tests/test_perf_engine.py`` compares the plans with and without it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.runtime import rpc


class DeferredOutput(pulumi.Output[Any]):
    """An ``Output`` whose task is started by the first use of ``_data`` (every ``Output`` method reads it)."""

    def __init__(self, *parts: Any) -> None:  # the arguments of Output.__init__, kept for later
        self.__dict__["_deferred_parts"] = parts

    @property
    def _data(self) -> Any:
        parts = self.__dict__.pop("_deferred_parts", None)
        if parts is not None:
            pulumi.Output.__init__(self, *parts)  # sets _data below, then tracks it
        return self.__dict__["_deferred_data"]

    @_data.setter
    def _data(self, value: Any) -> None:
        self.__dict__["_deferred_data"] = value

    def _untrack(self) -> None:
        self._data  # start it before the stock method takes the lock that tracking takes too  # noqa: B018
        super()._untrack()


def _resolver(
    r: Any,
    value_fut: asyncio.Future[Any],
    known_fut: asyncio.Future[bool],
    secret_fut: asyncio.Future[bool],
    deps_fut: asyncio.Future[set[Any]],
    value: Any,
    is_known: bool,
    is_secret: bool,
    deps: set[Any],
    failed: Exception | None,
) -> None:
    """``do_resolve`` of ``pulumi.runtime.rpc.transfer_properties`` (pulumi 3.272), unchanged."""
    deps_union = set(deps) if deps else set()
    deps_union.add(r)
    deps_fut.set_result(deps_union)
    if failed is not None:
        value_fut.set_exception(failed)
        known_fut.set_exception(failed)
        secret_fut.set_exception(failed)
    else:
        value_fut.set_result(value)
        known_fut.set_result(is_known)
        secret_fut.set_result(is_secret)


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Any]:
    """``pulumi.runtime.rpc.transfer_properties`` (pulumi 3.272) with :class:`DeferredOutput` properties."""
    resolvers: dict[str, Any] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # handled elsewhere, as in the SDK
        value: asyncio.Future[Any] = asyncio.Future()
        known: asyncio.Future[bool] = asyncio.Future()
        secret: asyncio.Future[bool] = asyncio.Future()
        deps: asyncio.Future[set[Any]] = asyncio.Future()
        resolvers[name] = functools.partial(_resolver, res, value, known, secret, deps)
        res.__dict__[name] = DeferredOutput(deps, value, known, secret)
    return resolvers


@contextmanager
def lazy_output_properties() -> Iterator[None]:
    """While active, resources created get their output-property ``Output`` s on first use."""
    original = rpc.transfer_properties
    rpc.transfer_properties = transfer_properties
    try:
        yield
    finally:
        rpc.transfer_properties = original
