"""Cohort retention (macro cohort_retention, models/reports/retention) against two oracles.

1. Generated events: the generator's ground truth (true person, event date) gives every
   person's active days; the retention matrices are recomputed here in plain Python from the
   definition, walking the calendar (add N days, weeks or months), not by the SQL's period
   arithmetic, and must equal the models exactly.
2. A tiny event file written by hand, fed through the landing-folder path: its matrices
   for day and week intervals, first-time and recurring, were worked out by hand (see the
   comments) and must equal the models and the macro exactly.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.generator import GeneratorConfig, generate, write_parquet
from conftest import DbtRun, build_from_landing, run_dbt

pytestmark = pytest.mark.slow

# 75 days from 2026-10-01: three calendar months, eleven weeks, new persons throughout.
# Ends before this was written: rows received after the build started are quarantined.
CONFIG = GeneratorConfig(persons=800, days=75, seed=11, start_date=datetime.date(2026, 8, 15))
PERIODS = {"day": 30, "week": 8, "month": 3}
PERIOD_VARS = {
    "retention_day_periods": PERIODS["day"],
    "retention_week_periods": PERIODS["week"],
    "retention_month_periods": PERIODS["month"],
}
# report -> (interval, cohort type, mode)
REPORTS = {
    "rpt_retention_weekly_first_time_on": ("week", "first_time", "on"),
    "rpt_retention_weekly_first_time_on_or_after": ("week", "first_time", "on_or_after"),
    "rpt_retention_monthly_first_time_on": ("month", "first_time", "on"),
    "rpt_retention_monthly_first_time_on_or_after": ("month", "first_time", "on_or_after"),
    "rpt_retention_daily_recurring": ("day", "recurring", "on"),
}
# what these tests read: the retention reports and the person-days they are counted from
SELECTED = ("+path:models/reports/retention", "+fct_person_days")
COLUMNS = (
    "cohort_start, period_number, n_cohort_persons, n_retained_persons, retention_rate,"
    " is_period_complete"
)

# (cohort_start, period_number) -> (n_cohort_persons, n_retained_persons, retention_rate, is_period_complete)
Matrix = dict[tuple[datetime.date, int], tuple[int, int, float | None, bool]]


# --- the oracle -----------------------------------------------------------------------------


def period_start(day: datetime.date, interval: str) -> datetime.date:
    if interval == "day":
        return day
    if interval == "week":
        return day - datetime.timedelta(days=day.weekday())  # Monday
    return day.replace(day=1)


def add_periods(start: datetime.date, count: int, interval: str) -> datetime.date:
    if interval == "day":
        return start + datetime.timedelta(days=count)
    if interval == "week":
        return start + datetime.timedelta(weeks=count)
    month_index = start.month - 1 + count
    return start.replace(year=start.year + month_index // 12, month=month_index % 12 + 1)


def retention_matrix(
    active_days: dict[str, set[datetime.date]], interval: str, cohort_type: str, mode: str, n_periods: int
) -> Matrix:
    """The definition, person by person: cohorts from the periods a person is active in; a
    member is retained in period N when active in the N-th period after the cohort (on) or in
    it or any later one (on_or_after). A period is complete when the period after it starts
    on or before the last active date; an incomplete period N > 0 has no on-or-after rate."""
    last_date = max(day for days in active_days.values() for day in days)
    members: dict[datetime.date, list[set[datetime.date]]] = defaultdict(list)
    for days in active_days.values():
        periods = {period_start(day, interval) for day in days}
        for cohort_start in [min(periods)] if cohort_type == "first_time" else sorted(periods):
            members[cohort_start].append(periods)
    matrix: Matrix = {}
    for cohort_start, cohort in members.items():
        for number in range(n_periods + 1):
            target = add_periods(cohort_start, number, interval)
            if target > last_date:  # not started yet: no row
                break
            if mode == "on":
                retained = sum(target in periods for periods in cohort)
            else:
                retained = sum(max(periods) >= target for periods in cohort)
            complete = add_periods(cohort_start, number + 1, interval) <= last_date
            rate = None if mode == "on_or_after" and number > 0 and not complete else retained / len(cohort)
            matrix[(cohort_start, number)] = (len(cohort), retained, rate, complete)
    return matrix


def model_matrix(rows: list[tuple]) -> Matrix:
    return {(row[0], row[1]): (row[2], row[3], row[4], row[5]) for row in rows}


# --- 1. generated events against the truth --------------------------------------------------


@pytest.fixture(scope="module")
def generated_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, set[datetime.date]], DbtRun]:
    work_dir = tmp_path_factory.mktemp("retention_generated")
    generated = generate(CONFIG)
    write_parquet(generated.events, work_dir / "landing", rows_per_file=40_000)
    run = build_from_landing(
        work_dir, str(work_dir / "landing" / "*.parquet"), select=SELECTED, **PERIOD_VARS
    )
    # Clean rows only (no duplicate copy, no invalid row): the true person and the UTC date of
    # the event's occurred_at. The truth is row for row with the raw events (same order).
    active_days: dict[str, set[datetime.date]] = defaultdict(set)
    for event, truth in zip(generated.events.to_pylist(), generated.truth.to_pylist(), strict=True):
        assert event["event_id"] == truth["event_id"]
        if truth["row_kind"] == "clean":
            occurred_at = datetime.datetime.fromisoformat(event["occurred_at"])
            active_days[truth["true_person_id"]].add(occurred_at.date())
    return dict(active_days), run


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_retention_report_equals_the_truth(
    generated_build: tuple[dict[str, set[datetime.date]], DbtRun], report: str
) -> None:
    active_days, run = generated_build
    interval, cohort_type, mode = REPORTS[report]
    expected = retention_matrix(active_days, interval, cohort_type, mode, PERIODS[interval])
    actual = model_matrix(run.query(f"select {COLUMNS} from reports.{report}"))
    assert actual.keys() == expected.keys()
    differing = {key: (actual[key], expected[key]) for key in expected if actual[key] != expected[key]}
    assert not differing, f"{report}: {len(differing)} cells differ, e.g. {list(differing.items())[:3]}"


def test_the_generated_matrices_are_not_trivial(
    generated_build: tuple[dict[str, set[datetime.date]], DbtRun],
) -> None:
    """What the comparison above covers: several cohorts per interval, retention above zero
    after period 0, complete and incomplete periods, and on_or_after above on somewhere."""
    active_days, _ = generated_build
    for interval, cohort_type in (("day", "recurring"), ("week", "first_time"), ("month", "first_time")):
        matrix = retention_matrix(active_days, interval, cohort_type, "on", PERIODS[interval])
        assert len({cohort for cohort, _ in matrix}) >= 3, interval
        assert any(retained > 0 for (_, number), (_, retained, _, _) in matrix.items() if number > 0)
        assert {complete for (_, number), (*_, complete) in matrix.items() if number > 0} == {True, False}
    on = retention_matrix(active_days, "week", "first_time", "on", PERIODS["week"])
    on_or_after = retention_matrix(active_days, "week", "first_time", "on_or_after", PERIODS["week"])
    assert any(on_or_after[key][1] > on[key][1] for key in on)


# --- 2. the tiny event file, computed by hand -----------------------------------------------
#
# Five persons over three weeks (W0 = Mon 2026-10-05, W1 = Mon 10-12, W2 = Mon 10-19):
#   alice  two devices. Laptop a-alice-1: page view 10-05, then login as u-alice. Phone
#          a-alice-2: page view 10-12 (anonymous), page view and login as u-alice 10-14,
#          page view 10-21 (anonymous). Stitching puts every event on u-alice: days 10-05,
#          10-12, 10-14, 10-21 (weeks W0, W1, W2). Without it, a-alice-2 would be a person of
#          its own whose first week is W1.
#   bob    never logs in: page views 10-06 and Sunday 10-11 23:50, and a click on Monday
#          10-12 00:10 in the same session: days 10-06, 10-11, 10-12 (weeks W0, W1).
#   carol  page view and sign_up as u-carol 10-08, page view 10-09, and a page view stamped
#          2026-10-18T23:30-02:00, which is 10-19 01:30 UTC: days 10-08, 10-09, 10-19
#          (weeks W0, W2).
#   dan    page views 10-13, 10-20, 10-22: weeks W1, W2.
#   erin   page views 10-20, 10-23 (the last activity date): week W2.
# A period is complete when the period after it starts on or before 10-23 (the last date).

TINY_EVENTS = [
    # event_id, anonymous_id, user_id, event_name, occurred_at
    ("t01", "a-alice-1", None, "page_view", "2026-10-05 09:00:00"),
    ("t02", "a-alice-1", "u-alice", "login", "2026-10-05 09:01:00"),
    ("t03", "a-alice-2", None, "page_view", "2026-10-12 20:00:00"),
    ("t04", "a-alice-2", None, "page_view", "2026-10-14 08:00:00"),
    ("t05", "a-alice-2", "u-alice", "login", "2026-10-14 08:00:30"),
    ("t06", "a-alice-2", None, "page_view", "2026-10-21 12:00:00"),
    ("t07", "a-bob", None, "page_view", "2026-10-06 10:00:00"),
    ("t08", "a-bob", None, "page_view", "2026-10-11 23:50:00"),
    ("t09", "a-bob", None, "click", "2026-10-12 00:10:00"),
    ("t10", "a-carol", None, "page_view", "2026-10-08 15:00:00"),
    ("t11", "a-carol", "u-carol", "sign_up", "2026-10-08 15:05:00"),
    ("t12", "a-carol", "u-carol", "page_view", "2026-10-09 10:00:00"),
    ("t13", "a-carol", None, "page_view", "2026-10-18T23:30:00-02:00"),
    ("t14", "a-dan", None, "page_view", "2026-10-13 11:00:00"),
    ("t15", "a-dan", None, "page_view", "2026-10-20 11:00:00"),
    ("t16", "a-dan", None, "page_view", "2026-10-22 11:00:00"),
    ("t17", "a-erin", None, "page_view", "2026-10-20 18:00:00"),
    ("t18", "a-erin", None, "page_view", "2026-10-23 18:00:00"),
]
TINY_RECEIVED_AT = {"t13": "2026-10-19 01:30:02"}  # the others arrive 2 s after occurred_at

TINY_PERSON_DAYS = {
    "u-alice": ["2026-10-05", "2026-10-12", "2026-10-14", "2026-10-21"],
    "a-bob": ["2026-10-06", "2026-10-11", "2026-10-12"],
    "u-carol": ["2026-10-08", "2026-10-09", "2026-10-19"],
    "a-dan": ["2026-10-13", "2026-10-20", "2026-10-22"],
    "a-erin": ["2026-10-20", "2026-10-23"],
}
TINY_PERIODS = {"day": 7, "week": 3}

# Hand matrices: cohort start -> (cohort size, retained persons in periods 0..N, complete?)
# The rate is retained / size, except in mode on_or_after for an incomplete period > 0 (null).

# Weekly first-time: W0 = {alice, bob, carol}, W1 = {dan}, W2 = {erin}.
# "On": W0 in W1 = {alice, bob}, in W2 = {alice, carol}; W1 (dan) in W2 = {dan}.
# Complete: W0 + 1 week = 10-12 and W0 + 2 = 10-19 are <= 10-23; 10-26 is not.
WEEKLY_FIRST_TIME_ON = {
    "2026-10-05": (3, [3, 2, 2, 0], "YYNN"),
    "2026-10-12": (1, [1, 1, 0, 0], "YNNN"),
    "2026-10-19": (1, [1, 0, 0, 0], "NNNN"),
}
# "On or after": last active week of W0's members: alice W2, bob W1, carol W2, so week 1 has
# all three (bob through W1, carol through W2) and week 2 has {alice, carol}.
WEEKLY_FIRST_TIME_ON_OR_AFTER = {
    "2026-10-05": (3, [3, 3, 2, 0], "YYNN"),
    "2026-10-12": (1, [1, 1, 0, 0], "YNNN"),
    "2026-10-19": (1, [1, 0, 0, 0], "NNNN"),
}
# Weekly recurring: W0 = {alice, bob, carol}; W1 = {alice, bob, dan}, in W2 = {alice, dan};
# W2 = {alice, carol, dan, erin}.
WEEKLY_RECURRING_ON = {
    "2026-10-05": (3, [3, 2, 2, 0], "YYNN"),
    "2026-10-12": (3, [3, 2, 0, 0], "YNNN"),
    "2026-10-19": (4, [4, 0, 0, 0], "NNNN"),
}
# Daily recurring, days 0..7: every active day is a cohort. Day k of cohort c is complete when
# c + k + 1 <= 10-23, i.e. k < 23 - c (all 8 days up to cohort 10-15).
#   10-05 alice: back 10-12 (day 7).          10-06 bob: back 10-11, 10-12 (days 5, 6).
#   10-08 carol: back 10-09 (day 1).          10-09 carol: 10-19 is day 10, past day 7.
#   10-11 bob: back 10-12 (day 1).            10-12 alice, bob: alice back 10-14 (day 2).
#   10-13 dan: back 10-20 (day 7).            10-14 alice: back 10-21 (day 7).
#   10-19 carol: never back.                  10-20 dan, erin: dan 10-22 (2), erin 10-23 (3).
#   10-21 alice, 10-22 dan, 10-23 erin: never back.
DAILY_RECURRING_ON = {
    "2026-10-05": (1, [1, 0, 0, 0, 0, 0, 0, 1], "YYYYYYYY"),
    "2026-10-06": (1, [1, 0, 0, 0, 0, 1, 1, 0], "YYYYYYYY"),
    "2026-10-08": (1, [1, 1, 0, 0, 0, 0, 0, 0], "YYYYYYYY"),
    "2026-10-09": (1, [1, 0, 0, 0, 0, 0, 0, 0], "YYYYYYYY"),
    "2026-10-11": (1, [1, 1, 0, 0, 0, 0, 0, 0], "YYYYYYYY"),
    "2026-10-12": (2, [2, 0, 1, 0, 0, 0, 0, 0], "YYYYYYYY"),
    "2026-10-13": (1, [1, 0, 0, 0, 0, 0, 0, 1], "YYYYYYYY"),
    "2026-10-14": (1, [1, 0, 0, 0, 0, 0, 0, 1], "YYYYYYYY"),
    "2026-10-19": (1, [1, 0, 0, 0, 0, 0, 0, 0], "YYYYNNNN"),
    "2026-10-20": (2, [2, 0, 1, 1, 0, 0, 0, 0], "YYYNNNNN"),
    "2026-10-21": (1, [1, 0, 0, 0, 0, 0, 0, 0], "YYNNNNNN"),
    "2026-10-22": (1, [1, 0, 0, 0, 0, 0, 0, 0], "YNNNNNNN"),
    "2026-10-23": (1, [1, 0, 0, 0, 0, 0, 0, 0], "NNNNNNNN"),
}
# Daily first-time: one cohort per person, their first day; rows as in the recurring table.
DAILY_FIRST_TIME_ON = {
    "2026-10-05": (1, [1, 0, 0, 0, 0, 0, 0, 1], "YYYYYYYY"),
    "2026-10-06": (1, [1, 0, 0, 0, 0, 1, 1, 0], "YYYYYYYY"),
    "2026-10-08": (1, [1, 1, 0, 0, 0, 0, 0, 0], "YYYYYYYY"),
    "2026-10-13": (1, [1, 0, 0, 0, 0, 0, 0, 1], "YYYYYYYY"),
    "2026-10-20": (1, [1, 0, 0, 1, 0, 0, 0, 0], "YYYNNNNN"),
}
# Filters, on the events (occurred_at timestamps): start = sign_up or login, return = login.
# Weekly first-time cohorts: W0 = {alice (login 10-05), carol (sign_up 10-08)}; period 0 is
# everyone by definition; logins in W1: alice (10-14); none later. Without the return filter
# week 2 would have alice and carol.
WEEKLY_FILTERED_ON = {
    "2026-10-05": (2, [2, 1, 0, 0], "YYNN"),
}


def hand_matrix(table: dict[str, tuple[int, list[int], str]], mode: str) -> Matrix:
    matrix: Matrix = {}
    for cohort_start, (size, retained, complete_flags) in table.items():
        assert len(retained) == len(complete_flags)
        for number, (count, flag) in enumerate(zip(retained, complete_flags, strict=True)):
            # period N starts when period N - 1 is complete; a period not started has no row
            if number > 0 and complete_flags[number - 1] != "Y":
                break
            complete = flag == "Y"
            rate = None if mode == "on_or_after" and number > 0 and not complete else count / size
            matrix[(datetime.date.fromisoformat(cohort_start), number)] = (size, count, rate, complete)
    return matrix


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, dict[str, object]]:
    work_dir = tmp_path_factory.mktemp("retention_tiny")
    columns: dict[str, list[str | None]] = defaultdict(list)
    for event_id, anonymous_id, user_id, event_name, occurred_at in TINY_EVENTS:
        received_at = TINY_RECEIVED_AT.get(
            event_id,
            str(datetime.datetime.fromisoformat(occurred_at) + datetime.timedelta(seconds=2)),
        )
        for name, value in (
            ("event_id", event_id), ("anonymous_id", anonymous_id), ("user_id", user_id),
            ("event_name", event_name), ("occurred_at", occurred_at), ("received_at", received_at),
            ("page_url", "https://shop.example.com/"),
        ):
            columns[name].append(value)
    landing = work_dir / "landing"
    landing.mkdir()
    pq.write_table(
        pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()}),
        landing / "part-0.parquet",
    )
    periods = {
        "retention_day_periods": TINY_PERIODS["day"],
        "retention_week_periods": TINY_PERIODS["week"],
    }
    run = build_from_landing(work_dir, str(landing / "*.parquet"), select=SELECTED, **periods)
    return run, {"raw_events_location": str(landing / "*.parquet"), **periods}


def show_cohort_retention(work_dir: Path, variables: dict[str, object], **arguments: object) -> Matrix:
    """Rows of the macro called on its own (dbt show --inline) on the built warehouse."""
    call = ", ".join(
        f"{name}={value}" if name == "relation" else f"{name}={json.dumps(value)}"
        for name, value in arguments.items()
    )
    run = run_dbt(
        ["show", "--inline", f"{{{{ cohort_retention({call}) }}}}", "--limit", "-1", "--output", "json",
         "--quiet"],
        work_dir,
        variables,
    )
    assert run.returncode == 0, run.output[-4000:]
    return {
        (datetime.date.fromisoformat(row["cohort_start"]), row["period_number"]): (
            row["n_cohort_persons"],
            row["n_retained_persons"],
            row["retention_rate"],
            row["is_period_complete"],
        )
        for row in json.loads(run.output)["show"]
    }


def test_tiny_file_person_days_are_stitched(tiny_build: tuple[DbtRun, dict[str, object]]) -> None:
    run, _ = tiny_build
    actual: dict[str, list[str]] = defaultdict(list)
    for person_id, activity_date in run.query(
        "select person_id, activity_date from marts.fct_person_days order by person_id, activity_date"
    ):
        actual[person_id].append(activity_date.isoformat())
    assert dict(actual) == TINY_PERSON_DAYS


@pytest.mark.parametrize(
    ("report", "table", "mode"),
    [
        ("rpt_retention_weekly_first_time_on", WEEKLY_FIRST_TIME_ON, "on"),
        ("rpt_retention_weekly_first_time_on_or_after", WEEKLY_FIRST_TIME_ON_OR_AFTER, "on_or_after"),
        ("rpt_retention_daily_recurring", DAILY_RECURRING_ON, "on"),
    ],
)
def test_tiny_file_reports_equal_the_hand_matrix(
    tiny_build: tuple[DbtRun, dict[str, object]],
    report: str,
    table: dict[str, tuple[int, list[int], str]],
    mode: str,
) -> None:
    run, _ = tiny_build
    assert model_matrix(run.query(f"select {COLUMNS} from reports.{report}")) == hand_matrix(table, mode)


@pytest.mark.parametrize(
    ("interval", "cohort_type", "table"),
    [("week", "recurring", WEEKLY_RECURRING_ON), ("day", "first_time", DAILY_FIRST_TIME_ON)],
)
def test_tiny_file_macro_equals_the_hand_matrix(
    tiny_build: tuple[DbtRun, dict[str, object]],
    interval: str,
    cohort_type: str,
    table: dict[str, tuple[int, list[int], str]],
) -> None:
    """The interval and cohort type combinations that have no report, from the macro itself."""
    run, variables = tiny_build
    actual = show_cohort_retention(
        run.warehouse.parent, variables,
        relation="ref('fct_person_days')", person_column="person_id", time_column="activity_date",
        interval=interval, cohort_type=cohort_type, mode="on", n_periods=TINY_PERIODS[interval],
    )
    assert actual == hand_matrix(table, "on")


def test_tiny_file_macro_filters_start_and_return_events(
    tiny_build: tuple[DbtRun, dict[str, object]],
) -> None:
    run, variables = tiny_build
    actual = show_cohort_retention(
        run.warehouse.parent, variables,
        relation="ref('int_events_sessionized')", person_column="person_id", time_column="occurred_at",
        interval="week", cohort_type="first_time", mode="on", n_periods=TINY_PERIODS["week"],
        start_event_filter="event_name in ('sign_up', 'login')", return_event_filter="event_name = 'login'",
    )
    assert actual == hand_matrix(WEEKLY_FILTERED_ON, "on")
