"""The policy driver against a real CrossGuard pack process (tests/fixtures/mini_pack), over the analyzer protocol."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import jsonschema
import pytest
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from azure_dr.cli.engine.analyzer import (
    PackReport,
    PolicyPackError,
    PolicyPackProcess,
    analyze_request,
    check_stacks,
    effective_policy_config,
)
from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.cli.report.sarif import FINGERPRINT_KEY, to_sarif

PACK = Path(__file__).parent / "fixtures" / "mini_pack"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
STORAGE = "azure-native:storage:StorageAccount"
POSTGRES = "azure-native:dbforpostgresql:Server"
TLS_POLICY = "storage-min-tls"
PROTECT_POLICY = "postgres-protected"


def urn(stack: str, qualified_type: str, name: str) -> str:
    return f"urn:pulumi:{stack}::azure-dr::{qualified_type}::{name}"


def resource(
    stack: str,
    type_: str,
    name: str,
    *,
    parent_type: str = "",
    custom: bool = True,
    inputs: dict[str, Any] | None = None,
    **kw: Any,
) -> RecordedResource:
    qualified = f"{parent_type}${type_}" if parent_type else type_
    props = dict(inputs or {})
    return RecordedResource(
        urn=urn(stack, qualified, name),
        type=type_,
        name=name,
        custom=custom,
        inputs=props,
        outputs={**props, "id": f"/subscriptions/x/{name}"},
        **kw,
    )


def stack_plan(stack: str, extra: list[RecordedResource]) -> StackPlan:
    root = RecordedResource(
        urn=urn(stack, "pulumi:pulumi:Stack", f"azure-dr-{stack}"),
        type="pulumi:pulumi:Stack",
        name=f"azure-dr-{stack}",
        custom=False,
        inputs={},
        outputs={},
    )
    geo = resource(stack, "azure-dr:storage:GeoStorage", "geo", custom=False, parent=root.urn)
    provider = resource(stack, "pulumi:providers:azure-native", "westeurope", inputs={"location": "westeurope"})
    return StackPlan(stack=stack, project="azure-dr", resources=[root, geo, provider, *extra], outputs={})


def primary_plan() -> StackPlan:
    geo = "azure-dr:storage:GeoStorage"
    provider_ref = urn("primary", "pulumi:providers:azure-native", "westeurope") + "::prov-id"
    return stack_plan(
        "primary",
        [
            resource(
                "primary",
                STORAGE,
                "st1",
                parent_type=geo,
                provider=provider_ref,
                inputs={"minimumTlsVersion": "TLS1_2", "kind": "StorageV2", "sku": {"name": "Standard_GZRS"}},
            ),
            resource("primary", STORAGE, "st2", parent_type=geo, inputs={"minimumTlsVersion": "TLS1_0"}),
            resource("primary", POSTGRES, "pg-protected", protect=True, inputs={"version": "16", "storageMb": 32768}),
            resource("primary", POSTGRES, "pg-open", protect=False, inputs={"version": "16"}),
        ],
    )


def dr_plan() -> StackPlan:
    return stack_plan(
        "dr",
        [
            # read (get) resources get no per-resource Analyze, but AnalyzeStack sees them, as in the CLI
            resource("dr", STORAGE, "st-read", read=True, inputs={"minimumTlsVersion": "TLS1_0"}),
            resource("dr", POSTGRES, "pg-read", read=True),
        ],
    )


@pytest.fixture(scope="module")
def report() -> PackReport:
    broken = StackPlan(stack="broken", project="azure-dr", resources=[], outputs={}, error="bad config")
    return check_stacks([primary_plan(), dr_plan(), broken], PACK)


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK, project="azure-dr", stack="primary") as process:
        process.configure(None)
        yield process


def results_for(report: PackReport, stack: str, name: str) -> list[Any]:
    return [r for r in report.results if r.stack == stack and r.urn.endswith(f"::{name}")]


def test_analyzer_info_lists_both_policies_with_their_types(pack: PolicyPackProcess) -> None:
    name, version, policies, initial = pack.info()
    assert (name, version, initial) == ("mini-pack", "0.3.1", {})  # version from PulumiPolicy.yaml, like the CLI
    by_name = {p.name: p for p in policies}
    assert [p.name for p in policies] == sorted(by_name) == [PROTECT_POLICY, TLS_POLICY]
    tls, protect = by_name[TLS_POLICY], by_name[PROTECT_POLICY]
    assert (tls.policy_type, tls.enforcement_level, tls.severity) == ("resource", "mandatory", "high")
    assert (protect.policy_type, protect.enforcement_level, protect.severity) == ("stack", "advisory", "")
    assert tls.config_schema["properties"]["min_tls"]["default"] == "TLS1_2"


def test_compliant_storage_account_gives_no_result(report: PackReport) -> None:
    assert results_for(report, "primary", "st1") == []


def test_violating_storage_account_gives_a_mandatory_result_naming_its_urn(report: PackReport) -> None:
    [hit] = results_for(report, "primary", "st2")
    assert hit.urn == urn("primary", f"azure-dr:storage:GeoStorage${STORAGE}", "st2")
    assert (hit.policy_name, hit.policy_pack, hit.enforcement_level, hit.severity) == (
        TLS_POLICY,
        "mini-pack",
        "mandatory",
        "high",
    )
    assert "'TLS1_0'" in hit.message and hit.description in hit.message
    assert report.mandatory == [hit]


def test_stack_policy_sees_the_protect_option(report: PackReport) -> None:
    assert results_for(report, "primary", "pg-protected") == []
    [hit] = results_for(report, "primary", "pg-open")
    assert (hit.policy_name, hit.enforcement_level) == (PROTECT_POLICY, "advisory")
    assert hit.urn == urn("primary", POSTGRES, "pg-open")


def test_read_resources_reach_analyze_stack_only(report: PackReport) -> None:
    assert results_for(report, "dr", "st-read") == []  # no per-resource Analyze for a read
    assert [r.policy_name for r in results_for(report, "dr", "pg-read")] == [PROTECT_POLICY]
    assert sorted((r.stack, r.urn.rsplit("::", 1)[1]) for r in report.advisory) == [
        ("dr", "pg-read"),
        ("primary", "pg-open"),
    ]


def test_a_stack_whose_config_was_refused_reports_nothing(report: PackReport) -> None:
    assert not [r for r in report.results if r.stack == "broken"]
    assert len(report.results) == 3


def test_policy_config_override_changes_level_and_properties(pack: PolicyPackProcess) -> None:
    plan = primary_plan()
    try:
        sent = pack.configure({TLS_POLICY: {"enforcementLevel": "advisory"}})
        assert sent[TLS_POLICY] == {"enforcementLevel": "advisory", "min_tls": "TLS1_2"}  # schema default kept
        results, _ = pack.analyze_stack(plan)
        [hit] = [r for r in results if r.policy_name == TLS_POLICY]
        assert hit.enforcement_level == "advisory" and hit.urn.endswith("::st2")

        pack.configure({TLS_POLICY: {"min_tls": "TLS1_0"}})  # the user's value reaches args.get_config()
        results, _ = pack.analyze_stack(plan)
        assert sorted(r.urn.rsplit("::", 1)[1] for r in results if r.policy_name == TLS_POLICY) == ["st1"]
        assert [r.enforcement_level for r in results if r.policy_name == TLS_POLICY] == ["mandatory"]

        pack.configure({"all": "disabled"})
        assert pack.analyze_stack(plan) == ([], [])
    finally:
        pack.configure(None)
    results, _ = pack.analyze_stack(plan)
    assert sorted((r.policy_name, r.enforcement_level) for r in results) == [
        (PROTECT_POLICY, "advisory"),
        (TLS_POLICY, "mandatory"),
    ]


def test_effective_config_layers_defaults_initial_config_and_user_config(pack: PolicyPackProcess) -> None:
    _, _, policies, _ = pack.info()
    initial = {TLS_POLICY: {"enforcementLevel": "advisory", "min_tls": "TLS1_1"}}
    assert effective_policy_config(policies, initial, None)[TLS_POLICY] == {
        "enforcementLevel": "advisory",
        "min_tls": "TLS1_1",
    }
    assert effective_policy_config(policies, initial, {TLS_POLICY: "mandatory"})[TLS_POLICY] == {
        "enforcementLevel": "mandatory",
        "min_tls": "TLS1_1",
    }
    with pytest.raises(ValueError, match="not a valid enforcement level"):
        effective_policy_config(policies, {}, {TLS_POLICY: {"enforcementLevel": "blocking"}})


def test_analyze_request_carries_options_and_provider() -> None:
    plan = primary_plan()
    by_urn = {r.urn: r for r in plan.resources}
    st1 = plan.resources[3]
    request = analyze_request(st1, by_urn)
    assert (request.type, request.name, request.urn) == (STORAGE, "st1", st1.urn)
    assert request.properties["sku"]["name"] == "Standard_GZRS"
    assert request.options.parent == "" and request.options.HasField("customTimeouts")
    assert request.provider.type == "pulumi:providers:azure-native"
    assert request.provider.name == "westeurope"
    assert request.provider.urn == urn("primary", "pulumi:providers:azure-native", "westeurope")
    assert request.provider.properties["location"] == "westeurope"
    pg = analyze_request(plan.resources[5], by_urn)
    assert pg.options.protect is True and pg.properties["storageMb"] == 32768.0  # a double, as the engine sends
    assert not pg.HasField("provider")


def test_engine_service_collects_logs(pack: PolicyPackProcess) -> None:
    with grpc.insecure_channel(pack.engine_address) as channel:
        engine = engine_pb2_grpc.EngineStub(channel)
        engine.Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING, message="hello", urn="urn:x"), timeout=5)
        engine.SetRootResource(engine_pb2.SetRootResourceRequest(urn="urn:root"), timeout=5)
        assert engine.GetRootResource(engine_pb2.GetRootResourceRequest(), timeout=5).urn == "urn:root"
    assert ("warning", "hello", "urn:x") in pack.logs


def test_sarif_validates_against_the_schema_and_names_rules(report: PackReport) -> None:
    log = to_sarif(report, {"dr": "stacks/Pulumi.dr.yaml"})
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(log)
    jsonschema.validators.validator_for(schema)(schema).validate(log)  # and the draft the schema declares
    json.dumps(log)  # plain JSON all the way down

    assert (log["version"], log["$schema"]) == ("2.1.0", "https://json.schemastore.org/sarif-2.1.0.json")
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "azure-dr policy pack"
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in rules} == {
        TLS_POLICY: "error",
        PROTECT_POLICY: "warning",
    }
    by_rule = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        by_rule.setdefault(result["ruleId"], []).append(result)
    [tls] = by_rule[TLS_POLICY]
    assert tls["level"] == "error" and "[stack primary]" in tls["message"]["text"]
    assert tls["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Pulumi.primary.yaml"
    assert tls["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    [logical] = tls["locations"][0]["logicalLocations"]
    assert (logical["kind"], logical["name"]) == ("resource", "st2")
    assert logical["fullyQualifiedName"] == urn("primary", f"azure-dr:storage:GeoStorage${STORAGE}", "st2")
    assert {r["level"] for r in by_rule[PROTECT_POLICY]} == {"warning"}
    dr_uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"]
        if r["properties"]["stack"] == "dr"
    }
    assert dr_uris == {"stacks/Pulumi.dr.yaml"}

    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in run["results"]]
    assert len(set(prints)) == len(prints) == 3
    assert prints == [r["partialFingerprints"][FINGERPRINT_KEY] for r in to_sarif(report)["runs"][0]["results"]]


def test_a_pack_that_crashes_on_start_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('pack exploded on import')\n")
    started = time.monotonic()
    with pytest.raises(PolicyPackError, match="exited with code 1") as err:
        check_stacks([primary_plan()], tmp_path)
    assert "pack exploded on import" in str(err.value)
    assert time.monotonic() - started < 30


def test_a_directory_without_a_pack_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match=r"no PulumiPolicy\.yaml"):
        check_stacks([primary_plan()], tmp_path)
