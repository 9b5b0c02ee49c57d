"""The DR lifecycle through the commands: each switch is replayed step by step against the Azure model (what
Azure itself does between steps: lifecycle.refresh), each stack planned against its peer's state after the step,
and the written stack files must leave a converged, valid pair (DESIGN §3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.lifecycle import simulate
from azure_dr.cli.lifecycle import transitions as lifecycle
from azure_dr.cli.lifecycle.pair import PairError, load_pair
from azure_dr.cli.stackfiles.edit import Edit, StackDocument

SERVER = "azure-native:dbforpostgresql:Server"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the shipped project's stack files (the program and components are the installed ones)."""
    for name in ("Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


#: The network tier (network, private_dns, the endpoints): no switch may touch it.
NETWORK_TYPES = frozenset(
    {
        "azure-native:network:VirtualNetwork",
        "azure-native:network:Subnet",
        "azure-native:network:NetworkSecurityGroup",
        "azure-native:network:VirtualNetworkPeering",
        "azure-native:network:PrivateEndpoint",
        "azure-native:network:PrivateDnsZoneGroup",
        "azure-native:privatedns:PrivateZone",
        "azure-native:privatedns:VirtualNetworkLink",
    }
)


def switch(root: Path, transition: lifecycle.Transition, *, grown: bool = False) -> simulate.Simulation:
    """Replay a switch against the Azure model, assert it is safe at every step (nothing Azure refuses, no
    stateful replacement, traffic at one writable origin), and write its stack files as the command would."""
    sim = simulate.simulate(root, transition, grown=grown)
    assert sim.problems == [], "\n".join(sim.problems)
    planned = [r for r in sim.results if r.plan is not None]
    assert planned and all(r.plan.of_type("azure-native:network:VirtualNetwork") for r in planned if r.plan)
    network_changes = [
        f"{r.step.stack}: {c.action} {c.name}" for r in sim.results for c in r.changed if c.type in NETWORK_TYPES
    ]
    # A new server generation brings its own endpoint (rebuild); nothing else in the network tier moves.
    assert [c for c in network_changes if " create " not in f" {c} " or "psql-g" not in c] == [], network_changes
    for doc in sim.documents.values():
        doc.write()
    assert simulate.settled_plans(root, sim.documents, sim.final, sim.pending) == []
    return sim


def promotions(sim: simulate.Simulation) -> list[list[str]]:
    """The documented promotions the runbook performs (`az postgres flexible-server replica promote`)."""
    return [
        argv
        for r in sim.results
        for argv in r.step.argv
        if argv[:5] == ["az", "postgres", "flexible-server", "replica", "promote"]
    ]


def put_promotions(sim: simulate.Simulation) -> list[str]:
    """Plans that would send the write-only promote fields in a full PUT (never: no spec example does)."""
    return [
        f"{r.step.stack}:{s.inputs['serverName']}"
        for r in sim.results
        if r.plan is not None
        for s in r.plan.of_type(SERVER)
        if (s.inputs.get("replica") or {}).get("promoteMode")
    ]


def updates_of(sim: simulate.Simulation, stack: str) -> dict[str, tuple[str, ...]]:
    return {c.name: c.keys for r in sim.results if r.step.stack == stack and r.step.kind == "up" for c in r.changed}


def test_forced_promote_rebuild_failback_cycle(project: Path) -> None:
    assert load_pair(project).status() == "built"

    promoted = switch(project, lifecycle.promote(load_pair(project), "forced"))
    assert [argv[8:] for argv in promotions(promoted)] == [
        ["psql-qlp-prod-ukw-1", "--promote-mode", "standalone", "--promote-option", "forced", "--yes"]
    ]
    assert put_promotions(promoted) == []  # the program declares the result; it never sends a promotion
    # Nothing is written into the failed region: the primary's only change is its origin stepping aside (to 3).
    assert updates_of(promoted, "primary") == {"qlp-uksouth-origin-origin": ("priority",)}
    assert all(c.region != "uksouth" for r in promoted.results for c in r.changed if c.action not in ("forget",))
    pair = load_pair(project)
    assert (pair.active.name, pair.status().split()[0]) == ("dr", "promoting")
    assert pair.members["primary"].config.unreachable and pair.members["primary"].config.routing.draining

    settled = switch(project, lifecycle.settle(load_pair(project)))
    assert put_promotions(settled) == []
    assert load_pair(project).status().startswith("promoted")

    rebuilt = switch(project, lifecycle.rebuild(load_pair(project), "primary"))
    created = {c.name for r in rebuilt.results for c in r.changed if c.action == "create"}
    assert "qlp-uksouth-psql-g2-server" in created
    assert not any(c.action in ("replace", "delete") for r in rebuilt.results for c in r.changed)
    primary = load_pair(project).members["primary"]
    assert (primary.config.postgres.generation, primary.config.postgres.replica_of) == (2, "psql-qlp-prod-ukw-1")
    assert [r.generation for r in primary.config.postgres.retired] == [1]
    assert not primary.config.unreachable and not primary.config.routing.draining  # the region is back
    # The stale server stays declared, protected and unchanged.
    stale = rebuilt.final["primary"].resources
    assert any(r.inputs.get("serverName") == "psql-qlp-prod-uks-1" and r.protect for r in stale)
    endpoint = switch(project, lifecycle.settle(load_pair(project)))
    # The new pair's writer endpoint is created by its primary's stack, under its primary (ukw-1).
    created = [c.name for r in endpoint.results if r.step.stack == "dr" for c in r.changed if c.action == "create"]
    assert created == ["qlp-ukwest-psql-vep-vep"]
    assert load_pair(project).status().startswith("rebuilt")

    back = switch(project, lifecycle.failback(load_pair(project)))
    assert [argv[8:12] for argv in promotions(back)] == [
        ["psql-qlp-prod-uks-2", "--promote-mode", "switchover", "--promote-option"]
    ]
    switch(project, lifecycle.settle(load_pair(project)))
    pair = load_pair(project)
    assert pair.active.name == "primary"
    assert {n: m.config.postgres.state for n, m in pair.members.items()} == {"primary": "primary", "dr": "replica"}

    released = switch(project, lifecycle.release(load_pair(project), "primary"))
    # Pulumi forgets the stale generation and its retained backup instance; the up then changes nothing.
    assert [r.changed for r in released.results if r.step.kind == "up"] == [[]]
    assert load_pair(project).status() == "built"


def test_the_stack_files_each_switch_leaves_pass_the_policy_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "policies", project / "policies", ignore=shutil.ignore_patterns("venv", "__pycache__"))
    switches = (["promote", "--forced"], ["settle"], ["rebuild", "primary"], ["settle"], ["failback"], ["settle"])
    for command in (*switches, ["promote", "--planned"]):  # the last demotes a server created as a primary
        assert cli.main(["--root", str(project), *command]) == 0, command
        assert cli.main(["--root", str(project), "check"]) == 0, (command, capsys.readouterr().out[-2000:])
    assert "PASS: 0 mandatory violation(s)" in capsys.readouterr().out


