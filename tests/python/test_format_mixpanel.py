"""event_format: mixpanel, Mixpanel's raw event export (JSON lines), onto the event contract.

1. The hand-written fixture tests/data/mixpanel/export.jsonl (its README says what each
   line is), in the documented shape of the export
   (https://developer.mixpanel.com/reference/raw-event-export: {"event", "properties": {time,
   distinct_id, $insert_id, mp_processing_time_ms, ...}}), from a project created before 2023,
   whose `time` is local time of its zone (America/Los_Angeles, UTC-7 in September): every
   event of each kind lands in the marts with the person, session, page and channel written
   by hand below, the duplicate $insert_id is dropped and the unmappable lines are quarantined
   with their reason; its two $experiment_started events (https://docs.mixpanel.com/docs/experiments:
   "Experiment name", "Variant name") expose one person to two variants, before and after
   identification, so fct_experiment_exposures keeps the person out of the readout.
2. The generator's events written by bawh.trackers.mixpanel give the same persons, sessions,
   page views and quarantine as the contract build of the same events.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from bawh.generator import EVENT_COLUMNS
from bawh.trackers import mixpanel
from conftest import PROJECT_DIR, TRACKER_MARTS, DbtRun, run_readme_command

pytestmark = pytest.mark.slow

FIXTURE = PROJECT_DIR / "tests" / "data" / "mixpanel" / "export.jsonl"
MARTS = TRACKER_MARTS


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


# The experiment of the fixture's $experiment_started events, by its "Experiment name".
EXPERIMENTS = [
    {
        "key": "onboarding_checklist",
        "variants": {"control": 0.5, "checklist": 0.5},
        "start": "2026-09-01",
        "end": "2026-10-01",
        "primary_metric": "conversion",
    }
]


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture through the README's Mixpanel command (and tracker session ids), with the
    fixture's experiment declared."""
    return run_readme_command(
        "Mixpanel:",
        [FIXTURE],
        tmp_path_factory.mktemp("mixpanel_fixture"),
        mixpanel_project_timezone="America/Los_Angeles",
        use_tracker_session_id=True,
        experiments=EXPERIMENTS,
    )


# Every clean event of the fixture ($insert_id): its event name after the alias seed, its
# person, the landing page of its session, and its time in UTC (project time + 7 h).
EXPECTED_EVENTS = {
    "a1-pageview": ("page_view", "user-42", "/pricing", utc("2026-09-14 16:00:00")),
    "a2-click": ("click", "user-42", "/pricing", utc("2026-09-14 16:01:30")),
    # $experiment_started (seed event_name_aliases), before and after identification
    "a3-exposure": ("experiment_exposure", "user-42", "/pricing", utc("2026-09-14 16:02:00")),
    "a4-signup": ("sign_up", "user-42", "/pricing", utc("2026-09-14 16:05:00")),
    "a5-identify": ("identify", "user-42", "/pricing", utc("2026-09-14 16:05:01")),
    "a5-exposure": ("experiment_exposure", "user-42", "/pricing", utc("2026-09-14 16:05:30")),
    "a6-pageview": ("page_view", "user-42", "/pricing", utc("2026-09-14 16:06:00.500")),
    "a7-order": ("order_completed", "user-42", "/pricing", utc("2026-09-14 16:10:00")),
    "b1-pageview": ("page_view", "0191d7b2-legacy-b", "/blog/event-tracking-101", utc("2026-09-14 23:50:00")),
    "b2-pageview": ("page_view", "0191d7b2-legacy-b", "/blog/event-tracking-101", utc("2026-09-15 00:10:00")),
    "c1-pageview": ("page_view", "user-77", "/features", utc("2026-09-14 19:00:00")),
    "c2-alias": ("identify", "user-77", "/features", utc("2026-09-14 19:02:00")),
    "c3-feature": ("feature_used", "user-77", "/features", utc("2026-09-14 19:03:00")),
}


