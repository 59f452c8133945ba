"""event_format: amplitude, Amplitude's Export API events (JSON lines), onto the event contract.

1. The hand-written fixture tests/data/amplitude/events.jsonl (its README says what each
   line is), in the documented shape of the export
   (https://amplitude.com/docs/apis/analytics/export: event_type, device_id, user_id,
   session_id in epoch milliseconds, event_time and server_received_time in UTC,
   event_properties, $insert_id, uuid): every event of each kind lands in the marts with the
   person, session, page and channel written by hand below, the duplicate $insert_id is
   dropped and the unmappable lines are quarantined with their reason; its two Amplitude
   Experiment `$exposure` events (https://amplitude.com/docs/feature-experiment/track-exposure:
   event_properties flag_key, variant, and experiment_key from SDKs since 2023) land in
   fct_experiment_exposures under the flag they name, with the variant written by hand below.
2. The generator's events written by bawh.trackers.amplitude give the same persons, sessions,
   page views and quarantine as the contract build of the same events.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from bawh.generator import EVENT_COLUMNS
from bawh.trackers import amplitude
from conftest import PROJECT_DIR, TRACKER_MARTS, DbtRun, run_readme_command

pytestmark = pytest.mark.slow

FIXTURE = PROJECT_DIR / "tests" / "data" / "amplitude" / "events.jsonl"
MARTS = TRACKER_MARTS
MAC = "6f2b1c3d-8a4e-4f10-9b7c-2e5d4a3b1c01"
IPAD = "c3e8a1f0-4b2d-4e6a-9c1f-7a5b3d2e0b02"
IPHONE = "f0a9b8c7-d6e5-4f43-a2b1-c0d9e8f70c03"


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


# The experiment of the fixture's exposures, declared by its flag key (what Amplitude's UI,
# its REST exposure example and every SDK's exposure name it).
EXPERIMENTS = [
    {
        "key": "checkout-redesign",
        "variants": {"control": 0.5, "treatment": 0.5},
        "start": "2026-09-01",
        "end": "2026-09-08",
        "primary_metric": "conversion",
    }
]


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture through the README's Amplitude command (and tracker session ids), with the
    fixture's experiment declared."""
    return run_readme_command(
        "Amplitude:",
        [FIXTURE],
        tmp_path_factory.mktemp("amplitude_fixture"),
        use_tracker_session_id=True,
        experiments=EXPERIMENTS,
    )


# Every clean event of the fixture ($insert_id, else uuid): its event name after the alias
# seed, its person, its session's tracker id (device_id-session_id) and landing page.
EXPECTED_EVENTS = {
    "0c9f6a52-7c1e-4e57-9d1a-5b0e2f1a0001": ("page_view", "amp_user_42", f"{MAC}-1788598800000", "/"),
    "0c9f6a52-7c1e-4e57-9d1a-5b0e2f1a0002": ("click", "amp_user_42", f"{MAC}-1788598800000", "/"),
    "a1d3e0c2-5b6f-11f1-8000-000000000003": ("identify", "amp_user_42", f"{MAC}-1788598800000", "/"),
    "0c9f6a52-7c1e-4e57-9d1a-5b0e2f1a0004": ("order_completed", "amp_user_42", f"{MAC}-1788598800000", "/"),
    # $exposure (seed event_name_aliases)
    "0c9f6a52-7c1e-4e57-9d1a-5b0e2f1a0012": (
        "experiment_exposure",
        "amp_user_42",
        f"{MAC}-1788598800000",
        "/",
    ),
    "7d20b8e4-1f3a-4c55-a0b2-9e8d7c6b0006": ("page_view", IPAD, f"{IPAD}-1788652500000", "/docs"),
    "7d20b8e4-1f3a-4c55-a0b2-9e8d7c6b0007": ("feature_used", IPAD, f"{IPAD}-1788652500000", "/docs"),
    "7d20b8e4-1f3a-4c55-a0b2-9e8d7c6b0013": ("experiment_exposure", IPAD, f"{IPAD}-1788652500000", "/docs"),
    # session_id -1: outside any Amplitude session, so a session of its own
    "7d20b8e4-1f3a-4c55-a0b2-9e8d7c6b0008": ("page_view", IPAD, None, "/pricing"),
    "e41a7b3c-99d0-4a8e-b6f1-3c2d1e0f0009": ("page_view", IPHONE, f"{IPHONE}-1788782400000", "/blog"),
}