def test_planned_promote_and_failback(project: Path) -> None:
    promoted = switch(project, lifecycle.promote(load_pair(project), "planned"))
    assert [argv[8:] for argv in promotions(promoted)] == [
        ["psql-qlp-prod-ukw-1", "--promote-mode", "switchover", "--promote-option", "planned", "--yes"]
    ]
    assert put_promotions(promoted) == []
    # The pair's writer endpoint follows the new primary: the demoted stack forgets it, the new primary adopts it.
    endpoint = {(r.step.stack, c.action) for r in promoted.results for c in r.changed if "psql-vep" in c.name}
    assert endpoint == {("primary", "forget"), ("dr", "import")}
    switch(project, lifecycle.settle(load_pair(project)))
    pair = load_pair(project)
    assert pair.status() == "built" and pair.active.name == "dr"
    assert pair.members["primary"].config.redis.geo_secondary  # the old active's cache follows as secondary
    switch(project, lifecycle.failback(load_pair(project)))
    switch(project, lifecycle.settle(load_pair(project)))
    pair = load_pair(project)
    assert (pair.active.name, pair.status()) == ("primary", "built")


def test_planned_cycle_with_grown_disks_never_shrinks_one(project: Path) -> None:
    """Autogrow has doubled every disk since the pair was deployed: no step sends a smaller size (the size
    follows Azure after creation), so Azure refuses nothing, through the promotion and the switch back."""
    for build in (
        lambda p: lifecycle.promote(p, "planned"),
        lifecycle.settle,
        lifecycle.failback,
        lifecycle.settle,
    ):
        sim = switch(project, build(load_pair(project)), grown=True)
        sizes = {
            s.inputs["serverName"]: s.inputs["storage"]["storageSizeGB"]
            for s in (r for p in sim.final.values() for r in p.of_type(SERVER))
        }
        assert set(sizes.values()) == {512.0}, sizes  # what Azure holds (256 GB grown once), never 256 again


