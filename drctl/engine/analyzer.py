"""Drive a real CrossGuard policy pack over the Pulumi analyzer gRPC protocol, as the Pulumi CLI does.

The pack runs in its own process, started exactly like the CLI starts a Python pack
(``python -u -m pulumi.policy <engineAddress> <packDir>``, cwd = pack dir), and is fed the resources an
offline (mock) run recorded. That way a policy is judged by the very code path ``pulumi preview --policy-pack``
would use, with no cloud and no Pulumi service involved.
"""

from __future__ import annotations

import json
import math
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc  # type: ignore[import-untyped,unused-ignore]
from google.protobuf import empty_pb2, json_format, struct_pb2  # type: ignore[import-untyped,unused-ignore]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from ..stackfiles.yamlfile import YamlFileError, read_yaml
from .recording import RecordedResource, StackPlan

__all__ = [
    "PackReport",
    "PolicyInfo",
    "PolicyPackError",
    "PolicyPackProcess",
    "PolicyResult",
    "check_stacks",
    "discard_prestarted",
    "effective_policy_config",
    "open_pack",
    "prestart",
    "use_pack_kind",
]

#: Same ceiling as the CLI and pulumi_policy use: a stack's properties easily exceed gRPC's 4 MB default.
MAX_MESSAGE_BYTES = 1024 * 1024 * 400
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
LEVELS = ("advisory", "mandatory", "remediate", "disabled")


class PolicyPackError(RuntimeError):
    """The pack could not be started, or answered a call with an error."""


@dataclass(frozen=True)
class PolicyInfo:
    """One policy as the pack describes it in ``GetAnalyzerInfo``; what SARIF rules and config defaults come from."""

    name: str
    description: str
    enforcement_level: str
    severity: str
    display_name: str
    policy_type: str
    config_schema: dict[str, Any]
    remediation_steps: str = ""
    url: str = ""


@dataclass(frozen=True)
class PolicyResult:
    """One violation the pack reported, tied to the stack it was found in (the pack itself knows no stacks)."""

    stack: str
    policy_name: str
    policy_pack: str
    description: str
    message: str
    urn: str
    enforcement_level: str
    severity: str
    #: The stack config key (dotted, without the namespace) the result is about, when the rule knows it (the
    #: gate's rules): where it points in ``Pulumi.<stack>.yaml``.
    config_key: str = ""


@dataclass
class PackReport:
    """Everything one pack said about a set of stacks; the input of the SARIF writer and the CLI's exit code."""

    pack_name: str
    pack_version: str
    policies: list[PolicyInfo]
    results: list[PolicyResult] = field(default_factory=list)
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)
    #: The rules ``drctl check`` adds to the pack's (``engine.gate``): they judge the stack files together.
    gate_rules: list[PolicyInfo] = field(default_factory=list)

    @property
    def rules(self) -> list[PolicyInfo]:
        """The pack's rules and the gate's."""
        return [*self.policies, *self.gate_rules]

    @property
    def mandatory(self) -> list[PolicyResult]:
        """Results that would block ``pulumi up``."""
        return [r for r in self.results if r.enforcement_level == "mandatory"]

    @property
    def advisory(self) -> list[PolicyResult]:
        """Results that are only warnings."""
        return [r for r in self.results if r.enforcement_level == "advisory"]


# --------------------------------------------------------------------------------------------------------------
# Proto <-> Python conversions


def _level_name(value: int) -> str:
    """``MANDATORY`` -> ``mandatory``: the spelling of Pulumi's policy config files and the CLI output."""
    return str(analyzer_pb2.EnforcementLevel.Name(value)).lower()


def _level_value(name: str) -> Any:
    if name not in LEVELS:
        raise ValueError(f"{name!r} is not a valid enforcement level; expected one of {', '.join(LEVELS)}")
    return analyzer_pb2.EnforcementLevel.Value(name.upper())


def _severity_name(value: int) -> str:
    """``POLICY_SEVERITY_HIGH`` -> ``high``; unspecified -> ``""``."""
    name = str(analyzer_pb2.PolicySeverity.Name(value))
    return "" if name.endswith("UNSPECIFIED") else name.removeprefix("POLICY_SEVERITY_").lower()


def _policy_type_name(value: int) -> str:
    name = str(analyzer_pb2.PolicyType.Name(value))
    return name.removeprefix("POLICY_TYPE_").lower()


