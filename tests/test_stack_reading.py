"""How stack files are read: secrets, the project's namespace, line look-ups, strict values, and how drctl
reports a stack that failed to plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.report import render
from azure_dr.cli.stackfiles.files import SECRET_PLACEHOLDER, config_line, load_stack
from azure_dr.components.stack.config import ConfigError, parse_config
from tests.helpers import stack_value

SECRET = "s3cr3t-origin.example.com"


def copy_project(tmp_path: Path, *stacks: str) -> Path:
    for name in ("Pulumi.yaml", "__main__.py", *(f"Pulumi.{s}.yaml" for s in stacks)):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_a_nested_secure_value_is_accepted_as_a_placeholder_with_a_note(tmp_path: Path) -> None:
    """`pulumi config set --secret --path azure-dr:routing.origin_host` writes a nested `secure:`."""
    root = copy_project(tmp_path, "primary", "dr")
    path = root / "Pulumi.primary.yaml"
    text = path.read_text()
    origin = next(line for line in text.splitlines() if line.strip().startswith("origin: cluster"))
    path.write_text(text.replace(origin, "    origin: host\n    origin_host:\n      secure: v1:AAAAc2VjcmV0"))
    stack = load_stack(root, "primary")
    assert stack.secret_keys == ("azure-dr:routing",)
    [planned] = [p for p in engine.plan_stacks(["primary"], root) if p.stack == "primary"]
    assert planned.error is None, planned.error
    text = render.plan_text(planned)
    assert "note: azure-dr:routing.origin_host is a secret; offline it is a placeholder" in text
    assert "AAAAc2VjcmV0" not in text
    origin = planned.one("azure-native:cdn:AFDOrigin")
    assert origin.inputs["hostName"] == SECRET_PLACEHOLDER


def test_a_secret_value_is_never_echoed_in_a_validation_error() -> None:
    routing = {"kind": "frontdoor", "origin_host": f"-{SECRET}"}
    values = {**_shipped("primary"), "routing": json.dumps(routing)}
    with pytest.raises(ConfigError) as shown:
        parse_config(values, "azure-dr", secret_keys={"routing"})
    assert "azure-dr:routing.origin_host: [secret] is not allowed" in str(shown.value)
    assert SECRET not in str(shown.value)
    values = {**_shipped("primary"), "routing": json.dumps({**routing, "kind": SECRET})}
    with pytest.raises(ConfigError) as shown:
        parse_config(values, "azure-dr", secret_keys={"routing"})
    assert SECRET not in str(shown.value) and "azure-dr:routing.kind" in str(shown.value)
    with pytest.raises(ConfigError) as plain:  # the same mistake, not a secret: the value is shown
        parse_config({**_shipped("primary"), "routing": json.dumps(routing)}, "azure-dr")
    assert SECRET in str(plain.value)


def _shipped(stack: str) -> dict[str, str]:
    config = load_stack(ROOT, stack).config
    return {k.removeprefix("azure-dr:"): v for k, v in config.items() if k.startswith("azure-dr:")}


def test_the_program_reads_the_projects_own_namespace(tmp_path: Path) -> None:
    """Pulumi namespaces config by the project's name: a renamed project reads its own keys, and says so."""
    root = copy_project(tmp_path)
    (root / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text().replace("name: azure-dr", "name: shop-dr"))
    for stack in ("primary", "dr"):
        text = (ROOT / f"Pulumi.{stack}.yaml").read_text().replace("azure-dr:", "shop-dr:")
        (root / f"Pulumi.{stack}.yaml").write_text(text)
    plans = {p.stack: p for p in engine.plan_stacks(None, root)}
    assert plans["primary"].error is None and plans["dr"].error is None, plans
    assert plans["dr"].one("azure-native:dbforpostgresql:Server").inputs["sourceServerResourceId"]
    (root / "Pulumi.dr.yaml").write_text((ROOT / "Pulumi.dr.yaml").read_text())  # still under azure-dr:
    dr = {p.stack: p for p in engine.plan_stacks(["dr"], root)}["dr"]
    assert dr.error is not None and "shop-dr:workload: required but not set" in dr.error
    assert "azure-dr:" not in dr.error.split("invalid stack config:")[1].split(";")[0]


