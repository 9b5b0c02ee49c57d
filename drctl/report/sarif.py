"""Policy results as a SARIF 2.1.0 log, so GitHub code scanning (or any SARIF viewer) can show them.

A policy violation belongs to a resource of a stack. The result points at the line of the stack's config file
(``Pulumi.<stack>.yaml``) that sets the offending value, or the line a default stands in for (the service block,
else ``config:``), so a pull request gets its annotation where the change is made; it names the resource URN as
its logical location. A file is named by its path from the repository's top level with ``uriBaseId``
``%SRCROOT%`` (``originalUriBaseIds`` says where that is), so a project in a subfolder is placed where it is
(GitHub Docs, "SARIF support for code scanning": ``artifactLocation.uri`` relative to the repository root).
Config keys are the project's own (its ``name``), so a renamed project's results land on its keys.

Fingerprints hash stack, rule and URN, so an alert keeps its identity across runs while the line moves. Exempted
violations are left out of the results by default (GitHub shows a suppressed result as an open alert) and listed
in the run's ``properties.exemptions`` with their reason and expiry; ``include_exempt`` adds them as results with a
``suppressions`` entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..engine.analyzer import PackReport, PolicyInfo, PolicyResult, parse_urn
from ..engine.check import Exemption, exempt_entries, message, not_evaluated
from ..engine.recording import StackPlan
from ..stackfiles.files import project_name
from ..stackfiles.lines import locate
from ..stackfiles.project import policy_pack, repository_root
from ..stackfiles.yamlfile import YamlFileError
from . import rulebook

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


#: The stack config block (``azure-dr:<block>``) that configures each resource type: where a violation of a rule
#: that names no more specific key points.
CONFIG_BLOCK = {
    "azure-native:dbforpostgresql:Server": "postgres",
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": "postgres",
    "azure-native:redis:Redis": "redis",
    "azure-native:redis:LinkedServer": "redis",
    "azure-native:storage:StorageAccount": "storage",
    "azure-native:storage:BlobServiceProperties": "storage",
    "azure-native:cosmosdb:DatabaseAccount": "cosmos",
    "azure-native:containerregistry:Registry": "registry",
    "azure-native:containerregistry:Replication": "registry",
    "azure-native:keyvault:Vault": "keyvault",
    "azure-native:operationalinsights:Workspace": "monitoring",
    "azure-native:cdn:Profile": "routing",
    "azure-native:cdn:AFDOriginGroup": "routing",
    "azure-native:cdn:AFDOrigin": "routing",
    "azure-native:cdn:Route": "routing",
    "azure-native:trafficmanager:Profile": "routing",
    "azure-native:trafficmanager:Endpoint": "routing",
}
_BLOCKS = frozenset(CONFIG_BLOCK.values())
#: The shipped project's namespace; a result is located under the running project's own (``project_name``).
NAMESPACE = "azure-dr"
SRCROOT = "%SRCROOT%"


def _key_path(key: str, namespace: str = NAMESPACE) -> list[str]:
    first, _, tail = key.partition(".")
    # A tag name holds a colon and may hold dots: after ``tags.`` the rest is one key.
    rest = [tail] if first == "tags" and tail else [part for part in tail.split(".") if part]
    return ["config", f"{namespace}:{first}", *rest]


def key_line(stack_file: Path, key: str, namespace: str = NAMESPACE) -> int:
    """The line that sets ``key`` (dotted, without the namespace), or of its nearest enclosing key that is set."""
    return locate(stack_file, _key_path(key, namespace))[0]


def config_line(stack_file: Path, resource_type: str, keys: Sequence[str], namespace: str = NAMESPACE) -> int:
    """The line of ``stack_file`` that sets what a rule reads on a resource of ``resource_type``.

    ``keys`` are the rule's config keys, most specific first. Keys of another service's block are skipped (a
    rule about both PostgreSQL and Redis points a Redis result at the Redis keys). The first key the file sets
    wins; otherwise the resource's service block, where its defaults apply; otherwise ``config:``.
    """
    block = CONFIG_BLOCK.get(resource_type)
    candidates = [k for k in keys if block is None or k.split(".")[0] in (block,) or k.split(".")[0] not in _BLOCKS]
    for key in candidates:
        line, depth = locate(stack_file, _key_path(key, namespace))
        if depth == len(_key_path(key, namespace)):
            return line
    for key in ([block] if block else []) + [k.split(".")[0] for k in candidates]:
        line, depth = locate(stack_file, _key_path(key, namespace))
        if depth == 2:
            return line
    return locate(stack_file, ["config"])[0]


def _rule(policy: PolicyInfo, doc: rulebook.RuleDoc | None) -> dict[str, Any]:
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
    if doc is not None:
        properties["tags"] += [doc.service, doc.objective]
        help_ = {"text": doc.help_text, "markdown": doc.help_markdown}
        uri = doc.url
    else:  # a rule the local catalogue does not know: what the pack said over the protocol
        steps = f"\n\n{policy.remediation_steps}" if policy.remediation_steps else ""
        help_ = {"text": f"{description}{steps}"}
        uri = policy.url
    rule: dict[str, Any] = {
        "id": policy.name,
        "shortDescription": {"text": description.splitlines()[0]},
        "fullDescription": {"text": description},
        "help": help_,
        "defaultConfiguration": {"level": sarif_level(policy.enforcement_level)},
        "properties": properties,
    }
    if uri:
        rule["helpUri"] = uri
    if policy.display_name:
        rule["name"] = policy.display_name
    return rule


def _artifact(uri: str, based: bool) -> dict[str, Any]:
    return {"uri": uri, "uriBaseId": SRCROOT} if based else {"uri": uri}


def _location(uri: str, line: int, urn: str, based: bool = False) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(uri, based), "region": {"startLine": line}},
    }
    if urn:
        _, name = parse_urn(urn)
        location["logicalLocations"] = [{"fullyQualifiedName": urn, "name": name or urn, "kind": "resource"}]
    return location


def _result(result: PolicyResult, rule_index: int, uri: str, line: int, print_: str, based: bool) -> dict[str, Any]:
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
        "message": {"text": f"[stack {result.stack}] {message(result)}{where}"},
        "locations": [_location(uri, line, result.urn, based)],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
        "properties": properties,
    }


#: The rule a stack that failed to plan is reported under: its policies never ran, so the run is not a pass.
PLAN_ERROR_RULE = "stack-failed-to-plan"


def _plan_error(stack: str, message: str, line: int, uri: str, rule_index: int, based: bool) -> dict[str, Any]:
    return {
        "ruleId": PLAN_ERROR_RULE,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"[stack {stack}] not checked: {message}"},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(uri, based), "region": {"startLine": line}}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(stack, PLAN_ERROR_RULE, "")},
        "properties": {"stack": stack},
    }


def _suppressed(
    exempt: Exemption, policy: PolicyInfo, rule_index: int, uri: str, line: int, based: bool
) -> dict[str, Any]:
    where = f" ({exempt.urn})" if exempt.urn else ""
    return {
        "ruleId": exempt.rule,
        "ruleIndex": rule_index,
        "level": sarif_level(policy.enforcement_level),
        "message": {"text": f"[stack {exempt.stack}] exempt: {exempt.describe()}{where}"},
        "locations": [_location(uri, line, exempt.urn, based)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(exempt.stack, exempt.rule, exempt.urn)},
        "suppressions": [{"kind": "inSource", "status": "accepted", "justification": exempt.reason}],
        "properties": {"stack": exempt.stack, "urn": exempt.urn, "exempt": True},
    }


def _exemption_entry(e: Exemption, uri: str) -> dict[str, Any]:
    entry = {"stack": e.stack, "rule": e.rule, "urn": e.urn, "reason": e.reason, "file": uri}
    return entry | ({"source": e.source} if e.source else {}) | ({"expires": e.expires} if e.expires else {})


def to_sarif(
    report: PackReport,
    source_files: Mapping[str, str] | None = None,
    *,
    root: Path | None = None,
    plans: Sequence[StackPlan] = (),
    plan_errors: Mapping[str, tuple[str, int]] | None = None,
    include_exempt: bool = False,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: a rule per policy (and per gate rule), a result per violation.

    ``source_files`` maps a stack to the repository-relative path of its config file (default: where it is under
    ``root``, from the repository's top level; ``Pulumi.<stack>.yaml`` without ``root``). With ``root`` (the project
    directory) results point at the config line, and rules carry their help from the pack's own metadata.
    ``plan_errors`` maps a stack that failed to plan to its message and the line of its config file the message
    points at: each is an error result, and the run is marked unsuccessful. Exemptions are listed in the run's
    properties, and are results (suppressed) only with ``include_exempt``.
    """
    files = dict(source_files or {})
    namespace = next((p.project for p in plans if p.project), "")
    if root is not None and not namespace:
        try:
            namespace = project_name(root)
        except YamlFileError:
            namespace = ""
    namespace = namespace or NAMESPACE
    top = repository_root(root) if root is not None else None
    based = root is not None
    try:
        docs = rulebook.load(policy_pack(root), namespace) if root is not None else {}
    except rulebook.RulebookError:  # another pack: its rules' help comes from what it says over the protocol
        docs = {}
    docs = {**docs, **rulebook.gate_docs(namespace)}
    policies = list(report.rules)
    index = {p.name: i for i, p in enumerate(policies)}
    for r in report.results:  # a result of a policy the pack did not list still needs a rule to point at
        if r.policy_name not in index:
            index[r.policy_name] = len(policies)
            policies.append(
                PolicyInfo(r.policy_name, r.description, r.enforcement_level, r.severity, "", "resource", {})
            )

    def uri(stack: str) -> str:
        if stack in files:
            return files[stack].replace("\\", "/")
        name = f"Pulumi.{stack}.yaml"
        if root is None:
            return name
        path = (root / name).resolve()
        return path.relative_to(top).as_posix() if top is not None and path.is_relative_to(top) else name

    def stack_file(stack: str) -> Path:
        assert root is not None
        return root / f"Pulumi.{stack}.yaml"

    def line(stack: str, rule: str, urn: str, key: str = "") -> int:
        if root is None:
            return 1
        if key:
            return key_line(stack_file(stack), key, namespace)
        doc = docs.get(rule)
        return config_line(stack_file(stack), parse_urn(urn)[0] if urn else "", doc.config if doc else (), namespace)

    results = []
    seen: dict[str, int] = {}
    for r in report.results:
        print_ = fingerprint(r.stack, r.policy_name, r.urn or r.config_key)
        seen[print_] = seen.get(print_, 0) + 1
        if seen[print_] > 1:  # a rule reporting twice on one resource: the second keeps its own identity
            print_ = f"{print_}:{seen[print_]}"
        where = line(r.stack, r.policy_name, r.urn, r.config_key)
        results.append(_result(r, index[r.policy_name], uri(r.stack), where, print_, based))
    by_name = {p.name: p for p in policies}
    listed: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for stack in [p.stack for p in plans] or sorted({s for s, _, _ in report.not_applicable}):
        skipped += [{"stack": stack, "rule": rule, "reason": why} for rule, why in not_evaluated(report, stack)]
        for e in exempt_entries(report, stack):
            exempt_line = line(stack, e.rule, e.urn)
            if root is not None and e.source.startswith("tag"):
                tag_line, depth = locate(
                    stack_file(stack), ["config", f"{namespace}:tags", f"{namespace}:policy-exempt"]
                )
                exempt_line = tag_line if depth == 3 else exempt_line
            listed.append(_exemption_entry(e, uri(stack)) | {"line": exempt_line})
            if include_exempt and e.rule in by_name:
                results.append(_suppressed(e, by_name[e.rule], index[e.rule], uri(stack), exempt_line, based))
    rules = [_rule(p, docs.get(p.name)) for p in policies]
    if plan_errors:
        rules.append(
            {
                "id": PLAN_ERROR_RULE,
                "shortDescription": {"text": "The stack failed to plan, so no policy was checked"},
                "defaultConfiguration": {"level": "error"},
            }
        )
        for stack, (text, error_line) in plan_errors.items():
            results.append(_plan_error(stack, text, error_line, uri(stack), len(rules) - 1, based))
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": rules}
    if report.pack_version:
        driver["version"] = report.pack_version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "utf16CodeUnits",
        "invocations": [{"executionSuccessful": not plan_errors}],
        "results": results,
        "properties": {
            "policyPack": report.pack_name,
            "policyPackVersion": report.pack_version,
            "exemptions": listed,
            "notEvaluated": skipped,
        },
    }
    if based:
        base = (top or root or Path(".")).resolve()
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base.as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
