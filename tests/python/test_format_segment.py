"""event_format: segment. Segment calls mapped onto the event contract (macro
segment_event_contract) land in the marts with the right person, session, page and channel.

1. A hand-written fixture (tests/data/segment/calls.jsonl) in the shape of Segment's S3 and
   webhook destinations, one call per line, per Segment's Spec
   (https://segment.com/docs/connections/spec/common/, /spec/page/, /spec/track/,
   /spec/identify/, /spec/alias/): keys in other orders, numbers as strings, explicit nulls, an
   offset and a named time zone (context.timezone), a duplicate messageId, an identify and an
   alias, a tracker session id (Segment's Amplitude (Actions) plugin) across midnight, calls
   that cannot be mapped, and two Experiment Viewed calls of the A/B testing spec
   (https://segment.com/docs/connections/spec/ab-testing/: experiment_id, experiment_name,
   variation_id, variation_name), one with variation_id a number. The expected values below
   are written by hand from the fixture.
2. Generated truth through Segment's warehouse tables (pages, tracks and the per-event tables:
   https://segment.com/docs/connections/storage/warehouses/schema/) and through its JSON must
   give the marts of the contract build of the same generated events.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from bawh.generator import GeneratorConfig, generate
from bawh.trackers import segment
from conftest import (
    PROJECT_DIR,
    TRACKER_MARTS,
    DbtRun,
    run_readme_command,
)

pytestmark = pytest.mark.slow

FIXTURE = PROJECT_DIR / "tests" / "data" / "segment" / "calls.jsonl"
MARTS = TRACKER_MARTS


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


# The experiment of the fixture's Experiment Viewed calls, declared by experiment_id and its
# variation_ids (the ids come before the names in vars experiment_key_properties and
# experiment_variant_properties).
EXPERIMENTS = [
    {
        "key": "pricing_annual_toggle",
        "variants": {"0": 0.5, "1": 0.5},
        "start": "2026-10-01",
        "end": "2026-10-15",
        "primary_metric": "conversion",
    }
]


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture through the README's Segment command (and tracker session ids), with the
    fixture's experiment declared."""
    return run_readme_command(
        "Segment:",
        [FIXTURE],
        tmp_path_factory.mktemp("segment_fixture"),
        use_tracker_session_id=True,
        experiments=EXPERIMENTS,
    )


def test_page_calls_are_page_views_of_the_stitched_person_in_their_session(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select page_path, person_id, viewed_at, session_id from marts.fct_page_views order by viewed_at"
    )
    assert [row[:3] for row in rows] == [
        # anon-a1 before its identify: the page belongs to user-42
        ("/pricing", "user-42", at("2026-10-05 09:00:00")),
        # originalTimestamp 11:20 at +02:00, no corrected timestamp
        ("/checkout/complete", "user-42", at("2026-10-05 09:20:00")),
        # 22:01 local time in context.timezone Europe/Zurich (CEST); anon-a2 aliased to user-42
        ("/docs/getting-started", "user-42", at("2026-10-06 20:01:00")),
        ("/", "anon-b", at("2026-10-07 23:50:00")),
        ("/signup", "anon-b", at("2026-10-08 00:10:00")),
    ]
    sessions = [row[3] for row in rows]
    assert sessions[0] == sessions[1] and sessions[3] == sessions[4]
    assert len({sessions[0], sessions[2], sessions[3]}) == 3


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
            "user-42", at("2026-10-05 09:00:00"), at("2026-10-05 09:20:00"), datetime.date(2026, 10, 5),
            5, 2, "/pricing", "/checkout/complete", "Email", "newsletter", "anon-a1/1791190800000",
            # country: the region of locale de-CH (no context.location)
            "desktop", "CH", Decimal("49.90"),
        ),
        (
            # the page, an Experiment Viewed, then the alias; device.type ios is mobile;
            # location.country is a name, so the region of locale en-US
            "user-42", at("2026-10-06 20:01:00"), at("2026-10-06 20:02:00"), datetime.date(2026, 10, 6),
            3, 1, "/docs/getting-started", "/docs/getting-started", "Organic Search", "google", None,
            "mobile", "US", Decimal("0"),
        ),
        (
            # one tracker session across midnight, not split (an Experiment Viewed among its
            # events)
            "anon-b", at("2026-10-07 23:50:00"), at("2026-10-08 00:10:00"), datetime.date(2026, 10, 7),
            4, 2, "/", "/signup", "Referral", "blog.example.org", "anon-b/1791416400000",
            "desktop", "FR", Decimal("0"),
        ),
    ]  # fmt: skip


