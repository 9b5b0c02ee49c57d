"""`drctl plan` shows what the issues promise a reviewer sees; JSON and policy-config outputs are usable by tools."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.engine.recording import StackPlan
from azure_dr.cli.report import render


def test_plan_text_shows_the_dr_settings(primary: StackPlan, dr: StackPlan) -> None:
    text = render.plan_text(primary)
    assert "dbforpostgresql:Server qlp-uksouth-psql-server [protected, locked]" in text
    assert "createMode=Update sku=Standard_D4ds_v5 geoBackup=Enabled retentionDays=30 ha=ZoneRedundant" in text
    assert "locations=uksouth:0,ukwest:1 autoFailover=true" in text
    assert "host=qlp-prod-uks-ingress.uksouth.cloudapp.azure.com priority=1" in text
    replica = render.plan_text(dr)
    assert "createMode=Update source=psql-qlp-prod-uks-1 (id)" in replica
    assert (
        "redis:LinkedServer qlp-ukwest-redis-geo-link  primary=redis-qlp-prod-uks secondary=redis-qlp-prod-ukw"
        in replica
    )
    assert "containerregistry:Replication qlp-ukwest-cr-replication  registry=crqlpprod location=ukwest" in replica


def test_plan_json_for_tools(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--root", str(ROOT), "plan", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    stacks = {s["stack"]: s for s in document["stacks"]}
    assert set(stacks) == {"primary", "dr"}
    server = next(r for r in stacks["dr"]["resources"] if r["type"] == "azure-native:dbforpostgresql:Server")
    assert server["protect"] and server["locked"] and server["dr"]["createMode"] == "Update"
    assert {p["service"]: p["meets"] for p in document["posture"]} == dict.fromkeys(
        ["postgresql", "cosmos", "storage", "registry", "redis", "routing", "keyvault", "compute"], True
    )
    assert document["long_term_retention"] == {
        "kept_years": 7,
        "objective_years": 7,
        "protected_servers": ["psql-qlp-prod-uks-1"],
        "vault_redundancy": "GeoRedundant",
        "meets": True,
    }


def test_policy_config_follows_the_stack_objectives(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--root", str(ROOT), "policy-config", "primary"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["pg-backup-retention"] == {"min_days": 30}
    assert config["dr-rpo"]["postgresql_rpo_minutes"] == 15 and config["dr-rpo"]["redis_rpo_minutes"] == 60


def test_secure_values_become_placeholders_with_a_note(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    with (tmp_path / "Pulumi.primary.yaml").open("a") as stack_file:
        stack_file.write("  azure-native:clientSecret:\n    secure: v1:AAAAbm90IGEgcmVhbCBzZWNyZXQ=\n")
    [planned] = [p for p in engine.plan_stacks(["primary"], tmp_path) if p.stack == "primary"]
    assert planned.error is None
    text = render.plan_text(planned)
    assert "note: azure-native:clientSecret is a secret; offline it is a placeholder" in text
    assert "AAAAbm90" not in text
