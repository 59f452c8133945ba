"""One definition per metric: the dashboard's numbers equal the semantic layer's.

The dashboard (bawh.dashboard.queries) reads a publication of the marts; the semantic layer
(`mf query`, MetricFlow) reads the warehouse. A metric both show must be the same number.
Statically: the session metrics the dashboard aggregates (queries.SESSION_METRICS) are the
measures and ratios of models/semantic (same agg and expression over the same columns of
marts.fct_sessions, same numerator and denominator). On the shared build of generated events, then
published: every dashboard query that shows a metric of _metrics.yml is compared with
`mf query` for the same filters (date range, channels, devices as `--where`), and every such
metric name the dashboard shows must be one these tests compare. Counts are equal, rates and
revenue within 1e-9 and 1e-6.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest
import yaml

from bawh import publish
from bawh.dashboard import queries
from bawh.dashboard.queries import NO_FILTERS, Filters
from conftest import PROJECT_DIR, GeneratedBuild, SemanticLayer, assert_rates_equal, rate

SEMANTIC = PROJECT_DIR / "models" / "semantic"
DATE_RANGE = (datetime.date(2026, 10, 12), datetime.date(2026, 10, 25))
MONEY = 1e-6

# The metrics of _metrics.yml the dashboard shows (as a column or a correlated metric), each
# compared with `mf query` below. A new one must be added here and compared.
COMPARED_WITH_MF = {
    "sessions",  # overview, daily, channels, hourly report
    "engaged_sessions",  # daily, channels, hourly report
    "converted_sessions",  # channels
    "engagement_rate",  # overview, daily, channels, hourly report
    "conversion_rate",  # overview, daily, channels
    "revenue",  # overview, daily, channels, segments
    "events_per_session",  # hourly report (correlations)
}


def _yaml(name: str) -> Any:
    return yaml.safe_load((SEMANTIC / name).read_text())


def _metrics() -> dict[str, Any]:
    return {metric["name"]: metric for metric in _yaml("_metrics.yml")["metrics"]}


def test_the_dashboards_session_metrics_are_the_semantic_layers() -> None:
    (sessions,) = [
        model for model in _yaml("_semantic_models.yml")["semantic_models"]
        if model["name"] == "sessions"
    ]
    assert sessions["model"] == "ref('fct_sessions')"  # the dashboard's marts.fct_sessions
    measures = {measure["name"]: measure for measure in sessions["measures"]}
    for measure, (agg, expr) in queries.SESSION_MEASURES.items():
        assert (measures[measure]["agg"], measures[measure]["expr"]) == (agg, expr), measure
    metrics = _metrics()
    for name, definition in queries.SESSION_METRICS.items():
        params = metrics[name]["type_params"]
        if isinstance(definition, tuple):
            assert metrics[name]["type"] == "ratio", name
            assert (params["numerator"], params["denominator"]) == definition, name
        else:
            assert metrics[name]["type"] == "simple", name
            assert params["measure"] == definition, name
    # every session measure the dashboard aggregates is one of the semantic model's
    assert set(queries.SESSION_MEASURES) <= set(measures)


class Built:
    """The semantic layer over the warehouse, and the dashboard's connection to its publication."""

    def __init__(self, layer: SemanticLayer, connection: duckdb.DuckDBPyConnection) -> None:
        self.layer = layer
        self.connection = connection
        options = queries.filter_options(connection)
        self.channels: list[str] = options["channels"]
        self.devices: list[str] = options["devices"]

    def mf(self, metrics: list[str], group_by: list[str], *where: str) -> list[dict[str, str]]:
        extra = ("--where", " and ".join(where)) if where else ()
        return self.layer.query(metrics, group_by, *extra)


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, generated_build: Callable[..., GeneratedBuild]
) -> Iterator[Built]:
    """The shared generated build (nine weeks, so week-4 retention has complete cohorts),
    published."""
    build = generated_build()
    publication = tmp_path_factory.mktemp("metric_definitions") / "publication"
    publish.publish(build.run.warehouse, publication)
    with queries.connect(publish.current_catalog(publication)) as connection:
        yield Built(SemanticLayer(build.run, build.work_dir), connection)


