"""Print what a build produced: rows read, quarantined and duplicated, sessions, persons, data
health, experiments, the predictive models' quality and the audiences."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb


@dataclass(frozen=True)
class BuildSummary:
    """Headline numbers of one build of the warehouse."""

    warehouse: Path
    n_raw_rows: int
    n_clean_events: int
    n_quarantined_rows: int
    n_duplicate_rows: int
    quarantine_reasons: dict[str, int]
    n_sessions: int
    n_persons: int
    engagement_rate: float | None
    health: DataHealth
    experiments: list[ExperimentReadout]
    predictions: Predictions
    tables: dict[str, list[str]]  # schema (marts, reports) -> table names built in it


@dataclass(frozen=True)
class DataHealth:
    """What the data-health reports found (models/reports/health/)."""

    n_error_anomalies: int
    n_warn_anomalies: int
    n_stale_event_names: int  # freshness not 'ok'
    n_event_names: int
    hours_since_received: float  # from the newest event's arrival to the freshness as-of time
    n_schema_changes: int


@dataclass(frozen=True)
class ExperimentReadout:
    """One variant of an experiment against its control on the experiment's primary metric
    (reports.rpt_experiment_results)."""

    experiment_key: str
    metric_name: str
    metric_kind: str  # proportion, mean, ratio
    variant: str
    n_persons: int
    control_n_persons: int
    control_mean: float | None
    mean: float | None
    absolute_lift: float | None
    ci_lower: float | None
    ci_upper: float | None
    p_value: float | None
    is_trustworthy: bool


@dataclass(frozen=True)
class ClassifierQuality:
    """A classifier's figures on its held-out rows (reports.rpt_model_evaluation)."""

    model_name: str
    auc: float | None
    baseline_auc: float | None
    brier_score: float
    base_rate_brier_score: float
    expected_calibration_error: float
    n_rows: int


@dataclass(frozen=True)
class Predictions:
    """The predictive models' quality and the audiences' current members
    (models/*/predictions/)."""

    classifiers: list[ClassifierQuality]
    n_segments: int | None  # null when the segments model was not fit
    silhouette: float | None
    n_segmented_persons: int
    current_members: dict[str, int]  # audience -> persons in it now, every declared audience


def read_summary(warehouse: Path) -> BuildSummary:
    """Query the built marts of a DuckDB warehouse file (read-only)."""
    if not warehouse.exists():
        raise FileNotFoundError(f"No warehouse at {warehouse}: run `make run` first.")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        try:
            return _query_summary(connection, warehouse)
        except duckdb.CatalogException as error:
            raise FileNotFoundError(
                f"The warehouse at {warehouse} is not fully built ({error}): run `make run`."
            ) from error


def _query_summary(connection: duckdb.DuckDBPyConnection, warehouse: Path) -> BuildSummary:
    """The headline numbers, from the reconciliation report and the marts."""
    n_raw, n_clean, n_quarantined, n_duplicates = _fetch_one(
        connection,
        "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows"
        " from reports.rpt_event_reconciliation",
    )
    reasons = dict(
        connection.execute(
            "select invalid_reason, count(*) from intermediate.int_events_quarantined"
            " group by invalid_reason order by count(*) desc, invalid_reason"
        ).fetchall()
    )
    n_sessions, n_engaged = _fetch_one(
        connection, "select count(*), count(case when is_engaged then 1 end) from marts.fct_sessions"
    )
    (n_persons,) = _fetch_one(connection, "select count(*) from marts.dim_persons")
    health = _query_health(connection)
    experiments = [
        ExperimentReadout(*row)
        for row in connection.execute(
            "select experiment_key, metric_name, metric_kind, variant, n_persons, control_n_persons,"
            " control_metric_mean, metric_mean, absolute_lift, ci_lower, ci_upper, p_value,"
            " is_trustworthy from reports.rpt_experiment_results"
            " where metric_role = 'primary' and not is_control order by experiment_key, variant"
        ).fetchall()
    ]
    predictions = _query_predictions(connection)
    tables: dict[str, list[str]] = {"marts": [], "reports": []}
    for schema, name in connection.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in ('marts', 'reports') order by table_schema, table_name"
    ).fetchall():
        tables[schema].append(name)
    return BuildSummary(
        warehouse=warehouse.resolve(),
        n_raw_rows=n_raw,
        n_clean_events=n_clean,
        n_quarantined_rows=n_quarantined,
        n_duplicate_rows=n_duplicates,
        quarantine_reasons=reasons,
        n_sessions=n_sessions,
        n_persons=n_persons,
        engagement_rate=n_engaged / n_sessions if n_sessions else None,
        health=health,
        experiments=experiments,
        predictions=predictions,
        tables=tables,
    )


