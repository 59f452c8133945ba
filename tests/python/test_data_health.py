"""Data health on planted incidents: generated events with an event that stops, a tag that fires
twice, a column that goes null on one device, a landing stall and a new column in later files
(bawh.incidents) must each be found at their hours and dimension; clean data of other seeds
must raise no error-level anomaly and few warnings.

The data: 10,000 persons over five weeks (~660k events), so the checks have two baseline
weeks (plus the week each baseline hour's growth is measured over) before the incidents of
the last two weeks. The expected hours come from the incident definitions and the generated
rows, never from the reports under test.
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from bawh import monitor
from bawh.generator import GeneratorConfig, generate
from bawh.incidents import Incident, plant, write_landing
from conftest import (
    PROJECT_DIR,
    DbtRun,
    Webhook,
    build_from_landing,
    normalize_event_name,
    project_vars,
    run_dbt,
)

START = datetime.date(2026, 9, 7)  # a Monday
DAYS = 35
PERSONS = 10_000
PLANTED_SEED = 5
CLEAN_SEEDS = (1, 2)
HEALTH_MODELS = (
    "+rpt_data_anomalies",
    "+rpt_data_freshness",
    "+rpt_landing_schema_changes",
    "+rpt_channel_forecast_daily",
)
# Freshness is measured two and a half days after the generated period, while the late
# arrivals of some event names are still coming in.
AS_OF = datetime.datetime(2026, 10, 14, 12)
# A threshold per event name (var data_health_freshness_overrides), checked on the clean builds.
OVERRIDES = {"login": {"warn": 30, "error": 60}}
# Bound on false alarms: warn-level anomalies in five weeks of clean data (measured: 2 and 3
# with the default vars; each is a null rate of tracker_session_id or user_id on a device
# where a few devices without session ids or logins fill an hour).
MAX_CLEAN_WARNINGS = 10

pytestmark = pytest.mark.slow  # three builds of ~660k events


EVENT_STOPS = Incident(
    "event_stops",
    datetime.datetime(2026, 9, 30, 10),
    datetime.datetime(2026, 9, 30, 16),
    event_name="feature_used",
)
TAG_DOUBLED = Incident(
    "tag_doubled", datetime.datetime(2026, 10, 2), datetime.datetime(2026, 10, 3), event_name="page_view"
)
COLUMN_NULLED = Incident(
    "column_nulled",
    datetime.datetime(2026, 10, 5, 8),
    datetime.datetime(2026, 10, 6),
    device_type="mobile",
    column_name="page_url",
)
LANDING_STALL = Incident(
    "landing_stall", datetime.datetime(2026, 10, 7, 9), datetime.datetime(2026, 10, 7, 13)
)
COLUMN_ADDED = Incident(
    "column_added", datetime.datetime(2026, 10, 8), datetime.datetime(2026, 10, 12), column_name="app_version"
)
INCIDENTS = (EVENT_STOPS, TAG_DOUBLED, COLUMN_NULLED, LANDING_STALL, COLUMN_ADDED)


@dataclass(frozen=True)
class HealthBuild:
    """Landing files of generated events, their rows and the dbt build of the health reports."""

    events: pa.Table
    truth: pa.Table | None  # row for row with events when nothing was planted
    files: list[Path]
    run: DbtRun
    work_dir: Path
    variables: dict[str, object]

    def anomalies(self, where: str = "true") -> list[tuple]:
        return self.run.query(
            "select hour_at, metric, anomaly_kind, severity, event_name, device_type, column_name"
            f" from reports.rpt_data_anomalies where {where} order by hour_at, metric, event_name"
        )


def build_health(
    work_dir: Path, seed: int, incidents: tuple[Incident, ...], **variables: object
) -> HealthBuild:
    config = GeneratorConfig(persons=PERSONS, days=DAYS, seed=seed, start_date=START)
    generated = generate(config)
    events = plant(generated.events, incidents) if incidents else generated.events
    files = write_landing(events, work_dir / "landing", incidents, rows_per_file=50_000)
    variables = {"data_health_as_of": AS_OF.isoformat(sep=" "), **variables}
    run = build_from_landing(
        work_dir, str(work_dir / "landing" / "*.parquet"), select=HEALTH_MODELS, **variables
    )
    return HealthBuild(events, None if incidents else generated.truth, files, run, work_dir, variables)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> HealthBuild:
    return build_health(tmp_path_factory.mktemp("health-planted"), PLANTED_SEED, INCIDENTS)


@pytest.fixture(scope="module", params=CLEAN_SEEDS, ids=lambda seed: f"seed{seed}")
def clean(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> HealthBuild:
    work_dir = tmp_path_factory.mktemp(f"health-clean-{request.param}")
    return build_health(work_dir, request.param, (), data_health_freshness_overrides=OVERRIDES)


def hours_of(incident: Incident) -> list[datetime.datetime]:
    """Every hour the incident covers."""
    hours = int((incident.end - incident.start).total_seconds() // 3600)
    return [incident.start + datetime.timedelta(hours=h) for h in range(hours)]


def flagged_hours(build: HealthBuild, where: str) -> set[datetime.datetime]:
    return {row[0] for row in build.anomalies(where)}


def within(incident: Incident, hours: Iterable[datetime.datetime]) -> bool:
    return all(incident.start <= hour < incident.end for hour in hours)


def test_an_event_that_stops_is_missing_every_hour_it_is_gone(planted: HealthBuild) -> None:
    stopped = planted.anomalies("metric = 'events' and event_name = 'feature_used' and device_type = 'all'")
    assert [row[0] for row in stopped] == hours_of(EVENT_STOPS)
    assert {(row[2], row[3]) for row in stopped} == {("missing", "error")}
    # the devices' own series find it too, and only in its hours
    assert within(EVENT_STOPS, flagged_hours(planted, "metric = 'events' and event_name = 'feature_used'"))


def test_a_tag_that_fires_twice_spikes_within_its_day(planted: HealthBuild) -> None:
    spikes = flagged_hours(planted, "metric = 'events' and event_name = 'page_view' and device_type = 'all'")
    assert spikes, "the doubled page_view tag was not found"
    assert within(TAG_DOUBLED, spikes)
    assert within(TAG_DOUBLED, flagged_hours(planted, "metric = 'events' and event_name = 'page_view'"))
    kinds = planted.anomalies("metric = 'events' and event_name = 'page_view'")
    assert {row[2] for row in kinds} == {"spike"}


def test_a_column_that_goes_null_on_one_device_is_found_there(planted: HealthBuild) -> None:
    nulled = planted.anomalies("metric = 'null_rate' and column_name = 'page_url'")
    assert nulled
    assert {row[5] for row in nulled} == {"mobile"}
    assert {row[2] for row in nulled} == {"null_rate_rise"}
    assert within(COLUMN_NULLED, {row[0] for row in nulled})
    # every hour of the incident with enough mobile page views to check is flagged
    checked = checked_hours(planted.events, "page_view", "mobile", COLUMN_NULLED)
    page_views = {row[0] for row in nulled if row[4] == "page_view"}
    assert checked and page_views == checked


def checked_hours(
    events: pa.Table, event_name: str, device_type: str, incident: Incident
) -> set[datetime.datetime]:
    """The incident's hours in which `event_name` had enough devices on `device_type` for a
    null-rate check (var data_health_min_expected_count), counted from the rows."""
    minimum = project_vars()["data_health_min_expected_count"]
    devices: dict[datetime.datetime, set[str]] = defaultdict(set)
    rows = zip(
        events["event_name"].to_pylist(),
        events["device_type"].to_pylist(),
        events["occurred_at"].to_pylist(),
        events["anonymous_id"].to_pylist(),
        events["user_id"].to_pylist(),
        strict=True,
    )
    for name, device, occurred, anonymous_id, user_id in rows:
        device_id = anonymous_id or user_id
        if None in (name, device_id) or device != device_type or normalize_event_name(name) != event_name:
            continue
        hour = hour_of(occurred)
        if hour is not None and incident.start <= hour < incident.end:
            devices[hour].add(device_id)
    return {hour for hour, ids in devices.items() if len(ids) >= minimum}


def hour_of(text: str | None) -> datetime.datetime | None:
    """The hour of a generated timestamp; None for the malformed ones validation quarantines."""
    try:
        return datetime.datetime.fromisoformat(text or "").replace(minute=0, second=0, microsecond=0)
    except ValueError:
        return None


def test_a_landing_stall_is_missing_rows_then_a_burst(planted: HealthBuild) -> None:
    received = planted.anomalies("metric = 'rows_received'")
    assert [row[0] for row in received if row[2] == "missing"] == hours_of(LANDING_STALL)
    assert [row[0] for row in received if row[2] == "spike"] == [LANDING_STALL.end]
    assert len(received) == len(hours_of(LANDING_STALL)) + 1


def test_a_new_column_is_reported_at_the_first_file_with_it(planted: HealthBuild) -> None:
    with_column = [path for path in planted.files if "app_version" in pq.read_schema(path).names]
    assert with_column and with_column != planted.files
    changes = planted.run.query(
        "select column_name, change_kind, landing_file, previous_type, column_type"
        " from reports.rpt_landing_schema_changes"
    )
    # named as the build's var named it: relative to the build's folder (conftest.run_dbt)
    first = str(with_column[0].relative_to(planted.work_dir))
    assert changes == [("app_version", "added", first, None, "VARCHAR")]


def test_no_other_alarm_in_the_planted_weeks(planted: HealthBuild) -> None:
    """Outside the incidents' dimensions, the planted data is clean data: no error, few warnings."""
    others = planted.anomalies(
        "not (event_name = 'feature_used' and metric = 'events')"
        " and not (event_name = 'page_view' and metric = 'events')"
        " and not (column_name = 'page_url')"
        " and metric <> 'rows_received'"
    )
    assert [row for row in others if row[3] == "error"] == []
    assert len(others) <= MAX_CLEAN_WARNINGS, others


