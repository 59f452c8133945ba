"""Publishing (bawh.publish): readers of publication/current never block a build, never fail
and always see one complete, consistent publication, even while a build and a publish run.

The main test builds generated landing A, publishes it, starts a reader process that queries
the published marts in a loop (a fresh read-only connection each time, as a BI tool polling
would), rebuilds the same warehouse from a different landing B and publishes again while the
reader runs. The reader records every error and every cross-mart reconciliation; the test
asserts there were none failing, and that the reader saw both publications.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bawh import publish
from bawh.cli import main
from bawh.generator import GeneratorConfig, generate, write_parquet
from conftest import DbtRun, run_dbt

pytestmark = pytest.mark.slow

LANDING_A = GeneratorConfig(persons=120, days=10, seed=101)
LANDING_B = GeneratorConfig(persons=200, days=14, seed=202)

# Each check is a query returning (left, right); a consistent publication has left == right.
RECONCILIATIONS = {
    "persons' sessions = sessions": (
        "select (select sum(n_sessions) from marts.dim_persons),"
        " (select count(*) from marts.fct_sessions)"
    ),
    "person-days' events = clean events": (
        "select (select sum(n_events) from marts.fct_person_days),"
        " (select n_clean_events from reports.rpt_event_reconciliation)"
    ),
    "persons = persons with sessions": (
        "select (select count(*) from marts.dim_persons),"
        " (select count(distinct person_id) from marts.fct_sessions)"
    ),
    "hourly report's sessions = sessions": (
        "select (select sum(sessions) from reports.rpt_channel_traffic_hourly),"
        " (select count(*) from marts.fct_sessions)"
    ),
    "segments' persons = persons": (
        "select (select sum(n_persons) from reports.rpt_segment_summary),"
        " (select count(*) from marts.dim_persons)"
    ),
}

READER = """
import json, sys, time, duckdb
catalog, stop_file, out_file, checks = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
results = []
deadline = time.monotonic() + 600
import os
while not os.path.exists(stop_file) and time.monotonic() < deadline:
    record = {"at": time.monotonic()}
    try:
        with duckdb.connect(catalog, read_only=True) as connection:
            record["build_id"] = connection.execute(
                "select max(build_id) from publication.tables").fetchone()[0]
            record["checks"] = {
                name: list(connection.execute(sql).fetchone()) for name, sql in checks.items()}
            record["n_sessions"] = connection.execute(
                "select count(*) from marts.fct_sessions").fetchone()[0]
            record["tables_complete"] = all(
                connection.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
                == n_rows
                for schema, table, n_rows in connection.execute(
                    "select table_schema, table_name, n_rows from publication.tables").fetchall())
    except Exception as error:
        record["error"] = f"{type(error).__name__}: {error}"
    results.append(record)
    time.sleep(0.02)
with open(out_file, "w") as handle:
    json.dump(results, handle)
