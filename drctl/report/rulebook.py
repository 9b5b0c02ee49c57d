"""The pack's rules as documentation: ``drctl rules`` (a table) and ``drctl explain RULE`` (why, how to fix, how to
exempt), read from each rule's own metadata (``policies/drpolicy``), and the gate's own rules (``engine.gate``).
The same text is the SARIF rule help and the remediation the Pulumi CLI shows, in the project's namespace.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..engine import gate
from ..stackfiles.files import project_name
from ..stackfiles.project import policy_pack
from ..stackfiles.yamlfile import YamlFileError
from .output import emit
from .schemas import RULES_ID
from .terminal import emit_report


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


def _doc(rule: Any, policy_type: str, namespace: str) -> RuleDoc:
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
        help_text=meta.help_text(namespace),
        help_markdown=meta.help_markdown(namespace),
        url=meta.url,
        equivalents=meta.equivalents,
        thresholds=tuple((t.name, json.dumps(t.default), t.description) for t in meta.thresholds),
        resource_types=tuple(getattr(rule, "resource_types", ())),
        why=" ".join(meta.why.split()) or meta.title,
        fix=meta.how_to_fix(),
    )


def gate_docs(namespace: str = "azure-dr") -> dict[str, RuleDoc]:
    """The gate's rules (``engine.gate``), documented like the pack's."""
    return {
        r.id: RuleDoc(
            id=r.id,
            title=r.title,
            level="mandatory",
            severity=r.severity,
            service="all",
            objective=r.objective,
            policy_type="gate",
            config=r.config,
            help_text=r.help_text(namespace),
            help_markdown=r.help_markdown(namespace),
            url=r.url,
        )
        for r in gate.RULES
    }


PACKAGE = "drpolicy"


def _pack_modules() -> dict[str, Any]:
    return {k: v for k, v in sys.modules.items() if k == PACKAGE or k.startswith(f"{PACKAGE}.")}


def _from(module: Any, pack_dir: Path) -> bool:
    return Path(str(module.__file__)).resolve().is_relative_to(pack_dir.resolve())


def load(pack_dir: Path, namespace: str = "azure-dr") -> dict[str, RuleDoc]:
    """Every rule of the pack in ``pack_dir``, by id, in the pack's order (resource rules, then stack rules), with
    its help written for the project ``namespace``.

    The pack's package is imported from ``pack_dir`` itself; one already imported from another directory (another
    project's pack, in the same process) is set aside while it loads and put back after."""
    path = str(pack_dir.resolve())
    loaded = sys.modules.get(f"{PACKAGE}.catalogue")
    aside = _pack_modules() if loaded is not None and not _from(loaded, pack_dir) else {}
    for name in aside:
        del sys.modules[name]
    sys.path.insert(0, path)
    try:
        catalogue = importlib.import_module(f"{PACKAGE}.catalogue")
        framework = importlib.import_module(f"{PACKAGE}.framework")
        if not _from(catalogue, pack_dir):
            raise RulebookError(f"{pack_dir} holds no azure-dr rule catalogue ({PACKAGE} was loaded from elsewhere)")
        docs = {}
        for rule in catalogue.rules():
            kind = "stack" if isinstance(rule, framework.StackRule) else "resource"
            doc = _doc(rule, kind, namespace)
            docs[doc.id] = doc
        return docs
    except ImportError as exc:
        raise RulebookError(f"{pack_dir} holds no azure-dr rule catalogue ({PACKAGE}): {exc}") from None
    finally:
        sys.path.remove(path)
        if aside:
            for name in _pack_modules():
                del sys.modules[name]
            sys.modules.update(aside)


def table(docs: dict[str, RuleDoc]) -> str:
    """``drctl rules``: one line per rule."""
    rows = [("id", "level", "service", "objective", "what it checks")]
    rows += [(d.id, d.level, d.service, d.objective, d.title) for d in docs.values()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] for row in rows]
    kinds = [d.policy_type for d in docs.values()]
    gates = f", {kinds.count('gate')} on the stack files together (drctl check)" if "gate" in kinds else ""
    lines.append(
        f"{len(docs)} rules: {kinds.count('resource')} on single resources, {kinds.count('stack')} on the whole "
        f"stack{gates}. `drctl explain RULE` for why, how to fix and how to exempt."
    )
    return "\n".join(lines)


def explain(doc: RuleDoc, namespace: str = "azure-dr") -> str:
    """``drctl explain RULE``."""
    head = f"{doc.id}: {doc.level}, {doc.severity} severity, service {doc.service}, protects {doc.objective}"
    keys = ", ".join(f"{namespace}:{k}" for k in doc.config)
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


def _namespace(root: Path) -> str:
    try:
        return project_name(root)
    except YamlFileError:
        return "azure-dr"


def every_rule(root: Path) -> dict[str, RuleDoc]:
    """The pack's rules and the gate's, with help in the project's namespace."""
    namespace = _namespace(root)
    return {**load(policy_pack(root), namespace), **gate_docs(namespace)}


def _rules(args: argparse.Namespace) -> int:
    try:
        docs = every_rule(args.root)
    except RulebookError as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
    if args.json:
        emit(json.dumps({"schema": RULES_ID, "rules": [asdict(d) for d in docs.values()]}, indent=2))
    else:
        emit_report(table(docs))
    return 0


def _explain(args: argparse.Namespace) -> int:
    try:
        doc = find(every_rule(args.root), args.rule)
    except (UnknownRuleError, RulebookError) as exc:
        print(f"drctl: {exc}", file=sys.stderr)
        return 2
    if args.json:
        emit(json.dumps({"schema": RULES_ID, "rules": [asdict(doc)]}, indent=2))
    else:
        emit(explain(doc, _namespace(args.root)))
    return 0


def register(sub: Any) -> None:
    """``drctl rules`` and ``drctl explain RULE``."""
    rules = sub.add_parser("rules", help="list the policy pack's rules: id, level, service, objective, check")
    rules.add_argument("--json", action="store_true", help="one JSON document: every rule with its help")
    rules.set_defaults(handler=_rules)
    explain_parser = sub.add_parser("explain", help="why a rule exists, how to fix a violation, how to exempt")
    explain_parser.add_argument("rule", help="rule id, e.g. pg-geo-backup")
    explain_parser.add_argument("--json", action="store_true", help="one JSON document: the rule with its help")
    explain_parser.set_defaults(handler=_explain)
