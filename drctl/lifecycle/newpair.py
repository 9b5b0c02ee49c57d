"""``drctl init``: the two stack files of a new pair, written so that the first deployment creates it.

The shipped ``Pulumi.primary.yaml``/``Pulumi.dr.yaml`` describe a deployed (built) pair: their servers are
``state: primary``/``replica``, so a first ``pulumi up`` from them would send ``createMode: Update`` for servers
that do not exist. A new pair starts at ``state: new`` on both sides (the primary is created with ``createMode:
Create``, the DR server with ``createMode: Replica`` of it); ``drctl settle`` records the built pair once both ups
are done. Every value is the secure, resilient default (zone-redundant where the region has zones, private
networking, Entra-only PostgreSQL, geo-replicated Redis, both servers the same size so a switchover is possible),
and the few a person must choose are marked in the file's comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from azure_dr.components.facts.regions import REGIONS, has_zones
from azure_dr.components.naming import Names

from ..stackfiles.create import create_file
from ..stackfiles.files import NAME_PATTERN, load_stack, project_name
from .pair import PairError, member_from, validate

#: The nil GUID: stands in for the DBA group until it is set (Azure refuses it as an administrator: no data risk).
PLACEHOLDER_GROUP = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class NewPair:
    """What ``drctl init`` is told."""

    workload: str
    environment: str
    primary_region: str
    dr_region: str
    primary_stack: str = "primary"
    dr_stack: str = "dr"
    admin_object_id: str = PLACEHOLDER_GROUP
    admin_name: str = "sg-postgres-admins"
    alert_email: str = "dr-oncall@example.com"


def _storage_sku(region: str) -> str:
    # Learn, "Azure Storage redundancy": GZRS needs zones in the primary region; GRS elsewhere.
    return "Standard_RAGZRS" if has_zones(region) else "Standard_RAGRS"


def _quote(value: str) -> str:
    return json.dumps(value)


def stack_text(new: NewPair, primary: bool, namespace: str) -> str:
    """One stack file of the new pair (YAML, with comments)."""
    region, peer_region = (new.primary_region, new.dr_region) if primary else (new.dr_region, new.primary_region)
    peer = new.dr_stack if primary else new.primary_stack
    ns = namespace
    primary_server = Names(new.workload, new.environment, new.primary_region).postgres(1)
    role = "the primary region: active, owner of the global layer" if primary else "the DR region: standby"
    zones = (
        ""
        if has_zones(region)
        else f"# {REGIONS[region].display_name} has no availability zones: no zone-redundant HA."
    )
    lines = [
        f"# A new pair, written by drctl init: {role}.",
        "# The first `pulumi up` creates everything (postgres.state: new); `drctl settle` then records the built pair.",
        zones,
        "config:",
        f"  azure-native:location: {region}",
        f"  {ns}:workload: {new.workload}",
        f"  {ns}:environment: {new.environment}",
        f"  {ns}:role: {'active' if primary else 'standby'}",
        f"  {ns}:region: {region}",
        f"  {ns}:peer_stack: {peer}",
        f"  {ns}:peer_region: {peer_region}",
        f"  {ns}:owns_global: {_quote('true' if primary else 'false')}",
        f"  {ns}:postgres:",
        *(
            [
                "    create_as: primary",
            ]
            if primary
            else [
                "    create_as: replica",
                f"    replica_of: {primary_server}",
            ]
        ),
        "    state: new                 # created by the first pulumi up; drctl settle records it",
        "    sku_name: Standard_D4ds_v5  # the same on both stacks: a switchover needs identical servers",
        "    sku_tier: GeneralPurpose",
        "    storage_size_gb: 128",
        "    entra_admin:               # CHANGE: your DBA group (Entra-only sign-in: nobody else can administer it)",
        f"      object_id: {new.admin_object_id}",
        f"      principal_name: {new.admin_name}",
        "      principal_type: Group",
        f"  {ns}:storage:",
        f"    sku: {_storage_sku(region)}",
        f"  {ns}:routing:",
        "    kind: frontdoor",
        "    origin: host",
        f"    origin_host: app-{Names(new.workload, new.environment, region).resource_group[3:]}.example.com"
        "   # CHANGE: this region's application endpoint",
        f"  {ns}:redis:",
        "    capacity: 1",
        "    dr_mechanism: geo-replication",
        *([] if primary else ["    geo_secondary: true"]),
        *(
            [
                f"  {ns}:cosmos:",
                "    api: NoSQL",
                "    backup_tier: Continuous30Days",
            ]
            if primary
            else []
        ),
        f"  {ns}:alerts:",
        "    email_receivers:           # CHANGE: who is paged (an action group needs at least one receiver)",
        f"      - {{name: dr-oncall, address: {new.alert_email}}}",
        f"  {ns}:network:",
        f"    address_space: {'10.10.0.0/16' if primary else '10.20.0.0/16'}   # must not overlap the peer's",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def _problem(new: NewPair) -> str | None:
    if not re.fullmatch(r"[a-z][a-z0-9]{1,7}", new.workload):
        return f"--workload {new.workload!r}: expected 2-8 lower-case letters and digits, starting with a letter"
    if not re.fullmatch(r"[a-z][a-z0-9]{1,4}", new.environment):
        return f"--environment {new.environment!r}: expected 2-5 lower-case letters and digits, starting with a letter"
    for flag, region in (("--primary-region", new.primary_region), ("--dr-region", new.dr_region)):
        if region not in REGIONS:
            return f"{flag} {region!r}: not a known Azure region; allowed: {', '.join(sorted(REGIONS))}"
    if new.primary_region == new.dr_region:
        return f"--dr-region {new.dr_region!r}: expected a region other than --primary-region"
    for flag, stack in (("--primary-stack", new.primary_stack), ("--dr-stack", new.dr_stack)):
        if not re.fullmatch(NAME_PATTERN, stack):
            return f"{flag} {stack!r}: expected 1-100 letters, digits, '-', '_', '.'"
    if new.primary_stack == new.dr_stack:
        return f"--dr-stack {new.dr_stack!r}: expected a name other than --primary-stack"
    return None


def write_pair(root: Path, new: NewPair) -> list[Path]:
    """Write both stack files (neither if either exists or the pair would not validate); PairError with one line."""
    problem = _problem(new)
    if problem is not None:
        raise PairError(problem)
    namespace = project_name(root)
    paths = {
        new.primary_stack: root / f"Pulumi.{new.primary_stack}.yaml",
        new.dr_stack: root / f"Pulumi.{new.dr_stack}.yaml",
    }
    existing = [p.name for p in paths.values() if p.exists()]
    if existing:
        raise PairError(
            f"{' and '.join(existing)} already {'exist' if len(existing) > 1 else 'exists'}; drctl init writes a "
            "new pair and never overwrites a stack file"
        )
    texts = {new.primary_stack: stack_text(new, True, namespace), new.dr_stack: stack_text(new, False, namespace)}
    _validate(root, texts, namespace)
    for stack, path in paths.items():
        create_file(path, texts[stack])
    return list(paths.values())


def _validate(root: Path, texts: dict[str, str], namespace: str) -> None:
    """The pair as written must pass the stack-config model and the pair rules before anything is written."""
    members = {name: member_from(load_stack(root, name, text.encode()), namespace) for name, text in texts.items()}
    validate(members, namespace)