"""


def _landing(work_dir: Path, name: str, config: GeneratorConfig) -> str:
    write_parquet(generate(config).events, work_dir / name)
    return str(work_dir / name / "*.parquet")


def _build(work_dir: Path, landing_glob: str) -> DbtRun:
    """Seeds and models from a landing folder into work_dir/warehouse.duckdb; the data tests
    are left out to save time (the rest of the suite runs them on these very models)."""
    run = run_dbt(
        ["build", "--exclude", "raw_events", "--exclude-resource-type", "test", "unit_test"],
        work_dir,
        {"raw_events_location": landing_glob, "raw_events_format": "parquet"},
    )
    assert run.returncode == 0, run.output[-6000:]
    return run


def test_reader_never_fails_and_sees_consistent_publications_during_a_build(
    tmp_path: Path,
) -> None:
    landing_a = _landing(tmp_path, "landing_a", LANDING_A)
    landing_b = _landing(tmp_path, "landing_b", LANDING_B)
    root = tmp_path / "publication"
    run_a = _build(tmp_path, landing_a)
    first = publish.publish(run_a.warehouse, root)
    sessions_a = first.row_counts["marts.fct_sessions"]

    stop_file, out_file = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([
        sys.executable, "-c", READER, str(publish.current_catalog(root)), str(stop_file),
        str(out_file), json.dumps(RECONCILIATIONS),
    ])
    try:
        time.sleep(2)  # the reader is polling publication A
        build_started = time.monotonic()
        # The same warehouse file, rebuilt from other events while the reader polls: a reader
        # of the warehouse itself would block this build (one writer) or see half-built tables.
        run_b = _build(tmp_path, landing_b)
        build_seconds = time.monotonic() - build_started
        second = publish.publish(run_b.warehouse, root)
        time.sleep(2)  # the reader polls publication B
    finally:
        stop_file.touch()
        reader.wait(timeout=60)
    results = json.loads(out_file.read_text())
    sessions_b = second.row_counts["marts.fct_sessions"]
    assert sessions_a != sessions_b, "the two builds must differ for the test to mean something"

    errors = [record["error"] for record in results if "error" in record]
    assert errors == []
    inconsistent = [
        (record["build_id"], name, values)
        for record in results
        for name, values in record["checks"].items()
        if values[0] != values[1]
    ]
    assert inconsistent == []
    assert all(record["tables_complete"] for record in results)
    # Each publication holds exactly its own build's data, and the reader saw both.
    expected_sessions = {first.build_id: sessions_a, second.build_id: sessions_b}
    seen = {record["build_id"]: record["n_sessions"] for record in results}
    assert seen == expected_sessions
    # Once it saw B it never went back to A (the switch is one atomic rename).
    build_ids = [record["build_id"] for record in results]
    assert build_ids == sorted(build_ids)
    assert len(results) > 20, f"only {len(results)} reads in {build_seconds:.0f} s of build"
    print(f"{len(results)} reads, rebuild {build_seconds:.0f} s, publish {second.seconds:.2f} s")
    assert publish.current_publication(root) == second.path


def test_a_failed_publish_leaves_the_last_good_publication(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.fct_sessions as select 1 as session_id")
    root = tmp_path / "publication"
    good = publish.publish(warehouse, root)
    with pytest.raises(FileNotFoundError):
        publish.publish(tmp_path / "missing.duckdb", root)
    with pytest.raises(ValueError, match="no table"):
        publish.publish(warehouse, root, schemas=("not_built",))
    # a table that fails while exporting (a view over a table dropped after it was made)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table marts.gone as select 1 as x")
        connection.execute("create view marts.zz_broken as select * from marts.gone")
        connection.execute("drop table marts.gone")
    with pytest.raises(duckdb.Error):
        publish.publish(warehouse, root)
    assert publish.current_publication(root) == good.path
    assert sorted(path.name for path in root.iterdir()) == sorted([good.build_id, "current"])
    with duckdb.connect(str(publish.current_catalog(root)), read_only=True) as connection:
        assert connection.execute("select * from marts.fct_sessions").fetchall() == [(1,)]


def test_keeps_the_last_two_publications_and_views_need_no_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    root = tmp_path / "publication"
    build_ids = []
    for value in range(4):
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute("create schema if not exists reports")
            connection.execute(f"create or replace table reports.rpt_x as select {value} as x")
        build_ids.append(publish.publish(warehouse, root).build_id)
    assert [path.name for path in publish.list_publications(root)] == build_ids[-2:]
    assert os.readlink(root / "current") == build_ids[-1]
    # The catalog's views hold absolute paths to the publication's final folder: they
    # resolve from any working directory, and an older catalog keeps reading its own files.
    monkeypatch.chdir(tmp_path.parent)
    with duckdb.connect(str(publish.current_catalog(root)), read_only=True) as connection:
        assert connection.execute("select x from reports.rpt_x").fetchall() == [(3,)]
    with duckdb.connect(str(root / build_ids[-2] / "catalog.duckdb"), read_only=True) as older:
        assert older.execute("select x from reports.rpt_x").fetchall() == [(2,)]


def test_cli_publish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.dim_persons as select range as person_id from range(5)")
    root = tmp_path / "publication"
    assert main(["publish", "--warehouse", str(warehouse), "--publication", str(root)]) == 0
    assert "published 1 tables" in capsys.readouterr().out
    with duckdb.connect(str(publish.current_catalog(root)), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.dim_persons").fetchone() == (5,)
    assert main(["publish", "--warehouse", str(tmp_path / "none.duckdb"),
                 "--publication", str(root)]) == 2
