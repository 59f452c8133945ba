"""event_format: posthog, PostHog's events batch export (JSON lines), onto the event contract.

1. The hand-written fixture tests/data/posthog/events.jsonl (its README says what each
   line is), in the documented shape of the S3 batch export's events model
   (https://posthog.com/docs/cdp/batch-exports/s3: uuid, event, distinct_id, person_id,
   properties, elements_chain, timestamp, created_at, _inserted_at; properties as an object in
   JSON lines, as JSON text in Parquet): every event of each kind lands in the marts with the
   person, session, page and channel written by hand below, sessions follow PostHog's
   $session_id (use_tracker_session_id), the duplicate uuid is dropped and the unmappable lines
   are quarantined with their reason; its two $feature_flag_called events of a boolean flag
   (https://posthog.com/docs/experiments/exposures: $feature_flag, $feature_flag_response,
   here true and false) are exposures in fct_experiment_exposures.
2. The generator's events written by bawh.trackers.posthog as the export's Parquet files give
   the same persons, sessions, page views and quarantine as the contract build of the same
   events, both grouped by the tracker's session id.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from bawh.generator import EVENT_COLUMNS
from bawh.trackers import posthog
from conftest import PROJECT_DIR, TRACKER_MARTS, DbtRun, run_readme_command

pytestmark = pytest.mark.slow

FIXTURE = PROJECT_DIR / "tests" / "data" / "posthog" / "events.jsonl"
MARTS = TRACKER_MARTS


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


# The experiment of the fixture's $feature_flag_called events: a boolean flag, whose variants
# are the responses true and false as text.
EXPERIMENTS = [
    {
        "key": "feedback-widget",
        "variants": {"false": 0.5, "true": 0.5},
        "start": "2026-09-01",
        "end": "2026-10-01",
        "primary_metric": "conversion",
    }
]


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture through the README's PostHog command (and tracker session ids), with the
    fixture's experiment declared."""
    return run_readme_command(
        "PostHog:",
        [FIXTURE],
        tmp_path_factory.mktemp("posthog_fixture"),
        use_tracker_session_id=True,
        experiments=EXPERIMENTS,
    )


def uuid(suffix: str) -> str:
    """The fixture's uuids: 0192<person>-000n-7000-8000-00000000<suffix>."""
    person = {"a": "a1b2", "b": "b7c0", "c": "c3d4"}[suffix[0]]
    return f"0192{person}-000{suffix[-1]}-7000-8000-00000000{suffix}"


# Every clean event of the fixture: its event name after the alias seed, its person, its
# tracker session, the landing page of its session, and its time in UTC.
EXPECTED_EVENTS = {
    uuid("a001"): ("page_view", "user-9", "0192a1b2-sess-a", "/pricing", utc("2026-09-14 08:00:00")),
    # +02:00 offset
    uuid("a002"): ("click", "user-9", "0192a1b2-sess-a", "/pricing", utc("2026-09-14 08:01:00")),
    # ClickHouse's text, no zone: UTC
    uuid("a003"): ("identify", "user-9", "0192a1b2-sess-a", "/pricing", utc("2026-09-14 08:03:00")),
    uuid("a004"): ("sign_up", "user-9", "0192a1b2-sess-a", "/pricing", utc("2026-09-14 08:03:00.500")),
    # $feature_flag_called (seed event_name_aliases)
    uuid("a005"): (
        "experiment_exposure",
        "user-9",
        "0192a1b2-sess-a",
        "/pricing",
        utc("2026-09-14 08:11:00"),
    ),
    uuid("a006"): ("page_view", "user-9", "0192a1b2-sess-a", "/pricing", utc("2026-09-14 08:06:00")),
    uuid("a007"): ("order_completed", "user-9", "0192a1b2-sess-a", "/pricing", utc("2026-09-14 08:10:00")),
    uuid("a008"): ("page_leave", "user-9", "0192a1b2-sess-a", "/pricing", utc("2026-09-14 08:12:00")),
    uuid("b001"): (
        "page_view",
        "0192b7c0-dev-b",
        "0192b7c0-sess-b",
        "/blog/sessionization-explained",
        utc("2026-09-14 23:55:00"),
    ),
    uuid("b002"): (
        "page_view",
        "0192b7c0-dev-b",
        "0192b7c0-sess-b",
        "/blog/sessionization-explained",
        utc("2026-09-15 00:20:00"),
    ),
    uuid("b003"): (
        "experiment_exposure",
        "0192b7c0-dev-b",
        "0192b7c0-sess-b",
        "/blog/sessionization-explained",
        utc("2026-09-14 23:56:00"),
    ),
    uuid("c001"): ("page_view", "user-31", "0192c3d4-sess-c", "/", utc("2026-09-14 15:00:00")),
    uuid("c002"): ("identify", "user-31", "0192c3d4-sess-c", "/", utc("2026-09-14 15:01:00")),
    # a server-side event with the $session_id passed from the browser
    uuid("c003"): ("feature_used", "user-31", "0192c3d4-sess-c", "/", utc("2026-09-14 15:02:00")),
}


