"""Every worked analysis in analyses/ compiles with dbt and runs against the built demo warehouse.

The demo warehouse is built once (module fixture). Each analysis is compiled by dbt and its
SQL run against the DuckDB file; generic checks apply to all (rows come back; every column
named *_rate is a fraction within [0, 1]) and CHECKS adds checks per analysis. An analysis
with no entry in CHECKS fails the test: nothing in analyses/ goes unchecked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_DIR, DbtRun

ANALYSES = sorted(path.stem for path in (PROJECT_DIR / "analyses").glob("*.sql"))


@dataclass(frozen=True)
class Result:
    """An analysis's rows (as dicts) and the warehouse to cross-check them against."""

    rows: list[dict[str, Any]]
    run: DbtRun

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.rows]

    def scalar(self, sql: str) -> Any:
        return self.run.query(sql)[0][0]


Check = Callable[[Result], None]


def _is_close(left: float, right: float) -> bool:
    return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-9)


def _check_engagement_by_first_touch_source(result: Result) -> None:
    # every person with a session is in exactly one first-touch source
    assert sum(result.column("n_persons")) == result.scalar("select count(*) from marts.dim_persons")
    assert sum(result.column("n_sessions")) == result.scalar("select count(*) from marts.fct_sessions")
    assert len(set(result.column("first_touch_source"))) == len(result.rows)


def _check_engagement_per_user(result: Result) -> None:
    persons = result.column("person_id")
    assert len(set(persons)) == len(persons)
    assert len(persons) == result.scalar("select count(*) from marts.dim_persons")
    assert sum(result.column("n_sessions")) == result.scalar("select count(*) from marts.fct_sessions")
    assert sum(result.column("n_conversions")) == result.scalar(
        "select sum(n_conversions) from marts.fct_sessions"
    )
    for row in result.rows:
        assert row["n_converting_sessions"] <= row["n_sessions"]
        assert _is_close(row["session_conversion_rate"], row["n_converting_sessions"] / row["n_sessions"])
        assert row["avg_session_seconds"] >= 0


def _check_support_recommendation_aggregation(result: Result) -> None:
    assert set(result.column("recommendation_type")) <= {"Podcast", "Blog", "Video"}
    assert sum(result.column("n_recommendations")) == result.scalar(
        "select count(*) from marts.fct_support_recommendations"
    )
    assert _is_close(sum(result.column("recommendation_share_rate")), 1.0)
    for row in result.rows:
        assert 0.0 <= row["avg_click_through_rate"] <= 1.0
        assert 1.0 <= row["avg_feedback_score"] <= 5.0
        assert row["n_users"] <= row["n_recommendations"]


def _check_support_top_moderators(result: Result) -> None:
    assert 1 <= len(result.rows) <= 10
    ranks = result.column("performance_rank")
    scores = result.column("performance_score")
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 100.0 for score in scores)
    best = result.scalar("select max(performance_score) from marts.dim_moderators")
    assert _is_close(scores[0], best)
    for name in ("user_satisfaction_component", "response_time_component", "chat_sessions_component"):
        assert all(0.0 <= value <= 1.0 for value in result.column(name)), name


def _check_support_engagement_per_user(result: Result) -> None:
    users = result.column("user_id")
    assert len(set(users)) == len(users)
    assert sum(result.column("n_sessions")) == result.scalar(
        "select count(*) from marts.fct_support_sessions"
    )
    for row in result.rows:
        assert row["n_click_sessions"] <= row["n_sessions"]
        assert 0.0 <= row["avg_engagement_score"] <= 100.0
        assert row["avg_session_length_minutes"] > 0


