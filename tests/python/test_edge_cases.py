"""The hand-written edge cases, through every input path: each row lands where its label says.

tests/edge_cases/edge_case_events.csv labels every row with the case it exercises and its
expected outcome: a session label (rows with the same label must share one session, rows
with different labels must not), 'duplicate' (a dropped copy; it conflicts when its payload
differs from the kept copy's), or 'quarantined:<reason>'. Its extra columns
(case, expected_outcome, expected_person_id) also prove that unknown columns are ignored,
and its missing optional columns (utm_*, country, ...) that those are read as null.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.generator import EVENT_COLUMNS
from conftest import DBT_BUILD, DbtRun, build_from_landing, read_edge_cases, readme_command, run_dbt

pytestmark = pytest.mark.slow

# The fixture's max-length case uses a 2 h max so that it stays a handful of rows.
FIXTURE_VARS = {"session_max_length_hours": 2}
# What a dropped copy is compared on with the kept copy: every contract column but these.
NOT_PAYLOAD = ("event_id", "received_at")


def is_kept_copy(row: dict) -> bool:
    """A row labelled with a session: the clean event, or the copy of it that is kept."""
    return row["expected_outcome"] != "duplicate" and not row["expected_outcome"].startswith("quarantined:")


def conflicting_copies(rows: list[dict]) -> list[str]:
    """event_id of every 'duplicate' row whose payload differs from the kept copy (the row of
    the same event_id labelled with a session), as written in the fixture (a column the
    fixture leaves out is null in both)."""
    kept = {row["event_id"]: row for row in rows if is_kept_copy(row)}
    payload = [column for column in EVENT_COLUMNS if column not in NOT_PAYLOAD]
    return [
        row["event_id"]
        for row in rows
        if row["expected_outcome"] == "duplicate"
        and any(row.get(column) != kept[row["event_id"]].get(column) for column in payload)
    ]


def assert_outcomes_match_labels(run: DbtRun, fixture: pa.Table) -> None:
    rows = fixture.to_pylist()
    session_labels = {row["event_id"]: row["expected_outcome"] for row in rows if is_kept_copy(row)}
    sessions = dict(run.query("select event_id, session_id from intermediate.int_events_sessionized"))
    assert set(sessions) == set(session_labels)

    sessions_by_label: dict[str, set[str]] = defaultdict(set)
    for event_id, label in session_labels.items():
        sessions_by_label[label].add(sessions[event_id])
    assert all(len(session_ids) == 1 for session_ids in sessions_by_label.values()), sessions_by_label
    assert len(set(sessions.values())) == len(sessions_by_label)

    persons = dict(run.query("select event_id, person_id from intermediate.int_events_sessionized"))
    expected_persons = {
        row["event_id"]: row["expected_person_id"] for row in rows if row["event_id"] in session_labels
    }
    assert persons == expected_persons

    expected_reasons = sorted(
        row["expected_outcome"].removeprefix("quarantined:")
        for row in rows
        if row["expected_outcome"].startswith("quarantined:")
    )
    assert sorted(reason for (reason,) in run.query(
        "select invalid_reason from intermediate.int_events_quarantined"
    )) == expected_reasons

    n_duplicates = sum(row["expected_outcome"] == "duplicate" for row in rows)
    conflicting = conflicting_copies(rows)
    # the fixture holds both kinds of dropped copy: a re-delivery and a conflicting one
    assert 0 < len(conflicting) < n_duplicates
    assert run.query(
        "select n_raw_rows, n_duplicate_rows, n_conflicting_duplicate_rows"
        " from reports.rpt_event_reconciliation"
    ) == [(len(rows), n_duplicates, len(conflicting))]
    assert sorted(run.query(
        "select event_id, n_conflicting_duplicates from intermediate.int_events_deduplicated"
        " where n_conflicting_duplicates > 0"
    )) == sorted((event_id, conflicting.count(event_id)) for event_id in set(conflicting))
    # and the warn-severity test says so without failing the build
    assert any(
        " WARN " in line and "n_conflicting_duplicate_rows_0" in line
        for line in run.output.splitlines()
    ), run.output[-6000:]


def test_landing_parquet_files_land_where_labelled(tmp_path: Path) -> None:
    """Through the README's command for Parquet files of the contract."""
    fixture = read_edge_cases()
    command = readme_command("events in our contract, as Parquet files")
    folder = command.input_folder(tmp_path)
    folder.mkdir(parents=True)
    pq.write_table(fixture, folder / "part-0.parquet")
    run = command.run(tmp_path, **FIXTURE_VARS)
    assert run.returncode == 0, run.output[-6000:]
    assert_outcomes_match_labels(run, fixture)


