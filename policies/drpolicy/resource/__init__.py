"""Rules over one resource at a time (one module per rule, each exporting ``RULE``).

The package also holds the few facts several rules share, so each rule module stays a plain check.
"""

from __future__ import annotations

from typing import Any

from components.regions import REGIONS


def region_name(location: Any) -> str:
    """An Azure location as the region table spells it: ``"UK South"`` and ``"uksouth"`` both give ``uksouth``."""
    return str(location or "").replace(" ", "").lower()


def zones_expected(location: Any) -> bool:
    """Whether zone-redundant settings are possible, and therefore required, in ``location``.

    A region the table does not know (or a missing location) counts as having zones: the safe side, since most
    Azure regions do; a resource in such a region can carry an exemption tag.
    """
    region = REGIONS.get(region_name(location))
    return True if region is None else region.zones


def number(value: Any, default: float) -> float:
    """A numeric prop (the engine sends numbers as floats, e.g. ``30.0``), or ``default`` when unset."""
    if value is None or isinstance(value, bool):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
