"""Offline runs leave out the API-version type aliases the generated SDKs attach to every resource.

Every ``pulumi_azure_native`` resource merges 3-64 ``Alias(type_="azure-native:<module>/<version>:<Type>")`` into its
options (``pulumi_kubernetes`` does the same for old API groups). They exist so that a real engine can match state
written under an older type token. The Python SDK turns each alias into several Outputs, and its end-of-program wait
(``pulumi.runtime.stack.wait_for_rpcs``) re-subscribes to every pending Output each time one finishes, so a stack's
run time grows with the square of its resource count: 256 resources took 21 s, 517 took 43 s
(``benchmarks/README.md``).

An offline plan has no prior state for an alias to match, and the mock monitor takes alias *specs*, which the
recorded plan does not carry (``RecordedResource.aliases`` holds URN aliases only), so leaving them out changes no
recorded field; ``tests/test_perf_engine.py`` compares the plans with and without them. Only the SDK's own
``ResourceOptions.merge(opts, alias_opts)`` call is affected: its second argument is dropped when the call is made
from inside an SDK module, that argument is the caller's ``alias_opts`` and it sets nothing but type-only aliases.
An alias a user wrote arrives in ``opts`` and is kept.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pulumi

#: Modules whose generated resource classes inject version aliases.
SDK_MODULES = ("pulumi_azure_native.", "pulumi_kubernetes.")
_EMPTY = {k: v for k, v in vars(pulumi.ResourceOptions()).items() if k != "aliases"}


def _type_only(alias: Any) -> bool:
    """``Alias(type_=...)`` and nothing else (pulumi marks an unset field with ``...``)."""
    if not isinstance(alias, pulumi.Alias) or not isinstance(alias.type_, str):
        return False
    unset: tuple[Any, ...] = (alias.name, alias.parent, alias.stack, alias.project)
    return all(value is ... for value in unset)


def is_version_alias_options(opts: Any) -> bool:
    """``ResourceOptions`` setting only a non-empty list of type-only aliases: what the SDKs build as ``alias_opts``."""
    if not isinstance(opts, pulumi.ResourceOptions) or not opts.aliases:
        return False
    others = {k: v for k, v in vars(opts).items() if k != "aliases"}
    return others == _EMPTY and all(_type_only(a) for a in opts.aliases)


def _sdk_alias_merge(caller: FrameType, opts: Any) -> bool:
    """The generated code's own ``merge(opts, alias_opts)``: an SDK module, and ``opts`` is its ``alias_opts``.

    The same module's earlier ``merge(defaults, opts)`` passes the user's options, which may hold aliases too.
    """
    return caller.f_globals.get("__name__", "").startswith(SDK_MODULES) and caller.f_locals.get("alias_opts") is opts


@contextmanager
def without_sdk_version_aliases() -> Iterator[None]:
    """While active, ``ResourceOptions.merge`` called from an SDK module ignores version-alias options."""
    original = pulumi.ResourceOptions.merge

    def merge(opts1: pulumi.ResourceOptions | None, opts2: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        if is_version_alias_options(opts2) and _sdk_alias_merge(sys._getframe(1), opts2):
            opts2 = None
        return original(opts1, opts2)

    pulumi.ResourceOptions.merge = merge  # type: ignore[method-assign]
    try:
        yield
    finally:
        pulumi.ResourceOptions.merge = original  # type: ignore[method-assign]
