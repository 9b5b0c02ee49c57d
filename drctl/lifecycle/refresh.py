"""The refresh between runbook steps: what Azure holds after each step, applied to the stacks' state.

The replay (``lifecycle.simulate``) starts from the plan of each stack's current file (what was deployed) and adds
the facts Azure holds beside the program's inputs: each server's replication role, where each pair's writer
endpoint lives, which long-term backup instances are protected, the regions that are down. An imperative step's
effects then change that world the way Azure does (``azure_dr.components.facts.azure_transitions``: a switchover
demotes the old primary, a storage failover leaves an LRS account managed from its original region...), and each
``pulumi up`` is checked against it: what Azure would refuse of the writes, where traffic goes, what a replica
still declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from azure_dr.components.facts import azure_transitions as azure
from azure_dr.components.facts.paths import dig

from ..engine.recording import RecordedResource, StackPlan
from .transitions import NAMED, ORIGIN_TYPES, PG_GENERATION, Effect

ENDPOINT_NAME = "virtualEndpointName"


@dataclass
class World:
    """The stacks' state as Azure holds it, and Azure's own facts beside it."""

    states: dict[str, StackPlan]
    down: set[str] = field(default_factory=set)
    """Regions that answer no call."""
    endpoints: dict[str, str] = field(default_factory=dict)
    """Writer endpoint name -> the server Azure manages it under."""
    protection: dict[str, str] = field(default_factory=dict)
    """Backup instance name -> ``protected`` | ``stopped``."""
    best: str | None = None
    """The stack whose origin has the best priority (where traffic goes)."""

    def servers(self) -> dict[str, tuple[str, RecordedResource]]:
        """Every PostgreSQL server in any state, by its Azure name."""
        return {
            str(r.inputs.get("serverName")): (name, r)
            for name, plan in self.states.items()
            for r in plan.of_type(azure.PG_SERVER)
        }

    def role(self, server: str) -> str:
        found = self.servers().get(server)
        return azure.server_role(found[1].outputs) if found else "None"

    def put(self, stack: str, old: RecordedResource, new: RecordedResource) -> None:
        plan = self.states[stack]
        self.states[stack] = replace(plan, resources=[new if r is old else r for r in plan.resources])


def _generation(resource: RecordedResource) -> int | None:
    # The PostgresServer component's children: ``<workload>-<region>-psql[-g<N>]-<child>``.
    m = re.match(r"^[a-z0-9]+-[a-z0-9]+-psql(?:-g(\d+))?-", resource.name + "-")
    if m is None or "-psql-vep" in resource.name:
        return None
    return int(m.group(1)) if m.group(1) else 1


def _with_outputs(r: RecordedResource, **values: Any) -> RecordedResource:
    return replace(r, outputs={**r.outputs, **values})


def start(
    states: Mapping[str, StackPlan],
    down: Iterable[str] = (),
    grown: bool = False,
    backups: Mapping[str, Mapping[str, Any]] | None = None,
) -> World:
    """The world at the start of a replay: roles from each stack's exported server state, endpoints where they
    are declared, a retained instance of a replica stopped (the switch that demoted it stopped it); with ``grown``
    every disk has autogrown once since it was deployed. ``backups``: each server's backup settings as it was
    created (Azure keeps them on a replica that no longer declares them; geo-redundancy is create-only)."""
    world = World(dict(states), set(down))
    for name, plan in list(world.states.items()):
        current, state = plan.outputs.get("postgres_server_name"), plan.outputs.get("postgres_state")
        for r in plan.of_type(azure.PG_SERVER):
            if r.inputs.get("serverName") == current:
                replica = state == "replica" or (state == "new" and r.inputs.get("createMode") == "Replica")
                role = "GeoAsyncReplica" if replica else "Primary"
            else:
                role = "None"  # a retired generation: independent (a standalone promotion left it so)
            held = _with_outputs(r, replica={"role": role})
            created = (backups or {}).get(str(r.inputs.get("serverName")))
            if created is not None and "backup" not in held.outputs:
                held = _with_outputs(held, backup=dict(created))
            if grown:
                held_in, held_out = azure.with_grown_disk(held.inputs, held.outputs)
                held = replace(held, inputs=held_in, outputs=held_out)
            world.put(name, r, held)
    for plan in world.states.values():
        for r in plan.of_type(azure.PG_ENDPOINT):
            world.endpoints[str(r.inputs.get(ENDPOINT_NAME))] = str(r.inputs.get("serverName"))
    for plan in world.states.values():
        for r in plan.of_type(azure.BACKUP_INSTANCE):
            server = str(dig(r.inputs, "properties.friendlyName") or "")
            replica = world.role(server) in azure.REPLICA_ROLES
            world.protection[str(r.inputs.get("backupInstanceName"))] = "stopped" if replica else "protected"
    return world


def _region_of_stack(world: World, stack: str) -> str:
    return str(world.states[stack].outputs.get("region") or "")


def apply(world: World, effect: Effect, forced: bool = False) -> list[str]:
    """Apply one step's effect; the problems are what Azure refuses of the step itself."""
    stack = effect.stack
    if stack not in world.states:
        return [f"no stack {stack}"]
    plan = world.states[stack]
    if effect.kind == "forget":
        kept = [
            r
            for r in plan.resources
            if not (
                (effect.type == PG_GENERATION and _generation(r) == int(effect.value))
                or (effect.type == NAMED and effect.value in r.name)
                or r.type == effect.type
            )
        ]
        world.states[stack] = replace(plan, resources=kept)
        return []
    if effect.kind == "cosmos-write-region":
        for r in plan.of_type(azure.COSMOS_ACCOUNT):
            world.put(stack, r, replace(r, inputs=azure.with_write_region(r.inputs, effect.value)))
        return []
    if effect.kind == "storage-failover":
        return _storage_failover(world, stack, effect.value)
    if effect.kind == "pg-promote":
        return _promote(world, stack, effect.value, effect.other, forced)
    if effect.kind == "pg-ha":
        return _ha(world, effect.value, effect.other)
    if effect.kind == "backup-protection":
        if _region_of_stack(world, stack) in world.down:
            return [f"{effect.value}: its vault is in {_region_of_stack(world, stack)}, which is down"]
        if effect.value not in world.protection:
            return [f"no backup instance {effect.value} in {stack}'s vault"]
        world.protection[effect.value] = effect.other
        return []
    if effect.kind == "pg-autogrow":
        for r in plan.of_type(azure.PG_SERVER):
            held_in, held_out = azure.with_grown_disk(r.inputs, r.outputs)
            world.put(stack, r, replace(r, inputs=held_in, outputs=held_out))
        return []
    return [f"unknown effect {effect.kind}"]


