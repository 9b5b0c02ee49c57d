"""The engine's speed-ups change no result: version aliases left out (users' kept), SDK modules loaded on demand."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import json
import os
import pickle
import subprocess
import sys
import threading
import types
import typing
from pathlib import Path
from typing import Any

import pulumi
import pytest

from azure_dr.cli.engine import check
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.mocks import RecordingMonitor
from azure_dr.cli.engine.recording import AliasSpec, StackPlan
from azure_dr.cli.report import posture, render
from azure_dr.cli.sdk import class_bodies, lazy_classes
from azure_dr.cli.sdk.aliases import is_version_alias_options, without_sdk_version_aliases
from azure_dr.cli.sdk.imports import module_candidates, module_name_of
from azure_dr.cli.stackfiles.files import StackFile, load_stack
from tests.conftest import plan as plan_with
from tests.helpers import with_block

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
import importlib, json, sys, typing
mode, name = sys.argv[1], sys.argv[2]
if mode == "on-demand":
    from azure_dr.cli.sdk.imports import load_sdk_modules_on_demand
    load_sdk_modules_on_demand()
package = importlib.import_module(name)
if mode == "full":
    package._utilities
    names = sorted(n for n in dir(package) if not n.startswith("__"))
else:
    names = json.loads(sys.stdin.read())
def describe(value):  # a TypedDict is one whether sdk.class_bodies built it or typing did (tested on its own)
    kind = "TypedDict" if typing.is_typeddict(value) else type(value).__name__
    return [kind, getattr(value, "__module__", None), getattr(value, "__qualname__", None),
            getattr(value, "__name__", None)]
described = {n: describe(getattr(package, n)) for n in names}
loaded = sorted(m for m, v in sys.modules.items() if m.startswith(name + ".") and type(v).__name__ != "_LazyModule")
print(json.dumps({"names": described, "loaded": loaded}))
"""


def _names(mode: str, package: str, names: list[str] | None = None) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-c", NAMES_SCRIPT, mode, package],
        input=json.dumps(names or []),
        capture_output=True,
        text=True,
        check=True,
        cwd=engine.ROOT,
    )
    result: dict[str, Any] = json.loads(run.stdout)
    return result


@pytest.mark.parametrize(
    ("package", "one", "modules"),
    [
        ("pulumi_azure_native.search", "Service", ("_enums", "_inputs", "outputs", "service")),
        # Kubernetes names its modules after the class; helm.v3's __init__ would also import requests
        ("pulumi_kubernetes.helm.v3", "Release", ("Release", "_inputs", "outputs")),
    ],
)
def test_on_demand_sdk_loading_resolves_every_name_to_what_the_full_import_gives(
    package: str, one: str, modules: tuple[str, ...]
) -> None:
    full = _names("full", package)
    # Resource classes, their args, enums and input types first: these must not need the full import.
    first = sorted(full["names"], key=lambda n: (n.startswith(("Get", "Awaitable", "get_", "list_")), n))
    on_demand = _names("on-demand", package, first)
    assert on_demand["names"] == full["names"]
    single = _names("on-demand", package, [one])
    assert single["loaded"] == [f"{package}.{m}" for m in modules]
    assert len(full["loaded"]) > len(single["loaded"])


def test_an_output_function_loads_only_its_own_module() -> None:
    """``get_x_output`` lives in ``get_x``: reading it must not run the subpackage's whole ``__init__``."""
    full = _names("full", "pulumi_azure_native.search")
    assert full["names"]["get_service_output"][0] == "function"
    found = _names("on-demand", "pulumi_azure_native.search", ["get_service_output"])
    assert found["names"]["get_service_output"] == full["names"]["get_service_output"]
    assert "pulumi_azure_native.search.get_service" in found["loaded"]
    assert len(found["loaded"]) < len(full["loaded"]) / 2


