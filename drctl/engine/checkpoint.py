"""Deployed state: a stack's ``pulumi stack export`` checkpoint, read as a plan, and a plan written as one.

``pulumi stack export`` prints an untyped deployment: ``{"version": 3, "deployment": {"manifest", "resources":
[...]}}``, each resource a ``ResourceV3`` (``urn``, ``custom``, ``id``, ``type``, ``inputs``, ``outputs``,
``parent``, ``protect``, ``dependencies``, ``provider``, ``propertyDependencies``, ``retainOnDelete``,
``ignoreChanges``, ``aliases``, ...) and the stack's exports as the outputs of its ``pulumi:pulumi:Stack``
resource (pulumi/pulumi, ``sdk/go/common/apitype/core.go``: UntypedDeployment, DeploymentV3, ResourceV3). A
secret value is an object signed ``4dabf18193072939515e22adb298388d`` with its ``ciphertext``; it is read as the
same ``[secret]`` marker the offline engine records for a secret, never decrypted.

:func:`read` turns a checkpoint into a :class:`StackPlan`, so a switch is planned against what is deployed with the
same classifier as against the files; :func:`write` turns an offline plan into a checkpoint (``drctl checkpoint``,
and the tests' deployed states).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .recording import RecordedResource, StackPlan

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET = "[secret]"  # the marker engine.mocks records for a secret value
STACK_TYPE = "pulumi:pulumi:Stack"
#: The engine's own providers (``default_3_29_0``): never registered by the program, so not in a plan.
DEFAULT_PROVIDER = re.compile(r"^pulumi:providers:[^:]+$")
_URN = re.compile(r"^urn:pulumi:(?P<stack>[^:]+)::(?P<project>[^:]+)::(?P<type>.+)::(?P<name>[^:]*)$")


class CheckpointError(ValueError):
    """A ``--state`` file drctl cannot use: one line, exit 2."""


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if SIG in value:
            return SECRET if value[SIG] == SECRET_SIG else {k: v for k, v in value.items() if k != SIG}
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _secret(value: Any) -> Any:
    if value == SECRET:
        return {SIG: SECRET_SIG, "ciphertext": "offline"}
    if isinstance(value, dict):
        return {k: _secret(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_secret(v) for v in value]
    return value


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def write(plan: StackPlan) -> dict[str, Any]:
    """``plan`` as ``pulumi stack export`` prints a stack that deployed it."""
    root = stack_urn(plan.project, plan.stack)
    resources: list[dict[str, Any]] = [
        {"urn": root, "custom": False, "type": STACK_TYPE, "outputs": _secret(plan.outputs)}
    ]
    for r in plan.resources:
        entry: dict[str, Any] = {
            "urn": r.urn,
            "custom": r.custom,
            "type": r.type,
            "inputs": _secret(r.inputs),
            "outputs": _secret(r.outputs),
            "parent": r.parent or root,
        }
        optional = {
            "id": r.id,
            "protect": r.protect,
            "external": r.read,
            "dependencies": list(r.dependencies),
            "provider": r.provider,
            "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
            "retainOnDelete": r.retain_on_delete,
            "ignoreChanges": list(r.ignore_changes),
            "aliases": list(r.aliases),
            "additionalSecretOutputs": list(r.additional_secret_outputs),
        }
        entry.update({k: v for k, v in optional.items() if v})  # omitempty, as the CLI writes them
        resources.append(entry)
    manifest = {"time": "1970-01-01T00:00:00Z", "magic": "", "version": "drctl-offline"}
    return {"version": 3, "deployment": {"manifest": manifest, "resources": resources}}


def _resource(entry: Mapping[str, Any]) -> RecordedResource:
    match = _URN.match(str(entry["urn"]))
    name = match.group("name") if match else str(entry["urn"]).rsplit("::", 1)[-1]
    return RecordedResource(
        urn=str(entry["urn"]),
        type=str(entry["type"]),
        name=name,
        custom=bool(entry.get("custom")),
        inputs=_plain(dict(entry.get("inputs") or {})),
        outputs=_plain(dict(entry.get("outputs") or {})),
        id=entry.get("id") or None,
        parent=entry.get("parent") or None,
        provider=str(entry.get("provider") or ""),
        dependencies=tuple(entry.get("dependencies") or ()),
        property_dependencies={k: tuple(v) for k, v in (entry.get("propertyDependencies") or {}).items()},
        protect=bool(entry.get("protect")),
        ignore_changes=tuple(entry.get("ignoreChanges") or ()),
        retain_on_delete=bool(entry.get("retainOnDelete")),
        aliases=tuple(entry.get("aliases") or ()),
        additional_secret_outputs=tuple(entry.get("additionalSecretOutputs") or ()),
        read=bool(entry.get("external")),
    )


def read(path: Path, stack: str, project: str) -> StackPlan:
    """The deployed state of ``stack`` from its checkpoint file; CheckpointError with one line."""
    label = f"--state {stack}={path}"
    try:
        document = json.loads(path.read_text())
    except OSError as exc:
        raise CheckpointError(f"{label}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise CheckpointError(f"{label}: not JSON ({exc}); expected the output of `pulumi stack export`") from None
    deployment = document.get("deployment") if isinstance(document, dict) else None
    entries = deployment.get("resources") if isinstance(deployment, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "urn" in e and "type" in e for e in entries):
        raise CheckpointError(
            f"{label}: not a Pulumi checkpoint (no deployment.resources with urn and type); expected the output "
            f"of `pulumi stack export --stack {stack}`"
        )
    if document.get("version") not in (None, 3):
        raise CheckpointError(f"{label}: checkpoint version {document.get('version')}; drctl reads version 3")
    owners = {(m.group("stack"), m.group("project")) for e in entries if (m := _URN.match(str(e["urn"])))}
    stacks = sorted({s for s, _ in owners})
    if owners and (stack, project) not in owners:
        raise CheckpointError(
            f"{label}: the checkpoint is of stack {', '.join(stacks)} of project "
            f"{', '.join(sorted({p for _, p in owners}))}, not {stack} of {project}"
        )
    outputs: dict[str, Any] = {}
    resources: list[RecordedResource] = []
    for entry in entries:
        if entry["type"] == STACK_TYPE:
            outputs = _plain(dict(entry.get("outputs") or {}))
        elif DEFAULT_PROVIDER.match(str(entry["type"])) and "::default" in str(entry["urn"]):
            continue
        else:
            resources.append(_resource(entry))
    return StackPlan(stack=stack, project=project, resources=resources, outputs=outputs)


def save(plan: StackPlan, path: Path | str) -> None:
    """Write ``plan``'s checkpoint (``-`` for stdout is the caller's business)."""
    Path(path).write_text(json.dumps(write(plan), indent=2) + "\n")
