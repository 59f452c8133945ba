"""The benchmark's smoke size end to end (what CI runs): every measurement is present and
sane, the ratios are computed from the measured seconds, and the three hand-written
references find exactly the sessions a plain-Python recomputation of the same rules finds.
No speed target is asserted: timings depend on the machine."""

from __future__ import annotations

import datetime
import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from bawh import cli
from bawh.bench import SESSION_TIMEOUT_MINUTES, SIZES, BenchConfig, ReferenceJob
from conftest import PROJECT_DIR

pytestmark = pytest.mark.slow

STEPS = (
    "generate",
    "reference_duckdb",
    "reference_polars",
    "reference_pandas",
    "dbt_run",
    "dbt_build",
    "sessionization_model",
    "incremental_run",
)


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, str]:
    work = tmp_path_factory.mktemp("bench")
    output = work / "bench-smoke.json"
    arguments = [
        "bench", "--size", "smoke", "--project-dir", str(PROJECT_DIR),
        "--work-dir", str(work / "run"), "--output", str(output),
    ]
    assert cli.main(arguments) == 0
    return json.loads(output.read_text()), work / "run", output.read_text()


def steps_by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["step"]: step for step in result["steps"]}


def plain_python_sessions(landing_glob_root: Path) -> int:
    """Sessions under the references' rules, recomputed row by row from the base files."""

    def text(value: str | None) -> str | None:
        value = value.strip() if value is not None else None
        return value or None

    def timestamp(value: str | None) -> datetime.datetime | None:
        try:
            return datetime.datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S.%f")
        except ValueError:
            return None

    first_received: dict[str, tuple[datetime.datetime, str, datetime.datetime]] = {}
    for path in sorted(landing_glob_root.glob("base-*/*.parquet")):
        for row in pq.read_table(path).to_pylist():
            event_id = text(row["event_id"])
            person = text(row["user_id"]) or text(row["anonymous_id"])
            occurred, received = timestamp(row["occurred_at"]), timestamp(row["received_at"])
            if event_id is None or person is None or occurred is None or received is None:
                continue
            if event_id not in first_received or received < first_received[event_id][0]:
                first_received[event_id] = (received, person, occurred)
    by_person: dict[str, list[tuple[datetime.datetime, str]]] = defaultdict(list)
    for event_id, (_, person, occurred) in first_received.items():
        by_person[person].append((occurred, event_id))
    timeout = datetime.timedelta(minutes=SESSION_TIMEOUT_MINUTES)
    sessions = 0
    for events in by_person.values():
        events.sort()
        sessions += 1 + sum(
            1 for before, after in itertools.pairwise(events) if after[0] - before[0] > timeout
        )
    return sessions


def test_every_measurement_is_present_and_sane(bench_run: tuple[dict[str, Any], Path, str]) -> None:
    result, _, _ = bench_run
    steps = steps_by_name(result)
    assert tuple(steps) == STEPS
    for name, step in steps.items():
        assert step["seconds"] > 0, name
        if name == "sessionization_model":
            assert step["peak_mb"] is None  # part of the dbt run's process
        else:
            assert step["peak_mb"] > 0, name
    assert steps["sessionization_model"]["seconds"] < steps["dbt_run"]["seconds"]
    # a reference's seconds are its job inside the process, so less than the process
    for engine in ("duckdb", "polars", "pandas"):
        step = steps[f"reference_{engine}"]
        assert 0 < step["seconds"] < step["process_seconds"]
    assert 0.8 * SIZES["smoke"] < result["raw_rows"] < 1.2 * SIZES["smoke"]
    assert 0.005 * result["raw_rows"] < result["increment_raw_rows"] < 0.02 * result["raw_rows"]


