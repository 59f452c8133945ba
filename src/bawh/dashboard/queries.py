"""Every query of the dashboard, over a publication's catalog (read-only DuckDB views).

The dashboard never opens the warehouse: it reads `publication/current/catalog.duckdb`
(see bawh.publish). Each function takes an open connection and the page's filters and returns
a pandas DataFrame; missing tables raise MissingTable, which the pages turn into a message.
The filters apply where the data has the column: date range on every dated table, channel
on sessions and the hourly channel report, device on sessions and the click heatmap.

One definition per metric: a rate the marts or reports carry is read from their column; a rate
over filtered sessions is the sum of its numerator over the sum of its denominator, both the
measures of the semantic layer (models/semantic) over the same columns of marts.fct_sessions
(SESSION_METRICS). `mf query` cannot serve the dashboard itself: it needs the dbt project and
the warehouse (its SQL names the warehouse's catalog, which the publication is not).
tests/python/test_metric_definitions.py checks that SESSION_METRICS are the semantic layer's
and that every metric the dashboard shows equals `mf query` on the same data.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

# The hourly channel metrics correlated pairwise (as in analyses/channel_metrics_correlation.sql).
CORRELATION_METRICS = (
    "users",
    "sessions",
    "engaged_sessions",
    "average_engagement_time_per_session",
    "engaged_sessions_per_user",
    "events_per_session",
    "engagement_rate",
    "event_count",
)


# The session metrics of the semantic layer, as its YAML defines them: a simple metric is its
# measure of semantic model `sessions` (_semantic_models.yml: agg, expr over marts.fct_sessions),
# a ratio metric its numerator metric over its denominator metric (_metrics.yml), null when the
# denominator is 0 (as MetricFlow and macro safe_divide).
SESSION_MEASURES: dict[str, tuple[str, str]] = {  # measure -> (agg, expr)
    "sessions": ("count", "session_id"),
    "engaged_sessions": ("sum", "case when is_engaged then 1 else 0 end"),
    "converted_sessions": ("sum", "case when has_conversion then 1 else 0 end"),
    "session_revenue": ("sum", "revenue"),
}
# metric -> its measure, or (numerator metric, denominator metric)
SESSION_METRICS: dict[str, str | tuple[str, str]] = {
    "sessions": "sessions",
    "engaged_sessions": "engaged_sessions",
    "converted_sessions": "converted_sessions",
    "revenue": "session_revenue",
    "engagement_rate": ("engaged_sessions", "sessions"),
    "conversion_rate": ("converted_sessions", "sessions"),
}


def session_metric(name: str) -> str:
    """SQL over marts.fct_sessions for a metric of SESSION_METRICS, aggregated over the rows
    of the query's group."""
    definition = SESSION_METRICS[name]
    if isinstance(definition, tuple):
        numerator, denominator = definition
        return (
            f"cast({session_metric(numerator)} as double)"
            f" / nullif({session_metric(denominator)}, 0)"
        )
    agg, expr = SESSION_MEASURES[definition]
    return f"{agg}({expr})"


def _session_metrics(*names: str) -> str:
    """`<sql> as <name>` for each metric of SESSION_METRICS, comma-separated. Over no sessions
    a count or a sum is 0 and a rate null; numbers of sessions are bigint (DuckDB sums
    integers to a hugeint, which pandas reads as a float)."""
    columns: list[str] = []
    for name in names:
        definition, sql = SESSION_METRICS[name], session_metric(name)
        if isinstance(definition, tuple):
            columns.append(f"{sql} as {name}")
        elif definition == "session_revenue":
            columns.append(f"coalesce({sql}, 0) as {name}")
        else:
            columns.append(f"cast(coalesce({sql}, 0) as bigint) as {name}")
    return ",\n            ".join(columns)


# The GA4 export's hour key is text 'YYYYMMDDHH' (UTC): the hour's start as a timestamp.
HOUR_START = "strptime(date_hour, '%Y%m%d%H')"


class MissingTable(LookupError):
    """A table the page needs is not in the publication (not built, or not yet published)."""


@dataclass(frozen=True)
class Filters:
    """The sidebar's filters; None or an empty tuple means no filter."""

    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    channels: tuple[str, ...] = field(default_factory=tuple)
    devices: tuple[str, ...] = field(default_factory=tuple)


NO_FILTERS = Filters()


def publication_root() -> Path:
    """Where publications live: $BAWH_PUBLICATION, else ./publication."""
    return Path(os.environ.get("BAWH_PUBLICATION", "publication"))


def catalog_path(root: Path | None = None) -> Path:
    """The current publication's catalog (a symlinked folder, resolved at connect time)."""
    return (root or publication_root()) / "current" / "catalog.duckdb"


