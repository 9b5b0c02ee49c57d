"""Stateful resources are protected and locked; no config switch replaces or deletes one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.engine.replacement import replacements, stateful
from azure_dr.cli.report.render import locked_ids
from tests.conftest import plan
from tests.helpers import with_block

EXPECTED_STATEFUL = {
    "azure-native:dbforpostgresql:Server",
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    "azure-native:redis:Redis",
}
EXPECTED_STATEFUL.add("azure-native:operationalinsights:Workspace")
EXPECTED_STATEFUL.add("azure-native:dataprotection:BackupVault")
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


# The switches themselves (promote, rebuild, failback, release) are replayed step by step in test_lifecycle.py.


def test_resize_is_an_update_not_a_replacement(shipped: dict[str, StackPlan]) -> None:
    # Both stacks (the replica is scaled up first): a replica smaller than its primary does not plan at all.
    bigger = {"sku_name": "Standard_D8ds_v5", "storage_size_gb": 512}
    after = plan({s: with_block(s, "postgres", **bigger) for s in ("primary", "dr")}, ["primary"])["primary"]
    assert after.one("azure-native:dbforpostgresql:Server").inputs["sku"]["name"] == "Standard_D8ds_v5"
    assert replacements(shipped["primary"], after) == []


def test_the_checker_sees_a_replacing_change(shipped: dict[str, StackPlan]) -> None:
    """Guard for the tests above and the lifecycle replay: a create-only input that changes is a replacement."""
    before = shipped["dr"]
    server = before.one("azure-native:dbforpostgresql:Server")
    moved = replace(server, inputs={**server.inputs, "location": "northeurope"})
    after = replace(before, resources=[moved if r is server else r for r in before.resources])
    found = {r.type: r.keys for r in replacements(before, after)}
    assert found == {"azure-native:dbforpostgresql:Server": ("location",)}
