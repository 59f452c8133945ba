"""The event_incremental materialization (macros/materializations/event_incremental.sql) on
hand-made arrivals, each a case its lifecycle must get right: a late event that merges two
stored sessions, a login that moves a device's anonymous history to a user (the anonymous
person's rows are deleted), sessionization rebuilt from the session boundary (the blocks
before it are not rewritten), an empty batch, and a rule var changed between two incremental
runs (the run fails naming the var; --full-refresh rebuilds under the new rule).

Ground truth is the session rule applied by hand to the few events below (30-minute
timeout), and a full build of the same landing files in a fresh warehouse.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import DbtRun, run_dbt
from test_incremental import assert_same_tables, snapshot

pytestmark = pytest.mark.slow

# the event path and everything it reads, without the demo seed, tests or unit tests
BUILD = [
    "build",
    "--select",
    "+fct_person_days",
    "+int_clicks_rage_flagged",
    "+int_funnel_step_events",
    "--exclude",
    "raw_events",
    "--exclude-resource-type",
    "test",
    "unit_test",
]
PERSON_TABLES = (
    "intermediate.int_events_sessionized",
    "marts.fct_sessions",
    "marts.fct_page_views",
    "marts.fct_person_days",
)


def event(event_id: str, anonymous_id: str, user_id: str | None, at: str, received: str) -> dict:
    return {
        "event_id": event_id,
        "anonymous_id": anonymous_id,
        "user_id": user_id,
        "event_name": "page_view",
        "occurred_at": f"2026-11-02 {at}:00",
        "received_at": f"2026-11-02 {received}:00",
        "page_url": "https://shop.example.com/",
        "device_type": "desktop",
        "country": "US",
    }


# Batch 1. Device a1: 10:00, 10:05, then 10:40, 10:45 (a 35-minute gap: two sessions).
# Device c1, anonymous: 12:00, 12:10 (one session). User u2 on device b1: 09:00.
# Device d1: 08:00, 08:10, then 09:00, 09:05 (a 50-minute gap). Device f1: 10:00.
BATCH_1 = [
    event("e1", "a1", None, "10:00", "10:01"),
    event("e2", "a1", None, "10:05", "10:06"),
    event("e3", "a1", None, "10:40", "10:41"),
    event("e4", "a1", None, "10:45", "10:46"),
    event("e5", "c1", None, "12:00", "12:01"),
    event("e6", "c1", None, "12:10", "12:11"),
    event("e7", "b1", "u2", "09:00", "09:01"),
    event("e10", "d1", None, "08:00", "08:01"),
    event("e11", "d1", None, "08:10", "08:11"),
    event("e12", "d1", None, "09:00", "09:01"),
    event("e13", "d1", None, "09:05", "09:06"),
    event("e15", "f1", None, "10:00", "10:01"),
]
# Batch 2. A late event of a1 at 10:22 (gaps 17 and 18 minutes: the two sessions merge into
# one); c1 logs in as u3 at 12:20 (its whole history moves to u3; the anonymous person c1 has
# no row left). d1's late 09:20 joins its second block: sessionization is rebuilt from that
# block's start (09:00), reading 08:10 for the gap; f1's late 09:50 precedes its history,
# which is rebuilt whole.
BATCH_2 = [
    event("e8", "a1", None, "10:22", "14:00"),
    event("e9", "c1", "u3", "12:20", "14:00"),
    event("e14", "d1", None, "09:20", "14:00"),
    event("e16", "f1", None, "09:50", "14:00"),
]
# what the test writes into the stored sessionized rows of d1 and f1 before batch 2: a row
# the incremental run rewrites gets the delivered host back
UNTOUCHED_MARK = "not rewritten"
DELIVERED_HOST = "shop.example.com"


def land(landing: Path, name: str, rows: list[dict]) -> None:
    (landing / f"{name}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))


def build(work_dir: Path, landing: Path, *options: str, **variables: object) -> DbtRun:
    return run_dbt(
        [*BUILD, *options],
        work_dir,
        {"raw_events_location": str(landing / "*.jsonl"), "raw_events_format": "json", **variables},
    )


def sessions(run: DbtRun) -> dict[str, list[tuple]]:
    """Person -> (started_at, ended_at, n_events) of each session, in order."""
    result: dict[str, list[tuple]] = {}
    for person, started, ended, n_events in run.query(
        "select person_id, strftime(started_at, '%H:%M'), strftime(ended_at, '%H:%M'), n_events"
        " from marts.fct_sessions order by person_id, started_at"
    ):
        result.setdefault(person, []).append((started, ended, n_events))
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One warehouse through the cases in order, and a full build of the same files."""
    root = tmp_path_factory.mktemp("event_incremental")
    landing = root / "landing"
    landing.mkdir()
    warehouse = root / "incremental"
    land(landing, "batch-1", BATCH_1)
    first = build(warehouse, landing)
    assert first.returncode == 0, first.output[-6000:]
    first_sessions = sessions(first)
    mark_sessionized_rows(first.warehouse, f"'{UNTOUCHED_MARK}'", "person_id in ('d1', 'f1')")
    land(landing, "batch-2", BATCH_2)
    second = build(warehouse, landing)
    assert second.returncode == 0, second.output[-6000:]
    rewritten = second.query(
        "select event_id, page_host, seconds_since_previous_event"
        " from intermediate.int_events_sessionized where person_id in ('d1', 'f1') order by occurred_at"
    )
    restore_marked_hosts(second.warehouse)
    after_second = snapshot(second.warehouse)
    log = warehouse / "logs" / "dbt.log"
    logged_before = len(log.read_text())
    empty = build(warehouse, landing)
    assert empty.returncode == 0, empty.output[-6000:]
    empty_log = log.read_text()[logged_before:]
    changed_rule = build(warehouse, landing, session_timeout_minutes=45)
    refreshed = build(warehouse, landing, "--full-refresh", session_timeout_minutes=45)
    full = build(root / "full", landing, session_timeout_minutes=45)
    return {
        "first_sessions": first_sessions,
        "second": second,
        "rewritten": rewritten,
        "after_second": after_second,
        "empty": empty,
        "empty_log": empty_log,
        "changed_rule": changed_rule,
        "refreshed": refreshed,
        "full": full,
    }