def test_every_clean_event_has_its_person_and_session(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select events.event_id, events.event_name, events.person_id,"
        " sessions.tracker_session_id, sessions.landing_page_path"
        " from intermediate.int_events_sessionized as events"
        " inner join marts.fct_sessions as sessions on events.session_id = sessions.session_id"
    )
    assert {row[0]: row[1:] for row in rows} == EXPECTED_EVENTS


def test_event_fields_from_event_properties(fixture_build: DbtRun) -> None:
    """Autocapture's element selector, click positions as a string and a number, $revenue as
    a string and $productId, feature_name; event_time without fraction."""
    rows = fixture_build.query(
        "select event_name, element, click_x, click_y, product_id, revenue, feature_name, occurred_at"
        " from intermediate.int_events_deduplicated"
        " where event_name in ('click', 'order_completed', 'feature_used')"
        " or event_id like '%0008'"
    )
    assert sorted(rows) == [
        ("click", "button#signup", 120, 340, None, None, None, utc("2026-09-05 09:01:30")),
        ("feature_used", None, None, None, None, None, "dashboards", utc("2026-09-06 00:05:00")),
        ("order_completed", None, None, None, "p-0007", Decimal("129"), None, utc("2026-09-05 09:03:00")),
        ("page_view", None, None, None, None, None, None, utc("2026-09-06 00:06:00")),
    ]


def test_page_views(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, page_path, referrer_url, device_type, country, viewed_at from marts.fct_page_views"
    )
    assert sorted(rows, key=lambda row: row[5]) == [
        ("amp_user_42", "/", "https://www.google.com/", "desktop", "DE", utc("2026-09-05 09:00:00")),
        (IPAD, "/docs", "https://news.ycombinator.com/", "tablet", "JP", utc("2026-09-05 23:55:00")),
        (IPAD, "/pricing", None, "tablet", "JP", utc("2026-09-06 00:06:00")),
        # platform iOS without a model is a phone; country null
        (IPHONE, "/blog", None, "mobile", None, utc("2026-09-07 12:00:00")),
    ]


def test_sessions_and_channels(fixture_build: DbtRun) -> None:
    """Paid search by UTM, a referral from Hacker News (a social source for GA4), the
    session outside Amplitude's sessions, and an email campaign from the URL's query only;
    the iPad's session crosses midnight under one session_id. Each of the Mac's and the
    iPad's sessions has an exposure among its events."""
    rows = fixture_build.query(
        "select tracker_session_id, started_at, ended_at, n_events, n_page_views, channel_group,"
        " revenue from marts.fct_sessions"
    )
    assert sorted(rows, key=lambda row: row[1]) == [
        (f"{MAC}-1788598800000", utc("2026-09-05 09:00:00"), utc("2026-09-05 09:03:00"), 5, 1,
         "Paid Search", Decimal("129")),
        (f"{IPAD}-1788652500000", utc("2026-09-05 23:55:00"), utc("2026-09-06 00:05:00"), 3, 1,
         "Organic Social", Decimal("0")),
        (None, utc("2026-09-06 00:06:00"), utc("2026-09-06 00:06:00"), 1, 1, "Direct", Decimal("0")),
        (f"{IPHONE}-1788782400000", utc("2026-09-07 12:00:00"), utc("2026-09-07 12:00:00"), 1, 1,
         "Email", Decimal("0")),
    ]  # fmt: skip


def test_persons(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, is_identified, n_anonymous_ids, n_sessions, first_touch_channel_group"
        " from marts.dim_persons"
    )
    assert sorted(rows) == [
        ("amp_user_42", True, 1, 1, "Paid Search"),
        (IPAD, False, 1, 2, "Organic Social"),
        (IPHONE, False, 1, 1, "Email"),
    ]


