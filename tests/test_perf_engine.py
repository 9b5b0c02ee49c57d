"""The engine's speed-ups change no result: version aliases left out (users' kept), SDK modules loaded on demand."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest

from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.mocks import RecordingMonitor
from azure_dr.cli.engine.recording import AliasSpec, StackPlan
from azure_dr.cli.report import render
from azure_dr.cli.sdk.aliases import is_version_alias_options, without_sdk_version_aliases
from azure_dr.cli.sdk.imports import module_name_of
from azure_dr.cli.stackfiles.files import StackFile

SDK_CALLER = """
def build(opts):
    opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(), opts)
    alias_opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="azure-native:cosmosdb/v20240815:Thing")])
    return pulumi.ResourceOptions.merge(opts, alias_opts)
"""


def _caller(module: str) -> Any:
    namespace: dict[str, Any] = {"__name__": module, "pulumi": pulumi}
    exec(SDK_CALLER, namespace)
    return namespace["build"]


def _user_options(**extra: Any) -> pulumi.ResourceOptions:
    """A user's own type-only alias: alone it looks exactly like the SDK's ``alias_opts``."""
    return pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="azure-native:cosmosdb:OldThing")], **extra)


@pytest.mark.parametrize("extra", [{}, {"protect": True}])
def test_an_sdk_modules_version_aliases_are_dropped_and_the_users_kept(extra: dict[str, Any]) -> None:
    build = _caller("pulumi_azure_native.cosmosdb.thing")
    with without_sdk_version_aliases():
        merged = build(_user_options(**extra))
    assert [a.type_ for a in merged.aliases] == ["azure-native:cosmosdb:OldThing"]
    assert merged.protect is extra.get("protect")
    outside = build(_user_options(**extra))  # restored after the block
    assert len(outside.aliases) == 2


def test_the_same_merge_from_user_code_keeps_every_alias() -> None:
    with without_sdk_version_aliases():
        merged = _caller("azure_dr.components.cosmos")(_user_options())
    assert len(merged.aliases) == 2


@pytest.mark.parametrize(
    ("opts", "expected"),
    [
        (pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="azure-native:a/v1:B")]), True),
        (pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="azure-native:a/v1:B")], protect=True), False),
        (pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old", type_="azure-native:a/v1:B")]), False),
        (pulumi.ResourceOptions(aliases=["urn:pulumi:s::p::a:b:C::old"]), False),
        (pulumi.ResourceOptions(), False),
        (None, False),
    ],
)
def test_only_type_only_alias_options_count_as_version_aliases(opts: Any, expected: bool) -> None:
    assert is_version_alias_options(opts) is expected


def _normalised(plan: StackPlan) -> list[dict[str, Any]]:
    """Registration order depends on the mock monitor's threads, so plans compare sorted by URN. Type-only alias
    specs are set aside: they are what the stock SDK adds (one per earlier API version) and the offline run drops."""
    resources = (
        dataclasses.replace(r, alias_specs=tuple(a for a in r.alias_specs if a != AliasSpec(type=a.type)))
        for r in plan.resources
    )
    return sorted((dataclasses.asdict(r) for r in resources), key=lambda r: str(r["urn"]))


def test_the_shipped_plans_are_the_same_with_and_without_the_sdk_aliases(shipped: dict[str, StackPlan]) -> None:
    with_aliases: dict[str, StackPlan] = {}
    for _ in range(2):  # the stacks read each other: a second round plans each against its peer's outputs
        for name in engine.plan_order(engine.ROOT):
            peers = {n: p.outputs for n, p in with_aliases.items()}
            with_aliases[name] = engine.run_stack(engine.load_stack(engine.ROOT, name), peers, stock_sdk=True)
    assert set(with_aliases) == set(shipped)
    for name, plan in shipped.items():
        reference = with_aliases[name]
        assert _normalised(plan) == _normalised(reference), name
        assert plan.outputs == reference.outputs
        assert render.plan_text(plan) == render.plan_text(reference)


USER_ALIAS_PROGRAM = """
import pulumi
from pulumi_azure_native import resources

resources.ResourceGroup(
    "rg",
    resource_group_name="rg-alias",
    location="uksouth",
    opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="azure-native:resources/v20150101:OldGroup")]),
)
"""


def test_a_real_resource_sends_only_the_alias_its_user_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: azure-dr\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(USER_ALIAS_PROGRAM)
    sent: dict[str, list[str]] = {}
    register = RecordingMonitor.RegisterResource

    def spy(self: RecordingMonitor, request: Any) -> Any:
        sent[request.name] = [a.spec.type for a in request.aliases]
        return register(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", spy)
    stack = StackFile("alias", tmp_path / "Pulumi.alias.yaml", {})
    engine.run_stack(stack, {}, tmp_path)
    assert sent["rg"] == ["azure-native:resources/v20150101:OldGroup"]
    engine.run_stack(stack, {}, tmp_path, stock_sdk=True)
    assert "azure-native:resources/v20150101:OldGroup" in sent["rg"]
    assert len(sent["rg"]) > 20  # the SDK's own: one per earlier API version


NAMES_SCRIPT = """
import importlib, json, sys
if sys.argv[1] == "on-demand":
    from azure_dr.cli.sdk.imports import load_sdk_modules_on_demand
    load_sdk_modules_on_demand()
