"""examples/postgres-with-replica: a program outside this project's stacks plans under the mock engine."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import azure_ids
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.stackfiles.files import load_stack
from azure_dr.cli.stackfiles.project import SHIPPED_PACK, policy_pack

#: The pack's rule count, from its catalogue (the repository's pack is the one these tests ship).
RULE_COUNT = sum(
    len(list((Path(__file__).resolve().parents[1] / "policies" / "drpolicy" / kind).glob("[a-z]*.py")))
    for kind in ("resource", "stack")
)

EXAMPLE = engine.ROOT / "examples" / "postgres-with-replica"
SERVER = "azure-native:dbforpostgresql:Server"


@pytest.fixture(scope="module")
def example() -> StackPlan:
    plan = engine.run_stack(load_stack(EXAMPLE, "dev"), {}, EXAMPLE)
    assert plan.error is None, plan.error
    return plan


def test_example_imports_only_the_public_components() -> None:
    source = (EXAMPLE / "__main__.py").read_text()
    imports = [
        line
        for line in source.splitlines()
        if line.startswith(("from azure_dr.components", "import azure_dr.components"))
    ]
    assert imports == ["from azure_dr.components import ("], imports
    assert (EXAMPLE / "Pulumi.yaml").exists()


def test_replica_reads_from_the_writer(example: StackPlan) -> None:
    servers = {r.name: r for r in example.of_type(SERVER)}
    writer, replica = servers["orders-db-server"], servers["orders-db-replica-server"]
    assert writer.inputs["createMode"] == "Create" and replica.inputs["createMode"] == "Replica"
    assert replica.inputs["sourceServerResourceId"] == writer.id
    assert example.outputs["replica_source_id"] == writer.id
    # Defaults: geo-backup and zone-redundant HA on the writer. The replica (state new) sends only what a replica
    # create sends: no backup, HA, version or auth config (it inherits them until its promotion settles).
    assert writer.inputs["backup"]["geoRedundantBackup"] == "Enabled"
    assert writer.inputs["highAvailability"]["mode"] == "ZoneRedundant"
    assert not {"backup", "highAvailability", "version", "authConfig"} & set(replica.inputs)
    assert all(s.protect and s.retain_on_delete for s in (writer, replica))


def test_every_data_resource_is_locked_and_children_sit_under_their_component(example: StackPlan) -> None:
    locks = {r.inputs["scope"] for r in example.of_type("azure-native:authorization:ManagementLockByScope")}
    data = [*example.of_type(SERVER), example.one("azure-native:keyvault:Vault")]
    assert locks == {r.id for r in data}
    components = {r.urn: r for r in example.resources if r.type.startswith("azure-dr:")}
    assert all(r.parent in components for r in data)


def test_role_assignment_by_built_in_name(example: StackPlan) -> None:
    grant = example.one("azure-native:authorization:RoleAssignment").inputs
    vault = example.one("azure-native:keyvault:Vault")
    assert grant["scope"] == vault.id
    assert grant["roleDefinitionId"] == (
        f"/subscriptions/{azure_ids.SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/"
        "4633458b-17de-408a-b874-0445c86b69e6"
    )
    assert grant["principalType"] == "ServicePrincipal"


def test_example_is_part_of_lint() -> None:
    dev = (engine.ROOT / "dev").read_text()
    assert "mypy --strict examples/postgres-with-replica/__main__.py" in dev


def test_drctl_checks_a_project_without_its_own_pack_against_the_shipped_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The example has no policies/: check, rules and explain use azure-dr's pack (in a checkout, its policies/);
    its program reads no azure-dr stack config, so the pack's default thresholds apply."""
    assert not (EXAMPLE / "policies").exists()
    assert policy_pack(EXAMPLE) == SHIPPED_PACK == engine.ROOT / "policies"
    assert cli.main(["--root", str(EXAMPLE), "check"]) == 1  # judged: the example has mandatory violations
    out = capsys.readouterr().out
    assert out.startswith(
        f"policy pack azure-dr v{metadata.version('azure-dr')}: {RULE_COUNT} rules\nstack dev: 10 resources"
    )
    assert cli.main(["--root", str(EXAMPLE), "explain", "pg-geo-backup"]) == 0
    assert "pg-geo-backup" in capsys.readouterr().out
    (tmp_path / "policies").mkdir()  # a project's own policies/ is its pack, even a broken one
    assert policy_pack(tmp_path) == tmp_path / "policies"


CONSUMER_MISTAKES = """
bad_group = resources.ResourceGroup("bad", resource_group_name=123, location=primary_region)
bad_args = PostgresServerArgs(server_name=5, resource_group_name="rg", location="x", tenant_id="t")
from pulumi_azure_native import network
"""


def test_the_shipped_mypy_settings_still_check_a_consumer_strictly(tmp_path: Path) -> None:
    """The consumer's settings (docs/performance.md) skip the SDK subpackages a program does not import, yet its
    own calls are checked, and importing a subpackage it did not list says so instead of passing silently."""
    program = tmp_path / "__main__.py"
    program.write_text((EXAMPLE / "__main__.py").read_text() + CONSUMER_MISTAKES)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(program), "--config-file", str(EXAMPLE / "mypy.ini")],
        capture_output=True,
        text=True,
        cwd=engine.ROOT,  # the lint's cache, when it ran
        timeout=600,
    )
    lines = len((EXAMPLE / "__main__.py").read_text().splitlines())
    assert f'__main__.py:{lines + 2}: error: No overload variant of "ResourceGroup"' in run.stdout, run.stdout
    assert f'__main__.py:{lines + 3}: error: Argument "server_name" to "PostgresServerArgs"' in run.stdout
    assert f'__main__.py:{lines + 4}: error: Import of "pulumi_azure_native.network" ignored' in run.stdout
    assert run.stdout.rstrip().endswith("Found 3 errors in 1 file (checked 1 source file)")
