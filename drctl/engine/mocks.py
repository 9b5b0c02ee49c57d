"""The mock engine: Azure-like answers for every resource, and a monitor that records what was registered."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from pulumi.runtime import mocks, rpc
from pulumi.runtime.sync_await import _ensure_event_loop

from . import azure_ids
from .recording import AliasSpec, RecordedResource

STACK_REFERENCE = "pulumi:pulumi:StackReference"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"


def _plain(value: Any) -> Any:
    """Secrets unwrap to a marker, so recordings never carry a secret's value."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return "[secret]"
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def alias_specs(request: Any) -> tuple[AliasSpec, ...]:
    """The aliases of a registration given as specs (``pulumi.Alias``), as the engine receives them."""
    return tuple(
        AliasSpec(a.spec.name, a.spec.type, a.spec.stack, a.spec.project, a.spec.parentUrn, a.spec.noParent)
        for a in request.aliases
        if a.HasField("spec")
    )


class AzureMocks(mocks.Mocks):
    """Answers as Azure would: ARM ids, names, host names; StackReferences answer with the peer's exports.

    ``unreachable`` regions model an outage: every invoke (data source) whose arguments name a resource there -
    its location, or a resource group located there - fails, as the real call would. The failure is recorded
    (``failed_invokes``) and the run's plan carries it as its error; the invoke itself still answers, so the
    offline run ends normally."""

    def __init__(self, peer_outputs: Mapping[str, Mapping[str, Any]], unreachable: Collection[str] = ()) -> None:
        self.peer_outputs = peer_outputs
        self.unreachable = frozenset(unreachable)
        self.group_regions: dict[str, str] = {}
        self.failed_invokes: list[str] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == RESOURCE_GROUP and isinstance(args.inputs.get("location"), str):
            self.group_regions[str(args.inputs.get("resourceGroupName") or args.name)] = args.inputs["location"]
        if args.typ == STACK_REFERENCE:
            target = str(args.resource_id or args.inputs.get("name", ""))
            outputs = dict(self.peer_outputs.get(target.rsplit("/", 1)[-1], {}))
            return target, {"name": target, "outputs": outputs, "secretOutputNames": []}
        if not args.custom:
            return None, {}
        if not args.typ.startswith("azure-native:"):
            return f"{args.name}-id", dict(args.inputs)
        rid = azure_ids.resource_id(args.typ, args.inputs, args.name)
        # The id travels beside the outputs (as from the engine), not inside them.
        outputs = {**args.inputs, "name": azure_ids.azure_name(rid)}
        outputs.update(azure_ids.extra_outputs(args.typ, args.inputs, rid))
        return rid, outputs

    def _lost(self, args: Mapping[str, Any]) -> str | None:
        """The unreachable region an invoke's arguments name, if any."""
        for key, value in args.items():
            if not isinstance(value, str):
                continue
            if key == "location" and value in self.unreachable:
                return value
            groups = [value] if key == "resourceGroupName" else re.findall(r"/resourceGroups/([^/]+)", value)
            for group in groups:
                if self.group_regions.get(group) in self.unreachable:
                    return self.group_regions[group]
        return None

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        lost = self._lost(args.args)
        if lost is not None:
            self.failed_invokes.append(f"invoke {args.token} failed: {lost} is unreachable (a regional outage)")
        if args.token == "azure-native:authorization:getClientConfig":
            return azure_ids.client_config(), []
        if args.token == "azure-native:containerservice:listManagedClusterUserCredentials":
            rg, cluster = str(args.args.get("resourceGroupName")), str(args.args.get("resourceName"))
            kubeconfig = {"name": "clusterUser", "value": azure_ids.user_kubeconfig(rg, cluster)}
            return {"kubeconfigs": [kubeconfig]}, []
        raise NotImplementedError(f"the offline engine has no answer for invoke {args.token}")


class RecordingMonitor(mocks.MockMonitor):
    """A MockMonitor that keeps every registration with its options, in order, and the stack's exports."""

    def __init__(self, mocks_: AzureMocks) -> None:
        super().__init__(mocks_)
        self.mocks_ = mocks_
        self.recorded: list[RecordedResource] = []
        self.outputs_by_urn: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        inputs = _plain(rpc.deserialize_properties(request.object))
        registered = self.resources.get(response.urn)
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                inputs=inputs,
                outputs=_plain(dict(registered.state)) if registered else {},
                id=response.id or None,
                parent=request.parent or None,
                provider=request.provider,
                dependencies=tuple(sorted(request.dependencies)),  # the SDK gathers them in a set
                property_dependencies={k: tuple(sorted(v.urns)) for k, v in request.propertyDependencies.items()},
                protect=bool(request.protect),
                ignore_changes=tuple(request.ignoreChanges),
                delete_before_replace=bool(request.deleteBeforeReplace),
                retain_on_delete=bool(request.retainOnDelete),
                aliases=tuple(a.urn for a in request.aliases if a.urn) + tuple(request.aliasURNs),
                alias_specs=alias_specs(request),
                additional_secret_outputs=tuple(request.additionalSecretOutputs),
                import_id=request.importId or None,
            )
        )
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        registered = self.resources.get(response.urn)
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=True,
                inputs={"name": request.id},
                outputs=_plain(dict(registered.state)) if registered else {},
                id=request.id or None,
                parent=request.parent or None,
                provider=request.provider,
                dependencies=tuple(sorted(request.dependencies)),  # the SDK gathers them in a set
                read=True,
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        self.outputs_by_urn[request.urn] = _plain(
            rpc.deserialize_properties(request.outputs) if request.outputs else {}
        )
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]
