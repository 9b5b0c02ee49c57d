"""The pack's rules as documentation: ``drctl rules`` (a table) and ``drctl explain RULE`` (why, how to fix, how to
exempt), read from each rule's own metadata (``policies/drpolicy``). The same text is the SARIF rule help and
the remediation the Pulumi CLI shows.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .output import emit


class RulebookError(LookupError):
    """The pack directory has no rule catalogue drctl can read."""


@dataclass(frozen=True)
class RuleDoc:
    """One rule as a reader needs it."""

    id: str
    title: str
    level: str
    severity: str
    service: str
    objective: str
    policy_type: str
    config: tuple[str, ...]
    help_text: str
    help_markdown: str
    url: str
    #: The same check in other tools (Checkov, Azure Policy, PSRule), or "none".
    equivalents: str = "none"
    #: Policy-config thresholds: (name, default, description).
    thresholds: tuple[tuple[str, str, str], ...] = ()
    #: The resource types a resource rule reads (empty for a stack rule).
    resource_types: tuple[str, ...] = ()
    why: str = ""
    fix: str = ""


def _doc(rule: Any, policy_type: str) -> RuleDoc:
    meta = rule.rule
    return RuleDoc(
        id=meta.id,
        title=meta.title,
        level=meta.level.value,
        severity=meta.severity.value,
        service=meta.service,
        objective=meta.objective,
        policy_type=policy_type,
        config=tuple(meta.config),
        help_text=meta.help_text(),
        help_markdown=meta.help_markdown(),
        url=meta.url,
        equivalents=meta.equivalents,
        thresholds=tuple((t.name, json.dumps(t.default), t.description) for t in meta.thresholds),
        resource_types=tuple(getattr(rule, "resource_types", ())),
        why=" ".join(meta.why.split()) or meta.title,
        fix=meta.how_to_fix(),
    )


def load(pack_dir: Path) -> dict[str, RuleDoc]:
    """Every rule of the pack in ``pack_dir``, by id, in the pack's order (resource rules, then stack rules)."""
    path = str(pack_dir.resolve())
    if path not in sys.path:
        sys.path.insert(0, path)
    try:
        catalogue = importlib.import_module("drpolicy.catalogue")
        framework = importlib.import_module("drpolicy.framework")
    except ImportError as exc:
        raise RulebookError(f"{pack_dir} holds no azure-dr rule catalogue (drpolicy): {exc}") from None
    if not Path(str(catalogue.__file__)).resolve().is_relative_to(pack_dir.resolve()):
        raise RulebookError(f"{pack_dir} holds no azure-dr rule catalogue (drpolicy was loaded from elsewhere)")
    docs = {}
    for rule in catalogue.rules():
        kind = "stack" if isinstance(rule, framework.StackRule) else "resource"
        doc = _doc(rule, kind)
        docs[doc.id] = doc
    return docs


def table(docs: dict[str, RuleDoc]) -> str:
    """``drctl rules``: one line per rule."""
    rows = [("id", "level", "service", "objective", "what it checks")]
    rows += [(d.id, d.level, d.service, d.objective, d.title) for d in docs.values()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] for row in rows]
    kinds = [d.policy_type for d in docs.values()]
    lines.append(
        f"{len(docs)} rules: {kinds.count('resource')} on single resources, {kinds.count('stack')} on the whole "
        "stack. `drctl explain RULE` for why, how to fix and how to exempt."
    )
    return "\n".join(lines)


def explain(doc: RuleDoc) -> str:
    """``drctl explain RULE``."""
    head = f"{doc.id}: {doc.level}, {doc.severity} severity, service {doc.service}, protects {doc.objective}"
    keys = ", ".join(f"azure-dr:{k}" for k in doc.config)
    where = f"\n\nStack config: {keys}" if keys else ""
    return f"{head}\n\n{doc.help_text}{where}\n\nMore: {doc.url}"


class UnknownRuleError(LookupError):
    """``drctl explain`` was given a rule id the pack does not have."""


def find(docs: dict[str, RuleDoc], rule_id: str) -> RuleDoc:
    if rule_id in docs:
        return docs[rule_id]
    close = [d for d in docs if rule_id in d or d in rule_id]
    hint = f"; did you mean {', '.join(close)}?" if close else "; `drctl rules` lists them"
    raise UnknownRuleError(f"no rule {rule_id!r}{hint}")


def _rules(args: argparse.Namespace) -> int:
    try:
        docs = load(args.root / "policies")
    except RulebookError as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
    emit(table(docs))
    return 0


def _explain(args: argparse.Namespace) -> int:
    try:
        doc = find(load(args.root / "policies"), args.rule)
    except (UnknownRuleError, RulebookError) as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
    emit(explain(doc))
    return 0


def register(sub: Any) -> None:
    """``drctl rules`` and ``drctl explain RULE``."""
    rules = sub.add_parser("rules", help="list the policy pack's rules: id, level, service, objective, check")
    rules.set_defaults(handler=_rules)
    explain_parser = sub.add_parser("explain", help="why a rule exists, how to fix a violation, how to exempt")
    explain_parser.add_argument("rule", help="rule id, e.g. pg-geo-backup")
    explain_parser.set_defaults(handler=_explain)