def test_commands_write_the_files_and_keep_comments(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (project / "Pulumi.dr.yaml").read_text()
    assert cli.main(["--root", str(project), "promote", "--forced", "--dry-run"]) == 0
    assert (project / "Pulumi.dr.yaml").read_text() == before
    out = capsys.readouterr().out
    assert "runbook:" in out and "within the tier-1 RTO" in out and "dry run" in out
    assert cli.main(["--root", str(project), "promote", "--forced"]) == 0
    after = (project / "Pulumi.dr.yaml").read_text()
    assert after.splitlines()[0] == before.splitlines()[0]  # the comment header survives
    assert "state: promoting" in after and "promotion: forced" in after
    assert "system_pool: {vm_size: Standard_D4ds_v5, min_count: 2, max_count: 6}" in after  # flow style kept
    assert cli.main(["--root", str(project), "status"]) == 0
    assert "pair: promoting" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["rebuild", "dr"], "already replicates"),
        (["rebuild", "primary"], "is the active stack"),
        (["release", "primary"], "no retired server generation"),
        (["settle"], "nothing to settle"),
    ],
)
def test_refusals_are_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], command: list[str], message: str
) -> None:
    assert cli.main(["--root", str(project), *command]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_a_switch_is_refused_until_the_last_one_settled(project: Path) -> None:
    switch(project, lifecycle.promote(load_pair(project), "forced"))
    with pytest.raises(PairError, match="must settle first"):
        lifecycle.rebuild(load_pair(project), "primary")


def test_planned_promotion_needs_the_pairs_writer_endpoint(project: Path) -> None:
    # The pair's primary declares its writer endpoint (Azure manages it in the primary's context).
    doc = StackDocument(project, "primary")
    doc.apply(Edit("primary", ("postgres", "writer_endpoint"), False))
    doc.write()
    with pytest.raises(PairError, match="virtual endpoint"):
        lifecycle.promote(load_pair(project), "planned")


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (
            [
                Edit("dr", ("role",), "active"),
                Edit("dr", ("postgres", "state"), "primary"),
                Edit("dr", ("redis", "geo_secondary"), False),
            ],
            "two active stacks",
        ),
        ([Edit("dr", ("postgres", "replica_of"), "psql-qlp-prod-uks-7")], "is not primary's current server"),
        (
            [
                Edit("primary", ("postgres", "create_as"), "replica"),
                Edit("primary", ("postgres", "replica_of"), "psql-qlp-prod-ukw-1"),
                Edit("primary", ("postgres", "state"), "new"),
                Edit("primary", ("peer_stack",), "dr"),
            ],
            "replica cycle",
        ),
        ([Edit("dr", ("region",), "uksouth"), Edit("dr", ("peer_region",), "uksouth")], "peer_region"),
        ([Edit("dr", ("environment",), "test")], "environment differs"),
        ([Edit("dr", ("peer_stack",), "dr9")], "not a stack of this project"),
        ([Edit("primary", ("redis", "geo_secondary"), True), Edit("primary", ("peer_stack",), "dr")], "geo_secondary"),
    ],
)
def test_inconsistent_pairs_are_refused(project: Path, edits: list[Edit], message: str) -> None:
    for edit in edits:
        doc = StackDocument(project, edit.stack)
        doc.apply(edit)
        doc.write()
    with pytest.raises(PairError, match=message) as caught:
        load_pair(project)
    assert "\n" not in str(caught.value)


