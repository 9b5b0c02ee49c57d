"""What Azure would refuse is refused offline: diagnostic categories per type, references that carry their
dependency, and linked pairs that can only be resized in order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from azure_dr.cli.engine.recording import RecordedResource, StackPlan
from azure_dr.components.diagnostics import ARM_TYPES, CATEGORIES
from tests.conftest import plan_one
from tests.helpers import with_block

DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"


def arm_type(resource_id: str) -> str:
    """``/subscriptions/../providers/Microsoft.Storage/storageAccounts/st/blobServices/default`` →
    ``Microsoft.Storage/storageAccounts/blobServices``."""
    parts = resource_id.split("/providers/", 1)[1].split("/")
    return "/".join([parts[0], *parts[1::2]])


def test_every_diagnostic_setting_names_categories_its_type_has(primary: StackPlan, dr: StackPlan) -> None:
    settings = primary.of_type(DIAGNOSTIC_SETTING) + dr.of_type(DIAGNOSTIC_SETTING)
    assert len(settings) >= 10
    for setting in settings:
        row = CATEGORIES[arm_type(setting.inputs["resourceUri"])]
        metrics = [m["category"] for m in setting.inputs["metrics"]]
        assert metrics and set(metrics) <= set(row.metrics), (setting.name, metrics)
        for log in setting.inputs.get("logs") or []:
            assert log.get("categoryGroup") in row.log_groups or log.get("category") in row.logs, setting.name
        assert row.source.startswith("Microsoft Learn")


def test_blob_service_metrics_are_capacity_and_transaction(primary: StackPlan) -> None:
    """Azure: "Metric category 'AllMetrics' is not supported" on blobServices (Capacity and Transaction are)."""
    blob = next(
        s for s in primary.of_type(DIAGNOSTIC_SETTING) if s.inputs["resourceUri"].endswith("/blobServices/default")
    )
    assert [m["category"] for m in blob.inputs["metrics"]] == ["Capacity", "Transaction"]
    assert set(ARM_TYPES.values()) == set(CATEGORIES)


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def unflowed_references(plan: StackPlan) -> list[str]:
    """Inputs that repeat another resource's id or Azure name without a dependency on that resource: a re-typed
    name, which lets a first ``up`` race the resource it names. Tags and locations only describe."""
    # Azure names only: a Kubernetes object is named inside its cluster (a namespace "qlp" is not the Cosmos
    # database "qlp").
    custom = [r for r in plan.resources if r.custom and not r.read and r.type.startswith("azure-native:")]
    by_value: dict[str, list[RecordedResource]] = {}
    for other in custom:
        for value in (other.id, other.outputs.get("name")):
            if isinstance(value, str):
                by_value.setdefault(value, []).append(other)
    found = []
    for resource in custom:
        for path, value in _strings(resource.inputs):
            top = path.split(".")[0].split("[")[0]
            if value == resource.outputs.get("name") or top == "tags" or top.lower().endswith("location"):
                continue
            targets = [t for t in by_value.get(value, []) if t.urn != resource.urn]
            if targets and not set(resource.property_dependencies.get(top, ())) & {t.urn for t in targets}:
                found.append(f"{resource.name}.{path}={value!r} names {[t.name for t in targets]}")
    return found


def test_every_reference_flows_from_the_resources_outputs(primary: StackPlan, dr: StackPlan) -> None:
    assert unflowed_references(primary) == []
    assert unflowed_references(dr) == []
    route = primary.one("azure-native:cdn:Route")
    endpoint = primary.one("azure-native:cdn:AFDEndpoint")
    assert route.property_dependencies["endpointName"] == (endpoint.urn,)


def _peer(shipped: dict[str, StackPlan], **changes: Any) -> dict[str, dict[str, Any]]:
    return {"primary": {**shipped["primary"].outputs, **changes}}


@pytest.mark.parametrize(
    ("peer", "override", "message"),
    [
        ({"redis_capacity": 2}, {}, "azure-dr:redis.capacity: 1 is not allowed; expected 2, the geo-primary's"),
        ({}, {"capacity": 2}, "azure-dr:redis.capacity: 2 is not allowed; expected 1"),
        ({"postgres_sku_name": "Standard_D8ds_v5"}, {}, "at least the primary's Standard_D8ds_v5"),
        ({"postgres_sku_tier": "MemoryOptimized", "postgres_sku_name": "Standard_E4ds_v5"}, {}, "MemoryOptimized"),
        ({"postgres_storage_gb": 512}, {}, "(GeneralPurpose, 256 GB) is not allowed; expected at least"),
    ],
    ids=[
        "primary-cache-scaled",
        "secondary-cache-scaled",
        "replica-fewer-vcores",
        "replica-lower-tier",
        "replica-less-storage",
    ],
)
def test_a_linked_half_at_the_wrong_size_is_refused_before_registering(
    shipped: dict[str, StackPlan], peer: dict[str, Any], override: dict[str, Any], message: str
) -> None:
    overrides = with_block("dr", "redis", **override) if override else {}
    result = plan_one("dr", overrides, _peer(shipped, **peer))
    assert result.error is not None and message in result.error and "\n" not in result.error
    assert any(why in result.error for why in ("runbook", "scaled up before its primary", "primary's version"))
    assert [r for r in result.resources if r.custom and not r.read] == []


def test_a_bigger_replica_and_an_unlinked_cache_may_differ(shipped: dict[str, StackPlan]) -> None:
    bigger = with_block("dr", "postgres", sku_name="Standard_D8ds_v5", storage_size_gb=512)
    assert plan_one("dr", bigger, _peer(shipped)).error is None
    unlinked = {"azure-dr:redis": json.dumps({"capacity": 3, "dr_mechanism": "persistence"})}
    assert plan_one("dr", unlinked, _peer(shipped)).error is None


def test_the_pack_refuses_a_linked_cache_that_differs_from_the_primary(shipped: dict[str, StackPlan]) -> None:
    from azure_dr.cli.engine import check
    from azure_dr.cli.engine.programs import ROOT

    result = plan_one("dr", {}, _peer(shipped, redis_capacity=1))
    assert result.error is None
    cache = result.one("azure-native:redis:Redis")
    sku = {**cache.inputs["sku"], "capacity": 2}
    bigger = RecordedResource(
        **{**cache.__dict__, "inputs": {**cache.inputs, "sku": sku}, "outputs": {**cache.outputs, "sku": sku}}
    )
    result.resources[result.resources.index(cache)] = bigger
    report = check.check_plans([result], ROOT / "policies")
    found = [r for r in report.mandatory if r.policy_name == "dr-replica-size"]
    assert len(found) == 1 and "differs from the primary's 1" in found[0].message
