"""Incremental builds equal a full rebuild on Postgres too, where the events come from a
table (Postgres reads no landing files): generated raw rows are inserted into a source table
in random arrival batches (split as in test_incremental.py: late duplicates, a late login,
late events), an incremental build of the event path runs after each, and every table then
equals, row by row, that of a full build of all rows in a second database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bawh.generator import GeneratorConfig, generate
from conftest import insert_text_rows, postgres_server, run_dbt
from test_event_incremental import BUILD as EVENT_PATH_BUILD
from test_incremental import ARRIVAL_COLUMNS, N_BATCHES, assert_same_tables, split_into_batches

pytestmark = pytest.mark.engines

# the event path of test_event_incremental.py, on the postgres target
BUILD = [*EVENT_PATH_BUILD[:1], "--target", "postgres", *EVENT_PATH_BUILD[1:]]
SCHEMAS = ("public_staging", "public_intermediate", "public_marts")
SOURCE = {"raw_events_schema": "landing", "raw_events_identifier": "events"}


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    with postgres_server() as environment:
        yield environment


def connect(environment: dict[str, str], database: str):  # a psycopg2 connection (optional extra)
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=int(environment["BAWH_PG_PORT"]), user="postgres", dbname=database
    )
    connection.autocommit = True
    return connection


def land(environment: dict[str, str], database: str, rows: list[dict], columns: list[str]) -> None:
    """Insert raw rows (every value as text) into landing.events."""
    with connect(environment, database) as connection:
        insert_text_rows(connection.cursor(), "landing.events", columns, rows)


def snapshot(environment: dict[str, str], database: str) -> dict[str, list[tuple]]:
    """Every table of the built schemas, rows sorted, without the arrival columns."""
    with connect(environment, database) as connection:
        cursor = connection.cursor()
        cursor.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in {SCHEMAS} and table_type = 'BASE TABLE'"
        )
        tables = cursor.fetchall()
        result = {}
        for schema, table in tables:
            cursor.execute(
                "select column_name from information_schema.columns"
                " where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, table),
            )
            columns = [name for (name,) in cursor.fetchall() if name not in ARRIVAL_COLUMNS]
            cursor.execute(f"select {', '.join(columns)} from {schema}.{table} order by 1")
            result[f"{schema}.{table}"] = sorted(cursor.fetchall(), key=repr)
        return result


def test_incremental_builds_equal_a_full_build_on_postgres(postgres: dict[str, str], tmp_path: Path) -> None:
    events = generate(
        GeneratorConfig(
            persons=150,
            days=10,
            seed=31,
            duplicate_rate=0.02,
            invalid_rate=0.01,
            out_of_order_rate=0.05,
            late_rate=0.01,
        )
    ).events
    rows, columns = events.to_pylist(), events.column_names
    batches = split_into_batches(rows, 31)
    admin = connect(postgres, "postgres")
    admin.cursor().execute("create database full_build")
    admin.close()

    for batch in range(N_BATCHES):
        arrived = [row for row, row_batch in zip(rows, batches, strict=True) if row_batch == batch]
        land(postgres, "behavioral_warehouse", arrived, columns)
        run = run_dbt(BUILD, tmp_path / "incremental", SOURCE, environment=postgres)
        assert run.returncode == 0, run.output[-6000:]
    incremental = snapshot(postgres, "behavioral_warehouse")
    assert len(incremental["public_marts.fct_sessions"]) > 300

    land(postgres, "full_build", rows, columns)
    full_environment = {**postgres, "BAWH_PG_DATABASE": "full_build"}
    full = run_dbt(BUILD, tmp_path / "full", SOURCE, environment=full_environment)
    assert full.returncode == 0, full.output[-6000:]
    assert_same_tables(incremental, snapshot(postgres, "full_build"))
