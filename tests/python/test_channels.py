"""Channels: GA4's default channel group of a session for every source of GA4's source list,
checked against Python's own statement of GA4's rules; then the hourly channel report
(rpt_channel_traffic_hourly) against the generator's truth, and the same report read back
from a GA4 export file of its columns.

The channel oracle reads the two seed files (GA4's list, the search-engine referrer hosts),
never the build. The report oracle groups the generator's clean events by their true session:
the session starts at its first event, belongs to the true person and arrives through the
true channel (the generator's channel names are GA4 default channel groups under other
names).
"""

from __future__ import annotations

import csv
import datetime
import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.generator import EVENT_COLUMNS
from conftest import DBT_BUILD, PROJECT_DIR, DbtRun, GeneratedBuild, build_from_landing, run_dbt
from test_end_to_end import GA4_CHANNEL_OF

SEEDS = PROJECT_DIR / "seeds" / "reference"
START = datetime.datetime(2026, 10, 5, 9, 0)

# GA4's default channel group rules (support.google.com/analytics/answer/9756891), in GA4's
# order, first match wins, none case-sensitive. `category` is the source's category in GA4's
# source list (search, social, shopping, video) or None.
PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
SHOPPING_CAMPAIGN = re.compile(r"^(.*(([^a-df-z]|^)shop|shopping).*)$")
EMAIL = {"email", "e-mail", "e_mail", "e mail"}
SOCIAL_MEDIUMS = {"social", "social-network", "social-media", "sm", "social network", "social media"}


def ga4_channel(source: str, medium: str, campaign: str, category: str | None) -> str:
    source, medium, campaign = source.lower(), medium.lower(), campaign.lower()
    paid = PAID_MEDIUM.match(medium) is not None
    shopping = category == "shopping" or SHOPPING_CAMPAIGN.match(campaign) is not None
    rules = [
        ("Direct", source == "(direct)" and medium in {"(not set)", "(none)"}),
        ("Cross-network", "cross-network" in campaign),
        ("Paid Shopping", shopping and paid),
        ("Paid Search", category == "search" and paid),
        ("Paid Social", category == "social" and paid),
        ("Paid Video", category == "video" and paid),
        ("Display", medium in {"display", "banner", "expandable", "interstitial", "cpm"}),
        ("Paid Other", paid),
        ("Organic Shopping", shopping),
        ("Organic Social", category == "social" or medium in SOCIAL_MEDIUMS),
        ("Organic Video", category == "video" or "video" in medium),
        ("Organic Search", category == "search" or medium == "organic"),
        ("Referral", medium in {"referral", "app", "link"}),
        ("Email", source in EMAIL or medium in EMAIL),
        ("Affiliates", medium == "affiliate"),
        ("Audio", medium == "audio"),
        ("SMS", source == "sms" or medium == "sms"),
        ("Mobile Push Notifications", medium.endswith("push") or "mobile" in medium),
        ("Mobile Push Notifications", "notification" in medium or source == "firebase"),
    ]
    return next((channel for channel, matches in rules if matches), "Unassigned")


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


GA4_SOURCES = {row["source"]: row["source_category"] for row in read_seed("ga4_source_categories")}
CATEGORY_OF = {
    source.lower(): category.removeprefix("SOURCE_CATEGORY_").lower()
    for source, category in GA4_SOURCES.items()
}
SEARCH_ENGINE_OF = {row["referrer_host"]: row["source"] for row in read_seed("search_engine_referrers")}


@dataclass(frozen=True)
class Arrival:
    """How one session arrives (UTM parameters or a referrer), and GA4's source, medium and
    channel for it."""

    utm_source: str | None
    utm_medium: str | None
    referrer_url: str | None
    source: str
    medium: str
    channel: str


def utm_arrival(source: str, medium: str) -> Arrival:
    channel = ga4_channel(source, medium, "launch", CATEGORY_OF.get(source.lower()))
    return Arrival(source, medium, None, source, medium, channel)


def referrer_arrival(host: str) -> Arrival:
    """A visit from https://<host>/: a search engine's host is reported under the engine's
    name with medium organic, any other host as itself with medium referral."""
    engine = SEARCH_ENGINE_OF.get(host)
    if engine:
        source, medium, campaign = engine, "organic", "(organic)"
    else:
        source, medium, campaign = host, "referral", "(referral)"
    channel = ga4_channel(source, medium, campaign, CATEGORY_OF.get(source))
    return Arrival(None, None, f"https://{host}/", source, medium, channel)


def every_listed_source() -> list[Arrival]:
    """Each source of GA4's list as it is listed with medium cpc, upper-cased with medium
    (none), and each host of the list (and each search-engine host) as a referrer."""
    arrivals = [utm_arrival(source, "cpc") for source in GA4_SOURCES]
    arrivals += [utm_arrival(source.upper(), "(none)") for source in GA4_SOURCES]
    hosts = [source.lower() for source in GA4_SOURCES if "." in source and " " not in source]
    arrivals += [referrer_arrival(host) for host in [*hosts, *SEARCH_ENGINE_OF]]
    return arrivals


