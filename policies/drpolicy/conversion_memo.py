"""One conversion of a resource's properties (and of its options and provider) per analysis call, not one per policy.

pulumi_policy's servicer converts a resource's properties (protobuf ``Struct`` -> dict -> deserialized ->
unknown-checking proxy) once for *every policy*, before the policy looks at the type: ``Analyze`` does it 49
times per resource and ``AnalyzeStack`` 17 times per resource of the stack, so the pack's cost grows with
resources x policies (``benchmarks/pr_check.md``). The result depends only on the message, the steps build new
objects without changing their input, and no rule writes to the props it is given, so within one call the pack
answers a repeated conversion of the same object from a memo. The memo keeps every object it was given alive for
the call (no id is reused) and matches by identity, so an object it has not seen is always converted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pulumi_policy.policy as _policy
from google.protobuf import json_format  # type: ignore[import-untyped,unused-ignore]
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

_local = threading.local()


def _memoized(convert: Callable[[Any], Any]) -> Callable[..., Any]:
    """``convert``, answering from the current call's memo for an argument it has already converted."""

    def memoized(value: Any, *args: Any, **kwargs: Any) -> Any:
        memo: dict[tuple[int, int], tuple[Any, Any]] | None = getattr(_local, "memo", None)
        if memo is None or args or kwargs:
            return convert(value, *args, **kwargs)
        key = (id(convert), id(value))
        found = memo.get(key)
        if found is None or found[0] is not value:
            found = memo[key] = (value, convert(value))
        return found[1]

    return memoized


def _message_to_dict(message: Any, *args: Any, **kwargs: Any) -> Any:
    return json_format.MessageToDict(message, *args, **kwargs)


class _JsonFormat:
    """``json_format`` as ``pulumi_policy.policy`` sees it: ``MessageToDict`` memoized, the rest unchanged."""

    MessageToDict = staticmethod(_memoized(_message_to_dict))

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)


def _per_message(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A servicer method of one message (``_get_resource_options``, ``_get_provider_resource``), answered from the
    current call's memo: the servicer builds the same options and provider objects for every policy, and no rule
    changes them."""

    def memoized(self: Any, message: Any) -> Any:
        memo: dict[tuple[int, int], tuple[Any, Any]] | None = getattr(_local, "memo", None)
        if memo is None:
            return method(self, message)
        key = (id(method), id(message))
        found = memo.get(key)
        if found is None or found[0] is not message:
            found = memo[key] = (message, method(self, message))
        return found[1]

    return memoized


def _per_call(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: Any, request: Any, context: Any) -> Any:
        _local.memo = {}
        try:
            return method(self, request, context)
        finally:
            _local.memo = None

    return call


def install() -> None:
    """Give the servicer's ``Analyze`` and ``AnalyzeStack`` a per-call memo (idempotent)."""
    servicer: Any = _policy._PolicyAnalyzerServicer
    if getattr(servicer, "_drpolicy_memo", False):
        return
    servicer.Analyze = _per_call(servicer.Analyze)
    servicer.AnalyzeStack = _per_call(servicer.AnalyzeStack)
    servicer._get_resource_options = _per_message(servicer._get_resource_options)
    servicer._get_provider_resource = _per_message(servicer._get_provider_resource)
    servicer._drpolicy_memo = True
    module: Any = _policy
    module.json_format = _JsonFormat()
    module.deserialize_properties = _memoized(deserialize_properties)
    module.unknown_checking_proxy = _memoized(unknown_checking_proxy)
