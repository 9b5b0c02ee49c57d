"""The project as the Pulumi and Python ecosystems read it: Pulumi.yaml's config schema, the policy pack's own
environment, the library's metadata, the workflow."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from ruamel.yaml import YAML

import azure_dr.components as components
from azure_dr.cli.engine.programs import ROOT
from azure_dr.components.stack.config import StackConfig


def _load(text: str) -> Any:
    """YAML 1.2, as the Pulumi CLI and GitHub Actions read these files."""
    return YAML(typ="safe", pure=True).load(text)


PROJECT = _load((ROOT / "Pulumi.yaml").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACK = ROOT / "policies"

#: What Pulumi's project schema allows in a config declaration, and its simple types (pulumi/pulumi,
#: sdk/go/common/workspace/project.json, ``configTypeDeclaration``; project.go ``ValidateConfigValue``).
DECLARATION_KEYS = {"type", "items", "description", "secret", "default", "value"}
PULUMI_TYPES = {"string": str, "boolean": bool, "integer": int}


def _declared() -> dict[str, dict[str, Any]]:
    return {k: v for k, v in PROJECT["config"].items() if ":" not in k}


def test_pulumi_yaml_declares_exactly_the_config_models_keys() -> None:
    assert set(_declared()) == set(StackConfig.model_fields)
    for key, declaration in _declared().items():
        assert set(declaration) <= DECLARATION_KEYS, key
        assert declaration.get("description"), f"{key} has no description"


def test_declared_types_and_defaults_agree_with_the_model() -> None:
    for key, declaration in _declared().items():
        field = StackConfig.model_fields[key]
        assert ("default" in declaration) == (not field.is_required()), f"{key}: required in one, not the other"
        kind = declaration.get("type")
        if kind is not None:
            assert kind in PULUMI_TYPES, key
            if "default" in declaration:
                assert isinstance(declaration["default"], PULUMI_TYPES[kind]), key
        if "default" not in declaration:
            continue
        default = declaration["default"]
        model_default = field.get_default(call_default_factory=True)
        if model_default is None:
            assert default == "", f"{key}: an optional key without a value is declared as ''"
        elif isinstance(model_default, str | bool | int):
            assert default == model_default, key
        elif isinstance(model_default, list):  # a list: [] means none
            assert default == [] == model_default, key
        else:  # a block: {} means every field of the block at its model default
            assert default == {}, key


def test_every_stack_sets_the_keys_pulumi_requires_and_with_their_types() -> None:
    for stack_file in sorted(ROOT.glob("Pulumi.*.yaml")):
        config = _load(stack_file.read_text())["config"]
        for key, declaration in _declared().items():
            value = config.get(f"azure-dr:{key}")
            if "default" not in declaration:
                assert value is not None, f"{stack_file.name} must set azure-dr:{key} (no default)"
            kind = declaration.get("type")
            if value is not None and kind == "boolean":
                assert value in (True, False, "true", "false"), (stack_file.name, key)
            elif value is not None and kind == "string":
                assert isinstance(value, str), (stack_file.name, key)


def test_declared_defaults_reach_the_program_as_unset(shipped: dict[str, Any]) -> None:
    """primary sets no peer_stack: Pulumi hands the program the declared "" and the model reads it as unset."""
    from azure_dr.components.stack.config import parse_config

    assert (
        parse_config(
            {
                "workload": "qlp",
                "role": "active",
                "region": "uksouth",
                "peer_stack": "",
                "peer_region": "ukwest",
                "postgres": {
                    "entra_admin": {"object_id": "3f2a9c1e-7b4d-4e8a-9c21-5d6e7f8a9b0c", "principal_name": "admins"}
                },
                "routing": {"origin_host": "app.example.com"},
                "owns_global": "true",
            }
        ).peer_stack
        is None
    )
    assert shipped["primary"].error is None


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


PACK_PROJECT = tomllib.loads((PACK / "pyproject.toml").read_text())["project"]
#: What the pack's environment must never need: the cloud SDKs, or the whole azure-dr package.
SDKS = {"pulumi_azure_native", "pulumi_kubernetes", "azure_dr"}


def _requirements() -> list[str]:
    lines = (PACK / "requirements.txt").read_text().splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _pack_sources() -> list[Path]:
    """Every module the pack's distribution holds, through the link to the shared facts (as its build does)."""
    found = []
    for folder, dirs, files in os.walk(PACK / "drpolicy", followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found += [Path(folder) / f for f in files if f.endswith(".py")]
    return [*found, PACK / "__main__.py"]


def test_the_pack_runs_from_its_own_declared_environment() -> None:
    policy_yaml = _load((PACK / "PulumiPolicy.yaml").read_text())
    options = policy_yaml["runtime"]["options"]
    assert options == {"toolchain": "pip", "virtualenv": "venv"}  # its own venv, not the project's ../.venv
    assert _requirements() == ["."]  # the pack's own distribution (pyproject.toml there), nothing else
    assert PACK_PROJECT["name"] == "azure-dr-policy"
    named = {canonicalize_name(Requirement(r).name) for r in PACK_PROJECT["dependencies"]}
    modules = set().union(*(_imports(p) for p in _pack_sources()))
    third_party = {m for m in modules if m not in sys.stdlib_module_names and m not in {"drpolicy", "__future__"}}
    assert not third_party & SDKS, third_party & SDKS
    distributions = metadata.packages_distributions()
    for module in sorted(third_party):
        owners = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert owners & named, f"the pack imports {module} but policies/pyproject.toml does not declare it"
    # The facts the pack reads are the components' own: a link in the repository, not a copy.
    facts = PACK / "drpolicy" / "azure_facts"
    assert facts.is_symlink() and facts.resolve() == (ROOT / "components" / "facts").resolve()
    assert any(p.name == "regions.py" for p in _pack_sources())


def test_the_projects_environment_satisfies_the_packs_requirements() -> None:
    """drctl runs the pack with the project's interpreter: that must be an environment the pack declares."""
    for line in PACK_PROJECT["dependencies"]:
        requirement = Requirement(line)
        assert requirement.specifier.contains(metadata.version(requirement.name), prereleases=True), line
        assert canonicalize_name(requirement.name) in {
            canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]
        }, f"azure-dr runs the pack, so it declares {requirement.name} too"


