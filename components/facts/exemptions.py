"""Policy exemptions and the project's namespace: one reading, shared by the policy pack, the config model and
``drctl``.

Two places can exempt a resource from a rule, with different owners:

- **the policy config** (``policies/policy-config.json``, owned apart from the stack files): any rule, each
  exemption naming the stack, the resource, a reason of at least ``MIN_REASON_WORDS`` words and an expiry date;
  an expired exemption no longer exempts;
- **the stack's tags** ``<project>:policy-exempt`` / ``<project>:policy-exempt-reason``: advisory rules only, so
  the file under review can never waive a mandatory rule for itself.

Either way an exempted violation is reported as EXEMPT with its reason, never dropped.

The library's own tags (``azure-dr:dr-mechanism``, ``azure-dr:scope``...) carry facts the rules read; config may
not set them (a tag must never silence a rule). Config keys and the exemption tags live in the project's namespace
(the ``name`` in ``Pulumi.yaml``), so a renamed project reads and writes its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .health_signals import SIGNAL_TAG
from .recovery import GEO_SECONDARY_TAG, MECHANISM_TAG, SCOPE_TAG

#: The shipped project's name: the namespace the rules' texts are written in.
LIBRARY_NAMESPACE = "azure-dr"
#: Tags the library sets itself to tell the rules what a resource is; never config's to set.
LIBRARY_TAGS = (MECHANISM_TAG, GEO_SECONDARY_TAG, SCOPE_TAG, SIGNAL_TAG)
EXEMPT_TAG = "policy-exempt"
EXEMPT_REASON_TAG = "policy-exempt-reason"
#: A reason is a sentence someone can review ("restored from prod nightly, no customer data"), not "cost".
MIN_REASON_WORDS = 3
#: The policy-config knob every rule has: its exemptions (a list of ``{stack, resource, reason, expires}``).
EXEMPTIONS_KNOB = "exemptions"
#: ``resource`` matching every resource of the stack (and the stack-level results of a stack rule).
ANY_RESOURCE = "*"


def exempt_tag(namespace: str) -> str:
    return f"{namespace}:{EXEMPT_TAG}"


def reason_tag(namespace: str) -> str:
    return f"{namespace}:{EXEMPT_REASON_TAG}"


def in_namespace(text: str, namespace: str) -> str:
    """``text`` (written for the shipped ``azure-dr`` project) with config keys and exemption tags in
    ``namespace``; the library's own tags keep their ``azure-dr:`` prefix."""
    if namespace == LIBRARY_NAMESPACE:
        return text
    library = "|".join(re.escape(t.split(":", 1)[1]) for t in LIBRARY_TAGS)
    return re.sub(rf"\b{LIBRARY_NAMESPACE}:(?!(?:{library})\b)", f"{namespace}:", text)


def reserved_tag_problem(name: str, namespace: str) -> str | None:
    """Why config may not set the tag ``name`` (None when it may): the library's namespace is the library's,
    except the exemption tags when the project itself is ``azure-dr``."""
    prefix = f"{LIBRARY_NAMESPACE}:"
    if not name.lower().startswith(prefix):
        return None
    if namespace == LIBRARY_NAMESPACE and name in (exempt_tag(namespace), reason_tag(namespace)):
        return None
    allowed = f"{exempt_tag(namespace)} and {reason_tag(namespace)}"
    return f"a tag in the library's {prefix} namespace (the rules read those facts; config may set {allowed})"


def reason_problem(reason: str) -> str | None:
    """What is wrong with an exemption's reason, or None."""
    words = len(reason.split())
    if words < MIN_REASON_WORDS:
        return f"a reason of {words} word(s); give at least {MIN_REASON_WORDS} (why, and until when it is safe)"
    return None


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class ConfigExemption:
    """One exemption from the policy config."""

    stack: str
    resource: str
    reason: str
    expires: date

    def matches(self, stack: str, resource: str | None) -> bool:
        return self.stack == stack and (self.resource == ANY_RESOURCE or self.resource == resource)

    def expired(self, on: date) -> bool:
        return on > self.expires


_FIELDS = ("stack", "resource", "reason", "expires")


def parse_exemption(entry: Any) -> ConfigExemption:
    """One policy-config exemption, or ValueError with one line saying what is wrong and what is allowed."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"{entry!r} is not an exemption; expected an object with {', '.join(_FIELDS)}")
    unknown = sorted(set(entry) - set(_FIELDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}; allowed: {', '.join(_FIELDS)}")
    for key in _FIELDS:
        if not isinstance(entry.get(key), str) or not str(entry[key]).strip():
            raise ValueError(f"{key} is not set; every exemption names {', '.join(_FIELDS)}")
    problem = reason_problem(str(entry["reason"]))
    if problem is not None:
        raise ValueError(f"reason {entry['reason']!r} is {problem}")
    try:
        expires = date.fromisoformat(str(entry["expires"]))
    except ValueError:
        raise ValueError(f"expires {entry['expires']!r} is not a date; expected YYYY-MM-DD") from None
    return ConfigExemption(str(entry["stack"]), str(entry["resource"]), str(entry["reason"]).strip(), expires)


def urn_parts(urn: str) -> tuple[str, str]:
    """``(stack, project)`` of a URN ``urn:pulumi:<stack>::<project>::<type>::<name>`` (empty when not one)."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        return "", ""
    return parts[0].removeprefix("urn:pulumi:"), parts[1]
