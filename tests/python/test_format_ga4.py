"""event_format: ga4, GA4's BigQuery event export (JSON lines), onto the event contract.

1. The hand-written fixture tests/data/ga4/events.jsonl (its README says what each line
   is), in the documented shape of the export (https://support.google.com/analytics/answer/7029846:
   event_timestamp in microseconds, user_pseudo_id, user_id, event_params as a repeated
   key/value record with ga_session_id, device, geo, collected_traffic_source, ecommerce,
   items): every event of each kind lands in the marts with the person, session, page and
   channel written by hand below, the re-exported event is dropped as a duplicate and the
   unmappable lines are quarantined with their reason.
2. The generator's events written by bawh.trackers.ga4 give the same persons, sessions, page
   views and quarantine as the contract build of the same events (less the rows GA4 cannot
   represent, which the writer leaves out).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from bawh.generator import EVENT_COLUMNS
from bawh.trackers import ga4
from conftest import PROJECT_DIR, TRACKER_MARTS, DbtRun, run_readme_command

pytestmark = pytest.mark.slow

FIXTURE = PROJECT_DIR / "tests" / "data" / "ga4" / "events.jsonl"
MARTS = TRACKER_MARTS
DESKTOP = "1875014400.1788249600"
PHONE = "902113577.1788393000"
TABLET = "1311770456.1788523200"


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture through the README's GA4 command (and tracker session ids)."""
    return run_readme_command(
        "GA4:", [FIXTURE], tmp_path_factory.mktemp("ga4_fixture"), use_tracker_session_id=True
    )


# Every clean event of the fixture (by its time): its event name after the alias seed, its
# person (the desktop and the phone are u_ga_001's), its session's tracker id
# (user_pseudo_id-ga_session_id) and landing page.
EXPECTED_EVENTS = {
    utc("2026-09-01 08:00:00"): ("page_view", "u_ga_001", f"{DESKTOP}-1788249600", "/pricing"),
    utc("2026-09-01 08:02:00"): ("scroll", "u_ga_001", f"{DESKTOP}-1788249600", "/pricing"),
    utc("2026-09-01 08:04:00"): ("page_view", "u_ga_001", f"{DESKTOP}-1788249600", "/pricing"),
    utc("2026-09-01 08:04:30"): ("product_viewed", "u_ga_001", f"{DESKTOP}-1788249600", "/pricing"),
    utc("2026-09-01 08:06:00"): ("sign_up", "u_ga_001", f"{DESKTOP}-1788249600", "/pricing"),
    utc("2026-09-02 10:00:00"): ("page_view", "u_ga_001", f"{DESKTOP}-1788343200", "/"),
    utc("2026-09-02 10:03:00"): ("order_completed", "u_ga_001", f"{DESKTOP}-1788343200", "/"),
    utc("2026-09-02 23:50:00"): ("page_view", "u_ga_001", f"{PHONE}-1788393000", "/blog/ga4-export"),
    utc("2026-09-02 23:58:00"): ("click", "u_ga_001", f"{PHONE}-1788393000", "/blog/ga4-export"),
    utc("2026-09-03 00:10:00"): ("page_view", "u_ga_001", f"{PHONE}-1788393000", "/blog/ga4-export"),
    utc("2026-09-03 00:12:00"): ("login", "u_ga_001", f"{PHONE}-1788393000", "/blog/ga4-export"),
    utc("2026-09-04 12:00:00"): ("page_view", TABLET, f"{TABLET}-1788523200", "/docs"),
}


def test_every_clean_event_has_its_person_and_session(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select events.occurred_at, events.event_name, events.person_id,"
        " sessions.tracker_session_id, sessions.landing_page_path"
        " from intermediate.int_events_sessionized as events"
        " inner join marts.fct_sessions as sessions on events.session_id = sessions.session_id"
    )
    assert {row[0]: row[1:] for row in rows} == EXPECTED_EVENTS


def test_event_fields_from_params_items_and_ecommerce(fixture_build: DbtRun) -> None:
    """received_at is event_timestamp plus the server offset; the product comes from items,
    revenue from ecommerce.purchase_revenue, the click from same-named parameters."""
    rows = fixture_build.query(
        "select occurred_at, received_at, product_id, revenue, element, click_x, click_y"
        " from intermediate.int_events_deduplicated"
        " where event_name in ('product_viewed', 'order_completed', 'click')"
    )
    assert sorted(rows) == [
        (utc("2026-09-01 08:04:30"), utc("2026-09-01 08:04:30.900"), "p-0003", None, None, None, None),
        (utc("2026-09-02 10:03:00"), utc("2026-09-02 10:03:01"), "p-0003", Decimal("59.9"), None, None, None),
        (utc("2026-09-02 23:58:00"), utc("2026-09-02 23:58:00.500"), None, None, "cta", 412, 88),
    ]


