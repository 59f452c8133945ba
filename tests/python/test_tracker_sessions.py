"""Tracker session ids that never expire or rotate (use_tracker_session_id: true).

A real tracker's session id is not always a session: a cookie that never expired, a device id
sent as session id or a kiosk left running give one id to days of activity, and an id may
rotate in the middle of a visit. The rule of macro sessionize takes the tracker session id as
one more boundary: within each (person, tracker session id) the inactivity timeout and the
max length still cut sessions. Hand-made events hold each case; `expected_sessions` states the
rule again in Python, independently of the SQL; the build must pass (the max-length test of
fct_sessions included), every event must land in the session the rule gives, every tracker
session that the rule splits must be flagged, and a warning must count them. An incremental
run that splits a tracker session stored unsplit must give the rows of a full rebuild.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.generator import EVENT_COLUMNS
from conftest import DBT_BUILD, DbtRun, run_dbt

pytestmark = pytest.mark.slow

TIMEOUT = datetime.timedelta(minutes=30)
MAX_LENGTH = datetime.timedelta(hours=24)
TRACKER_VARS: dict[str, object] = {
    "use_tracker_session_id": True,
    "session_timeout_minutes": 30,
    "session_max_length_hours": 24,
}
# fct_sessions and the reconciliation of the raw rows, with the tests whose every parent is
# built (the max-length test, the warning, tests/reconciliation)
SELECT = ("+fct_sessions", "+rpt_event_reconciliation")
# the builds that only set up or compare tables skip the tests (the incremental one runs them)
WITHOUT_TESTS = ("--exclude-resource-type", "test", "unit_test")
SPLIT_WARNING = "fct_sessions_tracker_sessions_split_by_timeout_or_max_length"
DAY = datetime.datetime(2026, 11, 2)


@dataclass(frozen=True)
class Event:
    event_id: str
    person_id: str  # the anonymous_id, or the user_id of a server-side event
    tracker_session_id: str | None
    occurred_at: datetime.datetime
    server_side: bool = False


def burst(
    prefix: str, person: str, tracker: str | None, start: datetime.datetime, n: int, every_minutes: float
) -> list[Event]:
    """n events of one person, every_minutes apart from start."""
    return [
        Event(f"{prefix}{i:03d}", person, tracker, start + datetime.timedelta(minutes=every_minutes * i))
        for i in range(n)
    ]


def hand_made_events() -> list[Event]:
    # a cookie that never expired: one id over five days, with gaps of hours and days, and a
    # kiosk day of 26 h of activity every 20 min (the max length cuts it at exactly 24 h)
    forever = [
        *burst("f_a", "a_kiosk", "sid_forever", DAY.replace(hour=9), 5, 10),
        *burst("f_b", "a_kiosk", "sid_forever", DAY.replace(hour=14), 3, 10),
        *burst("f_c", "a_kiosk", "sid_forever", DAY.replace(hour=8) + datetime.timedelta(days=2), 1, 0),
        *burst("f_d", "a_kiosk", "sid_forever", DAY + datetime.timedelta(days=3), 26 * 3 + 1, 20),
        *burst("f_e", "a_kiosk", "sid_forever", DAY.replace(hour=10) + datetime.timedelta(days=5), 1, 0),
        # 30 min + 1 ms after f_e: the timeout cuts it
        Event(
            "f_f000",
            "a_kiosk",
            "sid_forever",
            DAY.replace(hour=10, minute=30) + datetime.timedelta(days=5, milliseconds=1),
        ),
    ]
    # an id that rotates in the middle of a visit, events 3 min apart: two sessions, as the
    # tracker says, neither split; a second tab keeps sending the old id once
    rotating = [
        *burst("r_a", "a_rotate", "sid_r1", DAY.replace(hour=10), 5, 3),
        *burst("r_b", "a_rotate", "sid_r2", DAY.replace(hour=10, minute=15), 5, 3),
        Event("r_c000", "a_rotate", "sid_r1", DAY.replace(hour=10, minute=20)),
    ]
    # normal tracker sessions: a gap of exactly the timeout stays in one (n_a), a new id the
    # next day is another session
    normal = [
        *burst("n_a", "a_normal", "sid_n1", DAY.replace(hour=18), 3, 30),
        *burst("n_b", "a_normal", "sid_n2", DAY.replace(hour=18) + datetime.timedelta(days=1), 4, 5),
    ]
    # a session id reused the next day (a cookie that outlived the visit): lands in the
    # second batch of the incremental test, which splits a tracker session stored unsplit
    reused = [
        *burst("u_a", "a_reused", "sid_reused", DAY.replace(hour=20), 4, 5),
        *burst("u_b", "a_reused", "sid_reused", DAY.replace(hour=20) + datetime.timedelta(days=4), 2, 5),
    ]
    # server-side events carry no tracker session id: the rule runs on them alone
    server_side = [
        Event(event.event_id, event.person_id, None, event.occurred_at, server_side=True)
        for event in (
            *burst("s_a", "u_server", None, DAY.replace(hour=11), 2, 10),
            *burst("s_b", "u_server", None, DAY.replace(hour=11, minute=50), 2, 10),
        )
    ]
    return forever + rotating + normal + reused + server_side


@dataclass(frozen=True)
class ExpectedSession:
    first_event_id: str
    event_ids: frozenset[str]
    start_reason: str
    tracker_session_id: str | None
    is_tracker_session_split: bool


def expected_sessions(events: list[Event]) -> list[ExpectedSession]:
    """The rule, stated in Python: per (person, tracker session id), events in time order; a
    session starts at the first event (tracker_session, or first_event without an id), after a
    gap strictly greater than the timeout (inactivity_timeout), and at every whole max length
    since the start of the run of activity (max_length)."""
    groups: dict[tuple[str, str | None], list[Event]] = defaultdict(list)
    for event in events:
        groups[(event.person_id, event.tracker_session_id)].append(event)
    sessions: list[ExpectedSession] = []
    for (_, tracker), group in groups.items():
        group.sort(key=lambda event: (event.occurred_at, event.event_id))
        parts: list[tuple[str, list[str]]] = []  # (start reason, event ids)
        previous: Event | None = None
        active_since = group[0].occurred_at
        for event in group:
            if previous is None:
                reason = "tracker_session" if tracker else "first_event"
            elif event.occurred_at - previous.occurred_at > TIMEOUT:
                reason = "inactivity_timeout"
            elif (event.occurred_at - active_since) // MAX_LENGTH != (
                previous.occurred_at - active_since
            ) // MAX_LENGTH:
                reason = "max_length"
            else:
                reason = ""
            if reason:
                if reason != "max_length":
                    active_since = event.occurred_at
                parts.append((reason, []))
            parts[-1][1].append(event.event_id)
            previous = event
        sessions += [
            ExpectedSession(
                ids[0], frozenset(ids), reason, tracker, tracker is not None and len(parts) > 1
            )
            for reason, ids in parts
        ]
    return sessions


def landing_table(events: list[Event]) -> pa.Table:
    """Raw rows of the event contract, every column as text (missing ones null)."""
    rows = [
        {
            "event_id": event.event_id,
            "anonymous_id": None if event.server_side else event.person_id,
            "user_id": event.person_id if event.server_side else None,
            "session_id": event.tracker_session_id,
            "event_name": "page_view",
            "occurred_at": event.occurred_at.isoformat(sep=" ", timespec="milliseconds"),
            "received_at": (event.occurred_at + datetime.timedelta(seconds=1)).isoformat(
                sep=" ", timespec="milliseconds"
            ),
            "page_url": f"https://shop.example.com/p/{event.event_id}",
        }
        for event in events
    ]
    return pa.Table.from_pylist(
        [{column: row.get(column) for column in EVENT_COLUMNS} for row in rows],
        schema=pa.schema([(column, pa.string()) for column in EVENT_COLUMNS]),
    )


def built_sessions(run: DbtRun) -> list[ExpectedSession]:
    """The sessions of the warehouse, keyed like the expected ones."""
    events_of: dict[str, set[str]] = defaultdict(set)
    first_event_of: dict[str, str] = {}
    for event_id, session_id, event_index in run.query(
        "select event_id, session_id, event_index from intermediate.int_events_sessionized"
    ):
        events_of[session_id].add(event_id)
        if event_index == 1:
            first_event_of[session_id] = event_id
    return [
        ExpectedSession(first_event_of[session_id], frozenset(events_of[session_id]), *attributes)
        for session_id, *attributes in run.query(
            "select session_id, session_start_reason, tracker_session_id, is_tracker_session_split"
            " from marts.fct_sessions"
        )
    ]


def build(work_dir: Path, landing_glob: str, *flags: str) -> DbtRun:
    """`dbt build` of the selected models (and their tests) on the landing files."""
    run = run_dbt(
        [*DBT_BUILD, *flags, "--select", *SELECT, "--exclude", "raw_events"],
        work_dir,
        {"raw_events_location": landing_glob, "raw_events_format": "parquet", **TRACKER_VARS},
    )
    assert run.returncode == 0, run.output[-6000:]
    return run


def by_first_event(sessions: list[ExpectedSession]) -> dict[str, ExpectedSession]:
    return {session.first_event_id: session for session in sessions}


def split_warning_count(run: DbtRun) -> int | None:
    """The number the split warning reports (None when it does not warn)."""
    lines = run.output.splitlines()
    for number, line in enumerate(lines):
        if "Warning in test" in line and SPLIT_WARNING in line:
            return int(lines[number + 1].split("Got ")[1].split(" result")[0])
    return None


def test_the_rule_in_python_splits_where_the_cases_say() -> None:
    """The oracle itself, against the cases as written by hand."""
    sessions = by_first_event(expected_sessions(hand_made_events()))
    forever = sorted(
        (session.first_event_id, session.start_reason)
        for session in sessions.values()
        if session.tracker_session_id == "sid_forever"
    )
    assert forever == [
        ("f_a000", "tracker_session"),
        ("f_b000", "inactivity_timeout"),
        ("f_c000", "inactivity_timeout"),
        ("f_d000", "inactivity_timeout"),
        ("f_d072", "max_length"),  # 72 x 20 min = 24 h after f_d000
        ("f_e000", "inactivity_timeout"),
        ("f_f000", "inactivity_timeout"),
    ]
    assert len(sessions["f_d000"].event_ids) == 72 and len(sessions["f_d072"].event_ids) == 7
    assert {session.first_event_id for session in sessions.values() if session.is_tracker_session_split} == {
        "f_a000", "f_b000", "f_c000", "f_d000", "f_d072", "f_e000", "f_f000", "u_a000", "u_b000",
    }
    assert sessions["r_a000"].event_ids == {"r_a000", "r_a001", "r_a002", "r_a003", "r_a004", "r_c000"}
    assert len(sessions["n_a000"].event_ids) == 3
    assert sessions["s_b000"].start_reason == "inactivity_timeout"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    work_dir = tmp_path_factory.mktemp("tracker_sessions")
    (work_dir / "landing").mkdir()
    pq.write_table(landing_table(hand_made_events()), work_dir / "landing" / "part-0.parquet")
    return build(work_dir, str(work_dir / "landing" / "*.parquet"))


def test_every_event_lands_in_the_session_the_rule_gives(built: DbtRun) -> None:
    assert by_first_event(built_sessions(built)) == by_first_event(expected_sessions(hand_made_events()))


def test_no_session_reaches_the_max_length_and_none_is_dropped(built: DbtRun) -> None:
    n_events = len(hand_made_events())
    (longest, n_session_events) = built.query(
        "select max(duration_seconds), sum(n_events) from marts.fct_sessions"
    )[0]
    assert longest < MAX_LENGTH.total_seconds() and n_session_events == n_events
    assert built.query(
        "select n_raw_rows, n_clean_events, n_sessionized_events, n_unaccounted_rows"
        " from reports.rpt_event_reconciliation"
    ) == [(n_events, n_events, n_events, 0)]


def test_a_warning_counts_the_split_tracker_sessions(built: DbtRun) -> None:
    expected = {
        session.tracker_session_id
        for session in expected_sessions(hand_made_events())
        if session.is_tracker_session_split
    }
    assert expected == {"sid_forever", "sid_reused"}
    assert split_warning_count(built) == len(expected), built.output[-6000:]


def test_an_incremental_run_that_splits_a_stored_tracker_session_equals_a_full_build(
    tmp_path: Path, write_landing: Callable[[pa.Table, str], str]
) -> None:
    """The first batch holds sid_reused's first day only (one session, not split); the second
    its reuse four days later, which splits it: the stored first session must be flagged."""
    events = hand_made_events()
    first_batch = [event for event in events if not event.event_id.startswith("u_b")]
    landing = write_landing(landing_table(first_batch), "parquet")
    first = build(tmp_path, landing, *WITHOUT_TESTS)
    assert not by_first_event(built_sessions(first))["u_a000"].is_tracker_session_split

    pq.write_table(
        landing_table([event for event in events if event.event_id.startswith("u_b")]),
        tmp_path / "landing" / "part-1.parquet",
    )
    incremental = build(tmp_path, landing)
    assert by_first_event(built_sessions(incremental)) == by_first_event(expected_sessions(events))
    stored = incremental.query("select * from marts.fct_sessions order by session_id")

    full = build(tmp_path, landing, "--full-refresh", *WITHOUT_TESTS)
    assert full.query("select * from marts.fct_sessions order by session_id") == stored