def test_config_line_finds_nested_keys_and_list_items() -> None:
    stack = load_stack(ROOT, "primary")
    lines = (ROOT / "Pulumi.primary.yaml").read_text().splitlines()
    sku = config_line(stack, "postgres.sku_name")
    assert sku is not None and lines[sku - 1].strip() == "sku_name: Standard_D4ds_v5"
    assert config_line(stack, "azure-dr:postgres.sku_name") == sku
    container = config_line(stack, "cosmos.databases[0].containers[1].name")
    assert container is not None and "audit" in lines[container - 1]
    block = config_line(stack, "azure-dr:redis")
    assert block is not None and lines[block - 1].strip() == "azure-dr:redis:"
    assert config_line(stack, "redis.persistence.frequency_minutes") == block  # not in the file: its block
    assert config_line(stack, "tags") is None


def test_pulumi_strings_are_read_strictly_once() -> None:
    """Pulumi hands top-level scalars over as strings: "true"/"false" and digits only."""
    base = _shipped("primary")
    assert parse_config({**base, "locks": "false"}).locks is False
    for bad in ("off", "no", "False", "1", "yes"):  # "" is Pulumi.yaml's declared default: unset
        with pytest.raises(ConfigError, match=r"azure-dr:locks: "):
            parse_config({**base, "locks": bad})
    with pytest.raises(ConfigError, match=r"azure-dr:redis.capacity: True is not allowed"):
        parse_config({**base, "redis": json.dumps({"capacity": True})})
    with pytest.raises(ConfigError, match=r"azure-dr:cosmos.enabled: 'no' is not allowed"):
        parse_config({**base, "cosmos": json.dumps({"enabled": "no"})})


def test_locks_off_no_longer_drops_every_lock() -> None:
    """`locks: "off"` used to be read as false and dropped every lock."""
    result = engine.run_stack(load_stack(ROOT, "primary"), {}, ROOT, {"azure-dr:locks": "off"})
    assert result.error is not None and "azure-dr:locks: 'off' is not allowed" in result.error
    assert [r for r in result.resources if r.custom] == []
    assert stack_value("primary", "workload") == "qlp"


def test_check_reports_a_stack_that_failed_to_plan_as_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path, "primary", "dr")
    (root / "policies").symlink_to(ROOT / "policies")
    (root / "Pulumi.broken.yaml").write_text((ROOT / "Pulumi.primary.yaml").read_text().replace("active", "boss"))
    sarif = tmp_path / "out.sarif"
    assert cli.main(["--root", str(root), "check", "broken", "--sarif", str(sarif)]) == 1
    text = capsys.readouterr().out
    assert "stack broken: not checked: Pulumi.broken.yaml:6: invalid stack config: azure-dr:role" in text
    assert text.splitlines()[-1] == "ERROR: 1 stack(s) failed to plan and were not checked (broken)"
    assert "mandatory violation(s)" not in text
    log = json.loads(sarif.read_text())
    run = log["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": False}]
    [result] = run["results"]
    assert result["level"] == "error" and result["ruleId"] == "stack-failed-to-plan"
    region = result["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"] == "Pulumi.broken.yaml" and region["region"]["startLine"] == 6
    assert cli.main(["--root", str(root), "check", "broken", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["passed"] is False
    assert document["errors"][0]["stack"] == "broken" and "azure-dr:role" in document["errors"][0]["error"]


def test_plan_of_one_half_says_the_peer_was_not_planned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A primary that does not read its peer yet (before the dr stack exists): the pair's posture waits."""
    root = copy_project(tmp_path, "primary", "dr")
    primary = root / "Pulumi.primary.yaml"
    primary.write_text("".join(line for line in primary.read_text().splitlines(True) if "peer_stack" not in line))
    assert cli.main(["--root", str(root), "plan", "primary"]) == 0
    out = capsys.readouterr().out
    assert "GAP" not in out
    assert "DR posture not assessed: the pair's other half was not planned (dr)" in out
    assert "drctl plan dr primary" in out
    assert cli.main(["--root", str(root), "plan", "primary", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["posture"] == [] and "not planned (dr)" in document["posture_note"]
