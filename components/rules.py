"""Combinations Azure refuses, defined once: the stack config's validators and the components both call these.

Each rule returns a ``Refusal`` (the key, the value and what is allowed) or ``None``. The config model turns a
refusal into its one-line ``azure-dr:<block>.<key>`` error; a component raises ``InvalidArgs`` naming its own
argument. ``prefix`` is how the caller spells the block its keys live in (``"postgres."`` for config, ``""``
for a component's args), so a message names keys the reader can find.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi

from .facts.regions import has_zones, region, well_formed, zone_note

HaMode = Literal["ZoneRedundant", "SameZone", "Disabled"]
Toggle = Literal["Enabled", "Disabled"]

# The probe intervals Traffic Manager accepts (Learn, "Traffic Manager endpoint monitoring": 30 s, or 10 s
# with fast probing).
TRAFFIC_MANAGER_PROBE_INTERVALS = (10, 30)


@dataclass(frozen=True)
class Refusal:
    """A broken rule: which key, the value given, and what would be allowed instead."""

    key: str
    value: object
    allowed: str


class InvalidArgs(pulumi.RunError):
    """A component's args break a rule: one line naming the component, the argument and the allowed values."""


def refuse(component: str, name: str | None, refusal: Refusal | None) -> None:
    """Raise ``InvalidArgs`` for a refusal, before any resource is registered. ``name`` is the component's name
    (``None`` when an args class refuses itself)."""
    if refusal is not None:
        shown = "required but not set" if refusal.value is None else f"{refusal.value!r} is not allowed"
        where = component if name is None else f"{component} {name!r}"
        raise InvalidArgs(f"{where}: {refusal.key}: {shown}; expected {refusal.allowed}")


_WARNED: set[str] = set()


def known_region(name: str, key: str = "location") -> Refusal | None:
    """Any Azure region's programmatic name is accepted; one ``facts.regions`` does not list gets a warning (once)
    saying what is assumed of it: no availability zones, no pair. A name that cannot be a region is refused."""
    if not well_formed(name):
        return Refusal(key, name, "an Azure region name: its programmatic name, lowercase (uksouth, koreacentral)")
    if not region(name).known and name not in _WARNED:
        _WARNED.add(name)
        pulumi.log.warn(unknown_region_note(name))
    return None


def unknown_region_note(name: str) -> str:
    return (
        f"region {name!r} is not in azure-dr's region facts (Learn, 'Azure regions list'): no availability zones "
        "and no paired region are assumed, so nothing zone-redundant is asked of it; add its facts to "
        "azure_dr.components.facts.regions to use them"
    )


def postgres_replica(
    *, geo_redundant_backup: Toggle | None, high_availability: HaMode | None, promoted: bool, prefix: str = ""
) -> Refusal | None:
    """A server created as a replica never has geo-backup (it is chosen at creation) and has no HA until its
    promotion settled (``promoted``: state primary). Learn, "Read replicas in Azure Database for PostgreSQL"."""
    if geo_redundant_backup == "Enabled":
        return Refusal(
            f"{prefix}geo_redundant_backup",
            "Enabled",
            "Disabled: geo-redundant backup is chosen when a server is created and a server created as a "
            "replica has none; to get it, create a new generation as a primary (`drctl rebuild`)",
        )
    if high_availability not in (None, "Disabled") and not promoted:
        return Refusal(
            f"{prefix}high_availability",
            high_availability,
            "Disabled while the server is a replica (a read replica cannot have HA; enable it after "
            "promotion, state: primary)",
        )
    return None


def postgres(
    *,
    replica: bool,
    geo_redundant_backup: Toggle | None,
    high_availability: HaMode | None,
    sku_tier: str,
    region: str,
    promoted: bool = False,
    prefix: str = "",
) -> Refusal | None:
    """``postgres_replica`` for a server created as a replica; ZoneRedundant HA needs zones; Burstable servers
    have no HA (Learn, "High availability in Azure Database for PostgreSQL")."""
    if replica:
        found = postgres_replica(
            geo_redundant_backup=geo_redundant_backup,
            high_availability=high_availability,
            promoted=promoted,
            prefix=prefix,
        )
        if found is not None:
            return found
    if high_availability == "ZoneRedundant" and not has_zones(region):
        return Refusal(
            f"{prefix}high_availability",
            "ZoneRedundant",
            f"SameZone or Disabled ({zone_note(region)})",
        )
    if sku_tier == "Burstable" and high_availability not in (None, "Disabled"):
        return Refusal(f"{prefix}high_availability", high_availability, "Disabled (Burstable servers have no HA)")
    return None


def postgres_ha_default(*, replica: bool, sku_tier: str, region: str) -> HaMode:
    """HA follows how the server was created and where, never the role (HA is not a switch). ``replica``: a
    server that does not serve writes in its own right yet (created as a replica, promotion not settled)."""
    if not replica and sku_tier != "Burstable" and has_zones(region):
        return "ZoneRedundant"
    return "Disabled"


def storage(
    *,
    sku: str,
    region: str,
    blob_soft_delete_days: int,
    point_in_time_restore_days: int,
    change_feed_retention_days: int,
    prefix: str = "",
) -> Refusal | None:
    """Zone-redundant SKUs need zones; point-in-time restore needs soft delete longer than it and a change feed
    at least as long (Learn, "Point-in-time restore for block blobs": prerequisites)."""
    if sku in ("Standard_GZRS", "Standard_RAGZRS") and not has_zones(region):
        return Refusal(f"{prefix}sku", sku, f"Standard_RAGRS or Standard_GRS ({zone_note(region)})")
    if point_in_time_restore_days >= blob_soft_delete_days:
        return Refusal(
            f"{prefix}point_in_time_restore_days",
            point_in_time_restore_days,
            f"fewer days than {prefix}blob_soft_delete_days ({blob_soft_delete_days})",
        )
    if change_feed_retention_days < point_in_time_restore_days:
        return Refusal(
            f"{prefix}change_feed_retention_days",
            change_feed_retention_days,
            f"at least {prefix}point_in_time_restore_days ({point_in_time_restore_days})",
        )
    return None


def registry_soft_delete(
    *, soft_delete_days: int | None, retention_days: int, geo_replicated: bool, prefix: str = ""
) -> Refusal | None:
    """ACR soft delete is refused together with geo-replication or the retention policy (Learn, "Recover deleted
    artifacts with soft delete policy": known limitations)."""
    if soft_delete_days is not None and (retention_days > 0 or geo_replicated):
        return Refusal(
            f"{prefix}soft_delete_days",
            soft_delete_days,
            "unset: ACR soft delete cannot be combined with geo-replication or the untagged-manifest retention policy",
        )
    return None


def redis_persistence(
    *, geo_replicated: bool, persistence: bool, key: str = "persistence", other_fix: str = "geo_replicated=False"
) -> Refusal | None:
    """A Premium cache has exactly one DR mechanism: Azure refuses persistence on either cache of a
    geo-replicated pair (Learn, "Configure passive geo-replication for Premium Azure Cache for Redis instances":
    "Persistence isn't supported with geo-replication")."""
    if geo_replicated and persistence:
        return Refusal(
            key,
            "set",
            f"unset on a geo-replicated cache (Azure refuses persistence on a geo-replicated cache); or {other_fix}",
        )
    return None


def traffic_manager_probe(interval_seconds: int, key: str = "probe_interval_seconds") -> Refusal | None:
    if interval_seconds not in TRAFFIC_MANAGER_PROBE_INTERVALS:
        return Refusal(key, interval_seconds, "10 or 30 (the intervals Traffic Manager supports)")
    return None