def _query_health(connection: duckdb.DuckDBPyConnection) -> DataHealth:
    """The anomalies by severity, the stale event names and the landing schema changes."""
    n_error, n_warn = _fetch_one(
        connection,
        "select count(case when severity = 'error' then 1 end),"
        " count(case when severity = 'warn' then 1 end) from reports.rpt_data_anomalies",
    )
    n_stale, n_names = _fetch_one(
        connection,
        "select count(case when freshness_status <> 'ok' then 1 end), count(*)"
        " from reports.rpt_data_freshness where event_name <> 'all'",
    )
    (hours,) = _fetch_one(
        connection, "select hours_since_received from reports.rpt_data_freshness where event_name = 'all'"
    )
    (n_changes,) = _fetch_one(connection, "select count(*) from reports.rpt_landing_schema_changes")
    return DataHealth(n_error, n_warn, n_stale, n_names, hours, n_changes)


def _query_predictions(connection: duckdb.DuckDBPyConnection) -> Predictions:
    """Each classifier's held-out figures, the segments' k and silhouette, the members of
    each audience at the data clock."""
    metrics: dict[str, dict[str, tuple[float, int | None]]] = {}
    for model_name, metric_name, value, n_rows in connection.execute(
        "select model_name, metric_name, metric_value, n_rows from reports.rpt_model_evaluation"
    ).fetchall():
        metrics.setdefault(model_name, {})[metric_name] = (value, n_rows)
    classifiers = [
        ClassifierQuality(
            model_name=name,
            auc=figures["auc"][0],
            baseline_auc=figures["baseline_auc"][0],
            brier_score=figures["brier_score"][0],
            base_rate_brier_score=figures["base_rate_brier_score"][0],
            expected_calibration_error=figures["expected_calibration_error"][0],
            n_rows=int(figures["auc"][1] or 0),
        )
        for name, figures in sorted(metrics.items())
        if name != "segments"
    ]
    segments = metrics.get("segments", {})
    (n_segmented,) = _fetch_one(
        connection,
        "select count(segment_number) from marts.fct_person_scores where model_sample = 'scoring'",
    )
    members = dict(
        connection.execute(
            "select audiences.audience_name, count(memberships.membership_id)"
            " from marts.dim_audiences as audiences left join marts.fct_audience_memberships as memberships"
            " on audiences.audience_name = memberships.audience_name and memberships.is_current"
            " group by audiences.audience_name order by audiences.audience_name"
        ).fetchall()
    )
    return Predictions(
        classifiers=classifiers,
        n_segments=int(segments["cluster_count"][0]) if "cluster_count" in segments else None,
        silhouette=segments["silhouette"][0] if "silhouette" in segments else None,
        n_segmented_persons=n_segmented,
        current_members=members,
    )


def _fetch_one(connection: duckdb.DuckDBPyConnection, query: str) -> tuple[Any, ...]:
    """The first row of ``query``; an error if it returns no row."""
    row = connection.execute(query).fetchone()
    if row is None:
        raise RuntimeError(f"Expected a row, got none from: {query}")
    return row


def format_summary(summary: BuildSummary) -> str:
    """Human-readable block for the terminal."""
    reasons = ", ".join(f"{reason} {count:,}" for reason, count in summary.quarantine_reasons.items())
    rate = "n/a (no sessions)" if summary.engagement_rate is None else f"{summary.engagement_rate:.1%}"
    lines = [
        "Behavioral warehouse built (DuckDB)",
        f"  events read        {summary.n_raw_rows:>12,}",
        f"  clean events       {summary.n_clean_events:>12,}",
        f"  quarantined        {summary.n_quarantined_rows:>12,}" + (f"  ({reasons})" if reasons else ""),
        f"  duplicates         {summary.n_duplicate_rows:>12,}",
        f"  sessions           {summary.n_sessions:>12,}",
        f"  persons            {summary.n_persons:>12,}",
        f"  engagement rate    {rate:>12}",
        *_health_lines(summary.health),
        *_experiment_lines(summary.experiments),
        *_prediction_lines(summary.predictions),
        f"  warehouse file     {summary.warehouse}",
        *_table_lines("marts", summary.tables.get("marts", [])),
        *_table_lines("reports", summary.tables.get("reports", [])),
        "  quarantine         intermediate.int_events_quarantined, intermediate.int_support_rows_quarantined",
    ]
    return "\n".join(lines)


