"""Policy results as a SARIF 2.1.0 log, so GitHub code scanning (or any SARIF viewer) can show them.

A policy violation has no line of code: it belongs to a resource of a stack. The result points at the stack's
config file (``Pulumi.<stack>.yaml``, line 1) as its physical location, and names the resource URN as its logical
location, so alerts are grouped per stack and stay stable across runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from drctl.analyzer import PackReport, PolicyInfo, PolicyResult, parse_urn

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "azure-dr policy pack"
FINGERPRINT_KEY = "azureDrPolicyViolation/v1"

#: Pulumi enforcement level -> SARIF level. A violation that survived remediation blocks like a mandatory one.
_SARIF_LEVEL = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}
#: GitHub's ``security-severity`` scale (0-10) for the pack's severities.
_SECURITY_SEVERITY = {"low": "3.0", "medium": "5.5", "high": "8.0", "critical": "9.5"}


def sarif_level(enforcement_level: str) -> str:
    """The SARIF ``level`` of a Pulumi enforcement level (``note`` for anything unknown)."""
    return _SARIF_LEVEL.get(enforcement_level, "note")


def fingerprint(stack: str, policy_name: str, urn: str) -> str:
    """Stable identity of a violation: the same policy on the same resource of the same stack."""
    return hashlib.sha256(f"{stack}\0{policy_name}\0{urn}".encode()).hexdigest()


def _rule(policy: PolicyInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "enforcementLevel": policy.enforcement_level,
        "policyType": policy.policy_type,
        "tags": ["pulumi", "crossguard", policy.policy_type],
    }
    if policy.severity:
        properties["severity"] = policy.severity
        if policy.severity in _SECURITY_SEVERITY:
            properties["security-severity"] = _SECURITY_SEVERITY[policy.severity]
    description = policy.description or policy.name
    rule: dict[str, Any] = {
        "id": policy.name,
        "shortDescription": {"text": description.splitlines()[0]},
        "fullDescription": {"text": description},
        "help": {"text": f"{description}\n\nPolicy '{policy.name}' ({policy.enforcement_level})."},
        "defaultConfiguration": {"level": sarif_level(policy.enforcement_level)},
        "properties": properties,
    }
    if policy.display_name:
        rule["name"] = policy.display_name
    return rule


def _result(result: PolicyResult, rule_index: int, uri: str) -> dict[str, Any]:
    text = result.message or result.description or result.policy_name
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": 1},
        }
    }
    if result.urn:
        _, name = parse_urn(result.urn)
        location["logicalLocations"] = [
            {"fullyQualifiedName": result.urn, "name": name or result.urn, "kind": "resource"}
        ]
    where = f" ({result.urn})" if result.urn else ""
    properties: dict[str, Any] = {
        "stack": result.stack,
        "urn": result.urn,
        "policyPack": result.policy_pack,
        "enforcementLevel": result.enforcement_level,
    }
    if result.severity:
        properties["severity"] = result.severity
    return {
        "ruleId": result.policy_name,
        "ruleIndex": rule_index,
        "level": sarif_level(result.enforcement_level),
        "message": {"text": f"[stack {result.stack}] {text}{where}"},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(result.stack, result.policy_name, result.urn)},
        "properties": properties,
    }


#: The rule a stack that failed to plan is reported under: its policies never ran, so the run is not a pass.
PLAN_ERROR_RULE = "stack-failed-to-plan"


def _plan_error(stack: str, message: str, line: int, uri: str, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": PLAN_ERROR_RULE,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"[stack {stack}] not checked: {message}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(stack, PLAN_ERROR_RULE, "")},
        "properties": {"stack": stack},
    }


def to_sarif(
    report: PackReport,
    source_files: Mapping[str, str] | None = None,
    plan_errors: Mapping[str, tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: a rule per policy and a result per violation.

    ``source_files`` maps a stack to the repository-relative path of its config file; by default
    ``Pulumi.<stack>.yaml``. ``plan_errors`` maps a stack that failed to plan to its message and the line of its
    config file the message points at: each is an error result, and the run is marked unsuccessful.
    """
    files = dict(source_files or {})
    policies = list(report.policies)
    index = {p.name: i for i, p in enumerate(policies)}
    for r in report.results:  # a result of a policy the pack did not list still needs a rule to point at
        if r.policy_name not in index:
            index[r.policy_name] = len(policies)
            policies.append(
                PolicyInfo(r.policy_name, r.description, r.enforcement_level, r.severity, "", "resource", {})
            )
    results = [
        _result(r, index[r.policy_name], files.get(r.stack, f"Pulumi.{r.stack}.yaml").replace("\\", "/"))
        for r in report.results
    ]
    rules = [_rule(p) for p in policies]
    if plan_errors:
        rules.append(
            {
                "id": PLAN_ERROR_RULE,
                "shortDescription": {"text": "The stack failed to plan, so no policy was checked"},
                "defaultConfiguration": {"level": "error"},
            }
        )
        for stack, (message, line) in plan_errors.items():
            uri = files.get(stack, f"Pulumi.{stack}.yaml").replace("\\", "/")
            results.append(_plan_error(stack, message, line, uri, len(rules) - 1))
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": rules}
    if report.pack_version:
        driver["version"] = report.pack_version
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "utf16CodeUnits",
                "invocations": [{"executionSuccessful": not plan_errors}],
                "results": results,
                "properties": {"policyPack": report.pack_name, "policyPackVersion": report.pack_version},
            }
        ],
    }
