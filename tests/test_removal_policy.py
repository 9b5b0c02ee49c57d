"""``removal_policy``: ``retain`` (default) keeps every stateful resource protected and in Azure when released;
``destroy`` lets a throw-away stack go, and the policy pack still flags it unless its config waives protection."""

from __future__ import annotations

from azure_dr.cli.engine import check
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.components import GeoStorage, GeoStorageArgs, PrivateEndpointArgs
from azure_dr.components.facts.recovery import STATEFUL_TYPES
from tests.component_harness import run_program
from tests.conftest import plan

SUBNET = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pe"


def _storage(**args: object) -> StackPlan:
    return run_program(
        lambda: GeoStorage(
            "st",
            GeoStorageArgs(
                account_name="stapp",
                resource_group_name="rg",
                location="uksouth",
                private_endpoints={"apps": PrivateEndpointArgs(subnet_resource_id=SUBNET)},
                **args,  # type: ignore[arg-type]
            ),
        )
    )


def test_a_component_retains_by_default_and_destroys_when_asked() -> None:
    kept = _storage().one("azure-native:storage:StorageAccount")
    assert (kept.protect, kept.retain_on_delete) == (True, True)
    thrown = _storage(removal_policy="destroy")
    account = thrown.one("azure-native:storage:StorageAccount")
    assert (account.protect, account.retain_on_delete) == (False, False)
    # The lock is its own argument: removal_policy changes what Pulumi may do, not what Azure refuses.
    assert {r.name for r in thrown.of_type("azure-native:authorization:ManagementLockByScope")} == {
        "st-lock",
        "st-pe-apps-lock",
    }


def _stateful(p: StackPlan) -> list[tuple[str, bool, bool]]:
    return [(r.name, r.protect, r.retain_on_delete) for r in p.resources if r.type in STATEFUL_TYPES]


def test_the_shipped_stacks_retain_everything_stateful(shipped: dict[str, StackPlan]) -> None:
    for p in shipped.values():
        found = _stateful(p)
        assert found and all(protect and retain for _, protect, retain in found), p.stack


def test_a_throw_away_stack_destroys_and_the_pack_says_so() -> None:
    plans = plan({"primary": {"azure-dr:removal_policy": "destroy", "azure-dr:locks": "false"}}, ["primary"])
    found = _stateful(plans["primary"])
    assert found and not any(protect or retain for _, protect, retain in found)
    report = check.check_plans(list(plans.values()), ROOT / "policies")
    flagged = [r.message for r in report.mandatory if r.policy_name == "stateful-protected"]
    unprotected = [m for m in flagged if "is not protected" in m]
    assert len(unprotected) == len(found) and all("removal_policy destroy" in m for m in unprotected)
    assert len(flagged) == 2 * len(found)  # and, with locks off, no lock on each
    waived = {"stateful-protected": {"require_protect": False, "require_locks": False}}
    throw_away = check.check_plans(list(plans.values()), ROOT / "policies", policy_config=waived)
    assert [r for r in throw_away.mandatory if r.policy_name == "stateful-protected"] == []
