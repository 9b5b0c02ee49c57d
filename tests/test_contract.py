"""The stack contract: both stacks export exactly its keys; the DR stack reads the primary through it."""

from __future__ import annotations

import pytest

from azure_dr.cli.engine.recording import StackPlan
from azure_dr.components.stack.contract import CONTRACT, GLOBAL_KEYS, NULLABLE_KEYS


@pytest.mark.parametrize("stack", ["primary", "dr"])
def test_stack_exports_only_contract_keys(shipped: dict[str, StackPlan], stack: str) -> None:
    """Every regional key is exported; global keys only by the owner (None is not exported)."""
    outputs = set(shipped[stack].outputs)
    assert outputs <= set(CONTRACT)
    assert set(CONTRACT) - set(GLOBAL_KEYS) - NULLABLE_KEYS <= outputs
    owner = shipped[stack].outputs["owns_global"]
    assert (outputs & set(GLOBAL_KEYS)) == (
        {k for k in GLOBAL_KEYS if k != "traffic_manager_profile_name"} if owner else set()
    )


def test_exports_describe_the_region(primary: StackPlan, dr: StackPlan) -> None:
    assert (primary.outputs["role"], primary.outputs["region"], primary.outputs["owns_global"]) == (
        "active",
        "uksouth",
        True,
    )
    assert (dr.outputs["role"], dr.outputs["region"], dr.outputs["owns_global"]) == ("standby", "ukwest", False)
    assert primary.outputs["postgres_server_id"] == primary.one("azure-native:dbforpostgresql:Server").id


def test_dr_reads_the_primary_stack(dr: StackPlan, primary: StackPlan) -> None:
    ref = dr.one("pulumi:pulumi:StackReference")
    assert ref.id == "organization/azure-dr/primary"
    assert ref.outputs["outputs"] == primary.outputs


def test_primary_reads_dr_for_its_side_of_the_network(primary: StackPlan, dr: StackPlan) -> None:
    """The primary reads the dr stack (the peering and the DNS links need its network); the pair reads each other
    as after a promotion, so a switch adds no reference."""
    ref = primary.one("pulumi:pulumi:StackReference")
    assert ref.id == "organization/azure-dr/dr"
    assert ref.outputs["outputs"]["network_vnet_id"] == dr.outputs["network_vnet_id"]


def test_contract_refuses_unknown_keys() -> None:
    from azure_dr.components.stack.contract import export_contract

    with pytest.raises(ValueError, match="unknown"):
        export_contract({**dict.fromkeys(CONTRACT, "x"), "surprise": 1})
