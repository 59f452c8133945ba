"""Shared helpers: run dbt on this project against a throwaway DuckDB file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
EDGE_CASES_CSV = PROJECT_DIR / "tests" / "edge_cases" / "edge_case_events.csv"


@dataclass(frozen=True)
class DbtRun:
    """The outcome of one dbt command."""

    returncode: int
    output: str
    warehouse: Path

    def query(self, sql: str) -> list[tuple]:
        """Rows of a query against the built warehouse (read-only)."""
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.execute(sql).fetchall()


def run_dbt(
    command: list[str],
    work_dir: Path,
    variables: dict[str, object] | None = None,
    environment: dict[str, str] | None = None,
    project_dir: Path = PROJECT_DIR,
) -> DbtRun:
    """Run `dbt <command>` on the project (or another `project_dir` on this project's
    profiles), writing only inside work_dir (extra environment variables select and locate
    another engine)."""
    warehouse = work_dir / "warehouse.duckdb"
    arguments = [
        str(DBT),
        *command,
        "--project-dir", str(project_dir),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]
    if variables:
        arguments += ["--vars", json.dumps(variables)]
    completed = subprocess.run(
        arguments,
        cwd=project_dir,
        env={
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "BAWH_DUCKDB_PATH": str(warehouse),
            **(environment or {}),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, warehouse)


def project_vars() -> dict:
    """The vars of dbt_project.yml (the documented defaults the models run with)."""
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def normalize_event_name(name: str) -> str:
    """Python's own statement of the event-name rule (macro normalize_event_name)."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def build_from_landing(
    work_dir: Path, landing_glob: str, file_format: str = "parquet", **variables: object
) -> DbtRun:
    """`dbt build` every model and test, reading raw events from a landing folder."""
    run = run_dbt(
        ["build", "--exclude", "raw_events"],
        work_dir,
        {"raw_events_location": landing_glob, "raw_events_format": file_format, **variables},
    )
    assert run.returncode == 0, run.output[-6000:]
    return run


def read_edge_cases() -> pa.Table:
    """The hand-written edge-case fixture, every column as text, empty fields as null."""
    column_names = EDGE_CASES_CSV.read_text().splitlines()[0].split(",")
    return pa_csv.read_csv(
        EDGE_CASES_CSV,
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in column_names},
            null_values=[""],
            strings_can_be_null=True,
        ),
    )


@pytest.fixture
def write_landing(tmp_path: Path) -> Callable[[pa.Table, str], str]:
    """Write a table as one landing file; returns the glob to point the source at."""

    def write(table: pa.Table, file_format: str = "parquet") -> str:
        landing = tmp_path / "landing"
        landing.mkdir(exist_ok=True)
        if file_format == "parquet":
            pq.write_table(table, landing / "part-0.parquet")
            return str(landing / "*.parquet")
        with open(landing / "part-0.jsonl", "w", encoding="utf-8") as handle:
            for row in table.to_pylist():
                present = {key: value for key, value in row.items() if value is not None}
                handle.write(json.dumps(present) + "\n")
        return str(landing / "*.jsonl")

    return write