def _health_lines(health: DataHealth) -> list[str]:
    """Two lines: what the data-health reports found, and where to look."""
    return [
        f"  data health        {health.n_error_anomalies:,} error and {health.n_warn_anomalies:,} warn"
        f" anomalies, {health.n_stale_event_names} of {health.n_event_names} event names stale,"
        f" {health.n_schema_changes} landing schema changes",
        f"                     newest event received {health.hours_since_received:,.1f} h before the"
        " check; `bawh monitor` sends the alerts",
    ]


def _experiment_lines(readouts: list[ExperimentReadout]) -> list[str]:
    """One line per variant of each experiment on its primary metric: the means, the lift
    with its 95% interval (points for a rate), the p-value, a warning when untrustworthy."""
    if not readouts:
        return ["  experiments        none declared (var experiments)"]
    lines: list[str] = []
    for r in readouts:
        is_rate = r.metric_kind != "mean"

        def value(x: float | None, *, signed: bool = False, is_rate: bool = is_rate) -> str:
            if x is None:
                return "n/a"
            sign = "+" if signed else ""
            return f"{100 * x:{sign}.1f}" + (" pts" if signed else "%") if is_rate else f"{x:{sign},.2f}"

        verdict = (
            "sample ratio mismatch: not trustworthy"
            if not r.is_trustworthy
            else ("n/a" if r.p_value is None else f"p = {r.p_value:.3f}")
        )
        lines.append(
            f"  {'experiments' if not lines else '':<17}  {r.experiment_key} {r.metric_name}: {r.variant}"
            f" {value(r.mean)} vs {value(r.control_mean)} ({r.n_persons:,} vs {r.control_n_persons:,}"
            f" persons), {value(r.absolute_lift, signed=True)}"
            f" [{value(r.ci_lower, signed=True)}, {value(r.ci_upper, signed=True)}], {verdict}"
        )
    return lines


def _prediction_lines(predictions: Predictions) -> list[str]:
    """One line per classifier (held-out AUC beside recency alone, Brier beside the base
    rate, calibration error), one for the segments, one for the audiences' members now."""
    lines = [
        f"  {'predictions' if i == 0 else '':<17}  {c.model_name}: AUC {_figure(c.auc, '.2f')}"
        f" (recency alone {_figure(c.baseline_auc, '.2f')}), Brier {c.brier_score:.3f}"
        f" (base rate {c.base_rate_brier_score:.3f}), calibration error"
        f" {c.expected_calibration_error:.3f}, on {c.n_rows:,} held-out persons"
        for i, c in enumerate(predictions.classifiers)
    ]
    segments = (
        "segments: not fit (too few persons)"
        if predictions.n_segments is None
        else f"segments: {predictions.n_segments} by K-means"
        f" (silhouette {_figure(predictions.silhouette, '.2f')})"
        f" over {predictions.n_segmented_persons:,} persons"
    )
    if not lines:
        lines = ["  predictions        churn and upsell: not trained (too few labelled snapshots)"]
    lines.append(" " * 21 + segments)
    members = ", ".join(f"{name} {count:,}" for name, count in predictions.current_members.items())
    lines.append(
        f"  audiences          {members or 'none declared (var audience_triggers)'}"
        + (" current members; `bawh activate` sends the changes" if members else "")
    )
    return lines


def _figure(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _table_lines(schema: str, names: list[str]) -> list[str]:
    """'  <schema>  <schema>.a, b, c', wrapped under itself."""
    if not names:
        return [f"  {schema:<17}  (none built)"]
    first, *rest = textwrap.wrap(f"{schema}." + ", ".join(names), width=72)
    return [f"  {schema:<17}  {first}", *(" " * 21 + line for line in rest)]