package = importlib.import_module("pulumi_azure_native.search")
if sys.argv[1] == "full":
    package._utilities
    names = sorted(n for n in dir(package) if not n.startswith("__"))
else:
    names = json.loads(sys.stdin.read())
def describe(value):
    return [type(value).__name__, getattr(value, "__module__", None), getattr(value, "__qualname__", None),
            getattr(value, "__name__", None)]
described = {name: describe(getattr(package, name)) for name in names}
loaded = sorted(m for m, v in sys.modules.items() if m.startswith("pulumi_azure_native.search.")
                and type(v).__name__ != "_LazyModule")
print(json.dumps({"names": described, "loaded": loaded}))
"""


def _names(mode: str, names: list[str] | None = None) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-c", NAMES_SCRIPT, mode],
        input=json.dumps(names or []),
        capture_output=True,
        text=True,
        check=True,
        cwd=engine.ROOT,
    )
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def test_on_demand_sdk_loading_resolves_every_name_to_what_the_full_import_gives() -> None:
    full = _names("full")
    # Resource classes, their args, enums and input types first: these must not need the full import.
    first = sorted(full["names"], key=lambda n: (n.startswith(("Get", "Awaitable", "get_", "list_")), n))
    on_demand = _names("on-demand", first)
    assert on_demand["names"] == full["names"]
    assert full["names"]["get_service"][0] == "function"  # not the module of the same name
    one = _names("on-demand", ["Service"])
    assert one["loaded"] == [f"pulumi_azure_native.search.{m}" for m in ("_enums", "_inputs", "outputs", "service")]
    assert len(full["loaded"]) > len(one["loaded"])


def test_module_names_follow_the_generator() -> None:
    assert module_name_of("SqlResourceSqlContainer") == "sql_resource_sql_container"
    assert module_name_of("SqlResourceSqlContainerArgs") == "sql_resource_sql_container"
    assert module_name_of("AFDOriginGroup") == "afd_origin_group"
    assert module_name_of("get_database_account") == "get_database_account"


PLAN_SCRIPT = """
import dataclasses, json
import azure_dr.cli.sdk.imports
azure_dr.cli.sdk.imports.load_sdk_modules_on_demand = lambda: None  # every subpackage imported whole
from azure_dr.cli.engine import programs as engine
print(json.dumps({p.stack: [dataclasses.asdict(r) for r in p.resources] for p in engine.plan_stacks(None, engine.ROOT)},
                 default=list))
"""


def _as_sets(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Dependency lists come from sets (their order varies between processes): compared as sets, by URN."""
    normalised = json.loads(json.dumps(resources, default=list))
    for r in normalised:
        r["dependencies"] = sorted(r["dependencies"])
        r["property_dependencies"] = {k: sorted(v) for k, v in r["property_dependencies"].items()}
    return {r["urn"]: r for r in normalised}


def test_the_shipped_plans_are_the_same_with_whole_subpackages_imported(shipped: dict[str, StackPlan]) -> None:
    run = subprocess.run(
        [sys.executable, "-c", PLAN_SCRIPT], capture_output=True, text=True, check=True, cwd=engine.ROOT
    )
    whole = json.loads(run.stdout)
    assert set(whole) == set(shipped)
    for name, plan in shipped.items():
        assert _as_sets([dataclasses.asdict(r) for r in plan.resources]) == _as_sets(whole[name]), name


FAILING_APPLY = """
import pulumi

pulumi.export("ratio", pulumi.Output.from_input(1).apply(lambda one: one / 0))
"""


@pytest.mark.parametrize("stock_sdk", [True, False])
def test_an_output_that_fails_fails_the_run_with_either_wait(tmp_path: Path, stock_sdk: bool) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: azure-dr\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(FAILING_APPLY)
    with pytest.raises(ZeroDivisionError):
        engine.run_stack(StackFile("failing", tmp_path / "Pulumi.failing.yaml", {}), {}, tmp_path, stock_sdk=stock_sdk)


def test_sdk_patches_apply_only_to_the_tested_pulumi_range() -> None:
    """The patches reach into pulumi's internals: outside the tested range the engine runs the stock SDK."""
    from importlib import metadata

    from azure_dr.cli import sdk

    assert sdk.patches_apply(), f"pulumi {metadata.version('pulumi')} is outside TESTED_PULUMI: test it, then widen"
    low, high = sdk.TESTED_PULUMI
    assert sdk.tested(".".join(map(str, low)) + ".0") and not sdk.tested(".".join(map(str, high)) + ".0")
    assert not sdk.tested("3.199.0") and not sdk.tested("4.0.0") and sdk.tested("3.272.1rc1")
