"""Any Azure region is accepted: the listed ones with their facts (Learn, "Azure regions list"), any other with no
zones and no pair assumed and a warning saying so; a name that cannot be a region is refused with one line."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from azure_dr.cli.engine import check
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components import GeoStorage, GeoStorageArgs, InvalidArgs
from azure_dr.components.facts.regions import REGIONS, has_zones, pair_of, region
from azure_dr.components.naming import Names
from azure_dr.components.stack.config import ConfigError, parse_config
from tests.component_harness import run_program
from tests.conftest import plan
from tests.helpers import with_block

# "Azure regions list" (Learn, reliability/regions-list, 2025-09-23): programmatic name, zones, paired region.
LEARN_REGIONS: list[tuple[str, bool, str | None]] = [
    ("australiacentral", False, "australiacentral2"),
    ("australiacentral2", False, "australiacentral"),
    ("australiaeast", True, "australiasoutheast"),
    ("australiasoutheast", False, "australiaeast"),
    ("austriaeast", True, None),
    ("belgiumcentral", True, None),
    ("brazilsouth", True, "southcentralus"),
    ("brazilsoutheast", False, "brazilsouth"),
    ("canadacentral", True, "canadaeast"),
    ("canadaeast", False, "canadacentral"),
    ("centralindia", True, "southindia"),
    ("centralus", True, "eastus2"),
    ("chilecentral", True, None),
    ("denmarkeast", True, None),
    ("eastasia", True, "southeastasia"),
    ("eastus", True, "westus"),
    ("eastus2", True, "centralus"),
    ("francecentral", True, "francesouth"),
    ("francesouth", False, "francecentral"),
    ("germanynorth", False, "germanywestcentral"),
    ("germanywestcentral", True, "germanynorth"),
    ("indonesiacentral", True, None),
    ("israelcentral", True, None),
    ("italynorth", True, None),
    ("japaneast", True, "japanwest"),
    ("japanwest", True, "japaneast"),
    ("koreacentral", True, "koreasouth"),
    ("koreasouth", False, "koreacentral"),
    ("malaysiawest", True, None),
    ("mexicocentral", True, None),
    ("newzealandnorth", True, None),
    ("northcentralus", False, "southcentralus"),
    ("northeurope", True, "westeurope"),
    ("norwayeast", True, "norwaywest"),
    ("norwaywest", False, "norwayeast"),
    ("polandcentral", True, None),
    ("qatarcentral", True, None),
    ("southafricanorth", True, "southafricawest"),
    ("southafricawest", False, "southafricanorth"),
    ("southcentralus", True, "northcentralus"),
    ("southindia", False, "centralindia"),
    ("southeastasia", True, "eastasia"),
    ("spaincentral", True, None),
    ("swedencentral", True, "swedensouth"),
    ("switzerlandnorth", True, "switzerlandwest"),
    ("switzerlandwest", False, "switzerlandnorth"),
    ("uaecentral", False, "uaenorth"),
    ("uaenorth", True, "uaecentral"),
    ("uksouth", True, "ukwest"),
    ("ukwest", False, "uksouth"),
    ("westcentralus", False, "westus2"),
    ("westeurope", True, "northeurope"),
    ("westindia", False, "southindia"),
    ("westus", False, "eastus"),
    ("westus2", True, "westcentralus"),
    ("westus3", True, "eastus"),
]


def test_the_table_holds_the_learn_list_and_nothing_else() -> None:
    assert {name: (r.zones, r.pair) for name, r in REGIONS.items() if name != "swedensouth"} == {
        name: (zones, pair) for name, zones, pair in LEARN_REGIONS
    }
    # Sweden South: Sweden Central's restricted-access pair ("Azure region pairs and nonpaired regions").
    assert (REGIONS["swedensouth"].zones, REGIONS["swedensouth"].pair) == (False, "swedencentral")


def test_short_codes_are_unique_and_short() -> None:
    shorts = [r.short for r in REGIONS.values()]
    assert len(shorts) == len(set(shorts)) and all(1 < len(s) <= 4 for s in shorts)


def test_only_the_documented_pairs_are_one_way() -> None:
    one_way = {name for name, r in REGIONS.items() if r.pair is not None and pair_of(r.pair) != name}
    assert one_way == {"westus3", "brazilsouth", "brazilsoutheast", "westindia"}


@pytest.mark.parametrize("name", ["koreacentral", "uaenorth", "southafricanorth", "mexicocentral"])
def test_regions_the_first_table_refused_build_zone_redundant(name: str) -> None:
    plan = run_program(
        lambda: GeoStorage("st", GeoStorageArgs(account_name="st", resource_group_name="rg", location=name))
    )
    assert plan.one("azure-native:storage:StorageAccount").inputs["sku"] == {"name": "Standard_RAGZRS"}


def test_a_region_without_zones_refuses_zone_redundancy_with_one_line() -> None:
    with pytest.raises(InvalidArgs, match="uaecentral has no availability zones"):
        GeoStorage("st", GeoStorageArgs(account_name="st", resource_group_name="rg", location="uaecentral"))


def test_an_unlisted_region_is_accepted_with_no_zones_assumed_and_one_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *args, **kwargs: warned.append(message))
    name = "atlantisnorth"
    assert (region(name).known, has_zones(name), pair_of(name)) == (False, False, None)
    with pytest.raises(InvalidArgs, match="atlantisnorth is not in azure-dr's region facts, so availability zones"):
        GeoStorage("st", GeoStorageArgs(account_name="st", resource_group_name="rg", location=name))
    plan = run_program(
        lambda: GeoStorage(
            "st", GeoStorageArgs(account_name="st", resource_group_name="rg", location=name, sku="Standard_RAGRS")
        )
    )
    assert plan.one("azure-native:storage:StorageAccount").inputs["location"] == name
    assert len(warned) == 1 and "no availability zones and no paired region are assumed" in warned[0]


def test_an_unlisted_region_s_names_fit_azure_s_limits() -> None:
    names = Names("workload", "envir", "atlantisnortheast")
    assert len(names.storage_account) <= 24 and names.storage_account.isalnum()
    assert len(names.key_vault) <= 24


def _stack(**changes: Any) -> dict[str, Any]:
    """The shipped primary stack's config with ``changes``."""
    stack = load_stack(ROOT, "primary")
    prefix = f"{stack.project}:"
    return {**{k[len(prefix) :]: v for k, v in stack.config.items() if k.startswith(prefix)}, **changes}


