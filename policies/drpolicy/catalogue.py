"""Every rule of the pack, discovered from its module (one rule per module, exported as ``RULE``)."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

from pulumi_policy import Policy

from drpolicy import resource, stack
from drpolicy.framework import ResourceRule, StackRule

PACK_NAME = "azure-dr"


def rules() -> list[ResourceRule | StackRule]:
    """All rules, resource rules first, each package in module-name order."""
    found: list[ResourceRule | StackRule] = []
    for package in (resource, stack):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            rule: ResourceRule | StackRule = module.RULE
            if not rule.rule.why and module.__doc__:  # the module docstring says why the rule exists
                rule = dataclasses.replace(rule, rule=dataclasses.replace(rule.rule, why=module.__doc__.strip()))
            found.append(rule)
    return found


def policies() -> list[Policy]:
    return [r.policy() for r in rules()]