def test_clean_data_raises_no_error_and_few_warnings(clean: HealthBuild) -> None:
    anomalies = clean.anomalies()
    assert [row for row in anomalies if row[3] == "error"] == []
    assert len(anomalies) <= MAX_CLEAN_WARNINGS, anomalies
    assert clean.run.query("select count(*) from reports.rpt_landing_schema_changes") == [(0,)]


def test_freshness_is_the_newest_received_event_against_its_thresholds(clean: HealthBuild) -> None:
    newest = newest_received(clean.events, clean.truth)
    defaults = project_vars()["data_health_freshness_hours"]
    expected = {}
    for event_name, received in newest.items():
        hours = (AS_OF - received).total_seconds() / 3600
        limits = OVERRIDES.get(event_name, defaults)
        status = "error" if hours > limits["error"] else "warn" if hours > limits["warn"] else "ok"
        expected[event_name] = (received, round(hours, 6), status)
    rows = clean.run.query(
        "select event_name, newest_received_at, hours_since_received, freshness_status"
        " from reports.rpt_data_freshness"
    )
    actual = {name: (received, round(hours, 6), status) for name, received, hours, status in rows}
    assert actual == expected
    assert {status for _, _, status in expected.values()} > {"ok"}


def newest_received(events: pa.Table, truth: pa.Table | None) -> dict[str, datetime.datetime]:
    """The newest received_at per event name and for all ('all') of the clean rows (the
    generator's truth): a re-delivered copy is received after the kept one, and an invalid
    row is quarantined, so neither counts."""
    assert truth is not None
    clean = pc.equal(truth["row_kind"], "clean")
    newest: dict[str, datetime.datetime] = {}
    for name, received in zip(
        events.filter(clean)["event_name"].to_pylist(),
        events.filter(clean)["received_at"].to_pylist(),
        strict=True,
    ):
        moment = datetime.datetime.fromisoformat(received)
        for key in (normalize_event_name(name), "all"):
            newest[key] = max(newest.get(key, moment), moment)
    return newest