def test_every_clean_event_has_its_person_session_and_time(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select events.event_id, events.event_name, events.person_id, sessions.tracker_session_id,"
        " sessions.landing_page_path, events.occurred_at"
        " from intermediate.int_events_sessionized as events"
        " inner join marts.fct_sessions as sessions on events.session_id = sessions.session_id"
    )
    assert {row[0]: row[1:] for row in rows} == EXPECTED_EVENTS


def test_identity_of_each_id_scheme(fixture_build: DbtRun) -> None:
    """Anonymous posthog-js, $identify ($anon_distinct_id), $is_identified as a string,
    $create_alias (alias), properties as JSON text, and a server-side event."""
    rows = fixture_build.query(
        "select event_id, anonymous_id, user_id from intermediate.int_events_deduplicated"
    )
    checked = ("a001", "a003", "a004", "b002", "c002", "c003")
    assert {row[0]: row[1:] for row in rows if row[0][-4:] in checked} == {
        uuid("a001"): ("0192a1b2-dev-a", None),
        uuid("a003"): ("0192a1b2-dev-a", "user-9"),
        uuid("a004"): ("0192a1b2-dev-a", "user-9"),
        uuid("b002"): ("0192b7c0-dev-b", None),
        uuid("c002"): ("0192c3d4-dev-c", "user-31"),
        uuid("c003"): (None, "user-31"),
    }


def test_page_views(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select page_view_id, person_id, page_path, referrer_url, device_type, country, viewed_at"
        " from marts.fct_page_views"
    )
    assert sorted(rows) == sorted(
        [
            (
                uuid("a001"),
                "user-9",
                "/pricing",
                "https://www.google.com/",
                "desktop",
                "FR",
                utc("2026-09-14 08:00:00"),
            ),
            (
                uuid("a006"),
                "user-9",
                "/checkout",
                "https://shop.example.com/signup",
                "desktop",
                "FR",
                utc("2026-09-14 08:06:00"),
            ),
            (
                uuid("b001"),
                "0192b7c0-dev-b",
                "/blog/sessionization-explained",
                "https://duckduckgo.com/",
                "mobile",
                "JP",
                utc("2026-09-14 23:55:00"),
            ),
            (
                uuid("b002"),
                "0192b7c0-dev-b",
                "/docs/api",
                "https://shop.example.com/blog/sessionization-explained",
                "mobile",
                "JP",
                utc("2026-09-15 00:20:00"),
            ),
            # '$direct' is no referrer
            (uuid("c001"), "user-31", "/", None, "tablet", "BR", utc("2026-09-14 15:00:00")),
        ]
    )


def test_sessions_and_channels(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, tracker_session_id, started_at, ended_at, session_date, n_events,"
        " n_page_views, n_conversions, revenue, landing_page_path, channel_group, utm_campaign,"
        " device_type, country"
        " from marts.fct_sessions"
    )
    assert sorted(rows) == [
        # the $session_id spans midnight: one session, dated by its start (its events: two
        # page views and a $feature_flag_called)
        (
            "0192b7c0-dev-b",
            "0192b7c0-sess-b",
            utc("2026-09-14 23:55:00"),
            utc("2026-09-15 00:20:00"),
            datetime.date(2026, 9, 14),
            3,
            2,
            0,
            Decimal(0),
            "/blog/sessionization-explained",
            "Organic Search",
            None,
            "mobile",
            "JP",
        ),
        (
            "user-31",
            "0192c3d4-sess-c",
            utc("2026-09-14 15:00:00"),
            utc("2026-09-14 15:02:00"),
            datetime.date(2026, 9, 14),
            3,
            1,
            0,
            Decimal(0),
            "/",
            "Direct",
            None,
            "tablet",
            "BR",
        ),
        # the duplicate uuid of the sign up is counted once; sign up and order are conversions
        (
            "user-9",
            "0192a1b2-sess-a",
            utc("2026-09-14 08:00:00"),
            utc("2026-09-14 08:12:00"),
            datetime.date(2026, 9, 14),
            8,
            2,
            2,
            Decimal(120),
            "/pricing",
            "Paid Search",
            "brand",
            "desktop",
            "FR",
        ),
    ]


