"""The installed distribution: all under the ``azure_dr`` namespace, nothing generic at the top of site-packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is not installed: run ./dev setup")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    subprocess.run([_uv(), "build", "--wheel", "--quiet", "--out-dir", str(out), str(ROOT)], check=True, env=env)
    (built,) = out.glob("azure_dr-*.whl")
    return built


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
        "azure_dr/cli/launch.py",
        "azure_dr/cli/report/schemas/check-v1.schema.json",
        "azure_dr/testing/__init__.py",
        "azure_dr/policies/PulumiPolicy.yaml",
        "azure_dr/policies/__main__.py",
        "azure_dr/policies/policy-config.json",
        "azure_dr/policies/drpolicy/catalogue.py",
    ):
        assert expected in names, expected
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    (entry_points,) = [n for n in names if n.endswith("entry_points.txt")]
    assert "drctl = azure_dr.cli.launch:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
