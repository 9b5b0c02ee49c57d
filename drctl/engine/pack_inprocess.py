"""The policy pack's own servicer, run inside the ``drctl`` process instead of a process of its own.

A one-shot ``drctl check`` spends a quarter of its time starting the pack: a second interpreter importing pulumi,
gRPC and the rules, then a socket per call (``benchmarks/README.md``). ``InProcessPack`` runs the pack's
``__main__.py`` here as ``python -m pulumi.policy`` would, in the pack's directory with the pack's environment,
and keeps the ``pulumi_policy`` servicer its ``PolicyPack(...)`` builds instead of letting it serve; each call then
goes to that servicer with the request exactly as gRPC would deliver it (serialised and parsed again) and the
pack's environment set, and the pack's output is kept from drctl's. The servicer, the rules and the requests are
the ones the process would get, so are the answers (``tests/test_perf_engine.py`` compares them byte for byte).

Only the console script uses it (``azure_dr.cli.launch``): it changes process-wide state (environment, working
directory, pulumi's runtime settings) while a call runs, which a one-shot process can afford. Anything the capture
does not recognise (another pulumi_policy, a pack that fails to load) falls back to the pack's own process.
"""

from __future__ import annotations

import contextlib
import io
import os
import runpy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped,unused-ignore]

from .analyzer import PolicyPackError, PolicyPackProcess

#: What the pack's process environment sets (``PolicyPackProcess._env``), applied around each in-process call.
PACK_ENVIRONMENT = ("PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_ORGANIZATION", "PULUMI_DRY_RUN", "PULUMI_CONFIG")


class _Served(Exception):
    """Raised by the stand-in server's ``start``: ``PolicyPack`` built its servicer and would now serve it."""


class _CapturingServer:
    """What ``PolicyPack.__init__`` gets from ``grpc.server``: it records nothing and stops the constructor."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None

    def add_insecure_port(self, address: str) -> int:
        return 0

    def start(self) -> None:
        raise _Served


class _RpcError(grpc.RpcError):  # type: ignore[misc]
    """A servicer's exception as the gRPC client would see it (``details`` names the exception)."""

    def __init__(self, method: str, exc: BaseException) -> None:
        super().__init__(f"{method}: {exc}")
        self._details = f"Exception calling application: {exc}"

    def code(self) -> Any:
        return grpc.StatusCode.UNKNOWN

    def details(self) -> str:
        return self._details


@contextlib.contextmanager
def _pack_context(directory: Path, environment: Mapping[str, str]) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """The pack's working directory and environment, and its output kept apart, for the duration of one step."""
    saved = {key: os.environ.get(key) for key in PACK_ENVIRONMENT}
    cwd = os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    os.environ.update({key: environment[key] for key in PACK_ENVIRONMENT if key in environment})
    os.chdir(directory)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield out, err
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def load_servicer(pack_dir: Path, environment: Mapping[str, str]) -> Any:
    """Run the pack's ``__main__.py`` and return the servicer its ``PolicyPack`` built (PolicyPackError if none)."""
    import pulumi_policy.policy as policy_module

    captured: list[Any] = []
    module: Any = policy_module
    saved = module.grpc, module.analyzer_pb2_grpc

    class _Grpc:
        def __getattr__(self, name: str) -> Any:
            return _CapturingServer if name == "server" else getattr(grpc, name)

    class _Registration:
        def __getattr__(self, name: str) -> Any:
            if name == "add_AnalyzerServicer_to_server":
                return lambda servicer, server: captured.append(servicer)
            return getattr(saved[1], name)

    module.grpc, module.analyzer_pb2_grpc = _Grpc(), _Registration()
    try:
        with _pack_context(pack_dir, environment) as (_, err):
            runpy.run_path(str(pack_dir), run_name="__main__")
    except _Served:
        pass
    except (Exception, SystemExit) as exc:  # the pack's own error: its own process reports it
        raise PolicyPackError(f"policy pack {pack_dir} failed to load: {exc}") from exc
    finally:
        module.grpc, module.analyzer_pb2_grpc = saved
    if len(captured) != 1:
        raise PolicyPackError(f"policy pack {pack_dir} built {len(captured)} servicers; expected one {err.getvalue()}")
    return captured[0]


class _DirectStub:
    """The ``AnalyzerStub`` interface, answered by the servicer in this process."""

    def __init__(self, servicer: Any, pack_dir: Path, environment: Mapping[str, str]) -> None:
        self.servicer = servicer
        self.pack_dir = pack_dir
        self.environment = dict(environment)
        self.output: list[str] = []

    def __getattr__(self, method: str) -> Any:
        implementation = getattr(self.servicer, method)

        def call(request: Any, timeout: float | None = None) -> Any:
            delivered = type(request).FromString(request.SerializeToString())  # as gRPC hands it over
            try:
                with _pack_context(self.pack_dir, self.environment) as (out, err):
                    try:
                        return implementation(delivered, None)
                    finally:
                        self.output.extend((out.getvalue(), err.getvalue()))
            except Exception as exc:
                raise _RpcError(method, exc) from exc

        return call


class InProcessPack(PolicyPackProcess):
    """``PolicyPackProcess`` whose pack runs in this process (see the module docstring): the same calls and answers.
    A pack whose servicer cannot be captured runs in its own process instead, which reports any error of its own."""

    def launch(self) -> None:
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        self.launch_env = self._env()

    def start(self) -> None:
        if self._stub is not None:
            return
        self.launch()
        environment = {k: v for k, v in self.launch_env.items() if k in PACK_ENVIRONMENT}
        try:
            servicer = load_servicer(self.pack_dir, environment)
        except PolicyPackError:
            PolicyPackProcess.launch(self)
            self._connect()
            return
        self._stub = _DirectStub(servicer, self.pack_dir, environment)

    @property
    def stderr(self) -> str:
        stub = self._stub
        return "".join(stub.output[1::2]) if isinstance(stub, _DirectStub) else super().stderr

    def close(self) -> None:
        if isinstance(self._stub, _DirectStub):
            self._stub = None
        super().close()
