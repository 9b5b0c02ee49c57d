"""Every patch drctl makes to the Pulumi SDK for offline speed, in one place, for a tested ``pulumi`` range.

Each patch only changes how fast an offline run goes, never what it records (``tests/test_perf_engine.py`` plans
with and without them and compares). They reach into ``pulumi``'s internals, so they apply only to the SDK
versions they were tested with (:data:`TESTED_PULUMI`, the range CI's lock file sits in); with any other
``pulumi`` the engine runs the stock SDK: the same plan, only slower.
"""

from __future__ import annotations

from functools import cache

#: ``[low, high)`` release tuples of ``pulumi`` the patches were tested with (uv.lock pins 3.272.0).
TESTED_PULUMI = ((3, 272), (3, 273))


def _release(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        digits = "".join(c for c in piece if c.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def tested(version: str) -> bool:
    """Whether ``version`` of ``pulumi`` lies in :data:`TESTED_PULUMI`."""
    low, high = TESTED_PULUMI
    return low <= _release(version) < high


@cache
def installed_pulumi() -> str:
    """The installed ``pulumi``'s version: the release pulumi reports itself (``pulumi._version``, no
    ``importlib.metadata`` to import: ~30 ms of a check's start), else its distribution's metadata."""
    try:
        from pulumi._version import _VERSION

        return str(_VERSION)
    except ImportError:
        from importlib import metadata

        return metadata.version("pulumi")


@cache
def patches_apply() -> bool:
    """Whether the installed ``pulumi`` is one the patches were tested with."""
    return tested(installed_pulumi())
