"""Every rule fires, and every rule passes, over the pair the program really records, in each lifecycle state.

A rule tested only against hand-built resources can be dead against the program's own output (a settled replica
sends ``createMode: Update``; a role tag nothing sets). Here each state of the shipped pair (built, promoted,
rebuilt, failed back: the stack files the switch commands write) is planned, and

- the whole pair passes: no result of any rule (the passing case of every rule), and the gate's rules too;
- for every rule of the pack a change to the recorded plan makes exactly that rule report (the failing case):
  a resource rule on a real resource of the state changed as ``test_policy_resource_rules`` changes its
  baseline, a stack rule on the stack holding the part it judges (the standby's replica, the owner's zones...);
- for every gate rule a change to the stack files makes it report.

The pack is the real one, driven over the analyzer protocol, each stack configured with the thresholds
``drctl check`` judges it by (the organisation's floors, tightened by its objectives).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from azure_dr.cli.engine import check, gate
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.analyzer import PolicyResult
from azure_dr.cli.engine.floors import organisation_config, stack_thresholds
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.cli.lifecycle import transitions as lifecycle
from azure_dr.cli.lifecycle.pair import Pair, load_pair
from azure_dr.cli.report import posture
from azure_dr.cli.stackfiles.edit import Edit
from azure_dr.cli.stackfiles.edit import edited as edited_files
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.components.stack.config import StackConfig
from tests.helpers import with_block
from tests.policy_harness import _configured
from tests.test_policy_resource_rules import CASES, edited

# isort: split
from drpolicy.catalogue import rules
from drpolicy.framework import ResourceRule, StackRule

PACK = ROOT / "policies"
STATES = ("built", "promoted", "rebuilt", "failed back")
Transitions = tuple[Callable[[Pair], lifecycle.Transition], ...]
#: How each state is reached from the shipped (built) pair, by the switch commands' own edits.
PATHS: dict[str, Transitions] = {
    "built": (),
    "promoted": (lambda p: lifecycle.promote(p, "planned"), lifecycle.settle),
    "rebuilt": (
        lambda p: lifecycle.promote(p, "forced"),
        lifecycle.settle,
        lambda p: lifecycle.rebuild(p, "primary"),
        lifecycle.settle,
    ),
    "failed back": (
        lambda p: lifecycle.promote(p, "forced"),
        lifecycle.settle,
        lambda p: lifecycle.rebuild(p, "primary"),
        lifecycle.settle,
        lifecycle.failback,
        lifecycle.settle,
    ),
}


@dataclass
class State:
    """One lifecycle state of the pair: its files, plans, configs and the thresholds each stack is judged by."""

    name: str
    root: Path
    plans: dict[str, StackPlan]
    configs: dict[str, StackConfig]
    thresholds: dict[str, dict[str, Any]]

    def stack(self, role: str) -> str:
        """The stack that plays ``role``: active, standby, owner or non-owner."""
        for name, cfg in self.configs.items():
            if {
                "active": cfg.is_active,
                "standby": not cfg.is_active,
                "owner": cfg.owns_global,
                "non-owner": not cfg.owns_global,
            }[role]:
                return name
        raise AssertionError(f"no {role} stack in state {self.name}")


def _copy(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, target / name)
    (target / "policies").symlink_to(PACK)
    return target


def _state_files(name: str, target: Path) -> Path:
    root = _copy(target)
    for step in PATHS[name]:
        pair = load_pair(root)
        for document in edited_files(root, list(pair.members), step(pair).edits).values():
            document.write()
    return root


def _thresholds(configs: Mapping[str, StackConfig]) -> dict[str, dict[str, Any]]:
    _, _, policies, initial = _configured(None).info()
    organisation = organisation_config(PACK)
    return {n: stack_thresholds(policies, initial, organisation, c).config for n, c in configs.items()}


def build_state(name: str, target: Path, overrides: Mapping[str, Mapping[str, str]] | None = None) -> State:
    root = _state_files(name, target)
    plans = {p.stack: p for p in engine.plan_stacks(None, root, overrides)}
    assert all(p.error is None for p in plans.values()), [p.error for p in plans.values()]
    configs = {n: posture.config_of(load_stack(root, n)) for n in plans}
    return State(name, root, plans, configs, _thresholds(configs))


def analyze(
    state: State, stack: str, resources: list[RecordedResource], *, per_resource: bool = True
) -> list[PolicyResult]:
    """The pack's results for ``stack`` with ``resources`` (only its stack policies' without ``per_resource``)."""
    plan = dataclasses.replace(state.plans[stack], resources=resources)
    results, _ = _configured(state.thresholds[stack]).analyze_stack(plan, per_resource=per_resource)
    return results


# --------------------------------------------------------------------------------------------------------------
# Changing a recorded plan


def change(resource: RecordedResource, edits: Mapping[str, Any]) -> RecordedResource:
    """The resource with each dotted path set (or ``DROP``ped) in both its inputs and its outputs."""
    return dataclasses.replace(
        resource, inputs=edited(resource.inputs, dict(edits)), outputs=edited(resource.outputs, dict(edits))
    )


Pick = Callable[[RecordedResource], bool]
Mutate = Callable[["State", list[RecordedResource]], tuple[list[RecordedResource], str | None]]


@dataclass(frozen=True)
class StackCase:
    """How to make one stack rule report: on which stack (by role), and what to change."""

    role: str
    mutate: Mutate


def _edit(type_: str, edits: Mapping[str, Any], pick: Pick = lambda r: True, on_target: bool = True) -> Mutate:
    """Change the first resource of ``type_`` (that ``pick`` accepts); the rule reports on it (``on_target``) or
    on the stack."""

    def mutate(_state: State, resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
        target = next(r for r in resources if r.type == type_ and pick(r))
        return [change(r, edits) if r is target else r for r in resources], target.urn if on_target else None

    return mutate


def _drop(type_: str, expect: str, pick: Pick = lambda r: True) -> Mutate:
    """Remove every resource of ``type_`` (that ``pick`` accepts); the rule reports on the first ``expect``."""

    def mutate(_state: State, resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
        kept = [r for r in resources if not (r.type == type_ and pick(r))]
        assert len(kept) < len(resources), f"nothing of {type_} to drop"
        return kept, next(r.urn for r in resources if r.type == expect) if expect else None

    return mutate


def _tagged(signal: str) -> Pick:
    return lambda r: (r.inputs.get("tags") or {}).get("azure-dr:signal") == signal


def _current_server(resources: list[RecordedResource]) -> RecordedResource:
    servers = [r for r in resources if r.type == PG]
    return max(servers, key=lambda r: str(r.inputs.get("serverName")))


def _resize_replica(_state: State, resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    server = _current_server(resources)
    small = change(server, {"sku": {"name": "Standard_B2s", "tier": "Burstable"}, "storage.storageSizeGB": 32})
    assert server.inputs.get("createMode") == "Update"  # settled: the state a pair lives in
    return [small if r is server else r for r in resources], server.urn


def _grow_replica(resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    """The replica's disk larger than its primary's: allowed for a replica, but no switchover is possible."""
    server = _current_server(resources)
    grown = change(server, {"storage.storageSizeGB": 2 * float(server.inputs["storage"]["storageSizeGB"])})
    return [grown if r is server else r for r in resources], server.urn


def _repoint_replica(_state: State, resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    server = _current_server(resources)
    elsewhere = "/subscriptions/s/resourceGroups/rg-other/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-x-1"
    moved = change(server, {"sourceServerResourceId": elsewhere})
    return [moved if r is server else r for r in resources], server.urn


def _second_owner(state: State, resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    owner, mine = state.stack("owner"), resources[0].urn.split("::")[0]
    profile = next(r for r in state.plans[owner].resources if r.type == "azure-native:cdn:Profile")
    copy = dataclasses.replace(profile, urn=profile.urn.replace(profile.urn.split("::")[0], mine))
    return [*resources, copy], copy.urn


def _overlap(_state: State, resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    peer = next(r for r in resources if r.type == "pulumi:pulumi:StackReference")
    space = peer.outputs["outputs"]["network_address_space"]
    vnet = next(r for r in resources if r.type == "azure-native:network:VirtualNetwork")
    moved = change(vnet, {"addressSpace.addressPrefixes": [space]})
    return [moved if r is vnet else r for r in resources], None


PG = "azure-native:dbforpostgresql:Server"
STACK_CASES: dict[str, StackCase] = {
    "acr-workload-regions": StackCase(
        "non-owner", _drop("azure-native:containerregistry:Replication", "azure-native:containerservice:ManagedCluster")
    ),
    "aks-velero-schedule": StackCase(
        "active", _edit("kubernetes:velero.io/v1:Schedule", {"spec.template.ttl": "1h0m0s"})
    ),
    "aks-workload-availability": StackCase("active", lambda _s, rs: _one_replica(rs)),
    "alert-coverage": StackCase(
        "active",
        _drop(
            "azure-native:monitor:DiagnosticSetting", PG, lambda r: "backupVaults" in str(r.inputs.get("resourceUri"))
        ),
    ),
    "alert-thresholds": StackCase(
        "active",
        _edit("azure-native:monitor:ScheduledQueryRule", {"criteria.allOf.0.threshold": 10000}, _tagged("backup-age")),
    ),
    "dr-coverage": StackCase("standby", lambda _s, rs: _garbage_source(rs)),
    "dr-peer-links": StackCase("standby", _repoint_replica),
    "dr-region-alignment": StackCase(
        "non-owner", _edit("azure-native:containerregistry:Replication", {"location": "westeurope"}, on_target=False)
    ),
    "dr-replica-size": StackCase("standby", _resize_replica),
    "pg-switchover-symmetry": StackCase("standby", lambda _s, rs: _grow_replica(rs)),
    "dr-routing-regions": StackCase("non-owner", _edit("azure-native:cdn:AFDOrigin", {"originGroupName": "elsewhere"})),
    "dr-rpo": StackCase("active", _edit(PG, {"tags.azure-dr:dr-mechanism": "postgres-geo-backup"})),
    "global-owner-unique": StackCase("non-owner", _second_owner),
    "net-address-overlap": StackCase("standby", _overlap),
    "net-dns-links": StackCase(
        "owner", _drop("azure-native:privatedns:VirtualNetworkLink", "azure-native:privatedns:PrivateZone")
    ),
    "net-peering": StackCase(
        "active", _edit("azure-native:network:VirtualNetworkPeering", {"allowVirtualNetworkAccess": False})
    ),
    "net-private-endpoints": StackCase(
        "standby",
        _drop("azure-native:network:PrivateEndpoint", "azure-native:keyvault:Vault", lambda r: "-kv-" in r.name),
    ),
    "stateful-protected": StackCase("active", lambda _s, rs: _unprotect(rs)),
}


def _garbage_source(resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    """The standby's current server, settled (createMode Update), declaring a source that is no server at all."""
    server = _current_server(resources)
    wrong = change(
        server, {"sourceServerResourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/x"}
    )
    return [wrong if r is server else r for r in resources], server.urn


