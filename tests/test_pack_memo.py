"""The pack converts a resource's properties once per analysis call (drpolicy/conversion_memo.py), with the
same results as pulumi_policy's one conversion per policy."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from azure_dr.cli.engine import analyzer
from azure_dr.cli.engine.recording import StackPlan
from tests import policy_harness  # noqa: F401  (puts policies/ on sys.path)

# isort: split
import pulumi_policy.policy as pulumi_policy_module

from drpolicy import conversion_memo
from drpolicy.catalogue import PACK_NAME, policies


def _requests(plan: StackPlan) -> tuple[list[Any], Any]:
    by_urn = {r.urn: r for r in plan.resources}
    checked = [r for r in plan.resources if analyzer.analyzed_per_resource(r)]
    per_resource = [analyzer.analyze_request(r, by_urn) for r in checked]
    stack = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer.analyzer_resource(r, by_urn) for r in checked])
    return per_resource, stack


def test_one_conversion_per_resource_and_the_same_results(
    shipped: dict[str, StackPlan], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = json_format.MessageToDict

    def counting(message: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(message, *args, **kwargs)

    monkeypatch.setattr(json_format, "MessageToDict", counting)
    servicer = pulumi_policy_module._PolicyAnalyzerServicer(
        PACK_NAME, "0.1.0", policies(), pulumi_policy_module.EnforcementLevel.ADVISORY
    )
    per_resource, stack = _requests(shipped["primary"])

    def run() -> list[str]:
        return [str(servicer.Analyze(r, None)) for r in per_resource] + [str(servicer.AnalyzeStack(stack, None))]

    monkeypatch.setattr(pulumi_policy_module, "json_format", json_format)  # the stock servicer
    stock = run()
    stock_calls, calls["n"] = calls["n"], 0
    with monkeypatch.context() as patched:
        patched.setattr(pulumi_policy_module._PolicyAnalyzerServicer, "_drpolicy_memo", False, raising=False)
        for name in ("Analyze", "AnalyzeStack"):
            patched.setattr(pulumi_policy_module._PolicyAnalyzerServicer, name, getattr(servicer, name).__func__)
        for name in ("_get_resource_options", "_get_provider_resource"):  # restored after the block too
            patched.setattr(pulumi_policy_module._PolicyAnalyzerServicer, name, getattr(servicer, name).__func__)
        for name in ("json_format", "deserialize_properties", "unknown_checking_proxy"):
            patched.setattr(pulumi_policy_module, name, getattr(pulumi_policy_module, name))
        conversion_memo.install()
        memoized = run()
    resources = len(per_resource)
    assert memoized == stock
    # once per resource in Analyze and once in AnalyzeStack (plus a provider's properties where there is one)
    assert 2 * resources <= calls["n"] < 3 * resources
    assert stock_calls > 10 * calls["n"]  # pulumi_policy converts per policy
