"""Azure region facts: names, each region's pair, and whether it has availability zones.

Zone-redundant settings only make sense where the region has zones, so config validation and the policy pack
both read this table rather than guessing.

Sources (Microsoft Learn, read 2026-12):
- "Azure regions list" (reliability/regions-list, ms.date 2025-09-23): every public region's programmatic name,
  availability zone support and paired region (``pair``, ``zones``). UK West, West US, North Central US, West
  Central US, Canada East and the other "alternate" regions list no zones.
- "Azure region pairs and nonpaired regions" (reliability/cross-region-replication-azure): the pairs, including
  the asymmetric ones (Brazil South -> South Central US, West US 3 -> East US, West India -> South India) and
  Sweden South, Sweden Central's restricted-access pair, which the regions list does not carry as a row.

Any other well-formed region name is accepted (``region`` answers for it): Azure opens regions faster than a
table follows, and refusing a real region is worse than not knowing its facts. Such a region is taken to have
no availability zones and no pair, the choice that asks Azure for nothing it may refuse (a zone-redundant
setting in a region without zones fails); callers say so (``known``) and the pack, which checks rather than
deploys, takes the stricter view (``drpolicy.facts.zones_expected``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A region's programmatic name: lowercase letters and digits (``uksouth``, ``australiacentral2``).
REGION_NAME = re.compile(r"^[a-z][a-z0-9]{2,39}$")


@dataclass(frozen=True)
class Region:
    """One Azure region as the DR model needs it."""

    name: str
    display_name: str
    short: str
    pair: str | None
    zones: bool
    known: bool = True
    """False for a region the table does not list: no zones and no pair are assumed."""


_REGIONS: tuple[Region, ...] = (
    Region("uksouth", "UK South", "uks", "ukwest", True),
    Region("ukwest", "UK West", "ukw", "uksouth", False),
    Region("eastus", "East US", "eus", "westus", True),
    Region("westus", "West US", "wus", "eastus", False),
    Region("eastus2", "East US 2", "eus2", "centralus", True),
    Region("centralus", "Central US", "cus", "eastus2", True),
    Region("westus2", "West US 2", "wus2", "westcentralus", True),
    Region("westcentralus", "West Central US", "wcus", "westus2", False),
    Region("westus3", "West US 3", "wus3", "eastus", True),
    Region("northcentralus", "North Central US", "ncus", "southcentralus", False),
    Region("southcentralus", "South Central US", "scus", "northcentralus", True),
    Region("northeurope", "North Europe", "neu", "westeurope", True),
    Region("westeurope", "West Europe", "weu", "northeurope", True),
    Region("francecentral", "France Central", "frc", "francesouth", True),
    Region("francesouth", "France South", "frs", "francecentral", False),
    Region("germanywestcentral", "Germany West Central", "gwc", "germanynorth", True),
    Region("germanynorth", "Germany North", "gn", "germanywestcentral", False),
    Region("swedencentral", "Sweden Central", "sdc", "swedensouth", True),
    Region("swedensouth", "Sweden South", "sds", "swedencentral", False),
    Region("switzerlandnorth", "Switzerland North", "szn", "switzerlandwest", True),
    Region("switzerlandwest", "Switzerland West", "szw", "switzerlandnorth", False),
    Region("norwayeast", "Norway East", "nwe", "norwaywest", True),
    Region("norwaywest", "Norway West", "nww", "norwayeast", False),
    Region("australiaeast", "Australia East", "ae", "australiasoutheast", True),
    Region("australiasoutheast", "Australia Southeast", "ase", "australiaeast", False),
    Region("canadacentral", "Canada Central", "cnc", "canadaeast", True),
    Region("canadaeast", "Canada East", "cne", "canadacentral", False),
    Region("japaneast", "Japan East", "jpe", "japanwest", True),
    Region("japanwest", "Japan West", "jpw", "japaneast", True),
    Region("southeastasia", "Southeast Asia", "sea", "eastasia", True),
    Region("eastasia", "East Asia", "ea", "southeastasia", True),
    Region("centralindia", "Central India", "inc", "southindia", True),
    Region("southindia", "South India", "ins", "centralindia", False),
    Region("brazilsouth", "Brazil South", "brs", "southcentralus", True),
    Region("italynorth", "Italy North", "itn", None, True),
    Region("polandcentral", "Poland Central", "plc", None, True),
    Region("spaincentral", "Spain Central", "spc", None, True),
    # Added from "Azure regions list" (2025-09): the regions the first table left out.
    Region("australiacentral", "Australia Central", "acl", "australiacentral2", False),
    Region("australiacentral2", "Australia Central 2", "acl2", "australiacentral", False),
    Region("austriaeast", "Austria East", "ate", None, True),
    Region("belgiumcentral", "Belgium Central", "bec", None, True),
    Region("brazilsoutheast", "Brazil Southeast", "bse", "brazilsouth", False),
    Region("chilecentral", "Chile Central", "clc", None, True),
    Region("denmarkeast", "Denmark East", "dke", None, True),
    Region("indonesiacentral", "Indonesia Central", "idc", None, True),
    Region("israelcentral", "Israel Central", "ilc", None, True),
    Region("koreacentral", "Korea Central", "krc", "koreasouth", True),
    Region("koreasouth", "Korea South", "krs", "koreacentral", False),
    Region("malaysiawest", "Malaysia West", "myw", None, True),
    Region("mexicocentral", "Mexico Central", "mxc", None, True),
    Region("newzealandnorth", "New Zealand North", "nzn", None, True),
    Region("qatarcentral", "Qatar Central", "qac", None, True),
    Region("southafricanorth", "South Africa North", "san", "southafricawest", True),
    Region("southafricawest", "South Africa West", "saw", "southafricanorth", False),
    Region("uaecentral", "UAE Central", "uac", "uaenorth", False),
    Region("uaenorth", "UAE North", "uan", "uaecentral", True),
    Region("westindia", "West India", "inw", "southindia", False),
)

REGIONS: dict[str, Region] = {r.name: r for r in _REGIONS}


def well_formed(name: str) -> bool:
    """Whether ``name`` can be a region's programmatic name (``uksouth``, not ``UK South``)."""
    return bool(REGION_NAME.match(name))


def region(name: str) -> Region:
    """The region called ``name``: its facts from the table, or, for a well-formed name the table does not list,
    a region with no zones, no pair and a short code from its name (its first six characters: names stay within
    Azure's length limits). KeyError for a name that cannot be a region."""
    found = REGIONS.get(name)
    if found is not None:
        return found
    if not well_formed(name):
        raise KeyError(name)
    return Region(name, name, name[:6], None, False, known=False)


def has_zones(name: str) -> bool:
    """Whether zone-redundant settings are possible in region ``name`` (never assumed for an unlisted region)."""
    return region(name).zones


def pair_of(name: str) -> str | None:
    """The Azure pair of region ``name``, or None for a nonpaired (or unlisted) region."""
    return region(name).pair


def zone_note(name: str) -> str:
    """Why zone redundancy is off in ``name``, for a refusal's message."""
    if region(name).known:
        return f"{name} has no availability zones"
    return f"{name} is not in azure-dr's region facts, so availability zones are not assumed"
