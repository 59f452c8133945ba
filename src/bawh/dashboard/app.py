"""The warehouse dashboard (Streamlit): `make dashboard`, or
`streamlit run src/bawh/dashboard/app.py` with BAWH_PUBLICATION pointing at a publication root.

It reads the current publication read-only (a fresh connection per page render, so a new
publication shows up on the next interaction) and never the warehouse itself. Every query is
in bawh.dashboard.queries; a missing table or an empty result shows a message.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable
from typing import Any

import altair as alt
import duckdb
import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from bawh.dashboard import queries

Page = Callable[[duckdb.DuckDBPyConnection, queries.Filters], None]


def _integer(value: Any) -> str:
    return f"{int(value):,}"


def _percent(value: Any) -> str:
    return "n/a" if value is None or value != value else f"{float(value):.1%}"


def _money(value: Any) -> str:
    return f"{float(value):,.2f}"


def _is_empty(frame: Any, what: str, where: str = "for these filters") -> bool:
    if frame is None or len(frame) == 0:
        st.info(f"No {what} {where}.")
        return True
    return False


def _sidebar_filters(connection: duckdb.DuckDBPyConnection) -> queries.Filters:
    options = queries.filter_options(connection)
    st.sidebar.header("Filters")
    start_date: datetime.date | None = options["min_date"]
    end_date: datetime.date | None = options["max_date"]
    if start_date is not None and end_date is not None:
        chosen = st.sidebar.date_input(
            "Date range", value=(start_date, end_date), min_value=start_date,
            max_value=end_date, key="date_range",
        )
        if isinstance(chosen, tuple) and len(chosen) == 2:
            start_date, end_date = chosen
    channels: list[str] = st.sidebar.multiselect(
        "Channel", options["channels"], key="channels", placeholder="All channels"
    )
    devices: list[str] = st.sidebar.multiselect(
        "Device", options["devices"], key="devices", placeholder="All devices"
    )
    build_id = queries.publication_info(connection)
    if build_id:
        st.sidebar.caption(f"Publication {build_id}")
    return queries.Filters(start_date, end_date, tuple(channels), tuple(devices))


def overview(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Headline KPIs of the filtered sessions, with the change against the previous period
    of the same length and the daily trend."""
    st.title("Overview")
    kpis = queries.overview_kpis(connection, filters)
    if _is_empty(kpis, "sessions") or int(kpis["sessions"].iloc[0]) == 0:
        st.info("No sessions for these filters.")
        return
    row = kpis.iloc[0]
    previous = None
    if filters.start_date and filters.end_date:
        length = filters.end_date - filters.start_date + datetime.timedelta(days=1)
        previous_filters = queries.Filters(
            filters.start_date - length, filters.start_date - datetime.timedelta(days=1),
            filters.channels, filters.devices,
        )
        previous_kpis = queries.overview_kpis(connection, previous_filters)
        if int(previous_kpis["sessions"].iloc[0]) > 0:
            previous = previous_kpis.iloc[0]

    def delta(column: str, kind: str) -> str | None:
        if previous is None:
            return None
        change = float(row[column]) - float(previous[column])
        return f"{change:+.1%}" if kind == "rate" else f"{change:+,.0f}"

    columns = st.columns(5)
    columns[0].metric("Persons", _integer(row["persons"]), delta("persons", "count"))
    columns[1].metric("Sessions", _integer(row["sessions"]), delta("sessions", "count"))
    columns[2].metric(
        "Engagement rate", _percent(row["engagement_rate"]), delta("engagement_rate", "rate")
    )
    columns[3].metric(
        "Conversion rate", _percent(row["conversion_rate"]), delta("conversion_rate", "rate")
    )
    columns[4].metric("Revenue", _money(row["revenue"]), delta("revenue", "count"))
    st.caption(
        "Conversion rate: sessions with at least one conversion / sessions. Deltas compare"
        " with the previous period of the same length."
    )
    daily = queries.daily_sessions(connection, filters)
    if _is_empty(daily, "daily sessions"):
        return
    st.subheader("Daily trend")
    st.line_chart(daily, x="session_date", y=["persons", "sessions"])
    st.line_chart(daily, x="session_date", y=["engagement_rate", "conversion_rate"])


def traffic(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Users and sessions per hour (GA4 hourly channel report) and per day."""
    st.title("Users and sessions over time")
    hourly = queries.hourly_traffic(connection, filters)
    st.subheader("Hourly (reports.rpt_channel_traffic_hourly)")
    if not _is_empty(hourly, "hourly traffic"):
        st.metric("Sessions in the hourly report", _integer(hourly["sessions"].sum()))
        st.line_chart(hourly, x="hour_start", y=["users", "sessions"])
        st.caption("Users are summed over channels (a person on two channels counts twice).")
    st.subheader("Daily (marts.fct_sessions)")
    daily = queries.daily_sessions(connection, filters)
    if not _is_empty(daily, "daily sessions"):
        st.line_chart(daily, x="session_date", y=["persons", "sessions", "engaged_sessions"])
    st.subheader("Active persons (reports.rpt_active_persons_daily; date filter only)")
    active = queries.active_persons_daily(connection, filters)
    if not _is_empty(active, "active persons"):
        st.line_chart(active, x="activity_date", y=["dau", "wau", "mau"])


def channels(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Sessions and engagement rate per channel group (GA4 default channel grouping)."""
    st.title("Channels")
    breakdown = queries.channel_breakdown(connection, filters)
    if _is_empty(breakdown, "sessions"):
        return
    st.metric("Channels with sessions", _integer(len(breakdown)))
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(breakdown).mark_bar().encode(
            x=alt.X("sessions:Q", title="Sessions"),
            y=alt.Y("channel_group:N", sort="-x", title=None),
        ),
        use_container_width=True,
    )
    right.altair_chart(
        alt.Chart(breakdown).mark_bar().encode(
            x=alt.X("engagement_rate:Q", title="Engagement rate", axis=alt.Axis(format="%")),
            y=alt.Y("channel_group:N", sort="-x", title=None),
        ),
        use_container_width=True,
    )
    st.dataframe(breakdown, hide_index=True)