def test_ratios_are_computed_from_the_seconds(bench_run: tuple[dict[str, Any], Path, str]) -> None:
    result, _, _ = bench_run
    steps = steps_by_name(result)
    reference = steps["reference_duckdb"]["seconds"]
    assert steps["generate"]["ratio_to_reference"] is None
    for name in STEPS[1:]:
        assert steps[name]["ratio_to_reference"] == pytest.approx(steps[name]["seconds"] / reference)
    ratios = result["ratios"]
    assert ratios["sessionization_model_to_reference"] == steps["sessionization_model"]["ratio_to_reference"]
    assert ratios["dbt_run_to_reference"] == steps["dbt_run"]["ratio_to_reference"]
    assert ratios["incremental_to_full_run"] == pytest.approx(
        steps["incremental_run"]["seconds"] / steps["dbt_run"]["seconds"]
    )
    # the storage ratio: the warehouse file and the landing Parquet, measured on disk here
    run = steps["dbt_run"]["extra"]
    work = Path(result["landing"]).parent
    # (the incremental run wrote to the file since)
    assert 0 < run["warehouse_mb"] <= (work / "warehouse.duckdb").stat().st_size / 1e6
    landing = sum(path.stat().st_size for path in Path(result["landing"]).glob("base-*/*.parquet"))
    assert run["landing_mb"] == pytest.approx(landing / 1e6)
    assert ratios["warehouse_to_landing"] == pytest.approx(run["warehouse_mb"] / run["landing_mb"])
    for name, target in result["targets"].items():
        assert target["measured"] == ratios[name]
        assert target["met"] == (ratios[name] <= target["target"])


def test_references_find_the_sessions_plain_python_finds(
    bench_run: tuple[dict[str, Any], Path, str],
) -> None:
    result, work, _ = bench_run
    steps = steps_by_name(result)
    expected = plain_python_sessions(work / "landing")
    assert expected > 1_000
    for engine in ("duckdb", "polars", "pandas"):
        assert steps[f"reference_{engine}"]["sessions"] == expected, engine
    # the project stitches anonymous history to accounts: fewer, never more, sessions
    assert 0.5 * expected < steps["dbt_run"]["sessions"] <= expected


def test_incremental_label_follows_the_manifest(bench_run: tuple[dict[str, Any], Path, str]) -> None:
    result, work, _ = bench_run
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    incremental = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] in ("incremental", "event_incremental")
    )
    assert result["incremental_models"] == incremental
    assert ("full rebuild" in result["incremental_label"]) == (not incremental)


def test_settings_come_from_the_profile_defaults(bench_run: tuple[dict[str, Any], Path, str]) -> None:
    result, work, _ = bench_run
    assert result["duckdb_settings"] == {
        "threads": "2",
        "memory_limit": "8GB",
        "temp_directory": str(work / "warehouse.duckdb.tmp"),
        "preserve_insertion_order": "true",
    }


def test_config_picks_the_engines_and_steps_of_a_size(tmp_path: Path) -> None:
    assert BenchConfig("smoke", tmp_path).engines == ["duckdb", "polars", "pandas"]
    assert BenchConfig("100m", tmp_path).engines == ["duckdb"]
    assert BenchConfig("100m", tmp_path, references=("pandas",)).engines == ["duckdb", "pandas"]
    assert BenchConfig("smoke", tmp_path).times_build
    assert not BenchConfig("100m", tmp_path).times_build
    assert BenchConfig("100m", tmp_path, build=True).times_build
    assert BenchConfig("1m", tmp_path, events=5).target_events == 5
    with pytest.raises(ValueError, match="unknown size"):
        BenchConfig("5m", tmp_path)
    with pytest.raises(ValueError, match="unknown reference engines"):
        BenchConfig("smoke", tmp_path, references=("spark",))


def test_a_reference_job_reaches_its_child_intact(tmp_path: Path) -> None:
    job = ReferenceJob("duckdb", str(tmp_path / "base-*" / "*.parquet"), tmp_path / "out.duckdb",
                       tmp_path / "result.json", {"threads": "2", "temp_directory": "/t'mp"})
    command = job.command()
    assert ReferenceJob.from_json(command[-1]) == job
    assert "bawh.cli" not in " ".join(command)  # the child imports the benchmark only