def _plain_json(value: Any) -> Any:
    """Make a recorded value fit a protobuf Struct: tuples become lists, anything exotic its ``str``.

    Numbers stay numbers: the Struct carries them as doubles, exactly as the engine sends them.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return value if not isinstance(value, float) or math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain_json(v) for v in value]
    return str(value)


def _struct(values: Mapping[str, Any] | None) -> Any:
    result = struct_pb2.Struct()
    if values:
        result.update(_plain_json(values))
    return result


def _dict_of(message: Any) -> dict[str, Any]:
    result: dict[str, Any] = json_format.MessageToDict(message)
    return result


def parse_urn(urn: str) -> tuple[str, str]:
    """``(type, name)`` of a URN ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``."""
    parts = urn.split("::", 3)
    if len(parts) != 4:
        return "", ""
    return parts[2].rsplit("$", 1)[-1], parts[3]


def split_provider_reference(reference: str) -> tuple[str, str]:
    """``(urn, id)`` of a provider reference ``<urn>::<id>`` as the engine stores it."""
    urn, sep, id_ = reference.rpartition("::")
    return (urn, id_) if sep else (reference, "")


def _options(res: RecordedResource) -> Any:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=res.protect,
        ignoreChanges=list(res.ignore_changes),
        deleteBeforeReplace=res.delete_before_replace,
        deleteBeforeReplaceDefined=res.delete_before_replace,
        additionalSecretOutputs=list(res.additional_secret_outputs),
        aliases=list(res.aliases),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
        parent=res.parent or "",
    )


def _provider(res: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> Any | None:
    """The resource's provider as the CLI describes it (type and name from the URN, its inputs if we saw it)."""
    if not res.provider:
        return None
    urn, _ = split_provider_reference(res.provider)
    type_, name = parse_urn(urn)
    registered = by_urn.get(urn)
    return analyzer_pb2.AnalyzerProviderResource(
        type=type_,
        name=name,
        urn=urn,
        properties=_struct(registered.inputs if registered else None),
    )


def _resource_fields(res: RecordedResource, by_urn: Mapping[str, RecordedResource], props: Any) -> dict[str, Any]:
    """What ``AnalyzeRequest`` and ``AnalyzerResource`` both carry about one resource."""
    return {
        "type": res.type,
        "properties": _struct(props),
        "urn": res.urn,
        "name": parse_urn(res.urn)[1] or res.name,
        "options": _options(res),
        "provider": _provider(res, by_urn),
    }


def analyze_request(res: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> Any:
    """The ``AnalyzeRequest`` the engine sends for one registration: its checked *inputs*."""
    return analyzer_pb2.AnalyzeRequest(**_resource_fields(res, by_urn, res.inputs))


def analyzer_resource(res: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> Any:
    """One ``AnalyzerResource`` of ``AnalyzeStack``: the resource's *outputs*, like the CLI's final state."""
    return analyzer_pb2.AnalyzerResource(
        **_resource_fields(res, by_urn, res.outputs),
        parent=res.parent or "",
        dependencies=list(res.dependencies),
        propertyDependencies={
            k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v)) for k, v in res.property_dependencies.items()
        },
    )


def analyzed_per_resource(res: RecordedResource) -> bool:
    """Whether ``Analyze`` runs for this resource: custom, not read, not the stack root, not a provider."""
    return res.custom and not res.read and res.type != ROOT_STACK_TYPE and not res.type.startswith(PROVIDER_TYPE_PREFIX)


def effective_policy_config(
    policies: Sequence[PolicyInfo],
    initial_config: Mapping[str, Mapping[str, Any]],
    policy_config: Mapping[str, Any] | None,
) -> dict[str, dict[str, Any]]:
    """The config the CLI sends in ``Configure``: schema defaults < pack ``initialConfig`` < user config.

    Each value is ``{"enforcementLevel": level, **properties}``. A user value may be a bare level string, and the
    key ``all`` sets the level of every policy, as in ``pulumi preview --policy-pack-config``.
    """
    result: dict[str, dict[str, Any]] = {}
    for policy in policies:
        props = {
            k: v["default"]
            for k, v in policy.config_schema.get("properties", {}).items()
            if isinstance(v, Mapping) and "default" in v
        }
        result[policy.name] = {"enforcementLevel": policy.enforcement_level, **props}

    def apply(config: Mapping[str, Any]) -> None:
        normalized: dict[str, dict[str, Any]] = {}
        for name, value in config.items():
            if isinstance(value, str):
                normalized[name] = {"enforcementLevel": value}
            elif isinstance(value, Mapping):
                normalized[name] = dict(value)
            else:
                raise ValueError(f"policy config for {name!r} must be a level string or an object, not {value!r}")
            level = normalized[name].get("enforcementLevel")
            if level is not None:
                _level_value(str(level))
        everything = normalized.get("all", {}).get("enforcementLevel")
        if everything:
            for entry in result.values():
                entry["enforcementLevel"] = everything
        for name, given in normalized.items():
            entry = result.setdefault(name, {})
            for k, v in given.items():
                if k != "enforcementLevel" or v:
                    entry[k] = v

    if initial_config:
        apply(initial_config)
    if policy_config:
        apply(policy_config)
    return result


