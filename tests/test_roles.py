"""A role is named once: a built-in name, a GUID or a role definition id; anything else is one clear line."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from azure_dr.components import InvalidArgs, RoleAssignmentArgs
from azure_dr.components.roles import BUILT_IN_ROLES, ROLE_NAMES, resolve_role, role_definition_id

OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"  # Storage Blob Data Owner
SUB = "/subscriptions/5c2f8b9e-0d1a-4e3b-8f6c-7a9d0e1b2c3d"
SCOPE = f"{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st"


def _value(value: pulumi.Input[str]) -> Any:
    return _sync_await(pulumi.Output.from_input(value).future())


@pytest.mark.parametrize(
    ("given", "resolved"),
    [
        ("Storage Blob Data Owner", OWNER),
        (OWNER.upper(), OWNER),
        (f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}", None),
        (f"/providers/Microsoft.Authorization/roleDefinitions/{OWNER}", None),
    ],
)
def test_a_role_resolves_to_a_guid_or_stays_an_id(given: str, resolved: str | None) -> None:
    assert resolve_role(given) == (resolved or given)


@pytest.mark.parametrize(
    "given", ["Storage Blob Data Owners", "storage blob data owner", "owner-ish", f"{SUB}/roleDefinitions/{OWNER}"]
)
def test_an_unknown_role_is_one_line_naming_the_allowed_names(given: str) -> None:
    with pytest.raises(InvalidArgs) as refused:
        RoleAssignmentArgs(role_definition_id_or_name=given, principal_id="p")
    message = str(refused.value)
    assert "\n" not in message and f"{given!r} is not allowed" in message
    assert "Storage Blob Data Owner, " in message and "a role definition GUID" in message


def test_a_guid_is_assigned_under_the_scope_s_subscription() -> None:
    expected = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
    assert _value(role_definition_id("Storage Blob Data Owner", SCOPE)) == expected
    given = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
    assert role_definition_id(given, SCOPE) == given  # an id is used as given


def test_a_mock_scope_gets_the_tenant_level_id() -> None:
    found = _value(role_definition_id("Reader", "st-account_id"))
    assert found == "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"


def test_names_and_guids_are_one_to_one() -> None:
    assert len(ROLE_NAMES) == len(BUILT_IN_ROLES)
    assert all(len(guid) == 36 and guid == guid.lower() for guid in BUILT_IN_ROLES.values())