def test_page_views(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, page_path, referrer_url, device_type, country, viewed_at from marts.fct_page_views"
    )
    assert sorted(rows, key=lambda row: row[5]) == [
        ("u_ga_001", "/pricing", None, "desktop", "CH", utc("2026-09-01 08:00:00")),
        ("u_ga_001", "/products/p-0003", "https://shop.example.com/pricing", "desktop", "CH",
         utc("2026-09-01 08:04:00")),
        ("u_ga_001", "/", "https://www.google.com/", "desktop", "CH", utc("2026-09-02 10:00:00")),
        ("u_ga_001", "/blog/ga4-export", "https://www.facebook.com/", "mobile", "US",
         utc("2026-09-02 23:50:00")),
        ("u_ga_001", "/pricing", "https://shop.example.com/blog/ga4-export", "mobile", "US",
         utc("2026-09-03 00:10:00")),
        # geo.country '(not set)' is no country
        (TABLET, "/docs", None, "tablet", None, utc("2026-09-04 12:00:00")),
    ]  # fmt: skip


def test_sessions_and_channels(fixture_build: DbtRun) -> None:
    """The email campaign (collected_traffic_source), Google without UTM, Facebook, and no
    referrer; the phone's session crosses midnight under one ga_session_id."""
    rows = fixture_build.query(
        "select tracker_session_id, started_at, ended_at, n_events, n_page_views, utm_source,"
        " channel_group, revenue from marts.fct_sessions"
    )
    assert sorted(rows, key=lambda row: row[1]) == [
        (f"{DESKTOP}-1788249600", utc("2026-09-01 08:00:00"), utc("2026-09-01 08:06:00"), 5, 2,
         "newsletter", "Email", Decimal("0")),
        (f"{DESKTOP}-1788343200", utc("2026-09-02 10:00:00"), utc("2026-09-02 10:03:00"), 2, 1, None,
         "Organic Search", Decimal("59.9")),
        (f"{PHONE}-1788393000", utc("2026-09-02 23:50:00"), utc("2026-09-03 00:12:00"), 4, 2, None,
         "Organic Social", Decimal("0")),
        (f"{TABLET}-1788523200", utc("2026-09-04 12:00:00"), utc("2026-09-04 12:00:00"), 1, 1, None,
         "Direct", Decimal("0")),
    ]  # fmt: skip


def test_persons(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, is_identified, n_anonymous_ids, n_sessions, first_touch_channel_group"
        " from marts.dim_persons"
    )
    assert sorted(rows) == [(TABLET, False, 1, 1, "Direct"), ("u_ga_001", True, 2, 3, "Email")]


def test_unmappable_lines_are_quarantined_with_a_reason(fixture_build: DbtRun) -> None:
    """No user_pseudo_id nor user_id; an event_timestamp that is not epoch microseconds. The
    scroll exported twice is one event."""
    rows = fixture_build.query("select page_url, invalid_reason from intermediate.int_events_quarantined")
    assert sorted(rows) == [
        ("https://shop.example.com/docs", "missing_person_id"),
        ("https://shop.example.com/docs/ga4", "invalid_occurred_at"),
    ]
    reconciliation = fixture_build.query(
        "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows, n_unaccounted_rows"
        " from reports.rpt_event_reconciliation"
    )
    assert reconciliation == [(15, 12, 2, 1, 0)]


def test_writer_shapes_the_export_and_carries_defects() -> None:
    """INT64 fields as strings, parameters typed by value, the session start in seconds, and
    a malformed time or number as the same text; a row without an event id is left out."""
    rows = [
        {"event_id": "e_1", "anonymous_id": "a_1", "user_id": None, "session_id": "s_1",
         "event_name": "Order-Completed", "occurred_at": "2026-09-01 08:25:18.357",
         "received_at": "2026-09-01 08:25:19.000", "page_url": "https://shop.example.com/",
         "device_type": "tablet", "country": "CH", "revenue": "59.90", "utm_source": "google",
         "properties": '{"currency":"EUR","items":1}'},
        {"event_id": "e_2", "anonymous_id": "a_1", "user_id": "u_1", "session_id": "s_1",
         "event_name": "click", "occurred_at": "2026-09-01 08:30:00.000",
         "received_at": "not-a-time", "click_x": "12px"},
        {"event_id": None, "anonymous_id": "a_1", "event_name": "click",
         "occurred_at": "2026-09-01 08:31:00.000", "received_at": "2026-09-01 08:31:00.000"},
    ]  # fmt: skip
    columns = {name: [row.get(name) for row in rows] for name in EVENT_COLUMNS}
    table = pa.table(columns, schema=pa.schema([(name, pa.string()) for name in EVENT_COLUMNS]))
    (order, click), left_out = ga4.records(table)
    assert left_out == 1
    assert order == {
        "event_date": "20260901", "event_timestamp": "1788251118357000", "event_name": "purchase",
        "event_params": [
            {"key": "ga_session_id", "value": {"int_value": "1788251118"}},
            {"key": "page_location", "value": {"string_value": "https://shop.example.com/"}},
            {"key": "value", "value": {"double_value": 59.9}},
            {"key": "currency", "value": {"string_value": "EUR"}},
            {"key": "items", "value": {"int_value": "1"}},
        ],
        "event_server_timestamp_offset": "643000", "user_pseudo_id": "a_1",
        "device": {"category": "tablet"}, "geo": {"country": "Switzerland"},
        "collected_traffic_source": {"manual_source": "google"},
        "stream_id": "4178456110", "platform": "WEB",
    }  # fmt: skip
    assert click["event_server_timestamp_offset"] == "not-a-time"
    assert click["event_params"][1] == {"key": "click_x", "value": {"string_value": "12px"}}
    assert click["user_id"] == "u_1"
