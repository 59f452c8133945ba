"""The hourly channel report (rpt_channel_traffic_hourly) against the generator's truth, and
the same report read back from a GA4 export file of its columns.

The oracle groups the generator's clean events by their true session: the session starts at
its first event, belongs to the true person and arrives through the true channel (the
generator's channel names are GA4 default channel groups under other names).
"""

from __future__ import annotations

import csv
import datetime
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import DbtRun, GeneratedBuild, run_dbt
from test_end_to_end import GA4_CHANNEL_OF

pytestmark = pytest.mark.slow

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


def test_a_ga4_export_of_the_same_columns_gives_the_same_report(
    built: tuple[list[dict], list[dict], DbtRun], tmp_path: Path
) -> None:
    _, _, run = built
    computed = run.query(REPORT)
    export = tmp_path / "ga4_traffic_acquisition.csv"
    _write_ga4_export(computed, export)
    _copy_warehouse(run, tmp_path / "from_export")
    from_export = run_dbt(
        ["build", "--select", "+rpt_channel_traffic_hourly"],
        tmp_path / "from_export",
        {"ga4_traffic_export_location": str(export)},
    )
    assert from_export.returncode == 0, from_export.output[-4000:]
    assert "stg_ga4__traffic_acquisition_hourly" in from_export.output
    assert from_export.query(REPORT) == computed


def test_a_malformed_export_row_fails_the_build_with_its_reason(
    built: tuple[list[dict], list[dict], DbtRun], tmp_path: Path
) -> None:
    _, _, run = built
    rows = run.query(REPORT)[:3]
    export = tmp_path / "ga4_traffic_acquisition.csv"
    _write_ga4_export([*rows, ("Grand total", "", 1, 2, 1, 3.0, 1.0, 2.0, 0.5, "n/a")], export)
    _copy_warehouse(run, tmp_path / "from_export")
    failed = run_dbt(
        ["build", "--select", "+rpt_channel_traffic_hourly"],
        tmp_path / "from_export",
        {"ga4_traffic_export_location": str(export)},
    )
    assert failed.returncode != 0
    assert "expression_is_true_stg_ga4__traffic_acquisition_hourly_invalid_reason_is_null" in (
        failed.output
    )
    with_reason = failed.query(
        "select invalid_reason from staging.stg_ga4__traffic_acquisition_hourly"
        " where invalid_reason is not null"
    )
    assert with_reason == [("invalid_date_hour",)]
