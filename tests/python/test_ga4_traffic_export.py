"""GA4's traffic-acquisition CSV download read by header name (source ga4, macro
select_ga4_traffic_export) into the hourly channel report.

The fixtures in tests/data/ga4_traffic/ are downloads as GA4 writes them: comment lines,
GA4's header text, its totals row. One has GA4's column order (channel group first); one is
reordered, spells headers otherwise (older names, case, spacing) and has extra columns; one
lacks two required columns. The oracle reads the files with Python's csv module and its own
table of the headers written in them.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

from conftest import DBT_BUILD, PROJECT_DIR, readme_command, run_dbt

FIXTURES = PROJECT_DIR / "tests" / "data" / "ga4_traffic"
EXPORTS = sorted(FIXTURES.glob("traffic_acquisition_*.csv"))
MISSING_COLUMNS = FIXTURES / "missing_columns.csv"
BUILD = [*DBT_BUILD, "--select", "+rpt_channel_traffic_hourly"]
REPORT = "select * from reports.rpt_channel_traffic_hourly order by date_hour, session_primary_channel_group"
TOTALS = "Grand total"

# The report's columns in order, each with the headers the fixtures write for it.
HEADERS = {
    "date_hour": {"Date + hour (YYYYMMDDHH)", "date + HOUR"},
    "session_primary_channel_group": {
        "Session primary channel group (Default Channel Group)",
        "Session default channel group",
    },
    "users": {"Users"},
    "sessions": {"Sessions"},
    "engaged_sessions": {"Engaged sessions", "engaged  sessions"},
    "average_engagement_time_per_session": {"Average engagement time per session"},
    "engaged_sessions_per_user": {"Engaged sessions per user"},
    "events_per_session": {"Events per session"},
    "engagement_rate": {"Engagement rate"},
    "event_count": {"Event count"},
}
COUNTS = {"users", "sessions", "engaged_sessions", "event_count"}
DIMENSIONS = {"date_hour", "session_primary_channel_group"}


def _read_export(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a GA4 download: comment ('#') and blank lines skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header, *rows = csv.reader(line for line in lines if line.strip() and not line.startswith("#"))
    return header, rows


def _report_rows(path: Path) -> tuple[list[tuple[Any, ...]], dict[str, str] | None]:
    """The report rows of one export as the report types them, and its totals row as text."""
    header, rows = _read_export(path)
    position = {name: next(i for i, text in enumerate(header) if text in texts)
                for name, texts in HEADERS.items()}
    report, totals = [], None
    for row in rows:
        if TOTALS in row:
            totals = {name: row[i] for name, i in position.items()}
            continue
        report.append(tuple(
            int(row[i]) if name in COUNTS else row[i] if name in DIMENSIONS else float(row[i])
            for name, i in position.items()
        ))
    return report, totals


def test_exports_in_any_column_order_give_their_rows_in_the_report(tmp_path: Path) -> None:
    assert [path.name for path in EXPORTS] == [
        "traffic_acquisition_default_order.csv", "traffic_acquisition_reordered.csv",
    ]
    expected: list[tuple[Any, ...]] = []
    for path in EXPORTS:
        rows, totals = _report_rows(path)
        expected += rows
        if totals is not None:  # GA4's totals row sums the rows: it is not a row of its own
            for name in ("sessions", "engaged_sessions", "event_count"):
                column = list(HEADERS).index(name)
                assert int(totals[name]) == sum(row[column] for row in rows)
    assert _report_rows(EXPORTS[0])[1] is not None and len(expected) == 6

    # through the README's command, the files named as its glob says
    command = readme_command("a GA4 traffic-acquisition CSV")
    folder = command.input_folder(tmp_path)
    folder.mkdir(parents=True)
    for number, path in enumerate(EXPORTS):
        shutil.copy(path, folder / f"ga4_traffic_{number}.csv")
    run = command.run(tmp_path)

    assert run.returncode == 0, run.output[-4000:]
    assert run.query(REPORT) == sorted(expected)


def test_a_file_missing_required_columns_fails_naming_the_file_and_headers(
    tmp_path: Path,
) -> None:
    complete, _ = _read_export(EXPORTS[0])
    header, _ = _read_export(MISSING_COLUMNS)
    missing = [text for text in complete if text not in header]
    assert missing == ["Engaged sessions", "Event count"]

    run = run_dbt(BUILD, tmp_path, {"ga4_traffic_export_location": str(FIXTURES / "*.csv")})

    assert run.returncode != 0
    assert "Compilation Error in model stg_ga4__traffic_acquisition_hourly" in run.output
    named = f"{MISSING_COLUMNS}: no column for the GA4 header(s) " + ", ".join(
        f"'{text}'" for text in missing
    )
    assert named in run.output
    assert not any(f"{path}: " in run.output for path in EXPORTS)  # the complete files pass


def test_rows_that_cannot_be_used_fail_the_build_counted_by_reason(tmp_path: Path) -> None:
    header, rows = _read_export(EXPORTS[0])
    hour, channel = header.index("Date + hour (YYYYMMDDHH)"), header.index(
        "Session primary channel group (Default Channel Group)"
    )
    rate, events = header.index("Engagement rate"), header.index("Event count")
    bad = [list(row) for row in rows]
    data = [row for row in bad if row[channel] != TOTALS]
    data[0][hour] = "2026-09-01 10"  # not YYYYMMDDHH
    data[1][rate] = str(float(data[1][rate]) * 100)  # a percentage, not a fraction
    data[2][events] = "n/a"
    data[3][channel] = ""
    export = tmp_path / "malformed.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        handle.write("# Traffic acquisition: Session primary channel group\n")
        csv.writer(handle, lineterminator="\n").writerows([header, *bad])

    run = run_dbt(BUILD, tmp_path / "build", {"ga4_traffic_export_location": str(export)})

    assert run.returncode != 0
    # one row of each reason; the totals row is left out, not counted as an invalid hour
    assert (
        "Rows that cannot be used, by invalid_reason: engagement_rate_not_a_fraction: 1,"
        " invalid_date_hour: 1, invalid_metric: 1, missing_channel_group: 1"
    ) in run.output
    assert "SKIP relation reports.rpt_channel_traffic_hourly" in run.output