def _storage_failover(world: World, stack: str, to_region: str) -> list[str]:
    plan = world.states[stack]
    accounts = plan.of_type(azure.STORAGE_ACCOUNT)
    names = {str(a.inputs.get("accountName")) for a in accounts}
    worm = [
        str(p.inputs.get("containerName"))
        for p in plan.of_type(azure.IMMUTABILITY_POLICY)
        if str(p.inputs.get("accountName")) in names
    ]
    if worm:
        return [
            f"Azure refuses the failover of {', '.join(sorted(names))}: container {', '.join(worm)} holds a WORM "
            "immutability policy (" + azure.OPERATIONS["storage-failover-unplanned"].learn + ")"
        ]
    for a in accounts:
        held_in, held_out = azure.failed_over_account(a.inputs, a.outputs, to_region)
        world.put(stack, a, replace(a, inputs=held_in, outputs=held_out))
    return []


def _size(r: RecordedResource) -> azure.ServerSize:
    return azure.ServerSize(
        str(r.inputs.get("serverName")),
        str(dig(r.inputs, "sku.tier")),
        str(dig(r.inputs, "sku.name")),
        azure.held_storage(r.inputs, r.outputs),
    )


def _promote(world: World, stack: str, mode: str, old_server: str, forced: bool) -> list[str]:
    plan = world.states[stack]
    current = plan.outputs.get("postgres_server_name")
    found = [r for r in plan.of_type(azure.PG_SERVER) if r.inputs.get("serverName") == current]
    if not found:
        return [f"{stack} has no server {current} to promote"]
    new = found[0]
    if _region_of_stack(world, stack) in world.down:
        return [f"{current} is in {_region_of_stack(world, stack)}, which is down"]
    if not azure.is_replica(new.outputs):
        return [
            f"{current} is not a read replica (Azure holds it as {azure.server_role(new.outputs)}): nothing to promote"
        ]
    if mode == "standalone":
        held_in, held_out = azure.as_primary(new.inputs, new.outputs, role="None")
        world.put(stack, new, replace(new, inputs=held_in, outputs=held_out))
        return []
    problems = []
    servers = world.servers()
    if old_server not in servers:
        return [f"no server {old_server} for the switchover"]
    old_stack, old = servers[old_server]
    asymmetry = azure.switchover_asymmetry(_size(old), _size(new))
    if asymmetry is not None and not forced:
        problems.append(f"Azure refuses the switchover: {asymmetry}")
    if not any(server == old_server for server in world.endpoints.values()):
        problems.append(
            f"Azure refuses the switchover: no writer endpoint under {old_server} (Learn, 'Promote read replicas')"
        )
    if problems:
        return problems
    held_in, held_out = azure.as_primary(new.inputs, new.outputs)
    world.put(stack, new, replace(new, inputs=held_in, outputs=held_out))
    held_in, held_out = azure.as_replica(old.inputs, old.outputs)
    world.put(old_stack, old, replace(old, inputs=held_in, outputs=held_out))
    for endpoint, server in list(world.endpoints.items()):
        if server == old_server:
            world.endpoints[endpoint] = str(current)  # the writer follows the new primary, managed through it
    return []