def _check_channel_metrics_correlation(result: Result) -> None:
    metrics = sorted(set(result.column("metric_a")))
    assert len(metrics) == 8 and sorted(set(result.column("metric_b"))) == metrics
    correlation = {
        (row["metric_a"], row["metric_b"]): row["correlation_coefficient"] for row in result.rows
    }
    assert len(correlation) == len(result.rows) == len(metrics) ** 2
    n_hours = result.scalar("select count(*) from reports.rpt_channel_traffic_hourly where sessions > 0")
    assert set(result.column("n_hours")) == {n_hours}
    for (a, b), value in correlation.items():
        assert -1.0 - 1e-12 <= value <= 1.0 + 1e-12, (a, b, value)
        assert _is_close(value, correlation[(b, a)])
        if a == b:
            assert _is_close(value, 1.0), a
    # one pair recomputed in Python from the report
    pairs = result.run.query(
        "select sessions, event_count from reports.rpt_channel_traffic_hourly where sessions > 0"
    )
    xs, ys = [float(x) for x, _ in pairs], [float(y) for _, y in pairs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    spread = math.sqrt(sum((x - mean_x) ** 2 for x in xs) * sum((y - mean_y) ** 2 for y in ys))
    assert math.isclose(correlation[("sessions", "event_count")], covariance / spread, rel_tol=1e-9)


def _check_retention_by_acquisition_channel(result: Result) -> None:
    """Recomputed in Python from dim_persons and fct_person_days."""
    persons = dict(result.run.query("select person_id, first_seen_date from marts.dim_persons"))
    channel = dict(result.run.query("select person_id, first_touch_channel_group from marts.dim_persons"))
    days = result.run.query("select person_id, activity_date from marts.fct_person_days")
    last = max(day for _, day in days)
    active_weeks = {(person, (day - persons[person]).days // 7) for person, day in days}
    expected: dict[tuple[str, int], list[int]] = {}
    for person, first_seen in persons.items():
        for week in range(5):
            if (last - first_seen).days >= week * 7 + 6:
                counts = expected.setdefault((channel[person], week), [0, 0])
                counts[0] += 1
                counts[1] += (person, week) in active_weeks
    actual = {
        (row["first_touch_channel_group"], row["week_number"]): [row["n_persons"], row["n_retained"]]
        for row in result.rows
    }
    assert actual == expected
    assert all(_is_close(row["retention_rate"], 1.0) for row in result.rows if row["week_number"] == 0)


def _check_top_bottleneck_page_sections(result: Result) -> None:
    ranks = result.column("section_friction_rank")
    assert ranks == list(range(1, len(ranks) + 1)) and len(ranks) <= 10
    affected = result.column("n_persons_affected")
    assert affected == sorted(affected, reverse=True)
    page_views = dict(result.run.query("select page_path, n_page_views from reports.rpt_page_friction"))
    for row in result.rows:
        assert row["n_error_clicks"] + row["n_rage_clicks"] > 0
        assert row["n_page_views"] == page_views.get(row["page_path"])


# One entry per analyses/*.sql: an analysis added without its checks fails the test.
CHECKS: dict[str, Check] = {
    "channel_metrics_correlation": _check_channel_metrics_correlation,
    "retention_by_acquisition_channel": _check_retention_by_acquisition_channel,
    "top_bottleneck_page_sections": _check_top_bottleneck_page_sections,
    "engagement_by_first_touch_source": _check_engagement_by_first_touch_source,
    "engagement_per_user": _check_engagement_per_user,
    "support_engagement_per_user": _check_support_engagement_per_user,
    "support_recommendation_aggregation": _check_support_recommendation_aggregation,
    "support_top_moderators": _check_support_top_moderators,
}


@pytest.fixture(scope="module")
def demo_warehouse(demo_build: DbtRun) -> tuple[DbtRun, Path]:
    """The shared demo warehouse and the folder of its compiled analyses."""
    target = demo_build.warehouse.parent / "target"
    return demo_build, target / "compiled" / "behavioral_warehouse" / "analyses"


def test_there_are_analyses_to_check() -> None:
    assert "engagement_by_first_touch_source" in ANALYSES and len(ANALYSES) >= 5


@pytest.mark.parametrize("name", ANALYSES)
def test_analysis_runs_and_passes_its_checks(name: str, demo_warehouse: tuple[DbtRun, Path]) -> None:
    assert name in CHECKS, f"register checks for analyses/{name}.sql in CHECKS"
    run, compiled_dir = demo_warehouse
    sql = (compiled_dir / f"{name}.sql").read_text()
    assert "{{" not in sql and "{%" not in sql, "the analysis was not compiled"
    import duckdb

    with duckdb.connect(str(run.warehouse), read_only=True) as connection:
        cursor = connection.execute(sql)
        columns = [description[0] for description in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    assert rows, f"{name} returned no rows"
    for column in columns:
        if column.endswith("_rate"):
            values = [row[column] for row in rows if row[column] is not None]
            assert values, f"{name}.{column} is always null"
            assert all(0.0 <= float(value) <= 1.0 for value in values), f"{name}.{column} outside [0, 1]"
    CHECKS[name](Result(rows, run))
