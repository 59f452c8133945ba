"""What the engine tests compare (test_engines_postgres.py, test_engines_spark.py): the marts,
reports and some intermediate models of the demo build, row by row against DuckDB's.

The predictive models are fit by a dbt Python model, on DuckDB only: the other engines score
with the parameters DuckDB fitted (fitted_parameters), loaded as a table and named by var
predictive_model_parameters_relation in a second build of the parameters and everything
downstream (PARAMETERS_BUILD), so their features, scores and audiences are compared too.

Each table is read where that build's manifest says dbt put it: custom schemas are prefixed
with the target schema off DuckDB (macro generate_schema_name), e.g. marts.fct_sessions is
public_marts.fct_sessions on Postgres and analytics_marts.fct_sessions on Spark.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

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
    "reports.rpt_event_volume_hourly": "hour_at, metric, event_name, device_type, channel_group",
    "reports.rpt_event_delivery_hourly": "hour_at",
    "reports.rpt_event_null_rates_hourly": "hour_at, event_name, device_type, column_name",
    "marts.dim_experiment_variants": "experiment_variant_id",
    "marts.fct_experiment_exposures": "experiment_exposure_id",
    "marts.fct_experiment_person_metrics": "experiment_person_metric_id",
    "reports.rpt_experiment_sample_ratios": "experiment_variant_id",
    "reports.rpt_experiment_results": "experiment_result_id",
    "intermediate.int_prediction_snapshots": "snapshot_date",
    "marts.fct_person_features": "person_feature_id",
    "marts.dim_predictive_model_parameters": "model_parameter_id",
    "marts.fct_person_scores": "person_feature_id",
    "reports.rpt_model_evaluation": "model_metric_id",
    "reports.rpt_model_calibration": "model_calibration_id",
    "reports.rpt_segment_profiles": "segment_profile_id",
    "marts.dim_audiences": "audience_name",
    "marts.fct_audience_memberships": "membership_id",
    "marts.fct_audience_changes": "change_id",
}
FLOAT_DIGITS = 9  # floats compare rounded to this many decimals; decimals compare exactly


# The parameters DuckDB fitted (a dbt Python model), which the other engines load as a table
# of these columns (SQL types as Postgres spells them: `string` and `double` on Spark).
FITTED_PARAMETERS = "intermediate.int_predictive_models_fitted"
FITTED_PARAMETER_COLUMNS = {
    "model_name": "text",
    "model_version": "text",
    "trained_on_snapshot_date": "date",
    "parameter_name": "text",
    "feature_name": "text",
    "cluster_number": "integer",
    "parameter_value": "double precision",
}
# dbt build after the engine's demo build, with var predictive_model_parameters_relation naming
# the loaded table: the parameters and every model and data test downstream of them.
PARAMETERS_BUILD = [
    "build", "--exclude-resource-type", "unit_test", "--select", "dim_predictive_model_parameters+"
]


def fitted_parameter_columns(types: dict[str, str] | None = None) -> str:
    """The column list of a table the fitted parameters load into, a type renamed by `types`."""
    types = types or {}
    return ", ".join(f"{name} {types.get(kind, kind)}" for name, kind in FITTED_PARAMETER_COLUMNS.items())


def fitted_parameters(warehouse: Path) -> Rows:
    """The rows of the parameters a DuckDB build fitted, as stored (not normalized)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            f"select {', '.join(FITTED_PARAMETER_COLUMNS)} from {FITTED_PARAMETERS}"
        ).fetchall()


def normalized(value: Any) -> Any:
    """A value as compared across engines: numbers as exact decimals (floats rounded),
    aware timestamps as naive UTC."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value).normalize()
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def normalized_rows(raw_rows: Rows) -> Rows:
    return [tuple(normalized(value) for value in row) for row in raw_rows]


def built_relations(work_dir: Path, tables: dict[str, str] = COMPARED_TABLES) -> dict[str, tuple[str, str]]:
    """Compared table -> (schema, name) where the build in work_dir put it (its manifest).
    Matched by relation name (alias), not model name: versions of a model share its name."""
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    models = {
        node["alias"]: (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "behavioral_warehouse"
    }
    return {table: models[table.split(".")[1]] for table in tables}


def duckdb_rows(warehouse: Path) -> tuple[dict[str, list[str]], dict[str, Rows]]:
    """The columns and the ordered, normalized rows of every compared table of a DuckDB build."""
    columns: dict[str, list[str]] = {}
    rows: dict[str, Rows] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for table, key in COMPARED_TABLES.items():
            result = connection.execute(f"select * from {table} order by {key}")
            columns[table] = [description[0] for description in result.description]
            rows[table] = normalized_rows(result.fetchall())
    return columns, rows


def spark_table_rows(warehouse_dir: Path, schema: str, name: str, select: str, order_by: str) -> Rows:
    """Rows of a Spark table read from its Parquet files in the warehouse directory ('**': a
    partitioned table keeps its files in one folder per partition value)."""
    files = warehouse_dir / f"{schema}.db" / name / "**" / "*.parquet"
    with duckdb.connect() as reader:
        return normalized_rows(reader.execute(
            f"select {select} from read_parquet('{files}', hive_partitioning = true) order by {order_by}"
        ).fetchall())


def assert_same_rows(expected: Rows, actual: Rows, table: str, engine: str) -> None:
    assert expected, f"{table} is empty on DuckDB: nothing compared"
    assert len(actual) == len(expected), f"{table}: {len(actual)} rows on {engine}, {len(expected)} on DuckDB"
    for expected_row, actual_row in zip(expected, actual, strict=True):
        assert actual_row == expected_row, f"{table} differs on {engine}: {actual_row} != {expected_row}"
