"""event_format: snowplow. Snowplow enriched events mapped onto the event contract (macro
snowplow_event_contract) land in the marts with the right person, session, page and channel.

1. A hand-written fixture (tests/data/snowplow/enriched_events.jsonl): enriched events with
   the atomic fields as Snowplow documents them
   (https://docs.snowplow.io/docs/fundamentals/canonical-event/), one per line: page views, a
   page ping, a link_click and a custom self-describing event (unstruct_event as JSON text and
   as a nested object), a transaction, a structured event, keys in other orders, numbers and
   booleans as strings, explicit nulls, ISO times with Z beside the enriched event's
   'YYYY-MM-DD HH:MM:SS.mmm', a duplicate event_id, a device with only network_userid, a
   domain_sessionid across midnight, and events that cannot be mapped. The expected values
   below are written by hand from the fixture.
2. Generated truth loaded as atomic.events (the table path) must give the marts of the
   contract build of the same generated events.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from bawh.generator import GeneratorConfig, generate
from bawh.trackers import snowplow
from conftest import (
    PROJECT_DIR,
    TRACKER_MARTS,
    DbtRun,
    run_readme_command,
)

pytestmark = pytest.mark.slow

FIXTURE = PROJECT_DIR / "tests" / "data" / "snowplow" / "enriched_events.jsonl"
MARTS = TRACKER_MARTS
SESSION_1 = "c6ef3124-b53a-4b13-a233-0088f79dcbcb"
SESSION_2 = "0d2e8a44-2f63-4f0f-8a3c-5a0e7d1b9c02"
SESSION_3 = "5b1c7f00-3d8e-4a61-b0b5-7c9d2e4f6a03"


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def event(number: int) -> str:
    return f"4f7a1c52-0d55-4e0b-9a8e-1f3c2b6d7e{number:02d}"


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture through the README's Snowplow command (and tracker session ids)."""
    return run_readme_command(
        "Snowplow:", [FIXTURE], tmp_path_factory.mktemp("snowplow_fixture"), use_tracker_session_id=True
    )


def test_page_views_belong_to_the_stitched_person_and_their_session(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select page_view_id, page_path, person_id, viewed_at, session_id from marts.fct_page_views"
        " order by viewed_at"
    )
    assert [row[1:4] for row in rows] == [
        # d-1 before its user_id: the page belongs to user-7
        ("/pricing", "user-7", at("2026-10-12 14:00:00")),
        # ISO times with Z; the second device of user-7
        ("/account", "user-7", at("2026-10-13 08:00:00")),
        ("/blog/launch", "d-3", at("2026-10-14 23:45:00")),
        ("/pricing", "d-3", at("2026-10-15 00:05:00")),
        # network_userid when there is no domain_userid
        ("/", "n-5", at("2026-10-16 10:00:00")),
    ]
    sessions = [row[4] for row in rows]
    assert sessions[2] == sessions[3]
    assert len(set(sessions)) == 4


def test_sessions_keep_channel_tracker_session_device_and_country(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        """
        select person_id, started_at, ended_at, session_date, n_events, n_page_views,
            landing_page_path, exit_page_path, channel_group, session_source, tracker_session_id,
            device_type, country, revenue
        from marts.fct_sessions order by started_at
        """
    )
    assert rows == [
        (
            # page view, page ping, link click, feature use, transaction, structured event; mkt_*
            "user-7", at("2026-10-12 14:00:00"), at("2026-10-12 14:06:00"), datetime.date(2026, 10, 12),
            6, 1, "/pricing", "/pricing", "Paid Search", "google", SESSION_1,
            "desktop", "DE", Decimal("120.50"),
        ),
        (
            # dvce_type null, dvce_ismobile true; geo_country in lower case
            "user-7", at("2026-10-13 08:00:00"), at("2026-10-13 08:00:00"), datetime.date(2026, 10, 13),
            1, 1, "/account", "/account", "Direct", "(direct)", SESSION_2,
            "mobile", "GB", Decimal("0"),
        ),
        (
            # one domain_sessionid across midnight, not split
            "d-3", at("2026-10-14 23:45:00"), at("2026-10-15 00:05:00"), datetime.date(2026, 10, 14),
            2, 2, "/blog/launch", "/pricing", "Referral", "blog.example.org", SESSION_3,
            "tablet", "FR", Decimal("0"),
        ),
        (
            "n-5", at("2026-10-16 10:00:00"), at("2026-10-16 10:00:00"), datetime.date(2026, 10, 16),
            1, 1, "/", "/", "Email", "newsletter", None,
            "mobile", "US", Decimal("0"),
        ),
    ]  # fmt: skip


def test_user_id_stitches_both_devices(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, user_id, is_identified, n_anonymous_ids, n_sessions, n_page_views"
        " from marts.dim_persons order by person_id"
    )
    assert rows == [
        ("d-3", None, False, 1, 1, 2),
        ("n-5", None, False, 1, 1, 1),
        ("user-7", "user-7", True, 2, 2, 2),
    ]


def test_events_map_names_and_self_describing_fields(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        f"""
        select event_id, event_name, element, feature_name, revenue
        from intermediate.int_events_deduplicated
        where event_id in ('{event(2)}', '{event(3)}', '{event(4)}', '{event(5)}', '{event(6)}')
        order by event_id
        """
    )
    assert rows == [
        (event(2), "page_ping", None, None, None),
        # link_click (an alias of click), its elementId as element; unstruct_event as JSON text
        (event(3), "click", "buy-button", None, None),
        # no event_name: the self-describing event's schema name; unstruct_event nested
        (event(4), "feature_used", None, "reports", None),
        (event(5), "order_completed", None, None, Decimal("120.50")),  # tr_total
        (event(6), "play", None, None, None),  # a structured event: se_action
    ]


def test_unmappable_events_are_quarantined_and_the_duplicate_dropped(fixture_build: DbtRun) -> None:
    quarantined = fixture_build.query(
        "select coalesce(event_id, '-'), invalid_reason from intermediate.int_events_quarantined order by 1"
    )
    assert quarantined == [
        ("-", "missing_event_id"),
        (event(11), "missing_person_id"),  # no domain_userid, network_userid nor user_id
        (event(12), "invalid_occurred_at"),  # derived_tstamp at hour 25
        (event(13), "invalid_revenue"),  # revenue '12,50'
    ]
    n_clean, n_duplicates = fixture_build.query(
        "select count(*), sum(n_duplicates) from intermediate.int_events_deduplicated"
    )[0]
    # 15 lines = 10 clean events + 4 quarantined + 1 second copy of event 3
    assert (n_clean, n_duplicates) == (10, 1)


def test_the_json_writer_keeps_ids_times_and_names(tmp_path: Path) -> None:
    """The JSON lines (the landing-file path, whose mapping the fixture checks) carry each
    generated row's id, person, times and name in the atomic fields."""
    events = generate(GeneratorConfig(persons=3, days=2, seed=6, start_date=datetime.date(2026, 9, 1))).events
    (path,) = snowplow.write_jsonl(events, tmp_path / "landing")
    fields = ("event_id", "domain_userid", "user_id", "derived_tstamp", "collector_tstamp", "event_name")
    written = [
        tuple(record.get(field) for field in fields)
        for record in map(json.loads, path.read_text().splitlines())
    ]
    generated = [
        (row["event_id"], row["anonymous_id"], row["user_id"], row["occurred_at"], row["received_at"],
         row["event_name"])
        for row in events.to_pylist()
    ]  # fmt: skip
    assert written == generated
