"""The same project on Postgres: the demo build and every dbt test pass there, and the marts
are identical to DuckDB's row by row (engine_comparison.py), the scores and audiences too,
built again from the parameters DuckDB fitted.

Postgres is a throwaway server started here (initdb into a temporary directory, as the
postgres user when run as root, 127.0.0.1 on a free port, fsync off) and stopped after.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from conftest import DbtRun, postgres_server, run_dbt
from engine_comparison import (
    COMPARED_TABLES,
    PARAMETERS_BUILD,
    Rows,
    assert_same_rows,
    built_relations,
    duckdb_rows,
    fitted_parameter_columns,
    fitted_parameters,
    normalized_rows,
)

# where the parameters DuckDB fitted are loaded (var predictive_model_parameters_relation)
PARAMETERS_TABLE = "fitted.predictive_model_parameters"

pytestmark = pytest.mark.engines


@pytest.fixture(scope="module")
def engine_rows(tmp_path_factory: pytest.TempPathFactory, demo_build: DbtRun) -> dict[str, dict[str, Rows]]:
    """Build the demo on Postgres (every seed, model, data test and unit test), then the
    parameters and everything downstream again from the parameters DuckDB fitted (loaded as a
    table); rows of each compared table on DuckDB (the session's demo build) and on Postgres."""
    import psycopg2

    columns, rows = duckdb_rows(demo_build.warehouse)
    with postgres_server() as postgres_environment:

        def connect() -> contextlib.closing[Any]:
            return contextlib.closing(psycopg2.connect(
                host="127.0.0.1", port=int(postgres_environment["BAWH_PG_PORT"]),
                user="postgres", dbname="behavioral_warehouse",
            ))

        work_dir = tmp_path_factory.mktemp("postgres")
        run = run_dbt(["build", "--target", "postgres"], work_dir, environment=postgres_environment)
        assert run.returncode == 0, f"dbt build on postgres failed:\n{run.output[-6000:]}"
        with connect() as connection, connection:  # the inner `with` commits
            cursor = connection.cursor()
            cursor.execute(f"create schema {PARAMETERS_TABLE.split('.')[0]}")
            cursor.execute(f"create table {PARAMETERS_TABLE} ({fitted_parameter_columns()})")
            parameters = fitted_parameters(demo_build.warehouse)
            placeholders = ", ".join(["%s"] * len(parameters[0]))
            cursor.executemany(f"insert into {PARAMETERS_TABLE} values ({placeholders})", parameters)
        run = run_dbt(
            [*PARAMETERS_BUILD, "--target", "postgres"], work_dir,
            {"predictive_model_parameters_relation": PARAMETERS_TABLE}, environment=postgres_environment,
        )
        assert run.returncode == 0, f"dbt build of the scores on postgres failed:\n{run.output[-6000:]}"
        relations = built_relations(work_dir)
        with connect() as connection:
            cursor = connection.cursor()
            postgres: dict[str, Rows] = {}
            for table, key in COMPARED_TABLES.items():
                schema, name = relations[table]
                cursor.execute(f"select {', '.join(columns[table])} from {schema}.{name} order by {key}")
                postgres[table] = normalized_rows(cursor.fetchall())
    return {"duckdb": rows, "postgres": postgres}


@pytest.mark.parametrize("table", sorted(COMPARED_TABLES))
def test_marts_are_identical_to_duckdb(engine_rows: dict[str, dict[str, Rows]], table: str) -> None:
    assert_same_rows(engine_rows["duckdb"][table], engine_rows["postgres"][table], table, "postgres")
