"""The same project on a Spark cluster: the demo build and every dbt test pass there, the marts
are identical to DuckDB's row by row (engine_comparison.py), the scores and audiences too
(built again from the parameters DuckDB fitted), and landing files (Parquet and
JSON lines, in shapes real files have) are read as DuckDB reads them.

The cluster is a standalone master, two one-core workers (executors are their own JVMs) and
the Thrift server dbt connects to with `method: thrift` (bawh.spark_cluster), started once for
this module in a temporary directory. Spark tables are read back from their Parquet files.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from bawh.generator import GeneratorConfig, generate
from bawh.spark_cluster import ClusterConfig, RunningCluster, running_cluster
from conftest import DBT_BUILD, TRACKER_MARTS, ContractBuild, DbtRun, run_dbt
from engine_comparison import (
    COMPARED_TABLES,
    FITTED_PARAMETER_COLUMNS,
    FITTED_PARAMETERS,
    PARAMETERS_BUILD,
    Rows,
    assert_same_rows,
    built_relations,
    duckdb_rows,
    fitted_parameter_columns,
    normalized_rows,
    spark_table_rows,
)
from test_event_incremental import BUILD as EVENT_PATH_BUILD
from test_incremental import ARRIVAL_COLUMNS, N_BATCHES, assert_same_tables, split_into_batches

pytestmark = pytest.mark.engines


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    with running_cluster(ClusterConfig(tmp_path_factory.mktemp("spark_cluster"))) as started:
        yield started


def build_on_spark(cluster: RunningCluster, work_dir: Path, command: list[str],
                   variables: dict[str, object] | None = None) -> DbtRun:
    """dbt on the cluster, into schemas named after work_dir's folder (each build its own:
    they share the cluster's metastore)."""
    environment = {**cluster.environment(), "BAWH_SPARK_SCHEMA": work_dir.name}
    run = run_dbt([*command, "--target", "spark"], work_dir, variables, environment=environment)
    assert run.returncode == 0, f"dbt on the Spark cluster failed:\n{run.output[-6000:]}"
    return run


def execute_on_thrift_server(cluster: RunningCluster, *statements: str) -> None:
    """Statements in one session of the cluster's Thrift server (PyHive, as dbt connects)."""
    from pyhive import hive

    environment = cluster.environment()
    connection = hive.connect(
        host=environment["BAWH_SPARK_THRIFT_HOST"], port=int(environment["BAWH_SPARK_THRIFT_PORT"])
    )
    try:
        cursor = connection.cursor()
        for statement in statements:
            cursor.execute(statement)
    finally:
        connection.close()


def test_the_thrift_server_links_every_hive_function(cluster: RunningCluster) -> None:
    """Closing a session can register all of Hive's functions in the Thrift server; one,
    GenericUDTFGetSplits, needs a class Spark 4 no longer ships (bawh.spark_cluster's stub jar),
    and without it the close fails and dbt reports a built model as failed. Declaring that
    function loads its class in the driver, as the registry does."""
    execute_on_thrift_server(
        cluster,
        "create temporary function get_splits"
        " as 'org.apache.hadoop.hive.ql.udf.generic.GenericUDTFGetSplits'",
    )