def test_a_hand_made_unlink_is_blocked_by_the_inherited_lock(project: Path) -> None:
    """Dropping the link from config without the runbook's unlink: the primary cache's lock blocks the delete.

    Only the link, both caches still geo-replicated: the pair itself is refused (a standby without its link)."""
    only_the_link = lifecycle.Transition(
        "naive",
        (Edit("dr", ("redis", "geo_secondary"), False),),
        (lifecycle.up_step("dr"),),
    )
    with pytest.raises(PairError, match=r"redis\.geo_secondary is false on the standby of primary"):
        simulate.simulate(project, only_the_link)
    to_persistence = lifecycle.Transition(
        "naive",
        (
            Edit("dr", ("redis", "geo_secondary"), False),
            Edit("dr", ("redis", "dr_mechanism"), "persistence"),
            Edit("primary", ("redis", "dr_mechanism"), "persistence"),
        ),
        (lifecycle.up_step("dr"),),
    )
    sim = simulate.simulate(project, to_persistence)
    blocked = [c for r in sim.results for c in r.changes if c.action == "blocked"]
    assert [(c.short_type, "inherited" in c.reason) for c in blocked] == [("redis:LinkedServer", True)]
    assert sim.problems


def test_a_hand_made_rebuild_that_moves_the_source_is_caught(project: Path) -> None:
    """The issue's fault: pointing a live replica at another server would replace it; the diff says so."""
    naive = lifecycle.Transition(
        "naive", (Edit("dr", ("postgres", "replica_of"), "psql-qlp-prod-uks-2"),), (lifecycle.up_step("dr"),)
    )
    with pytest.raises(PairError, match="not primary's current server"):
        simulate.simulate(project, naive)


def test_a_copy_of_the_dr_stack_is_refused(project: Path) -> None:
    shutil.copy(project / "Pulumi.dr.yaml", project / "Pulumi.dr2.yaml")
    with pytest.raises(PairError, match="dr and dr2 are both in ukwest"):
        load_pair(project)


def test_the_posture_shows_the_gap_a_forced_promotion_leaves_until_the_rebuild(project: Path) -> None:
    from azure_dr.cli.engine import programs as engine
    from azure_dr.cli.report import posture

    def postgres_row() -> posture.ServicePosture:
        plans = engine.plan_stacks(None, project)
        judge = posture.objectives_stack(plans)
        assert judge is not None
        rows = posture.posture(plans, load_pair(project).members[judge.stack].config)
        return next(r for r in rows if r.service == "postgresql")

    assert postgres_row().meets
    switch(project, lifecycle.promote(load_pair(project), "forced"))
    switch(project, lifecycle.settle(load_pair(project)))
    gap = postgres_row()
    assert gap.mechanism is None and not gap.meets  # no replica, no geo-backup: said, not hidden
    switch(project, lifecycle.rebuild(load_pair(project), "primary"))
    assert postgres_row().meets


def test_two_standby_stacks_of_one_peer_are_refused(project: Path) -> None:
    text = (project / "Pulumi.dr.yaml").read_text().replace("ukwest", "northeurope")
    (project / "Pulumi.dr2.yaml").write_text(text.replace("geo_secondary: true", "geo_secondary: false"))
    with pytest.raises(PairError, match="two standby stacks of one peer"):
        load_pair(project)
