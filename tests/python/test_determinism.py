"""Deterministic output: the same input gives byte-identical marts and reports.

The shared generated build (default vars: one person bucket, BAWH_DUCKDB_THREADS or the
profile's 2 threads) and a second build of the same landing files in 4 person buckets on 4
DuckDB threads must hold the same rows in every table and view of the marts and reports
schemas, compared exactly (floats bit for bit), but for the columns that record when a row
arrived in the warehouse (loaded_at, last_loaded_at: the clock of the build, not the input).
A floating-point sum depends on the order the engine's threads, buckets or partitions add the
rows in (the last bits, about 1e-14, differ from build to build): every average goes through
macro exact_avg, whose sum is exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, DbtRun, GeneratedBuild, run_dbt

SCHEMAS = ("marts", "reports")
# Columns holding the build's clock (when a row arrived in the warehouse), left out.
LOAD_TIME_COLUMN = re.compile(r"(^|_)loaded_at$")
# The second build: what changes the order of a sum without changing the input.
REBUILD_VARS = {"person_buckets": 4}
REBUILD_ENVIRONMENT = {"BAWH_DUCKDB_THREADS": "4"}

Rows = list[tuple[object, ...]]


def exact(value: object) -> object:
    """A value compared bit for bit: a float as its hexadecimal form (so -0.0 != 0.0 and a
    NaN equals itself)."""
    return value.hex() if isinstance(value, float) else value


def relation_rows(warehouse: Path) -> dict[str, tuple[list[str], Rows]]:
    """Relation name -> (column names, every row sorted) of the marts and reports schemas,
    without the load-time columns."""
    schemas = ", ".join(f"'{schema}'" for schema in SCHEMAS)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in ({schemas}) order by all"
        ).fetchall()
        relations = {}
        for schema, name in names:
            columns = [
                column
                for (column,) in connection.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if not LOAD_TIME_COLUMN.search(column)
            ]
            select_list = ", ".join(f'"{column}"' for column in columns)
            rows = connection.execute(f"select {select_list} from {schema}.{name} order by all")
            relations[f"{schema}.{name}"] = (columns, [tuple(map(exact, row)) for row in rows.fetchall()])
        return relations


def first_difference(columns: list[str], first: Rows, second: Rows) -> str:
    """The row counts, or the first pair of sorted rows that differ, column by column."""
    if len(first) != len(second):
        return f"{len(first)} rows vs {len(second)}"
    for row_a, row_b in zip(first, second, strict=True):
        if row_a != row_b:
            return ", ".join(
                f"{column}: {a} vs {b}" for column, a, b in zip(columns, row_a, row_b, strict=True) if a != b
            )
    return "same rows"


@pytest.fixture(scope="module")
def rebuilt(
    generated_build: Callable[..., GeneratedBuild], tmp_path_factory: pytest.TempPathFactory
) -> tuple[DbtRun, DbtRun]:
    """(the shared build, the same landing files built again in buckets on more threads);
    the rebuild makes every model and seed, not the tests (they create no table)."""
    shared = generated_build()
    work_dir = tmp_path_factory.mktemp("rebuilt")
    # the same files under the same name: a landed row's key holds its file's name
    (work_dir / "landing").symlink_to(shared.work_dir / "landing")
    rebuild = run_dbt(
        ["build", "--exclude", "raw_events", "--exclude-resource-type", "test", "unit_test"],
        work_dir,
        {
            "raw_events_location": str(work_dir / "landing" / "*.parquet"),
            "raw_events_format": "parquet",
            **REBUILD_VARS,
        },
        environment=REBUILD_ENVIRONMENT,
    )
    assert rebuild.returncode == 0, rebuild.output[-6000:]
    return shared.run, rebuild


@pytest.mark.slow
def test_two_builds_of_the_same_input_give_identical_marts_and_reports(
    rebuilt: tuple[DbtRun, DbtRun],
) -> None:
    first, second = (relation_rows(run.warehouse) for run in rebuilt)
    assert first.keys() == second.keys()
    assert {name.split(".")[0] for name in first} == set(SCHEMAS)
    differing = {
        name: first_difference(columns, rows, second[name][1])
        for name, (columns, rows) in first.items()
        if rows != second[name][1]
    }
    assert not differing, "\n".join(f"{name}: {diff}" for name, diff in differing.items())


def test_every_average_goes_through_exact_avg() -> None:
    """A bare avg() of floats sums in the engine's order: models and macros call exact_avg."""
    bare = [
        f"{path.relative_to(PROJECT_DIR)}:{number}"
        for folder in ("models", "macros")
        for path in sorted((PROJECT_DIR / folder).rglob("*.sql"))
        if path.name != "exact_avg.sql"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\bavg\s*\(", line, re.IGNORECASE)
    ]
    assert not bare, bare