# Hand-checked against GA4's list and rules, not computed from them.
EXAMPLES = {
    "google_shopping_cpc": Arrival("Google Shopping", "cpc", None, "Google Shopping", "cpc", "Paid Shopping"),
    "alibaba_none": Arrival("alibaba", "(none)", None, "alibaba", "(none)", "Organic Shopping"),
    "alibaba_com_cpc": Arrival("Alibaba.com", "CPC", None, "Alibaba.com", "CPC", "Paid Shopping"),
    "m_facebook_referrer": Arrival(
        None, None, "https://m.facebook.com/story.php?id=1", "m.facebook.com", "referral", "Organic Social"
    ),
    "youtube_referrer": Arrival(
        None, None, "https://www.youtube.com/watch?v=1", "youtube.com", "referral", "Organic Video"
    ),
    "youtube_com_cpc": Arrival("youtube.com", "cpc", None, "youtube.com", "cpc", "Paid Video"),
    # a search engine's referrer is GA4's engine name; the same host as a UTM source is not listed
    "google_referrer": Arrival(None, None, "https://www.google.com/", "google", "organic", "Organic Search"),
    "google_com_cpc": Arrival("google.com", "cpc", None, "google.com", "cpc", "Paid Other"),
    # GA4's list has twitter, twitter.com and t.co, not x.com
    "x_com_referrer": Arrival(None, None, "https://x.com/i/status/1", "x.com", "referral", "Referral"),
}


def landing_events(arrivals: dict[str, Arrival]) -> pa.Table:
    """One page view per arrival, each a person of its own, a minute apart."""
    rows = []
    for number, (event_id, arrival) in enumerate(arrivals.items()):
        at = START + datetime.timedelta(minutes=number)
        rows.append(
            dict.fromkeys(EVENT_COLUMNS)
            | {
                "event_id": event_id,
                "anonymous_id": f"a_{event_id}",
                "event_name": "page_view",
                "occurred_at": at.strftime("%Y-%m-%d %H:%M:%S.000"),
                "received_at": (at + datetime.timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S.000"),
                "page_url": "https://shop.example.com/landing",
                "referrer_url": arrival.referrer_url,
                "utm_source": arrival.utm_source,
                "utm_medium": arrival.utm_medium,
                "utm_campaign": "launch" if arrival.utm_source else None,
            }
        )
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in EVENT_COLUMNS]))


def test_every_listed_source_gets_its_ga4_channel(tmp_path: Path) -> None:
    """Every source of GA4's list, as UTM source (paid and organic) and as referrer, and the
    hand-checked examples, through the channel model and its parents (with their data and
    unit tests) built from one landing file."""
    arrivals = {f"e_listed_{n}": arrival for n, arrival in enumerate(every_listed_source())}
    arrivals |= {f"e_example_{name}": arrival for name, arrival in EXAMPLES.items()}
    (tmp_path / "landing").mkdir()
    pq.write_table(landing_events(arrivals), tmp_path / "landing" / "part-0.parquet")
    run = build_from_landing(
        tmp_path, str(tmp_path / "landing" / "*.parquet"), select=("+int_sessions_channel_grouped",)
    )
    assert len(GA4_SOURCES) == 819
    rows = run.query(
        "select events.event_id, channels.session_source, channels.session_medium, channels.channel_group"
        " from intermediate.int_events_sessionized as events"
        " inner join intermediate.int_sessions_channel_grouped as channels"
        " on events.session_id = channels.session_id"
    )
    actual = {event_id: (source, medium, channel) for event_id, source, medium, channel in rows}
    expected = {event_id: (a.source, a.medium, a.channel) for event_id, a in arrivals.items()}
    assert actual.keys() == expected.keys()
    wrong = {
        event_id: (actual[event_id], want) for event_id, want in expected.items() if actual[event_id] != want
    }
    assert not wrong, f"{len(wrong)} sessions off GA4's channel, e.g. {list(wrong.items())[:5]}"
    # every category of the list reaches its paid and its organic channel
    categories = ("Search", "Social", "Shopping", "Video")
    assert {a.channel for a in arrivals.values()} >= {
        f"{kind} {category}" for kind in ("Paid", "Organic") for category in categories
    }


GA4_HEADER = [
    "Date + hour (YYYYMMDDHH)",
    "Session primary channel group (Default channel group)",
    "Users",
    "Sessions",
    "Engaged sessions",
    "Average engagement time per session",
    "Engaged sessions per user",
    "Events per session",
    "Engagement rate",
    "Event count",
]
REPORT = "select * from reports.rpt_channel_traffic_hourly order by 1, 2"