def _in(dimension: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"{{{{ Dimension('{dimension}') }}}} in ({quoted})"


def _between(start: datetime.date, end: datetime.date) -> str:
    return f"{{{{ TimeDimension('metric_time', 'day') }}}} between '{start}' and '{end}'"


def _records(frame: Any) -> list[dict[str, Any]]:
    return list(frame.to_dict("records"))


def _missing(value: Any) -> bool:
    return value is None or value != value  # NaN


def assert_same(dashboard: dict[str, Any], layer: dict[str, str], names: list[str]) -> None:
    """The dashboard's row equals mf's on each metric (mf's CSV: text, '' for null)."""
    for name in names:
        value, expected = dashboard[name], layer[name]
        if name == "revenue":
            assert float(value) == pytest.approx(float(expected or 0), rel=0, abs=MONEY), name
        elif name.endswith("_rate") or name == "events_per_session":
            assert_rates_equal(
                {name: None if _missing(value) else float(value)}, {name: rate(expected)}
            )
        else:
            assert int(value) == int(expected or 0), name


SESSION_COLUMNS = ["sessions", "engagement_rate", "conversion_rate", "revenue"]


@pytest.mark.slow
def test_overview_kpis_equal_mf(built: Built) -> None:
    (whole,) = built.mf(SESSION_COLUMNS, [])
    assert_same(_records(queries.overview_kpis(built.connection, NO_FILTERS))[0], whole,
                SESSION_COLUMNS)
    # a date range, two channels and one device: sums of the subset, not means of rates
    channels, devices = tuple(built.channels[:2]), tuple(built.devices[:1])
    filters = Filters(*DATE_RANGE, channels, devices)
    (subset,) = built.mf(
        SESSION_COLUMNS, [], _between(*DATE_RANGE), _in("session__channel_group", channels),
        _in("session__device_type", devices),
    )
    assert int(subset["sessions"]) > 10
    assert_same(_records(queries.overview_kpis(built.connection, filters))[0], subset,
                SESSION_COLUMNS)


@pytest.mark.slow
def test_daily_sessions_equal_mf(built: Built) -> None:
    names = ["sessions", "engaged_sessions", "engagement_rate", "conversion_rate", "revenue"]
    channel = built.channels[0]
    daily = _records(queries.daily_sessions(built.connection, Filters(channels=(channel,))))
    rows = built.mf(names, ["metric_time__day"], _in("session__channel_group", (channel,)))
    by_day = {row["metric_time__day"][:10]: row for row in rows}
    assert {str(row["session_date"])[:10] for row in daily} == set(by_day)
    assert len(daily) > 30
    for row in daily:
        assert_same(row, by_day[str(row["session_date"])[:10]], names)


@pytest.mark.slow
def test_channel_breakdown_equals_mf(built: Built) -> None:
    names = [
        "sessions", "engaged_sessions", "engagement_rate", "converted_sessions",
        "conversion_rate", "revenue",
    ]
    breakdown = _records(queries.channel_breakdown(built.connection, Filters(*DATE_RANGE)))
    rows = built.mf(names, ["session__channel_group"], _between(*DATE_RANGE))
    by_channel = {row["session__channel_group"]: row for row in rows}
    assert {row["channel_group"] for row in breakdown} == set(by_channel)
    assert len(breakdown) >= 4
    for row in breakdown:
        assert_same(row, by_channel[row["channel_group"]], names)


@pytest.mark.slow
def test_the_hourly_channel_report_equals_mf_by_day(built: Built) -> None:
    """The hourly report (hourly traffic, and the correlation heatmap's rows) summed by day
    and channel gives mf's session metrics; each row's rates are its own sums' ratios (the
    semantic layer's ratios at the hour's grain)."""
    rows = built.mf(
        ["sessions", "engaged_sessions", "events", "engagement_rate", "events_per_session",
         "average_session_duration_seconds"],
        ["metric_time__day", "session__channel_group"],
    )
    layer = {(row["metric_time__day"][:10], row["session__channel_group"]): row for row in rows}
    report = built.connection.execute(
        f"""
        select cast({queries.HOUR_START} as date) as day, session_primary_channel_group,
            sessions, engaged_sessions, event_count, engagement_rate, events_per_session,
            average_engagement_time_per_session
        from reports.rpt_channel_traffic_hourly
        where sessions > 0
        """
    ).fetchall()
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
    for day, channel, n, engaged, events, engagement, per_session, duration in report:
        assert engagement == pytest.approx(engaged / n, abs=1e-9)
        assert per_session == pytest.approx(events / n, abs=1e-9)
        total = totals[(str(day), channel)]
        total[0] += n
        total[1] += engaged
        total[2] += events
        total[3] += duration * n
    assert totals.keys() == layer.keys()
    for key, (n, engaged, events, duration) in totals.items():
        row = layer[key]
        assert (n, engaged, events) == (
            int(row["sessions"]), int(row["engaged_sessions"]), int(row["events"])
        ), key
        assert_rates_equal(
            {"engagement_rate": engaged / n, "events_per_session": events / n},
            {name: rate(row[name]) for name in ("engagement_rate", "events_per_session")},
        )
        # the report's GA4 name for the semantic layer's average session duration
        assert duration / n == pytest.approx(
            float(row["average_session_duration_seconds"]), rel=0, abs=1e-6
        ), key
    # what the traffic page plots for one channel: the same sessions per day
    channel = built.channels[0]
    hourly = _records(queries.hourly_traffic(built.connection, Filters(channels=(channel,))))
    per_day: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in hourly:
        day = per_day[str(row["hour_start"])[:10]]
        day[0] += int(row["sessions"])
        day[1] += int(row["engaged_sessions"])
        day[2] += int(row["event_count"])
    assert {day: sums for day, sums in per_day.items() if sums[0]} == {
        day: [int(row["sessions"]), int(row["engaged_sessions"]), int(row["events"])]
        for (day, row_channel), row in layer.items()
        if row_channel == channel
    }


def _last_steps(frame: Any) -> dict[str, dict[str, Any]]:
    last: dict[str, dict[str, Any]] = {}
    for row in _records(frame):
        if row["funnel_name"] not in last or row["step_number"] > last[row["funnel_name"]]["step_number"]:
            last[row["funnel_name"]] = row
    return last


@pytest.mark.slow
def test_funnel_conversion_equals_mf_whole_and_by_entry_channel_and_device(built: Built) -> None:
    names = ["funnel_entries", "funnel_conversion_rate"]
    cases = [
        (NO_FILTERS, ()),
        (Filters(channels=(built.channels[0],)),
         (_in("session__channel_group", (built.channels[0],)),)),
        (Filters(devices=tuple(built.devices[:2])),
         (_in("session__device_type", tuple(built.devices[:2])),)),
    ]
    for filters, where in cases:
        steps = queries.funnel_steps(built.connection, filters)
        first = {row["funnel_name"]: row for row in _records(steps) if row["step_number"] == 1}
        last = _last_steps(steps)
        rows = {row["person_funnel__funnel_name"]: row
                for row in built.mf(names, ["person_funnel__funnel_name"], *where)}
        assert last.keys() == rows.keys(), filters
        for funnel, row in rows.items():
            assert int(first[funnel]["n_persons_entered"]) == int(row["funnel_entries"])
            assert_rates_equal(
                {funnel: float(last[funnel]["conversion_rate_from_first"])},
                {funnel: rate(row["funnel_conversion_rate"])},
            )


@pytest.mark.slow
def test_weekly_retention_equals_mf(built: Built) -> None:
    cohorts = _records(queries.weekly_retention(built.connection, NO_FILTERS))
    rows = built.mf(["retention_week_1", "retention_week_4"], ["metric_time__week"])
    for period, metric in ((1, "retention_week_1"), (4, "retention_week_4")):
        dashboard = {
            str(row["cohort_start"])[:10]: float(row["retention_rate"])
            for row in cohorts
            if row["period_number"] == period and row["is_period_complete"]
        }
        assert len(dashboard) >= 2, metric
        assert_rates_equal(
            dashboard,
            {row["metric_time__week"][:10]: rate(row[metric]) for row in rows if row[metric]},
        )


@pytest.mark.slow
def test_feature_adoption_equals_mf(built: Built) -> None:
    weekly = _records(queries.feature_adoption(built.connection, NO_FILTERS))
    rows = built.mf(
        ["feature_adoption_rate"], ["feature_period__feature_name", "metric_time__week"]
    )
    assert len(weekly) >= 10
    assert_rates_equal(
        {
            (row["feature_name"], str(row["period_start"])[:10]):
                None if _missing(row["adoption_rate"]) else float(row["adoption_rate"])
            for row in weekly
        },
        {
            (row["feature_period__feature_name"], row["metric_time__week"][:10]):
                rate(row["feature_adoption_rate"])
            for row in rows
        },
    )


@pytest.mark.slow
def test_active_persons_equal_mf(built: Built) -> None:
    active = _records(queries.active_persons_daily(built.connection, Filters(*DATE_RANGE)))
    # cumulative metrics: the time range bounds the days, not the persons in their windows
    rows = built.layer.query(
        ["daily_active_persons", "weekly_active_persons", "monthly_active_persons"],
        ["metric_time__day"],
        "--start-time", DATE_RANGE[0].isoformat(), "--end-time", DATE_RANGE[1].isoformat(),
    )
    assert {
        str(row["activity_date"])[:10]: (int(row["dau"]), int(row["wau"]), int(row["mau"]))
        for row in active
    } == {
        row["metric_time__day"][:10]: (
            int(row["daily_active_persons"]), int(row["weekly_active_persons"]),
            int(row["monthly_active_persons"]),
        )
        for row in rows
    }


@pytest.mark.slow
def test_segment_revenue_equals_mf(built: Built) -> None:
    summary = _records(queries.segment_summary(built.connection))
    rows = {row["person__segment"]: row for row in built.mf(["revenue"], ["person__segment"])}
    assert {row["primary_segment"] for row in summary if row["n_persons"]} == set(rows)
    for row in summary:
        if row["n_persons"]:
            assert_same(row, rows[row["primary_segment"]], ["revenue"])


@pytest.mark.slow
def test_every_metric_the_dashboard_shows_is_compared_with_mf(built: Built) -> None:
    connection, filters = built.connection, Filters(channels=(built.channels[0],))
    frames = [
        queries.overview_kpis(connection, NO_FILTERS),
        queries.daily_sessions(connection, NO_FILTERS),
        queries.active_persons_daily(connection, NO_FILTERS),
        queries.hourly_traffic(connection, NO_FILTERS),
        queries.channel_breakdown(connection, NO_FILTERS),
        queries.channel_metric_correlations(connection, NO_FILTERS),
        queries.weekly_retention(connection, NO_FILTERS),
        queries.funnel_steps(connection, NO_FILTERS),
        queries.funnel_steps(connection, filters),
        queries.feature_adoption(connection, NO_FILTERS),
        queries.page_friction(connection),
        queries.heatmap_pages(connection, NO_FILTERS),
        queries.segment_summary(connection),
    ]
    shown = {str(column) for frame in frames for column in frame.columns}
    shown |= set(queries.CORRELATION_METRICS)
    assert shown & set(_metrics()) == COMPARED_WITH_MF
