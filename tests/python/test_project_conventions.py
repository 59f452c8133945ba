"""Project conventions a reviewer would otherwise check by hand, read from dbt's own artefacts.

On the shared demo build, `dbt docs generate` writes manifest.json (what is declared) and
catalog.json (what the warehouse really has).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_DIR, DbtRun, run_dbt

PRIMARY_KEY_TESTS = {"unique_combination_of_columns", "row_count"}


@pytest.fixture(scope="module")
def artefacts(demo_build: DbtRun) -> tuple[dict[str, Any], dict[str, Any]]:
    work_dir = demo_build.warehouse.parent
    docs = run_dbt(["docs", "generate"], work_dir)
    assert docs.returncode == 0, docs.output[-4000:]
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    catalog = json.loads((work_dir / "target" / "catalog.json").read_text())
    return manifest, catalog


def project_nodes(manifest: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == resource_type and node["package_name"] == "behavioral_warehouse"
    ]


def test_every_model_states_its_grain(artefacts: tuple[dict, dict]) -> None:
    manifest, _ = artefacts
    for model in project_nodes(manifest, "model"):
        description = model["description"].strip()
        assert description.startswith("One row per"), f"{model['name']}: grain must come first"
        assert "Grain:" in description and "Filters applied:" in description, model["name"]


def test_every_built_column_is_documented_and_every_documented_column_exists(
    artefacts: tuple[dict, dict],
) -> None:
    manifest, catalog = artefacts
    for model in project_nodes(manifest, "model") + project_nodes(manifest, "seed"):
        if model["name"] == "raw_events":
            continue
        built = {name.lower() for name in catalog["nodes"][model["unique_id"]]["columns"]}
        documented = {
            name.lower(): column["description"].strip() for name, column in model["columns"].items()
        }
        assert built == set(documented), f"{model['name']}: built vs documented columns differ"
        undocumented = [name for name, text in documented.items() if not text]
        assert not undocumented, f"{model['name']}: no description for {undocumented}"


def test_every_model_has_a_primary_key_test(artefacts: tuple[dict, dict]) -> None:
    manifest, _ = artefacts
    tests = project_nodes(manifest, "test")
    for model in project_nodes(manifest, "model"):
        on_model = [test for test in tests if model["unique_id"] in test["depends_on"]["nodes"]]
        names = {
            (test["test_metadata"]["name"], test.get("column_name"))
            for test in on_model
            if test.get("test_metadata")
        }
        columns_unique = {column for name, column in names if name == "unique"}
        columns_not_null = {column for name, column in names if name == "not_null"}
        has_primary_key_test = any(name in PRIMARY_KEY_TESTS for name, _ in names)
        has_key = bool(columns_unique & columns_not_null) or has_primary_key_test
        assert has_key, f"{model['name']} has no primary-key test"


def test_only_staging_reads_sources_and_staging_reads_only_base_models(
    artefacts: tuple[dict, dict],
) -> None:
    """Staging (stg_ models and the base_ models dbt's guide puts beneath them) reads the
    sources; a staging model reads no other model than a base_ one."""
    manifest, _ = artefacts
    for model in project_nodes(manifest, "model"):
        parents = model["depends_on"]["nodes"]
        reads_source = any(parent.startswith("source.") for parent in parents)
        is_staging = model["name"].startswith(("stg_", "base_"))
        assert reads_source == is_staging, f"{model['name']}: only staging models read sources"
        if is_staging:
            model_parents = [parent for parent in parents if parent.startswith("model.")]
            assert all(parent.split(".")[2].startswith("base_") for parent in model_parents), model["name"]


def test_models_are_named_for_their_layer(artefacts: tuple[dict, dict]) -> None:
    manifest, _ = artefacts
    prefixes = {
        "staging": ("stg_", "base_"),
        "intermediate": "int_",
        "marts": ("fct_", "dim_"),
        "reports": "rpt_",
    }
    for model in project_nodes(manifest, "model"):
        layer = Path(model["original_file_path"]).parts[1]
        assert model["name"].startswith(prefixes[layer]), f"{model['name']} in {layer}"


def test_every_macro_is_documented_in_a_file_of_its_name(artefacts: tuple[dict, dict]) -> None:
    manifest, _ = artefacts
    for macro in manifest["macros"].values():
        if macro["package_name"] != "behavioral_warehouse":
            continue
        name = macro["name"]
        file_stem = Path(macro["original_file_path"]).stem
        # dispatch implementations (default__x, postgres__x) live beside their macro x, and a
        # materialization x of each adapter (materialization_x_default, _spark) in x.sql
        public_name = re.sub(r"^[a-z]+__", "", name)
        public_name = re.sub(r"^materialization_(.+)_[a-z]+$", r"\1", public_name)
        # a tracker format's file (macros/events/formats/<format>.sql) holds its mapping
        # <format>_event_contract and its tables <format>_event_tables, dispatched by name
        in_formats = Path(macro["original_file_path"]).parent.name == "formats"
        if in_formats and public_name in (f"{file_stem}_event_contract", f"{file_stem}_event_tables"):
            continue
        assert file_stem in (public_name, public_name.removeprefix("test_")), f"{name} in {file_stem}"
        if public_name == name:
            assert macro["description"].strip(), f"macro {name} is not described in macros/_macros.yml"


def test_every_source_column_and_seed_is_described(artefacts: tuple[dict, dict]) -> None:
    manifest, _ = artefacts
    for source in manifest["sources"].values():
        assert source["description"].strip()
        assert all(column["description"].strip() for column in source["columns"].values())
    for seed in project_nodes(manifest, "seed"):
        assert seed["description"].strip(), seed["name"]


def test_every_threshold_var_is_documented_in_dbt_project() -> None:
    project_yml = (PROJECT_DIR / "dbt_project.yml").read_text()
    used = set()
    for path in list((PROJECT_DIR / "models").rglob("*.sql")) + list((PROJECT_DIR / "macros").rglob("*.sql")):
        used |= set(re.findall(r"var\('([a-z_]+)'", path.read_text()))
    for name in used:
        assert re.search(rf"^  {name}:", project_yml, re.MULTILINE), (
            f"var {name} has no default in dbt_project.yml"
        )


def test_the_tracked_tree_holds_no_build_output() -> None:
    """Nothing a build, a test or an engine writes (warehouse files, dbt's target/ and logs/,
    Spark's metastore and warehouse, publications, the venv) is committed: every tracked file
    is one that .gitignore does not ignore."""
    tracked_but_ignored = subprocess.run(
        ["git", "ls-files", "--cached", "--ignored", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked_but_ignored == []
