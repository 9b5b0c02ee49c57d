"""Every command of the DR cycle keeps a stack file as its author wrote it: comments, quotes, flow style, CRLF line
ends, a BOM and ``secure:`` ciphertext survive byte for byte outside the keys the command changes.

The corpus is the shipped pair restyled the ways people write YAML. Each check masks, in the file before and after
a command, only the lines of the keys whose values differ (found from the values, not from the editor) and the
indented lines under them; what is left must be the same bytes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.lifecycle.pair import load_pair
from azure_dr.cli.stackfiles.edit import DELETE, Edit, EditError, StackDocument, edited
from azure_dr.cli.stackfiles.files import SECRET_PLACEHOLDER, load_stack
from azure_dr.cli.stackfiles.transaction import write_files
from azure_dr.cli.stackfiles.yamlfile import KeyPath, parse_bytes
from tests.helpers import FORCED_CYCLE, PLANNED_CYCLE, Step

PRIMARY = (ROOT / "Pulumi.primary.yaml").read_text()
DR = (ROOT / "Pulumi.dr.yaml").read_text()
CIPHERTEXT = "v1:AAAAAQpyZWFsIGNpcGhlcnRleHQ="
BOM = b"\xef\xbb\xbf"


def sub(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the shipped stack file changed: {old!r} not found once"
    return text.replace(old, new)


def styled(text: str, role: str) -> str:
    """Comments everywhere, quoted values, a secret, and (on dr) a flow-style block."""
    text = "# Owned by the platform team.\n# Edit with care: drctl rewrites only what a switch changes.\n\n" + text
    text = sub(text, f"  azure-dr:role: {role}\n", f'  azure-dr:role: "{role}"   # who takes traffic\n')
    text = sub(text, "  azure-dr:postgres:\n", "  azure-dr:postgres:    # the database; never replaced\n")
    state = "replica" if role == "standby" else "primary"
    text = sub(text, f"    state: {state}\n", f"    state: '{state}'  # drctl moves this\n")
    text = sub(text, "    sku_name:", "    # size kept in step with the peer\n    sku_name:")
    text = sub(
        text, "      principal_name: sg-qlp-postgres-admins\n", f"      principal_name:\n        secure: {CIPHERTEXT}\n"
    )
    if role == "standby":
        text = sub(
            text,
            "  azure-dr:redis:\n    capacity: 1\n    dr_mechanism: geo-replication\n    geo_secondary: true\n",
            "  azure-dr:redis: {capacity: 1, dr_mechanism: 'geo-replication', geo_secondary: true}  # linked\n",
        )
    return text + "\n# end of file: nothing below this line\n"


def flow_postgres(text: str, role: str) -> str:
    """The postgres block written in flow style, its secret inside the flow."""
    block = re.search(r"  azure-dr:postgres:\n((?:    .*\n)+)", text)
    assert block is not None
    data = parse_bytes(ROOT / "Pulumi.x.yaml", text.encode()).data["config"]["azure-dr:postgres"]
    admin = data["entra_admin"]
    inner = ", ".join(f"{k}: {v}" for k, v in data.items() if k != "entra_admin")
    flow = (
        f"  azure-dr:postgres: {{{inner}, entra_admin: {{object_id: {admin['object_id']}, "
        f"principal_name: {{secure: '{CIPHERTEXT}'}}, principal_type: {admin['principal_type']}}}}}  # one line\n"
    )
    return text.replace(block.group(0), flow)


def crlf_bom(text: str) -> bytes:
    return BOM + text.replace("\n", "\r\n").encode()


Variant = Callable[[str, str], bytes]
VARIANTS: dict[str, Variant] = {
    "styled": lambda text, role: styled(text, role).encode(),
    "styled-crlf-bom": lambda text, role: crlf_bom(styled(text, role)),
    "flow-postgres": lambda text, role: flow_postgres(text, role).encode(),
}


def make_project(tmp_path: Path, variant: str) -> Path:
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "Pulumi.primary.yaml").write_bytes(VARIANTS[variant](PRIMARY, "active"))
    (tmp_path / "Pulumi.dr.yaml").write_bytes(VARIANTS[variant](DR, "standby"))
    load_pair(tmp_path)  # every variant is a valid pair
    return tmp_path


# --- what changed, and what must not have -------------------------------------------------------------------


def changed_paths(before: Any, after: Any, path: KeyPath = ()) -> Iterator[KeyPath]:
    """The key paths whose values differ (mappings compared key by key, anything else as a whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before.keys() | after.keys():
            if key not in before or key not in after:
                yield (*path, key)
            else:
                yield from changed_paths(before[key], after[key], (*path, key))
    elif before != after or type(before) is not type(after):
        yield path


def masked(raw: bytes, paths: list[KeyPath]) -> list[bytes]:
    """The file's lines without those of ``paths`` (the key's line and every line indented under it)."""
    doc = parse_bytes(Path("Pulumi.x.yaml"), raw)
    lines = raw.splitlines(keepends=True)
    dropped: set[int] = set()
    for path in paths:
        line = doc.lines.get(path)
        if line is None:  # not in this file: where its flow-style parent (if any) would hold it
            parent = next((doc.lines[path[:end]] for end in range(len(path) - 1, 1, -1) if path[:end] in doc.lines), 0)
            if not parent or b"{" not in lines[parent - 1]:
                continue
            line = parent
        first = lines[line - 1].removeprefix(BOM)
        column = len(first) - len(first.lstrip(b" -"))
        block = [line - 1]
        for index in range(line, len(lines)):
            text = lines[index]
            if text.strip() and len(text) - len(text.lstrip(b" ")) <= column:
                break
            block.append(index)
        while len(block) > 1 and not lines[block[-1]].strip():  # blank lines after the block are not its own
            block.pop()
        dropped.update(block)
    return [line for index, line in enumerate(lines) if index not in dropped]


def comments(raw: bytes) -> list[bytes]:
    return sorted(re.findall(rb"#[^\r\n]*", raw))


def assert_only_changed_keys_moved(before: bytes, after: bytes) -> list[KeyPath]:
    old = parse_bytes(Path("Pulumi.x.yaml"), before).data
    new = parse_bytes(Path("Pulumi.x.yaml"), after).data
    paths = list(changed_paths(old, new))
    assert masked(before, paths) == masked(after, paths), paths
    assert after.startswith(BOM) == before.startswith(BOM)
    assert (b"\r\n" in after) == (b"\r\n" in before) and (
        b"\r\n" not in after or b"\n" not in after.replace(b"\r\n", b"")
    )
    assert SECRET_PLACEHOLDER.encode() not in after
    assert set(secrets(new)) <= {CIPHERTEXT} and len(secrets(new)) >= min(len(secrets(old)), 1)
    return paths


def secrets(value: Any) -> list[str]:
    """Every ``secure:`` value in a file's data."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return [value["secure"]]
        return [s for v in value.values() for s in secrets(v)]
    if isinstance(value, list):
        return [s for v in value for s in secrets(v)]
    return []


# --- each command's edits, written as the command writes them -----------------------------------------------


def run_edits(root: Path, step: Step) -> None:
    transition = step(load_pair(root))
    write_files(root, list(edited(root, ["dr", "primary"], transition.edits).values()), "test")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize(("cycle", "steps"), [("forced", FORCED_CYCLE), ("planned", PLANNED_CYCLE)])
def test_each_command_changes_only_its_keys(
    tmp_path: Path, variant: str, cycle: str, steps: list[tuple[str, Step]]
) -> None:
    root = make_project(tmp_path, variant)
    files = [root / "Pulumi.primary.yaml", root / "Pulumi.dr.yaml"]
    original = {f: f.read_bytes() for f in files}
    for name, step in steps:
        before = {f: f.read_bytes() for f in files}
        run_edits(root, step)
        for f in files:
            paths = assert_only_changed_keys_moved(before[f], f.read_bytes())
            assert all(p[:1] == ("config",) for p in paths), (name, paths)
        load_pair(root)  # and the pair it leaves is valid
    for f in files:  # no comment of the author's is lost over the whole cycle
        final = f.read_bytes()
        assert [c for c in comments(original[f]) if c not in comments(final)] == [], f.name
        assert final.count(CIPHERTEXT.encode()) >= 1
    assert load_pair(root).status() == "built" and load_pair(root).active.name == "primary"


def test_the_rebuild_keeps_the_secret_as_ciphertext_in_both_generations(tmp_path: Path) -> None:
    root = make_project(tmp_path, "styled")
    for _, step in FORCED_CYCLE[:3]:
        run_edits(root, step)
    text = (root / "Pulumi.primary.yaml").read_text()
    assert text.count(f"secure: {CIPHERTEXT}") == 2  # the new generation's block and the retired copy
    written = load_stack(root, "primary").written["azure-dr:postgres"]
    assert written["entra_admin"]["principal_name"] == {"secure": CIPHERTEXT}
    assert written["retired"][0]["entra_admin"]["principal_name"] == {"secure": CIPHERTEXT}
    # The unchanged keys of the block keep their bytes, comments and quotes included.
    assert "    # size kept in step with the peer\n    sku_name: Standard_D4ds_v5\n" in text
    assert "  azure-dr:postgres:    # the database; never replaced\n" in text
    assert "    state: 'new'  # drctl moves this\n" in text  # a quoted value stays quoted, its comment kept


def test_the_real_commands_keep_a_crlf_bom_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same through drctl itself (planning, the runbook, the transaction), once around the forced cycle."""
    root = make_project(tmp_path, "styled-crlf-bom")
    shutil.copytree(ROOT / "policies", root / "policies", ignore=shutil.ignore_patterns("venv", "__pycache__"))
    files = [root / "Pulumi.primary.yaml", root / "Pulumi.dr.yaml"]
    for command in (["promote", "--forced"], ["settle"], ["rebuild", "primary"], ["settle"], ["failback"], ["settle"]):
        before = {f: f.read_bytes() for f in files}
        assert cli.main(["--root", str(root), *command]) == 0, capsys.readouterr()
        for f in files:
            assert_only_changed_keys_moved(before[f], f.read_bytes())
    assert cli.main(["--root", str(root), "check"]) == 0
    assert "PASS" in capsys.readouterr().out


def test_an_edit_that_cannot_be_made_in_place_changes_nothing(tmp_path: Path) -> None:
    """A value written as a YAML alias would move its anchor too: refused, the text untouched."""
    root = make_project(tmp_path, "styled")
    path = root / "Pulumi.dr.yaml"
    text = path.read_text().replace("  azure-native:location: ukwest", "  azure-native:location: &here ukwest")
    path.write_text(text.replace("  azure-dr:region: ukwest", "  azure-dr:region: *here"))
    doc = StackDocument(root, "dr")
    with pytest.raises(EditError, match="cannot edit region in place") as caught:
        doc.apply(Edit("dr", ("region",), "northeurope"))
    assert "\n" not in str(caught.value) and not doc.changed


HEAD = "name: azure-dr\nruntime: python\n"
EDITS: list[tuple[str, str, Edit, str]] = [
    # (case, file, edit, the file after it)
    (
        "scalar",
        "config:\n  azure-dr:role: standby  # x\n",
        Edit("s", ("role",), "active"),
        "config:\n  azure-dr:role: active  # x\n",
    ),
    (
        "double-quoted",
        'config:\n  azure-dr:role: "standby"\n',
        Edit("s", ("role",), "active"),
        'config:\n  azure-dr:role: "active"\n',
    ),
    (
        "no-newline-at-end",
        "config:\n  azure-dr:role: standby",
        Edit("s", ("region",), "ukwest"),
        "config:\n  azure-dr:role: standby\n  azure-dr:region: ukwest\n",
    ),
    ("empty-file", "", Edit("s", ("role",), "active"), "config:\n  azure-dr:role: active\n"),
    (
        "comments-only",
        "# nothing yet\n",
        Edit("s", ("role",), "active"),
        "# nothing yet\nconfig:\n  azure-dr:role: active\n",
    ),
    (
        "new-block",
        "config:\n  azure-dr:role: standby\n",
        Edit("s", ("redis", "geo_secondary"), True),
        "config:\n  azure-dr:role: standby\n  azure-dr:redis:\n    geo_secondary: true\n",
    ),
    (
        "into-flow",
        "config:\n  azure-dr:redis: {capacity: 1}\n",
        Edit("s", ("redis", "geo_secondary"), True),
        "config:\n  azure-dr:redis: {capacity: 1, geo_secondary: true}\n",
    ),
    (
        "into-empty-flow",
        "config:\n  azure-dr:redis: {}\n",
        Edit("s", ("redis", "capacity"), 2),
        "config:\n  azure-dr:redis: {capacity: 2}\n",
    ),
    (
        "delete-flow-first",
        "config:\n  azure-dr:redis: {a: 1, b: 2}\n",
        Edit("s", ("redis", "a"), DELETE),
        "config:\n  azure-dr:redis: {b: 2}\n",
    ),
    (
        "delete-flow-last",
        "config:\n  azure-dr:redis: {a: 1, b: 2}\n",
        Edit("s", ("redis", "b"), DELETE),
        "config:\n  azure-dr:redis: {a: 1}\n",
    ),
    (
        "delete-only-key",
        "config:\n  azure-dr:backup:\n    enabled: false   # off\n  azure-dr:role: active\n",
        Edit("s", ("backup", "enabled"), DELETE),
        "config:\n  azure-dr:backup: {}\n  azure-dr:role: active\n",
    ),
    (
        "delete-block",
        "config:\n  azure-dr:backup:\n    enabled: false\n    x: [1]\n  # kept\n  azure-dr:role: active\n",
        Edit("s", ("backup",), DELETE),
        "config:\n  # kept\n  azure-dr:role: active\n",
    ),
    (
        "append-block-list",
        "config:\n  azure-dr:backup:\n    retained_instances:\n    - a   # first\n",
        Edit("s", ("backup", "retained_instances"), ["a", "b"]),
        "config:\n  azure-dr:backup:\n    retained_instances:\n    - a   # first\n    - b\n",
    ),
    (
        "append-flow-list",
        "config:\n  azure-dr:backup: {retained_instances: [a]}\n",
        Edit("s", ("backup", "retained_instances"), ["a", "b-c"]),
        "config:\n  azure-dr:backup: {retained_instances: [a, b-c]}\n",
    ),
    (
        "shorten-list",
        "config:\n  azure-dr:backup:\n    retained_instances:\n      - a\n      - b\n",
        Edit("s", ("backup", "retained_instances"), ["b"]),
        "config:\n  azure-dr:backup:\n    retained_instances:\n      - b\n",
    ),
    (
        "string-that-reads-as-bool",
        'config:\n  azure-dr:owns_global: "false"\n',
        Edit("s", ("owns_global",), "true"),
        'config:\n  azure-dr:owns_global: "true"\n',
    ),
    (
        "new-string-that-reads-as-bool",
        "config:\n  azure-dr:x: 1\n",
        Edit("s", ("owns_global",), "no"),
        'config:\n  azure-dr:x: 1\n  azure-dr:owns_global: "no"\n',
    ),
    (
        "indent-4",
        "config:\n    azure-dr:postgres:\n        state: new\n",
        Edit("s", ("postgres", "retired"), [{"generation": 1}]),
        "config:\n    azure-dr:postgres:\n        state: new\n        retired:\n            - generation: 1\n",
    ),
    (
        "crlf",
        "config:\r\n  azure-dr:role: standby\r\n",
        Edit("s", ("region",), "ukwest"),
        "config:\r\n  azure-dr:role: standby\r\n  azure-dr:region: ukwest\r\n",
    ),
    (
        "secret",
        "config:\n  azure-dr:x: 1\n",
        Edit("s", ("routing", "origin_host"), {"secure": "v1:AA=="}),
        "config:\n  azure-dr:x: 1\n  azure-dr:routing:\n    origin_host:\n      secure: v1:AA==\n",
    ),
]


@pytest.mark.parametrize(("text", "edit", "after"), [c[1:] for c in EDITS], ids=[c[0] for c in EDITS])
def test_an_edit_changes_exactly_its_text(tmp_path: Path, text: str, edit: Edit, after: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(HEAD)
    (tmp_path / "Pulumi.s.yaml").write_bytes(text.encode())
    doc = StackDocument(tmp_path, "s")
    doc.apply(edit)
    assert doc.data().decode() == after


def test_the_offline_secret_placeholder_is_never_written(tmp_path: Path) -> None:
    """What the offline engine reads a secret as must not reach a file, whatever a switch computes."""
    root = make_project(tmp_path, "styled")
    doc = StackDocument(root, "primary")
    with pytest.raises(EditError, match="offline secret placeholder"):
        doc.apply(Edit("primary", ("postgres", "entra_admin", "principal_name"), SECRET_PLACEHOLDER))
    assert not doc.changed
