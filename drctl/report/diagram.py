"""A topology diagram of the planned pair, drawn from the plans themselves (not by hand): what is deployed in
which stack, and how the halves are linked (replica source, geo-replication link, registry replication, Front
Door origins). ``drctl diagram`` writes it as Mermaid (for Markdown) or as a self-contained SVG (no network).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from ..engine import programs as engine
from ..engine.recording import RecordedResource, StackPlan
from .output import emit
from .render import managed, plain

PG = "azure-native:dbforpostgresql:Server"
REDIS = "azure-native:redis:Redis"
REDIS_LINK = "azure-native:redis:LinkedServer"
REGISTRY = "azure-native:containerregistry:Registry"
REPLICATION = "azure-native:containerregistry:Replication"
AFD_ENDPOINT = "azure-native:cdn:AFDEndpoint"
AFD_GROUP = "azure-native:cdn:AFDOriginGroup"
AFD_ORIGIN = "azure-native:cdn:AFDOrigin"
TM_PROFILE = "azure-native:trafficmanager:Profile"
TM_ENDPOINT = "azure-native:trafficmanager:Endpoint"
VNET = "azure-native:network:VirtualNetwork"
PEERING = "azure-native:network:VirtualNetworkPeering"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
DNS_ZONE = "azure-native:privatedns:PrivateZone"
DNS_LINK = "azure-native:privatedns:VirtualNetworkLink"

#: What the diagram shows per resource type: a label, and the node's shape (``db`` for data, ``box`` otherwise).
SHOWN: dict[str, tuple[str, str]] = {
    PG: ("PostgreSQL", "db"),
    "azure-native:cosmosdb:DatabaseAccount": ("Cosmos DB", "db"),
    "azure-native:storage:StorageAccount": ("Storage", "db"),
    REDIS: ("Redis", "db"),
    "azure-native:keyvault:Vault": ("Key Vault", "db"),
    REGISTRY: ("Container registry", "db"),
    REPLICATION: ("Registry replication", "box"),
    AFD_ENDPOINT: ("Front Door endpoint", "box"),
    AFD_GROUP: ("Front Door origin group", "box"),
    AFD_ORIGIN: ("Front Door origin", "box"),
    TM_PROFILE: ("Traffic Manager", "box"),
    TM_ENDPOINT: ("Traffic Manager endpoint", "box"),
    "azure-native:containerservice:ManagedCluster": ("AKS", "box"),
    VNET: ("Virtual network", "box"),
}


@dataclass(frozen=True)
class Node:
    id: str
    stack: str
    title: str
    detail: str
    shape: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    dotted: bool = False


@dataclass
class Topology:
    """Stacks (with region and role), their nodes, and the links between them."""

    stacks: list[tuple[str, str]] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _physical(resource: RecordedResource) -> str:
    return (resource.id or resource.name).rsplit("/", 1)[-1]


def _detail(resource: RecordedResource, plan: StackPlan) -> str:
    inputs = plain(resource.inputs)
    if resource.type == PG:
        # The lifecycle state the stack exports for its current server (createMode is Update once it exists).
        current = plan.outputs.get("postgres_server_name") == inputs.get("serverName")
        state = plan.outputs.get("postgres_state") if current else None
        mode = str(state) if state else ("replica" if inputs.get("createMode") == "Replica" else "primary")
        return f"{mode}, {(inputs.get('sku') or {}).get('name', '')}"
    if resource.type == "azure-native:cosmosdb:DatabaseAccount":
        return ", ".join(
            f"{loc.get('locationName')}:{loc.get('failoverPriority')}" for loc in inputs.get("locations", [])
        )
    if resource.type == "azure-native:storage:StorageAccount":
        return str((inputs.get("sku") or {}).get("name", ""))
    if resource.type == AFD_ORIGIN:
        return f"{inputs.get('hostName')}, priority {inputs.get('priority')}"
    if resource.type == VNET:
        return ", ".join((inputs.get("addressSpace") or {}).get("addressPrefixes", []))
    if resource.type == REDIS:
        sku = inputs.get("sku") or {}
        return f"{sku.get('name', '')} {sku.get('family', '')}{sku.get('capacity', '')}"
    return ""


def _describe(plan: StackPlan) -> str:
    role = plan.outputs.get("role", "")
    region = plan.outputs.get("region", "")
    owner = ", owns the global layer" if plan.outputs.get("owns_global") else ""
    return f"stack {plan.stack}: {region}, {role}{owner}"


def topology(plans: Sequence[StackPlan]) -> Topology:
    """Nodes and links of the planned pair, found by matching ids and names across the plans."""
    topo = Topology()
    ids: dict[str, str] = {}  # urn -> node id
    resources: list[tuple[str, RecordedResource]] = []
    for plan in plans:
        if plan.error:
            continue
        topo.stacks.append((plan.stack, _describe(plan)))
        for r in managed(plan):
            if r.type not in SHOWN:
                continue
            node_id = re.sub(r"[^A-Za-z0-9_]", "_", f"{plan.stack}_{r.name}")
            label, shape = SHOWN[r.type]
            topo.nodes.append(Node(node_id, plan.stack, f"{label} {_physical(r)}", _detail(r, plan), shape))
            ids[r.urn] = node_id
            resources.append((plan.stack, r))
    # Registration order varies from run to run (the program registers asynchronously): sort for a stable diagram.
    stack_rank = {stack: i for i, (stack, _) in enumerate(topo.stacks)}
    kind_rank = {t: i for i, t in enumerate(SHOWN)}
    topo.nodes.sort(key=lambda n: (stack_rank[n.stack], n.id))
    resources.sort(key=lambda item: (stack_rank[item[0]], kind_rank[item[1].type], item[1].name))
    by_id = {r.id: r for _, r in resources if r.id}
    of_type = {t: [r for _, r in resources if r.type == t] for t in SHOWN}
    for r in of_type[PG]:
        source = by_id.get(str(r.inputs.get("sourceServerResourceId") or ""))
        if source is not None:
            topo.edges.append(Edge(ids[source.urn], ids[r.urn], "async replication"))
    for plan in plans:
        for link in plan.of_type(REDIS_LINK):
            secondary = by_id.get(str(link.inputs.get("linkedRedisCacheId") or ""))
            primary = next((c for c in of_type[REDIS] if _physical(c) == link.inputs.get("name")), None)
            if primary is not None and secondary is not None:
                topo.edges.append(Edge(ids[primary.urn], ids[secondary.urn], f"geo-replication, link in {plan.stack}"))
    for replica in of_type[REPLICATION]:
        registry = next(
            (g for g in of_type[REGISTRY] if g.inputs.get("registryName") == replica.inputs.get("registryName")), None
        )
        if registry is not None:
            topo.edges.append(Edge(ids[registry.urn], ids[replica.urn], "geo-replication", dotted=True))
    for group in of_type[AFD_GROUP]:
        key = (group.inputs.get("profileName"), group.inputs.get("originGroupName"))
        for endpoint in of_type[AFD_ENDPOINT]:
            if endpoint.inputs.get("profileName") == key[0]:
                topo.edges.append(Edge(ids[endpoint.urn], ids[group.urn], "routes"))
        for origin in of_type[AFD_ORIGIN]:
            if (origin.inputs.get("profileName"), origin.inputs.get("originGroupName")) == key:
                priority = plain(origin.inputs.get("priority"))
                topo.edges.append(Edge(ids[group.urn], ids[origin.urn], f"priority {priority}"))
    for profile in of_type[TM_PROFILE]:
        for endpoint in of_type[TM_ENDPOINT]:
            if endpoint.inputs.get("profileName") == profile.inputs.get("profileName"):
                priority = plain(endpoint.inputs.get("priority"))
                topo.edges.append(Edge(ids[profile.urn], ids[endpoint.urn], f"priority {priority}"))
    _network_edges(topo, plans, ids, by_id)
    topo.edges.sort(key=lambda e: (e.source, e.label, e.target))
    return topo


def _network_edges(
    topo: Topology, plans: Sequence[StackPlan], ids: dict[str, str], by_id: dict[str, RecordedResource]
) -> None:
    """Peerings between the networks, each network's private endpoints to the services, and the pair's DNS zones
    (one node for all of them) linked to the networks."""
    for plan in plans:
        if plan.error:
            continue
        networks = [r for r in plan.of_type(VNET) if r.urn in ids]
        if not networks:
            continue
        own = ids[networks[0].urn]
        for peering in plan.of_type(PEERING):
            remote = by_id.get(str((peering.inputs.get("remoteVirtualNetwork") or {}).get("id") or ""))
            if remote is not None:
                topo.edges.append(Edge(own, ids[remote.urn], f"peering, {plan.stack}'s side", dotted=True))
        for endpoint in plan.of_type(PRIVATE_ENDPOINT):
            for connection in endpoint.inputs.get("privateLinkServiceConnections") or []:
                target = by_id.get(str(connection.get("privateLinkServiceId") or ""))
                if target is not None:
                    topo.edges.append(Edge(own, ids[target.urn], "private endpoint"))
        zones = plan.of_type(DNS_ZONE)
        if zones:
            node = re.sub(r"[^A-Za-z0-9_]", "_", f"{plan.stack}_private_dns")
            group = str(zones[0].inputs.get("resourceGroupName", ""))
            topo.nodes.append(Node(node, plan.stack, "Private DNS zones", f"{len(zones)} zones in {group}", "box"))
            linked = {str((link.inputs.get("virtualNetwork") or {}).get("id") or "") for link in plan.of_type(DNS_LINK)}
            for network_id in sorted(linked):
                network = by_id.get(network_id)
                if network is not None:
                    topo.edges.append(Edge(node, ids[network.urn], "linked"))


def _quote(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(topo: Topology) -> str:
    """A Mermaid flowchart: one subgraph per stack, data stores as cylinders, links labelled."""
    lines = ["flowchart LR"]
    entry = [n for n in topo.nodes if n.title.startswith(("Front Door endpoint", "Traffic Manager "))]
    if entry:
        lines.append("  users((users))")
    for stack, title in topo.stacks:
        lines.append(f'  subgraph {re.sub(r"[^A-Za-z0-9_]", "_", "stack_" + stack)}["{_quote(title)}"]')
        for n in (n for n in topo.nodes if n.stack == stack):
            text = _quote(n.title + (f"<br/>{n.detail}" if n.detail else ""))
            lines.append(f'    {n.id}[("{text}")]' if n.shape == "db" else f'    {n.id}["{text}"]')
        lines.append("  end")
    for n in entry:
        if not n.title.startswith("Traffic Manager endpoint"):
            lines.append(f"  users --> {n.id}")
    for e in topo.edges:
        arrow = f"-. {_quote(e.label)} .->" if e.dotted else f'-- "{_quote(e.label)}" -->'
        lines.append(f"  {e.source} {arrow} {e.target}")
    return "\n".join(lines)


def svg(topo: Topology) -> str:
    """The same topology as a self-contained SVG: a column per stack, a box per node, a line per link."""
    box_w, box_h, gap, col_gap, top = 300, 44, 14, 140, 60
    x_of = {stack: 20 + i * (box_w + col_gap) for i, (stack, _) in enumerate(topo.stacks)}
    pos: dict[str, tuple[int, int]] = {}
    rows: dict[str, int] = {}
    for n in topo.nodes:
        row = rows.get(n.stack, 0)
        rows[n.stack] = row + 1
        pos[n.id] = (x_of[n.stack], top + row * (box_h + gap))
    width = 40 + len(topo.stacks) * box_w + max(len(topo.stacks) - 1, 0) * col_gap
    height = top + max(rows.values(), default=0) * (box_h + gap) + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    for stack, title in topo.stacks:
        out.append(f'<text x="{x_of[stack]}" y="{top - 20}" font-weight="bold">{escape(title)}</text>')
    for n in topo.nodes:
        x, y = pos[n.id]
        fill = "#e8f1fb" if n.shape == "db" else "#f4f4f4"
        out.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="8" fill="{fill}" stroke="#555"/>')
        out.append(f'<text x="{x + 8}" y="{y + 18}">{escape(n.title)}</text>')
        if n.detail:
            out.append(f'<text x="{x + 8}" y="{y + 34}" fill="#444">{escape(n.detail)}</text>')
    for e in topo.edges:
        (x1, y1), (x2, y2) = pos[e.source], pos[e.target]
        same = x1 == x2
        sx, ex = (x1 + box_w, x2 + box_w) if same else ((x1 + box_w, x2) if x1 < x2 else (x1, x2 + box_w))
        sy, ey = y1 + box_h // 2, y2 + box_h // 2
        dash = ' stroke-dasharray="5,4"' if e.dotted else ""
        out.append(f'<line x1="{sx}" y1="{sy}" x2="{ex}" y2="{ey}" stroke="#555"{dash} marker-end="url(#arrow)"/>')
        out.append(
            f'<text x="{(sx + ex) // 2 + (12 if same else 0)}" y="{(sy + ey) // 2 - 4}" fill="#333" '
            f'font-size="11">{escape(e.label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


FORMATS: dict[str, Any] = {"mermaid": mermaid, "svg": svg}


def _diagram(args: argparse.Namespace) -> int:
    plans = engine.plan_stacks(args.stacks or None, args.root)
    failed = [p for p in plans if p.error]
    text = FORMATS[args.format](topology(plans))
    if args.output:
        Path(args.output).write_text(text + "\n")
    else:
        emit(text)
    for p in failed:
        print(f"drctl: stack {p.stack}: {p.error}", file=sys.stderr)
    return 1 if failed else 0


def register(sub: Any) -> None:
    """``drctl diagram [STACK...] [--format mermaid|svg] [-o FILE]``."""
    parser = sub.add_parser("diagram", help="topology of the planned stacks as Mermaid or SVG, from the plans")
    parser.add_argument("stacks", nargs="*", help="stacks to draw (default: all, peers first)")
    parser.add_argument("--format", choices=sorted(FORMATS), default="mermaid", help="default: mermaid")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=_diagram)
