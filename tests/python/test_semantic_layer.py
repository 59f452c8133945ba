"""Semantic layer: `mf query` (MetricFlow) returns the numbers the marts give directly.

The shared generated data set (nine weeks, so week-4 retention has complete cohorts) built by dbt;
then each metric is queried through `mf query` as an analyst would, and compared with the same
number computed from the marts: in SQL for the session, funnel and adoption metrics, in plain
Python from marts.fct_person_days for active persons and retention. The experiment metrics
are queried on the demo warehouse (the generated events have no experiment exposures; the
demo's have the three experiments of var experiments) and compared with the readout
(reports.rpt_experiment_results) and the exposures mart; so are the prediction metrics, against
marts.fct_person_scores and the audience marts. Counts and revenue must be equal, rates and
means within 1e-9.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

import pytest

from conftest import SHARED_CONFIG, DbtRun, GeneratedBuild, SemanticLayer, assert_rates_equal, rate

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def layer(generated_build: Callable[..., GeneratedBuild]) -> SemanticLayer:
    build = generated_build()
    return SemanticLayer(build.run, build.work_dir)


def test_validate_configs_passes_against_the_warehouse(layer: SemanticLayer) -> None:
    completed = layer.mf("validate-configs")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "ERRORS: 0" in output and "ERRORS: 1" not in output, output


def test_session_metrics_by_channel_group_equal_the_mart(layer: SemanticLayer) -> None:
    metrics = [
        "sessions", "engaged_sessions", "bounced_sessions", "converted_sessions", "events",
        "revenue", "engagement_rate", "bounce_rate", "conversion_rate", "events_per_session",
        "average_session_duration_seconds",
    ]
    rows = layer.query(metrics, ["session__channel_group"])
    expected = layer.run.query(
        """
        select
            channel_group,
            count(*),
            count(case when is_engaged then 1 end),
            count(case when is_bounce then 1 end),
            count(case when has_conversion then 1 end),
            sum(n_events),
            cast(coalesce(sum(revenue), 0) as varchar),
            sum(cast(duration_seconds as double))
        from marts.fct_sessions
        group by channel_group
        """
    )
    assert len(expected) >= 4, "the generated data should reach several channel groups"
    by_channel = {row["session__channel_group"]: row for row in rows}
    assert by_channel.keys() == {row[0] for row in expected}
    for channel, n, engaged, bounced, converted, events, revenue, duration in expected:
        row = by_channel[channel]
        counts = [int(row[name]) for name in ("sessions", "engaged_sessions", "bounced_sessions",
                                              "converted_sessions", "events")]
        assert counts == [n, engaged, bounced, converted, events], channel
        assert Decimal(row["revenue"]) == Decimal(revenue), channel
        assert_rates_equal(
            {name: rate(row[name]) for name in metrics[6:]},
            {
                "engagement_rate": engaged / n,
                "bounce_rate": bounced / n,
                "conversion_rate": converted / n,
                "events_per_session": events / n,
                "average_session_duration_seconds": duration / n,
            },
        )


def test_engagement_rate_by_device_equals_the_mart(layer: SemanticLayer) -> None:
    rows = layer.query(["engagement_rate"], ["session__device_type"])
    expected = layer.run.query(
        """
        select device_type, count(case when is_engaged then 1 end) / count(*)
        from marts.fct_sessions
        group by device_type
        """
    )
    assert_rates_equal(
        {row["session__device_type"]: rate(row["engagement_rate"]) for row in rows},
        {device: value for device, value in expected},
    )


def test_revenue_and_sessions_by_day_equal_the_mart(layer: SemanticLayer) -> None:
    rows = layer.query(["revenue", "sessions"], ["metric_time__day"])
    expected = layer.run.query(
        """
        select session_date, cast(coalesce(sum(revenue), 0) as varchar), count(*)
        from marts.fct_sessions
        group by session_date
        """
    )
    assert len(expected) == SHARED_CONFIG.days
    actual = {
        row["metric_time__day"][:10]: (Decimal(row["revenue"] or "0"), int(row["sessions"]))
        for row in rows
    }
    assert actual == {
        day.isoformat(): (Decimal(revenue), n) for day, revenue, n in expected
    }


def test_sessions_by_segment_and_cohort_join_through_the_person(layer: SemanticLayer) -> None:
    rows = layer.query(["sessions"], ["person__segment", "person__cohort__week"])
    expected = layer.run.query(
        """
        select
            dim_person_segments.primary_segment,
            cast(date_trunc('week', dim_persons.first_seen_date) as date),
            count(*)
        from marts.fct_sessions
        inner join marts.dim_persons
            on fct_sessions.person_id = dim_persons.person_id
        inner join marts.dim_person_segments
            on fct_sessions.person_id = dim_person_segments.person_id
        group by 1, 2
        """
    )
    assert len({segment for segment, _, _ in expected}) >= 3
    actual = {
        (row["person__segment"], row["person__cohort__week"][:10]): int(row["sessions"])
        for row in rows
    }
    assert actual == {(segment, week.isoformat()): n for segment, week, n in expected}


def person_days(layer: SemanticLayer) -> dict[datetime.date, set[str]]:
    persons_by_day: dict[datetime.date, set[str]] = defaultdict(set)
    for person_id, day in layer.run.query("select person_id, activity_date from marts.fct_person_days"):
        persons_by_day[day].add(person_id)
    return persons_by_day


def test_active_persons_are_trailing_windows_of_person_days(layer: SemanticLayer) -> None:
    persons_by_day = person_days(layer)
    first, last = min(persons_by_day), max(persons_by_day)
    rows = layer.query(
        ["daily_active_persons", "weekly_active_persons", "monthly_active_persons"],
        ["metric_time__day"],
        "--start-time", first.isoformat(), "--end-time", last.isoformat(),
    )

    def active(day: datetime.date, window_days: int) -> int:
        window = (day - datetime.timedelta(days=offset) for offset in range(window_days))
        return len(set().union(*(persons_by_day.get(other, set()) for other in window)))

    actual = {
        row["metric_time__day"][:10]: (
            int(row["daily_active_persons"]),
            int(row["weekly_active_persons"]),
            int(row["monthly_active_persons"]),
        )
        for row in rows
    }
    days = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
    expected = {day.isoformat(): (active(day, 1), active(day, 7), active(day, 28)) for day in days}
    assert actual == expected
    # and the same as the report analysts already read
    report = layer.run.query("select activity_date, dau, wau, mau from reports.rpt_active_persons_daily")
    assert {day.isoformat(): (dau, wau, mau) for day, dau, wau, mau in report} == expected


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def test_retention_weeks_1_and_4_equal_person_days(layer: SemanticLayer) -> None:
    persons_by_day = person_days(layer)
    active_weeks: dict[str, set[datetime.date]] = defaultdict(set)
    for day, persons in persons_by_day.items():
        for person in persons:
            active_weeks[person].add(week_start(day))
    last_week = week_start(max(persons_by_day))
    cohorts: dict[datetime.date, list[str]] = defaultdict(list)
    for person, weeks in active_weeks.items():
        cohorts[min(weeks)].append(person)

    def retention(cohort: datetime.date, period: int) -> tuple[int, int] | None:
        """(retained, cohort size), None while week `period` has not fully elapsed."""
        target = cohort + datetime.timedelta(weeks=period)
        if target >= last_week:  # the last data week is still in progress
            return None
        members = cohorts[cohort]
        return sum(target in active_weeks[person] for person in members), len(members)

    for period, metric in ((1, "retention_week_1"), (4, "retention_week_4")):
        per_cohort = {cohort: retention(cohort, period) for cohort in cohorts}
        complete = {cohort: pair for cohort, pair in per_cohort.items() if pair is not None}
        assert len(complete) >= 2, f"the data should give complete cohorts for week {period}"
        rows = layer.query([metric], ["metric_time__week"])
        assert_rates_equal(
            {row["metric_time__week"][:10]: rate(row[metric]) for row in rows if row[metric]},
            {cohort.isoformat(): kept / size for cohort, (kept, size) in complete.items()},
        )
        # all cohorts together: retained persons over cohort persons, not a mean of rates
        (overall,) = layer.query([metric], [])
        kept_total = sum(kept for kept, _ in complete.values())
        size_total = sum(size for _, size in complete.values())
        assert_rates_equal({"all": rate(overall[metric])}, {"all": kept_total / size_total})


def test_feature_adoption_rate_equals_the_report(layer: SemanticLayer) -> None:
    rows = layer.query(
        ["feature_adoption_rate"], ["feature_period__feature_name", "metric_time__week"]
    )
    expected = layer.run.query(
        """
        select feature_name, period_start, cast(n_adopters as double) / n_active_persons
        from reports.rpt_feature_adoption_weekly
        """
    )
    assert len(expected) >= 10
    assert_rates_equal(
        {
            (row["feature_period__feature_name"], row["metric_time__week"][:10]):
                rate(row["feature_adoption_rate"])
            for row in rows
        },
        {(feature, week.isoformat()): value for feature, week, value in expected},
    )


def test_funnel_conversion_rate_equals_the_mart_and_the_step_report(layer: SemanticLayer) -> None:
    rows = layer.query(
        ["funnel_entries", "funnel_conversions", "funnel_conversion_rate"],
        ["person_funnel__funnel_name"],
    )
    expected = layer.run.query(
        """
        select funnel_name, count(*), count(case when is_converted then 1 end)
        from marts.fct_person_funnels
        group by funnel_name
        """
    )
    by_funnel = {row["person_funnel__funnel_name"]: row for row in rows}
    assert by_funnel.keys() == {funnel for funnel, _, _ in expected}
    last_steps = dict(
        layer.run.query(
            """
            select funnel_name, conversion_rate_from_first
            from reports.rpt_funnel_steps
            where step_number = (
                select max(steps.step_number)
                from reports.rpt_funnel_steps as steps
                where steps.funnel_name = rpt_funnel_steps.funnel_name
            )
            """
        )
    )
    for funnel, entries, conversions in expected:
        row = by_funnel[funnel]
        assert (int(row["funnel_entries"]), int(row["funnel_conversions"])) == (entries, conversions)
        assert conversions > 0, funnel
        assert_rates_equal(
            {funnel: rate(row["funnel_conversion_rate"])},
            {funnel: conversions / entries},
        )
        assert_rates_equal({funnel: rate(row["funnel_conversion_rate"])}, {funnel: last_steps[funnel]})


def test_new_persons_by_cohort_and_funnels_by_entry_channel_equal_the_marts(
    layer: SemanticLayer,
) -> None:
    rows = layer.query(["new_persons"], ["metric_time__week"])
    expected = layer.run.query(
        """
        select cast(date_trunc('week', first_seen_date) as date), count(*)
        from marts.dim_persons
        group by 1
        """
    )
    assert sum(n for _, n in expected) == SHARED_CONFIG.persons
    assert {row["metric_time__week"][:10]: int(row["new_persons"]) for row in rows} == {
        week.isoformat(): n for week, n in expected
    }
    # the funnel entry joins its entry session: conversion by the entry session's channel
    rows = layer.query(
        ["funnel_entries", "funnel_conversion_rate"],
        ["person_funnel__funnel_name", "session__channel_group"],
    )
    expected = layer.run.query(
        """
        select
            fct_person_funnels.funnel_name,
            fct_sessions.channel_group,
            count(*),
            count(case when fct_person_funnels.is_converted then 1 end) / count(*)
        from marts.fct_person_funnels
        inner join marts.fct_sessions
            on fct_person_funnels.entry_session_id = fct_sessions.session_id
        group by 1, 2
        """
    )
    actual = {
        (row["person_funnel__funnel_name"], row["session__channel_group"]): row for row in rows
    }
    assert actual.keys() == {(funnel, channel) for funnel, channel, _, _ in expected}
    for funnel, channel, entries, conversion_rate in expected:
        row = actual[(funnel, channel)]
        assert int(row["funnel_entries"]) == entries
        assert_rates_equal(
            {"rate": rate(row["funnel_conversion_rate"])}, {"rate": conversion_rate}
        )


# --- Experiments: the demo warehouse (its seed has the three experiments of var experiments
# planted; the generated build above has no exposure events) --------------------------------

@pytest.fixture(scope="module")
def demo_layer(demo_build: DbtRun) -> SemanticLayer:
    return SemanticLayer(demo_build, demo_build.warehouse.parent)


def test_experiment_metric_means_by_variant_equal_the_readout(demo_layer: SemanticLayer) -> None:
    dimensions = ["experiment_key", "metric_name", "variant"]
    rows = demo_layer.query(
        ["experiment_persons", "experiment_metric_mean", "experiment_metric_denominator"],
        [f"experiment_person_metric__{name}" for name in dimensions],
    )
    expected = demo_layer.run.query(
        """
        select experiment_key, metric_name, variant, metric_kind, n_persons, metric_mean
        from reports.rpt_experiment_results
        """
    )
    assert len({key for key, *_ in expected}) == 3, "the demo declares three experiments"
    assert len({metric for _, metric, *_ in expected}) == 7
    actual = {
        tuple(row[f"experiment_person_metric__{name}"] for name in dimensions): row for row in rows
    }
    assert actual.keys() == {(key, metric, variant) for key, metric, variant, *_ in expected}
    for key, metric, variant, kind, n_persons, metric_mean in expected:
        row = actual[(key, metric, variant)]
        assert int(row["experiment_persons"]) == n_persons, (key, metric, variant)
        assert n_persons > 0
        # value sum / denominator sum is the readout's mean for every kind: the denominator
        # is 1 per person for a proportion or a mean, so its sum is the number of persons
        if kind != "ratio":
            assert float(row["experiment_metric_denominator"]) == n_persons, (key, metric)
        assert_rates_equal(
            {(key, metric, variant): rate(row["experiment_metric_mean"])},
            {(key, metric, variant): metric_mean},
        )
    # a ratio metric is the ratio of the sums, not the mean of the persons' ratios
    (n_different,) = demo_layer.run.query(
        """
        select count(*)
        from reports.rpt_experiment_results
        inner join (
            select
                experiment_key,
                metric_name,
                variant,
                avg(metric_value / metric_denominator) as mean_of_ratios
            from marts.fct_experiment_person_metrics
            where metric_kind = 'ratio' and metric_denominator > 0
            group by 1, 2, 3
        ) as person_ratios
            using (experiment_key, metric_name, variant)
        where abs(rpt_experiment_results.metric_mean - person_ratios.mean_of_ratios) > 1e-6
        """
    )[0]
    assert n_different > 0


def test_experiment_exposures_by_variant_and_device_equal_the_mart(demo_layer: SemanticLayer) -> None:
    rows = demo_layer.query(
        ["experiment_exposed_persons", "experiment_analysed_persons"],
        ["experiment_exposure__experiment_key", "experiment_exposure__variant"],
    )
    expected = demo_layer.run.query(
        """
        select experiment_key, coalesce(variant, ''), count(*), count(case when is_analysed then 1 end)
        from marts.fct_experiment_exposures
        group by 1, 2
        """
    )
    assert len({key for key, *_ in expected}) == 3
    actual = {
        (row["experiment_exposure__experiment_key"], row["experiment_exposure__variant"]): (
            int(row["experiment_exposed_persons"]),
            int(row["experiment_analysed_persons"]),
        )
        for row in rows
    }
    assert actual == {(key, variant): (exposed, analysed) for key, variant, exposed, analysed in expected}
    # analysed persons by variant are the sample ratio test's observed counts
    observed = demo_layer.run.query(
        """
        select experiment_key, variant, n_persons
        from reports.rpt_experiment_sample_ratios
        where n_persons > 0
        """
    )
    assert {
        (key, variant): analysed for (key, variant), (_, analysed) in actual.items() if analysed
    } == {(key, variant): n for key, variant, n in observed}
    # the first exposure's session and the person join their semantic models
    rows = demo_layer.query(
        ["experiment_exposed_persons"],
        ["experiment_exposure__experiment_key", "session__device_type"],
    )
    expected = demo_layer.run.query(
        """
        select fct_experiment_exposures.experiment_key, fct_sessions.device_type, count(*)
        from marts.fct_experiment_exposures
        inner join marts.fct_sessions
            on fct_experiment_exposures.first_exposure_session_id = fct_sessions.session_id
        group by 1, 2
        """
    )
    assert {
        (row["experiment_exposure__experiment_key"], row["session__device_type"]):
            int(row["experiment_exposed_persons"])
        for row in rows
    } == {(key, device): n for key, device, n in expected}
    rows = demo_layer.query(
        ["experiment_metric_mean"],
        ["experiment_person_metric__experiment_key", "person__segment"],
        "--where", "{{ Dimension('experiment_person_metric__metric_name') }} = 'conversion'",
    )
    expected = demo_layer.run.query(
        """
        select fct_experiment_person_metrics.experiment_key, dim_person_segments.primary_segment,
            sum(metric_value) / sum(metric_denominator)
        from marts.fct_experiment_person_metrics
        inner join marts.dim_person_segments
            on fct_experiment_person_metrics.person_id = dim_person_segments.person_id
        where metric_name = 'conversion'
        group by 1, 2
        """
    )
    assert_rates_equal(
        {
            (row["experiment_person_metric__experiment_key"], row["person__segment"]):
                rate(row["experiment_metric_mean"])
            for row in rows
        },
        {(key, segment): value for key, segment, value in expected},
    )


# --- Predictions: the demo warehouse (the scores and audiences of its predictive models) -----

def test_person_scores_by_snapshot_and_sample_equal_the_mart(demo_layer: SemanticLayer) -> None:
    metrics = ["scored_persons", "mean_churn_probability", "mean_upsell_probability",
               "high_churn_risk_persons", "high_churn_risk_share"]
    rows = demo_layer.query(metrics, ["metric_time__day", "person_score__model_sample"])
    expected = demo_layer.run.query(
        """
        select
            cast(snapshot_date as varchar),
            coalesce(model_sample, ''),
            count(distinct person_id),
            avg(churn_probability),
            avg(upsell_probability),
            count(distinct case when churn_probability >= 0.8 then person_id end)
        from marts.fct_person_scores
        group by 1, 2
        """
    )
    assert {sample for _, sample, *_ in expected} >= {"training", "evaluation", "scoring"}
    actual = {
        (row["metric_time__day"][:10], row["person_score__model_sample"]): row for row in rows
    }
    assert actual.keys() == {(day, sample) for day, sample, *_ in expected}
    for day, sample, persons, churn, upsell, at_risk in expected:
        row = actual[(day, sample)]
        assert (int(row["scored_persons"]), int(row["high_churn_risk_persons"])) == (
            persons, at_risk
        ), (day, sample)
        assert_rates_equal(
            {name: rate(row[name]) for name in metrics[1:3] + metrics[4:]},
            {
                "mean_churn_probability": churn,
                "mean_upsell_probability": upsell,
                "high_churn_risk_share": at_risk / persons,
            },
        )
    # the current scores (the scoring snapshot) by learned segment, through the where filter
    rows = demo_layer.query(
        ["scored_persons", "high_churn_risk_persons", "mean_churn_probability"],
        ["person_score__segment_number"],
        "--where", "{{ Dimension('person_score__model_sample') }} = 'scoring'",
    )
    expected = demo_layer.run.query(
        """
        select
            cast(segment_number as varchar),
            count(*),
            count(case when churn_probability >= 0.8 then 1 end),
            avg(churn_probability)
        from marts.fct_person_scores
        where model_sample = 'scoring'
        group by 1
        """
    )
    actual = {row["person_score__segment_number"]: row for row in rows}
    assert actual.keys() == {segment for segment, *_ in expected}
    assert sum(at_risk for _, _, at_risk, _ in expected) > 0, "the demo has persons at risk"
    for segment, persons, at_risk, churn in expected:
        row = actual[segment]
        assert (int(row["scored_persons"]), int(row["high_churn_risk_persons"])) == (
            persons, at_risk
        ), segment
        assert_rates_equal({segment: rate(row["mean_churn_probability"])}, {segment: churn})


def test_audience_entries_and_current_members_equal_the_marts(demo_layer: SemanticLayer) -> None:
    rows = demo_layer.query(
        ["audience_entries", "current_audience_members"], ["audience_membership__audience_name"]
    )
    expected = demo_layer.run.query(
        """
        select audience_name, count(*), count(case when exited_at is null then 1 end)
        from marts.fct_audience_memberships
        group by audience_name
        """
    )
    assert len(expected) >= 3 and sum(current for *_, current in expected) > 0
    assert {
        row["audience_membership__audience_name"]: (
            int(row["audience_entries"]), int(row["current_audience_members"])
        )
        for row in rows
    } == {name: (entries, current) for name, entries, current in expected}
    # entries per day are the change log's entered rows (what `bawh activate` sends)
    rows = demo_layer.query(
        ["audience_entries"], ["metric_time__day", "audience_membership__audience_name"]
    )
    expected = demo_layer.run.query(
        """
        select cast(cast(changed_at as date) as varchar), audience_name, count(*)
        from marts.fct_audience_changes
        where change_type = 'entered'
        group by 1, 2
        """
    )
    assert {
        (row["metric_time__day"][:10], row["audience_membership__audience_name"]):
            int(row["audience_entries"])
        for row in rows
    } == {(day, name): n for day, name, n in expected}
    # the person joins: current members by the person's segment
    rows = demo_layer.query(
        ["current_audience_members"],
        ["audience_membership__audience_name", "person__segment"],
    )
    current = dict(
        ((name, segment), n) for name, segment, n in demo_layer.run.query(
            """
            select memberships.audience_name, segments.primary_segment,
                count(case when memberships.exited_at is null then 1 end)
            from marts.fct_audience_memberships as memberships
            inner join marts.dim_person_segments as segments
                on memberships.person_id = segments.person_id
            group by 1, 2
            """
        )
    )
    assert len({segment for _, segment in current}) >= 2
    assert {
        (row["audience_membership__audience_name"], row["person__segment"]):
            int(row["current_audience_members"])
        for row in rows
    } == current
