"""The installed distributions, outside the repository: azure-dr's wheel (all under the ``azure_dr`` namespace, its
components usable under Pulumi's standard mocks, its drctl checking a consumer project with the pack it ships) and
the policy pack's own distribution (azure-dr-policy: no SDK, the analyzer protocol, the same version).

uv installs from its cache, pinned to uv.lock's versions, so each environment takes about a second once the
cache holds them (the first run in a fresh CI cache downloads them from PyPI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from azure_dr.cli.engine.analyzer import PolicyPackProcess
from tests.policy_harness import PACK_DIR, analyze, make_resource, stack_plan

#: The pack's rule count, from its catalogue (the repository's pack is the one these tests ship).
RULE_COUNT = sum(
    len(list((Path(__file__).resolve().parents[1] / "policies" / "drpolicy" / kind).glob("[a-z]*.py")))
    for kind in ("resource", "stack")
)

ROOT = Path(__file__).resolve().parents[1]
CONSUMER_PROGRAM = Path(__file__).parent / "data" / "consumer_program.py"
EXAMPLE = ROOT / "examples" / "postgres-with-replica"
#: The SDKs the pack's environment must not hold, nor the whole azure-dr package.
HEAVY = ("pulumi_azure_native", "pulumi_kubernetes", "azure_dr")
ENV = {**os.environ, "UV_NO_PROGRESS": "1"}


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is not installed: run ./dev setup")
    return found


def _run(*args: str | Path, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([str(a) for a in args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, f"{' '.join(map(str, args))}\n{run.stdout}\n{run.stderr}"
    return run


def _site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python3*/site-packages")
    return found


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """uv.lock's versions as pip constraints: the environments get what the project is tested with."""
    path = tmp_path_factory.mktemp("lock") / "constraints.txt"
    _run(_uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-o", path, cwd=ROOT)
    return path


def _venv(where: Path, locked: Path, *install: str | Path, cwd: Path | None = None) -> Path:
    """A fresh environment outside the repository with ``install`` (uv pip install arguments) in it."""
    venv = where / "venv"
    _run(_uv(), "venv", "--quiet", "--python", sys.executable, venv)
    _run(_uv(), "pip", "install", "--quiet", "--python", venv / "bin" / "python", "-c", locked, *install, cwd=cwd)
    return venv


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(_uv(), "build", "--wheel", "--quiet", "--out-dir", out, ROOT)
    (built,) = out.glob("azure_dr-*.whl")
    return built


@pytest.fixture(scope="module")
def consumer_venv(wheel: Path, locked: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv(tmp_path_factory.mktemp("consumer"), locked, wheel)


def test_the_wheel_installs_only_the_azure_dr_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"azure_dr"}, tops
    for expected in (
        "azure_dr/__init__.py",
        "azure_dr/py.typed",
        "azure_dr/components/__init__.py",
        "azure_dr/components/facts/regions.py",
        "azure_dr/components/facts/data/azure-native-replace.json",
        "azure_dr/components/stack/config.py",
        "azure_dr/components/stack/stack-file.schema.json",
        "azure_dr/cli/launch.py",
        "azure_dr/cli/report/schemas/check-v1.schema.json",
        "azure_dr/testing/__init__.py",
        "azure_dr/policies/PulumiPolicy.yaml",
        "azure_dr/policies/__main__.py",
        "azure_dr/policies/policy-config.json",
        "azure_dr/policies/drpolicy/catalogue.py",
        "azure_dr/policies/drpolicy/azure_facts/regions.py",  # the link, followed: the pack is whole
    ):
        assert expected in names, expected
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    (entry_points,) = [n for n in names if n.endswith("entry_points.txt")]
    assert "drctl = azure_dr.cli.launch:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert f"-{metadata.version('azure-dr')}-" in wheel.name


def test_a_consumer_program_builds_components_under_standard_mocks_and_is_typed(
    consumer_venv: Path, tmp_path: Path
) -> None:
    program = tmp_path / "consumer_program.py"
    shutil.copy(CONSUMER_PROGRAM, program)
    printed = json.loads(_run(consumer_venv / "bin" / "python", program, cwd=tmp_path).stdout)
    assert printed["registered"] == [
        "azure-dr:keyvault:KeyVault::app-kv",
        "azure-dr:registry:ContainerRegistry::app-cr",
        "azure-native:authorization:ManagementLockByScope::app-cr-lock",
        "azure-native:authorization:ManagementLockByScope::app-kv-lock",
        "azure-native:containerregistry:Registry::app-cr-registry",
        "azure-native:keyvault:Vault::app-kv-vault",
    ]
    assert printed["ids"] == {"vault": "app-kv-vault_id", "registry": "app-cr-registry_id"}
    # The installed package's own types (py.typed), read from the consumer's environment, with the mypy settings
    # shipped for consumers (docs/performance.md): the program imports no SDK subpackage itself, so mypy reads none
    # (with the repository's settings, which list every subpackage the library uses, ~20 s of CPU cold, not ~4 s).
    # A cache of its own (lint's holds the same modules checked as sources; each run would invalidate the other's).
    mypy = Path(sys.executable).parent / "mypy"
    _run(
        mypy, "--strict", "--python-executable", consumer_venv / "bin" / "python",
        "--config-file", EXAMPLE / "mypy.ini", "--cache-dir", ROOT / ".mypy_cache" / "consumer", program,
        cwd=tmp_path,
    )  # fmt: skip


def test_drctl_checks_a_consumer_project_against_the_pack_it_ships(consumer_venv: Path, tmp_path: Path) -> None:
    project = tmp_path / "orders"
    shutil.copytree(EXAMPLE, project)
    assert not (project / "policies").exists()
    run = subprocess.run(
        [consumer_venv / "bin" / "drctl", "check"], cwd=project, env=ENV, capture_output=True, text=True, timeout=300
    )
    assert run.returncode in (0, 1), run.stderr  # judged (pass or violations), not "not a policy pack" (2)
    assert f"policy pack azure-dr v{metadata.version('azure-dr')}: {RULE_COUNT} rules" in run.stdout, run.stdout
    assert "stack dev: 10 resources" in run.stdout


@pytest.fixture(scope="module")
def published_pack(locked: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The pack directory as `pulumi policy publish` archives it (links followed, its venv and caches left out),
    installed the way Pulumi installs a pack: requirements.txt into the pack's own venv, from the pack's directory
    alone - no repository around it."""
    pack = tmp_path_factory.mktemp("published") / "azure-dr"
    shutil.copytree(PACK_DIR, pack, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    venv = _venv(pack, locked, "-r", "requirements.txt", cwd=pack)
    return pack, venv


def test_the_pack_installs_alone_without_the_sdks(published_pack: tuple[Path, Path]) -> None:
    _, venv = published_pack
    site = _site_packages(venv)
    assert not [name for name in HEAVY if (site / name).exists()]
    (info,) = site.glob("azure_dr_policy-*.dist-info")
    assert info.name == f"azure_dr_policy-{metadata.version('azure-dr')}.dist-info"  # one version
    # The installed distribution alone carries the rules and their facts (run away from the pack's directory).
    probe = "import drpolicy.catalogue as c; print(len(c.rules()), c.__file__)"
    count, where = _run(venv / "bin" / "python", "-c", probe, cwd=venv).stdout.split()
    assert count == str(RULE_COUNT) and Path(where).is_relative_to(site)


def test_the_published_pack_answers_the_analyzer_protocol_as_the_repositorys(
    published_pack: tuple[Path, Path],
) -> None:
    pack, venv = published_pack
    failing = make_resource(
        "azure-native:storage:StorageAccount",
        {"sku": {"name": "Standard_LRS"}, "location": "uksouth", "allowBlobPublicAccess": True},
    )
    with PolicyPackProcess(pack, project="azure-dr", stack="primary", python=str(venv / "bin" / "python")) as alone:
        name, version, policies, _ = alone.info()
        alone.configure()
        results, skipped = alone.analyze_stack(stack_plan([failing]))
    assert (name, version, len(policies)) == ("azure-dr", metadata.version("azure-dr"), RULE_COUNT)
    in_repository = analyze([failing])
    assert {(r.policy_name, r.message) for r in results} == {(r.policy_name, r.message) for r in in_repository.results}
    assert {r.policy_name for r in results} >= {"storage-geo-redundancy", "storage-public-blobs"}
    assert skipped == in_repository.not_applicable
