"""A corpus of broken stack files: each gets one line naming the file and the line (and the key where there is
one), no traceback, and nothing registered. Every file is the shipped primary (or dr) stack with one fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from azure_dr.cli import commands as cli
from azure_dr.cli.engine import programs as engine
from azure_dr.cli.engine.programs import ROOT
from azure_dr.cli.report import posture
from azure_dr.cli.stackfiles import yamlfile
from azure_dr.cli.stackfiles.files import load_stack

PRIMARY = (ROOT / "Pulumi.primary.yaml").read_text()
DR = (ROOT / "Pulumi.dr.yaml").read_text()


# The shipped primary routes to its cluster ingress; the host-name cases switch it back to a host.
ORIGIN = next(line + "\n" for line in PRIMARY.splitlines() if line.strip().startswith("origin: cluster"))


def edit(old: str, new: str, base: str = PRIMARY) -> str:
    assert base.count(old) == 1, f"the shipped stack file changed: {old!r} not found once"
    return base.replace(old, new)


def add(block: str, base: str = PRIMARY) -> str:
    """``base`` with ``block`` appended inside ``config:`` (the shipped files end with a config key)."""
    return base.rstrip("\n") + "\n" + block


def host(name: str) -> str:
    """The primary routed to a host name instead of its cluster ingress."""
    return edit(ORIGIN, f"    origin: host\n    origin_host: {name}\n")


def tags(count: int) -> str:
    return "  azure-dr:tags:\n" + "".join(f"    t{i}: v\n" for i in range(count))


LAST = len(PRIMARY.rstrip("\n").splitlines())  # the line a block appended by ``add`` starts on is LAST + 1
DB = "      - name: qlp\n"
CONTAINER = "          - {name: audit, partition_key: /tenantId}\n"

# (case id, broken file text or bytes, what the one line must contain besides the file name)
Case = tuple[str, "str | bytes", tuple[str, ...]]
CASES: list[Case] = [
    # --- YAML syntax -------------------------------------------------------------------------------------
    ("tab-indent", edit("  azure-dr:role: active", "\tazure-dr:role: active"), (":6:", "tabs")),
    ("unclosed-brace", edit("{rpo_minutes: 15, rto_minutes: 120}", "{rpo_minutes: 15, rto_minutes: 120"), ("YAML",)),
    ("unclosed-bracket", add("  azure-dr:tags: [a, b\n"), ("YAML syntax error",)),
    ("unclosed-quote", edit("azure-dr:region: uksouth", 'azure-dr:region: "uksouth'), ("YAML syntax error",)),
    ("two-documents", PRIMARY + "---\nconfig: {}\n", ("second YAML document", "one document per file")),
    ("bad-mapping", edit("azure-dr:role: active", "azure-dr:role: active: yes"), (":6:", "YAML syntax error")),
    ("python-object", edit("sku: Standard_RAGZRS", "sku: !!python/object/apply:os.getcwd []"), (":29:", "!!python")),
    ("python-name", edit("kind: frontdoor", "kind: !!python/name:os.system"), (":31:", "!!python/name")),
    ("custom-tag", edit("capacity: 1", "capacity: !ref 1"), (":35:", "tag !ref")),
    ("binary", edit("api: NoSQL", "api: !!binary Tm9TUUw="), (":38:", "!!binary")),
    ("set", add("  azure-dr:tags: !!set {a, b}\n"), (f":{LAST + 1}:", "!!set")),
    ("omap", add("  azure-dr:tags: !!omap [{a: b}]\n"), (f":{LAST + 1}:", "!!omap")),
    ("wrong-int-tag", edit("capacity: 1", "capacity: !!int one"), (":35:", "!!int")),
    ("control-character", edit("workload: qlp", "workload: q\x07lp"), (":4:", "U+0007")),
    ("not-utf8", edit("workload: qlp", "workload: q\udce9lp").encode("utf-8", "surrogateescape"), (":4:", "0xe9")),
    ("recursive-alias", add("  azure-dr:tags: &t [*t]\n"), (f":{LAST + 1}:", "alias")),
    ("nested-too-deep", add("  azure-dr:tags: " + "[" * 700 + "]" * 700 + "\n"), (":1:", "nested too deeply")),
    (
        "alias-bomb",
        add("".join(f"  x{i}: &a{i} [{', '.join([f'*a{i - 1}' if i else 'x'] * 10)}]\n" for i in range(7))),
        ("aliases expanded",),
    ),
    ("merge-key", edit("    capacity: 1\n", "    <<: {capacity: 1}\n"), (":35:", "merge")),
    # --- duplicate keys --------------------------------------------------------------------------------
    (
        "duplicate-role",
        edit("  azure-dr:region: uksouth\n", "  azure-dr:role: standby\n  azure-dr:region: uksouth\n"),
        (":7:", "duplicate key 'azure-dr:role' (first on line 6)"),
    ),
    (
        "duplicate-nested",
        edit("    sku_tier: GeneralPurpose\n", "    sku_tier: GeneralPurpose\n    sku_name: Standard_B1ms\n"),
        (":23:", "duplicate key 'sku_name' (first on line 21)"),
    ),
    (
        "duplicate-config",
        PRIMARY + "config:\n  azure-dr:role: standby\n",
        ("duplicate key 'config' (first on line 2)",),
    ),
    ("duplicate-flow", edit("{path: /healthz,", "{path: /healthz, path: /,"), (":33:", "duplicate key 'path'")),
    # --- keys that are not strings ---------------------------------------------------------------------
    ("int-key", add("  azure-dr:tags:\n    1: one\n"), (f":{LAST + 2}:", "key '1' is not a string")),
    ("bool-key", edit("    create_as: primary\n", "    true: primary\n"), (":19:", "key 'true' is not a string")),
    ("null-key", edit("    create_as: primary\n", "    ~: primary\n"), (":19:", "is not a string")),
    ("list-key", add("  ? [a, b]\n  : c\n"), (f":{LAST + 1}:", "list or mapping is not a string")),
    # --- YAML 1.1 forms with two readings --------------------------------------------------------------
    ("date", edit("environment: prod", "environment: 2024-01-01"), (":5:", "YAML date")),
    ("datetime", add("  azure-dr:tags:\n    since: 2024-01-01 10:00:00\n"), (f":{LAST + 2}:", "YAML date")),
    # libyaml (the C composer) refuses the ':' of a time inside a flow mapping before it is read as a date.
    ("datetime-in-flow", add("  azure-dr:tags: {since: 2024-01-01 10:00:00}\n"), (f":{LAST + 1}:",)),
    ("yaml11-no", edit("environment: prod", "environment: no"), (":5:", "'no' is a boolean in YAML 1.1")),
    ("yaml11-on", edit("workload: qlp", "workload: on"), (":4:", "'on' is a boolean in YAML 1.1")),
    ("yaml11-off-bool", add("  azure-dr:locks: off\n"), (f":{LAST + 1}:", "true or false")),
    ("yaml11-yes", edit('owns_global: "true"', "owns_global: yes"), (":10:", "'yes'")),
    ("yaml11-nested", edit("    api: NoSQL\n", "    enabled: No\n    api: NoSQL\n"), (":38:", "'No'")),
    ("yaml11-y", add("  azure-dr:tags: {keep: y}\n"), (f":{LAST + 1}:", "'y'")),
    # --- file shape ------------------------------------------------------------------------------------
    ("empty-file", "", (":1:", "azure-dr:workload: required but not set")),
    ("comments-only", "# nothing yet\n", (":1:", "azure-dr:workload: required but not set")),
    ("config-empty", "config:\n", (":1:", "azure-dr:workload: required but not set")),
    ("top-level-list", "- config\n- role\n", (":1:", "the top level is a list")),
    ("top-level-scalar", "just text\n", (":1:", "the top level is a string")),
    ("config-list", "config:\n  - azure-dr:role\n", (":1:", "config is a list")),
    ("config-scalar", "config: primary\n", (":1:", "config is a string")),
    ("unknown-top-key", PRIMARY.replace("config:", "conifg:", 1), (":2:", "unknown top-level key 'conifg'")),
    ("empty-value", edit("azure-dr:peer_region: ukwest", "azure-dr:peer_region:"), (":8:", "has no value")),
    ("no-namespace", edit("azure-dr:workload: qlp", "workload: qlp"), (":4:", "has no namespace", "azure-dr:workload")),
    ("bad-namespace", edit("azure-dr:region:", "azure dr:region:"), (":7:", "is not a key")),
    ("secure-not-string", add("  azure-dr:tags:\n    secure: 12\n"), (f":{LAST + 1}:", "secure")),
    ("secure-extra-key", add("  azure-dr:tags:\n    secure: v1:abc\n    plain: x\n"), (f":{LAST + 1}:", "secure")),
    (
        "block-scalar",
        edit("  azure-dr:storage:\n    sku: Standard_RAGZRS\n", "  azure-dr:storage: RAGZRS\n"),
        (":28:", "azure-dr:storage", "expected a mapping"),
    ),
    (
        "block-list",
        edit("  azure-dr:storage:\n    sku: Standard_RAGZRS\n", "  azure-dr:storage: [RAGZRS]\n"),
        (":28:", "azure-dr:storage"),
    ),
    ("tags-list", add("  azure-dr:tags: [a, b]\n"), (f":{LAST + 1}:", "azure-dr:tags")),
    ("tag-value-number", add("  azure-dr:tags: {cost-centre: 1234}\n"), (f":{LAST + 1}:", "azure-dr:tags.cost-centre")),
    (
        "backup-tier-list",
        edit("backup_tier: Continuous30Days", "backup_tier: [Continuous30Days]"),
        (":39:", "azure-dr:cosmos.backup_tier"),
    ),
    # --- strict booleans and numbers -------------------------------------------------------------------
    ("locks-off-quoted", add('  azure-dr:locks: "off"\n'), (f":{LAST + 1}:", "azure-dr:locks: 'off' is not allowed")),
    ("locks-one", add("  azure-dr:locks: 1\n"), (f":{LAST + 1}:", "azure-dr:locks: '1' is not allowed")),
    ("owns-global-no-quoted", edit('owns_global: "true"', 'owns_global: "no"'), (":10:", "azure-dr:owns_global")),
    (
        "cosmos-enabled-no",
        edit("    api: NoSQL\n", '    enabled: "no"\n    api: NoSQL\n'),
        (":38:", "azure-dr:cosmos.enabled: 'no' is not allowed"),
    ),
    (
        "cosmos-enabled-false-string",
        edit("    api: NoSQL\n", '    enabled: "false"\n    api: NoSQL\n'),
        (":38:", "azure-dr:cosmos.enabled"),
    ),
    ("diagnostics-zero", add("  azure-dr:monitoring: {diagnostics: 0}\n"), (f":{LAST + 1}:", "monitoring.diagnostics")),
    ("redis-capacity-true", edit("capacity: 1", "capacity: true"), (":35:", "azure-dr:redis.capacity: True is not")),
    ("redis-capacity-string", edit("capacity: 1", 'capacity: "2"'), (":35:", "azure-dr:redis.capacity: '2'")),
    ("redis-capacity-float", edit("capacity: 1", "capacity: 1.5"), (":35:", "azure-dr:redis.capacity: 1.5")),
    (
        "retention-float",
        edit("backup_retention_days: 30", "backup_retention_days: 30.0"),
        (":16:", "objectives.backup_retention_days"),
    ),
    ("storage-size-bool", edit("storage_size_gb: 256", "storage_size_gb: true"), (":23:", "postgres.storage_size_gb")),
    ("rpo-string", edit("{rpo_minutes: 15,", '{rpo_minutes: "15",'), (":13:", "objectives.tiers.tier1.rpo_minutes")),
    (
        "keyvault-days-string",
        add('  azure-dr:keyvault: {soft_delete_retention_days: "90"}\n'),
        (f":{LAST + 1}:", "keyvault.soft_delete_retention_days"),
    ),
    # --- Azure limits ----------------------------------------------------------------------------------
    ("too-many-tags", add(tags(47)), (f":{LAST + 1}:", "azure-dr:tags", "at most 46")),
    ("tag-name-empty", add("  azure-dr:tags: {'': x}\n"), (f":{LAST + 1}:", "an empty tag name")),
    ("tag-name-angle", add("  azure-dr:tags: {'a<b': x}\n"), (f":{LAST + 1}:", "azure-dr:tags.a<b", "< > %")),
    ("tag-name-slash", add("  azure-dr:tags: {'team/app': x}\n"), (f":{LAST + 1}:", "tags.team/app")),
    ("tag-name-percent", add("  azure-dr:tags: {'100%': x}\n"), (f":{LAST + 1}:", "tags.100%")),
    ("tag-name-long", add(f"  azure-dr:tags: {{{'n' * 129}: x}}\n"), (f":{LAST + 1}:", "129 characters")),
    ("tag-value-long", add(f"  azure-dr:tags: {{owner: {'v' * 257}}}\n"), (f":{LAST + 1}:", "257 characters")),
    (
        "tag-program-role",
        add("  azure-dr:tags: {dr-role: standby}\n"),
        (f":{LAST + 1}:", "tags.dr-role", "sets itself"),
    ),
    ("tag-program-mechanism", add("  azure-dr:tags: {'azure-dr:dr-mechanism': none}\n"), ("sets itself",)),
    (
        "host-leading-hyphen",
        host("-app-qlp.azurewebsites.net"),
        (":33:", "routing.origin_host"),
    ),
    (
        "host-long-label",
        host(f"{'a' * 64}.example.com"),
        (":33:", "label"),
    ),
    (
        "host-empty-label",
        host("app-qlp-prod-uks..azurewebsites.net"),
        (":33:", "label"),
    ),
    ("host-too-long", host("a.b" * 90 + ".com"), (":33:", "253")),
    (
        "network-host-bits",
        edit("address_space: 10.10.0.0/16", "address_space: 10.10.0.1/16"),
        (f":{LAST}:", "azure-dr:network.address_space: '10.10.0.1/16' is not allowed; expected 10.10.0.0/16"),
    ),
    (
        "network-overlapping-subnets",
        add("    subnets: {aks: 10.10.0.0/20, private_endpoints: 10.10.8.0/24}\n"),
        (f":{LAST + 1}:", "network.subnets.private_endpoints: '10.10.8.0/24' is not allowed; expected a range"),
    ),
    (
        "pg-burstable-sku-gp",
        edit("sku_name: Standard_D4ds_v5", "sku_name: Standard_B1ms"),
        (":22:", "azure-dr:postgres.sku_tier: 'GeneralPurpose' is not allowed; expected Burstable for Standard_B1ms"),
    ),
    ("pg-e-series-gp", edit("sku_name: Standard_D4ds_v5", "sku_name: Standard_E4ds_v5"), (":22:", "MemoryOptimized")),
    (
        "pg-d-series-mo",
        edit("sku_tier: GeneralPurpose", "sku_tier: MemoryOptimized"),
        (":22:", "GeneralPurpose for Standard_D4ds_v5"),
    ),
    ("pg-sku-unknown", edit("sku_name: Standard_D4ds_v5", "sku_name: Standard_X4"), (":21:", "postgres.sku_name")),
    ("cosmos-duplicate-db", edit(DB, DB + "      - name: qlp\n"), (":42:", "cosmos.databases[1].name: 'qlp'")),
    ("cosmos-duplicate-db-case", edit(DB, DB + "      - name: QLP\n"), ("cosmos.databases[1].name: 'QLP'",)),
    (
        "cosmos-duplicate-container",
        edit(CONTAINER, CONTAINER + "          - {name: audit}\n"),
        (":45:", "cosmos.databases[0].containers[2].name: 'audit'"),
    ),
]

DR_CASES: list[Case] = [
    ("peer-stack-500", edit("peer_stack: primary", f"peer_stack: {'p' * 500}", DR), (":9:", "azure-dr:peer_stack")),
    ("peer-stack-part-101", edit("peer_stack: primary", f"peer_stack: org/{'p' * 101}", DR), (":9:", "peer_stack")),
    (
        "cosmos-on-non-owner",
        add("  azure-dr:cosmos: {api: NoSQL}\n", DR),
        ("azure-dr:cosmos: 'set' is not allowed", "owns_global=false"),
    ),
    (
        "registry-settings-on-non-owner",
        add("  azure-dr:registry: {retention_days: 7}\n", DR),
        ("azure-dr:registry.retention_days", "only registry.enabled"),
    ),
]


def project(tmp_path: Path, text: str | bytes, name: str = "broken") -> Path:
    for file in ("Pulumi.yaml", "__main__.py", "Pulumi.primary.yaml", "Pulumi.dr.yaml"):
        shutil.copy(ROOT / file, tmp_path / file)
    target = tmp_path / f"Pulumi.{name}.yaml"
    target.write_bytes(text if isinstance(text, bytes) else text.encode())
    return tmp_path


def assert_one_line(tmp_path: Path, text: str | bytes, expected: tuple[str, ...]) -> None:
    plans = {p.stack: p for p in engine.plan_stacks(["broken"], project(tmp_path, text))}
    broken = plans["broken"]
    assert broken.error is not None, "accepted a broken stack file"
    assert "\n" not in broken.error and "Traceback" not in broken.error
    assert broken.error.startswith("Pulumi.broken.yaml:"), broken.error
    for part in expected:
        assert part in broken.error, broken.error
    assert [r for r in broken.resources if r.custom and not r.read] == []


@pytest.fixture(params=["c", "pure-python"])
def composer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The corpus through both of ruamel.yaml's composers: libyaml's (ruamel.yaml.clib, what drctl uses where it
    is installed) and the pure-Python one (where it is not); each must refuse the same way."""
    if request.param == "c" and yamlfile.CParser is None:
        pytest.fail("ruamel.yaml.clib is a declared dependency (ruamel.yaml[oldlibyaml]) but is not installed")
    monkeypatch.setattr(yamlfile, "PURE_PYTHON", request.param == "pure-python")
    monkeypatch.setattr(yamlfile, "_READ", {})
    return str(request.param)


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_primary_file_is_one_line(
    tmp_path: Path, text: str | bytes, expected: tuple[str, ...], composer: str
) -> None:
    assert_one_line(tmp_path, text, expected)


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in DR_CASES], ids=[c[0] for c in DR_CASES])
def test_broken_dr_file_is_one_line(
    tmp_path: Path, text: str | bytes, expected: tuple[str, ...], composer: str
) -> None:
    assert_one_line(tmp_path, text, expected)


