"""Azure region facts: names, each region's pair, and whether it has availability zones.

Zone-redundant settings only make sense where the region has zones, so config validation and the policy pack
both read this table rather than guessing.

Sources (Microsoft Learn, read 2026-11):
- "Azure region pairs and nonpaired regions" (reliability/cross-region-replication-azure) for ``pair``.
- "Azure regions with availability zone support" (reliability/availability-zones-region-support) for
  ``zones``. UK West, West US, North Central US and West Central US list no zones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """One Azure region as the DR model needs it."""

    name: str
    display_name: str
    short: str
    pair: str | None
    zones: bool


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
)

REGIONS: dict[str, Region] = {r.name: r for r in _REGIONS}


def region(name: str) -> Region:
    """The region called ``name`` (an Azure region name such as ``uksouth``); KeyError if Azure has none."""
    return REGIONS[name]


def has_zones(name: str) -> bool:
    """Whether zone-redundant settings are possible in region ``name``."""
    return REGIONS[name].zones


def pair_of(name: str) -> str | None:
    """The Azure pair of region ``name``, or None for a nonpaired region."""
    return REGIONS[name].pair