def correlations(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Pearson correlation of the hourly channel metrics (hour x channel rows with sessions)."""
    st.title("Correlation of hourly channel metrics")
    pairs = queries.channel_metric_correlations(connection, filters)
    if _is_empty(pairs, "hourly rows") or int(pairs["n_hours"].iloc[0]) < 2:
        st.info("Fewer than two hour x channel rows with sessions: no correlation to show.")
        return
    st.metric("Hour x channel rows with sessions", _integer(pairs["n_hours"].iloc[0]))
    order = list(queries.CORRELATION_METRICS)
    base = alt.Chart(pairs).encode(
        x=alt.X("metric_b:N", sort=order, title=None),
        y=alt.Y("metric_a:N", sort=order, title=None),
    )
    heatmap = base.mark_rect().encode(
        color=alt.Color("correlation:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1])),
        tooltip=["metric_a", "metric_b", alt.Tooltip("correlation:Q", format=".2f")],
    )
    labels = base.mark_text(fontSize=10).encode(text=alt.Text("correlation:Q", format=".2f"))
    st.altair_chart(heatmap + labels, use_container_width=True)
    st.caption("Same computation as analyses/channel_metrics_correlation.sql.")


def retention(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Weekly cohort retention heatmap (first-time start event, retained in week N)."""
    st.title("Cohort retention (weekly)")
    cohorts = queries.weekly_retention(connection, filters)
    if _is_empty(cohorts, "cohorts"):
        return
    first_weeks = cohorts[cohorts["period_number"] == 0]
    st.metric("Persons in the cohorts", _integer(first_weeks["n_cohort_persons"].sum()))
    cohorts = cohorts.assign(cohort=cohorts["cohort_start"].astype(str))
    chart = alt.Chart(cohorts).encode(
        x=alt.X("period_number:O", title="Weeks since first seen"),
        y=alt.Y("cohort:O", title="Cohort (week start)"),
    )
    st.altair_chart(
        chart.mark_rect().encode(
            color=alt.Color("retention_rate:Q", scale=alt.Scale(scheme="blues")),
            tooltip=["cohort", "period_number", "n_cohort_persons", "n_retained_persons",
                     alt.Tooltip("retention_rate:Q", format=".1%")],
        )
        + chart.mark_text(fontSize=10).encode(text=alt.Text("retention_rate:Q", format=".0%")),
        use_container_width=True,
    )
    st.caption("Cohort filter: cohort weeks that overlap the date range; channel and device"
               " filters do not apply (the report has no such column).")


def funnel(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Funnel steps with persons entered and drop-off."""
    st.title("Funnel")
    try:
        steps = queries.funnel_steps(connection, filters)
    except queries.MissingTable as missing:
        st.info(f"No funnel in this publication yet ({missing.args[0]} is not built).")
        return
    if _is_empty(steps, "funnel steps"):
        return
    names = sorted(steps["funnel_name"].unique())
    name = st.selectbox("Funnel", names, key="funnel_name")
    chosen = steps[steps["funnel_name"] == name]
    st.metric("Persons who entered the first step", _integer(chosen["n_persons_entered"].iloc[0]))
    # each step's bar: persons who reached it, plus those who dropped off since the last step
    bars = chosen.melt(
        id_vars=["step_number", "step_name"],
        value_vars=["n_persons_entered", "n_persons_dropped_off"],
        var_name="persons", value_name="n_persons",
    ).replace({"n_persons_entered": "reached the step", "n_persons_dropped_off": "dropped off"})
    st.altair_chart(
        alt.Chart(bars).mark_bar().encode(
            x=alt.X("sum(n_persons):Q", title="Persons"),
            y=alt.Y("step_name:N", sort=list(chosen["step_name"]), title=None),
            color=alt.Color(
                "persons:N", sort=["reached the step", "dropped off"],
                scale=alt.Scale(range=["#1f77b4", "#d3d3d3"]),
            ),
            order=alt.Order("persons:N", sort="descending"),
            tooltip=["step_name", "persons", "n_persons"],
        ),
        use_container_width=True,
    )
    st.dataframe(chosen, hide_index=True)
    st.caption(
        "Whole period (the date filter does not apply). Channel and device: those of the"
        " session in which the person entered the funnel."
    )


def adoption(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Weekly feature adoption (adopters / active persons)."""
    st.title("Feature adoption (weekly)")
    weekly = queries.feature_adoption(connection, filters)
    if _is_empty(weekly, "feature adoption"):
        return
    st.metric("Features", _integer(weekly["feature_name"].nunique()))
    st.altair_chart(
        alt.Chart(weekly).mark_line(point=True).encode(
            x=alt.X("period_start:T", title="Week"),
            y=alt.Y("adoption_rate:Q", title="Adoption rate", axis=alt.Axis(format="%")),
            color="feature_name:N",
        ),
        use_container_width=True,
    )
    st.dataframe(weekly, hide_index=True)


def friction(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Pages ranked by friction, and the click heatmap of one page."""
    st.title("Page friction and click heatmap")
    pages = queries.page_friction(connection)
    if not _is_empty(pages, "pages"):
        st.subheader("Pages with the most friction")
        st.dataframe(pages, hide_index=True)
    st.subheader("Click heatmap")
    heatmap_pages = queries.heatmap_pages(connection, filters)
    if _is_empty(heatmap_pages, "clicks"):
        return
    st.metric("Clicks on the heatmap (selected devices)", _integer(heatmap_pages["n_clicks"].sum()))
    page = st.selectbox("Page", list(heatmap_pages["page_path"]), key="heatmap_page")
    cells = queries.click_heatmap(connection, str(page), filters)
    if _is_empty(cells, "clicks on this page"):
        return
    st.altair_chart(
        alt.Chart(cells).mark_rect().encode(
            x=alt.X("cell_column:O", title="Column (cell)"),
            y=alt.Y("cell_row:O", title="Row (cell)"),
            color=alt.Color("n_clicks:Q", scale=alt.Scale(scheme="orangered")),
            tooltip=["cell_x_start_px", "cell_y_start_px", "n_clicks", "n_error_clicks",
                     "n_rage_clicks"],
        ),
        use_container_width=True,
    )


def segments(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Behavioral segments as of the last activity date."""
    st.title("Segments")
    summary = queries.segment_summary(connection)
    if _is_empty(summary, "segments"):
        return
    st.metric("Persons in segments", _integer(summary["n_persons"].sum()))
    st.altair_chart(
        alt.Chart(summary).mark_bar().encode(
            x=alt.X("n_persons:Q", title="Persons"),
            y=alt.Y("segment_label:N", sort=list(summary["segment_label"]), title=None),
        ),
        use_container_width=True,
    )
    st.dataframe(summary, hide_index=True)
    st.caption("Whole period as of the last activity date; filters do not apply here.")


def _band_chart(hourly: Any, observed: str, title: str) -> alt.LayerChart:
    """An hourly count (line) against its expected count (dashed) and band (area), its
    anomalous hours as points colored by severity. An hour without an expected count was not
    checked: no band there."""
    checked = hourly["expected"].notna()
    hourly = hourly.rename(columns={observed: "observed"}).assign(
        lower_bound=hourly["lower_bound"].where(checked),
        upper_bound=hourly["upper_bound"].where(checked),
    )
    series = ["observed", "expected"]
    base = alt.Chart(hourly).encode(x=alt.X("hour_at:T", title="Hour (UTC)"))
    band = base.mark_area(opacity=0.3, color="#9ecae1").encode(
        y=alt.Y("lower_bound:Q", title=title), y2="upper_bound:Q"
    )
    lines = base.transform_fold(["observed", "expected"], as_=["series", "count"]).mark_line().encode(
        y="count:Q",
        color=alt.Color(
            "series:N", sort=series, title=None,
            scale=alt.Scale(domain=series, range=["#1f77b4", "#525252"]),
        ),
        strokeDash=alt.StrokeDash(
            "series:N", sort=series, title=None,
            scale=alt.Scale(domain=series, range=[[1, 0], [4, 3]]),
        ),
    )
    points = alt.Chart(hourly[hourly["anomaly_kind"].notna()]).mark_point(
        filled=True, size=70
    ).encode(
        x="hour_at:T",
        y="observed:Q",
        fill=alt.Fill(
            "severity:N", title="Anomaly",
            scale=alt.Scale(domain=["warn", "error"], range=["#ff7f0e", "#d62728"]),
        ),
        tooltip=["hour_at:T", "observed:Q", alt.Tooltip("expected:Q", format=",.1f"),
                 "anomaly_kind:N", "severity:N", alt.Tooltip("z_score:Q", format=".1f")],
    )
    return alt.LayerChart(layer=[band, lines, points])


def _forecast_chart(history: Any, forecast: Any, title: str) -> alt.LayerChart:
    """The recent days of a daily count (line), then its forecast (dashed, from the last day
    of the history so the line continues) and the forecast's band (area) where it has one."""
    days = history.rename(columns={"activity_date": "day"}).merge(
        forecast.rename(columns={"forecast_date": "day", "expected": "forecast"}),
        on="day", how="outer",
    )
    last = days["day"] == days.loc[days["observed"].notna(), "day"].max()
    days = days.assign(forecast=days["forecast"].where(~last, days["observed"]))
    series = ["observed", "forecast"]
    base = alt.Chart(days).encode(x=alt.X("day:T", title="Day"))
    band = base.mark_area(opacity=0.3, color="#9ecae1").encode(
        y=alt.Y("lower_bound:Q", title=title), y2="upper_bound:Q"
    )
    lines = base.transform_fold(
        ["observed", "forecast"], as_=["series", "count"]
    ).mark_line(point=True).encode(
        y=alt.Y("count:Q", title=title),
        color=alt.Color(
            "series:N", sort=series, title=None, legend=alt.Legend(symbolType="stroke"),
            scale=alt.Scale(domain=series, range=["#1f77b4", "#525252"]),
        ),
        strokeDash=alt.StrokeDash(
            "series:N", sort=series, title=None,
            scale=alt.Scale(domain=series, range=[[1, 0], [4, 3]]),
        ),
        tooltip=["day:T", "series:N", alt.Tooltip("count:Q", format=",.1f"),
                 alt.Tooltip("lower_bound:Q", format=",.1f"),
                 alt.Tooltip("upper_bound:Q", format=",.1f")],
    )
    return alt.LayerChart(layer=[band, lines])


# The forecast's metrics (queries.FORECAST_METRICS) and their labels.
FORECAST_LABELS = {"sessions": "Sessions", "active_persons": "Active persons"}

# Ticks of the delivery lag's log scale (seconds) and their labels.
LAG_TICKS = {1: "1 s", 60: "1 min", 3600: "1 h", 86400: "1 d", 604800: "1 w"}


def health(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """Data health: anomalies, freshness, hourly event volume and delivery lag against their
    expected bands, landing schema drift (models/reports/health; what `bawh monitor` alerts on),
    and the forecast of daily sessions and active persons per channel group."""
    st.title("Data health")
    missing = [
        relation for relation in queries.HEALTH_REPORTS
        if not queries.table_exists(connection, relation)
    ]
    if missing:
        st.info(f"No data-health reports in this publication yet ({', '.join(missing)} not built).")
        return
    summary = queries.data_health_summary(connection).iloc[0]
    columns = st.columns(3)
    columns[0].metric("Error anomalies", _integer(summary["error_anomalies"]))
    columns[1].metric("Warn anomalies", _integer(summary["warn_anomalies"]))
    columns[2].metric("Stale event names", _integer(summary["stale_event_names"]))
    st.caption(
        "The whole build, as of when it ran: the sidebar filters do not apply here. Stale: an"
        " event name whose freshness is warn or error. The rules are in"
        " models/reports/health/_health__docs.md."
    )

    st.subheader("Freshness")
    freshness = queries.data_freshness(connection)
    if not _is_empty(freshness, "events", "in this publication"):
        st.dataframe(freshness, hide_index=True)
        st.caption(
            f"Hours from the newest received event to {freshness['as_of'].iloc[0]:%Y-%m-%d %H:%M}"
            " UTC (when the build ran, or var data_health_as_of); lags in seconds, over the"
            " day before the newest event. 'all': every event name."
        )

    st.subheader("Anomalies")
    anomalies = queries.data_anomalies(connection)
    if not _is_empty(
        anomalies, "data anomalies", "in this publication: every checked hour is inside its band"
    ):
        st.dataframe(anomalies, hide_index=True)
        st.caption(
            "Errors first, then the newest hour first. observed and expected are counts, or"
            " null rates for metric null_rate; 'all': every device, channel or event name."
        )

    st.subheader("Hourly events against their expected band")
    names = queries.volume_event_names(connection)
    if not _is_empty(names, "hourly event volumes", "in this publication"):
        name = st.selectbox("Event name", list(names["event_name"]), key="health_event_name")
        hourly = queries.event_volume_hourly(connection, str(name))
        if not _is_empty(hourly, f"hourly volumes of {name}", "in this publication"):
            st.altair_chart(
                _band_chart(hourly, "n_observed", "Events (all devices)"),
                use_container_width=True,
            )
            st.caption(
                "Expected: the median of the same hour in the previous weeks, scaled by the"
                " growth since; the band: data_health_warn_z (4) spreads either side. Hours"
                " without an expected count (too little history) have no band and are not"
                " checked, nor are hours expected under data_health_min_expected_count (20)."
            )

    st.subheader("Delivery lag")
    delivery = queries.delivery_hourly(connection)
    if not _is_empty(delivery, "received events", "in this publication"):
        lag = delivery.melt(
            id_vars=["hour_at"], value_vars=["median_lag_seconds", "p95_lag_seconds"],
            var_name="lag", value_name="seconds",
        ).replace({"median_lag_seconds": "median", "p95_lag_seconds": "95th percentile"})
        st.altair_chart(
            alt.Chart(lag).mark_line().encode(
                x=alt.X("hour_at:T", title="Hour received (UTC)"),
                y=alt.Y(
                    "seconds:Q", title="Lag (log scale)", scale=alt.Scale(type="symlog"),
                    axis=alt.Axis(values=list(LAG_TICKS), labelExpr=" : ".join(
                        [f"datum.value == {tick} ? '{label}'" for tick, label in LAG_TICKS.items()]
                        + ["datum.label"]
                    )),
                ),
                color=alt.Color("lag:N", sort=["median", "95th percentile"], title=None),
                tooltip=["hour_at:T", "lag:N", alt.Tooltip("seconds:Q", format=",.1f")],
            ),
            use_container_width=True,
        )
        st.caption("Lag: received_at - occurred_at of the events received in the hour.")

    st.subheader("Landing schema changes")
    changes = queries.landing_schema_changes(connection)
    if not _is_empty(
        changes, "landing schema changes",
        "in this publication (the landing files have the same columns, or the events come"
        " from a table)",
    ):
        st.dataframe(changes, hide_index=True)
        st.caption("Each column added, dropped or retyped, at the first landing file with it.")

    st.subheader("Forecast")
    groups = queries.forecast_channel_groups(connection)
    if not _is_empty(groups, "channel forecast", "in this publication (too few days of sessions)"):
        left, right = st.columns(2)
        metric = str(left.radio(
            "Metric", list(FORECAST_LABELS), format_func=FORECAST_LABELS.__getitem__,
            horizontal=True, key="health_forecast_metric",
        ))
        channel_groups = list(groups["channel_group"])
        channel_group = str(right.selectbox(
            "Channel group", channel_groups, key="health_forecast_channel_group",
            index=channel_groups.index("all") if "all" in channel_groups else 0,
            format_func=lambda group: "All channels" if group == "all" else group,
        ))
        forecast = queries.channel_forecast(connection, metric, channel_group)
        if not _is_empty(forecast, "forecast", "for this metric and channel group"):
            origin = forecast["origin_date"].iloc[0]
            history = queries.channel_history(connection, metric, channel_group, origin)
            st.altair_chart(
                _forecast_chart(history, forecast, f"{FORECAST_LABELS[metric]} per day"),
                use_container_width=True,
            )
            st.caption(
                f"The {queries.FORECAST_HISTORY_DAYS} days up to {origin:%Y-%m-%d}, the last"
                " complete day (the data's last day is still filling), then the forecast from it"
                " (var data_health_forecast_method; by default the median of the same weekday in"
                " the recent weeks, scaled by the growth since). The band: the forecast -/+ the"
                " 90th percentile of its absolute percentage error at that horizon in the"
                " backtest; none at a horizon without backtest forecasts."
            )
            backtest = queries.channel_forecast_backtest(connection, metric, channel_group)
            if not _is_empty(backtest, "backtest forecasts", "for this metric and channel group"):
                percentages = ["mean_absolute_percentage_error", "p90_absolute_percentage_error"]
                st.dataframe(
                    backtest.assign(**{column: backtest[column] * 100 for column in percentages}),
                    height="content", hide_index=True,
                    column_config={
                        "horizon_days": st.column_config.NumberColumn("Horizon (days)"),
                        "n_forecasts": st.column_config.NumberColumn("Forecasts"),
                        "mean_absolute_error": st.column_config.NumberColumn(
                            "Mean absolute error", format="%.1f"
                        ),
                        "mean_absolute_percentage_error": st.column_config.NumberColumn(
                            "MAPE", format="%.1f%%"
                        ),
                        "p90_absolute_percentage_error": st.column_config.NumberColumn(
                            "90th percentile of the absolute % error (the band)",
                            format="%.1f%%",
                        ),
                    },
                )
                st.caption(
                    "Backtest: the forecasts from each earlier origin whose day is in the data,"
                    " against what happened, per horizon (days after the origin). MAPE: the"
                    " mean of |forecast - observed| / observed, over days with observed > 0."
                )


def _p_value(value: Any) -> str:
    """A p-value: three decimals, or in scientific notation under 0.001."""
    if value is None or value != value:
        return "n/a"
    return f"{float(value):.3f}" if float(value) >= 0.001 else f"{float(value):.1e}"


def _share(value: Any) -> str:
    """A planned share: 50%, 33.3%."""
    return "n/a" if value is None or value != value else f"{100 * float(value):.3g}%"


def _metric_value(value: Any, kind: str) -> str:
    """A metric's value per person: a proportion as a percentage, else a number."""
    if value is None or value != value:
        return "n/a"
    return f"{float(value):.1%}" if kind == "proportion" else f"{float(value):,.3f}"


def _with_interval(value: Any, lower: Any, upper: Any, kind: str = "relative") -> str:
    """An estimate and its interval, '+3.0 [-11.2, +17.3] pp': a lift of proportions in
    percentage points, of means or ratios as a number, a relative lift in percent."""
    if value is None or value != value:
        return "n/a"

    def number(amount: Any) -> str:
        if amount is None or amount != amount:
            return "n/a"
        if kind in ("relative", "proportion"):
            return f"{100 * float(amount):+.1f}"
        return f"{float(amount):+,.3f}"

    unit = {"relative": "%", "proportion": " pp"}.get(kind, "")
    return f"{number(value)} [{number(lower)}, {number(upper)}]{unit}"


def _confidence_level(results: Any) -> float:
    """The level of the readout's intervals (1 - var experiment_alpha): from a z interval,
    lift -/+ z x standard error; 0.95 when the readout has none to read it from."""
    z_rows = results[
        (results["statistical_test"] != "welch_t_test") & (results["standard_error"] > 0)
    ].dropna(subset=["ci_upper", "absolute_lift", "standard_error"])
    if len(z_rows) == 0:
        return 0.95
    row = z_rows.iloc[0]
    z = (float(row["ci_upper"]) - float(row["absolute_lift"])) / float(row["standard_error"])
    return round(2 * statistics.NormalDist().cdf(z) - 1, 4)


# The experiment metrics' labels for their lift's unit, by metric kind.
LIFT_UNITS = {
    "proportion": "percentage points",
    "mean": "difference of the means per person",
    "ratio": "difference of the ratios",
}


def _lift_chart(results: Any) -> alt.VConcatChart:
    """Per metric (one panel each, its own scale): each variant's lift over the control with
    its interval (error bar), plain and CUPED side by side, and a rule at no lift. Lifts of
    proportions in percentage points."""
    estimates = ["plain", "CUPED"]
    panels = []
    for metric_name, rows in results.groupby("metric_name", sort=False):
        kind = str(rows["metric_kind"].iloc[0])
        scale = 100.0 if kind == "proportion" else 1.0
        long = [
            {
                "variant": row["variant"], "estimate": estimate,
                "lift": row[lift] * scale, "lower": row[lower] * scale,
                "upper": row[upper] * scale, "p_value": row[p_value],
            }
            for _, row in rows.iterrows()
            for estimate, lift, lower, upper, p_value in (
                ("plain", "absolute_lift", "ci_lower", "ci_upper", "p_value"),
                ("CUPED", "cuped_absolute_lift", "cuped_ci_lower", "cuped_ci_upper",
                 "cuped_p_value"),
            )
            if row[lift] == row[lift] and row[lift] is not None
        ]
        if not long:
            continue
        base = alt.Chart(pd.DataFrame(long)).encode(
            y=alt.Y("variant:N", title=None),
            yOffset=alt.YOffset("estimate:N", sort=estimates),
            color=alt.Color("estimate:N", sort=estimates, title="Estimate",
                            scale=alt.Scale(domain=estimates, range=["#1f77b4", "#ff7f0e"])),
            tooltip=["variant:N", "estimate:N", alt.Tooltip("lift:Q", format="+,.3f"),
                     alt.Tooltip("lower:Q", format="+,.3f"),
                     alt.Tooltip("upper:Q", format="+,.3f"),
                     alt.Tooltip("p_value:Q", format=".3g")],
        )
        zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(
            color="#525252", strokeDash=[4, 3]
        ).encode(x="zero:Q")
        bars = base.mark_errorbar(ticks=True).encode(
            x=alt.X("lower:Q", title=f"Lift ({LIFT_UNITS.get(kind, kind)})"), x2="upper:Q"
        )
        points = base.mark_point(filled=True, size=60).encode(x="lift:Q")
        role = str(rows["metric_role"].iloc[0])
        panels.append(
            alt.layer(zero, bars, points)
            .properties(title=f"{metric_name} ({role})", width=640, height={"step": 28})
        )
    return alt.vconcat(*panels).resolve_scale(x="independent")


def experiments(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """One experiment's readout: its declaration, its sample ratio test (a banner when the
    split is not the planned one) and each metric's lift over the control with its interval,
    plain and CUPED (models/reports/experiments)."""
    st.title("Experiments")
    missing = [
        relation for relation in queries.EXPERIMENT_TABLES
        if not queries.table_exists(connection, relation)
    ]
    if missing:
        st.info(f"No experiment readouts in this publication yet ({', '.join(missing)} not built).")
        return
    listed = queries.experiments(connection)
    if _is_empty(listed, "experiments", "in this publication (declare them in var experiments)"):
        return
    keys = list(listed["experiment_key"])
    # the choice is in the url (?experiment=<key>): a readout can be linked to
    key = str(st.selectbox("Experiment", keys, key="experiment", bind="query-params"))
    experiment = listed[listed["experiment_key"] == key].iloc[0]
    split = queries.experiment_split(connection, key)
    variants = ", ".join(
        f"{row.variant}{' (control)' if row.is_control else ''} {_share(row.planned_share)}"
        for row in split.itertuples()
    )
    guardrails = str(experiment["guardrail_metrics"] or "").replace(",", ", ") or "none"
    st.markdown(
        f"**Period** {experiment['starts_at']:%Y-%m-%d %H:%M} to"
        f" {experiment['ends_at']:%Y-%m-%d %H:%M} UTC (end excluded) · **Variants and planned"
        f" split** {variants} · **Attribution window** {int(experiment['attribution_window_days'])}"
        f" days after a person's first exposure · **Primary metric**"
        f" {experiment['primary_metric']} · **Guardrails** {guardrails}"
    )
    excluded = int(experiment["n_persons_multiple_variants"]) + int(
        experiment["n_persons_undeclared_variant"]
    )
    columns = st.columns(4)
    columns[0].metric("Analysed persons", _integer(experiment["n_analysed_persons"]))
    columns[1].metric("Excluded persons", _integer(excluded))
    columns[2].metric("Variants", _integer(experiment["n_variants"]))
    columns[3].metric("Sample ratio p-value", _p_value(experiment["srm_p_value"]))
    st.caption(
        "Each experiment's own period and exposed persons: the sidebar's date, channel and"
        " device filters do not apply here."
    )
    if bool(experiment["has_srm"]):
        st.error(
            f"Sample ratio mismatch: p = {_p_value(experiment['srm_p_value'])}, results not"
            " trustworthy"
        )

    st.subheader("Split: observed against planned")
    st.dataframe(
        split.assign(
            planned_share=split["planned_share"] * 100, observed_share=split["observed_share"] * 100
        ),
        height="content", hide_index=True,
        column_config={
            "variant": st.column_config.TextColumn("Variant"),
            "is_control": st.column_config.CheckboxColumn("Control"),
            "planned_share": st.column_config.NumberColumn("Planned share", format="%.1f%%"),
            "observed_share": st.column_config.NumberColumn("Observed share", format="%.1f%%"),
            "n_persons": st.column_config.NumberColumn("Analysed persons"),
            "expected_persons": st.column_config.NumberColumn(
                "Expected persons (planned share)", format="%.1f"
            ),
        },
    )
    chi_square = experiment["chi_square"]
    st.caption(
        (f"Chi-square {float(chi_square):.2f} on {int(experiment['n_variants']) - 1} degree(s) of"
         f" freedom, p = {_p_value(experiment['srm_p_value'])}"
         if chi_square == chi_square and chi_square is not None else "No chi-square test")
        + "; a mismatch when p is under var experiment_srm_p_value (0.001 by default): the"
        " assignment or the exposure logging is broken. Excluded from the readout:"
        f" {_integer(experiment['n_persons_multiple_variants'])} persons exposed to more than one"
        f" variant, {_integer(experiment['n_persons_undeclared_variant'])} to a variant the"
        " declaration does not list."
    )

    st.subheader("Readout")
    results = queries.experiment_results(connection, key)
    if _is_empty(
        results, "analysed persons", "in this experiment: no readout (nobody exposed in its"
        " period, or every exposed person excluded)",
    ):
        return
    level = _confidence_level(results)
    interval = f"{level:.0%} interval"
    table = pd.DataFrame({
        "Metric": results["metric_name"],
        "Role": results["metric_role"],
        "Kind": results["metric_kind"],
        "Variant": results["variant"],
        "Persons (variant / control)": [
            f"{_integer(row.n_persons)} / "
            + ("n/a" if row.control_n_persons != row.control_n_persons
               else _integer(row.control_n_persons))
            for row in results.itertuples()
        ],
        "Control mean": [
            _metric_value(row.control_metric_mean, row.metric_kind) for row in results.itertuples()
        ],
        "Variant mean": [
            _metric_value(row.metric_mean, row.metric_kind) for row in results.itertuples()
        ],
        f"Lift [{interval}]": [
            _with_interval(row.absolute_lift, row.ci_lower, row.ci_upper, row.metric_kind)
            for row in results.itertuples()
        ],
        f"Relative lift [{interval}]": [
            _with_interval(row.relative_lift, row.relative_ci_lower, row.relative_ci_upper)
            for row in results.itertuples()
        ],
        "p-value": [_p_value(value) for value in results["p_value"]],
        "Significant": results["is_significant"],
        f"CUPED lift [{interval}]": [
            _with_interval(
                row.cuped_absolute_lift, row.cuped_ci_lower, row.cuped_ci_upper, row.metric_kind
            )
            for row in results.itertuples()
        ],
        "CUPED variance reduction": [
            _percent(value) for value in results["cuped_variance_reduction"]
        ],
    })
    st.dataframe(table, height="content", hide_index=True)
    st.caption(
        "The primary metric first, then the guardrails, then the secondary metrics. Means per"
        " analysed person (a proportion: the share of persons; a ratio: the ratio of the sums,"
        " e.g. per session); lift: variant - control (proportions in percentage points, pp),"
        " its interval in brackets; relative lift: lift / control mean. p-value:"
        " two-proportion z-test, Welch's t-test or the delta method's z-test for a ratio;"
        f" significant: p < {1 - level:.2g}. CUPED: the lift adjusted by each person's value"
        " of the metric before exposure (a ratio linearized first); variance reduction: the share"
        " of the lift's variance it removed."
        + (" Not trustworthy: sample ratio mismatch." if bool(experiment["has_srm"]) else "")
    )
    st.subheader(f"Lift over the control with its {interval}")
    st.altair_chart(_lift_chart(results))
    st.caption(
        "Each metric on its own scale. An interval that does not cross the dashed line (no"
        " lift) goes with a significant p-value (for a proportion the p-value uses the pooled"
        " standard error, the interval the unpooled one: they can disagree at the margin)."
    )


# The classifiers' labels: what a positive is.
CLASSIFIER_LABELS = {"churn": "Churn", "upsell": "Upsell"}


def _calibration_chart(deciles: Any, title: str) -> alt.LayerChart:
    """A classifier's reliability diagram: each decile's mean prediction (x) against its
    observed share (y), a point per decile sized by its rows, and the diagonal a calibrated
    model lies on (dashed)."""
    diagonal = alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})).mark_line(
        color="#525252", strokeDash=[4, 3]
    ).encode(x="x:Q", y="y:Q")
    base = alt.Chart(deciles).encode(
        x=alt.X("mean_probability:Q", title="Mean predicted probability",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y=alt.Y("observed_share:Q", title="Observed share",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
    )
    line = base.mark_line(color="#1f77b4")
    points = base.mark_point(filled=True, color="#1f77b4").encode(
        size=alt.Size("n_rows:Q", title="Held-out rows", legend=None),
        tooltip=["probability_decile:O", "n_rows:Q",
                 alt.Tooltip("mean_probability:Q", format=".1%"),
                 alt.Tooltip("observed_share:Q", format=".1%"),
                 alt.Tooltip("lift:Q", format=".2f")],
    )
    return alt.LayerChart(layer=[diagonal, line, points], title=title, height=320)


def _audience_changes_chart(changes: Any) -> alt.Chart:
    """Entries (above the axis) and exits (below) per UTC day, stacked by audience."""
    long = pd.concat([
        changes.assign(change="entered", n_persons=changes["n_entered"]),
        changes.assign(change="exited", n_persons=-changes["n_exited"]),
    ])
    long = long[long["n_persons"] != 0]
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("change_date:T", title="Day (UTC)"),
        y=alt.Y("sum(n_persons):Q", title="Persons entered (+) / exited (-)"),
        color=alt.Color("audience_name:N", title="Audience"),
        tooltip=["change_date:T", "audience_name:N", "change:N",
                 alt.Tooltip("n_entered:Q", title="entered"),
                 alt.Tooltip("n_exited:Q", title="exited")],
    )


def predictions(connection: duckdb.DuckDBPyConnection, filters: queries.Filters) -> None:
    """The predictive models and what they feed (models/*/predictions): each classifier's
    quality on held-out rows and its calibration by decile, the learned segments and their
    profiles, the distribution of the current scores, and the audiences with their entries
    and exits."""
    st.title("Predictions")
    missing = [
        relation for relation in queries.PREDICTION_TABLES
        if not queries.table_exists(connection, relation)
    ]
    if missing:
        st.info(f"No predictions in this publication yet ({', '.join(missing)} not built).")
        return
    current = queries.current_scores(connection).iloc[0]
    segment_model = queries.segment_model(connection)
    listed = queries.audiences(connection)
    columns = st.columns(4)
    columns[0].metric("Persons scored", _integer(current["n_persons"]))
    snapshot = current["snapshot_date"]
    columns[1].metric(
        "Scoring snapshot", "n/a" if pd.isna(snapshot) else f"{snapshot:%Y-%m-%d}"
    )
    columns[2].metric(
        "Segments", "n/a" if len(segment_model) == 0
        else _integer(segment_model["cluster_count"].iloc[0])
    )
    columns[3].metric("Current audience members", _integer(listed["n_current_members"].sum()))
    st.caption(
        "The whole build: the sidebar's date, channel and device filters do not apply here."
        " Scores are taken at weekly snapshots; the current ones are those of the latest"
        " (model_sample scoring). The models, features and audiences are documented in"
        " models/*/predictions."
    )

    st.subheader("Model quality (held-out rows)")
    quality = queries.model_quality(connection)
    if not _is_empty(quality, "evaluated classifiers", "in this publication"):
        st.dataframe(
            quality.assign(
                model_name=quality["model_name"].map(lambda name: CLASSIFIER_LABELS.get(name, name)),
                beats_baseline=(quality["auc"] > quality["baseline_auc"])
                & (quality["brier_score"] < quality["base_rate_brier_score"]),
                positive_share=quality["positive_share"] * 100,
                expected_calibration_error=quality["expected_calibration_error"] * 100,
            ),
            height="content", hide_index=True,
            column_order=["model_name", "auc", "baseline_auc", "brier_score",
                          "base_rate_brier_score", "beats_baseline",
                          "expected_calibration_error", "top_decile_lift", "positive_share",
                          "n_rows", "snapshot_date", "model_version"],
            column_config={
                "model_name": st.column_config.TextColumn("Model"),
                "auc": st.column_config.NumberColumn("AUC", format="%.3f"),
                "baseline_auc": st.column_config.NumberColumn(
                    "Baseline AUC (recency)", format="%.3f"
                ),
                "brier_score": st.column_config.NumberColumn("Brier score", format="%.3f"),
                "base_rate_brier_score": st.column_config.NumberColumn(
                    "Base-rate Brier score", format="%.3f"
                ),
                "beats_baseline": st.column_config.CheckboxColumn("Beats both baselines"),
                "expected_calibration_error": st.column_config.NumberColumn(
                    "Calibration error", format="%.1f pp"
                ),
                "top_decile_lift": st.column_config.NumberColumn(
                    "Top-decile lift", format="%.2f"
                ),
                "positive_share": st.column_config.NumberColumn(
                    "Positive share", format="%.1f%%"
                ),
                "n_rows": st.column_config.NumberColumn("Held-out rows"),
                "snapshot_date": st.column_config.DateColumn("Evaluated at"),
                "model_version": st.column_config.TextColumn("Version"),
            },
        )
        st.caption(
            "On held-out rows: a later snapshot than any the model was fit on, persons it never"
            " saw. AUC: the chance a random positive scores above a random negative (0.5 is"
            " chance), beside ranking by recency alone; Brier score: the mean squared error of"
            " the probability (lower is better), beside always predicting the training share."
            " Calibration error: the row-weighted mean gap between predicted and observed share"
            " over deciles, in percentage points; top-decile lift: the observed share of the"
            " highest decile over that of all held-out rows."
        )
    if not _is_empty(segment_model, "segments model", "in this publication"):
        segments_fit = segment_model.iloc[0]
        st.markdown(
            f"**Segments** (K-means, {segments_fit['model_version']}): k ="
            f" {_integer(segments_fit['cluster_count'])} chosen by the silhouette"
            f" {float(segments_fit['silhouette']):.3f}, fit on"
            f" {_integer(segments_fit['training_rows'])} rows (persons) at the"
            f" {segments_fit['snapshot_date']:%Y-%m-%d} snapshot (a silhouette near 1: well"
            " separated segments, near 0: overlapping)."
        )

    st.subheader("Calibration by decile")
    calibration = queries.model_calibration(connection)
    if not _is_empty(calibration, "calibration deciles", "in this publication"):
        names = list(dict.fromkeys(calibration["model_name"]))
        for column, name in zip(st.columns(len(names)), names, strict=True):
            column.altair_chart(
                _calibration_chart(
                    calibration[calibration["model_name"] == name],
                    CLASSIFIER_LABELS.get(name, name),
                ),
                width="stretch",
            )
        st.caption(
            "Each point is a decile of the held-out rows by predicted probability (its size:"
            " the rows): its mean prediction against the share that turned out positive. A"
            " calibrated model lies on the dashed diagonal; above it the model under-predicts,"
            " below it over-predicts."
        )

    st.subheader("Segments")
    sizes = queries.segment_sizes(connection)
    if not _is_empty(sizes, "segments", "in this publication"):
        sizes = sizes.assign(segment=sizes["segment_number"].map(lambda number: f"Segment {number}"))
        st.altair_chart(
            alt.Chart(sizes).mark_bar().encode(
                x=alt.X("n_persons:Q", title="Persons at the scoring snapshot"),
                y=alt.Y("segment:N", sort=list(sizes["segment"]), title=None),
                tooltip=["segment:N", "n_persons:Q",
                         alt.Tooltip("person_share:Q", format=".1%")],
            ),
            width="stretch",
        )
        profiles = queries.segment_profiles(connection)
        table = profiles.pivot(
            index="feature_name", columns="segment_number",
            values=["centroid_value", "member_average"],
        )
        table.columns = [
            f"Segment {number} {'centroid' if value == 'centroid_value' else 'members'}"
            for value, number in table.columns
        ]
        ordered = [
            f"Segment {number} {kind}" for number in sizes["segment_number"]
            for kind in ("centroid", "members")
        ]
        st.dataframe(
            table.reindex(columns=[name for name in ordered if name in table.columns])
            .reset_index().rename(columns={"feature_name": "Feature"}),
            height="content", hide_index=True,
        )
        st.caption(
            "Segment 1 is the most active. Per feature (over the longest window), each"
            " segment's K-means centroid in the feature's own units beside the average of its"
            " members at the scoring snapshot."
        )

    st.subheader("Current scores")
    model_name = str(st.radio(
        "Score", list(queries.SCORE_COLUMNS),
        format_func=lambda name: f"{CLASSIFIER_LABELS.get(name, name)} probability",
        horizontal=True, key="prediction_score",
    ))
    distribution = queries.score_distribution(connection, model_name)
    if not _is_empty(
        distribution[distribution["n_persons"] > 0], "scored persons", "at the scoring snapshot"
    ):
        st.altair_chart(
            alt.Chart(distribution).mark_bar().encode(
                x=alt.X("bin_start:Q", bin="binned", title=f"{CLASSIFIER_LABELS[model_name]}"
                        " probability", axis=alt.Axis(format="%")),
                x2="bin_end:Q",
                y=alt.Y("n_persons:Q", title="Persons"),
                tooltip=[alt.Tooltip("bin_start:Q", format=".0%", title="from"),
                         alt.Tooltip("bin_end:Q", format=".0%", title="to"), "n_persons:Q"],
            ),
            width="stretch",
        )
        st.caption(
            f"{_integer(distribution['n_persons'].sum())} persons scored at the"
            f" {snapshot:%Y-%m-%d} snapshot, in bins of"
            f" {float(distribution['bin_end'].iloc[0]):.0%} (marts.fct_person_scores)."
        )

    st.subheader("Audiences")
    if not _is_empty(listed, "audiences", "in this publication (declare them in var"
                     " audience_triggers)"):
        st.altair_chart(
            alt.Chart(listed).mark_bar().encode(
                x=alt.X("n_current_members:Q", title="Current members"),
                y=alt.Y("audience_name:N", sort="-x", title=None),
                tooltip=["audience_name:N", "n_current_members:Q", "n_memberships:Q",
                         "description:N"],
            ),
            width="stretch",
        )
        st.dataframe(
            listed, height="content", hide_index=True,
            column_config={
                "audience_name": st.column_config.TextColumn("Audience"),
                "description": st.column_config.TextColumn("Description"),
                "trigger_kind": st.column_config.TextColumn("Trigger"),
                "trigger_condition": st.column_config.TextColumn("Condition"),
                "window_days": st.column_config.NumberColumn("Window (days)"),
                "cooldown_days": st.column_config.NumberColumn("Cooldown (days)"),
                "n_current_members": st.column_config.NumberColumn("Current members"),
                "n_memberships": st.column_config.NumberColumn("Memberships"),
                "n_persons": st.column_config.NumberColumn("Persons ever in"),
            },
        )
        changes = queries.audience_changes_daily(connection)
        if not _is_empty(changes, "audience entries or exits", "in this publication"):
            st.altair_chart(_audience_changes_chart(changes), width="stretch")
            st.caption(
                "Current members: memberships still open at the data clock. Entries and exits"
                " per UTC day (marts.fct_audience_changes, what `bawh activate` sends): a person"
                " back within the audience's cooldown stays in the same membership."
            )


# url path -> (title, page); the browser tests open every one of them.
PAGES: dict[str, tuple[str, Page]] = {
    "overview": ("Overview", overview),
    "traffic": ("Users and sessions", traffic),
    "channels": ("Channels", channels),
    "correlations": ("Correlation heatmap", correlations),
    "retention": ("Retention", retention),
    "funnel": ("Funnel", funnel),
    "adoption": ("Feature adoption", adoption),
    "friction": ("Friction and clicks", friction),
    "segments": ("Segments", segments),
    "health": ("Data health", health),
    "experiments": ("Experiments", experiments),
    "predictions": ("Predictions", predictions),
}


def _guarded(page: Page) -> Callable[[], None]:
    """Run a page against a fresh read-only connection; turn failures into messages."""

    def render() -> None:
        try:
            connection = queries.connect()
        except FileNotFoundError as error:
            st.info(str(error))
            return
        with connection:
            try:
                filters = _sidebar_filters(connection)
                page(connection, filters)
            except queries.MissingTable as missing:
                st.info(f"{missing.args[0]} is not in this publication: nothing to show here.")
            except duckdb.Error as error:
                st.warning(f"This page could not be read from the publication: {error}")
            except Exception as error:  # a message for the reader, not a stack trace
                st.error(f"This page failed: {type(error).__name__}: {error}")

    return render


def main() -> None:
    """Lay out the navigation and run the selected page."""
    st.set_page_config(page_title="Behavioral warehouse", layout="wide")
    navigation = st.navigation([
        st.Page(_guarded(page), title=title, url_path=path, default=(path == "overview"))
        for path, (title, page) in PAGES.items()
    ])
    navigation.run()


main()