def test_a_stack_file_that_is_a_directory_is_one_line(tmp_path: Path) -> None:
    root = project(tmp_path, "")
    (root / "Pulumi.broken.yaml").unlink()
    (root / "Pulumi.broken.yaml").mkdir()
    broken = {p.stack: p for p in engine.plan_stacks(["broken"], root)}["broken"]
    assert broken.error is not None and broken.error.startswith("Pulumi.broken.yaml: cannot be read")


VALID = [
    ("utf8-bom", "\ufeff" + PRIMARY),
    ("quoted-yaml11-word", edit("environment: prod", 'environment: "no"')),
    ("yaml12-bool", edit('owns_global: "true"', "owns_global: true")),
    ("yaml12-bool-capitalised", edit('owns_global: "true"', "owns_global: True")),
    ("document-marker", "---\n" + PRIMARY),
    ("anchors", edit("  azure-dr:redis:\n", "  azure-dr:redis: &cache\n")),
    # YAML 1.2 (Pulumi's reader) takes a flow key with a colon in it; libyaml (1.1) refuses it, the pure one reads it.
    (
        "yaml12-flow-key-with-colon",
        edit("  azure-dr:redis:\n", "  azure-dr:tags: {team:owner: sre}\n  azure-dr:redis:\n"),
    ),
]


