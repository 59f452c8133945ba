"""The same project on DuckDB, Postgres and Spark: the demo build and every dbt test pass on
each engine, and the marts are identical row by row across the three.

Postgres is a throwaway server started here (initdb into a temporary directory, as the
postgres user when run as root, 127.0.0.1 on a free port, fsync off) and stopped after.
Spark runs in the dbt process (pyspark, local mode) with its warehouse directory and Derby
metastore in a temporary directory. Spark tables are read back from their Parquet files.
Each table is read where that build's manifest says dbt put it: custom schemas are prefixed
with the target schema off DuckDB (macro generate_schema_name), e.g. marts.fct_sessions is
public_marts.fct_sessions on Postgres and analytics_marts.fct_sessions on Spark.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import DbtRun, postgres_server, run_dbt

pytestmark = pytest.mark.engines

Rows = list[tuple[Any, ...]]

# table as named on DuckDB (schema.model) -> key that orders its rows
COMPARED_TABLES = {
    "intermediate.int_events_quarantined": "raw_row_id",
    "intermediate.int_events_sessionized": "event_id",
    "marts.fct_sessions": "session_id",
    "marts.fct_page_views": "page_view_id",
    "marts.dim_persons": "person_id",
    "marts.fct_person_days": "person_day_id",
    "reports.rpt_event_reconciliation": "n_raw_rows",
    "reports.rpt_retention_weekly_first_time_on": "cohort_start, period_number",
    "reports.rpt_retention_monthly_first_time_on_or_after": "cohort_start, period_number",
    "reports.rpt_retention_daily_recurring": "cohort_start, period_number",
    "reports.rpt_feature_adoption_weekly": "feature_name, period_start",
    "reports.rpt_active_persons_daily": "activity_date",
    "reports.rpt_stickiness_monthly": "month_start_date, n_active_days",
    "reports.rpt_lifecycle_weekly": "week_start_date, lifecycle_status",
    "reports.rpt_channel_traffic_hourly": "date_hour, session_primary_channel_group",
    "intermediate.int_clicks_rage_flagged": "event_id",
    "reports.rpt_page_friction": "page_path",
    "reports.rpt_page_section_friction": "page_path, page_section",
    "reports.rpt_click_heatmap": "page_path, device_type, cell_column, cell_row",
    "marts.dim_person_segments": "person_id",
    "reports.rpt_segment_summary": "segment_priority",
    "marts.fct_person_funnel_steps": "person_funnel_step_id",
    "marts.fct_person_funnels": "person_funnel_id",
    "reports.rpt_funnel_steps": "funnel_name, step_number",
    "reports.rpt_funnel_steps_by_channel_device": "funnel_name, channel_group, device_type, step_number",
    "intermediate.int_support_rows_quarantined": "source_table, raw_row_id",
    "marts.fct_support_sessions": "session_id",
    "marts.fct_support_recommendations": "recommendation_id",
    "marts.dim_moderators": "moderator_id",
    "reports.rpt_recommendation_performance": "recommendation_type",
}
FLOAT_DIGITS = 9  # floats compare rounded to this many decimals; decimals compare exactly


def _normalized(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value).normalize()
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _rows(raw_rows: Rows) -> Rows:
    return [tuple(_normalized(value) for value in row) for row in raw_rows]


def _build(target: str, work_dir: Path, environment: dict[str, str]) -> DbtRun:
    run = run_dbt(["build", "--target", target], work_dir, environment=environment)
    assert run.returncode == 0, f"dbt build on {target} failed:\n{run.output[-6000:]}"
    return run


def _built_relations(work_dir: Path) -> dict[str, tuple[str, str]]:
    """Compared table -> (schema, name) where the build in work_dir put it (its manifest).
    Matched by relation name (alias), not model name: versions of a model share its name."""
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    models = {
        node["alias"]: (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "behavioral_warehouse"
    }
    return {table: models[table.split(".")[1]] for table in COMPARED_TABLES}


@pytest.fixture(scope="module")
def engine_rows(
    tmp_path_factory: pytest.TempPathFactory, demo_build: DbtRun
) -> Iterator[dict[str, dict[str, Rows]]]:
    """Build the demo on Spark and Postgres (every seed, model, data test and unit test); rows
    of each compared table per engine, DuckDB's from the session's demo build."""
    columns: dict[str, list[str]] = {}
    rows: dict[str, dict[str, Rows]] = {}

    with duckdb.connect(str(demo_build.warehouse), read_only=True) as connection:
        rows["duckdb"] = {}
        for table, key in COMPARED_TABLES.items():
            result = connection.execute(f"select * from {table} order by {key}")
            columns[table] = [description[0] for description in result.description]
            rows["duckdb"][table] = _rows(result.fetchall())

    spark_dir = tmp_path_factory.mktemp("spark")
    _build("spark", spark_dir, {"BAWH_SPARK_DIR": str(spark_dir), "SPARK_LOCAL_IP": "127.0.0.1"})
    spark_relations = _built_relations(spark_dir)
    with duckdb.connect() as reader:
        rows["spark"] = {}
        for table, key in COMPARED_TABLES.items():
            schema, name = spark_relations[table]
            # '**': a partitioned table keeps its files in one folder per partition value
            files = spark_dir / "warehouse" / f"{schema}.db" / name / "**" / "*.parquet"
            rows["spark"][table] = _rows(reader.execute(
                f"select {', '.join(columns[table])}"
                f" from read_parquet('{files}', hive_partitioning = true) order by {key}"
            ).fetchall())

    import psycopg2

    with postgres_server() as postgres_environment:
        postgres_dir = tmp_path_factory.mktemp("postgres")
        _build("postgres", postgres_dir, postgres_environment)
        postgres_relations = _built_relations(postgres_dir)
        with psycopg2.connect(
            host="127.0.0.1", port=int(postgres_environment["BAWH_PG_PORT"]),
            user="postgres", dbname="behavioral_warehouse",
        ) as connection:
            cursor = connection.cursor()
            rows["postgres"] = {}
            for table, key in COMPARED_TABLES.items():
                schema, name = postgres_relations[table]
                cursor.execute(
                    f"select {', '.join(columns[table])} from {schema}.{name} order by {key}"
                )
                rows["postgres"][table] = _rows(cursor.fetchall())
    yield rows


@pytest.mark.parametrize("engine", ["postgres", "spark"])
@pytest.mark.parametrize("table", sorted(COMPARED_TABLES))
def test_marts_are_identical_to_duckdb(
    engine_rows: dict[str, dict[str, Rows]], engine: str, table: str
) -> None:
    expected, actual = engine_rows["duckdb"][table], engine_rows[engine][table]
    assert expected, f"{table} is empty on DuckDB: nothing compared"
    assert len(actual) == len(expected), f"{table}: {len(actual)} rows on {engine}, {len(expected)} on DuckDB"
    for expected_row, actual_row in zip(expected, actual, strict=True):
        assert actual_row == expected_row, f"{table} differs on {engine}"