def test_landing_json_files_land_where_labelled(
    tmp_path: Path, write_landing: Callable[[pa.Table, str], str]
) -> None:
    fixture = read_edge_cases()
    run = build_from_landing(tmp_path, write_landing(fixture, "json"), "json", **FIXTURE_VARS)
    assert_outcomes_match_labels(run, fixture)


def test_existing_warehouse_table_lands_where_labelled(tmp_path: Path) -> None:
    """Through the README's command for a table of the contract (tracker_export.all_events)."""
    fixture = read_edge_cases()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute("create schema tracker_export")
        connection.execute("create table tracker_export.all_events as select * from fixture")
    run = readme_command("events in our contract, in a table").run(tmp_path, **FIXTURE_VARS)
    assert run.returncode == 0, run.output[-6000:]
    assert_outcomes_match_labels(run, fixture)


def test_conflicting_copies_are_counted_alike_by_incremental_and_full_builds(
    tmp_path: Path, write_landing: Callable[[pa.Table, str], str]
) -> None:
    """A copy that lands in a later file but was received before the stored kept copy (inside
    the lookback) wins on the incremental run; the stored copy, with another device_type, is
    then the dropped conflicting one, as on a full build of both files."""
    fixture = read_edge_cases()
    rows = fixture.to_pylist()
    # the fixture writes every time alike, so text order is time order
    last = max(filter(is_kept_copy, rows), key=lambda row: str(row["received_at"]))
    received = datetime.datetime.fromisoformat(last["received_at"]) - datetime.timedelta(minutes=10)
    early_copy = {
        **last,
        "case": "copy received earlier, landing in a later batch, with another device",
        "received_at": received.isoformat(sep=" ", timespec="milliseconds"),
        "device_type": "mobile" if last["device_type"] != "mobile" else "desktop",
    }
    deduplicated = (
        "select event_id, received_at, device_type, n_duplicates, n_conflicting_duplicates"
        " from intermediate.int_events_deduplicated order by event_id"
    )
    command = [
        *DBT_BUILD, "--select", "+int_events_deduplicated", "--exclude", "raw_events",
    ]
    landing = write_landing(fixture, "parquet")

    def build(*options: str) -> list[tuple[object, ...]]:
        run = run_dbt([*command, *options], tmp_path, {"raw_events_location": landing, **FIXTURE_VARS})
        assert run.returncode == 0, run.output[-6000:]
        return run.query(deduplicated)

    build()
    # the second batch: one more file in the landing folder
    pq.write_table(
        pa.Table.from_pylist([early_copy], schema=fixture.schema), Path(landing).parent / "part-1.parquet"
    )
    incremental = build()
    full = build("--full-refresh")
    assert incremental == full
    kept = next(row for row in full if row[0] == last["event_id"])
    assert kept[1:] == (received, early_copy["device_type"], 1, 1)


@pytest.mark.parametrize("missing", [["received_at"], ["anonymous_id", "event_name"]])
def test_missing_required_column_fails_fast_naming_it(
    tmp_path: Path, write_landing: Callable[[pa.Table, str], str], missing: list[str]
) -> None:
    fixture = read_edge_cases().drop_columns(missing)
    run = run_dbt(
        [*DBT_BUILD, "--exclude", "raw_events"],
        tmp_path,
        {"raw_events_location": write_landing(fixture, "parquet")},
    )
    assert run.returncode != 0
    assert f"missing required column(s): {', '.join(missing)}" in run.output