def test_unmappable_lines_are_quarantined_with_a_reason(fixture_build: DbtRun) -> None:
    """Neither $insert_id nor uuid; neither event_time nor a readable client_event_time. The
    click re-sent with the same $insert_id is one event."""
    rows = fixture_build.query(
        "select event_id, occurred_at_raw, invalid_reason from intermediate.int_events_quarantined"
    )
    assert sorted(rows, key=lambda row: row[2]) == [
        ("e41a7b3c-99d0-4a8e-b6f1-3c2d1e0f0011", "07/09/2026 12:06", "invalid_occurred_at"),
        (None, "2026-09-07 12:05:00.000000", "missing_event_id"),
    ]
    reconciliation = fixture_build.query(
        "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows, n_unaccounted_rows"
        " from reports.rpt_event_reconciliation"
    )
    assert reconciliation == [(13, 10, 2, 1, 0)]


# fct_experiment_exposures of the fixture, written by hand: person -> (variant,
# first_exposed_at, exclusion_reason), every exposure in the declared period.
EXPOSURES = {
    # line 12: the Browser SDK's exposure, flag_key with experiment_key "exp-1" (the id of
    # the flag's experiment run, which SDKs send since 2023)
    "amp_user_42": ("treatment", utc("2026-09-05 09:02:30"), None),
    # line 13: an older SDK's exposure, flag_key and variant only (the shape of the REST
    # example of the track-exposure page)
    IPAD: ("control", utc("2026-09-05 23:56:00"), None),
}


def experiment_exposures(run: DbtRun) -> dict[str, tuple]:
    rows = run.query(
        "select person_id, variant, first_exposed_at, exclusion_reason"
        " from marts.fct_experiment_exposures where experiment_key = 'checkout-redesign'"
    )
    return {row[0]: row[1:] for row in rows}


def test_every_exposure_counts_under_its_flag(fixture_build: DbtRun) -> None:
    """flag_key names the experiment, whether or not the SDK also sends experiment_key (a
    run id), and variant the variant."""
    assert experiment_exposures(fixture_build) == EXPOSURES


def test_writer_shapes_the_export_and_carries_defects() -> None:
    """Export times with microseconds, the session start in milliseconds (-1 without a
    session), the device as the SDK describes it, and a malformed value as the same text."""
    rows = [
        {"event_id": "e_1", "anonymous_id": "a_1", "user_id": None, "session_id": "s_1",
         "event_name": "Page View", "occurred_at": "2026-09-01 08:25:18.357",
         "received_at": "2026-09-01 08:25:19", "page_url": "https://shop.example.com/",
         "device_type": "tablet", "country": "CH"},
        {"event_id": None, "anonymous_id": None, "user_id": "u_1", "session_id": None,
         "event_name": "click", "occurred_at": "not-a-time", "received_at": None,
         "click_x": "12px", "revenue": "N/A"},
    ]  # fmt: skip
    columns = {name: [row.get(name) for row in rows] for name in EVENT_COLUMNS}
    table = pa.table(columns, schema=pa.schema([(name, pa.string()) for name in EVENT_COLUMNS]))
    page_view, click = amplitude.records(table)
    assert {key: value for key, value in page_view.items() if key != "uuid"} == {
        "$insert_id": "e_1", "event_type": "[Amplitude] Page Viewed", "device_id": "a_1",
        "session_id": 1_788_251_118_357, "event_time": "2026-09-01 08:25:18.357000",
        "client_event_time": "2026-09-01 08:25:18.357000",
        "server_received_time": "2026-09-01 08:25:19.000000",
        "server_upload_time": "2026-09-01 08:25:19.000000",
        "event_properties": {"[Amplitude] Page Location": "https://shop.example.com/"},
        "platform": "Web", "device_type": "Apple iPad Air", "device_family": "Apple iPad",
        "os_name": "Mobile Safari", "country": "Switzerland",
    }  # fmt: skip
    assert click == {
        "event_type": "[Amplitude] Element Clicked", "user_id": "u_1", "session_id": -1,
        "event_time": "not-a-time", "client_event_time": "not-a-time",
        "event_properties": {"click_x": "12px", "$revenue": "N/A"}, "platform": "Web",
    }  # fmt: skip
