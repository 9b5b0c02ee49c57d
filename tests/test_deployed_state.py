"""Switches judged against what is deployed (``--state STACK=FILE``, the output of ``pulumi stack export``).

The deployed states here are checkpoints in the CLI's own format, written from the mock runtime's plans (the one
writer, ``engine.checkpoint.write``, which ``drctl checkpoint`` uses too). The DR cycle runs once more with each
step planned against the checkpoints the previous step's runbook leaves, and must see what the files-based cycle
sees; then a drifted state (storage grown by autogrow, HA turned off by Azure, a tag set in the portal) is
reported by status, diff and the switch, and a step that would shrink the grown storage is refused.
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import checkpoint
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.engine.replacement import shrunk_keys
from azure_dr.cli.lifecycle import simulate
from azure_dr.cli.lifecycle.pair import Pair, load_pair
from azure_dr.cli.lifecycle.simulate import DeployedState
from azure_dr.cli.stackfiles.transaction import write_files
from tests.helpers import FORCED_CYCLE

SERVER = "azure-native:dbforpostgresql:Server"
STORAGE = "azure-native:storage:StorageAccount"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml", "__main__.py"):
        shutil.copy(ROOT / name, root / name)
    return root


def export(plan: StackPlan, path: Path) -> Path:
    path.write_text(json.dumps(checkpoint.write(plan), indent=2))
    return path


def deployed_from(plans: dict[str, StackPlan], directory: Path) -> dict[str, DeployedState]:
    """Each plan written as a checkpoint file and read back, as `--state` reads it."""
    found = {}
    for name, plan in plans.items():
        path = export(plan, directory / f"{name}.json")
        found[name] = DeployedState(checkpoint.read(path, name, plan.project), str(path))
    return found


def test_a_checkpoint_reads_back_as_the_plan_it_was_written_from(shipped: dict[str, StackPlan], tmp_path: Path) -> None:
    for name, plan in shipped.items():
        document = checkpoint.write(plan)
        assert document["version"] == 3 and document["deployment"]["resources"][0]["type"] == "pulumi:pulumi:Stack"
        back = checkpoint.read(export(plan, tmp_path / f"{name}.json"), name, "azure-dr")
        assert back.outputs == plan.outputs
        assert [
            (r.urn, r.type, r.inputs, r.protect, r.id, r.retain_on_delete, r.ignore_changes) for r in back.resources
        ] == [(r.urn, r.type, r.inputs, r.protect, r.id, r.retain_on_delete, r.ignore_changes) for r in plan.resources]
        assert simulate.classify(back, plan, {}, {}) == simulate.classify(plan, plan, {}, {})
    # A secret travels as the CLI writes it (signed, ciphertext), and reads back as the engine's secret marker.
    provider = next(
        e
        for e in checkpoint.write(shipped["primary"])["deployment"]["resources"]
        if "kubeconfig" in e.get("inputs", {})
    )
    assert provider["inputs"]["kubeconfig"][checkpoint.SIG] == checkpoint.SECRET_SIG


def test_drctl_checkpoint_writes_the_same_document(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "dr.json"
    assert cli.main(["--root", str(project), "checkpoint", "dr", "-o", str(out)]) == 0
    plans = {p.stack: p for p in engine.plan_stacks(["dr"], project)}
    written, expected = json.loads(out.read_text()), checkpoint.write(plans["dr"])
    by_urn = [{r["urn"]: r for r in d["deployment"]["resources"]} for d in (written, expected)]
    assert by_urn[0] == by_urn[1] and len(by_urn[0]) > 50  # registration order may differ between runs


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not JSON"),
        ("{}", "not a Pulumi checkpoint"),
        ('{"version": 3, "deployment": {"resources": [{"urn": "x"}]}}', "not a Pulumi checkpoint"),
        (
            '{"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:primary::azure-dr::pulumi:pulumi:Stack::'
            'azure-dr-primary", "type": "pulumi:pulumi:Stack"}]}}',
            "the checkpoint is of stack primary",
        ),
        ('{"version": 4, "deployment": {"resources": []}}', "checkpoint version 4"),
    ],
)
def test_a_state_file_drctl_cannot_use_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], document: str, message: str
) -> None:
    state = project / "state.json"
    state.write_text(document)
    assert cli.main(["--root", str(project), "diff", "dr", "--state", f"dr={state}"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith(f"drctl diff: --state dr={state}: ")
    assert cli.main(["--root", str(project), "status", "--state", f"dr9={state}"]) == 2
    assert "no stack 'dr9' here" in capsys.readouterr().err
    assert cli.main(["--root", str(project), "status", "--state", f"dr={project / 'missing.json'}"]) == 2
    assert "cannot be read" in capsys.readouterr().err


# --- the cycle, once more against deployed checkpoints -------------------------------------------------------


def step_changes(sim: simulate.Simulation) -> list[list[tuple[str, str, tuple[str, ...]]]]:
    return [[(c.action, c.name, c.keys) for c in r.changed] for r in sim.results]


Changes = list[list[tuple[str, str, tuple[str, ...]]]]


def run_cycle(root: Path, states: Path | None) -> tuple[list[Changes], set[str]]:
    """The forced cycle; with ``states`` each step starts from checkpoints of what the last runbook deployed. Also
    the resources whose change a step deferred (a targeted up in a lost region), as the next step's drift shows."""
    deployed: dict[str, DeployedState] = {}
    if states is not None:
        deployed = deployed_from({p.stack: p for p in engine.plan_stacks(None, root)}, states)
    seen, deferred, pending = [], set(), set()
    for _, build in FORCED_CYCLE:
        pair: Pair = load_pair(root)
        sim = simulate.simulate(root, build(pair), deployed=deployed)
        assert sim.problems == [], sim.problems
        if states is not None:
            assert sim.baselines == {n: str(states / f"{n}.json") for n in pair.members}
            # What the last runbook deployed is what the files say, but for a stack it could only partly update.
            assert {n for n, changes in sim.drift.items() if changes} <= pending
            deferred |= {c.name for n in pending for c in sim.drift[n]}
        seen.append(step_changes(sim))
        full = {r.step.stack for r in sim.results if r.step.kind == "up" and not r.step.targets and r.plan}
        pending = (pending - full) | sim.pending  # a lost region's stack waits until a full up of it
        write_files(root, list(sim.documents.values()), "test")
        if states is not None:
            deployed = deployed_from(sim.final, states)  # what Azure holds after this step's runbook
    return seen, deferred


