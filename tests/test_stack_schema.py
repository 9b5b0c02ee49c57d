"""The stack-file JSON schema: generated from StackConfig, committed for editors, and in step with the model."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.stackfiles.yamlfile import read_yaml
from azure_dr.components.stack.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "components" / "stack" / "stack-file.schema.json"


def _printed(capsys: pytest.CaptureFixture[str], root: Path) -> str:
    assert cli.main(["--root", str(root), "schema", "stack"]) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(COMMITTED.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _stack_file(name: str) -> dict[str, Any]:
    document: dict[str, Any] = read_yaml(ROOT / f"Pulumi.{name}.yaml").data
    return document


def _as_pulumi_hands_it(value: Any) -> str:
    """Pulumi passes a scalar as its string and a structured value as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _model_accepts(document: dict[str, Any]) -> bool:
    """What the program itself says about the same config."""
    ours = {k.removeprefix("azure-dr:"): v for k, v in document["config"].items() if k.startswith("azure-dr:")}
    try:
        parse_config({k: _as_pulumi_hands_it(v) for k, v in ours.items()})
    except ConfigError:
        return False
    return True


def test_the_committed_schema_is_the_generated_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert _printed(capsys, ROOT) == COMMITTED.read_text(), "regenerate it: ./dev schemas"


def test_the_shipped_stacks_validate(validator: jsonschema.Draft202012Validator) -> None:
    for name in ("primary", "dr"):
        document = _stack_file(name)
        assert not [e.message for e in validator.iter_errors(document)], name


def _edited(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(_stack_file("primary"))
    node = document["config"]
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return document


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "valid"),
    [
        (("azure-dr:wokload",), "qlp", False),  # a typo of this project's key
        (("azure-dr:role",), "primary", False),
        (("azure-dr:workload",), _DELETE, False),  # required
        (("azure-dr:postgres", "sku_nme"), "Standard_D4ds_v5", False),  # unknown nested key
        (("azure-dr:objectives", "backup_retention_days"), "30", False),  # strict inside a block
        (("azure-dr:redis", "dr_mechanism"), "both", False),
        (("azure-dr:owns_global",), "yes", False),
        (("azure-dr:owns_global",), True, True),  # YAML boolean or Pulumi's string
        (("azure-dr:locks",), "false", True),
        (("azure-dr:environment",), {"secure": "v1:AAAA"}, True),  # a top-level secret
        (("azure-dr:postgres", "entra_admin", "principal_name"), {"secure": "v1:AAAA"}, True),  # nested string
        (("azure-native:location",), "uksouth", True),  # another namespace is not ours to judge
        (("azure-dr:network",), "", True),  # unset, as Pulumi.yaml's declared default
    ],
)
def test_the_schema_refuses_what_the_model_refuses(
    validator: jsonschema.Draft202012Validator, path: tuple[str, ...], value: Any, valid: bool
) -> None:
    document = _edited(path, value)
    assert validator.is_valid(document) is valid
    if not (isinstance(value, dict) and "secure" in value):  # offline, a secret is a placeholder, not its value
        assert _model_accepts(document) is valid


def test_a_renamed_project_gets_its_own_namespace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: orders\nruntime: python\nconfig:\n  workload:\n    type: string\n    description: The short name.\n"
        "    default: ord\n"
    )
    schema = json.loads(_printed(capsys, tmp_path))
    config = schema["properties"]["config"]
    assert config["properties"]["orders:workload"]["description"] == "The short name."
    assert "orders:workload" not in config["required"] and "orders:role" in config["required"]  # a project default
    validator = jsonschema.Draft202012Validator(schema)

    def unknown_keys(config: dict[str, Any]) -> list[str]:
        errors = validator.iter_errors({"config": config})
        return [str(e.instance) for e in errors if "propertyNames" in e.absolute_schema_path]

    assert unknown_keys({"orders:wokload": "x", "azure-dr:anything": 1}) == ["orders:wokload"]