def test_identify_and_alias_stitch_both_devices_to_the_user(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        "select person_id, user_id, is_identified, n_anonymous_ids, n_sessions, n_page_views"
        " from marts.dim_persons order by person_id"
    )
    assert rows == [("anon-b", None, False, 1, 1, 2), ("user-42", "user-42", True, 2, 2, 3)]


def test_calls_map_names_properties_and_clicks(fixture_build: DbtRun) -> None:
    rows = fixture_build.query(
        """
        select event_id, event_name, product_id, revenue, element, click_x, click_y, user_id
        from intermediate.int_events_deduplicated
        where event_id in ('ajs-next-m-a2', 'ajs-next-m-a3', 'ajs-next-m-a4', 'ajs-next-m-b2')
        order by event_id
        """
    )
    assert rows == [
        ("ajs-next-m-a2", "product_viewed", "p-7", None, None, None, None, None),
        ("ajs-next-m-a3", "identify", None, None, None, None, None, "user-42"),
        ("ajs-next-m-a4", "order_completed", None, Decimal("49.90"), None, None, None, "user-42"),
        # click_x sent as the string "120", click_y as a number
        ("ajs-next-m-b2", "click", None, None, "cta-signup", 120, 48, None),
    ]
    properties = fixture_build.query(
        "select properties from intermediate.int_events_deduplicated where event_id = 'ajs-next-m-a3'"
    )
    assert '"plan":"pro"' in properties[0][0].replace(" ", "")  # identify: its traits


def test_unmappable_calls_are_quarantined_and_the_duplicate_dropped(fixture_build: DbtRun) -> None:
    quarantined = fixture_build.query(
        "select coalesce(event_id, '-'), invalid_reason from intermediate.int_events_quarantined order by 1"
    )
    assert quarantined == [
        ("-", "missing_event_id"),  # a track call without messageId
        ("srv-m-q2", "missing_person_id"),  # neither anonymousId nor userId
        ("srv-m-q3", "invalid_occurred_at"),  # timestamp 'yesterday'
        ("srv-m-q4", "invalid_occurred_at"),  # a time zone name that does not exist
        ("srv-m-q5", "invalid_revenue"),  # revenue 'free'
    ]
    n_clean, n_duplicates = fixture_build.query(
        "select count(*), sum(n_duplicates) from intermediate.int_events_deduplicated"
    )[0]
    # 18 lines = 12 clean calls (2 Experiment Viewed) + 5 quarantined + 1 second copy of
    # ajs-next-m-a4
    assert (n_clean, n_duplicates) == (12, 1)


def test_experiment_viewed_calls_are_exposures_of_the_stitched_person(fixture_build: DbtRun) -> None:
    """Experiment Viewed maps to experiment_exposure (seed event_name_aliases); experiment_id
    names the experiment and variation_id the variant, a number read as its text."""
    rows = fixture_build.query(
        "select experiment_key, person_id, variant, first_exposed_at, exclusion_reason"
        " from marts.fct_experiment_exposures order by person_id"
    )
    assert rows == [
        # line 18: variation_id 1 sent as a number
        ("pricing_annual_toggle", "anon-b", "1", at("2026-10-07 23:52:00"), None),
        # line 17: anon-a2 (aliased to user-42 a minute later), 22:01:30 local time in
        # context.timezone Europe/Zurich
        ("pricing_annual_toggle", "user-42", "0", at("2026-10-06 20:01:30"), None),
    ]


def iso(text: str) -> str:
    """Our statement of Segment's time format: ISO 8601 in UTC, milliseconds, Z."""
    return datetime.datetime.fromisoformat(text).isoformat(timespec="milliseconds") + "Z"


def test_the_json_writer_keeps_ids_times_and_names(tmp_path: Path) -> None:
    """The JSON lines (the landing-file path, whose mapping the fixture checks) carry each
    generated row's id, person, times and name where Segment's Spec puts them."""
    small = GeneratorConfig(persons=3, days=2, seed=5, start_date=datetime.date(2026, 9, 1), invalid_rate=0)
    events = generate(small).events
    (path,) = segment.write_jsonl(events, tmp_path / "landing")
    written = [
        (call.get("messageId"), call.get("anonymousId"), call.get("userId"), call.get("timestamp"),
         call.get("receivedAt"), "page_view" if call["type"] == "page" else call["event"])
        for call in map(json.loads, path.read_text().splitlines())
    ]  # fmt: skip
    generated = [
        (row["event_id"], row["anonymous_id"], row["user_id"], iso(row["occurred_at"]),
         iso(row["received_at"]), segment.TRACK_NAMES.get(row["event_name"], row["event_name"]))
        for row in events.to_pylist()
    ]  # fmt: skip
    assert written == generated