def test_one_version_for_the_package_and_the_pack() -> None:
    """Both distributions read PulumiPolicy.yaml's version (what `pulumi policy publish` uses); the changelog has
    the version's notes."""
    version = _load((PACK / "PulumiPolicy.yaml").read_text())["version"]
    assert metadata.version("azure-dr") == version  # the installed package (./dev setup re-syncs on a bump)
    for project, root in ((PYPROJECT, ROOT), (tomllib.loads((PACK / "pyproject.toml").read_text()), PACK)):
        assert project["project"]["dynamic"] == ["version"] and "version" not in project["project"]
        source = project["tool"]["hatch"]["version"]
        assert (root / source["path"]).resolve() == (PACK / "PulumiPolicy.yaml").resolve()
    assert re.search(rf"^## {re.escape(version)} \(", (ROOT / "CHANGELOG.md").read_text(), re.M), (
        f"CHANGELOG.md has no notes for {version}: ./dev release {version}"
    )


def test_changelog_fragments_have_known_types_and_render() -> None:
    """towncrier skips a fragment of an unknown type without a word: each must name one, and appear in the draft."""
    types = {t["directory"] for t in PYPROJECT["tool"]["towncrier"]["type"]}
    fragments = [p for p in (ROOT / "changelog.d").iterdir() if p.name != "README.md"]
    for fragment in fragments:
        assert fragment.suffix == ".md" and fragment.name.split(".")[-2] in types, f"{fragment.name}: types {types}"
    run = subprocess.run(
        [str(Path(sys.executable).parent / "towncrier"), "build", "--draft", "--version", "99.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "## 99.0.0 (" in run.stdout, run.stderr
    for fragment in fragments:
        assert fragment.read_text().split()[0] in run.stdout, fragment.name


def test_the_library_is_typed_licensed_and_exports_its_public_names() -> None:
    assert (ROOT / "components" / "py.typed").exists() and (ROOT / "drctl" / "py.typed").exists()
    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    assert "<" not in project["requires-python"]  # not capped below the current Python
    assert {"Homepage", "Repository", "Issues", "Documentation"} <= set(project["urls"])
    assert "Typing :: Typed" in project["classifiers"]
    for name in components.__all__:
        assert getattr(components, name) is not None, name
    from azure_dr.components import DrRegion
    from azure_dr.components import StackConfig as Exported

    assert Exported is StackConfig and DrRegion.__module__ == "azure_dr.components.stack.region"


def test_license() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text


def test_region_facts_stay_cheap_to_import() -> None:
    """The pack reads the facts subpackage; the package's exports must not drag the Azure SDK in."""
    code = (
        "import sys, azure_dr.components.facts.regions, azure_dr.components.facts.recovery;"
        "print('pulumi_azure_native' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "False", run.stderr


def test_workflow_runs_ci_passes_policy_config_and_guards_the_upload() -> None:
    workflow = _load((ROOT / ".github" / "workflows" / "dr-policy.yml").read_text())
    jobs = workflow["jobs"]
    assert any(step.get("run") == "./dev ci" for step in jobs["ci"]["steps"])
    upload = next(s for s in jobs["offline-check"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert "hashFiles('drctl-check.sarif')" in upload["if"]
    preview = jobs["preview"]["steps"]
    config_step = next(s for s in preview if "policy-config" in s.get("run", ""))
    pulumi = next(s for s in preview if s.get("uses", "").startswith("pulumi/actions@"))
    assert "matrix.stack" in config_step["run"] and pulumi["with"]["policyPackConfigs"].startswith("policy-config.")
    for job in jobs.values():
        for step in job["steps"]:
            uses = step.get("uses", "")
            major = int(uses.rsplit("@v", 1)[1]) if "@v" in uses else 0
            floor = {"actions/checkout": 5, "actions/setup-python": 6, "pulumi/actions": 7}.get(uses.split("@")[0])
            assert floor is None or major >= floor, f"{uses} is an old major (node20)"
