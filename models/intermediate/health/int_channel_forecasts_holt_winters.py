"""The daily channel forecasts (the columns of int_channel_forecasts) by statsmodels' damped
additive Holt-Winters with a weekly season, fit on each series up to each origin: the last
data_health_forecast_backtest_days days of the history and its last day. Built instead of
the seasonal median when var data_health_forecast_method is holt_winters (the `forecast`
extra; a dbt Python model, so DuckDB only). An origin needs MIN_HISTORY_DAYS days before it.
"""

import datetime
import warnings

import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

MIN_HISTORY_DAYS = 28  # four weekly seasons
SEASON_DAYS = 7


def forecast(history: list[float], horizon_days: int) -> list[float]:
    """The next horizon_days values of the series, at least 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on short or flat series
        fitted = ExponentialSmoothing(
            history, trend="add", damped_trend=True, seasonal="add", seasonal_periods=SEASON_DAYS
        ).fit()
    return [max(float(value), 0.0) for value in fitted.forecast(horizon_days)]


def model(dbt, session):
    dbt.config(materialized="table")
    horizon_days = int(dbt.config.get("forecast_days"))
    backtest_days = int(dbt.config.get("backtest_days"))
    days = dbt.ref("int_channel_days_counted").df()
    rows = []
    for (metric, channel_group), series in days.groupby(["metric", "channel_group"]):
        series = series.sort_values("day_number")
        values = series["observed"].astype(float).tolist()
        dates = series["activity_date"].tolist()
        last = len(values) - 1
        for origin in range(max(MIN_HISTORY_DAYS - 1, last - backtest_days), last + 1):
            predicted = forecast(values[: origin + 1], horizon_days)
            for horizon, expected in enumerate(predicted, start=1):
                target = origin + horizon
                rows.append({
                    "metric": metric,
                    "channel_group": channel_group,
                    "origin_date": dates[origin],
                    "horizon_days": horizon,
                    "target_date": dates[origin] + datetime.timedelta(days=horizon),
                    "n_baseline_weeks": (origin + 1) // SEASON_DAYS,
                    "expected": expected,
                    "observed": int(values[target]) if target <= last else None,
                })
    columns = [
        "metric", "channel_group", "origin_date", "horizon_days", "target_date",
        "n_baseline_weeks", "expected", "observed",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"horizon_days": "int32", "n_baseline_weeks": "int32", "observed": "Int64"})
