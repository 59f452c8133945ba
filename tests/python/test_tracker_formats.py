"""One generated truth through every tracker format: the generator's events (conftest
TRACKER_CONFIG), written by each format's writer (bawh.trackers) as the tracker writes its
export, built with event_format set to that tracker, give the marts of the contract build of
the same events: the same persons, sessions and page views, the same sessions event for
event, and the same quarantine and reconciliation.

Each format goes through another input path, so together they cover every path a tracker's
data takes: JSON lines from a landing folder (GA4, Amplitude, Mixpanel), Parquet files
(PostHog), warehouse tables (Segment: pages and the per-event tables; Snowplow:
atomic.events). The hand-written fixture of each format, in its documented shape, is
checked in test_format_<format>.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from bawh import dbt_runner
from bawh.trackers import amplitude, ga4, mixpanel, posthog, segment, snowplow
from conftest import DBT_BUILD, TRACKER_MARTS, ContractBuild, DbtRun, run_dbt

pytestmark = pytest.mark.slow

# Columns that hold ids the build makes from event ids (which some formats do not carry as
# they are: GA4 has none, PostHog's are UUIDs) or the build's own load time.
BUILD_COLUMNS = {"session_id", "first_session_id", "page_view_id", "loaded_at", "last_loaded_at"}
RECONCILIATION = (
    "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows,"
    " n_conflicting_duplicate_rows, n_unaccounted_rows from reports.rpt_event_reconciliation"
)


@dataclass(frozen=True)
class Written:
    """A format's copy of the events: the vars that point the build at it."""

    variables: dict[str, object]
    left_out: int = 0  # contract rows the format cannot represent (the writer leaves them out)


def landing(files: list[Path], file_format: str = "json") -> Written:
    return Written({"raw_events_location": str(files[0].parent / f"*.{files[0].suffix[1:]}"),
                    "raw_events_format": file_format})  # fmt: skip


def load_tables(work_dir: Path, schema: str, tables: dict[str, Path]) -> None:
    with duckdb.connect(str(work_dir / dbt_runner.WAREHOUSE_FILE)) as connection:
        connection.execute(f"create schema {schema}")
        for name, path in tables.items():
            connection.execute(f"create table {schema}.{name} as select * from read_parquet('{path}')")


def write_segment(events: pa.Table, work_dir: Path) -> Written:
    """Segment's warehouse tables: pages, and the per-event tables (which hold each track
    call's properties) in place of tracks."""
    tables = segment.write_tables(events, work_dir / "tables")
    load_tables(work_dir, "segment", tables)
    return Written(
        {
            "segment_tables": ["tracks", "pages"],
            "segment_event_tables": sorted(set(tables) - {"pages", "tracks"}),
        }
    )


def write_snowplow(events: pa.Table, work_dir: Path) -> Written:
    load_tables(
        work_dir, "atomic", {"events": snowplow.write_parquet(events, work_dir / "atomic_events.parquet")}
    )
    return Written({})


def write_ga4(events: pa.Table, work_dir: Path) -> Written:
    return Written(landing(ga4.write_jsonl(events, work_dir / "landing")).variables, ga4.records(events)[1])


WRITERS: dict[str, Callable[[pa.Table, Path], Written]] = {
    "segment": write_segment,
    "snowplow": write_snowplow,
    "ga4": write_ga4,
    "amplitude": lambda events, work_dir: landing(amplitude.write_jsonl(events, work_dir / "landing")),
    "mixpanel": lambda events, work_dir: landing(mixpanel.write_jsonl(events, work_dir / "landing")),
    "posthog": lambda events, work_dir: landing(
        posthog.write_parquet(events, work_dir / "landing"), "parquet"
    ),
}


@dataclass(frozen=True)
class RoundTrip:
    events: pa.Table
    contract: DbtRun
    tracker: DbtRun
    left_out: int


@pytest.fixture(scope="module", params=sorted(WRITERS))
def round_trip(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    tracker_contract_build: ContractBuild,
) -> RoundTrip:
    event_format = request.param
    work_dir = tmp_path_factory.mktemp(f"{event_format}_generated")
    written = WRITERS[event_format](tracker_contract_build.events, work_dir)
    run = run_dbt(
        [*DBT_BUILD, "--select", *TRACKER_MARTS, "--exclude", "raw_events"],
        work_dir,
        {"event_format": event_format, **written.variables},
    )
    assert run.returncode == 0, run.output[-6000:]
    return RoundTrip(tracker_contract_build.events, tracker_contract_build.run, run, written.left_out)


def rows_without_build_ids(run: DbtRun, relation: str) -> Counter[tuple[object, ...]]:
    columns = [
        name for (name,) in run.query(
            "select column_name from information_schema.columns"
            f" where table_schema || '.' || table_name = '{relation}' order by ordinal_position"
        )
        if name not in BUILD_COLUMNS
    ]  # fmt: skip
    return Counter(run.query(f"select {', '.join(columns)} from {relation}"))


@pytest.mark.parametrize("relation", ["marts.dim_persons", "marts.fct_sessions", "marts.fct_page_views"])
def test_marts_equal_the_contract_build(round_trip: RoundTrip, relation: str) -> None:
    expected = rows_without_build_ids(round_trip.contract, relation)
    assert len(expected) > 20
    assert rows_without_build_ids(round_trip.tracker, relation) == expected


def test_sessions_hold_the_same_events(round_trip: RoundTrip) -> None:
    """Each session's events, known by device, time and name (not every format carries our
    event ids as they are)."""

    def sessions(run: DbtRun) -> Counter[frozenset[tuple[object, ...]]]:
        members: dict[str, set[tuple[object, ...]]] = {}
        for session_id, *event in run.query(
            "select session_id, anonymous_id, user_id, occurred_at, event_name"
            " from intermediate.int_events_sessionized"
        ):
            members.setdefault(session_id, set()).add(tuple(event))
        return Counter(frozenset(events) for events in members.values())

    assert sessions(round_trip.tracker) == sessions(round_trip.contract)


def test_quarantine_and_duplicates_equal_the_contract_build(round_trip: RoundTrip) -> None:
    """The same reasons, duplicates and reconciliation, less the rows a format cannot hold
    (GA4: no event id, or no received_at, which the contract build quarantines)."""
    unrepresentable = [
        row for row in round_trip.events.to_pylist() if row["event_id"] is None or row["received_at"] is None
    ]
    left_out = unrepresentable if round_trip.left_out else []
    assert len(left_out) == round_trip.left_out
    query = "select invalid_reason from intermediate.int_events_quarantined"
    expected = Counter(reason for (reason,) in round_trip.contract.query(query))
    expected.subtract(
        "missing_event_id" if row["event_id"] is None else "invalid_received_at" for row in left_out
    )
    assert Counter(reason for (reason,) in round_trip.tracker.query(query)) == +expected
    [(raw, clean, quarantined, duplicates, conflicting, unaccounted)] = round_trip.contract.query(
        RECONCILIATION
    )
    assert round_trip.tracker.query(RECONCILIATION) == [
        (raw - len(left_out), clean, quarantined - len(left_out), duplicates, conflicting, unaccounted)
    ]
