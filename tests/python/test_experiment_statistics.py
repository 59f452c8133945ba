"""The experiment readout's statistics against scipy: the distribution macros over a grid of
values, and every row of the demo build's readout recomputed here from its per-person values
(scipy's Welch t-test and chi-square test; the z-tests, the delta method and CUPED written
out in numpy from their textbook formulas)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import stats

from conftest import DbtRun, project_vars, run_dbt

ALPHA = project_vars()["experiment_alpha"]


def show(sql: str, work_dir: Path) -> list[dict]:
    run = run_dbt(["show", "--inline", sql, "--limit", "-1", "--output", "json", "--quiet"], work_dir)
    assert run.returncode == 0, run.output[-4000:]
    return json.loads(run.output)["show"]


def values_sql(columns: tuple[str, ...], rows: list[tuple[float, ...]]) -> str:
    body = ", ".join("(" + ", ".join(repr(float(v)) for v in row) + ")" for row in rows)
    return f"(values {body}) as grid ({', '.join(columns)})"


def test_distribution_macros_match_scipy(tmp_path: Path) -> None:
    xs = [0.0, 1e-9, 0.01, 0.3, 1.0, 1.96, 3.0, 5.0, 8.0, -0.5, -2.5]
    rows = show(
        "select x, {{ erfc('x') }} as erfc, {{ normal_two_sided_p_value('x') }} as p"
        f" from {values_sql(('x',), [(x,) for x in xs])}",
        tmp_path,
    )
    for row in rows:
        x = row["x"]
        assert row["erfc"] == pytest.approx(float(stats.norm.sf(x * np.sqrt(2)) * 2), rel=2e-7), x
        assert row["p"] == pytest.approx(float(2 * stats.norm.sf(abs(x))), rel=2e-7), x
        assert 0 <= row["p"] <= 1

    ps = [1e-6, 0.001, 0.02, 0.025, 0.3, 0.5, 0.9, 0.975, 0.98, 0.999]
    rows = show(
        f"select p, {{{{ normal_quantile('p') }}}} as q from {values_sql(('p',), [(p,) for p in ps])}",
        tmp_path,
    )
    for row in rows:
        assert row["q"] == pytest.approx(float(stats.norm.ppf(row["p"])), rel=1e-8, abs=1e-12)

    grid = [(t, df) for df in (10.0, 30.5, 120.0, 1000.0) for t in (0.0, 0.5, 1.7, 2.5, 4.0)]
    rows = show(
        "select t, df, {{ student_t_two_sided_p_value('t', 'df') }} as p,"
        " {{ student_t_quantile(1.959963984540054, 'df') }} as q"
        f" from {values_sql(('t', 'df'), grid)}",
        tmp_path,
    )
    for row in rows:
        exact = float(2 * stats.t.sf(row["t"], row["df"]))
        assert row["p"] == pytest.approx(exact, abs=2e-4 if row["df"] < 30 else 3e-5), row
        assert row["q"] == pytest.approx(float(stats.t.ppf(0.975, row["df"])), rel=1e-3), row

    grid = [(x, df) for df in range(1, 10) for x in (0.0, 0.5, 3.84, 10.0, 40.0)]
    rows = show(
        f"select x, df, {{{{ chi_square_p_value('x', 'df') }}}} as p from {values_sql(('x', 'df'), grid)}",
        tmp_path,
    )
    for row in rows:
        assert row["p"] == pytest.approx(float(stats.chi2.sf(row["x"], row["df"])), rel=1e-6, abs=1e-15), row
    rows = show("select {{ chi_square_p_value('3.0', '10') }} as p", tmp_path)
    assert rows[0]["p"] is None  # beyond max_df


def _welch(y: np.ndarray, y_control: np.ndarray) -> tuple[float, float, float, float]:
    """lift, p, ci low, ci high by scipy's Welch t-test."""
    result = stats.ttest_ind(y, y_control, equal_var=False)
    interval = result.confidence_interval(1 - ALPHA)
    return float(y.mean() - y_control.mean()), float(result.pvalue), float(interval.low), float(interval.high)