def test_persons(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, is_identified, n_anonymous_ids, n_sessions, first_touch_channel_group"
        " from marts.dim_persons"
    )
    assert sorted(rows) == [
        ("0192b7c0-dev-b", False, 1, 1, "Organic Search"),
        ("user-31", True, 1, 1, "Direct"),
        ("user-9", True, 1, 1, "Paid Search"),
    ]


def test_unmappable_lines_are_quarantined_with_a_reason(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select coalesce(event_id, event_name_raw), invalid_reason from intermediate.int_events_quarantined"
    )
    assert sorted(rows) == sorted(
        [
            ("$pageview", "missing_event_id"),  # no uuid
            ("0192eeee-0002-7000-8000-00000000e002", "invalid_occurred_at"),  # 14/09/2026 09:00
            ("0192eeee-0003-7000-8000-00000000e003", "missing_person_id"),  # no distinct_id
            ("0192eeee-0004-7000-8000-00000000e004", "invalid_received_at"),  # no created_at
            ("0192eeee-0005-7000-8000-00000000e005", "future_occurred_at"),  # 2027, received 2026
            ("0192eeee-0006-7000-8000-00000000e006", "invalid_click_position"),  # click_x 'left'
        ]
    )
    assert fixture_build.query(
        "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows, n_unaccounted_rows"
        " from reports.rpt_event_reconciliation"
    ) == [(21, 14, 6, 1, 0)]


def test_feature_flag_called_events_are_exposures(fixture_build: DbtRun) -> None:
    """$feature_flag names the experiment and $feature_flag_response the variant: a boolean
    flag's response true or false, read as its text."""
    rows = fixture_build.query(
        "select experiment_key, person_id, variant, first_exposed_at, exclusion_reason"
        " from marts.fct_experiment_exposures order by person_id"
    )
    assert rows == [
        # line 21: the anonymous device, response false
        ("feedback-widget", "0192b7c0-dev-b", "false", utc("2026-09-14 23:56:00"), None),
        # line 20: user-9, identified, after the order, response true
        ("feedback-widget", "user-9", "true", utc("2026-09-14 08:11:00"), None),
    ]


def test_writer_carries_defects_as_values() -> None:
    """The writer's shape of each identity and of defects: a missing value is a missing key, a
    malformed one the same text, times ISO 8601 UTC."""
    rows: list[dict[str, str | None]] = [
        {
            "event_id": "e_1",
            "anonymous_id": "a_1",
            "user_id": "u_1",
            "session_id": "s_1",
            "event_name": "Page View",
            "occurred_at": "2026-09-01 08:25:18.357",
            "received_at": "2026-09-01 08:25:19.000",
            "page_url": "https://shop.example.com/",
            "device_type": "tablet",
        },
        {
            "event_id": None,
            "anonymous_id": None,
            "user_id": "u_1",
            "event_name": "click",
            "occurred_at": "not-a-time",
            "received_at": None,
            "click_x": "12px",
        },
    ]
    columns = {name: [row.get(name) for row in rows] for name in EVENT_COLUMNS}
    identified, server_side = posthog.records(
        pa.table(columns, schema=pa.schema([(name, pa.string()) for name in EVENT_COLUMNS]))
    )
    assert identified == {
        "uuid": posthog.event_uuid("e_1"),
        "event": "$pageview",
        "distinct_id": "u_1",
        "person_id": identified["person_id"],
        "elements_chain": "",
        "timestamp": "2026-09-01T08:25:18.357Z",
        "created_at": "2026-09-01T08:25:19.000Z",
        "properties": {
            "$device_id": "a_1",
            "$is_identified": True,
            "$session_id": "s_1",
            "$current_url": "https://shop.example.com/",
            "$referrer": "$direct",
            "$device_type": "Tablet",
        },
    }
    assert server_side == {
        "event": "$autocapture",
        "distinct_id": "u_1",
        "person_id": identified["person_id"],
        "elements_chain": "",
        "timestamp": "not-a-time",
        "properties": {"click_x": "12px", "$event_type": "click"},
    }
    assert posthog.event_uuid("e_1") != posthog.event_uuid("e_2")
