"""Azure's half of every switch (issue 18): each finding of the audit of the plans and runbooks against the REST
specs and Microsoft Learn, as a test through the commands and the program, and the sourced model the replay
refreshes through (components/facts/azure_transitions, lifecycle/refresh). The model is imported where a test uses
it, so the behavioural tests also run (and fail) against code that predates it."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.lifecycle import simulate
from azure_dr.cli.lifecycle import transitions as lifecycle
from azure_dr.cli.lifecycle.pair import load_pair
from azure_dr.cli.stackfiles.edit import Edit, StackDocument, edited
from azure_dr.cli.stackfiles.files import load_stack
from tests.conftest import plan
from tests.helpers import dig, promoted_pair, with_block
from tests.policy_harness import analyze, make_resource

SERVER = "azure-native:dbforpostgresql:Server"
ENDPOINT = "azure-native:dbforpostgresql:VirtualEndpoint"
NSG = "azure-native:network:NetworkSecurityGroup"
ORIGIN = "azure-native:cdn:AFDOrigin"


def copy_project(target: Path, *, policies: bool = False) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml", "__main__.py"):
        shutil.copy(ROOT / name, target / name)
    if policies:
        shutil.copytree(ROOT / "policies", target / "policies", ignore=shutil.ignore_patterns("venv", "__pycache__"))
    return target


def drctl(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["--root", str(root), *argv])
    return status, out.getvalue(), err.getvalue()


def edit(root: Path, *edits: Edit) -> None:
    for e in edits:
        doc = StackDocument(root, e.stack)
        doc.apply(e)
        doc.write()


def first_json(text: str) -> dict[str, Any]:
    """The JSON document at the start of ``text`` (the switch commands print what they wrote after it)."""
    document, _ = json.JSONDecoder().raw_decode(text)
    assert isinstance(document, dict)
    return document


def runbook(document: dict[str, Any]) -> list[str]:
    """Every command of a `--json` runbook, one shell line each."""
    return [shlex.join(argv) for step in document["steps"] for argv in step.get("argv", [[step["command"]]])]


@pytest.fixture(scope="module")
def forced(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """`drctl promote --forced --dry-run` on the shipped pair: the text, and the `--json` document."""
    root = copy_project(tmp_path_factory.mktemp("forced"))
    status, text, _ = drctl(root, "promote", "--forced", "--dry-run")
    assert status == 0, text
    status, out, _ = drctl(root, "promote", "--forced", "--dry-run", "--json")
    assert status == 0
    return text, first_json(out)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `--json` runbooks of a planned promotion of the shipped pair and of the failback after it settled."""
    root = copy_project(tmp_path_factory.mktemp("planned"))
    status, out, err = drctl(root, "promote", "--planned", "--json")
    assert status == 0, err
    promote = first_json(out)
    assert drctl(root, "settle")[0] == 0
    status, out, err = drctl(root, "failback", "--dry-run", "--json")
    assert status == 0, err
    return promote, first_json(out)


# --- storage: the WORM account, and where Azure keeps a failed-over account ----------------------------------


def test_a_worm_account_is_never_offered_a_failover(forced: tuple[str, dict[str, Any]]) -> None:
    text, document = forced
    assert not [c for c in runbook(document) if "storage account failover" in c]
    # The runbook says why (Learn, "Azure storage disaster recovery planning and failover").
    assert "container 'compliance' holds a WORM immutability policy" in text


def test_asking_for_the_failover_of_a_worm_account_is_refused_in_one_line(tmp_path: Path) -> None:
    status, _, err = drctl(copy_project(tmp_path), "promote", "--forced", "--storage-failover", "--dry-run")
    assert status == 2 and "WORM immutability policy" in err and "\n" not in err.strip()