def test_readout_matches_an_independent_computation(demo_build: DbtRun) -> None:
    with duckdb.connect(str(demo_build.warehouse), read_only=True) as connection:
        person_rows = connection.execute(
            "select m.experiment_key, m.metric_name, m.metric_kind, m.variant, v.is_control,"
            " m.metric_value, m.metric_denominator, m.pre_metric_value, m.pre_metric_denominator"
            " from marts.fct_experiment_person_metrics as m"
            " inner join marts.dim_experiment_variants as v using (experiment_key, variant)"
        ).fetchall()
        result = connection.execute("select * from reports.rpt_experiment_results")
        names = [column[0] for column in result.description]
        readout = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        ratios = connection.execute(
            "select experiment_key, variant, n_persons, planned_share, srm_p_value"
            " from reports.rpt_experiment_sample_ratios"
        ).fetchall()
    z = float(stats.norm.ppf(1 - ALPHA / 2))
    values: dict[tuple[str, str, str], list[tuple[float, float, float, float]]] = defaultdict(list)
    kinds, controls = {}, {}
    for key, metric, kind, variant, is_control, y, d, x, m in person_rows:
        values[(key, metric, variant)].append((y, d, x, m))
        kinds[metric] = kind
        if is_control:
            controls[key] = variant
    assert {row["experiment_key"] for row in readout} == set(controls)

    n_checked = 0
    for row in readout:
        if row["is_control"]:
            assert row["absolute_lift"] is None and row["p_value"] is None
            continue
        key, metric = row["experiment_key"], row["metric_name"]
        treated = np.array(values[(key, metric, row["variant"])])
        control = np.array(values[(key, metric, controls[key])])
        y, y_c = treated[:, 0], control[:, 0]
        kind = kinds[metric]
        if kind == "mean":
            lift, p, low, high = _welch(y, y_c)
        elif kind == "proportion":
            lift = y.mean() - y_c.mean()
            pooled = np.concatenate([y, y_c]).mean()
            pooled_se = np.sqrt(pooled * (1 - pooled) * (1 / len(y) + 1 / len(y_c)))
            p = float(2 * stats.norm.sf(abs(lift / pooled_se))) if pooled_se else None
            se = np.sqrt(y.var(ddof=1) / len(y) + y_c.var(ddof=1) / len(y_c))
            low, high = lift - z * se, lift + z * se
        else:  # ratio: delta method, each arm's ratio of sums

            def ratio_and_variance(arm: np.ndarray) -> tuple[float, float]:
                num, den = arm[:, 0], arm[:, 1]
                mean_num, mean_den = num.mean(), den.mean()
                cov = np.cov(num, den, ddof=1)
                variance = (
                    cov[0, 0] / mean_den**2
                    - 2 * mean_num * cov[0, 1] / mean_den**3
                    + mean_num**2 * cov[1, 1] / mean_den**4
                ) / len(arm)
                return num.sum() / den.sum(), variance

            r_t, v_t = ratio_and_variance(treated)
            r_c, v_c = ratio_and_variance(control)
            lift, se = r_t - r_c, np.sqrt(v_t + v_c)
            p = float(2 * stats.norm.sf(abs(lift / se)))
            low, high = lift - z * se, lift + z * se
        assert row["absolute_lift"] == pytest.approx(lift, rel=1e-9, abs=1e-12), row
        if p is None:
            assert row["p_value"] is None
        else:
            assert row["p_value"] == pytest.approx(p, abs=1e-4), row
        assert row["ci_lower"] == pytest.approx(low, rel=1e-4, abs=1e-6), row
        assert row["ci_upper"] == pytest.approx(high, rel=1e-4, abs=1e-6), row

        arms = [np.array(v) for (k, m, _), v in values.items() if k == key and m == metric]
        everyone = np.concatenate(arms)
        if kind != "ratio":  # CUPED: theta pooled over the experiment's variants
            theta = np.cov(everyone[:, 2], everyone[:, 0], ddof=1)[0, 1] / everyone[:, 2].var(ddof=1)
            mean_x = everyone[:, 2].mean()
            adjusted_t = y - theta * (treated[:, 2] - mean_x)
            adjusted_c = y_c - theta * (control[:, 2] - mean_x)
            assert row["cuped_theta"] == pytest.approx(theta, rel=1e-9)
            cuped_lift, cuped_p, cuped_low, cuped_high = _welch(adjusted_t, adjusted_c)
            assert row["cuped_absolute_lift"] == pytest.approx(cuped_lift, rel=1e-9, abs=1e-12), row
            if kind == "mean":
                assert row["cuped_p_value"] == pytest.approx(cuped_p, abs=1e-4), row
                assert row["cuped_ci_lower"] == pytest.approx(cuped_low, rel=1e-4, abs=1e-6), row
                assert row["cuped_ci_upper"] == pytest.approx(cuped_high, rel=1e-4, abs=1e-6), row
        else:  # CUPED on the values linearized around each variant's ratio (delta method)

            def linearized(arm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                num, den, pre_num, pre_den = arm.T
                u = (num - num.sum() / den.sum() * den) / den.mean()
                v = (pre_num - pre_num.sum() / pre_den.sum() * pre_den) / pre_den.mean()
                return u, v

            u_t, v_t = linearized(treated)
            u_c, v_c = linearized(control)
            pairs = [linearized(arm) for arm in arms]
            u_all = np.concatenate([u for u, _ in pairs])
            v_all = np.concatenate([v for _, v in pairs])
            theta = np.cov(v_all, u_all, ddof=1)[0, 1] / v_all.var(ddof=1)
            pooled = everyone[:, 2].sum() / everyone[:, 3].sum()
            pre_t = treated[:, 2].sum() / treated[:, 3].sum()
            pre_c = control[:, 2].sum() / control[:, 3].sum()
            cuped_lift = lift - theta * ((pre_t - pooled) - (pre_c - pooled))
            cuped_se = np.sqrt(
                (u_t - theta * v_t).var(ddof=1) / len(u_t) + (u_c - theta * v_c).var(ddof=1) / len(u_c)
            )
            assert row["cuped_theta"] == pytest.approx(theta, rel=1e-6)
            assert row["cuped_absolute_lift"] == pytest.approx(cuped_lift, rel=1e-6, abs=1e-9), row
            assert row["cuped_standard_error"] == pytest.approx(cuped_se, rel=1e-6), row
            assert row["cuped_p_value"] == pytest.approx(
                float(2 * stats.norm.sf(abs(cuped_lift / cuped_se))), abs=1e-6
            ), row
        n_checked += 1
    assert n_checked >= 3 * 7

    by_experiment: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for key, _variant, n, share, p in ratios:
        by_experiment[key].append((n, share, p))
    for key, arms in by_experiment.items():
        observed = np.array([n for n, _, _ in arms], dtype=float)
        expected = observed.sum() * np.array([share for _, share, _ in arms])
        assert arms[0][2] == pytest.approx(float(stats.chisquare(observed, expected).pvalue), rel=1e-6), key