@pytest.mark.parametrize("text", [v[1] for v in VALID], ids=[v[0] for v in VALID])
def test_unambiguous_variants_are_read_as_written(tmp_path: Path, text: str, composer: str) -> None:
    stack = load_stack(project(tmp_path, text), "broken")
    config = posture.config_of(stack)  # the program's own validation, as `drctl plan` runs it
    assert (config.workload, config.owns_global, config.redis.capacity) == ("qlp", True, 1)
    assert config.environment in ("prod", "no")


def test_the_corpus_is_distinct_and_large() -> None:
    ids = [c[0] for c in CASES + DR_CASES]
    texts = [c[1] for c in CASES + DR_CASES]
    assert len(ids) == len(set(ids)) >= 60
    assert len(set(texts)) == len(texts)


CHECKED = ("two-documents", "locks-off-quoted")
CLI_CASES = [
    "tab-indent",
    "two-documents",
    "python-object",
    "duplicate-role",
    "not-utf8",
    "yaml11-no",
    "locks-off-quoted",
    "redis-capacity-true",
    "top-level-list",
    "pg-burstable-sku-gp",
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_drctl_prints_one_line_and_exits_1(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = dict((c[0], c[1]) for c in CASES)[case]
    root = project(tmp_path, text)
    (root / "policies").symlink_to(ROOT / "policies")
    commands = [["plan", "broken"], ["check", "broken"]] if case in CHECKED else [["plan", "broken"]]
    for command in commands:
        assert cli.main(["--root", str(root), *command]) == 1
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        if command[0] == "plan":
            errors = [line for line in captured.err.splitlines() if line.strip()]
            assert len(errors) == 1 and errors[0].startswith("drctl: stack broken: Pulumi.broken.yaml:"), errors
        else:
            assert "0 mandatory violation(s)" not in captured.out and "PASS" not in captured.out
            assert "ERROR: 1 stack(s) failed to plan" in captured.out


def test_a_broken_project_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, PRIMARY)
    (root / "Pulumi.yaml").write_text("name: [azure-dr\nruntime: python\n")
    assert cli.main(["--root", str(root), "plan", "broken"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("drctl: Pulumi.yaml:") and "\n" not in err and "YAML syntax error" in err
    (root / "Pulumi.yaml").write_text("runtime: python\n")
    assert cli.main(["--root", str(root), "plan", "broken"]) == 1
    assert "Pulumi.yaml:1: name None is not a project name" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml"])
def test_both_composers_read_the_same_values_and_lines(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (ROOT / name).read_bytes()
    read = []
    for pure in (False, True):
        monkeypatch.setattr(yamlfile, "PURE_PYTHON", pure)
        monkeypatch.setattr(yamlfile, "_READ", {})
        doc = yamlfile.parse_bytes(ROOT / name, raw)
        read.append((doc.data, doc.lines))
    assert read[0] == read[1] and read[0][1]


def test_a_broken_file_is_composed_once_and_fails_the_same_way_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command looks at each stack file several times (plan order, each pass, the pair checks): a file that
    cannot be read is composed once and refused with the same line at every look; edited, it is read again."""
    composed: list[str] = []
    compose = yamlfile.compose

    def counting(text: str, pure: bool = False) -> object:
        composed.append(text)
        return compose(text, pure)

    monkeypatch.setattr(yamlfile, "compose", counting)
    monkeypatch.setattr(yamlfile, "_READ", {})
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text("config:\n  azure-dr:tags: " + "[" * 300 + "]" * 300 + "\n")
    errors = []
    for _ in range(3):
        with pytest.raises(yamlfile.YamlFileError) as caught:
            yamlfile.read_yaml(path)
        errors.append(str(caught.value))
    assert errors == ["Pulumi.broken.yaml:1: values nested too deeply; allowed: a stack-sized file"] * 3
    assert len(composed) == 1
    path.write_text("config:\n  azure-dr:tags: []\n")
    assert yamlfile.read_yaml(path).data == {"config": {"azure-dr:tags": []}} and len(composed) == 2