def _one_replica(resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    """Every autoscaler's floor at one pod: the workloads it targets run one replica."""
    scalers = [r for r in resources if r.type == "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"]
    target = str(scalers[0].inputs["spec"]["scaleTargetRef"]["name"])
    deployment = next(
        r for r in resources if r.type == "kubernetes:apps/v1:Deployment" and r.inputs["metadata"]["name"] == target
    )
    return [change(r, {"spec.minReplicas": 1}) if r in scalers else r for r in resources], deployment.urn


def _unprotect(resources: list[RecordedResource]) -> tuple[list[RecordedResource], str | None]:
    account = next(r for r in resources if r.type == "azure-native:storage:StorageAccount")
    return [dataclasses.replace(r, protect=False) if r is account else r for r in resources], account.urn


# --------------------------------------------------------------------------------------------------------------
# The states


_BUILT: dict[tuple[Path, str], State] = {}


@pytest.fixture(scope="session")
def states_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("states")


def state_of(name: str, base: Path) -> State:
    """The state, planned once per test process."""
    if (base, name) not in _BUILT:
        _BUILT[(base, name)] = build_state(name, base / name.replace(" ", "-"))
    return _BUILT[(base, name)]


def test_every_rule_of_the_pack_and_the_gate_has_a_failing_case() -> None:
    """A new rule comes with its case here: the tables below cover the catalogue exactly."""
    resource_rules = {r.rule.id for r in rules() if isinstance(r, ResourceRule)}
    stack_rules = {r.rule.id for r in rules() if isinstance(r, StackRule)}
    assert set(STACK_CASES) == stack_rules
    assert resource_rules <= {c.rule for c in CASES if c.violates}
    assert set(GATE_CASES) == {r.id for r in gate.RULES}


def _resource_failures(state: State, variant: State) -> Iterator[str]:
    """Each resource rule: some real resource of the state, changed as its baseline case changes it, makes it
    report; the same resource unchanged does not (whatever the other rules say about one resource alone)."""
    for rule in (r for r in rules() if isinstance(r, ResourceRule)):
        fired = False
        for source in (state, variant):
            for stack in (source.stack("active"), source.stack("standby")):
                candidates = [r for r in source.plans[stack].resources if r.type in rule.resource_types]
                for case in (c for c in CASES if c.rule == rule.rule.id and c.violates):
                    for resource in candidates:
                        before = [x for x in analyze(source, stack, [resource]) if x.policy_name == rule.rule.id]
                        after = analyze(source, stack, [change(resource, case.edits)])
                        if not before and any(x.policy_name == rule.rule.id and x.urn == resource.urn for x in after):
                            fired = True
                            break
                    if fired:
                        break
                if fired:
                    break
            if fired:
                break
        if not fired:
            yield f"{rule.rule.id}: no case fires on a resource of state {state.name}"


def _stack_failures(state: State) -> Iterator[str]:
    for rule_id, case in STACK_CASES.items():
        stack = state.stack(case.role)
        resources, urn = case.mutate(state, list(state.plans[stack].resources))
        found = [r for r in analyze(state, stack, resources, per_resource=False) if r.policy_name == rule_id]
        if not found or (urn is not None and urn not in {r.urn for r in found}):
            yield f"{rule_id}: does not report on {stack} ({case.role}) in state {state.name}: {found}"


@pytest.mark.parametrize("name", STATES)
def test_every_rule_passes_and_fails_over_the_pair(name: str, states_dir: Path) -> None:
    state = state_of(name, states_dir)
    # Traffic Manager routing: the resources tm-monitor judges exist only with it.
    variant = traffic_manager_state(name, states_dir)
    report = check.check_plans(list(state.plans.values()), PACK, None, state.configs, root=state.root)
    assert report.results == [], check.report_text(list(state.plans.values()), report)
    problems = [*_stack_failures(state), *_resource_failures(state, variant)]
    expected = [f"{rule}: no case fires on a resource of state {name}" for rule in INAPPLICABLE.get(name, {})]
    assert problems == expected, "\n".join(problems)  # exact: a rule that starts to apply leaves the table


#: Rules with no resource to judge in a state, by Azure's facts (each fires in the other states): after a planned
#: promotion the active server was created as a replica in ukwest, a region without zones, and the demoted server
#: is a replica (tagged) with neither backups nor HA of its own (components.facts.azure_transitions).
INAPPLICABLE: dict[str, dict[str, str]] = {
    "promoted": {
        "pg-geo-backup": "geo-redundant backup is create-only: the active server was created as a replica",
        "pg-zone-redundant-ha": "the active server's region (ukwest) has no availability zones",
    },
}


@cache
def _tm(name: str, base: str) -> State:
    routing = {"kind": "trafficmanager", "origin": "cluster"}
    overrides = {
        "primary": with_block("primary", "routing", **routing, probe={"path": "/healthz", "interval_seconds": 30}),
        "dr": {"azure-dr:routing": json.dumps(routing)},
    }
    return build_state(name, Path(base) / f"traffic-manager-{name.replace(' ', '-')}", overrides)


def traffic_manager_state(name: str, base: Path) -> State:
    """The state with Traffic Manager routing instead of Front Door (the global owner is primary throughout)."""
    return _tm(name, str(base))


def test_the_forced_promotion_on_the_way_is_a_valid_pair_too(states_dir: Path) -> None:
    """Every intermediate state a runbook passes through is a valid pair (DESIGN §3): after a forced promotion,
    before the lost region is rebuilt, the gate passes (the switch commands refuse nothing there either)."""
    root = _copy(states_dir / "forced")
    for step in (lambda p: lifecycle.promote(p, "forced"), lifecycle.settle):
        pair = load_pair(root)
        for document in edited_files(root, list(pair.members), step(pair).edits).values():
            document.write()
    plans = engine.plan_stacks(None, root)
    configs = {p.stack: posture.config_of(load_stack(root, p.stack)) for p in plans}
    report = check.check_plans(plans, PACK, None, configs, root=root)
    assert report.results == [], check.report_text(plans, report)
    assert load_pair(root).status().startswith("promoted")


def test_replicas_held_warm_on_the_standby_are_not_a_violation(states_dir: Path) -> None:
    """The role comes from the origin's priority: one replica is full strength on no stack but warm on a standby."""
    state = state_of("built", states_dir)
    for role, fires in (("active", True), ("standby", False)):
        stack = state.stack(role)
        resources, _ = _one_replica(list(state.plans[stack].resources))
        found = [r for r in analyze(state, stack, resources) if r.policy_name == "aks-workload-availability"]
        assert bool(found) is fires, (role, found)


# --------------------------------------------------------------------------------------------------------------
# The gate's rules: each stack file change makes its rule report, at the key it changes


GATE_CASES: dict[str, tuple[str, str, tuple[Edit, ...]]] = {
    # rule -> (the stack changed, by role; the config key the result points at; the edits, stack left blank)
    "dr-pair": (  # the standby made active: two active stacks
        "standby",
        "role",
        (
            Edit("", ("role",), "active"),
            Edit("", ("postgres", "state"), "primary"),
            Edit("", ("redis", "geo_secondary"), False),
        ),
    ),
    "org-floors": ("active", "objectives", (Edit("", ("objectives", "long_term_retention_years"), 1),)),
    "stack-exemptions": (
        "active",
        "tags",
        (Edit("", ("tags",), {"azure-dr:policy-exempt": "pg-geo-backup", "azure-dr:policy-exempt-reason": "words"}),),
    ),
}


@pytest.mark.parametrize("name", STATES)
def test_every_gate_rule_fires_in_each_state(name: str, tmp_path: Path) -> None:
    root = _state_files(name, tmp_path / "files")
    _, _, policies, initial = _configured(None).info()
    organisation = organisation_config(PACK)
    for rule_id, (role, key, edits) in GATE_CASES.items():
        pair = load_pair(root)
        stack = next(m.name for m in pair.members.values() if (m.config.is_active == (role == "active")))
        changed = root / "changed"
        shutil.rmtree(changed, ignore_errors=True)
        changed.mkdir()
        for f in root.glob("Pulumi*.yaml"):
            shutil.copy(f, changed / f.name)
        mine = [dataclasses.replace(e, stack=stack) for e in edits]
        for document in edited_files(changed, [stack], mine).values():
            document.write()
        config = posture.config_of(load_stack(changed, stack))
        if rule_id == "dr-pair":
            results, _ = gate.pair_results(changed, [stack])
        elif rule_id == "org-floors":
            loosened = stack_thresholds(policies, initial, organisation, config).loosened
            results = gate.floor_results(stack, loosened, "azure-dr")
        else:
            levels = gate.effective_levels(policies, organisation)
            results = gate.tag_results(stack, config, "azure-dr", levels, {p.name for p in policies})
        assert [r.policy_name for r in results] == [rule_id] or {r.policy_name for r in results} == {rule_id}, results
        assert all(r.config_key.split(".")[0] == key for r in results), results
        # and the unchanged files pass it
        unchanged = posture.config_of(load_stack(root, stack))
        assert gate.pair_results(root, [stack])[0] == []
        assert stack_thresholds(policies, initial, organisation, unchanged).loosened == ()
        assert (
            gate.tag_results(stack, unchanged, "azure-dr", gate.effective_levels(policies, organisation), set()) == []
        )
