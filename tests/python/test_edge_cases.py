"""The hand-written edge cases, through every input path: each row lands where its label says.

tests/edge_cases/edge_case_events.csv labels every row with the case it exercises and its
expected outcome: a session label (rows with the same label must share one session, rows
with different labels must not), 'duplicate', or 'quarantined:<reason>'. Its extra columns
(case, expected_outcome, expected_person_id) also prove that unknown columns are ignored,
and its missing optional columns (utm_*, country, ...) that those are read as null.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from conftest import DbtRun, build_from_landing, read_edge_cases, run_dbt

pytestmark = pytest.mark.slow

# The fixture's max-length case uses a 2 h max so that it stays a handful of rows.
FIXTURE_VARS = {"session_max_length_hours": 2}


def assert_outcomes_match_labels(run: DbtRun, fixture: pa.Table) -> None:
    rows = fixture.to_pylist()
    session_labels = {
        row["event_id"]: row["expected_outcome"]
        for row in rows
        if row["expected_outcome"] != "duplicate"
        and not row["expected_outcome"].startswith("quarantined:")
    }
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
    assert run.query("select n_raw_rows, n_duplicate_rows from reports.rpt_event_reconciliation") == [
        (len(rows), n_duplicates)
    ]


@pytest.mark.parametrize("file_format", ["parquet", "json"])
def test_landing_files_land_where_labelled(
    tmp_path: Path, write_landing: Callable[[pa.Table, str], str], file_format: str
) -> None:
    fixture = read_edge_cases()
    run = build_from_landing(tmp_path, write_landing(fixture, file_format), file_format, **FIXTURE_VARS)
    assert_outcomes_match_labels(run, fixture)


def test_existing_warehouse_table_lands_where_labelled(tmp_path: Path) -> None:
    fixture = read_edge_cases()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute("create schema tracker_export")
        connection.execute("create table tracker_export.all_events as select * from fixture")
    run = run_dbt(
        ["build", "--exclude", "raw_events"],
        tmp_path,
        {"raw_events_schema": "tracker_export", "raw_events_identifier": "all_events", **FIXTURE_VARS},
    )
    assert run.returncode == 0, run.output[-6000:]
    assert_outcomes_match_labels(run, fixture)


@pytest.mark.parametrize("missing", [["received_at"], ["anonymous_id", "event_name"]])
def test_missing_required_column_fails_fast_naming_it(
    tmp_path: Path, write_landing: Callable[[pa.Table, str], str], missing: list[str]
) -> None:
    fixture = read_edge_cases().drop_columns(missing)
    run = run_dbt(
        ["build", "--exclude", "raw_events"],
        tmp_path,
        {"raw_events_location": write_landing(fixture, "parquet")},
    )
    assert run.returncode != 0
    assert f"missing required column(s): {', '.join(missing)}" in run.output