def connect(catalog: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current publication; FileNotFoundError if none yet."""
    path = catalog or catalog_path()
    if not path.is_file():
        raise FileNotFoundError(f"No publication at {path}: run `make run` (or `bawh publish`).")
    return duckdb.connect(str(path), read_only=True)


def table_exists(connection: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """Whether schema.table is in the publication."""
    schema, table = relation.split(".")
    row = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def _frame(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    parameters: list[Any],
    relations: tuple[str, ...],
) -> Any:
    for relation in relations:
        if not table_exists(connection, relation):
            raise MissingTable(relation)
    return connection.execute(sql, parameters).df()


def _conditions(
    filters: Filters,
    date_column: str | None = None,
    channel_column: str | None = None,
    device_column: str | None = None,
    period_days: int = 1,
) -> tuple[str, list[Any]]:
    """`where ...` (or '') and its parameters for the filters that apply to a table. A row
    dated by the start of a period of `period_days` days is kept when the period overlaps
    the date range (a week that starts before the range's first day still counts)."""
    clauses: list[str] = []
    parameters: list[Any] = []
    if date_column and filters.start_date:
        clauses.append(f"cast({date_column} as date) + {period_days - 1} >= ?")
        parameters.append(filters.start_date)
    if date_column and filters.end_date:
        clauses.append(f"cast({date_column} as date) <= ?")
        parameters.append(filters.end_date)
    for column, values in ((channel_column, filters.channels), (device_column, filters.devices)):
        if column and values:
            clauses.append(f"{column} in ({', '.join('?' for _ in values)})")
            parameters.extend(values)
    return ("where " + " and ".join(clauses) if clauses else ""), parameters


def filter_options(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Date bounds, channels and devices of the sessions, for the sidebar's widgets."""
    if not table_exists(connection, "marts.fct_sessions"):
        return {"min_date": None, "max_date": None, "channels": [], "devices": []}
    min_date, max_date = connection.execute(
        "select min(session_date), max(session_date) from marts.fct_sessions"
    ).fetchone() or (None, None)
    channels = connection.execute(
        "select distinct coalesce(channel_group, 'Unassigned') from marts.fct_sessions order by 1"
    ).fetchall()
    devices = connection.execute(
        "select distinct device_type from marts.fct_sessions"
        " where device_type is not null order by 1"
    ).fetchall()
    return {
        "min_date": min_date,
        "max_date": max_date,
        "channels": [str(row[0]) for row in channels],
        "devices": [str(row[0]) for row in devices],
    }


def publication_info(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The build id of the publication the connection reads."""
    if not table_exists(connection, "publication.tables"):
        return None
    row = connection.execute("select max(build_id) from publication.tables").fetchone()
    return None if row is None else str(row[0])


def _session_conditions(filters: Filters) -> tuple[str, list[Any]]:
    return _conditions(filters, "session_date", "coalesce(channel_group, 'Unassigned')", "device_type")


def overview_kpis(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """One row: persons, sessions, engagement rate, conversion rate (sessions with a
    conversion / sessions) and revenue of the filtered sessions."""
    where, parameters = _session_conditions(filters)
    return _frame(
        connection,
        f"""
        select
            count(distinct person_id) as persons,
            {_session_metrics("sessions", "engagement_rate", "conversion_rate", "revenue")}
        from marts.fct_sessions
        {where}
        """,
        parameters,
        ("marts.fct_sessions",),
    )


def daily_sessions(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """One row per session date: persons, sessions, engaged sessions, engagement and
    conversion rates, revenue (the overview's trend and the daily time series)."""
    where, parameters = _session_conditions(filters)
    return _frame(
        connection,
        f"""
        select
            session_date,
            count(distinct person_id) as persons,
            {_session_metrics(
                "sessions", "engaged_sessions", "engagement_rate", "conversion_rate", "revenue"
            )}
        from marts.fct_sessions
        {where}
        group by session_date
        order by session_date
        """,
        parameters,
        ("marts.fct_sessions",),
    )


def active_persons_daily(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """DAU, WAU, MAU per day (reports.rpt_active_persons_daily; date filter only)."""
    where, parameters = _conditions(filters, "activity_date")
    return _frame(
        connection,
        f"select activity_date, dau, wau, mau from reports.rpt_active_persons_daily {where}"
        " order by activity_date",
        parameters,
        ("reports.rpt_active_persons_daily",),
    )


def hourly_traffic(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """One row per hour: users and sessions summed over the selected channels
    (reports.rpt_channel_traffic_hourly; no device column there)."""
    where, parameters = _conditions(filters, HOUR_START, "session_primary_channel_group")
    return _frame(
        connection,
        f"""
        select
            {HOUR_START} as hour_start,
            sum(users) as users,
            sum(sessions) as sessions,
            sum(engaged_sessions) as engaged_sessions,
            sum(event_count) as event_count
        from reports.rpt_channel_traffic_hourly
        {where}
        group by hour_start
        order by hour_start
        """,
        parameters,
        ("reports.rpt_channel_traffic_hourly",),
    )


def channel_breakdown(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """One row per channel group: sessions, persons, engaged sessions, engagement rate,
    converted sessions, conversion rate and revenue of the filtered sessions, most sessions
    first."""
    where, parameters = _session_conditions(filters)
    return _frame(
        connection,
        f"""
        select
            coalesce(channel_group, 'Unassigned') as channel_group,
            {_session_metrics("sessions")},
            count(distinct person_id) as persons,
            {_session_metrics(
                "engaged_sessions", "engagement_rate", "converted_sessions", "conversion_rate",
                "revenue",
            )}
        from marts.fct_sessions
        {where}
        group by coalesce(channel_group, 'Unassigned')
        order by sessions desc, channel_group
        """,
        parameters,
        ("marts.fct_sessions",),
    )


def channel_metric_correlations(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """One row per pair of hourly channel metrics: Pearson's r over the hour x channel rows
    with at least one session (analyses/channel_metrics_correlation.sql, filtered)."""
    where, parameters = _conditions(filters, HOUR_START, "session_primary_channel_group")
    where = f"{where} and sessions > 0" if where else "where sessions > 0"
    pairs = [
        f"select {index_a} as metric_a_order, {index_b} as metric_b_order,"
        f" '{metric_a}' as metric_a, '{metric_b}' as metric_b,"
        f" corr(cast({metric_a} as double), cast({metric_b} as double)) as correlation,"
        " count(*) as n_hours from hourly"
        for index_a, metric_a in enumerate(CORRELATION_METRICS)
        for index_b, metric_b in enumerate(CORRELATION_METRICS)
    ]
    return _frame(
        connection,
        f"""
        with hourly as (select * from reports.rpt_channel_traffic_hourly {where})
        select metric_a, metric_b, correlation, n_hours
        from ({" union all ".join(pairs)}) as pairs
        order by metric_a_order, metric_b_order
        """,
        parameters,
        ("reports.rpt_channel_traffic_hourly",),
    )


def weekly_retention(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """Weekly cohorts by first-time start, retained in week N exactly, for cohort weeks that
    overlap the date range (reports.rpt_retention_weekly_first_time_on)."""
    where, parameters = _conditions(filters, "cohort_start", period_days=7)
    return _frame(
        connection,
        f"""
        select cohort_start, period_number, n_cohort_persons, n_retained_persons,
            retention_rate, is_period_complete
        from reports.rpt_retention_weekly_first_time_on
        {where}
        order by cohort_start, period_number
        """,
        parameters,
        ("reports.rpt_retention_weekly_first_time_on",),
    )


def funnel_steps(connection: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Any:
    """Every funnel's steps with persons entered, conversion and drop-off. Without a channel
    or device filter: reports.rpt_funnel_steps as it is. With one: the persons of the
    selected entry-session channels and devices summed from
    reports.rpt_funnel_steps_by_channel_device (a person counts in one channel x device per
    funnel, so the sums add up) and the rates recomputed from them; the median time between
    steps cannot be summed and is left out. The report has no date: the whole period."""
    if not (filters.channels or filters.devices):
        return _frame(
            connection,
            "select * from reports.rpt_funnel_steps order by funnel_name, step_number",
            [],
            ("reports.rpt_funnel_steps",),
        )
    where, parameters = _conditions(
        filters, channel_column="channel_group", device_column="device_type"
    )
    return _frame(
        connection,
        f"""
        with entered as (
            select funnel_name, step_number, step_name, step_order,
                sum(n_persons_entered) as n_persons_entered
            from reports.rpt_funnel_steps_by_channel_device
            {where}
            group by funnel_name, step_number, step_name, step_order
        ),
        with_previous as (
            select *,
                lag(n_persons_entered) over steps as n_persons_previous,
                first_value(n_persons_entered) over steps as n_persons_first
            from entered
            window steps as (partition by funnel_name order by step_number)
        )
        select funnel_name, step_number, step_name, step_order, n_persons_entered,
            case when step_number = 1 then 1.0
                else n_persons_entered / nullif(n_persons_previous, 0) end
                as conversion_rate_from_previous,
            n_persons_entered / nullif(n_persons_first, 0) as conversion_rate_from_first,
            coalesce(n_persons_previous - n_persons_entered, 0) as n_persons_dropped_off,
            case when step_number = 1 then 0.0
                else (n_persons_previous - n_persons_entered) / nullif(n_persons_previous, 0)
            end as drop_off_rate
        from with_previous
        order by funnel_name, step_number
        """,
        parameters,
        ("reports.rpt_funnel_steps_by_channel_device",),
    )


def feature_adoption(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """One row per feature and week overlapping the date range."""
    where, parameters = _conditions(filters, "period_start", period_days=7)
    return _frame(
        connection,
        f"""
        select period_start, feature_name, n_active_persons, n_adopters, adoption_rate,
            n_new_adopters, n_cumulative_adopters, median_days_to_adopt,
            feature_retention_rate
        from reports.rpt_feature_adoption_weekly
        {where}
        order by period_start, feature_name
        """,
        parameters,
        ("reports.rpt_feature_adoption_weekly",),
    )


def page_friction(connection: duckdb.DuckDBPyConnection, limit: int = 20) -> Any:
    """The `limit` pages with the highest friction score (reports.rpt_page_friction)."""
    return _frame(
        connection,
        # every column, whatever the report adds: rank and path first
        """
        select friction_rank, page_path, * exclude (friction_rank, page_path)
        from reports.rpt_page_friction
        order by friction_rank, page_path
        limit ?
        """,
        [limit],
        ("reports.rpt_page_friction",),
    )


def heatmap_pages(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Any:
    """Pages of the click heatmap with their clicks (device filter applies), most first."""
    where, parameters = _conditions(filters, device_column="device_type")
    return _frame(
        connection,
        f"""
        select page_path, sum(n_clicks) as n_clicks
        from reports.rpt_click_heatmap
        {where}
        group by page_path
        order by n_clicks desc, page_path
        """,
        parameters,
        ("reports.rpt_click_heatmap",),
    )


def click_heatmap(connection: duckdb.DuckDBPyConnection, page_path: str, filters: Filters) -> Any:
    """One row per grid cell of a page: clicks, error and rage clicks over the selected
    devices (reports.rpt_click_heatmap)."""
    where, parameters = _conditions(filters, device_column="device_type")
    where = f"{where} and page_path = ?" if where else "where page_path = ?"
    return _frame(
        connection,
        f"""
        select cell_column, cell_row, min(cell_x_start_px) as cell_x_start_px,
            min(cell_y_start_px) as cell_y_start_px, sum(n_clicks) as n_clicks,
            sum(n_error_clicks) as n_error_clicks, sum(n_rage_clicks) as n_rage_clicks
        from reports.rpt_click_heatmap
        {where}
        group by cell_column, cell_row
        order by cell_row, cell_column
        """,
        [*parameters, page_path],
        ("reports.rpt_click_heatmap",),
    )


def segment_summary(connection: duckdb.DuckDBPyConnection) -> Any:
    """Every behavioral segment (reports.rpt_segment_summary), in priority order."""
    return _frame(
        connection,
        """
        select segment_priority, primary_segment, segment_label, as_of_date, n_persons,
            persons_rate, avg_engagement_score, avg_sessions, revenue, revenue_per_person
        from reports.rpt_segment_summary
        order by segment_priority
        """,
        [],
        ("reports.rpt_segment_summary",),
    )


# The data-health reports (models/reports/health) the Data health page reads: the build's whole
# period, no filter applies. A publication from before them has none of them.
HEALTH_REPORTS = (
    "reports.rpt_data_anomalies",
    "reports.rpt_data_freshness",
    "reports.rpt_event_volume_hourly",
    "reports.rpt_event_delivery_hourly",
    "reports.rpt_landing_schema_changes",
    "reports.rpt_channel_forecast_daily",
    "reports.rpt_channel_forecast_backtest",
)

# The forecast's daily metrics over marts.fct_sessions, counted as int_channel_days_counted does.
FORECAST_METRICS = {"sessions": "count(*)", "active_persons": "count(distinct person_id)"}
# Days of history the Data health page draws before the forecast.
FORECAST_HISTORY_DAYS = 28


def data_health_summary(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row: anomalies of severity error and warn (reports.rpt_data_anomalies), and event
    names whose freshness is not ok (reports.rpt_data_freshness, without the 'all' row)."""
    return _frame(
        connection,
        """
        select
            (select count(*) from reports.rpt_data_anomalies where severity = 'error')
                as error_anomalies,
            (select count(*) from reports.rpt_data_anomalies where severity = 'warn')
                as warn_anomalies,
            (select count(*) from reports.rpt_data_freshness
                where freshness_status <> 'ok' and event_name <> 'all') as stale_event_names
        """,
        [],
        ("reports.rpt_data_anomalies", "reports.rpt_data_freshness"),
    )


def data_freshness(connection: duckdb.DuckDBPyConnection) -> Any:
    """Every row of reports.rpt_data_freshness: 'all' first, then error, warn, ok, by name."""
    return _frame(
        connection,
        """
        select event_name, freshness_status, hours_since_received, warn_after_hours,
            error_after_hours, newest_received_at, newest_occurred_at, as_of,
            median_lag_seconds, p95_lag_seconds
        from reports.rpt_data_freshness
        order by event_name <> 'all',
            case freshness_status when 'error' then 0 when 'warn' then 1 else 2 end,
            event_name
        """,
        [],
        ("reports.rpt_data_freshness",),
    )


def data_anomalies(connection: duckdb.DuckDBPyConnection) -> Any:
    """Every anomaly (reports.rpt_data_anomalies): errors first, then newest hour first."""
    return _frame(
        connection,
        """
        select hour_at, severity, anomaly_kind, metric, event_name, device_type, channel_group,
            column_name, observed, expected, lower_bound, upper_bound, z_score, anomaly_id
        from reports.rpt_data_anomalies
        order by severity = 'error' desc, hour_at desc, anomaly_id
        """,
        [],
        ("reports.rpt_data_anomalies",),
    )


def volume_event_names(connection: duckdb.DuckDBPyConnection) -> Any:
    """Event names of the hourly event volumes (reports.rpt_event_volume_hourly, all devices)
    with their events and anomalous hours: most anomalous hours first, then most events."""
    return _frame(
        connection,
        """
        select event_name, cast(sum(n_observed) as bigint) as n_events,
            count(anomaly_kind) as n_anomalies
        from reports.rpt_event_volume_hourly
        where metric = 'events' and device_type = 'all'
        group by event_name
        order by n_anomalies desc, n_events desc, event_name
        """,
        [],
        ("reports.rpt_event_volume_hourly",),
    )


def event_volume_hourly(connection: duckdb.DuckDBPyConnection, event_name: str) -> Any:
    """One row per hour: an event name's events over all devices, with the expected count,
    its band and the anomaly if any (reports.rpt_event_volume_hourly)."""
    return _frame(
        connection,
        """
        select hour_at, n_observed, expected, lower_bound, upper_bound, z_score, anomaly_kind,
            severity
        from reports.rpt_event_volume_hourly
        where metric = 'events' and device_type = 'all' and event_name = ?
        order by hour_at
        """,
        [event_name],
        ("reports.rpt_event_volume_hourly",),
    )


def delivery_hourly(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per hour events were received in: their count with its expected band and
    their delivery lag (reports.rpt_event_delivery_hourly)."""
    return _frame(
        connection,
        """
        select hour_at, n_received, median_lag_seconds, p95_lag_seconds, max_lag_seconds,
            expected, lower_bound, upper_bound, anomaly_kind, severity
        from reports.rpt_event_delivery_hourly
        order by hour_at
        """,
        [],
        ("reports.rpt_event_delivery_hourly",),
    )


def landing_schema_changes(connection: duckdb.DuckDBPyConnection) -> Any:
    """Every column added, dropped or retyped between landing files
    (reports.rpt_landing_schema_changes), newest file first."""
    return _frame(
        connection,
        """
        select landing_file_modified_at, landing_file, column_name, change_kind, previous_type,
            column_type
        from reports.rpt_landing_schema_changes
        order by landing_file_modified_at desc, landing_file, column_name
        """,
        [],
        ("reports.rpt_landing_schema_changes",),
    )


def forecast_channel_groups(connection: duckdb.DuckDBPyConnection) -> Any:
    """The channel groups of the forecast (reports.rpt_channel_forecast_daily): 'all' first,
    then by name."""
    return _frame(
        connection,
        """
        select distinct channel_group
        from reports.rpt_channel_forecast_daily
        order by channel_group <> 'all', channel_group
        """,
        [],
        ("reports.rpt_channel_forecast_daily",),
    )


def channel_forecast(
    connection: duckdb.DuckDBPyConnection, metric: str, channel_group: str
) -> Any:
    """One row per forecast day of a metric ('sessions' or 'active_persons') and channel group
    ('all': every channel): the forecast from origin_date and its band, null where the backtest
    had no forecast at that horizon (reports.rpt_channel_forecast_daily)."""
    return _frame(
        connection,
        """
        select forecast_date, origin_date, horizon_days, n_baseline_weeks, expected,
            lower_bound, upper_bound, n_backtest_forecasts
        from reports.rpt_channel_forecast_daily
        where metric = ? and channel_group = ?
        order by forecast_date
        """,
        [metric, channel_group],
        ("reports.rpt_channel_forecast_daily",),
    )


def channel_history(
    connection: duckdb.DuckDBPyConnection,
    metric: str,
    channel_group: str,
    origin_date: datetime.date,
    days: int = FORECAST_HISTORY_DAYS,
) -> Any:
    """One row per day of the `days` days up to and including origin_date (none before the
    first session): a metric of FORECAST_METRICS of a channel group ('all': every channel) in
    marts.fct_sessions, 0 on a day without sessions, as the forecast counted them."""
    where, parameters = (
        ("", []) if channel_group == "all"
        else ("where coalesce(channel_group, 'Unassigned') = ?", [channel_group])
    )
    return _frame(
        connection,
        f"""
        with counted as (
            select session_date, {FORECAST_METRICS[metric]} as observed
            from marts.fct_sessions
            {where}
            group by session_date
        ),
        days as (
            select cast(generate_series as date) as activity_date
            from generate_series(cast(? as date) - ?, cast(? as date), interval 1 day)
        )
        select days.activity_date, cast(coalesce(counted.observed, 0) as bigint) as observed
        from days
        left join counted on days.activity_date = counted.session_date
        where days.activity_date >= (select min(session_date) from marts.fct_sessions)
        order by days.activity_date
        """,
        [*parameters, origin_date, days - 1, origin_date],
        ("marts.fct_sessions",),
    )


def channel_forecast_backtest(
    connection: duckdb.DuckDBPyConnection, metric: str, channel_group: str
) -> Any:
    """One row per horizon: how far a metric's forecast for a channel group was from what
    happened (reports.rpt_channel_forecast_backtest)."""
    return _frame(
        connection,
        """
        select horizon_days, n_forecasts, mean_absolute_error, mean_absolute_percentage_error,
            p90_absolute_percentage_error
        from reports.rpt_channel_forecast_backtest
        where metric = ? and channel_group = ?
        order by horizon_days
        """,
        [metric, channel_group],
        ("reports.rpt_channel_forecast_backtest",),
    )


# The experiment readouts (models/marts/experiments, models/reports/experiments) the Experiments
# page reads: each experiment's own period and persons, no filter applies. A publication from
# before them has none of them.
EXPERIMENT_TABLES = (
    "marts.dim_experiment_variants",
    "reports.rpt_experiment_sample_ratios",
    "reports.rpt_experiment_results",
)


def experiments(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per declared experiment, by key: its declaration (marts.dim_experiment_variants:
    period [starts_at, ends_at), attribution window, primary and guardrail metrics, variants)
    and its sample ratio test (reports.rpt_experiment_sample_ratios: analysed persons, persons
    excluded for exposure to several variants or to an undeclared one, chi-square, p-value and
    whether it flags a mismatch)."""
    return _frame(
        connection,
        """
        with declared as (
            select experiment_key, min(starts_at) as starts_at, min(ends_at) as ends_at,
                min(attribution_window_days) as attribution_window_days,
                min(primary_metric) as primary_metric,
                min(guardrail_metrics) as guardrail_metrics, count(*) as n_variants
            from marts.dim_experiment_variants
            group by experiment_key
        ),
        tested as (
            select experiment_key, max(n_experiment_persons) as n_analysed_persons,
                max(n_persons_multiple_variants) as n_persons_multiple_variants,
                max(n_persons_undeclared_variant) as n_persons_undeclared_variant,
                max(chi_square) as chi_square, max(srm_p_value) as srm_p_value,
                bool_or(has_srm) as has_srm
            from reports.rpt_experiment_sample_ratios
            group by experiment_key
        )
        select declared.*,
            cast(coalesce(tested.n_analysed_persons, 0) as bigint) as n_analysed_persons,
            cast(coalesce(tested.n_persons_multiple_variants, 0) as bigint)
                as n_persons_multiple_variants,
            cast(coalesce(tested.n_persons_undeclared_variant, 0) as bigint)
                as n_persons_undeclared_variant,
            tested.chi_square, tested.srm_p_value, coalesce(tested.has_srm, false) as has_srm
        from declared
        left join tested on declared.experiment_key = tested.experiment_key
        order by declared.experiment_key
        """,
        [],
        ("marts.dim_experiment_variants", "reports.rpt_experiment_sample_ratios"),
    )


def experiment_split(connection: duckdb.DuckDBPyConnection, experiment_key: str) -> Any:
    """One row per variant of an experiment, control first: its planned share against its
    analysed persons and their observed share (reports.rpt_experiment_sample_ratios; every
    declared variant, 0 persons where none)."""
    return _frame(
        connection,
        """
        select variant, is_control, planned_share, observed_share, n_persons, expected_persons
        from reports.rpt_experiment_sample_ratios
        where experiment_key = ?
        order by is_control desc, variant
        """,
        [experiment_key],
        ("reports.rpt_experiment_sample_ratios",),
    )


def experiment_results(connection: duckdb.DuckDBPyConnection, experiment_key: str) -> Any:
    """The readout of an experiment (reports.rpt_experiment_results): one row per metric and
    variant other than the control, against the control; the primary metric first, then the
    guardrails in their declared order, then the secondary metrics by name. None when the
    experiment has no analysed persons."""
    return _frame(
        connection,
        """
        with guardrails as (
            select distinct experiment_key,
                string_split(coalesce(guardrail_metrics, ''), ',') as guardrail_metrics
            from marts.dim_experiment_variants
            where experiment_key = ?
        )
        select results.metric_name, results.metric_role, results.metric_kind,
            results.variant, results.n_persons, results.control_n_persons,
            results.control_metric_mean, results.metric_mean, results.absolute_lift,
            results.ci_lower, results.ci_upper, results.relative_lift,
            results.relative_ci_lower, results.relative_ci_upper, results.statistical_test,
            results.p_value, results.is_significant, results.cuped_absolute_lift,
            results.cuped_ci_lower, results.cuped_ci_upper, results.cuped_p_value,
            results.cuped_variance_reduction, results.standard_error, results.is_trustworthy
        from reports.rpt_experiment_results as results
        left join guardrails on results.experiment_key = guardrails.experiment_key
        where results.experiment_key = ? and not results.is_control
        order by
            case results.metric_role when 'primary' then 0 when 'guardrail' then 1 else 2 end,
            list_position(guardrails.guardrail_metrics, results.metric_name),
            results.metric_name, results.variant
        """,
        [experiment_key, experiment_key],
        ("reports.rpt_experiment_results", "marts.dim_experiment_variants"),
    )


# The predictive models, their scores and the audiences (models/*/predictions) the Predictions
# page reads: the whole build, no filter applies (the scores are per snapshot, the audiences'
# changes over the whole period). A publication from before them has none of them.
PREDICTION_TABLES = (
    "reports.rpt_model_evaluation",
    "reports.rpt_model_calibration",
    "reports.rpt_segment_profiles",
    "marts.fct_person_scores",
    "marts.dim_audiences",
    "marts.fct_audience_memberships",
    "marts.fct_audience_changes",
)

# The quality metrics of a classifier in reports.rpt_model_evaluation, in the page's order.
CLASSIFIER_METRICS = (
    "auc",
    "baseline_auc",
    "brier_score",
    "base_rate_brier_score",
    "expected_calibration_error",
    "top_decile_lift",
    "positive_share",
)

# The classifiers' scores in marts.fct_person_scores: model name -> its probability column.
SCORE_COLUMNS = {"churn": "churn_probability", "upsell": "upsell_probability"}


def model_quality(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per classifier (a model with an auc in reports.rpt_model_evaluation), by name:
    its version, the snapshot and number of held-out rows it was evaluated on, and each metric
    of CLASSIFIER_METRICS as a column (AUC beside the recency baseline's, Brier score beside
    the base rate's, expected calibration error, top-decile lift, share of positives)."""
    metrics = ",\n            ".join(
        f"max(case when metric_name = '{name}' then metric_value end) as {name}"
        for name in CLASSIFIER_METRICS
    )
    return _frame(
        connection,
        f"""
        select model_name, min(model_version) as model_version,
            min(snapshot_date) as snapshot_date, cast(max(n_rows) as bigint) as n_rows,
            {metrics}
        from reports.rpt_model_evaluation
        group by model_name
        having count(case when metric_name = 'auc' then 1 end) > 0
        order by model_name
        """,
        [],
        ("reports.rpt_model_evaluation",),
    )


def segment_model(connection: duckdb.DuckDBPyConnection) -> Any:
    """The segments model's figures from its fit (reports.rpt_model_evaluation, model
    segments): version, the snapshot it was fit on, the silhouette that chose k, k and the
    training rows. No row when the publication has no segments model."""
    return _frame(
        connection,
        """
        select min(model_version) as model_version, min(snapshot_date) as snapshot_date,
            max(case when metric_name = 'silhouette' then metric_value end) as silhouette,
            cast(max(case when metric_name = 'cluster_count' then metric_value end) as bigint)
                as cluster_count,
            cast(max(case when metric_name = 'training_rows' then metric_value end) as bigint)
                as training_rows
        from reports.rpt_model_evaluation
        where model_name = 'segments'
        group by model_name
        """,
        [],
        ("reports.rpt_model_evaluation",),
    )


def model_calibration(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per classifier and decile of its predicted probability on the held-out rows
    (reports.rpt_model_calibration), by model then decile: rows, the mean prediction beside
    the observed share, their gap and the decile's lift."""
    return _frame(
        connection,
        """
        select model_name, model_version, probability_decile, cast(n_rows as bigint) as n_rows,
            min_probability, max_probability, mean_probability, observed_share,
            calibration_error, lift
        from reports.rpt_model_calibration
        order by model_name, probability_decile
        """,
        [],
        ("reports.rpt_model_calibration",),
    )


def segment_sizes(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per learned segment (reports.rpt_segment_profiles), by number: its persons at
    the latest snapshot and their share of the persons scored there."""
    return _frame(
        connection,
        """
        select segment_number, cast(min(n_persons) as bigint) as n_persons,
            min(person_share) as person_share
        from reports.rpt_segment_profiles
        group by segment_number
        order by segment_number
        """,
        [],
        ("reports.rpt_segment_profiles",),
    )


def segment_profiles(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per segment feature and segment (reports.rpt_segment_profiles), by feature
    then segment: the centroid in the feature's own units beside the members' average at the
    latest snapshot."""
    return _frame(
        connection,
        """
        select feature_name, segment_number, centroid_value, member_average
        from reports.rpt_segment_profiles
        order by feature_name, segment_number
        """,
        [],
        ("reports.rpt_segment_profiles",),
    )


def current_scores(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row: the scoring snapshot (model_sample scoring in marts.fct_person_scores, the
    latest: the current scores), the persons scored there, those with a churn and with an
    upsell probability, and the models' versions. Null snapshot and 0 persons when no row is
    scored."""
    return _frame(
        connection,
        """
        select max(snapshot_date) as snapshot_date, count(*) as n_persons,
            count(churn_probability) as n_churn_scored,
            count(upsell_probability) as n_upsell_scored,
            max(churn_model_version) as churn_model_version,
            max(upsell_model_version) as upsell_model_version
        from marts.fct_person_scores
        where model_sample = 'scoring'
        """,
        [],
        ("marts.fct_person_scores",),
    )


def score_distribution(
    connection: duckdb.DuckDBPyConnection, model_name: str = "churn", bins: int = 20
) -> Any:
    """The histogram of a classifier's probability (SCORE_COLUMNS) at the scoring snapshot of
    marts.fct_person_scores: one row per bin of width 1 / bins, [bin_start, bin_end) (the last
    bin holds 1), every bin including the empty ones (0 persons)."""
    column = SCORE_COLUMNS[model_name]
    if bins < 1:
        raise ValueError(f"bins must be at least 1, not {bins}")
    return _frame(
        connection,
        f"""
        with scored as (
            select least(cast(floor({column} * ?) as bigint), ? - 1) as bin
            from marts.fct_person_scores
            where model_sample = 'scoring' and {column} is not null
        ),
        bins as (select range as bin from range(cast(? as bigint)))
        select bins.bin / cast(? as double) as bin_start,
            (bins.bin + 1) / cast(? as double) as bin_end,
            count(scored.bin) as n_persons
        from bins
        left join scored on bins.bin = scored.bin
        group by bins.bin
        order by bins.bin
        """,
        [bins, bins, bins, bins, bins],
        ("marts.fct_person_scores",),
    )


def audiences(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per declared audience (marts.dim_audiences), most current members first: its
    description and trigger, its current members (memberships of
    marts.fct_audience_memberships still open), its memberships and the distinct persons who
    ever entered it (0 where none)."""
    return _frame(
        connection,
        """
        with memberships as (
            select audience_name, count(case when is_current then 1 end) as n_current_members,
                count(*) as n_memberships, count(distinct person_id) as n_persons
            from marts.fct_audience_memberships
            group by audience_name
        )
        select audiences.audience_name, audiences.description, audiences.trigger_kind,
            audiences.trigger_condition, audiences.window_days, audiences.cooldown_days,
            cast(coalesce(memberships.n_current_members, 0) as bigint) as n_current_members,
            cast(coalesce(memberships.n_memberships, 0) as bigint) as n_memberships,
            cast(coalesce(memberships.n_persons, 0) as bigint) as n_persons
        from marts.dim_audiences as audiences
        left join memberships on audiences.audience_name = memberships.audience_name
        order by n_current_members desc, audiences.audience_name
        """,
        [],
        ("marts.dim_audiences", "marts.fct_audience_memberships"),
    )


def audience_changes_daily(connection: duckdb.DuckDBPyConnection) -> Any:
    """One row per UTC day and audience with a change (marts.fct_audience_changes), by day
    then audience: the persons who entered and who left the audience that day."""
    return _frame(
        connection,
        """
        select cast(changed_at as date) as change_date, audience_name,
            count(case when change_type = 'entered' then 1 end) as n_entered,
            count(case when change_type = 'exited' then 1 end) as n_exited
        from marts.fct_audience_changes
        group by cast(changed_at as date), audience_name
        order by change_date, audience_name
        """,
        [],
        ("marts.fct_audience_changes",),
    )