def test_a_failed_over_account_is_managed_from_its_original_region(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    edit(root, Edit("primary", ("backup", "compliance_container"), None))  # no WORM container: failover allowed
    status, out, err = drctl(root, "promote", "--forced", "--storage-failover", "--json")
    assert status == 0, (out, err)
    commands = runbook(first_json(out))
    assert "az storage account failover --name stqlpproduks --resource-group rg-qlp-prod-uks --yes" in commands
    # The account is LRS in UK West now (no zones): geo-redundancy is restored as RA-GRS, from UK South, when
    # the rebuild's full up runs there; nothing is sent during the outage.
    assert load_pair(root).members["primary"].config.storage.sku == "Standard_RAGRS"
    from azure_dr.components.facts import azure_transitions as azure

    held_in, held_out = azure.failed_over_account(
        {"location": "uksouth", "sku": {"name": "Standard_RAGZRS"}}, {}, "ukwest"
    )
    assert (held_in["location"], held_in["sku"]["name"], held_out["primaryLocation"]) == (
        "uksouth",
        "Standard_LRS",
        "ukwest",
    )
    refused = azure.refusals(azure.STORAGE_ACCOUNT, held_in, held_out, {**held_in, "sku": {"name": "Standard_RAGZRS"}})
    assert refused and "without availability zones" in refused[0]
    assert (
        azure.refusals(azure.STORAGE_ACCOUNT, held_in, held_out, {**held_in, "sku": {"name": "Standard_RAGRS"}}) == []
    )


# --- PostgreSQL: the demoted server, HA, backups, symmetry, autogrow, the endpoint, the promotion itself ------


def test_the_demoted_server_declares_what_a_replica_has() -> None:
    demoted = plan(promoted_pair(), ["primary", "dr"])["primary"].one(SERVER).inputs
    # Learn, "Read replicas": a replica has neither HA nor backups (the switchover turned both off).
    assert demoted["serverName"] == "psql-qlp-prod-uks-1"
    assert not {"backup", "highAvailability", "replica"} & set(demoted)


def test_the_switch_back_re_enables_ha_as_an_explicit_step(planned: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, failback = planned
    commands = runbook(failback)
    ha = (
        "az postgres flexible-server update --resource-group rg-qlp-prod-uks --name psql-qlp-prod-uks-1 "
        "--high-availability ZoneRedundant"
    )
    assert ha in commands
    assert commands.index(ha) < commands.index("pulumi up --stack primary")  # enabled first, then declared


def test_backup_instances_follow_the_server_that_takes_backups(planned: tuple[dict[str, Any], dict[str, Any]]) -> None:
    promote, failback = planned
    stop = (
        "az dataprotection backup-instance stop-protection --resource-group {} --vault-name {} "
        "--backup-instance-name {}"
    )
    assert stop.format("rg-qlp-prod-uks", "bvault-qlp-prod-uks", "bi-psql-qlp-prod-uks-1") in runbook(promote)
    assert stop.format("rg-qlp-prod-ukw", "bvault-qlp-prod-ukw", "bi-psql-qlp-prod-ukw-1") in runbook(failback)
    resume = stop.replace("stop-protection", "resume-protection")
    assert resume.format("rg-qlp-prod-uks", "bvault-qlp-prod-uks", "bi-psql-qlp-prod-uks-1") in runbook(failback)


@pytest.fixture()
def asymmetric(tmp_path: Path) -> Path:
    """The shipped pair with a dr server twice the primary's: a replica may be larger, a switchover refuses it."""
    root = copy_project(tmp_path, policies=True)
    edit(
        root, Edit("dr", ("postgres", "sku_name"), "Standard_D8ds_v5"), Edit("dr", ("postgres", "storage_size_gb"), 512)
    )
    return root


def test_a_planned_promotion_of_an_asymmetric_pair_is_refused_naming_both_sizes(asymmetric: Path) -> None:
    status, _, err = drctl(asymmetric, "promote", "--planned", "--dry-run")
    assert status == 2 and "\n" not in err.strip()
    assert "Standard_D4ds_v5 (4 vCores) 256 GB" in err and "Standard_D8ds_v5 (8 vCores) 512 GB" in err


def test_check_flags_an_asymmetric_pair(asymmetric: Path) -> None:
    status, out, _ = drctl(asymmetric, "check")
    assert status == 1
    assert "pg-switchover-symmetry" in out and "Standard_D8ds_v5 (8 vCores) 512 GB" in out


def test_storage_size_follows_growth_and_is_never_shrunk(shipped: dict[str, StackPlan]) -> None:
    server = shipped["primary"].one(SERVER)
    assert "storage.storageSizeGB" in server.ignore_changes  # sent at creation, then Azure's
    grown = {**server.inputs, "storage": {"storageSizeGB": 512.0, "autoGrow": "Enabled"}}
    held_out = {**server.outputs, "replica": {"role": "Primary"}, "storage": {"storageSizeGB": 512.0}}
    from azure_dr.components.facts import azure_transitions as azure

    assert azure.refusals(SERVER, grown, held_out, server.inputs, server.ignore_changes) == []
    shrink = azure.refusals(SERVER, grown, held_out, server.inputs)  # without the ignore: a shrink request
    assert shrink and "smaller than the 512 GB" in shrink[0]


def test_the_virtual_endpoint_is_managed_through_the_current_primary(shipped: dict[str, StackPlan]) -> None:
    (endpoint,) = shipped["primary"].of_type(ENDPOINT)
    assert (endpoint.inputs["serverName"], endpoint.inputs["members"]) == (
        "psql-qlp-prod-uks-1",
        ["psql-qlp-prod-ukw-1"],
    )
    assert shipped["dr"].of_type(ENDPOINT) == []
    # After the switchover the new primary's stack declares it, under its own server.
    after = plan(promoted_pair(), ["primary", "dr"])
    assert after["primary"].of_type(ENDPOINT) == []
    (moved,) = after["dr"].of_type(ENDPOINT)
    assert (moved.inputs["serverName"], moved.inputs["virtualEndpointName"]) == (
        "psql-qlp-prod-ukw-1",
        "psql-qlp-prod-uks-1-vep",
    )


def test_a_promotion_is_the_documented_patch_never_a_put(forced: tuple[str, dict[str, Any]]) -> None:
    _, document = forced
    assert (
        "az postgres flexible-server replica promote --resource-group rg-qlp-prod-ukw --name psql-qlp-prod-ukw-1 "
        "--promote-mode standalone --promote-option forced --yes"
    ) in runbook(document)
    promoting = plan({"dr": with_block("dr", "postgres", state="promoting", promotion="forced")}, ["primary", "dr"])
    assert "replica" not in promoting["dr"].one(SERVER).inputs  # no promoteMode in any PUT
    held = {"replica": {"role": "GeoAsyncReplica"}}
    put = {"replica": {"promoteMode": "Standalone", "promoteOption": "Forced"}}
    from azure_dr.components.facts import azure_transitions as azure

    assert azure.refusals(SERVER, {}, held, put) == [azure.OPERATIONS["pg-promote-by-put"].refuses]


# --- a regional outage, traffic between steps, a new pair -----------------------------------------------------


def test_the_targeted_step_completes_while_every_call_into_the_lost_region_fails(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    transition = lifecycle.promote(load_pair(root), "forced")
    documents = edited(root, ["primary", "dr"], transition.edits)
    peers = {"dr": engine.plan_stacks(["dr"], ROOT)[-1].outputs}
    lost = ["uksouth"]
    during = engine.run_stack(documents["primary"].stack_file(), peers, root, unreachable=lost)
    assert during.error is None and during.outputs["role"] == "standby"
    # The mocks do fail: the same program without the outage flag invokes into UK South and stops there.
    before = engine.run_stack(load_stack(root, "primary"), peers, root, unreachable=lost)
    assert (
        before.error is not None and "listManagedClusterUserCredentials" in before.error and "uksouth" in before.error
    )


def test_traffic_never_splits_and_reaches_a_region_only_once_its_data_is_writable(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    sim = simulate.simulate(root, lifecycle.promote(load_pair(root), "planned"))
    priorities = {"primary": 1.0, "dr": 2.0}
    promoted = False
    for result in sim.results:
        promoted = promoted or "replica promote" in result.step.command
        if result.plan is not None:
            (origin,) = result.plan.of_type(ORIGIN)
            priorities[str(result.step.stack)] = float(origin.inputs["priority"])
        best = min(priorities.values())
        at_best = [stack for stack, p in priorities.items() if p == best]
        assert len(at_best) == 1, (result.step.command, priorities)  # never a split between equal priorities
        assert at_best == ["primary"] or promoted, (result.step.command, priorities)
    assert priorities == {"primary": 3.0, "dr": 1.0}  # the demoted origin steps aside until `drctl settle`


def test_init_writes_a_new_pair_whose_first_deployment_creates_it(tmp_path: Path) -> None:
    root = tmp_path
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "policies", root / "policies", ignore=shutil.ignore_patterns("venv", "__pycache__"))
    argv = [
        "init",
        "--workload",
        "shop",
        "--environment",
        "prod",
        "--primary-region",
        "uksouth",
        "--dr-region",
        "ukwest",
    ]
    status, _out, err = drctl(root, *argv)
    assert status == 0, err
    plans = {p.stack: p for p in engine.plan_stacks(None, root)}
    assert plans["primary"].one(SERVER).inputs["createMode"] == "Create"
    assert plans["dr"].one(SERVER).inputs["createMode"] == "Replica"
    assert drctl(root, "check")[0] == 0
    assert drctl(root, "settle")[0] == 0 and load_pair(root).status() == "built"
    # Never over an existing file; one line.
    status, _, err = drctl(root, *argv)
    assert status == 2 and "never overwrites" in err and "\n" not in err.strip()


def test_the_shipped_files_stay_a_built_pair() -> None:
    assert load_pair(ROOT).status() == "built"


# --- networking, drills, alerts ---------------------------------------------------------------------------


def test_the_cluster_subnet_admits_the_pod_range(shipped: dict[str, StackPlan]) -> None:
    for stack in ("primary", "dr"):
        (nsg,) = [r for r in shipped[stack].of_type(NSG) if r.name.endswith("-nsg-aks")]
        rules = {r["sourceAddressPrefix"]: r for r in nsg.inputs["securityRules"]}
        # Learn, "Configure Azure CNI Overlay networking in AKS": node<->pod and pod<->pod must be allowed.
        assert rules["10.244.0.0/16"]["access"] == "Allow"
        assert rules["10.244.0.0/16"]["priority"] < rules["*"]["priority"]


def test_drills_use_a_free_priority_a_namespace_selector_and_the_current_capability() -> None:
    primary = plan({}, ["primary"])["primary"]
    (nsg,) = [r for r in primary.of_type(NSG) if r.name.endswith("-nsg-aks")]
    cluster = primary.one("azure-native:containerservice:ManagedCluster")
    drills = {
        "enabled": True,
        "experiments": ["nsg-block", "aks-pod-chaos"],
        "app_nsg_id": nsg.id,
        "aks_cluster_id": cluster.id,
    }
    drilled = plan({"primary": {"azure-dr:drills": json.dumps(drills)}}, ["primary"])["primary"]
    params = {}
    for e in drilled.of_type("azure-native:chaos:Experiment"):
        action = dig(e.inputs, "properties.steps.0.branches.0.actions.0")
        params[action["name"]] = {kv["key"]: kv["value"] for kv in action["parameters"]}
    taken = {float(r["priority"]) for r in nsg.inputs["securityRules"]}
    assert float(params["urn:csci:microsoft:networkSecurityGroup:securityRule/1.0"]["priority"]) not in taken
    spec = json.loads(params["urn:csci:microsoft:azureKubernetesServiceChaosMesh:podChaos/2.2"]["jsonSpec"])
    assert spec["selector"] == {"namespaces": ["qlp"]}
    capabilities = {c.inputs["capabilityName"] for c in drilled.of_type("azure-native:chaos:Capability")}
    assert "PodChaos-2.2" in capabilities


def test_an_action_group_needs_a_receiver() -> None:
    # The receivers come from config (alerts.email_receivers / webhook_receivers); the pack refuses none.
    without = plan({"primary": with_block("primary", "alerts", email_receivers=[])}, ["primary"])["primary"]
    (group,) = without.of_type("azure-native:monitor:ActionGroup")
    assert not group.inputs.get("emailReceivers")
    empty = make_resource("azure-native:monitor:ActionGroup", {"groupShortName": "dr", "enabled": True}, name="ag")
    assert [v.message for v in analyze([empty]).violations("alert-receivers")]
    paged = make_resource(
        "azure-native:monitor:ActionGroup",
        {"groupShortName": "dr", "emailReceivers": [{"name": "oncall", "emailAddress": "a@example.com"}]},
        name="ag",
    )
    assert analyze([paged]).violations("alert-receivers") == []


# --- runbooks you can paste ---------------------------------------------------------------------------------


def test_every_runbook_command_is_resolved_and_valid(
    forced: tuple[str, dict[str, Any]], planned: tuple[dict[str, Any], dict[str, Any]], shipped: dict[str, StackPlan]
) -> None:
    documents = [forced[1], *planned]
    commands = [c for d in documents for c in runbook(d)]
    assert not [c for c in commands if "<" in c or "(same name" in c], commands
    for document in documents:
        for step in document["steps"]:
            assert step["command"] == " && ".join(shlex.join(argv) for argv in step["argv"])  # the exact argv
            verify = step["verify"]
            if verify.startswith("az ") and " show " in verify:  # a show names what it shows, and where
                assert "--resource-group" in verify and re.search(r"--(name|backup-instance-name) ", verify), verify
    # The lock lifted around the unlink is the cache's own, by name, restored with its level and notes.
    (lock,) = [
        r
        for r in shipped["dr"].of_type("azure-native:authorization:ManagementLockByScope")
        if re.search(r"/Microsoft\.Cache/redis/[^/]+$", str(r.inputs.get("scope")), re.IGNORECASE)
    ]
    name, notes = lock.inputs["lockName"], lock.inputs["notes"]
    assert f"az lock delete --name {name} --resource-group rg-qlp-prod-ukw" in " ".join(commands)
    create = [c for c in commands if c.startswith(f"az lock create --name {name} ")]
    assert create and all("--lock-type CanNotDelete" in c and shlex.quote(notes) in c for c in create)
    urns = [
        c
        for c in commands
        if c.startswith(("pulumi state delete", "pulumi refresh", "pulumi up --stack primary --target"))
    ]
    assert urns and all("urn:pulumi:" in c for c in urns)


def test_the_undocumented_unlink_from_the_secondary_is_said(forced: tuple[str, dict[str, Any]]) -> None:
    (unlink,) = [s for s in forced[1]["steps"] if "server-link delete" in s["command"]]
    assert "not documented" in unlink["what"]


# --- the model itself ---------------------------------------------------------------------------------------


def test_every_modelled_operation_names_its_sources() -> None:
    from azure_dr.components.facts import azure_transitions as azure

    page = (ROOT / "docs" / "lifecycle-azure.md").read_text()
    for op in azure.OPERATIONS.values():
        assert op.leaves and op.refuses and op.learn, op.key
        assert op.key == "region-down" or op.spec.startswith("specification/"), op.key
        assert f"`{op.key}`" in page, f"{op.key} is not on docs/lifecycle-azure.md"


def test_a_switchover_demotes_the_old_primary_and_moves_the_endpoint(tmp_path: Path) -> None:
    """The refresh after `az postgres flexible-server replica promote --promote-mode switchover`."""
    from azure_dr.components.facts import azure_transitions as azure

    root = copy_project(tmp_path)
    transition = lifecycle.Transition(
        "switchover",
        (),
        (
            lifecycle.Step(
                "az",
                "dr",
                (("az", "postgres", "flexible-server", "replica", "promote"),),
                "",
                "",
                1,
                (lifecycle.Effect("dr", "pg-promote", SERVER, "switchover", "psql-qlp-prod-uks-1"),),
            ),
            lifecycle.up_step("primary"),  # the demoted stack as its (unchanged) file says: a primary
        ),
    )
    sim = simulate.simulate(root, transition)
    refused = [p for p in sim.problems if "Azure refuses update qlp-uksouth-psql-server" in p]
    assert refused and "neither backups nor HA" in refused[0]  # the old declaration on a replica
    assert "traffic moves to" not in " ".join(sim.problems)
    servers = {s.inputs["serverName"]: s for p in sim.final.values() for s in p.of_type(SERVER)}
    assert azure.is_replica(servers["psql-qlp-prod-uks-1"].outputs)
    assert not azure.is_replica(servers["psql-qlp-prod-ukw-1"].outputs)


def test_the_model_refuses_what_azure_refuses() -> None:
    from azure_dr.components.facts import azure_transitions as azure

    replica = {"replica": {"role": "GeoAsyncReplica"}}
    assert azure.refusals(SERVER, {}, replica, {"highAvailability": {"mode": "ZoneRedundant"}})
    assert azure.refusals(
        SERVER, {}, {"highAvailability": {"mode": "Disabled"}}, {"highAvailability": {"mode": "ZoneRedundant"}}
    )
    locations = [
        {"locationName": "uksouth", "failoverPriority": 0.0},
        {"locationName": "ukwest", "failoverPriority": 1.0},
    ]
    moved = azure.with_write_region({"locations": locations}, "ukwest")
    assert azure.refusals(azure.COSMOS_ACCOUNT, {"locations": locations}, {}, moved)
    assert azure.refusals(azure.COSMOS_ACCOUNT, moved, {}, moved) == []
    small = azure.ServerSize("a", "GeneralPurpose", "Standard_D4ds_v5", 256)
    assert azure.switchover_asymmetry(small, small) is None
    problem = azure.switchover_asymmetry(small, azure.ServerSize("b", "MemoryOptimized", "Standard_E4ds_v5", 256))
    assert problem is not None and "tier differ" in problem