def mark_sessionized_rows(warehouse: Path, host: str, where: str) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"update intermediate.int_events_sessionized set page_host = {host} where {where}")


def restore_marked_hosts(warehouse: Path) -> None:
    """The delivered host back on the rows the run left alone, and on the rows the models
    after sessionization copied from them, for the comparisons with a full build."""
    with duckdb.connect(str(warehouse)) as connection:
        tables = connection.execute(
            "select columns.table_schema, columns.table_name from information_schema.columns"
            " inner join information_schema.tables using (table_schema, table_name)"
            " where columns.column_name = 'page_host' and tables.table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            connection.execute(
                f"update {schema}.{table} set page_host = '{DELIVERED_HOST}'"
                f" where page_host = '{UNTOUCHED_MARK}'"
            )


def test_a_late_event_merges_two_stored_sessions(runs: dict) -> None:
    assert runs["first_sessions"]["a1"] == [("10:00", "10:05", 2), ("10:40", "10:45", 2)]
    assert sessions(runs["second"])["a1"] == [("10:00", "10:45", 5)]


def test_a_login_moves_the_device_history_and_deletes_the_anonymous_person(runs: dict) -> None:
    assert runs["first_sessions"]["c1"] == [("12:00", "12:10", 2)]
    second = runs["second"]
    assert sessions(second)["u3"] == [("12:00", "12:20", 3)]
    for table in PERSON_TABLES:
        assert second.query(f"select count(*) from {table} where person_id = 'c1'") == [(0,)], table
    assert second.query(
        "select person_id, is_identified from intermediate.int_anonymous_ids_stitched"
        " where anonymous_id = 'c1'"
    ) == [("u3", True)]


def test_sessionization_is_rebuilt_from_the_session_boundary(runs: dict) -> None:
    # d1: the block before 09:00 is not rewritten (08:10 was read for the gap only); the
    # 09:00 block is, with its 50-minute gap; f1's late event precedes its history: all of it
    assert runs["rewritten"] == [
        ("e10", UNTOUCHED_MARK, None),
        ("e11", UNTOUCHED_MARK, 600),
        ("e12", DELIVERED_HOST, 3000),
        ("e13", DELIVERED_HOST, 300),
        ("e14", DELIVERED_HOST, 900),
        ("e16", DELIVERED_HOST, None),
        ("e15", DELIVERED_HOST, 600),
    ]
    assert sessions(runs["second"])["d1"] == [("08:00", "08:10", 2), ("09:00", "09:20", 3)]
    assert runs["second"].query(
        "select session_start_reason from marts.fct_sessions where person_id = 'd1' order by started_at"
    ) == [("first_event",), ("inactivity_timeout",)]


def test_the_incremental_runs_equal_a_full_build(runs: dict, tmp_path: Path) -> None:
    # the full build in the fixture runs under the changed rule: compare the second run with
    # a full build under the default rule here
    landing = runs["second"].warehouse.parent.parent / "landing"
    full = build(tmp_path / "full", landing)
    assert full.returncode == 0, full.output[-6000:]
    assert_same_tables(runs["after_second"], snapshot(full.warehouse))


def test_an_empty_batch_changes_nothing(runs: dict) -> None:
    assert_same_tables(snapshot(runs["empty"].warehouse), runs["after_second"])
    # no row was loaded after the watermark: the six person-based models found no affected
    # person and wrote nothing; the three key-based tables (staging, deduplication, device
    # identities) inserted no row; no helper table is left behind
    assert runs["empty_log"].count('__affected_persons" as') == 6
    assert runs["empty_log"].count('__new_rows" as') == 3
    assert runs["empty"].query(
        "select count(*) from information_schema.tables where regexp_matches("
        "table_name, '__(affected_persons|build_persons|new_rows|dbt_tmp|dbt_backup)$')"
    ) == [(0,)]


def test_a_changed_rule_var_fails_the_incremental_run(runs: dict) -> None:
    failed = runs["changed_rule"]
    assert failed.returncode != 0
    assert "session_timeout_minutes: 30 -> 45" in failed.output
    assert "--full-refresh" in failed.output
    # the rows stored under the old rule are untouched
    assert_same_tables(snapshot(failed.warehouse), runs["after_second"])


def test_a_full_refresh_rebuilds_under_the_new_rule(runs: dict) -> None:
    refreshed, full = runs["refreshed"], runs["full"]
    assert refreshed.returncode == 0, refreshed.output[-6000:]
    assert full.returncode == 0, full.output[-6000:]
    # a 45-minute timeout joins a1's 10:05 and 10:40 even without the late event
    assert sessions(refreshed)["a1"] == [("10:00", "10:45", 5)]
    assert_same_tables(snapshot(refreshed.warehouse), snapshot(full.warehouse))