def _ha(world: World, server: str, mode: str) -> list[str]:
    found = world.servers().get(server)
    if found is None:
        return [f"no server {server}"]
    stack, r = found
    if azure.is_replica(r.outputs):
        return [f"Azure refuses HA on {server}: a read replica cannot have it"]
    region = str(r.inputs.get("location"))
    if region in world.down:
        return [f"{server} is in {region}, which is down"]
    held_in, held_out = azure.with_ha(r.inputs, r.outputs, mode)
    world.put(stack, r, replace(r, inputs=held_in, outputs=held_out))
    return []


def after_up(world: World, stack: str, new: StackPlan) -> StackPlan:
    """The stack's state after its ``pulumi up`` of ``new``: what was sent (ignored paths keep the state's value),
    with the facts Azure keeps beside the inputs carried over (a new server's role from how it was created)."""
    before = {r.urn: r for r in world.states[stack].resources}
    resources = []
    for r in new.resources:
        prev = before.get(r.urn)
        if prev is None:
            if r.type == azure.PG_SERVER:
                role = "GeoAsyncReplica" if r.inputs.get("createMode") == "Replica" else "Primary"
                r = _with_outputs(r, replica={"role": role})
            resources.append(r)
            continue
        sent = azure.effective(r.inputs, prev.inputs, r.ignore_changes)
        outputs = {**r.outputs}
        for key in ("replica", "primaryLocation", "backup"):
            if key in prev.outputs and (key != "backup" or key not in outputs):
                outputs[key] = prev.outputs[key]  # Azure keeps a replica's backup settings it no longer declares
        if r.type == azure.PG_SERVER:
            outputs["highAvailability"] = {
                "mode": azure.held_mode(sent)
                if "highAvailability" in sent
                else azure.held_ha(prev.inputs, prev.outputs)
            }
            outputs["storage"] = {
                **(outputs.get("storage") or {}),
                "storageSizeGB": azure.held_storage(sent, prev.outputs),
            }
        resources.append(replace(r, inputs=sent, outputs=outputs))
    for r in new.of_type(azure.PG_ENDPOINT):
        world.endpoints.setdefault(str(r.inputs.get(ENDPOINT_NAME)), str(r.inputs.get("serverName")))
    for r in new.of_type(azure.BACKUP_INSTANCE):
        world.protection.setdefault(str(r.inputs.get("backupInstanceName")), "protected")
    return replace(new, resources=resources)


