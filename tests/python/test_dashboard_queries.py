"""The dashboard's queries (bawh.dashboard.queries) on tiny hand-made tables, with the expected
numbers worked out by hand in the comments; the Experiments and Predictions pages' queries also
on a publication of the shared demo build, against numbers computed here from its marts and its
reports."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from bawh import publish
from bawh.dashboard import queries
from bawh.dashboard.queries import Filters
from conftest import DbtRun

D = datetime.date


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path / "catalog.duckdb"
    with duckdb.connect(str(path)) as setup:
        setup.execute("create schema marts")
        setup.execute("create schema reports")
        setup.execute("""
            create table marts.fct_sessions as select * from (values
                ('s1', 'p1', date '2026-10-01', 'Organic Search', 'desktop', true, false, 0.0),
                ('s2', 'p1', date '2026-10-02', 'Direct', 'mobile', false, false, 0.0),
                ('s3', 'p2', date '2026-10-02', 'Organic Search', 'mobile', true, true, 10.5),
                ('s4', 'p3', date '2026-10-05', null, 'desktop', true, true, 4.5)
            ) as t(session_id, person_id, session_date, channel_group, device_type,
                   is_engaged, has_conversion, revenue)
        """)
        # users, sessions over the 3 rows with sessions: (1, 2), (2, 4), (3, 7); the row with
        # 0 sessions and the row of 2026-10-09 must not count.
        setup.execute("""
            create table reports.rpt_channel_traffic_hourly as select * from (values
                ('2026100100', 'Direct', 1, 2, 1, 10.0, 1.0, 3.0, 0.5, 6),
                ('2026100100', 'Organic Search', 2, 4, 2, 12.0, 1.0, 2.5, 0.5, 10),
                ('2026100213', 'Direct', 3, 7, 3, 15.0, 1.0, 2.0, 0.4, 14),
                ('2026100214', 'Direct', 9, 0, 0, 0.0, 0.0, 0.0, 0.0, 0),
                ('2026100901', 'Direct', 50, 1, 1, 1.0, 0.1, 9.0, 1.0, 9)
            ) as t(date_hour, session_primary_channel_group, users, sessions, engaged_sessions,
                   average_engagement_time_per_session, engaged_sessions_per_user,
                   events_per_session, engagement_rate, event_count)
        """)
        setup.execute("""
            create table reports.rpt_retention_weekly_first_time_on as select * from (values
                (date '2026-09-28', 0, 10, 10, 1.0, true),
                (date '2026-09-28', 1, 10, 4, 0.4, true),
                (date '2026-10-05', 0, 5, 5, 1.0, true)
            ) as t(cohort_start, period_number, n_cohort_persons, n_retained_persons,
                   retention_rate, is_period_complete)
        """)
        setup.execute("""
            create table reports.rpt_click_heatmap as select * from (values
                ('/home', 'desktop', 0, 0, 0, 0, 3, 1, 0, 2),
                ('/home', 'mobile', 0, 0, 0, 0, 2, 0, 1, 1),
                ('/home', 'mobile', 1, 0, 100, 0, 4, 0, 0, 1),
                ('/cart', 'desktop', 0, 1, 0, 100, 1, 0, 0, 1)
            ) as t(page_path, device_type, cell_column, cell_row, cell_x_start_px,
                   cell_y_start_px, n_clicks, n_error_clicks, n_rage_clicks, n_persons)
        """)
        setup.execute("""
            create table reports.rpt_funnel_steps_by_channel_device as
            select channel_group, device_type, 'checkout' as funnel_name, step_number,
                'step ' || step_number as step_name, 'ordered' as step_order,
                n_persons_entered
            from (values
                ('Direct', 'desktop', 1, 10), ('Direct', 'desktop', 2, 6),
                ('Direct', 'desktop', 3, 3),
                ('Direct', 'mobile', 1, 4), ('Direct', 'mobile', 2, 2), ('Direct', 'mobile', 3, 0),
                ('Organic Search', 'desktop', 1, 6), ('Organic Search', 'desktop', 2, 2),
                ('Organic Search', 'desktop', 3, 1)
            ) as t(channel_group, device_type, step_number, n_persons_entered)
        """)
        # data health: 2 error and 2 warn anomalies; errors first, then the newest hour first:
        # a2 (10-02 09h), a4 (10-01 07h), a3 (10-03 08h), a1 (10-02 10h)
        setup.execute("""
            create table reports.rpt_data_anomalies as select * from (values
                ('a1', timestamp '2026-10-02 10:00', 'events', 'drop', 'warn', 'click', 'all',
                 'all', null, 5.0, 40.0, 20.0, 60.0, -4.5),
                ('a2', timestamp '2026-10-02 09:00', 'events', 'missing', 'error', 'click',
                 'mobile', 'all', null, 0.0, 30.0, 10.0, 50.0, -9.0),
                ('a3', timestamp '2026-10-03 08:00', 'null_rate', 'null_rate_rise', 'warn',
                 'page_view', 'desktop', 'all', 'page_url', 0.6, 0.1, 0.0, 0.3, 5.0),
                ('a4', timestamp '2026-10-01 07:00', 'sessions', 'spike', 'error', 'all', 'all',
                 'Email', null, 90.0, 30.0, 10.0, 50.0, 12.0)
            ) as t(anomaly_id, hour_at, metric, anomaly_kind, severity, event_name, device_type,
                   channel_group, column_name, observed, expected, lower_bound, upper_bound,
                   z_score)
        """)
        # stale: click (warn) and sign_up (error); 'all' is no event name
        setup.execute("""
            create table reports.rpt_data_freshness as
            select event_name, newest_received_at - interval 1 second as newest_occurred_at,
                newest_received_at, timestamp '2026-10-03 12:00' as as_of,
                date_diff('second', newest_received_at, timestamp '2026-10-03 12:00') / 3600.0
                    as hours_since_received,
                6.0 as warn_after_hours, 24.0 as error_after_hours,
                1.0 as median_lag_seconds, 2.0 as p95_lag_seconds, freshness_status
            from (values
                ('page_view', timestamp '2026-10-03 11:00', 'ok'),
                ('click', timestamp '2026-10-03 02:00', 'warn'),
                ('all', timestamp '2026-10-03 11:00', 'warn'),
                ('sign_up', timestamp '2026-10-01 12:00', 'error')
            ) as t(event_name, newest_received_at, freshness_status)
        """)
        # events over all devices: click 25 + 20 + 5 = 50 with 1 anomalous hour (10h), page_view
        # 100 + 50 = 150, sign_up 1; click on mobile and the sessions of Email are not in them
        setup.execute("""
            create table reports.rpt_event_volume_hourly as select * from (values
                (timestamp '2026-10-02 09:00', 'events', 'click', 'all', 'all', 20, 30.0, 10.0,
                 50.0, -1.0, null, null),
                (timestamp '2026-10-02 10:00', 'events', 'click', 'all', 'all', 5, 40.0, 20.0,
                 60.0, -4.5, 'drop', 'warn'),
                (timestamp '2026-10-02 08:00', 'events', 'click', 'all', 'all', 25, null, 0.0,
                 null, null, null, null),
                (timestamp '2026-10-02 09:00', 'events', 'click', 'mobile', 'all', 0, 30.0, 10.0,
                 50.0, -9.0, 'missing', 'error'),
                (timestamp '2026-10-02 09:00', 'events', 'page_view', 'all', 'all', 100, 90.0,
                 50.0, 130.0, 0.5, null, null),
                (timestamp '2026-10-02 10:00', 'events', 'page_view', 'all', 'all', 50, 60.0,
                 30.0, 90.0, -0.5, null, null),
                (timestamp '2026-10-02 09:00', 'events', 'sign_up', 'all', 'all', 1, null, 0.0,
                 null, null, null, null),
                (timestamp '2026-10-01 07:00', 'sessions', 'all', 'all', 'Email', 90, 30.0, 10.0,
                 50.0, 12.0, 'spike', 'error')
            ) as t(hour_at, metric, event_name, device_type, channel_group, n_observed, expected,
                   lower_bound, upper_bound, z_score, anomaly_kind, severity)
        """)
        setup.execute("""
            create table reports.rpt_event_delivery_hourly as select * from (values
                (timestamp '2026-10-02 10:00', 3, 2.0, 30.0, 40.0, 4.0, 0.0, 12.0, null, null),
                (timestamp '2026-10-02 08:00', 10, 1.0, 3.0, 5.0, 9.0, 1.0, 20.0, null, null),
                (timestamp '2026-10-02 09:00', 0, null, null, null, 8.0, 0.0, 18.0, 'missing',
                 'error')
            ) as t(hour_at, n_received, median_lag_seconds, p95_lag_seconds, max_lag_seconds,
                   expected, lower_bound, upper_bound, anomaly_kind, severity)
        """)
        setup.execute("""
            create table reports.rpt_landing_schema_changes as select * from (values
                ('campaign_id', 'added', 'landing/2.parquet', timestamp '2026-10-02 00:00',
                 null, 'VARCHAR'),
                ('page_url', 'dropped', 'landing/3.parquet', timestamp '2026-10-03 00:00',
                 'VARCHAR', null),
                ('amount', 'retyped', 'landing/3.parquet', timestamp '2026-10-03 00:00',
                 'BIGINT', 'DOUBLE')
            ) as t(column_name, change_kind, landing_file, landing_file_modified_at,
                   previous_type, column_type)
        """)
        # the forecast from 2026-10-04 (2026-10-05, the last day, still filling): its band is
        # expected -/+ the backtest's p90 at the horizon (sessions of all: h1 1.5 * (1 -/+ 0.5),
        # h2 1.0 * (1 -/+ 0.6), none at h3 without backtest; Direct's p90 is null)
        setup.execute("""
            create table reports.rpt_channel_forecast_daily as select * from (values
                (date '2026-10-07', 'sessions', 'all', date '2026-10-04', 3, 2, 2.0, null, null,
                 0),
                (date '2026-10-05', 'sessions', 'all', date '2026-10-04', 1, 2, 1.5, 0.75, 2.25,
                 4),
                (date '2026-10-06', 'sessions', 'all', date '2026-10-04', 2, 2, 1.0, 0.4, 1.6, 3),
                (date '2026-10-05', 'sessions', 'Organic Search', date '2026-10-04', 1, 2, 0.5,
                 0.25, 0.75, 4),
                (date '2026-10-05', 'active_persons', 'all', date '2026-10-04', 1, 2, 1.25, 1.0,
                 1.5, 4),
                (date '2026-10-05', 'active_persons', 'Direct', date '2026-10-04', 1, 2, 0.5,
                 null, null, 2)
            ) as t(forecast_date, metric, channel_group, origin_date, horizon_days,
                   n_baseline_weeks, expected, lower_bound, upper_bound, n_backtest_forecasts)
        """)
        setup.execute("""
            create table reports.rpt_channel_forecast_backtest as select * from (values
                ('sessions', 'all', 2, 3, 0.5, 0.4, 0.6),
                ('sessions', 'all', 1, 4, 0.25, 0.2, 0.5),
                ('sessions', 'Organic Search', 1, 4, 0.2, 0.3, 0.5),
                ('active_persons', 'all', 1, 4, 0.25, 0.2, 0.2),
                ('active_persons', 'Direct', 1, 2, 0.5, null, null)
            ) as t(metric, channel_group, horizon_days, n_forecasts, mean_absolute_error,
                   mean_absolute_percentage_error, p90_absolute_percentage_error)
        """)
    with duckdb.connect(str(path), read_only=True) as reader:
        yield reader


def _row(frame: object) -> dict[str, object]:
    return dict(frame.iloc[0])  # type: ignore[attr-defined]


def test_overview_kpis_without_and_with_filters(connection: duckdb.DuckDBPyConnection) -> None:
    # all: persons p1 p2 p3, 4 sessions, 3 engaged, 2 converting, revenue 15.0
    assert _row(queries.overview_kpis(connection, Filters())) == {
        "persons": 3, "sessions": 4, "engagement_rate": 0.75, "conversion_rate": 0.5,
        "revenue": 15.0,
    }
    # 2026-10-02..05: s2 s3 s4 -> persons 3, engaged s3 s4, converting s3 s4
    dated = _row(queries.overview_kpis(connection, Filters(D(2026, 10, 2), D(2026, 10, 5))))
    assert (dated["persons"], dated["sessions"], dated["revenue"]) == (3, 3, 15.0)
    assert math.isclose(float(dated["engagement_rate"]), 2 / 3)  # type: ignore[arg-type]
    # Organic Search on mobile: s3 only
    one = _row(queries.overview_kpis(connection, Filters(channels=("Organic Search",),
                                                         devices=("mobile",))))
    assert one == {"persons": 1, "sessions": 1, "engagement_rate": 1.0, "conversion_rate": 1.0,
                   "revenue": 10.5}
    # a session without channel is 'Unassigned' (s4)
    unassigned = _row(queries.overview_kpis(connection, Filters(channels=("Unassigned",))))
    assert (unassigned["sessions"], unassigned["revenue"]) == (1, 4.5)
    # nothing selected: zero sessions, rates undefined (not a division error)
    empty = _row(queries.overview_kpis(connection, Filters(D(2027, 1, 1), D(2027, 1, 2))))
    assert empty["sessions"] == 0 and math.isnan(float(empty["engagement_rate"]))  # type: ignore[arg-type]


def test_channel_breakdown_and_daily_sessions(connection: duckdb.DuckDBPyConnection) -> None:
    breakdown = queries.channel_breakdown(connection, Filters())
    assert list(breakdown["channel_group"]) == ["Organic Search", "Direct", "Unassigned"]
    assert list(breakdown["sessions"]) == [2, 1, 1]
    assert list(breakdown["engagement_rate"]) == [1.0, 0.0, 1.0]
    # converted: Organic Search s3 of s1 s3, Direct none, Unassigned s4: counts stay integers
    assert breakdown["converted_sessions"].tolist() == [1, 0, 1]
    assert str(breakdown["converted_sessions"].dtype) == "int64"
    assert list(breakdown["conversion_rate"]) == [0.5, 0.0, 1.0]
    assert list(breakdown["revenue"]) == [10.5, 0.0, 4.5]
    daily = queries.daily_sessions(connection, Filters(devices=("mobile",)))
    assert list(daily["session_date"].astype(str)) == ["2026-10-02"]
    assert list(daily["sessions"]) == [2] and list(daily["persons"]) == [2]
    # 2026-10-02 on mobile: s2 (not engaged) and s3 (engaged, converted): 1 of 2 each
    assert (daily["engaged_sessions"].tolist(), daily["engagement_rate"].tolist(),
            daily["conversion_rate"].tolist()) == ([1], [0.5], [0.5])


def test_hourly_traffic_sums_channels_and_parses_the_ga4_hour(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    hourly = queries.hourly_traffic(connection, Filters(D(2026, 10, 1), D(2026, 10, 2)))
    assert [str(value) for value in hourly["hour_start"]] == [
        "2026-10-01 00:00:00", "2026-10-02 13:00:00", "2026-10-02 14:00:00",
    ]
    assert list(hourly["sessions"]) == [6, 7, 0] and list(hourly["users"]) == [3, 3, 9]
    direct = queries.hourly_traffic(connection, Filters(channels=("Direct",)))
    assert list(direct["sessions"]) == [2, 7, 0, 1]


def test_correlations_are_pearson_over_rows_with_sessions(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    pairs = queries.channel_metric_correlations(connection, Filters(end_date=D(2026, 10, 8)))
    assert len(pairs) == len(queries.CORRELATION_METRICS) ** 2
    correlation = {(a, b): r for a, b, r in pairs[["metric_a", "metric_b", "correlation"]].values}
    assert set(pairs["n_hours"]) == {3}
    # users (1, 2, 3), sessions (2, 4, 7): deviations (-1, 0, 1) and (-7/3, -1/3, 8/3);
    # covariance sum 5, squares 2 and 38/3: r = 5 / sqrt(2 * 38 / 3) = 0.99339927...
    assert math.isclose(correlation[("users", "sessions")], 5 / math.sqrt(76 / 3))
    assert math.isclose(correlation[("sessions", "users")], 5 / math.sqrt(76 / 3))
    assert math.isclose(correlation[("event_count", "event_count")], 1.0)


def test_weekly_reports_keep_weeks_overlapping_the_range(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    # the week of 2026-09-28 overlaps a range starting 2026-10-01; it ends before 2026-10-05
    assert set(queries.weekly_retention(connection, Filters(D(2026, 10, 1)))["cohort_start"]
               .astype(str)) == {"2026-09-28", "2026-10-05"}
    assert set(queries.weekly_retention(connection, Filters(D(2026, 10, 5)))["cohort_start"]
               .astype(str)) == {"2026-10-05"}
    assert set(queries.weekly_retention(connection, Filters(None, D(2026, 10, 4)))["cohort_start"]
               .astype(str)) == {"2026-09-28"}


def test_click_heatmap_sums_the_selected_devices(connection: duckdb.DuckDBPyConnection) -> None:
    cells = queries.click_heatmap(connection, "/home", Filters())
    assert cells[["cell_column", "cell_row", "n_clicks", "n_error_clicks", "n_rage_clicks"]] \
        .values.tolist() == [[0, 0, 5, 1, 1], [1, 0, 4, 0, 0]]
    desktop = queries.click_heatmap(connection, "/home", Filters(devices=("desktop",)))
    assert desktop["n_clicks"].tolist() == [3]
    pages = queries.heatmap_pages(connection, Filters(devices=("mobile",)))
    assert pages.values.tolist() == [["/home", 6]]


def test_filter_options_and_missing_tables(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    assert queries.filter_options(connection) == {
        "min_date": D(2026, 10, 1), "max_date": D(2026, 10, 5),
        "channels": ["Direct", "Organic Search", "Unassigned"], "devices": ["desktop", "mobile"],
    }
    with pytest.raises(queries.MissingTable, match=r"reports\.rpt_funnel_steps"):
        queries.funnel_steps(connection)
    with pytest.raises(queries.MissingTable, match=r"reports\.rpt_segment_summary"):
        queries.segment_summary(connection)
    with pytest.raises(FileNotFoundError, match="make run"):
        queries.connect(queries.catalog_path(tmp_path / "nowhere"))


def test_funnel_filtered_by_channel_and_device_sums_persons_and_recomputes_rates(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    # Direct: desktop 10, 6, 3 + mobile 4, 2, 0 = 14, 8, 3; dropped 0, 14 - 8, 8 - 3
    direct = queries.funnel_steps(connection, Filters(channels=("Direct",)))
    assert direct["n_persons_entered"].tolist() == [14, 8, 3]
    assert direct["n_persons_dropped_off"].tolist() == [0, 6, 5]
    assert direct["conversion_rate_from_previous"].tolist() == pytest.approx([1.0, 8 / 14, 3 / 8])
    assert direct["conversion_rate_from_first"].tolist() == pytest.approx([1.0, 8 / 14, 3 / 14])
    assert direct["drop_off_rate"].tolist() == pytest.approx([0.0, 6 / 14, 5 / 8])
    # desktop: Direct 10, 6, 3 + Organic Search 6, 2, 1 = 16, 8, 4
    desktop = queries.funnel_steps(connection, Filters(devices=("desktop",)))
    assert desktop["n_persons_entered"].tolist() == [16, 8, 4]
    assert desktop["conversion_rate_from_previous"].tolist() == pytest.approx([1.0, 0.5, 0.5])
    # nobody: an empty frame, not an error
    assert len(queries.funnel_steps(connection, Filters(channels=("Email",)))) == 0


def test_data_health_counts_lists_and_orders_the_reports(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    assert _row(queries.data_health_summary(connection)) == {
        "error_anomalies": 2, "warn_anomalies": 2, "stale_event_names": 2,
    }
    anomalies = queries.data_anomalies(connection)
    assert anomalies["anomaly_id"].tolist() == ["a2", "a4", "a3", "a1"]
    assert anomalies["severity"].tolist() == ["error", "error", "warn", "warn"]
    freshness = queries.data_freshness(connection)
    assert freshness[["event_name", "freshness_status"]].values.tolist() == [
        ["all", "warn"], ["sign_up", "error"], ["click", "warn"], ["page_view", "ok"],
    ]
    # click: newest received 2026-10-03 02:00, 10 hours before as_of
    assert freshness["hours_since_received"].tolist()[2] == 10.0
    changes = queries.landing_schema_changes(connection)
    assert changes[["landing_file", "column_name", "change_kind"]].values.tolist() == [
        ["landing/3.parquet", "amount", "retyped"],
        ["landing/3.parquet", "page_url", "dropped"],
        ["landing/2.parquet", "campaign_id", "added"],
    ]


def test_hourly_event_volume_and_delivery(connection: duckdb.DuckDBPyConnection) -> None:
    # every device only, events only: most anomalous hours first, then most events
    names = queries.volume_event_names(connection)
    assert names.values.tolist() == [["click", 50, 1], ["page_view", 150, 0], ["sign_up", 1, 0]]
    assert str(names["n_events"].dtype) == "int64"
    click = queries.event_volume_hourly(connection, "click")
    assert [str(value) for value in click["hour_at"]] == [
        "2026-10-02 08:00:00", "2026-10-02 09:00:00", "2026-10-02 10:00:00",
    ]
    assert click["n_observed"].tolist() == [25, 20, 5]
    assert click["anomaly_kind"].fillna("").tolist() == ["", "", "drop"]
    assert click["expected"].isna().tolist() == [True, False, False]
    assert len(queries.event_volume_hourly(connection, "no_such_event")) == 0
    delivery = queries.delivery_hourly(connection)
    assert delivery["n_received"].tolist() == [10, 0, 3]
    assert delivery["p95_lag_seconds"].isna().tolist() == [False, True, False]
    assert delivery["median_lag_seconds"].tolist()[::2] == [1.0, 2.0]


def test_channel_forecast_and_its_backtest(connection: duckdb.DuckDBPyConnection) -> None:
    # 'all' first, then by name (by name alone it would sort after the capitals)
    groups = queries.forecast_channel_groups(connection)
    assert groups["channel_group"].tolist() == ["all", "Direct", "Organic Search"]
    forecast = queries.channel_forecast(connection, "sessions", "all")
    assert [str(value)[:10] for value in forecast["forecast_date"]] == [
        "2026-10-05", "2026-10-06", "2026-10-07",
    ]
    assert {str(value)[:10] for value in forecast["origin_date"]} == {"2026-10-04"}
    assert forecast["horizon_days"].tolist() == [1, 2, 3]
    assert forecast["expected"].tolist() == [1.5, 1.0, 2.0]
    assert forecast["lower_bound"].tolist()[:2] == [0.75, 0.4]
    assert forecast["upper_bound"].tolist()[:2] == [2.25, 1.6]
    assert forecast["upper_bound"].isna().tolist() == [False, False, True]
    assert forecast["n_backtest_forecasts"].tolist() == [4, 3, 0]
    persons = queries.channel_forecast(connection, "active_persons", "all")
    assert persons[["expected", "lower_bound", "upper_bound"]].values.tolist() == [[1.25, 1.0, 1.5]]
    assert len(queries.channel_forecast(connection, "active_persons", "Organic Search")) == 0
    # one row per horizon of the metric and channel group, by horizon
    backtest = queries.channel_forecast_backtest(connection, "sessions", "all")
    assert backtest.values.tolist() == [[1, 4, 0.25, 0.2, 0.5], [2, 3, 0.5, 0.4, 0.6]]
    assert queries.channel_forecast_backtest(connection, "sessions", "Organic Search") \
        .values.tolist() == [[1, 4, 0.2, 0.3, 0.5]]
    direct = queries.channel_forecast_backtest(connection, "active_persons", "Direct")
    assert direct["mean_absolute_percentage_error"].isna().tolist() == [True]


def test_channel_history_is_the_days_up_to_the_origin(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    # from the first session (2026-10-01; 28 days back would be 2026-09-07) to the origin
    # 2026-10-04: s1 on 10-01, s2 and s3 on 10-02, none on 10-03 and 10-04; s4 (10-05) is after
    history = queries.channel_history(connection, "sessions", "all", D(2026, 10, 4))
    assert [str(value)[:10] for value in history["activity_date"]] == [
        "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
    ]
    assert history["observed"].tolist() == [1, 2, 0, 0]
    assert str(history["observed"].dtype) == "int64"
    # p1 on 10-01, p1 and p2 on 10-02
    assert queries.channel_history(connection, "active_persons", "all", D(2026, 10, 4))[
        "observed"].tolist() == [1, 2, 0, 0]
    # Organic Search: s1 (10-01), s3 (10-02)
    assert queries.channel_history(connection, "sessions", "Organic Search", D(2026, 10, 4))[
        "observed"].tolist() == [1, 1, 0, 0]
    # 3 days: 10-02, 10-03, 10-04
    assert queries.channel_history(connection, "sessions", "all", D(2026, 10, 4), days=3)[
        "observed"].tolist() == [2, 0, 0]
    # a session without channel is 'Unassigned' (s4, 10-05)
    unassigned = queries.channel_history(connection, "sessions", "Unassigned", D(2026, 10, 5),
                                         days=2)
    assert [str(value)[:10] for value in unassigned["activity_date"]] == [
        "2026-10-04", "2026-10-05",
    ]
    assert unassigned["observed"].tolist() == [0, 1]
    # a person with two sessions in a day is one active person
    with duckdb.connect() as memory:
        memory.execute("create schema marts")
        memory.execute("""
            create table marts.fct_sessions as select * from (values
                ('s1', 'p1', date '2026-10-01', 'Direct'),
                ('s2', 'p1', date '2026-10-01', 'Direct'),
                ('s3', 'p2', date '2026-10-01', 'Email'),
                ('s4', 'p1', date '2026-10-02', 'Email')
            ) as t(session_id, person_id, session_date, channel_group)
        """)
        # 10-01: s1 s2 s3 of p1 p1 p2; 10-02: s4 of p1; Direct: p1 twice on 10-01
        for metric, channel_group, observed in (
            ("sessions", "all", [3, 1]),
            ("active_persons", "all", [2, 1]),
            ("sessions", "Direct", [2, 0]),
            ("active_persons", "Direct", [1, 0]),
        ):
            assert queries.channel_history(memory, metric, channel_group, D(2026, 10, 2))[
                "observed"].tolist() == observed, (metric, channel_group)


def test_health_queries_need_their_reports(tmp_path: Path) -> None:
    """A publication from before the data-health reports: each query names its missing table."""
    path = tmp_path / "older.duckdb"
    duckdb.connect(str(path)).close()
    with duckdb.connect(str(path), read_only=True) as older:
        assert not any(queries.table_exists(older, relation) for relation in queries.HEALTH_REPORTS)
        for query, relation in (
            (queries.data_health_summary, "rpt_data_anomalies"),
            (queries.data_freshness, "rpt_data_freshness"),
            (queries.data_anomalies, "rpt_data_anomalies"),
            (queries.volume_event_names, "rpt_event_volume_hourly"),
            (queries.delivery_hourly, "rpt_event_delivery_hourly"),
            (queries.landing_schema_changes, "rpt_landing_schema_changes"),
        ):
            with pytest.raises(queries.MissingTable, match=rf"reports\.{relation}"):
                query(older)
        with pytest.raises(queries.MissingTable, match=r"reports\.rpt_event_volume_hourly"):
            queries.event_volume_hourly(older, "click")
        with pytest.raises(queries.MissingTable, match=r"reports\.rpt_channel_forecast_daily"):
            queries.forecast_channel_groups(older)
        with pytest.raises(queries.MissingTable, match=r"reports\.rpt_channel_forecast_daily"):
            queries.channel_forecast(older, "sessions", "all")
        with pytest.raises(queries.MissingTable, match=r"reports\.rpt_channel_forecast_backtest"):
            queries.channel_forecast_backtest(older, "sessions", "all")
        with pytest.raises(queries.MissingTable, match=r"marts\.fct_sessions"):
            queries.channel_history(older, "sessions", "all", D(2026, 10, 4))


# --- Experiments, on a publication of the demo build -----------------------------------------


@pytest.fixture(scope="module")
def demo_catalog(
    tmp_path_factory: pytest.TempPathFactory, demo_build: DbtRun
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The current publication of the shared demo build (three experiments: checkout_button,
    homepage_copy_aa, recommendations_v2 with a broken split), read as the dashboard reads it."""
    root = tmp_path_factory.mktemp("experiments") / "publication"
    publish.publish(demo_build.warehouse, root)
    with queries.connect(queries.catalog_path(root)) as connection:
        yield connection


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, *parameters: object) -> list[tuple]:
    return connection.execute(sql, list(parameters)).fetchall()