def test_every_clean_event_has_its_person_session_and_time(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select events.event_id, events.event_name, events.person_id, sessions.landing_page_path,"
        " events.occurred_at"
        " from intermediate.int_events_sessionized as events"
        " inner join marts.fct_sessions as sessions on events.session_id = sessions.session_id"
    )
    assert {row[0]: row[1:] for row in rows} == EXPECTED_EVENTS


def test_identity_of_each_id_scheme(fixture_build: DbtRun) -> None:
    """$device: ids, $user_id, $identify ($anon_distinct_id), $create_alias (alias), a legacy
    anonymous distinct_id and a server-side event without a device."""
    rows = fixture_build.query(
        "select event_id, anonymous_id, user_id from intermediate.int_events_deduplicated"
        " where event_id in ('a1-pageview', 'a4-signup', 'a5-identify', 'b1-pageview',"
        " 'c2-alias', 'c3-feature')"
    )
    assert sorted(rows) == [
        ("a1-pageview", "18f2a0c4-dev-a", None),
        ("a4-signup", "18f2a0c4-dev-a", "user-42"),
        ("a5-identify", "18f2a0c4-dev-a", "user-42"),
        ("b1-pageview", "0191d7b2-legacy-b", None),
        ("c2-alias", "c3f1-anon-c", "user-77"),
        ("c3-feature", None, "user-77"),
    ]


def test_page_views(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select page_view_id, person_id, page_path, referrer_url, device_type, country, viewed_at"
        " from marts.fct_page_views"
    )
    assert sorted(rows) == [
        # '$direct' is no referrer
        ("a1-pageview", "user-42", "/pricing", None, "desktop", "US", utc("2026-09-14 16:00:00")),
        # exported with time_in_ms: milliseconds kept
        (
            "a6-pageview",
            "user-42",
            "/app",
            "https://shop.example.com/signup",
            "desktop",
            "US",
            utc("2026-09-14 16:06:00.500"),
        ),
        (
            "b1-pageview",
            "0191d7b2-legacy-b",
            "/blog/event-tracking-101",
            "https://www.google.com/",
            "mobile",
            "GB",
            utc("2026-09-14 23:50:00"),
        ),
        (
            "b2-pageview",
            "0191d7b2-legacy-b",
            "/docs",
            "https://shop.example.com/blog/event-tracking-101",
            "mobile",
            "GB",
            utc("2026-09-15 00:10:00"),
        ),
        (
            "c1-pageview",
            "user-77",
            "/features",
            "https://www.facebook.com/",
            "desktop",
            "DE",
            utc("2026-09-14 19:00:00"),
        ),
    ]


def test_sessions_and_channels(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, tracker_session_id, started_at, ended_at, session_date, n_events,"
        " n_page_views, n_conversions, revenue, landing_page_path, channel_group, utm_campaign,"
        " device_type, country"
        " from marts.fct_sessions"
    )
    assert sorted(rows) == [
        # the session_id super property spans midnight UTC: one session, dated by its start
        (
            "0191d7b2-legacy-b",
            "sess-b-0914",
            utc("2026-09-14 23:50:00"),
            utc("2026-09-15 00:10:00"),
            datetime.date(2026, 9, 14),
            2,
            2,
            0,
            Decimal(0),
            "/blog/event-tracking-101",
            "Organic Search",
            None,
            "mobile",
            "GB",
        ),
        # the duplicate $insert_id a2-click is counted once; sign up and order are conversions;
        # two $experiment_started among its events
        (
            "user-42",
            None,
            utc("2026-09-14 16:00:00"),
            utc("2026-09-14 16:10:00"),
            datetime.date(2026, 9, 14),
            8,
            2,
            2,
            Decimal("49.90"),
            "/pricing",
            "Email",
            "september_launch",
            "desktop",
            "US",
        ),
        (
            "user-77",
            None,
            utc("2026-09-14 19:00:00"),
            utc("2026-09-14 19:03:00"),
            datetime.date(2026, 9, 14),
            3,
            1,
            0,
            Decimal(0),
            "/features",
            "Organic Social",
            None,
            "desktop",
            "DE",
        ),
    ]