def test_the_health_tests_warn_by_default_and_fail_when_asked(planted: HealthBuild) -> None:
    for test in ("assert_no_error_level_data_anomaly", "assert_landing_schema_unchanged"):
        assert any("WARN" in line and test in line for line in planted.run.output.splitlines()), test
    strict = run_dbt(
        ["test", "--select", "assert_no_error_level_data_anomaly", "assert_landing_schema_unchanged"],
        planted.work_dir,
        {**planted.variables, "data_health_test_severity": "error"},
    )
    assert strict.returncode != 0
    assert strict.output.count("FAIL") >= 2, strict.output[-3000:]


def test_monitor_reads_every_incident_of_the_build(planted: HealthBuild, tmp_path: Path) -> None:
    report = monitor.collect(planted.run.warehouse, tmp_path / "state.json")
    (n_anomalies,) = planted.run.query("select count(*) from reports.rpt_data_anomalies")[0]
    (n_stale,) = planted.run.query(
        "select count(*) from reports.rpt_data_freshness where freshness_status <> 'ok'"
    )[0]
    assert len(report.new) == n_anomalies + n_stale
    assert report.has_error
    assert any("rows_received at 2026-10-07 09:00: 0 against" in incident.text for incident in report.new)


def test_the_forecast_is_the_scaled_median_of_the_same_weekday(clean: HealthBuild) -> None:
    """int_channel_forecasts, every origin and horizon, against the rule computed here from the
    daily sessions and active persons of fct_sessions."""
    variables = project_vars()
    horizon_days, weeks = variables["data_health_forecast_days"], variables["data_health_baseline_weeks"]
    series = daily_series(clean.run)
    expected = {}
    for (metric, channel), values in series.items():
        totals = [sum(values[max(0, day - 6) : day + 1]) for day in range(len(values))]
        for origin in range(6, len(values)):
            for horizon in range(1, horizon_days + 1):
                first_week = (horizon + 6) // 7
                pasts = [origin + horizon - 7 * (first_week + week) for week in range(weeks)]
                scaled = [values[p] * totals[origin] / totals[p] for p in pasts if p >= 6 and totals[p] > 0]
                if len(scaled) >= variables["data_health_min_baseline_weeks"]:
                    expected[(metric, channel, origin, horizon)] = round(statistics.median(scaled), 6)
    first_date = min(date for date, *_ in clean.run.query("select session_date from marts.fct_sessions"))
    rows = clean.run.query(
        "select metric, channel_group, origin_date, horizon_days, expected"
        " from intermediate.int_channel_forecasts"
    )
    actual = {
        (metric, channel, (origin - first_date).days, horizon): round(value, 6)
        for metric, channel, origin, horizon, value in rows
    }
    assert actual == expected
    assert len(actual) > 1000