def _same(actual: object, expected: object) -> bool:
    """Equal, both null (None or NaN), or floats equal to 1e-12."""
    def null(value: object) -> bool:
        return value is None or (isinstance(value, float) and math.isnan(value))

    if null(actual) or null(expected):
        return null(actual) and null(expected)
    if isinstance(expected, float):
        return math.isclose(float(actual), expected, rel_tol=1e-12, abs_tol=1e-15)  # type: ignore[arg-type]
    return bool(actual == expected)


def test_experiments_list_each_declaration_with_its_sample_ratio_test(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    listed = queries.experiments(demo_catalog)
    declared = _rows(demo_catalog, """
        select distinct experiment_key, starts_at, ends_at, attribution_window_days,
            primary_metric, guardrail_metrics, n_variants
        from marts.dim_experiment_variants order by experiment_key
    """)
    assert listed["experiment_key"].tolist() == [
        "checkout_button", "homepage_copy_aa", "recommendations_v2",
    ] == [row[0] for row in declared]
    for (key, starts_at, ends_at, window, primary, guardrails, n_variants), row in zip(
        declared, listed.itertuples(), strict=True
    ):
        assert (row.starts_at, row.ends_at) == (starts_at, ends_at), key
        assert (row.attribution_window_days, row.primary_metric, row.n_variants) == (
            window, primary, n_variants
        ), key
        assert (row.guardrail_metrics or "") == (guardrails or ""), key
        # persons from the exposures: analysed, and excluded by reason
        counts = dict(_rows(demo_catalog, """
            select coalesce(exclusion_reason, 'analysed'), count(*)
            from marts.fct_experiment_exposures where experiment_key = ? group by all
        """, key))
        assert (row.n_analysed_persons, row.n_persons_multiple_variants,
                row.n_persons_undeclared_variant) == (
            counts.get("analysed", 0), counts.get("multiple_variants", 0),
            counts.get("undeclared_variant", 0),
        ), key
        # chi-square of the analysed persons per variant against the planned split; with two
        # variants (1 degree of freedom) its p-value is erfc(sqrt(chi-square / 2))
        split = _rows(demo_catalog, """
            select variants.variant, variants.planned_share, count(exposures.person_id)
            from marts.dim_experiment_variants as variants
            left join marts.fct_experiment_exposures as exposures
                on variants.experiment_key = exposures.experiment_key
                and variants.variant = exposures.variant and exposures.is_analysed
            where variants.experiment_key = ? group by all
        """, key)
        total = sum(n for _, _, n in split)
        chi_square = sum((n - total * share) ** 2 / (total * share) for _, share, n in split)
        assert row.chi_square == pytest.approx(chi_square, rel=1e-9), key
        assert n_variants == 2
        p_value = math.erfc(math.sqrt(chi_square / 2))
        assert row.srm_p_value == pytest.approx(p_value, rel=1e-6, abs=1e-15), key
        assert row.has_srm == (p_value < 0.001), key  # var experiment_srm_p_value
        # and the report's own values
        assert _rows(demo_catalog, """
            select distinct srm_p_value, has_srm from reports.rpt_experiment_sample_ratios
            where experiment_key = ?
        """, key) == [(row.srm_p_value, row.has_srm)], key
    # the demo: only recommendations_v2's split is broken
    assert listed["has_srm"].tolist() == [False, False, True]


def test_experiment_split_is_each_variant_planned_against_observed(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    for key in ("checkout_button", "homepage_copy_aa", "recommendations_v2"):
        split = queries.experiment_split(demo_catalog, key)
        variants = _rows(demo_catalog, """
            select variants.variant, variants.is_control, variants.planned_share,
                count(exposures.person_id)
            from marts.dim_experiment_variants as variants
            left join marts.fct_experiment_exposures as exposures
                on variants.experiment_key = exposures.experiment_key
                and variants.variant = exposures.variant and exposures.is_analysed
            where variants.experiment_key = ?
            group by all
            order by variants.is_control desc, variants.variant
        """, key)
        total = sum(row[3] for row in variants)
        assert split[["variant", "is_control", "planned_share", "n_persons"]].values.tolist() == [
            list(row) for row in variants
        ], key
        assert split["is_control"].tolist()[0] is True, key  # the control first
        assert split["observed_share"].tolist() == pytest.approx(
            [row[3] / total for row in variants], rel=1e-12
        ), key
        assert split["expected_persons"].tolist() == pytest.approx(
            [total * row[2] for row in variants], rel=1e-12
        ), key
    assert len(queries.experiment_split(demo_catalog, "no_such_experiment")) == 0


def test_experiment_results_are_the_report_primary_first(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    for key in ("checkout_button", "homepage_copy_aa", "recommendations_v2"):
        results = queries.experiment_results(demo_catalog, key)
        ((primary, guardrails),) = _rows(demo_catalog, """
            select distinct primary_metric, guardrail_metrics from marts.dim_experiment_variants
            where experiment_key = ?
        """, key)
        guardrail_list = guardrails.split(",") if guardrails else []
        metrics = [row[0] for row in _rows(demo_catalog, """
            select distinct metric_name from marts.fct_experiment_person_metrics
            where experiment_key = ? order by 1
        """, key)]
        treated = [row[0] for row in _rows(demo_catalog, """
            select variant from marts.dim_experiment_variants
            where experiment_key = ? and not is_control order by variant
        """, key)]
        ordered = [primary, *guardrail_list, *sorted(set(metrics) - {primary, *guardrail_list})]
        assert results[["metric_name", "variant"]].values.tolist() == [
            [metric, variant] for metric in ordered for variant in treated
        ], key
        assert results["metric_role"].tolist() == [
            "primary" if metric == primary else "guardrail" if metric in guardrail_list
            else "secondary"
            for metric in ordered for _ in treated
        ], key
        # every column as the report holds it
        columns = list(results.columns)
        for row in results.to_dict("records"):
            ((*reported,),) = _rows(demo_catalog, f"""
                select {", ".join(columns)} from reports.rpt_experiment_results
                where experiment_key = ? and metric_name = ? and variant = ?
            """, key, row["metric_name"], row["variant"])
            for column, expected in zip(columns, reported, strict=True):
                assert _same(row[column], expected), (key, row["metric_name"], column)
        # the means and lifts from the persons' values in the marts: a mean of the values per
        # person, a ratio of their sums
        for row in results.to_dict("records"):
            means = dict((variant, (mean, n)) for variant, mean, n in _rows(demo_catalog, """
                select variant,
                    case when any_value(metric_kind) = 'ratio'
                        then sum(metric_value) / sum(metric_denominator)
                        else avg(metric_value) end,
                    count(*)
                from marts.fct_experiment_person_metrics
                where experiment_key = ? and metric_name = ?
                group by variant
            """, key, row["metric_name"]))
            ((control,),) = _rows(demo_catalog, """
                select variant from marts.dim_experiment_variants
                where experiment_key = ? and is_control
            """, key)
            label = (key, row["metric_name"])
            assert (row["n_persons"], row["control_n_persons"]) == (
                means[row["variant"]][1], means[control][1]
            ), label
            assert row["metric_mean"] == pytest.approx(means[row["variant"]][0], rel=1e-9), label
            assert row["control_metric_mean"] == pytest.approx(means[control][0], rel=1e-9), label
            assert row["absolute_lift"] == pytest.approx(
                means[row["variant"]][0] - means[control][0], rel=1e-9, abs=1e-12
            ), label
            assert row["ci_lower"] < row["absolute_lift"] < row["ci_upper"], label
            assert row["is_significant"] == (row["p_value"] < 0.05), label  # experiment_alpha
    assert len(queries.experiment_results(demo_catalog, "no_such_experiment")) == 0


def test_experiment_queries_on_hand_made_reports(tmp_path: Path) -> None:
    """An experiment declared but with nobody exposed yet: listed with 0 persons and no test,
    its variants with 0 persons, no readout. Another's readout: the guardrails in their
    declared order (not by name), without the control's row. A publication from before the
    experiment reports: MissingTable."""
    path = tmp_path / "catalog.duckdb"
    with duckdb.connect(str(path)) as setup:
        setup.execute("create schema marts")
        setup.execute("create schema reports")
        setup.execute("""
            create table marts.dim_experiment_variants as select * from (values
                ('later', 'control', true, 0.4, timestamp '2026-12-01', timestamp '2026-12-15', 7,
                 'conversion', 'bounce_rate,sessions_per_person', 2),
                ('later', 'treatment', false, 0.6, timestamp '2026-12-01',
                 timestamp '2026-12-15', 7, 'conversion', 'bounce_rate,sessions_per_person', 2)
            ) as t(experiment_key, variant, is_control, planned_share, starts_at, ends_at,
                   attribution_window_days, primary_metric, guardrail_metrics, n_variants)
        """)
        # rpt_experiment_sample_ratios over no analysed person: 0 expected, no share, no test
        setup.execute("""
            create table reports.rpt_experiment_sample_ratios as
            select experiment_key, variant, is_control, planned_share, 0 as n_persons,
                0.0 as expected_persons, cast(null as double) as observed_share,
                0 as n_experiment_persons, 0 as n_persons_multiple_variants,
                0 as n_persons_undeclared_variant, cast(null as double) as chi_square,
                cast(null as double) as srm_p_value, false as has_srm
            from marts.dim_experiment_variants
        """)
        setup.execute("""
            create table reports.rpt_experiment_results (experiment_key varchar,
                metric_name varchar, metric_kind varchar, metric_role varchar, variant varchar,
                is_control boolean, n_persons bigint, metric_mean double,
                control_n_persons bigint, control_metric_mean double, absolute_lift double,
                relative_lift double, standard_error double, ci_lower double, ci_upper double,
                relative_ci_lower double, relative_ci_upper double, statistical_test varchar,
                p_value double, cuped_absolute_lift double, cuped_ci_lower double,
                cuped_ci_upper double, cuped_p_value double, cuped_variance_reduction double,
                is_significant boolean, is_trustworthy boolean)
        """)
        # 'ordered': guardrails sessions_per_person then bounce_rate; one row per metric and
        # variant (n_persons tells them apart), and the control's
        setup.execute("""
            insert into marts.dim_experiment_variants
            select 'ordered', variant, is_control, 0.5, starts_at, ends_at, 7, 'conversion',
                'sessions_per_person,bounce_rate', 2
            from marts.dim_experiment_variants
        """)
        setup.execute("""
            insert into reports.rpt_experiment_results (experiment_key, metric_name,
                metric_role, variant, is_control, n_persons)
            select 'ordered', metric_name, metric_role, variant, variant = 'control', n_persons
            from (values
                ('bounce_rate', 'guardrail', 'treatment', 1),
                ('revenue_per_person', 'secondary', 'treatment', 2),
                ('conversion', 'primary', 'control', 3),
                ('engagement_rate', 'secondary', 'treatment', 4),
                ('sessions_per_person', 'guardrail', 'treatment', 5),
                ('conversion', 'primary', 'treatment', 6)
            ) as t(metric_name, metric_role, variant, n_persons)
        """)
    with duckdb.connect(str(path), read_only=True) as connection:
        ordered = queries.experiment_results(connection, "ordered")
        assert ordered["metric_name"].tolist() == [
            "conversion", "sessions_per_person", "bounce_rate", "engagement_rate",
            "revenue_per_person",
        ]
        assert ordered["n_persons"].tolist() == [6, 5, 1, 4, 2]
        listed = queries.experiments(connection)
        assert listed[["experiment_key", "n_variants", "n_analysed_persons", "has_srm"]] \
            .values.tolist() == [["later", 2, 0, False], ["ordered", 2, 0, False]]
        assert listed["srm_p_value"].isna().tolist() == [True, True]
        split = queries.experiment_split(connection, "later")
        assert split[["variant", "planned_share", "n_persons"]].values.tolist() == [
            ["control", 0.4, 0], ["treatment", 0.6, 0],
        ]
        assert len(queries.experiment_results(connection, "later")) == 0
    older = tmp_path / "older.duckdb"
    duckdb.connect(str(older)).close()
    with duckdb.connect(str(older), read_only=True) as connection:
        assert not any(
            queries.table_exists(connection, relation) for relation in queries.EXPERIMENT_TABLES
        )
        with pytest.raises(queries.MissingTable, match=r"marts\.dim_experiment_variants"):
            queries.experiments(connection)
        with pytest.raises(queries.MissingTable, match=r"reports\.rpt_experiment_sample_ratios"):
            queries.experiment_split(connection, "later")
        with pytest.raises(queries.MissingTable, match=r"reports\.rpt_experiment_results"):
            queries.experiment_results(connection, "later")


# --- Predictions, on a publication of the demo build ------------------------------------------


def _ntile(n_rows: int, n_tiles: int = 10) -> list[int]:
    """The tile of each of n_rows sorted rows, as SQL's ntile: the first n_rows % n_tiles tiles
    hold one row more than the others."""
    size, larger = divmod(n_rows, n_tiles)
    tiles: list[int] = []
    for tile in range(1, n_tiles + 1):
        tiles += [tile] * (size + (1 if tile <= larger else 0))
    return tiles


def _auc(scored: list[tuple[float, bool]]) -> float:
    """The chance a random positive scores above a random negative, ties one half."""
    positives = [score for score, label in scored if label]
    negatives = [score for score, label in scored if not label]
    wins = sum(
        1.0 if positive > negative else 0.5 if positive == negative else 0.0
        for positive in positives for negative in negatives
    )
    return wins / (len(positives) * len(negatives))


# model -> (its probability column, its label column) in the marts
CLASSIFIERS = {"churn": ("churn_probability", "is_churned"), "upsell": ("upsell_probability",
                                                                        "is_upsold")}


def _evaluation_rows(
    connection: duckdb.DuckDBPyConnection, model_name: str
) -> list[tuple[str, float, bool, int]]:
    """The held-out rows of a classifier, from the marts: (person_feature_id, probability,
    label, days since last active), by probability then id (the order of the deciles)."""
    probability, label = CLASSIFIERS[model_name]
    return [tuple(row) for row in _rows(connection, f"""
        select features.person_feature_id, scores.{probability}, features.{label},
            features.days_since_last_active
        from marts.fct_person_features as features
        inner join marts.fct_person_scores as scores
            on features.person_feature_id = scores.person_feature_id
        where features.model_sample = 'evaluation' and scores.{probability} is not null
        order by scores.{probability}, features.person_feature_id
    """)]


def test_model_quality_recomputed_from_the_held_out_rows(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    quality = queries.model_quality(demo_catalog)
    assert quality["model_name"].tolist() == ["churn", "upsell"]
    ((n_evaluation, evaluation_date),) = _rows(demo_catalog, """
        select count(*), max(snapshot_date) from marts.fct_person_features
        where model_sample = 'evaluation'
    """)
    assert n_evaluation > 0
    for row in quality.to_dict("records"):
        name = row["model_name"]
        rows = _evaluation_rows(demo_catalog, name)
        assert row["n_rows"] == len(rows) == n_evaluation, name
        assert row["snapshot_date"].date() == evaluation_date, name
        labels = [1.0 if label else 0.0 for _, _, label, _ in rows]
        probabilities = [probability for _, probability, _, _ in rows]
        # the training share of the label, as the base rate the model is compared with
        _, label_column = CLASSIFIERS[name]
        ((training_share,),) = _rows(demo_catalog, f"""
            select avg(case when {label_column} then 1.0 else 0.0 end)
            from marts.fct_person_features where model_sample = 'training'
        """)
        positive_share = sum(labels) / len(labels)
        tiles = _ntile(len(rows))
        top = [label for label, tile in zip(labels, tiles, strict=True) if tile == 10]
        deciles = [
            [(probability, label) for probability, label, tile
             in zip(probabilities, labels, tiles, strict=True) if tile == decile]
            for decile in range(1, 11)
        ]
        calibration_error = sum(
            abs(sum(p for p, _ in decile) - sum(y for _, y in decile)) for decile in deciles
        ) / len(rows)
        baseline = [
            (days if name == "churn" else -days, label) for _, _, label, days in rows
        ]
        expected = {
            "auc": _auc([(p, bool(y)) for p, y in zip(probabilities, labels, strict=True)]),
            "baseline_auc": _auc([(score, bool(label)) for score, label in baseline]),
            "brier_score": sum((p - y) ** 2 for p, y in zip(probabilities, labels, strict=True))
            / len(rows),
            "base_rate_brier_score": sum((training_share - y) ** 2 for y in labels) / len(rows),
            "expected_calibration_error": calibration_error,
            "top_decile_lift": (sum(top) / len(top)) / positive_share,
            "positive_share": positive_share,
        }
        assert list(expected) == list(queries.CLASSIFIER_METRICS)
        for metric, value in expected.items():
            assert row[metric] == pytest.approx(value, rel=1e-9), (name, metric)
        # the demo's models do better than their baselines
        assert row["auc"] > row["baseline_auc"] and row["brier_score"] < row["base_rate_brier_score"]


def test_model_calibration_is_the_deciles_of_the_held_out_rows(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    calibration = queries.model_calibration(demo_catalog)
    ((n_evaluation,),) = _rows(demo_catalog, """
        select count(*) from marts.fct_person_features where model_sample = 'evaluation'
    """)
    assert sorted(set(calibration["model_name"])) == ["churn", "upsell"]
    for name, deciles in calibration.groupby("model_name"):
        # every held-out row in one decile
        assert deciles["n_rows"].sum() == n_evaluation, name
        assert deciles["probability_decile"].tolist() == list(range(1, 11)), name
        rows = _evaluation_rows(demo_catalog, str(name))
        tiles = _ntile(len(rows))
        positive_share = sum(1 for *_, label, _ in rows if label) / len(rows)
        for decile in deciles.to_dict("records"):
            members = [
                (probability, label) for (_, probability, label, _), tile
                in zip(rows, tiles, strict=True) if tile == decile["probability_decile"]
            ]
            mean = sum(p for p, _ in members) / len(members)
            observed = sum(1 for _, y in members if y) / len(members)
            label = (name, decile["probability_decile"])
            assert decile["n_rows"] == len(members), label
            assert (decile["min_probability"], decile["max_probability"]) == (
                min(p for p, _ in members), max(p for p, _ in members)
            ), label
            assert decile["mean_probability"] == pytest.approx(mean, rel=1e-9), label
            assert decile["observed_share"] == pytest.approx(observed, rel=1e-9, abs=1e-15), label
            assert decile["calibration_error"] == pytest.approx(
                mean - observed, rel=1e-9, abs=1e-12
            ), label
            assert decile["lift"] == pytest.approx(
                observed / positive_share, rel=1e-9, abs=1e-15
            ), label
        # deciles by predicted probability: they do not overlap
        assert (deciles["max_probability"].iloc[:-1].to_numpy()
                <= deciles["min_probability"].iloc[1:].to_numpy()).all(), name


def test_segments_are_the_scored_persons_and_their_features(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    sizes = queries.segment_sizes(demo_catalog)
    members = dict(_rows(demo_catalog, """
        select segment_number, count(*) from marts.fct_person_scores
        where model_sample = 'scoring' group by segment_number
    """))
    total = sum(members.values())
    assert sizes["segment_number"].tolist() == sorted(members)
    assert sizes["n_persons"].tolist() == [members[number] for number in sorted(members)]
    assert sizes["person_share"].tolist() == pytest.approx(
        [members[number] / total for number in sorted(members)], rel=1e-12
    )
    # the segments model's figures are its fit's parameters
    model = queries.segment_model(demo_catalog)
    assert len(model) == 1
    parameters = dict(_rows(demo_catalog, """
        select parameter_name, parameter_value from marts.dim_predictive_model_parameters
        where model_name = 'segments' and parameter_name in ('silhouette', 'cluster_count',
            'training_rows')
    """))
    fit = model.iloc[0]
    assert fit["silhouette"] == pytest.approx(parameters["silhouette"], rel=1e-12)
    assert (fit["cluster_count"], fit["training_rows"]) == (
        parameters["cluster_count"], parameters["training_rows"]
    )
    assert fit["cluster_count"] == len(members)
    # each feature's centroid back in its units, and the members' average of the feature
    profiles = queries.segment_profiles(demo_catalog)
    features = sorted(set(profiles["feature_name"]))
    assert len(profiles) == len(features) * len(members)
    centroids = {
        (feature, number): value for feature, number, value in _rows(demo_catalog, """
            select centroids.feature_name, centroids.cluster_number,
                exp(means.parameter_value + centroids.parameter_value * scales.parameter_value) - 1
            from marts.dim_predictive_model_parameters as centroids
            inner join marts.dim_predictive_model_parameters as means
                on means.model_name = 'segments' and means.parameter_name = 'feature_mean'
                and means.feature_name = centroids.feature_name
            inner join marts.dim_predictive_model_parameters as scales
                on scales.model_name = 'segments' and scales.parameter_name = 'feature_scale'
                and scales.feature_name = centroids.feature_name
            where centroids.model_name = 'segments' and centroids.parameter_name = 'centroid'
        """)
    }
    for row in profiles.to_dict("records"):
        key = (row["feature_name"], row["segment_number"])
        ((average,),) = _rows(demo_catalog, f"""
            select avg(features.{row["feature_name"]})
            from marts.fct_person_features as features
            inner join marts.fct_person_scores as scores
                on features.person_feature_id = scores.person_feature_id
            where scores.model_sample = 'scoring' and scores.segment_number = ?
        """, row["segment_number"])
        assert row["member_average"] == pytest.approx(float(average), rel=1e-9), key
        assert row["centroid_value"] == pytest.approx(centroids[key], rel=1e-9), key


def test_current_scores_and_their_histogram_are_the_scoring_snapshot(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    ((latest, n_persons),) = _rows(demo_catalog, """
        select max(snapshot_date), count(*) filter (
            where snapshot_date = (select max(snapshot_date) from marts.fct_person_features))
        from marts.fct_person_features
    """)
    current = _row(queries.current_scores(demo_catalog))
    assert current["snapshot_date"].date() == latest  # type: ignore[attr-defined]
    assert current["n_persons"] == n_persons > 0
    for model_name, (column, _) in CLASSIFIERS.items():
        scores = [value for (value,) in _rows(demo_catalog, f"""
            select {column} from marts.fct_person_scores
            where snapshot_date = ? and {column} is not null
        """, latest)]
        assert current[f"n_{model_name}_scored"] == len(scores)
        for bins in (20, 10, 1):
            histogram = queries.score_distribution(demo_catalog, model_name, bins)
            assert len(histogram) == bins
            assert histogram["n_persons"].sum() == len(scores), (model_name, bins)
            counts = [0] * bins
            for score in scores:
                counts[min(int(score * bins), bins - 1)] += 1
            assert histogram["n_persons"].tolist() == counts, (model_name, bins)
            assert histogram["bin_start"].tolist() == pytest.approx(
                [index / bins for index in range(bins)]
            )
            assert histogram["bin_end"].tolist() == pytest.approx(
                [(index + 1) / bins for index in range(bins)]
            )


def test_audiences_count_current_members_entries_and_exits(
    demo_catalog: duckdb.DuckDBPyConnection,
) -> None:
    listed = queries.audiences(demo_catalog)
    declared = [name for (name,) in _rows(demo_catalog, "select audience_name from marts.dim_audiences")]
    assert sorted(listed["audience_name"]) == sorted(declared)
    open_memberships = dict(_rows(demo_catalog, """
        select audience_name, count(*) from marts.fct_audience_memberships
        where exited_at is null group by audience_name
    """))
    # independently: entries minus exits in the change log
    changes = dict(((name, change), n) for name, change, n in _rows(demo_catalog, """
        select audience_name, change_type, count(*) from marts.fct_audience_changes group by all
    """))
    for row in listed.to_dict("records"):
        name = row["audience_name"]
        entered, exited = changes.get((name, "entered"), 0), changes.get((name, "exited"), 0)
        assert row["n_current_members"] == open_memberships.get(name, 0) == entered - exited, name
        assert row["n_memberships"] == entered, name
    assert sum(open_memberships.values()) > 0
    # most current members first
    assert listed["n_current_members"].tolist() == sorted(
        listed["n_current_members"], reverse=True
    )
    # entries and exits per day: from the memberships' entry and exit times
    daily = queries.audience_changes_daily(demo_catalog)
    expected: dict[tuple[str, str], list[int]] = {}
    for name, entered_at, exited_at in _rows(demo_catalog, """
        select audience_name, entered_at, exited_at from marts.fct_audience_memberships
    """):
        expected.setdefault((str(entered_at.date()), name), [0, 0])[0] += 1
        if exited_at is not None:
            expected.setdefault((str(exited_at.date()), name), [0, 0])[1] += 1
    assert {
        (str(row["change_date"].date()), row["audience_name"]): [row["n_entered"], row["n_exited"]]
        for row in daily.to_dict("records")
    } == expected
    assert list(daily["change_date"]) == sorted(daily["change_date"])


def test_prediction_queries_on_hand_made_tables(tmp_path: Path) -> None:
    """An audience nobody entered yet: listed with 0 members. Scores at 0 and 1 fall in the
    first and last bins, null scores and earlier snapshots in none. A publication from
    before the prediction tables: MissingTable."""
    path = tmp_path / "catalog.duckdb"
    with duckdb.connect(str(path)) as setup:
        setup.execute("create schema marts")
        setup.execute("""
            create table marts.dim_audiences as select * from (values
                ('later', 'Nobody yet.', 'event_count', '1 or more of x', 1, 7, 0),
                ('now', 'Somebody.', 'event_count', '1 or more of y', 1, 7, 0)
            ) as t(audience_name, description, trigger_kind, trigger_condition, min_count,
                   window_days, cooldown_days)
        """)
        # p1 entered, left and came back; p2 entered once
        setup.execute("""
            create table marts.fct_audience_memberships as select * from (values
                ('now', 'p1', timestamp '2026-10-01 10:00', timestamp '2026-10-03 09:00', false),
                ('now', 'p1', timestamp '2026-10-05 10:00', null, true),
                ('now', 'p2', timestamp '2026-10-03 23:00', null, true)
            ) as t(audience_name, person_id, entered_at, exited_at, is_current)
        """)
        setup.execute("""
            create table marts.fct_person_scores as select * from (values
                ('p1', date '2026-10-04', 'training', 0.95, 0.10),
                ('p1', date '2026-10-11', 'scoring', 0.0, 0.5),
                ('p2', date '2026-10-11', 'scoring', 1.0, 0.25),
                ('p3', date '2026-10-11', 'scoring', 0.5, null),
                ('p4', date '2026-10-11', 'scoring', null, null)
            ) as t(person_id, snapshot_date, model_sample, churn_probability,
                   upsell_probability)
        """)
        setup.execute("""
            alter table marts.fct_person_scores add column churn_model_version varchar
        """)
        setup.execute("""
            alter table marts.fct_person_scores add column upsell_model_version varchar
        """)
    with duckdb.connect(str(path), read_only=True) as connection:
        listed = queries.audiences(connection)
        assert listed[["audience_name", "n_current_members", "n_memberships", "n_persons"]] \
            .values.tolist() == [["now", 2, 3, 2], ["later", 0, 0, 0]]
        assert _row(queries.current_scores(connection))["n_persons"] == 4
        # 0.0 in [0, 0.25), 0.5 in [0.5, 0.75), 1.0 in the last bin; the null and the training
        # row's 0.95 in none
        assert queries.score_distribution(connection, "churn", 4)["n_persons"].tolist() == [
            1, 0, 1, 1,
        ]
        assert queries.score_distribution(connection, "upsell", 4)["n_persons"].tolist() == [
            0, 1, 1, 0,
        ]
        with pytest.raises(KeyError):
            queries.score_distribution(connection, "segments")
        with pytest.raises(ValueError, match="bins"):
            queries.score_distribution(connection, "churn", 0)
        with pytest.raises(queries.MissingTable, match=r"marts\.fct_audience_changes"):
            queries.audience_changes_daily(connection)
    older = tmp_path / "older.duckdb"
    duckdb.connect(str(older)).close()
    with duckdb.connect(str(older), read_only=True) as connection:
        assert not any(
            queries.table_exists(connection, relation) for relation in queries.PREDICTION_TABLES
        )
        for query, relation in (
            (queries.model_quality, "reports.rpt_model_evaluation"),
            (queries.segment_model, "reports.rpt_model_evaluation"),
            (queries.model_calibration, "reports.rpt_model_calibration"),
            (queries.segment_sizes, "reports.rpt_segment_profiles"),
            (queries.segment_profiles, "reports.rpt_segment_profiles"),
            (queries.current_scores, "marts.fct_person_scores"),
            (queries.score_distribution, "marts.fct_person_scores"),
            (queries.audiences, "marts.dim_audiences"),
            (queries.audience_changes_daily, "marts.fct_audience_changes"),
        ):
            with pytest.raises(queries.MissingTable, match=relation.replace(".", r"\.")):
                query(connection)
