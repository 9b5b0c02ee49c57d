"""Stateful resources are protected and locked; no config switch replaces or deletes one (DESIGN §3)."""

from __future__ import annotations

import pytest

from drctl.recording import StackPlan
from drctl.render import locked_ids
from drctl.replacement import deleted, replacements, stateful
from tests.conftest import plan
from tests.helpers import with_block

EXPECTED_STATEFUL = {
    "azure-native:dbforpostgresql:Server",
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    "azure-native:redis:Redis",
}
EXPECTED_STATEFUL.add("azure-native:operationalinsights:Workspace")
EXPECTED_STATEFUL.add("azure-native:containerservice:ManagedCluster")
GLOBAL_STATEFUL = {"azure-native:cosmosdb:DatabaseAccount", "azure-native:containerregistry:Registry"}


@pytest.mark.parametrize("stack", ["primary", "dr"])
def test_every_stateful_resource_is_protected_and_locked(shipped: dict[str, StackPlan], stack: str) -> None:
    p = shipped[stack]
    data = stateful(p.resources)
    expected = EXPECTED_STATEFUL | (GLOBAL_STATEFUL if p.outputs["owns_global"] else set())
    assert {r.type for r in data} == expected
    locks = locked_ids(p)
    for r in data:
        assert r.protect, f"{r.urn} is not protected"
        assert r.retain_on_delete, f"{r.urn} would be deleted in Azure if ever released from the stack"
        assert r.id in locks, f"{r.urn} has no CanNotDelete lock"


def test_locks_can_be_turned_off_but_protect_cannot() -> None:
    p = plan({"primary": {"azure-dr:locks": "false"}}, ["primary"])["primary"]
    assert p.error is None
    assert p.of_type("azure-native:authorization:ManagementLockByScope") == []
    assert all(r.protect for r in stateful(p.resources))


PROMOTED = {
    "primary": {"azure-dr:role": "standby", "azure-dr:peer_stack": "dr"},
    "dr": {"azure-dr:role": "active"},
}


def _switched(overrides: dict[str, dict[str, str]]) -> dict[str, StackPlan]:
    """Plan each stack with ``overrides``; stacks are planned separately so peers don't form a cycle."""
    return {name: plan({name: over}, [name])[name] for name, over in overrides.items()}


@pytest.mark.parametrize("stack", ["primary", "dr"])
def test_promotion_replaces_and_deletes_nothing_stateful(shipped: dict[str, StackPlan], stack: str) -> None:
    after = _switched(PROMOTED)[stack]
    assert after.error is None
    before = shipped[stack]
    assert replacements(before, after) == []
    assert stateful(deleted(before, after)) == []
    assert all(r.protect for r in stateful(after.resources))
    assert after.outputs["role"] != before.outputs["role"]


def test_failback_after_promotion_replaces_nothing(shipped: dict[str, StackPlan]) -> None:
    promoted = _switched(PROMOTED)
    failed_back = {
        "primary": {"azure-dr:role": "active", "azure-dr:peer_stack": "dr"},
        "dr": {"azure-dr:role": "standby"},
    }
    back = _switched(failed_back)
    for name in ("primary", "dr"):
        assert replacements(promoted[name], back[name]) == []
        assert stateful(deleted(promoted[name], back[name])) == []


def test_resize_is_an_update_not_a_replacement(shipped: dict[str, StackPlan]) -> None:
    after = plan(
        {"primary": with_block("primary", "postgres", sku_name="Standard_D8ds_v5", storage_size_gb=512)}, ["primary"]
    )["primary"]
    assert after.one("azure-native:dbforpostgresql:Server").inputs["sku"]["name"] == "Standard_D8ds_v5"
    assert replacements(shipped["primary"], after) == []


def test_the_checker_sees_a_replacing_change(shipped: dict[str, StackPlan]) -> None:
    """Guard for the tests above: turning the replica into a primary by config *would* replace it."""
    after = plan({"dr": with_block("dr", "postgres", create_as="primary")})["dr"]
    found = {r.type: r.keys for r in replacements(shipped["dr"], after)}
    assert found == {"azure-native:dbforpostgresql:Server": ("sourceServerResourceId",)}


def test_promoted_pair_plans_together_reading_each_other() -> None:
    """After the switch both stacks read each other: both are planned, the cycle broken by a second pass."""
    promoted = plan(PROMOTED)
    assert [p.error for p in promoted.values()] == [None, None]
    primary, dr = promoted["primary"], promoted["dr"]
    link = primary.one("azure-native:redis:LinkedServer").inputs
    assert link["name"] == dr.outputs["redis_cache_name"]
    assert link["resourceGroupName"] == dr.outputs["resource_group_name"]
    assert primary.one("pulumi:pulumi:StackReference").outputs["outputs"] == dr.outputs


def test_rebuilding_with_a_new_generation_adds_a_server_and_replaces_nothing(shipped: dict[str, StackPlan]) -> None:
    after = plan({"dr": with_block("dr", "postgres", generation=2)})["dr"]
    servers = after.of_type("azure-native:dbforpostgresql:Server")
    assert [s.inputs["serverName"] for s in servers] == ["psql-qlp-prod-ukw-2"]
    assert replacements(shipped["dr"], after) == []
    stale = [r for r in deleted(shipped["dr"], after) if r.type == "azure-native:dbforpostgresql:Server"]
    # The stale server leaves the program, but protect stops `pulumi up` until it is released on purpose,
    # and retain_on_delete keeps its data in Azure even then.
    assert [(s.inputs["serverName"], s.protect, s.retain_on_delete) for s in stale] == [
        ("psql-qlp-prod-ukw-1", True, True)
    ]