def daily_series(run: DbtRun) -> dict[tuple[str, str], list[int]]:
    """Sessions and active persons per day (all but the last, which is still filling) per
    channel group and for all, zeros included, from the sessions."""
    sessions = run.query("select session_date, channel_group, person_id from marts.fct_sessions")
    dates = sorted({date for date, _, _ in sessions})[:-1]
    first = dates[0]
    n_days = (dates[-1] - first).days + 1
    counts: dict[tuple[str, str], list[int]] = {}
    persons: dict[tuple[str, int], set[str]] = defaultdict(set)
    for date, channel, person in sessions:
        day = (date - first).days
        if day >= n_days:
            continue
        for group in (channel, "all"):
            counts.setdefault(("sessions", group), [0] * n_days)[day] += 1
            persons[(group, day)].add(person)
    for (group, day), ids in persons.items():
        counts.setdefault(("active_persons", group), [0] * n_days)[day] = len(ids)
    return counts


def test_the_holt_winters_forecast_is_statsmodels_fit_on_each_origin(planted: HealthBuild) -> None:
    """With data_health_forecast_method holt_winters the forecast reports read the Python model;
    its rows for one series are statsmodels' forecasts from the same history, computed here.
    Built once, on the planted data (no other test reads its forecast reports)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    variables = {**planted.variables, "data_health_forecast_method": "holt_winters"}
    run = run_dbt(["build", "--select", "int_channel_forecasts_holt_winters+"], planted.work_dir, variables)
    assert run.returncode == 0, run.output[-6000:]
    values = [
        float(observed)
        for (observed,) in run.query(
            "select observed from intermediate.int_channel_days_counted"
            " where metric = 'sessions' and channel_group = 'all' order by day_number"
        )
    ]
    last = len(values) - 1
    rows = run.query(
        "select origin_date, horizon_days, expected, observed"
        " from intermediate.int_channel_forecasts_holt_winters"
        " where metric = 'sessions' and channel_group = 'all' order by origin_date, horizon_days"
    )
    origins = sorted({origin for origin, *_ in rows})
    assert len(origins) == last - 27 + 1  # every origin with four weeks of history
    fitted = ExponentialSmoothing(
        values, trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
    ).fit()
    expected = [max(float(value), 0.0) for value in fitted.forecast(14)]
    assert [round(value, 6) for _, _, value, _ in rows[-14:]] == [round(value, 6) for value in expected]
    backtest = run.query(
        "select count(*), sum(n_forecasts) from reports.rpt_channel_forecast_backtest"
        " where metric = 'sessions' and channel_group = 'all'"
    )
    scored = [horizon for _, horizon, _, observed in rows if observed is not None]
    assert backtest == [(len(set(scored)), len(scored))]


def readme_monitor_command() -> str:
    """The `bawh monitor` command of the README's scheduler example."""
    (line,) = [
        line for line in (PROJECT_DIR / "README.md").read_text().splitlines() if "bawh monitor --" in line
    ]
    return line[line.index(".venv/bin/bawh monitor") :]


def test_the_readme_monitor_command_alerts_once(planted: HealthBuild, webhook: Webhook) -> None:
    command = readme_monitor_command().replace("behavioral_warehouse.duckdb", str(planted.run.warehouse))
    environment = {**os.environ, "SLACK_WEBHOOK_URL": webhook.url}

    def monitor_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, shell=True, cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, check=False
        )

    (n_anomalies,) = planted.run.query("select count(*) from reports.rpt_data_anomalies")[0]
    (n_stale,) = planted.run.query(
        "select count(*) from reports.rpt_data_freshness where freshness_status <> 'ok'"
    )[0]
    first = monitor_run()
    assert first.returncode == 1, first.stderr  # error-level incidents are present
    assert len(webhook.bodies) == 1
    assert f": {n_anomalies + n_stale} new incidents (" in webhook.lines()[0][0]
    second = monitor_run()
    assert second.returncode == 1, second.stderr
    assert len(webhook.bodies) == 1, "the second run sent again"
    assert f"0 new incidents; {n_anomalies + n_stale} already sent" in second.stdout
