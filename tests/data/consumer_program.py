"""A consumer's unit test of its own program, outside the azure-dr repository: two azure-dr components under
Pulumi's standard mocks (a plain ``pulumi.runtime.Mocks``, not azure-dr's), type-checked with ``mypy --strict``.

tests/test_distribution.py runs it with a wheel installed in an empty environment; it prints what was registered.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pulumi

from azure_dr.components import ContainerRegistry, ContainerRegistryArgs, KeyVault, KeyVaultArgs


class Mocks(pulumi.runtime.Mocks):
    """Pulumi's documented minimum: every resource gets an id and echoes its inputs."""

    def __init__(self) -> None:
        self.registered: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, object]]:
        self.registered.append(f"{args.typ}::{args.name}")
        return f"{args.name}_id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, object], list[tuple[str, str]] | None]:
        return {}, None


mocks = Mocks()
pulumi.runtime.set_mocks(mocks, preview=False)

#: ``pulumi.runtime.test`` is untyped: named once with its type, so the calls below are checked.
run_test: Callable[[Callable[[], pulumi.Output[list[str]]]], Callable[[], None]] = pulumi.runtime.test
ids: dict[str, str] = {}


def build() -> pulumi.Output[list[str]]:
    vault = KeyVault(
        "app-kv",
        KeyVaultArgs(vault_name="kv-app-uks", resource_group_name="rg-app", location="uksouth", tenant_id="tenant"),
    )
    registry = ContainerRegistry(
        "app-cr", ContainerRegistryArgs(registry_name="crappuks", resource_group_name="rg-app", location="uksouth")
    )

    def keep(values: list[str]) -> list[str]:
        ids.update(vault=values[0], registry=values[1])
        return values

    return pulumi.Output.all(vault.vault_id, registry.registry_id).apply(keep)


run_test(build)()
print(json.dumps({"registered": sorted(mocks.registered), "ids": ids}))
