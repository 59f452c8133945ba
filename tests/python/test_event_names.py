"""Event names: a tracker's standard name (GA4 purchase, PostHog $pageview, Segment Loaded a
Page) lands as the tracking plan's event through the event_name_aliases seed, and a name in
neither seed flows as a custom event, counted in rpt_event_names, unless the var
quarantine_unknown_event_names quarantines it.

The expected names and flags come from the two seed files, read here, not from the build."""

from __future__ import annotations

import csv
import datetime
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.generator import EVENT_COLUMNS
from conftest import PROJECT_DIR, DbtRun, build_from_landing, normalize_event_name, run_dbt

SEEDS = PROJECT_DIR / "seeds" / "reference"
SELECTED = ("+rpt_event_names", "+int_events_quarantined", "+rpt_event_reconciliation")
CUSTOM_NAMES = ("Video Played", "debug-ping", "heartbeat")
START = datetime.datetime(2026, 10, 5, 9, 0)


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def tracker_rows() -> tuple[pa.Table, dict[str, str]]:
    """One event per alias of the seed (sent with the tracker's own spelling: upper case
    where the tracker capitalizes) and per custom name, each a person of its own, one minute
    apart; and the event name each must land as."""
    aliases = {row["alias"]: row["event_name"] for row in read_seed("event_name_aliases")}
    sent = {
        alias.replace("_", " ").title() if alias[0].isalpha() else alias: event_name
        for alias, event_name in aliases.items()
    }
    sent |= {name: normalize_event_name(name) for name in CUSTOM_NAMES}
    rows = []
    expected = {}
    for number, (name, event_name) in enumerate(sorted(sent.items())):
        at = START + datetime.timedelta(minutes=number)
        event_id = f"e_names_{number}"
        rows.append(
            dict.fromkeys(EVENT_COLUMNS)
            | {
                "event_id": event_id,
                "anonymous_id": f"a_names_{number}",
                "event_name": name,
                "occurred_at": at.strftime("%Y-%m-%d %H:%M:%S.000"),
                "received_at": (at + datetime.timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S.000"),
                "page_url": "https://shop.example.com/",
            }
        )
        expected[event_id] = event_name
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in EVENT_COLUMNS])), expected


@dataclass(frozen=True)
class NamesBuild:
    run: DbtRun
    work_dir: Path
    landing: str
    expected: dict[str, str]  # event_id -> the event name it must land as


@pytest.fixture(scope="module")
def names_build(tmp_path_factory: pytest.TempPathFactory) -> NamesBuild:
    """The tracker names and custom names built with the default vars."""
    work_dir = tmp_path_factory.mktemp("names")
    table, expected = tracker_rows()
    (work_dir / "landing").mkdir()
    pq.write_table(table, work_dir / "landing" / "part-0.parquet")
    landing = str(work_dir / "landing" / "*.parquet")
    return NamesBuild(build_from_landing(work_dir, landing, select=SELECTED), work_dir, landing, expected)


def test_tracker_names_map_to_the_plan_and_others_flow_as_custom_events(names_build: NamesBuild) -> None:
    run, expected = names_build.run, names_build.expected
    plan = {row["event_name"]: row for row in read_seed("tracking_plan")}
    landed = dict(
        run.query(
            "select event_id, event_name || '|' || event_category || '|' || is_page_view"
            " from intermediate.int_events_sessionized"
        )
    )
    assert landed.keys() == expected.keys()
    for event_id, event_name in expected.items():
        row = plan.get(event_name)
        category = row["event_category"] if row else "custom"
        page_view = str(row is not None and row["is_page_view"] == "true").lower()
        assert landed[event_id] == f"{event_name}|{category}|{page_view}", event_id

    counts = Counter(expected.values())
    report = {
        name: (category, in_plan, n_events)
        for name, category, in_plan, n_events in run.query(
            "select event_name, event_category, is_in_tracking_plan, n_events from reports.rpt_event_names"
        )
    }
    assert report == {
        name: (plan[name]["event_category"] if name in plan else "custom", name in plan, n)
        for name, n in counts.items()
    }
    # the warn-severity test names the custom events without failing the build
    assert "Warning in test expression_is_true_rpt_event_names_is_in_tracking_plan" in run.output
    assert run.query("select count(*) from intermediate.int_events_quarantined") == [(0,)]


def test_enforcing_the_tracking_plan_quarantines_custom_events(
    names_build: NamesBuild, tmp_path: Path
) -> None:
    """Staging and the quarantine rebuilt (run: the rest is not) with the plan enforced, on a
    copy of the warehouse."""
    for suffix in ("", ".wal"):
        stored = Path(f"{names_build.run.warehouse}{suffix}")
        if stored.exists():
            shutil.copy(stored, tmp_path / f"{stored.name}")
    run = run_dbt(
        ["run", "--select", "stg_tracking__events", "int_events_quarantined", "--full-refresh"],
        tmp_path,
        {"raw_events_location": names_build.landing, "quarantine_unknown_event_names": True},
    )
    assert run.returncode == 0, run.output[-6000:]
    custom = {normalize_event_name(name) for name in CUSTOM_NAMES}
    quarantined = dict(run.query("select event_id, invalid_reason from intermediate.int_events_quarantined"))
    assert quarantined == {
        event_id: "unknown_event_name" for event_id, name in names_build.expected.items() if name in custom
    }