def test_module_names_follow_the_generator() -> None:
    assert module_name_of("SqlResourceSqlContainer") == "sql_resource_sql_container"
    assert module_name_of("SqlResourceSqlContainerArgs") == "sql_resource_sql_container"
    assert module_name_of("AFDOriginGroup") == "afd_origin_group"
    assert module_name_of("get_database_account") == "get_database_account"
    assert module_name_of("get_database_account_output") == "get_database_account"
    assert module_candidates("DeploymentInitArgs") == ["_inputs", "deployment", "Deployment", "_enums"]


def _as_sets(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Dependency lists come from sets (their order varies between processes): compared as sets, by URN. Type-only
    alias specs are set aside: the stock SDK adds one per earlier API version, which the offline run leaves out."""
    type_only = {f: v for f, v in dataclasses.asdict(AliasSpec()).items() if f != "type"}
    normalised = json.loads(json.dumps(resources, default=list))
    for r in normalised:
        r["dependencies"] = sorted(r["dependencies"])
        r["property_dependencies"] = {k: sorted(v) for k, v in r["property_dependencies"].items()}
        r["alias_specs"] = [a for a in r.get("alias_specs", []) if {f: a[f] for f in type_only} != type_only]
    return {r["urn"]: r for r in normalised}


FAILING_APPLY = """
import pulumi

pulumi.export("ratio", pulumi.Output.from_input(1).apply(lambda one: one / 0))
"""


@pytest.mark.parametrize("stock_sdk", [True, False])
def test_an_output_that_fails_fails_the_run_with_either_wait(tmp_path: Path, stock_sdk: bool) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: azure-dr\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(FAILING_APPLY)
    # The program's own failure: one line naming the exception and the program's line (drctl exits 2).
    with pytest.raises(
        engine.ProgramError, match=r"^stack failing: the program failed: ZeroDivisionError: .*__main__\.py:\d+\)$"
    ):
        engine.run_stack(StackFile("failing", tmp_path / "Pulumi.failing.yaml", {}), {}, tmp_path, stock_sdk=stock_sdk)


def test_sdk_patches_apply_only_to_the_tested_pulumi_range() -> None:
    """The patches reach into pulumi's internals: outside the tested range the engine runs the stock SDK."""
    from importlib import metadata

    from azure_dr.cli import sdk

    assert sdk.patches_apply(), f"pulumi {metadata.version('pulumi')} is outside TESTED_PULUMI: test it, then widen"
    low, high = sdk.TESTED_PULUMI
    assert sdk.tested(".".join(map(str, low)) + ".0") and not sdk.tested(".".join(map(str, high)) + ".0")
    assert not sdk.tested("3.199.0") and not sdk.tested("4.0.0") and sdk.tested("3.272.1rc1")


# -- with and without every speed-up ------------------------------------------------------------------------------

STOCK = """
import contextlib, dataclasses, io, json, sys
from azure_dr.cli.engine import check
from azure_dr.cli.engine import programs as engine
engine.patches_apply = lambda: False  # the stock SDK: aliases, stack traces, the stock wait, whole subpackages
from azure_dr.cli import commands
from azure_dr.cli.report import posture, render

root = engine.ROOT
plans = {p.stack: p for p in engine.plan_stacks(None, root)}
engine.plan_stacks = lambda wanted=None, *_, **__: [plans[n] for n in engine.plan_order(root, wanted)]

def printed(*args):  # the library's commands: the pack in its own process, the collector as Python sets it
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = commands.main(["--root", str(root), *args])
    return [status, out.getvalue()]

print(json.dumps({
    "plans": {n: {"resources": [dataclasses.asdict(r) for r in p.resources], "outputs": p.outputs,
                  "text": render.plan_text(p)} for n, p in plans.items()},
    "plan --check --json": printed("plan", "--check", "--json"),
    "check dr": printed("check", "dr"),
}, default=list))
"""


@pytest.fixture(scope="session")
def stock() -> dict[str, Any]:
    """The shipped pair planned and checked with none of the speed-ups, in a process of its own (once a module's
    SDK is loaded on demand, it stays so); once per session: one worker runs this file (tests/conftest.py)."""
    run = subprocess.run([sys.executable, "-c", STOCK], capture_output=True, text=True, check=True, cwd=engine.ROOT)
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def test_the_shipped_plans_are_the_same_with_the_stock_sdk(
    shipped: dict[str, StackPlan], stock: dict[str, Any]
) -> None:
    """Every field of every registration, the exports and the rendered plan: the engine as it runs (SDK version
    aliases and stack traces left out, linear wait, modules on demand with annotations as text) against the stock
    SDK with whole subpackages imported."""
    assert set(stock["plans"]) == set(shipped)
    for name, plan in shipped.items():
        reference = stock["plans"][name]
        assert _as_sets([dataclasses.asdict(r) for r in plan.resources]) == _as_sets(reference["resources"]), name
        assert json.loads(json.dumps(plan.outputs)) == reference["outputs"]
        assert render.plan_text(plan) == reference["text"]


def _canonical(value: Any) -> Any:
    """A plan document with registration order taken out: resources sorted by URN, URN lists sorted (the stock
    SDK's worker threads decide the order resources register in, from run to run; ``sdk.inline_calls`` makes it the
    same on every run, but not the stock order)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        if items and all(isinstance(v, dict) and "urn" in v for v in items):
            return sorted(items, key=lambda v: str(v["urn"]))
        if items and all(isinstance(v, str) and v.startswith("urn:") for v in items):
            return sorted(items)
        return items
    return value


@pytest.mark.parametrize("command", ["plan --check --json", "check dr"])
def test_drctl_answers_the_same_with_and_without_the_speed_ups(command: str, stock: dict[str, Any]) -> None:
    """The console script (everything above, the pack's servicer in-process, the collector off) against the
    library with none of it: the check's report the same bytes, the plan the same document once registration order
    is taken out."""
    fast = subprocess.run(
        [sys.executable, "-m", "azure_dr.cli", "--root", str(engine.ROOT), *command.split()],
        capture_output=True,
        text=True,
        cwd=engine.ROOT,
        timeout=600,
    )
    status, printed = stock[command]
    assert (fast.returncode, fast.stderr) == (status, "") == (0, "")
    if not command.endswith("--json"):
        assert fast.stdout == printed
        return
    document = json.loads(fast.stdout)
    assert _canonical(document) == _canonical(json.loads(printed))
    assert json.dumps(document["check"]) == json.dumps(json.loads(printed)["check"])  # the report in its order
    assert [s["stack"] for s in document["check"]["stacks"]] == ["primary", "dr"]
    assert sum(len(s["resources"]) for s in document["stacks"]) > 150


PACK_RESPONSES = """
import json, pickle, sys
from azure_dr.cli.engine import analyzer, programs
from azure_dr.cli.engine.pack_inprocess import InProcessPack

plans, objectives = pickle.loads(sys.stdin.buffer.read())

def responses(kind):
    sent = []
    with kind(programs.ROOT / "policies", project="azure-dr") as pack:
        call = pack._call
        def recording(method, request):
            answer = call(method, request)
            sent.append([method, answer.SerializeToString(deterministic=True).hex()])
            return answer
        pack._call = recording
        pack.info()
        for plan, config in zip(plans, objectives):
            pack.configure(config)
            pack.analyze_stack(plan)
    return sent

print(json.dumps({"process": responses(analyzer.PolicyPackProcess), "in-process": responses(InProcessPack)}))
"""


def test_the_packs_servicer_answers_the_same_in_process_as_in_its_own_process(shipped: dict[str, StackPlan]) -> None:
    """Every answer (GetAnalyzerInfo, Configure, each Analyze and AnalyzeStack) serialised, from the pack's own
    process and from its servicer run in-process: the same bytes (in a subprocess: loading the pack's rules changes
    the servicer class for the rest of the process). The plans carry mandatory and advisory violations, an
    exemption and not-applicable answers."""
    tags = {"azure-dr:policy-exempt": "pg-backup-retention", "azure-dr:policy-exempt-reason": "a dev copy"}
    wrong = {
        **with_block("primary", "postgres", geo_redundant_backup="Disabled", backup_retention_days=7),
        "azure-dr:cosmos": '{"multi_region": false}',
        "azure-dr:tags": json.dumps(tags),
    }
    plans = [*shipped.values(), plan_with({"primary": wrong}, ["primary"])["primary"]]
    configs = [check.objectives_config(posture.config_of(load_stack(engine.ROOT, p.stack))) for p in plans]
    run = subprocess.run(
        [sys.executable, "-c", PACK_RESPONSES],
        input=pickle.dumps((plans, configs)),
        capture_output=True,
        check=True,
        cwd=engine.ROOT,
    )
    answers = json.loads(run.stdout)
    assert answers["in-process"] == answers["process"]
    methods = [method for method, _ in answers["process"]]
    assert methods.count("AnalyzeStack") == 3 and methods.count("Analyze") > 250
    non_empty = {method for method, body in answers["process"] if body}
    assert {"GetAnalyzerInfo", "Analyze", "AnalyzeStack"} <= non_empty  # violations and not-applicable answers


# -- class bodies: annotations kept as text ------------------------------------------------------------------------

GENERATED = b"""
import sys
from typing import Optional
if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
class ThingArgsDict(TypedDict):
    name: str
    size: NotRequired[Optional[int]]
def make(name: Optional[str] = None, *, size: "Optional[int]" = None) -> Optional[str]:
    return name
"""


def _module(code: Any, *, stand_in: bool) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "pulumi_azure_native.example"}
    if stand_in:
        namespace[class_bodies.STAND_IN] = class_bodies.DeferredTypedDict
    exec(code, namespace)
    return namespace


def test_transformed_sdk_code_keeps_annotations_as_text_and_types_the_same() -> None:
    stock = _module(compile(GENERATED, "example.py", "exec", dont_inherit=True), stand_in=False)  # as shipped
    deferred = _module(class_bodies.transformed_code(GENERATED, "example.py"), stand_in=True)
    assert deferred["make"].__annotations__["return"] == "Optional[str]"  # not evaluated when defined
    assert typing.get_type_hints(deferred["make"]) == typing.get_type_hints(stock["make"])
    made, real = deferred["ThingArgsDict"], stock["ThingArgsDict"]
    assert typing.is_typeddict(made) and typing.is_typeddict(real)
    assert (made.__required_keys__, made.__optional_keys__, made.__total__) == (
        real.__required_keys__,
        real.__optional_keys__,
        real.__total__,
    )
    assert typing.get_type_hints(made, deferred) == typing.get_type_hints(real)  # read in the module, as pulumi does
    assert type(made(name="x")) is type(real(name="x")) is dict


def test_transformed_sdk_code_is_cached_beside_the_module_only_where_bytecode_may_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "example.py"
    source.write_bytes(GENERATED)
    cached = Path(class_bodies.cache_path(str(source)))
    loader = class_bodies.DeferredAnnotationsLoader("pulumi_azure_native.example", str(source))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    stock = loader.get_code("pulumi_azure_native.example")
    assert not cached.exists() and stock is not None
    assert "make" in _module(stock, stand_in=True)  # no cache and no writing: compiled as shipped
    assert _module(stock, stand_in=True)["make"].__annotations__["return"] == typing.Optional[str]  # noqa: UP045
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    code = loader.get_code("pulumi_azure_native.example")
    assert cached.is_file() and cached.name.endswith(f".opt-{class_bodies.CACHE_TAG}.pyc")
    assert not Path(importlib.util.cache_from_source(str(source))).exists()  # the standard .pyc is left alone
    assert _module(code, stand_in=True)["make"].__annotations__["return"] == "Optional[str]"
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # now cached: used even where nothing is written
    again = loader.get_code("pulumi_azure_native.example")
    assert again is not None and _module(again, stand_in=True)["make"].__annotations__["return"] == "Optional[str]"
    source.write_bytes(GENERATED.replace(b"return name", b"return None"))  # a changed source is compiled again
    os.utime(source, (1, 1))
    assert class_bodies._read_cache(str(source)) is None


# -- classes built on first use --------------------------------------------------------------------------------------

LAZY_SOURCE = b'''import pulumi
from ._enums import *

__all__ = ["FirstArgs", "Second"]

@pulumi.input_type
class FirstArgs:
    """A docstring
with a line in the first column."""
    def __init__(__self__, *, second: "Optional[Second]" = None):
        pass

# a comment between classes
class Second:
    pass
'''


def test_an_sdk_modules_classes_are_cut_out_and_built_in_its_namespace_on_first_use() -> None:
    source, stars = lazy_classes.without_star_imports(LAZY_SOURCE)
    assert stars == ("_enums",) and b"import *" not in source and source.count(b"\n") == LAZY_SOURCE.count(b"\n")
    split = lazy_classes.split_classes(source)
    assert set(split.blocks) == {"FirstArgs", "Second"}
    assert split.blocks["FirstArgs"][0] == 5 and split.blocks["FirstArgs"][1].startswith(b"@pulumi.input_type\n")
    assert b"with a line in the first column" in split.blocks["FirstArgs"][1]
    assert b"class " not in split.rest and split.rest.count(b"\n") == source.count(b"\n")  # lines keep their numbers
    module = types.ModuleType("pulumi_azure_native.example._inputs")
    deferred = {name: compile(b"\n" * line + text, "x.py", "exec") for name, (line, text) in split.blocks.items()}
    lazy_classes.attach(module, deferred)
    exec(compile(split.rest, "x.py", "exec"), vars(module))
    assert "FirstArgs" not in vars(module) and "FirstArgs" in dir(module)
    first = module.FirstArgs
    assert vars(module)["FirstArgs"] is first and first.__module__ == module.__name__
    assert first.__init__.__code__.co_firstlineno == 10  # where the source has it
    with pytest.raises(AttributeError):
        module.Third  # noqa: B018


def test_annotations_find_what_the_star_imports_bound_and_the_modules_own_names_first() -> None:
    enums = types.ModuleType("pulumi_azure_native.example._enums")
    enums.__all__ = ["Kind", "Shared"]  # type: ignore[attr-defined]
    enums.Kind, enums.Shared, enums.Hidden = "kind-enum", "from-enums", "not-exported"  # type: ignore[attr-defined]
    sys.modules[enums.__name__] = enums
    try:
        own = {"Shared": "own", lazy_classes.STARS: ("_enums",)}
        sources = lazy_classes.star_sources(["pulumi_azure_native.example.thing"], [own])
        globalns = lazy_classes.SdkGlobals(own, sources)
        names = lazy_classes.SdkLocals({"Output": "local"}, globalns)
        assert eval("(Kind, Shared, Output)", globalns, names) == ("kind-enum", "own", "local")
        with pytest.raises(NameError):
            eval("Hidden", globalns, names)  # not in __all__: a star import would not have bound it
    finally:
        del sys.modules[enums.__name__]


LAZY_PULUMI = """
import sys
from azure_dr.cli.sdk import lazy_pulumi
lazy_pulumi.load_lazily()
import pulumi
print(*(type(sys.modules[name]).__name__ for name in sorted(lazy_pulumi.DEFERRED)))
from pulumi.automation import LocalWorkspace
from pulumi.dynamic import ResourceProvider
print(LocalWorkspace.__module__, ResourceProvider.__module__, type(sys.modules["pulumi.automation"]).__name__)
"""


def test_the_console_script_loads_pulumis_automation_api_only_when_used() -> None:
    """``import pulumi`` binds the Automation API and dynamic providers without running them; the first name read
    loads the real module, the same classes (in a fresh interpreter: this one imported pulumi long ago)."""
    run = subprocess.run([sys.executable, "-c", LAZY_PULUMI], capture_output=True, text=True, check=True)
    deferred, loaded = run.stdout.splitlines()
    assert deferred == "_LazyModule _LazyModule"
    assert loaded == "pulumi.automation._local_workspace pulumi.dynamic.dynamic module"


def test_a_monitor_call_made_inline_runs_as_on_a_worker_thread() -> None:
    """The mock monitor serialises with ``_sync_await`` inside each call: inline, the call sees no running loop and
    gets a loop of its own, as on the SDK's worker thread (pumping the program's own loop from inside one of its
    tasks broke a grown project's peer reads); the answer comes back through the awaiting coroutine."""
    from pulumi.runtime.sync_await import _sync_await

    from azure_dr.cli.sdk.inline_calls import inline_calls

    seen: dict[str, Any] = {}

    def call() -> int:
        try:
            asyncio.get_running_loop()
            seen["running"] = True
        except RuntimeError:
            seen["running"] = False
        seen["thread"] = threading.get_ident()
        return _sync_await(asyncio.sleep(0, result=5))

    async def program() -> tuple[int, asyncio.AbstractEventLoop]:
        loop = asyncio.get_running_loop()
        with inline_calls(loop):
            answer = await loop.run_in_executor(None, call)
        return answer, loop

    policy = asyncio.get_event_loop_policy()
    current = getattr(policy._local, "_loop", None)  # type: ignore[attr-defined]
    loop = asyncio.new_event_loop()
    try:
        answer, running = loop.run_until_complete(program())
    finally:
        loop.close()
    assert answer == 5 and running is loop
    assert seen == {"running": False, "thread": threading.get_ident()}
    assert getattr(policy._local, "_loop", None) is current  # type: ignore[attr-defined]  # the thread's loop kept


def test_property_types_are_read_when_asked_and_are_the_sdks_own() -> None:
    """``sdk.lazy_hints``: for resource, input and output classes of both SDKs, the maps pulumi reads a class's
    property types from hold the same keys, in the same order, with the same values as pulumi's own functions
    give; and reading one property evaluates one getter's annotation, not the class's every one."""
    from pulumi import _types
    from pulumi_azure_native import cosmosdb, dbforpostgresql
    from pulumi_kubernetes.apps.v1 import Deployment

    from azure_dr.cli.sdk import lazy_hints

    assert getattr(_types._raw_return_hints, "lazy", False), "installed with the on-demand SDK loading"
    classes: list[type] = [
        dbforpostgresql.Server,
        cosmosdb.DatabaseAccount,
        Deployment,
        dbforpostgresql.outputs.HighAvailabilityResponse,  # type: ignore[attr-defined]
        dbforpostgresql.StorageArgs,
    ]
    unused = cosmosdb.CassandraCluster  # a class no plan of the suite reads (its map is still unread)
    cluster = _types._raw_return_hints(unused)
    assert not cluster._values and len(_types._py_properties(unused)) > 5  # type: ignore[attr-defined]
    cluster.get("provisioningState")
    assert list(cluster._values) == ["provisioningState"]  # type: ignore[attr-defined]  # one getter read

    def lazy(cls: type) -> list[Any]:
        found = [list(_types._raw_return_hints(cls).items()), list(_types._types_from_py_properties(cls).items())]
        return [*found, list(_types.resource_types(cls).items())] if issubclass(cls, pulumi.Resource) else found

    def stock(cls: type) -> list[Any]:
        replaced = {name: getattr(_types, name) for name in lazy_hints.STOCK}
        for name, function in lazy_hints.STOCK.items():
            setattr(_types, name, function)
        try:
            return lazy(cls)
        finally:
            for name, function in replaced.items():
                setattr(_types, name, function)

    for cls in classes:
        assert lazy(cls) == stock(cls), cls.__qualname__
        assert lazy(cls)[0], cls.__qualname__  # every class here has typed properties