def load_fitted_parameters(cluster: RunningCluster, warehouse: Path, folder: Path, table: str) -> None:
    """The parameters a DuckDB build fitted as a Spark table: written by DuckDB as a Parquet
    file (every value as stored) in `folder` (empty), which the table is created over."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(
            f"copy (select {', '.join(FITTED_PARAMETER_COLUMNS)} from {FITTED_PARAMETERS})"
            f" to '{folder / 'parameters.parquet'}' (format parquet)"
        )
    columns = fitted_parameter_columns({"text": "string", "double precision": "double"})
    execute_on_thrift_server(
        cluster,
        f"create schema if not exists {table.split('.')[0]}",
        f"create table {table} ({columns}) using parquet location '{folder}'",
    )


@pytest.fixture(scope="module")
def engine_rows(
    tmp_path_factory: pytest.TempPathFactory, demo_build: DbtRun, cluster: RunningCluster
) -> dict[str, dict[str, Rows]]:
    """Build the demo on the cluster (every seed, model, data test and unit test), then the
    parameters and everything downstream again from the parameters DuckDB fitted (loaded as a
    table); rows of each compared table on DuckDB (the session's demo build) and on Spark."""
    columns, rows = duckdb_rows(demo_build.warehouse)
    work_dir = tmp_path_factory.mktemp("demo", numbered=False)
    build_on_spark(cluster, work_dir, ["build"])
    parameters_table = f"{work_dir.name}_fitted.predictive_model_parameters"
    load_fitted_parameters(
        cluster, demo_build.warehouse, tmp_path_factory.mktemp("fitted_parameters"), parameters_table
    )
    build_on_spark(
        cluster, work_dir, PARAMETERS_BUILD, {"predictive_model_parameters_relation": parameters_table}
    )
    relations = built_relations(work_dir)
    spark = {
        table: spark_table_rows(
            cluster.config.warehouse_dir, *relations[table], ", ".join(columns[table]), key
        )
        for table, key in COMPARED_TABLES.items()
    }
    return {"duckdb": rows, "spark": spark}


@pytest.mark.parametrize("table", sorted(COMPARED_TABLES))
def test_marts_are_identical_to_duckdb(engine_rows: dict[str, dict[str, Rows]], table: str) -> None:
    assert_same_rows(engine_rows["duckdb"][table], engine_rows["spark"][table], table, "spark")


# --- Landing files on Spark ---------------------------------------------------------------

# The tracker test's marts (conftest.TRACKER_MARTS), each table -> the key that orders its rows,
# compared with the DuckDB build of the same events from one plain Parquet file (fixture
# tracker_contract_build); the reconciliation counts every raw, valid and quarantined row.
LANDING_TABLES = {
    "marts.fct_sessions": "session_id",
    "marts.fct_page_views": "page_view_id",
    "marts.dim_persons": "person_id",
    "reports.rpt_event_reconciliation": "n_raw_rows",
}


def offset_time(text: str | None) -> str | None:
    """A UTC timestamp text as ISO 8601 in UTC+02:00: the same instant written otherwise (a
    text that is no timestamp, which the generator plants, stays as it is)."""
    try:
        moment = datetime.datetime.fromisoformat(text or "").replace(tzinfo=datetime.UTC)
    except ValueError:
        return text
    return moment.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat()


def typed(value: str | None, kind: type) -> object:
    """A text as a JSON number where it is one (a planted bad value stays text)."""
    try:
        return None if value is None else kind(value)
    except ValueError:
        return value


def write_landing_parquet(events: pa.Table, folder: Path) -> None:
    """Three files: the contract's column order; reversed with a column the contract does
    not know; and click positions as integers, revenue as a double, times with an offset."""
    folder.mkdir(parents=True)
    first, second, third = (events.slice(start, length) for start, length in (
        (0, 400), (400, 300), (700, events.num_rows - 700)))
    pq.write_table(first, folder / "part-1.parquet")
    reversed_columns = second.select(list(reversed(second.column_names)))
    pq.write_table(reversed_columns.append_column("tracker_version", pa.array(["2.1"] * second.num_rows)),
                   folder / "part-2.parquet")
    retyped = third
    for name, kind in (("click_x", pa.int64()), ("click_y", pa.int64()), ("revenue", pa.float64())):
        retyped = retyped.set_column(retyped.column_names.index(name), name, pc.cast(third[name], kind))
    occurred = pa.array([offset_time(text) for text in third["occurred_at"].to_pylist()], pa.string())
    retyped = retyped.set_column(retyped.column_names.index("occurred_at"), "occurred_at", occurred)
    pq.write_table(retyped, folder / "part-3.parquet")


def write_landing_json(events: pa.Table, folder: Path) -> None:
    """Three JSON-lines files: numbers as JSON numbers in some rows and text in others,
    `properties` as an object, times with an offset in every third row, blank lines."""
    folder.mkdir(parents=True)
    rows = events.to_pylist()
    for number, start in enumerate(range(0, len(rows), 350), start=1):
        lines = []
        for index, row in enumerate(rows[start:start + 350]):
            if index % 2:
                row = {**row, "click_x": typed(row["click_x"], int), "click_y": typed(row["click_y"], int),
                       "revenue": typed(row["revenue"], float)}
            if row["properties"] is not None:
                row = {**row, "properties": json.loads(row["properties"])}
            if index % 3 == 0:
                row = {**row, "occurred_at": offset_time(row["occurred_at"])}
            lines.append(json.dumps({key: value for key, value in row.items() if value is not None}))
            if index % 100 == 50:
                lines.append("")
        (folder / f"part-{number}.jsonl").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("file_format", ["parquet", "json"])
def test_landing_files_build_on_spark_as_on_duckdb(
    tmp_path: Path, cluster: RunningCluster, tracker_contract_build: ContractBuild, file_format: str
) -> None:
    events = tracker_contract_build.events
    landing = tmp_path / "landing"
    (write_landing_parquet if file_format == "parquet" else write_landing_json)(events, landing)
    suffix = "parquet" if file_format == "parquet" else "jsonl"
    work_dir = tmp_path / f"landing_{file_format}"
    work_dir.mkdir()
    build_on_spark(
        cluster, work_dir, [*DBT_BUILD, "--select", *TRACKER_MARTS, "--exclude", "raw_events"],
        {"raw_events_location": str(landing / f"*.{suffix}"), "raw_events_format": file_format},
    )
    relations = built_relations(work_dir, {**LANDING_TABLES, "staging.base_tracking__landed_events": ""})
    for table, key in LANDING_TABLES.items():
        # every column but when the row was loaded (each build's own time)
        (columns,) = tracker_contract_build.run.query(
            "select string_agg(column_name, ', ' order by column_index) from duckdb_columns()"
            f" where schema_name || '.' || table_name = '{table}'"
            f" and column_name not in {ARRIVAL_COLUMNS}"
        )[0]
        expected = normalized_rows(
            tracker_contract_build.run.query(f"select {columns} from {table} order by {key}")
        )
        actual = spark_table_rows(cluster.config.warehouse_dir, *relations[table], columns, key)
        assert_same_rows(expected, actual, table, f"spark from {file_format} files")
    # every row of every file was loaded once, each with its own key
    loaded = spark_table_rows(
        cluster.config.warehouse_dir, *relations["staging.base_tracking__landed_events"],
        "count(*), count(distinct raw_row_id), count(distinct landing_file)", "1",
    )
    assert loaded == [(events.num_rows, events.num_rows, 3)]


# --- Incremental on Spark ------------------------------------------------------------------


def spark_snapshot(cluster: RunningCluster, schema_prefix: str) -> dict[str, list[tuple]]:
    """Every table of a build's schemas but the state tables, rows sorted, without the arrival
    columns (test_incremental.snapshot's rule), read from their Parquet files."""
    snapshot = {}
    with duckdb.connect() as reader:
        for table_dir in sorted(cluster.config.warehouse_dir.glob(f"{schema_prefix}_*.db/*")):
            if table_dir.name.endswith("__incremental_state"):
                continue
            files = sorted(table_dir.glob("**/*.parquet"))
            name = f"{table_dir.parent.stem}.{table_dir.name}"
            snapshot[name] = reader.execute(
                f"select columns(c -> c not in {ARRIVAL_COLUMNS})"
                f" from read_parquet({[str(file) for file in files]}, hive_partitioning = true) order by all"
            ).fetchall() if files else []
    return snapshot


def test_incremental_builds_equal_a_full_build_on_spark(tmp_path: Path, cluster: RunningCluster) -> None:
    """Raw rows land as Parquet files in random arrival batches (test_incremental.py's split:
    late duplicates, a late login, late events); an incremental build of the event path runs
    on the cluster after each; every table then equals a full build of all the files."""
    events = generate(GeneratorConfig(
        persons=150, days=10, seed=37, duplicate_rate=0.02, invalid_rate=0.01,
        out_of_order_rate=0.05, late_rate=0.01,
    )).events
    rows = events.to_pylist()
    batches = split_into_batches(rows, 37)
    landing = tmp_path / "landing"
    landing.mkdir()
    variables = {"raw_events_location": str(landing / "*.parquet")}
    for batch in range(N_BATCHES):
        arrived = [row for row, row_batch in zip(rows, batches, strict=True) if row_batch == batch]
        part = pa.Table.from_pylist(arrived, schema=events.schema)
        pq.write_table(part, landing / f"batch-{batch}.parquet")
        # the seeds load with the first build only (each seed is a table write on Spark):
        # later builds add seed to the build's closing --exclude-resource-type list
        assert EVENT_PATH_BUILD[-3] == "--exclude-resource-type"
        command = EVENT_PATH_BUILD if batch == 0 else [*EVENT_PATH_BUILD, "seed"]
        build_on_spark(cluster, tmp_path / "incremental", command, variables)
    incremental = spark_snapshot(cluster, "incremental")
    assert len(incremental["incremental_marts.fct_sessions"]) > 300
    # each later run replaced rows in place: fct_sessions rewrote only the session dates it touched
    log = (tmp_path / "incremental" / "logs" / "dbt.log").read_text()
    assert log.count("insert overwrite table") >= N_BATCHES - 1

    build_on_spark(cluster, tmp_path / "full", EVENT_PATH_BUILD, variables)
    full = spark_snapshot(cluster, "full")
    assert_same_tables(
        {name.split("_", 1)[1]: table_rows for name, table_rows in incremental.items()},
        {name.split("_", 1)[1]: table_rows for name, table_rows in full.items()},
    )