@pytest.fixture(scope="module")
def built(generated_build: Callable[..., GeneratedBuild]) -> tuple[list[dict], list[dict], DbtRun]:
    """The shared generated build: its raw events, their truth, and the run."""
    build = generated_build()
    return build.generated.events.to_pylist(), build.generated.truth.to_pylist(), build.run


def _hour(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(
        minute=0, second=0, microsecond=0
    )


@pytest.mark.slow
def test_hourly_counts_equal_the_truth(built: tuple[list[dict], list[dict], DbtRun]) -> None:
    events, truth, run = built
    sessions: dict[str, dict] = {}
    n_events: dict[str, int] = defaultdict(int)
    for event, row in zip(events, truth, strict=True):
        if row["row_kind"] != "clean":
            continue
        n_events[row["true_session_id"]] += 1
        if row["true_event_index"] == 1:
            sessions[row["true_session_id"]] = {
                "hour": _hour(event["occurred_at"]),
                "channel": GA4_CHANNEL_OF[row["channel"]],
                "person": row["true_person_id"],
            }
    expected: dict[tuple[str, str], tuple[int, int, int]] = {}
    persons: dict[tuple[str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for session_id, session in sessions.items():
        key = (session["hour"].strftime("%Y%m%d%H"), session["channel"])
        persons[key].add(session["person"])
        counts[key][0] += 1
        counts[key][1] += n_events[session_id]
    expected = {key: (len(persons[key]), *counts[key]) for key in counts}

    rows = run.query(
        "select date_hour, session_primary_channel_group, users, sessions, event_count"
        " from reports.rpt_channel_traffic_hourly"
    )
    actual = {(hour, channel): (users, n, count) for hour, channel, users, n, count in rows if n}
    assert actual == expected
    # Every hour from the first to the last session start, for every channel, zeros included.
    first, last = min(s["hour"] for s in sessions.values()), max(s["hour"] for s in sessions.values())
    n_hours = int((last - first) / datetime.timedelta(hours=1)) + 1
    channels = {s["channel"] for s in sessions.values()}
    assert len(rows) == n_hours * len(channels)
    assert all(users == count == 0 for _, _, users, n, count in rows if not n)


def _write_ga4_export(rows: list[tuple], path: Path) -> None:
    """The rows as GA4 writes its CSV downloads: comment lines, then display names."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write("# ----------------------------------------\n")
        handle.write("# Traffic acquisition: Session primary channel group\n")
        handle.write("# ----------------------------------------\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(GA4_HEADER)
        writer.writerows([[repr(v) if isinstance(v, float) else v for v in row] for row in rows])


def _copy_warehouse(run: DbtRun, work_dir: Path) -> None:
    work_dir.mkdir()
    shutil.copy(run.warehouse, work_dir / "warehouse.duckdb")


@pytest.mark.slow
def test_a_ga4_export_of_the_same_columns_gives_the_same_report(
    built: tuple[list[dict], list[dict], DbtRun], tmp_path: Path
) -> None:
    _, _, run = built
    computed = run.query(REPORT)
    export = tmp_path / "ga4_traffic_acquisition.csv"
    _write_ga4_export(computed, export)
    _copy_warehouse(run, tmp_path / "from_export")
    from_export = run_dbt(
        [*DBT_BUILD, "--select", "+rpt_channel_traffic_hourly"],
        tmp_path / "from_export",
        {"ga4_traffic_export_location": str(export)},
    )
    assert from_export.returncode == 0, from_export.output[-4000:]
    assert "stg_ga4__traffic_acquisition_hourly" in from_export.output
    assert from_export.query(REPORT) == computed


@pytest.mark.slow
def test_a_malformed_export_row_fails_the_build_with_its_reason(
    built: tuple[list[dict], list[dict], DbtRun], tmp_path: Path
) -> None:
    _, _, run = built
    rows = run.query(REPORT)[:3]
    export = tmp_path / "ga4_traffic_acquisition.csv"
    _write_ga4_export([*rows, ("2026-09-01 10", "Direct", 1, 2, 1, 3.0, 1.0, 2.0, 0.5, "n/a")], export)
    _copy_warehouse(run, tmp_path / "from_export")
    failed = run_dbt(
        [*DBT_BUILD, "--select", "+rpt_channel_traffic_hourly"],
        tmp_path / "from_export",
        {"ga4_traffic_export_location": str(export)},
    )
    assert failed.returncode != 0
    assert "Rows that cannot be used, by invalid_reason: invalid_date_hour: 1." in failed.output
    with_reason = failed.query(
        "select invalid_reason from staging.stg_ga4__traffic_acquisition_hourly"
        " where invalid_reason is not null"
    )
    assert with_reason == [("invalid_date_hour",)]
