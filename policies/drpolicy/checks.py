"""Check builders several rules share, so rules that differ only in a property path are one piece of code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from drpolicy.facts import number
from drpolicy.framework import ResourceCheck, dig
from drpolicy.services import PUBLIC_ACCESS_PATH


def _disabled(access: Any) -> bool:
    """Disabled in any case (Key Vault spells it ``disabled``); unset means Azure's Enabled."""
    return str(access or "").lower() == "disabled"


def public_access_off(type_: str, props: Mapping[str, Any]) -> bool:
    """The type's public network access switch (``PUBLIC_ACCESS_PATH``) is Disabled."""
    return _disabled(dig(props, PUBLIC_ACCESS_PATH.get(type_, "publicNetworkAccess")))


def public_network_disabled(path: str = "publicNetworkAccess", reach: str = "use private endpoints") -> ResourceCheck:
    """``path`` must be Disabled (any case: Key Vault spells it ``disabled``); unset means Azure's Enabled."""

    def check(_type: str, props: Mapping[str, Any], _settings: Mapping[str, Any]) -> Iterator[str]:
        access = dig(props, path)
        if not _disabled(access):
            yield f"{path} is {access or 'unset (Enabled)'}; set it to Disabled and {reach}"

    return check


def retention_policy(path: str) -> ResourceCheck:
    """A ``DeleteRetentionPolicy`` at ``path`` is enabled and keeps items at least ``min_days``."""

    def check(_type: str, props: Mapping[str, Any], settings: Mapping[str, Any]) -> Iterator[str]:
        minimum = settings["min_days"]
        if dig(props, f"{path}.enabled") is not True:
            yield f"{path}.enabled is not true; enable it with days of at least {minimum}"
            return
        days = number(dig(props, f"{path}.days"), 0)
        if days < minimum:
            yield f"{path}.days is {days:g}; set it to at least {minimum}"

    return check