def test_the_cycle_against_deployed_checkpoints_sees_what_the_files_cycle_sees(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "files"
    shutil.copytree(project, other)
    states = tmp_path / "states"
    states.mkdir()
    against_state, deferred = run_cycle(project, states)
    against_files, _ = run_cycle(other, None)
    assert any(changes for step in against_state for changes in step)  # the steps did change things
    # The same changes at every step, plus, against the deployed state, the forced promotion's deferred updates of
    # the lost region (its workloads scaling to warm), applied once by the rebuild's up: the files cannot show them.
    extra = []
    for state_step, files_step in zip(against_state, against_files, strict=True):
        for state_changes, file_changes in zip(state_step, files_step, strict=True):
            assert set(file_changes) <= set(state_changes)
            extra += [c for c in state_changes if c not in file_changes]
    assert deferred and sorted(name for _, name, _ in extra) == sorted(deferred)
    # The lost primary's writer endpoint, which Azure moved to the promoted server, is forgotten (retain_on_delete).
    assert all(action in ("update", "forget") for action, _, _ in extra), extra
    assert [name for action, name, _ in extra if action == "forget"] == ["qlp-uksouth-psql-vep-vep"]
    assert load_pair(project).status() == "built"


# --- drift ---------------------------------------------------------------------------------------------------


def drifted(plans: dict[str, StackPlan]) -> dict[str, StackPlan]:
    """What a refresh reads back from Azure some months on: dr's replica storage grown by autogrow, primary's HA
    turned off by Azure, and a tag set by hand in the portal on primary's storage account."""
    plans = copy.deepcopy(plans)
    for name, plan in plans.items():
        resources = []
        for r in plan.resources:
            inputs = copy.deepcopy(r.inputs)
            if r.type == SERVER and name == "dr":
                inputs["storage"]["storageSizeGB"] = 512.0
            elif r.type == SERVER and name == "primary":
                inputs["highAvailability"]["mode"] = "Disabled"
            elif r.type == STORAGE and name == "primary":
                inputs["tags"] = {**inputs["tags"], "owner": "set-in-the-portal"}
            resources.append(type(r)(**{**r.__dict__, "inputs": inputs, "outputs": {**r.outputs, **inputs}}))
        plan.resources = resources
    return plans


def test_drift_is_reported_and_grown_storage_is_never_shrunk(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = drifted({p.stack: p for p in engine.plan_stacks(None, project)})
    state = {name: export(plan, tmp_path / f"{name}.json") for name, plan in plans.items()}
    flags = [f"--state={name}={path}" for name, path in state.items()]
    root = ["--root", str(project)]

    # dr's disk, grown by autogrow, is no difference: the server ignores its size after creation (Pulumi never sends
    # it, so never shrinks it), as `pulumi preview` would show it.
    assert cli.main([*root, "status", *flags]) == 0
    out = capsys.readouterr().out
    assert f"deployed dr ({state['dr']}): matches its file" in out
    assert f"deployed primary ({state['primary']}): 2 resource(s) differ from its stack file" in out

    # Azure turned primary's HA off: its up would re-enable it by a full PUT, which Azure refuses (the Azure model).
    assert cli.main([*root, "diff", *flags]) == 1
    out = capsys.readouterr().out
    assert "Azure refuses update qlp-uksouth-psql-server: HA ZoneRedundant sent by a full PUT" in out
    assert out.startswith(
        f"drctl diff: dr against its deployed state ({state['dr']}); primary against its deployed state "
        f"({state['primary']})\n"
    )
    counts = {line.split(":")[0]: line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("stack ")}
    assert "update" not in counts["stack dr"] and counts["stack primary"].startswith("2 update")
    assert "  update   dbforpostgresql:Server qlp-uksouth-psql-server [stateful]: highAvailability.mode" in out
    assert "  update   storage:StorageAccount qlp-uksouth-st-account [stateful]: tags.owner" in out
    assert "storageSizeGB" not in out

    # Against the files alone the switch cannot see the drift, and says what it judged.
    assert cli.main([*root, "promote", "--forced", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "baseline: the stack files for dr, primary (no --state)" in out

    assert cli.main([*root, "promote", "--forced", *flags]) == 0
    out = capsys.readouterr().out
    assert "  dr: no drift from its stack file" in out and "  primary: drift, 2 resource(s) differ" in out
    assert "wrote Pulumi.dr.yaml" in out and "safe:" in out
    # The forced promotion's only write to primary is its origin: the drift there waits for the rebuild.
    assert "qlp-uksouth-psql-server" not in out.split("runbook:")[1].split("verify:")[0]


def test_a_grow_only_input_made_smaller_is_refused_unless_ignored() -> None:
    """Azure refuses a smaller PostgreSQL disk; a registration that would send one is refused, one that ignores the
    size after creation never sends it."""
    plan = {p.stack: p for p in engine.plan_stacks(None, ROOT)}["dr"]
    server = next(r for r in plan.resources if r.type == SERVER)
    grown = copy.deepcopy(server.inputs)
    grown["storage"]["storageSizeGB"] = 512.0
    deployed = replace(server, inputs=grown)
    assert "storage.storageSizeGB" in server.ignore_changes
    assert shrunk_keys(deployed, server) == ()
    assert shrunk_keys(deployed, replace(server, ignore_changes=())) == ("storage.storageSizeGB",)
    assert shrunk_keys(server, replace(deployed, ignore_changes=())) == ()  # growing is fine