def test_a_stack_in_a_newly_listed_pair() -> None:
    config = parse_config(_stack(region="koreacentral", peer_region="koreasouth"))
    assert (config.region, config.peer_region) == ("koreacentral", "koreasouth")


@pytest.mark.parametrize("value", ["UK South", "uk-south", "Korea Central"])
def test_a_name_that_cannot_be_a_region_is_refused(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(_stack(region=value))
    assert "azure-dr:region" in str(refused.value) and "programmatic name" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_shipped_pair_moved_to_korea_plans_and_passes_the_check() -> None:
    """Korea Central (zones) and its pair Korea South (none): both stacks plan, and the pack finds nothing
    mandatory, so the zone facts the components used are the ones the pack holds them to."""
    overrides = {
        "primary": {
            "azure-native:location": "koreacentral",
            "azure-dr:region": "koreacentral",
            "azure-dr:peer_region": "koreasouth",
        },
        "dr": {
            "azure-native:location": "koreasouth",
            "azure-dr:region": "koreasouth",
            "azure-dr:peer_region": "koreacentral",
            **with_block("dr", "postgres", replica_of="psql-qlp-prod-krc-1"),
        },
    }
    plans = plan(overrides)
    assert {p.stack: p.error for p in plans.values()} == {"primary": None, "dr": None}
    server = plans["dr"].one("azure-native:dbforpostgresql:Server").inputs
    assert server["location"] == "koreasouth" and server["sourceServerResourceId"].endswith("psql-qlp-prod-krc-1")
    assert check.check_plans(list(plans.values()), ROOT / "policies").mandatory == []