def test_persons(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, is_identified, n_anonymous_ids, n_sessions, first_touch_channel_group"
        " from marts.dim_persons"
    )
    assert sorted(rows) == [
        ("0191d7b2-legacy-b", False, 1, 1, "Organic Search"),
        ("user-42", True, 1, 1, "Email"),
        ("user-77", True, 1, 1, "Organic Social"),
    ]


def test_unmappable_lines_are_quarantined_with_a_reason(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select coalesce(event_id, event_name_raw), invalid_reason from intermediate.int_events_quarantined"
    )
    assert sorted(rows) == sorted(
        [
            ("$mp_web_page_view", "missing_event_id"),  # no $insert_id
            ("$mp_web_page_view", "missing_event_id"),  # properties is not an object
            ("q2-iso-time", "invalid_occurred_at"),  # time is not epoch seconds
            ("q3-no-distinct-id", "missing_person_id"),
            ("q5-no-processing-time", "invalid_received_at"),  # no mp_processing_time_ms
            ("q6-bad-revenue", "invalid_revenue"),
            ("q7-null-time", "invalid_occurred_at"),
        ]
    )
    assert fixture_build.query(
        "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows, n_unaccounted_rows"
        " from reports.rpt_event_reconciliation"
    ) == [(21, 13, 7, 1, 0)]


def test_experiment_started_events_are_exposures(fixture_build: DbtRun) -> None:
    """Property "Experiment name" names the experiment and "Variant name" the variant. The
    device was shown control as $device:18f2a0c4-dev-a and checklist once identified as
    user-42 (a flag bucketed by distinct_id, which identification changes): one person, two
    variants, so not analysed."""
    rows = fixture_build.query(
        "select experiment_key, person_id, variant, first_exposed_at, exclusion_reason,"
        " n_exposures, n_variants, first_exposure_event_id"
        " from marts.fct_experiment_exposures"
    )
    assert rows == [
        (
            "onboarding_checklist",
            "user-42",
            None,
            utc("2026-09-14 16:02:00"),
            "multiple_variants",
            2,
            2,
            "a3-exposure",
        )
    ]


def test_writer_carries_defects_as_values() -> None:
    """The writer's shape of each identity and of defects: a missing value is a missing key, a
    malformed one the same text, a time epoch milliseconds."""
    rows: list[dict[str, str | None]] = [
        {
            "event_id": "e_1",
            "anonymous_id": "a_1",
            "user_id": None,
            "event_name": "Page View",
            "occurred_at": "2026-09-01 08:25:18.357",
            "received_at": "2026-09-01 08:25:19.000",
            "page_url": "https://shop.example.com/",
            "device_type": "tablet",
            "click_x": None,
        },
        {
            "event_id": None,
            "anonymous_id": None,
            "user_id": "u_1",
            "event_name": "click",
            "occurred_at": "2026-13-45 25:61:00",
            "received_at": None,
            "page_url": None,
            "device_type": None,
            "click_x": "12px",
        },
    ]
    columns = {name: [row.get(name) for row in rows] for name in EVENT_COLUMNS}
    anonymous, server_side = mixpanel.records(
        pa.table(columns, schema=pa.schema([(name, pa.string()) for name in EVENT_COLUMNS]))
    )
    assert anonymous == {
        "event": "$mp_web_page_view",
        "properties": {
            "time": 1_788_251_118_357,
            "distinct_id": "$device:a_1",
            "$device_id": "a_1",
            "$insert_id": "e_1",
            "mp_processing_time_ms": 1_788_251_119_000,
            "$current_url": "https://shop.example.com/",
            "$referrer": "$direct",
            "$os": "iOS",
            "$device": "iPad",
        },
    }
    assert server_side == {
        "event": "$mp_click",
        "properties": {
            "time": "2026-13-45 25:61:00",
            "distinct_id": "u_1",
            "$user_id": "u_1",
            "click_x": "12px",
        },
    }
