"""Public models and their contracts (README "Contracts and versions").

Every mart and every report an exposure reads is public with an enforced contract (a
data_type on every column), and the contracts equal the committed snapshot
tests/contracts/public_contracts.json (model -> version -> column -> type, the types as
written for DuckDB: text, bigint, integer, double, boolean, date, timestamp, decimal(p,s)).

A column removed or retyped in an existing version is a breaking change: add a model
version instead. An added column, model or version is additive: refresh the snapshot with

    python tests/python/test_contracts.py --update

which refuses to record a breaking change.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_DIR, run_dbt

SNAPSHOT = PROJECT_DIR / "tests" / "contracts" / "public_contracts.json"
UNVERSIONED = "unversioned"
# What `dbt run` needs of the project to build a model in a copy of it.
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "macros", "models", "seeds", "tests", "analyses")

Contracts = dict[str, dict[str, dict[str, str]]]


def parse_manifest(work_dir: Path) -> dict[str, Any]:
    run = run_dbt(["parse"], work_dir)
    assert run.returncode == 0, run.output[-4000:]
    return json.loads((work_dir / "target" / "manifest.json").read_text())


def project_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "behavioral_warehouse"
    ]


def public_contracts(manifest: dict[str, Any]) -> Contracts:
    """model -> version -> column -> data_type of every public model."""
    contracts: Contracts = {}
    for model in project_models(manifest):
        if model["access"] != "public":
            continue
        version = UNVERSIONED if model.get("version") is None else str(model["version"])
        contracts.setdefault(model["name"], {})[version] = {
            name: column.get("data_type") for name, column in model["columns"].items()
        }
    return contracts


def compare_contracts(snapshot: Contracts, current: Contracts) -> tuple[list[str], list[str]]:
    """(breaking changes, additive changes) from the snapshot to the current contracts."""
    breaking: list[str] = []
    additive: list[str] = []
    for model, versions in snapshot.items():
        for version, columns in versions.items():
            now = current.get(model, {}).get(version)
            if now is None:
                breaking.append(f"{model} version {version} is no longer public")
                continue
            for column, data_type in columns.items():
                if column not in now:
                    breaking.append(f"{model} version {version}: column {column} removed")
                elif now[column] != data_type:
                    breaking.append(
                        f"{model} version {version}: column {column} {data_type} -> {now[column]}"
                    )
            additive += [
                f"{model} version {version}: column {column} added" for column in now if column not in columns
            ]
    for model, versions in current.items():
        additive += [
            f"{model} version {version} added"
            for version in versions
            if version not in snapshot.get(model, {})
        ]
    return breaking, additive


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return parse_manifest(tmp_path_factory.mktemp("contracts"))


def test_marts_and_exposed_reports_are_public_with_enforced_contracts(manifest: dict) -> None:
    models = project_models(manifest)
    exposed = {
        node for exposure in manifest["exposures"].values() for node in exposure["depends_on"]["nodes"]
    }
    must_be_public = [
        model for model in models if model["fqn"][1] == "marts" or model["unique_id"] in exposed
    ]
    assert len(must_be_public) >= 20
    for model in must_be_public:
        label = f"{model['name']} v{model.get('version')}"
        assert model["access"] == "public", f"{label} is not public"
        assert model["config"]["contract"]["enforced"], f"{label} has no enforced contract"
        assert model["columns"], f"{label} documents no column"
        untyped = [name for name, column in model["columns"].items() if not column.get("data_type")]
        assert not untyped, f"{label}: no data_type for {untyped}"
    for model in models:
        if model["fqn"][1] in ("staging", "intermediate"):
            assert model["access"] == "protected", model["name"]


def test_dim_persons_keeps_version_1_for_its_readers(manifest: dict) -> None:
    versions = {
        model["version"]: model for model in project_models(manifest) if model["name"] == "dim_persons"
    }
    assert set(versions) == {1, 2}
    assert versions[2]["latest_version"] == 2 and versions[2]["alias"] == "dim_persons"
    assert versions[1]["alias"] == "dim_persons_v1" and versions[1]["deprecation_date"]
    added = set(versions[2]["columns"]) - set(versions[1]["columns"])
    assert added == {
        "first_touch_session_source",
        "first_touch_session_medium",
        "first_touch_channel_group",
    }


def test_public_contracts_equal_the_snapshot(manifest: dict) -> None:
    snapshot = json.loads(SNAPSHOT.read_text())
    breaking, additive = compare_contracts(snapshot, public_contracts(manifest))
    assert not breaking, (
        "Breaking change to a public contract: readers of the old shape break. Keep the "
        "version as it is and add a model version (README 'Contracts and versions'):\n  "
        + "\n  ".join(breaking)
    )
    assert not additive, (
        "Additive change to the public contracts: refresh the snapshot with "
        "`python tests/python/test_contracts.py --update` and commit it:\n  " + "\n  ".join(additive)
    )


def test_the_guard_tells_breaking_from_additive_changes() -> None:
    snapshot = {"dim_x": {"1": {"x_id": "text", "n": "bigint"}}}
    retyped = {"dim_x": {"1": {"x_id": "text", "n": "double"}}}
    removed = {"dim_x": {"1": {"x_id": "text"}}}
    added_column = {"dim_x": {"1": {"x_id": "text", "n": "bigint", "m": "date"}}}
    new_version = {"dim_x": {"1": snapshot["dim_x"]["1"], "2": {"x_id": "text"}}}
    assert compare_contracts(snapshot, snapshot) == ([], [])
    assert compare_contracts(snapshot, retyped) == (["dim_x version 1: column n bigint -> double"], [])
    assert compare_contracts(snapshot, removed) == (["dim_x version 1: column n removed"], [])
    assert compare_contracts(snapshot, added_column) == ([], ["dim_x version 1: column m added"])
    assert compare_contracts(snapshot, new_version) == ([], ["dim_x version 2 added"])
    assert compare_contracts(snapshot, {})[0] == ["dim_x version 1 is no longer public"]


def test_dbt_refuses_to_build_a_model_that_breaks_its_contract(tmp_path: Path) -> None:
    """A copy of the project where dim_dates.date_day becomes a timestamp: dbt run fails."""
    project = tmp_path / "project"
    project.mkdir()
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, project / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / part)
    model = project / "models" / "marts" / "calendar" / "dim_dates.sql"
    sql = model.read_text()
    assert "cast(date_spine.date_day as date) as date_day" in sql
    model.write_text(sql.replace("as date) as date_day", "as timestamp) as date_day"))
    completed = run_dbt(["run", "-s", "dim_dates"], tmp_path, project_dir=project)
    output = completed.output
    assert completed.returncode != 0, output[-3000:]
    assert "enforced contract that failed" in output and "date_day" in output, output[-3000:]


def update_snapshot(work_dir: Path) -> None:
    current = public_contracts(parse_manifest(work_dir))
    snapshot = json.loads(SNAPSHOT.read_text()) if SNAPSHOT.exists() else {}
    breaking, additive = compare_contracts(snapshot, current)
    if breaking:
        sys.exit("Not recorded, breaking changes (add a model version):\n  " + "\n  ".join(breaking))
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    print("\n".join(additive) or "no change", f"\nwrote {SNAPSHOT}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/python/test_contracts.py --update")
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        update_snapshot(Path(directory))
