"""Azure's limits on the values config sets, checked before anything is registered (each with its source).

The mock runtime accepts any string, so without these a plan can look green while Azure would refuse the
deployment. Every function returns what is wrong (a short phrase) or None.
"""

from __future__ import annotations

import re

from .recovery import MECHANISM_TAG

# Microsoft Learn, "Use tags to organize your Azure resources and management hierarchy", Limitations: at most
# 50 tag name-value pairs per resource; a tag name at most 512 characters (128 for storage accounts, and every
# data component here tags its storage account the same way), a value at most 256; tag names can't contain
# <, >, %, &, \, ?, /. Tag names are case-insensitive.
MAX_TAGS = 50
TAG_NAME_MAX = 128
TAG_VALUE_MAX = 256
TAG_NAME_FORBIDDEN = frozenset("<>%&\\?/")
#: Tags the program sets on every resource itself (stack.region, facts.recovery): config may not
#: override them, or a resource would claim a role or mechanism it does not have. (Policy exemption tags,
#: ``azure-dr:policy-exempt*``, are config's to set.)
PROGRAM_TAGS = ("workload", "environment", "dr-role", MECHANISM_TAG)


def tag_problem(name: str, value: str) -> str | None:
    """What is wrong with one user tag, or None."""
    if not name.strip():
        return "an empty tag name"
    if len(name) > TAG_NAME_MAX:
        return f"a tag name of {len(name)} characters (at most {TAG_NAME_MAX}, the storage-account limit)"
    bad = sorted(TAG_NAME_FORBIDDEN & set(name))
    if bad:
        return f"a tag name containing {' '.join(bad)} (Azure forbids < > % & \\ ? /)"
    if name.lower() in PROGRAM_TAGS:
        return f"a tag the program sets itself ({', '.join(PROGRAM_TAGS)})"
    if len(value) > TAG_VALUE_MAX:
        return f"a tag value of {len(value)} characters (at most {TAG_VALUE_MAX})"
    return None


def max_user_tags() -> int:
    """Room left for config's tags after the program's own."""
    return MAX_TAGS - len(PROGRAM_TAGS)


# RFC 1123 §2.1 and RFC 1035 §2.3.4: a host name is dot-separated labels of letters, digits and hyphens, each
# 1-63 characters and neither starting nor ending with a hyphen, at most 253 characters in all. A Front Door
# origin or Traffic Manager endpoint target is such a name (Learn, "Origins and origin groups in Azure Front Door").
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def host_name_problem(host: str) -> str | None:
    """What is wrong with a DNS host name, or None."""
    if len(host) > 253:
        return f"{len(host)} characters (at most 253)"
    labels = host.split(".")
    if len(labels) < 2:
        return "a single label (a fully qualified host name has a domain)"
    for label in labels:
        if not _LABEL.match(label):
            return f"label {label[:70]!r} (1-63 letters, digits or hyphens, not starting or ending with a hyphen)"
    if not re.fullmatch(r"[A-Za-z]{2,63}", labels[-1]):
        return f"top-level domain {labels[-1]!r} (letters only)"
    return None


# Microsoft Learn, "Compute options in Azure Database for PostgreSQL flexible server": the Burstable tier runs
# B-series VMs, General Purpose D-series (Dsv3, Ddsv4, Ddsv5, Dadsv5, ...), Memory Optimized E-series
# (Esv3, Edsv4, Edsv5, Eadsv5, ...). A SKU of one series with another tier is refused by the service.
PG_TIER_BY_SERIES = {"B": "Burstable", "D": "GeneralPurpose", "E": "MemoryOptimized"}
PG_SKU_PATTERN = r"^Standard_([BDE])([0-9]{1,3})[a-z]*(_v[0-9]+)?$"


def pg_vcores(sku_name: str) -> int:
    """The vCores of a PostgreSQL flexible server SKU (``Standard_D4ds_v5`` -> 4); 0 for a name that is not one."""
    match = re.match(PG_SKU_PATTERN, sku_name)
    return int(match.group(2)) if match else 0


def pg_tier_for_sku(sku_name: str) -> str | None:
    """The compute tier a PostgreSQL flexible server SKU belongs to (None for a name that is not one)."""
    match = re.match(PG_SKU_PATTERN, sku_name)
    return PG_TIER_BY_SERIES[match.group(1)] if match else None