# --------------------------------------------------------------------------------------------------------------
# The minimal engine a plugin is handed


class _Engine(engine_pb2_grpc.EngineServicer):
    """The ``pulumirpc.Engine`` service every plugin gets the address of: keeps logs, holds the root resource."""

    def __init__(self) -> None:
        self.logs: list[tuple[str, str, str]] = []
        self.root_resource = ""
        self._lock = threading.Lock()

    def Log(self, request: Any, context: Any) -> Any:
        severity = str(engine_pb2.LogSeverity.Name(request.severity)).lower()
        with self._lock:
            self.logs.append((severity, str(request.message), str(request.urn)))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn=self.root_resource)

    def SetRootResource(self, request: Any, context: Any) -> Any:
        self.root_resource = str(request.urn)
        return engine_pb2.SetRootResourceResponse()

    def RequirePulumiVersion(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


# --------------------------------------------------------------------------------------------------------------
# The pack process


class PolicyPackProcess:
    """A running policy pack and a gRPC client to it, started and stopped like the CLI does.

    Use as a context manager; start-up (a Python interpreter importing pulumi and the pack) is the slow part, so
    one process should serve every stack.
    """

    def __init__(
        self,
        pack_dir: Path | str,
        *,
        project: str = "",
        stack: str = "",
        organization: str = "organization",
        dry_run: bool = True,
        config: Mapping[str, str] | None = None,
        startup_timeout: float = 60.0,
        call_timeout: float = 120.0,
        python: str = sys.executable,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.project = project
        self.stack = stack
        self.organization = organization
        self.dry_run = dry_run
        self.config = dict(config or {})
        self.startup_timeout = startup_timeout
        self.call_timeout = call_timeout
        self.python = python
        self.engine = _Engine()
        self.engine_address = ""
        self.port = 0
        self.startup_seconds = 0.0
        self._stderr: list[str] = []
        self._stdout: list[str] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._server: Any = None
        self._channel: Any = None
        self._stub: Any = None
        self._policies: list[PolicyInfo] | None = None
        self._configured = False
        self._first_line: queue.Queue[str | None] = queue.Queue()
        self._stderr_done = threading.Event()
        self._started = 0.0
        self.launch_env: dict[str, str] = {}

    # -- lifecycle ------------------------------------------------------------------------------------------

    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def stderr(self) -> str:
        """What the pack wrote to stderr so far (a Python pack's ``pulumi.log`` lands here)."""
        return "".join(self._stderr)

    @property
    def logs(self) -> list[tuple[str, str, str]]:
        """``(severity, message, urn)`` of every ``Engine.Log`` call the pack made."""
        return list(self.engine.logs)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PULUMI_PROJECT=self.project,
            PULUMI_STACK=self.stack,
            PULUMI_ORGANIZATION=self.organization,
            PULUMI_DRY_RUN="true" if self.dry_run else "false",
            PULUMI_CONFIG=json.dumps(self.config),
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> None:
        """Start the engine service and the pack (unless ``launch`` already did), read the pack's port, connect."""
        if self._proc is None:
            self.launch()
        if self._stub is None:
            self._connect()

    def launch(self) -> None:
        """Start the engine service and spawn the pack, without waiting for it: it imports while we work."""
        if self._proc is not None:
            return
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        self._started = time.monotonic()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=_CHANNEL_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._server)
        engine_port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        self.engine_address = f"127.0.0.1:{engine_port}"
        self.launch_env = self._env()
        self._proc = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", self.engine_address, str(self.pack_dir)],
            cwd=self.pack_dir,
            env=self.launch_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        threading.Thread(target=self._pump_stdout, args=(self._first_line,), daemon=True).start()
        threading.Thread(target=self._pump_stderr, args=(self._stderr_done,), daemon=True).start()

    def _connect(self) -> None:
        assert self._proc is not None
        try:
            line = self._first_line.get(timeout=self.startup_timeout)
        except queue.Empty:
            self.close()
            raise PolicyPackError(
                f"policy pack {self.pack_dir} printed no port within {self.startup_timeout:.0f}s" + self._stderr_tail()
            ) from None
        if line is None or not line.strip().isdigit():
            self._proc.wait(timeout=10)
            self._stderr_done.wait(timeout=5)
            code = self._proc.returncode
            self.close()
            what = f"exited with code {code}" if line is None else f"printed {line.strip()!r} instead of a port"
            raise PolicyPackError(f"policy pack {self.pack_dir} {what}" + self._stderr_tail())
        self.port = int(line.strip())
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=_CHANNEL_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.startup_timeout)
        except grpc.FutureTimeoutError:
            self.close()
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not accept connections" + self._stderr_tail()
            ) from None
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self.startup_seconds = time.monotonic() - self._started

    def _pump_stdout(self, first_line: queue.Queue[str | None]) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stream = self._proc.stdout
        raw = stream.readline()
        first_line.put(raw.decode(errors="replace") if raw else None)
        for chunk in iter(stream.readline, b""):  # keep draining so a chatty pack never blocks on a full pipe
            self._stdout.append(chunk.decode(errors="replace"))

    def _pump_stderr(self, done: threading.Event) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for chunk in iter(self._proc.stderr.readline, b""):
            self._stderr.append(chunk.decode(errors="replace"))
        done.set()

    def _stderr_tail(self, limit: int = 4000) -> str:
        text = self.stderr.strip()
        if not text:
            return " (no stderr)"
        return ":\n" + (text if len(text) <= limit else "…" + text[-limit:])

    def close(self) -> None:
        """Stop the pack (terminate, then kill) and the engine service."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc is not None:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        if self._server is not None:
            self._server.stop(0)
            self._server = None
        self._stub = None

    # -- calls ----------------------------------------------------------------------------------------------

    def _call(self, method: str, request: Any) -> Any:
        if self._stub is None:
            raise PolicyPackError("policy pack is not running")
        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as err:
            detail = err.details() if hasattr(err, "details") else str(err)
            raise PolicyPackError(f"policy pack {method} failed: {detail}" + self._stderr_tail()) from err

    def info(self) -> tuple[str, str, list[PolicyInfo], dict[str, dict[str, Any]]]:
        """``(pack name, version, policies sorted by name, initialConfig)`` from ``GetAnalyzerInfo``.

        The version in PulumiPolicy.yaml wins over the pack's answer, as in the CLI (Python packs answer 0.0.1).
        """
        answer = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        policies = sorted(
            (
                PolicyInfo(
                    name=p.name,
                    description=p.description,
                    enforcement_level=_level_name(p.enforcementLevel),
                    severity=_severity_name(p.severity),
                    display_name=p.displayName,
                    policy_type=_policy_type_name(p.policy_type),
                    config_schema=_dict_of(p.configSchema),
                    remediation_steps=p.remediation_steps,
                    url=p.url,
                )
                for p in answer.policies
            ),
            key=lambda p: p.name,
        )
        initial: dict[str, dict[str, Any]] = {}
        for name, cfg in answer.initialConfig.items():
            # As the CLI reads it: an unset level arrives as 0, i.e. advisory.
            initial[name] = {"enforcementLevel": _level_name(cfg.enforcementLevel), **_dict_of(cfg.properties)}
        self._policies = policies
        return str(answer.name), self._yaml_version() or str(answer.version), policies, initial

    def _yaml_version(self) -> str:
        try:
            meta = read_yaml(self.pack_dir / "PulumiPolicy.yaml").data
        except YamlFileError:
            return ""
        return str(meta.get("version") or "") if isinstance(meta, dict) else ""

    def configure(self, policy_config: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
        """Send the effective per-policy config (defaults < initialConfig < ``policy_config``); return it."""
        _, _, policies, initial = self.info()
        effective = effective_policy_config(policies, initial, policy_config)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, values in effective.items():
            props = {k: v for k, v in values.items() if k != "enforcementLevel"}
            level = values.get("enforcementLevel") or "advisory"
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(enforcementLevel=_level_value(str(level)), properties=_struct(props))
            )
        self._call("Configure", request)
        self._configured = True
        return effective

    def configure_stack(self, plan: StackPlan, tags: Mapping[str, str] | None = None) -> None:
        """``ConfigureStack`` as the CLI sends it before analysing a stack (older packs may not implement it)."""
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=plan.stack,
            project=plan.project,
            organization=self.organization,
            dry_run=self.dry_run,
            tags=dict(tags or {}),
        )
        if self._stub is None:
            raise PolicyPackError("policy pack is not running")
        try:
            self._stub.ConfigureStack(request, timeout=self.call_timeout)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise PolicyPackError(f"policy pack ConfigureStack failed: {err.details()}") from err

    def analyze_stack(
        self, plan: StackPlan, *, per_resource: bool = True
    ) -> tuple[list[PolicyResult], list[tuple[str, str, str]]]:
        """Run every policy over one stack: ``Analyze`` per custom resource, then one ``AnalyzeStack``
        (only the latter, the stack policies, without ``per_resource``).

        Returns ``(results, not_applicable)``; a plan whose config was refused (``error``) yields nothing.
        """
        if plan.error is not None:
            return [], []
        if not self._configured:
            self.configure(None)
        self.configure_stack(plan)
        by_urn = {r.urn: r for r in plan.resources}
        results: list[PolicyResult] = []
        skipped: list[tuple[str, str, str]] = []
        for res in plan.resources:
            if not per_resource or not analyzed_per_resource(res):
                continue
            answer = self._call("Analyze", analyze_request(res, by_urn))
            self._collect(plan.stack, answer, results, skipped, default_urn=res.urn)
        stack_request = analyzer_pb2.AnalyzeStackRequest(
            resources=[analyzer_resource(r, by_urn) for r in plan.resources]
        )
        answer = self._call("AnalyzeStack", stack_request)
        self._collect(plan.stack, answer, results, skipped, default_urn="")
        return results, skipped

    @staticmethod
    def _collect(
        stack: str,
        answer: Any,
        results: list[PolicyResult],
        skipped: list[tuple[str, str, str]],
        default_urn: str,
    ) -> None:
        for d in answer.diagnostics:
            level = _level_name(d.enforcementLevel)
            if level == "remediate":  # the CLI downgrades a violation that survived remediation
                level = "mandatory"
            results.append(
                PolicyResult(
                    stack=stack,
                    policy_name=d.policyName,
                    policy_pack=d.policyPackName,
                    description=d.description,
                    message=d.message,
                    # Per resource, the CLI always attributes the violation to the analysed resource.
                    urn=default_urn or d.urn,
                    enforcement_level=level,
                    severity=_severity_name(d.severity),
                )
            )
        for na in answer.not_applicable:
            skipped.append((stack, str(na.policy_name), str(na.reason)))


# --------------------------------------------------------------------------------------------------------------
# Starting the pack early: it imports pulumi and the rules (a few tenths of a second) while the programs run

_prestarted: list[PolicyPackProcess] = []


def prestart(pack_dir: Path | str, *, project: str = "", stack: str = "") -> None:
    """Spawn the pack now; the next ``open_pack`` with the same pack, interpreter and environment adopts it."""
    pack = PolicyPackProcess(pack_dir, project=project, stack=stack)
    pack.launch()
    _prestarted.append(pack)


#: What ``open_pack`` starts when no prestarted pack matches (``use_pack_kind``).
_pack_kind: list[type[PolicyPackProcess]] = [PolicyPackProcess]


def use_pack_kind(kind: type[PolicyPackProcess]) -> None:
    """Make ``open_pack`` start packs of ``kind`` from now on (the console script: ``engine.pack_inprocess``)."""
    _pack_kind[0] = kind


def open_pack(pack_dir: Path | str, *, project: str = "", stack: str = "") -> PolicyPackProcess:
    """A prestarted pack launched exactly as this one would be (same command line and environment), else a new one.

    A prestarted pack that does not match is stopped: what the pack sees never depends on the guess.
    """
    wanted = _pack_kind[0](pack_dir, project=project, stack=stack)
    while _prestarted:
        candidate = _prestarted.pop()
        if (candidate.pack_dir, candidate.python, candidate.launch_env) == (
            wanted.pack_dir,
            wanted.python,
            wanted._env(),
        ):
            return candidate
        candidate.close()
    return wanted


def discard_prestarted() -> None:
    """Stop every prestarted pack nobody adopted (a plan that failed before its check)."""
    while _prestarted:
        _prestarted.pop().close()


def check_stacks(
    plans: Sequence[StackPlan] | Iterable[StackPlan],
    pack_dir: Path | str,
    policy_config: Mapping[str, Any] | None = None,
) -> PackReport:
    """Run one pack over several stacks with a single pack process (start-up dominates the cost)."""
    plans = list(plans)
    project = next((p.project for p in plans), "")
    stack = plans[0].stack if len(plans) == 1 else ""
    with PolicyPackProcess(pack_dir, project=project, stack=stack) as pack:
        name, version, policies, _ = pack.info()
        pack.configure(policy_config)
        report = PackReport(pack_name=name, pack_version=version, policies=policies)
        for plan in plans:
            results, skipped = pack.analyze_stack(plan)
            report.results.extend(results)
            report.not_applicable.extend(skipped)
    return report