def write_refusals(world: World, action: str, prev: RecordedResource | None, new: RecordedResource | None) -> list[str]:
    """What Azure refuses of one write of a ``pulumi up`` (an empty list when it accepts it)."""
    r = new or prev
    assert r is not None
    if r.type == azure.PG_ENDPOINT and action in ("create", "update", "replace", "delete", "import"):
        return _endpoint_refusals(world, action, r)
    if new is None or action not in ("create", "update", "replace"):
        return []
    held = prev if action == "update" else None
    found = azure.refusals(
        new.type, held.inputs if held else None, held.outputs if held else None, new.inputs, new.ignore_changes
    )
    if new.type == azure.PG_SERVER and new.inputs.get("createMode") == "Replica":
        source = str(new.inputs.get("sourceServerResourceId") or "").rsplit("/", 1)[-1]
        src = world.servers().get(source)
        size = float(dig(new.inputs, "storage.storageSizeGB") or 0)
        floor = azure.held_storage(src[1].inputs, src[1].outputs) if src is not None else 0.0
        if size and size < floor:
            found.append(
                f"replica storage {size:g} GB is below its source's {floor:g} GB (Learn, 'Read replicas', Scale)"
            )
    return found


def _endpoint_refusals(world: World, action: str, r: RecordedResource) -> list[str]:
    name, server = str(r.inputs.get(ENDPOINT_NAME)), str(r.inputs.get("serverName"))
    held = world.endpoints.get(name)
    if action == "import":
        if held != server:
            return [f"nothing to adopt: Azure holds writer endpoint {name} under {held or 'no server'}, not {server}"]
        return []
    if action == "create" and held is not None:
        return [f"writer endpoint {name} already exists under {held} (one per pair)"]
    if action in ("update", "replace", "delete") and held is not None and held != server:
        return [
            f"writer endpoint {name} is managed through {held}, the pair's primary; {action} through {server} "
            "answers 400 (Learn, 'Virtual endpoints for read replicas')"
        ]
    if world.role(server) in azure.REPLICA_ROLES:
        return [f"{server} is a read replica: the writer endpoint is managed through the pair's primary"]
    return []


def origin_priorities(world: World) -> dict[str, float]:
    """Each stack's origin priority as Azure holds it."""
    found = {}
    for name, plan in world.states.items():
        for r in plan.resources:
            if r.type in ORIGIN_TYPES and isinstance(r.inputs.get("priority"), int | float):
                found[name] = float(r.inputs["priority"])
    return found


def traffic_problems(world: World, label: str) -> list[str]:
    """Traffic goes to one region, and only once its data is writable; updates ``world.best``."""
    priorities = origin_priorities(world)
    if not priorities:
        return []
    best = min(priorities.values())
    at_best = sorted(n for n, p in priorities.items() if p == best)
    problems = []
    if len(at_best) > 1:
        problems.append(
            f"{label}: traffic splits between {' and '.join(at_best)} (origins sharing priority {best:g}; Learn, "
            "'Traffic routing methods to origin')"
        )
        return problems
    (stack,) = at_best
    if stack != world.best and world.best is not None:
        plan = world.states[stack]
        server = plan.outputs.get("postgres_server_name")
        if server and world.role(str(server)) in azure.REPLICA_ROLES:
            problems.append(f"{label}: traffic moves to {stack} while its server {server} is still a read replica")
        if plan.of_type(azure.REDIS_LINK):
            problems.append(f"{label}: traffic moves to {stack} while its cache is still a linked geo-secondary")
        if _region_of_stack(world, stack) in world.down:
            problems.append(f"{label}: traffic moves to {stack}, whose region is down")
    world.best = stack
    return problems


def end_problems(world: World) -> list[str]:
    """What is wrong once the runbook is done: backups still scheduled on a replica."""
    problems = []
    for instance, state in sorted(world.protection.items()):
        server = instance.removeprefix("bi-")
        if state == "protected" and world.role(server) in azure.REPLICA_ROLES:
            problems.append(
                f"backup instance {instance} still protects {server}, a read replica now (no backups are taken from a "
                "replica: stop its protection, keeping the recovery points)"
            )
    return problems
