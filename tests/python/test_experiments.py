"""Experiment readouts on planted experiments: generated events with experiments whose true
lift the generator knows person by person (bawh.experiments), built once, read out by the
project, and checked against that truth.

The replicates are experiments, not seeds: in one generated population of 10,000 persons over
four weeks, twelve experiments with planted lifts run on disjoint twelfths of the persons (so
no person's outcome mixes two of them), and thirty A/A experiments and one broken split run on
every person (they plant nothing, so the truth of every metric stays a lift of 0 whatever else
runs). Each experiment randomizes with its own hash, so their estimates are independent draws:
247 intervals are checked against the truth, which puts the binomial standard error of a
95% coverage near 1.3 points.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import duckdb
import numpy as np
import pytest

from bawh.experiments import PlantedExperiment, PlantedExperiments, declarations, plant
from bawh.generator import GeneratorConfig, generate, write_parquet
from conftest import DbtRun, build_from_landing

pytestmark = pytest.mark.slow

START = datetime.date(2026, 9, 7)
CONFIG = GeneratorConfig(persons=10_000, days=28, seed=11, start_date=START)
N_SLICES = 12
N_AA = 30
# planted: a person of the treatment without a conversion in the window converts with this
# probability; order revenue in the window x (1 + lift)
CONVERSION_LIFT = 0.08
REVENUE_LIFT = 0.15
# Bounds (stated in the README): interval coverage of the true lift at 95%; the A/A tests'
# false positive rate at alpha 0.05.
COVERAGE_BOUNDS = (0.90, 0.99)
FALSE_POSITIVE_BOUNDS = (0.01, 0.09)
EXPERIMENT_MODELS = ("+rpt_experiment_results", "+rpt_experiment_sample_ratios")


def _lift_experiment(i: int) -> PlantedExperiment:
    """A planted lift on the i-th twelfth of the persons; every fourth has two treatments."""
    three = i % 4 == 3
    return PlantedExperiment(
        f"lift_{i:02d}",
        ("control", "treatment", "treatment_b") if three else ("control", "treatment"),
        (0.4, 0.3, 0.3) if three else (0.5, 0.5),
        start_day=7,
        days=14,
        conversion_lifts=(0.0, CONVERSION_LIFT, 2 * CONVERSION_LIFT) if three else (0.0, CONVERSION_LIFT),
        revenue_lifts=(0.0, REVENUE_LIFT, REVENUE_LIFT) if three else (0.0, REVENUE_LIFT),
        multiple_variant_share=0.01,
        persons=(i / N_SLICES, (i + 1) / N_SLICES),
    )


EXPERIMENTS: tuple[PlantedExperiment, ...] = (
    *(_lift_experiment(i) for i in range(N_SLICES)),
    *(PlantedExperiment(f"aa_{i:02d}", ("a", "b"), (0.5, 0.5), start_day=7, days=14) for i in range(N_AA)),
    # planned 50/50, assigned 53/47: a broken split that is only a few points off
    PlantedExperiment(
        "broken_split",
        ("control", "treatment"),
        (0.5, 0.5),
        start_day=7,
        days=14,
        assigned_shares=(0.53, 0.47),
    ),
)


@dataclass(frozen=True)
class ExperimentBuild:
    planted: PlantedExperiments
    run: DbtRun

    def table(self, sql: str) -> list[dict]:
        """Rows of a query on the built warehouse, as dicts."""
        with duckdb.connect(str(self.run.warehouse), read_only=True) as connection:
            result = connection.execute(sql)
            names = [column[0] for column in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ExperimentBuild:
    work_dir = tmp_path_factory.mktemp("experiments")
    planted = plant(generate(CONFIG), EXPERIMENTS, START)
    write_parquet(planted.generated.events, work_dir / "landing", rows_per_file=200_000)
    run = build_from_landing(
        work_dir,
        str(work_dir / "landing" / "*.parquet"),
        select=EXPERIMENT_MODELS,
        experiments=declarations(EXPERIMENTS, START),
    )
    return ExperimentBuild(planted, run)


def _truth(planted: PlantedExperiments) -> dict[tuple[str, str, str], float]:
    """(experiment, metric, variant) -> true absolute lift: planted for conversion and
    revenue_per_person; 0 for every metric of an experiment that plants nothing."""
    return {
        (row["experiment_key"], row["metric_name"], row["variant"]): row["true_absolute_lift"]
        for row in planted.effects.to_pylist()
    }


def _results(build: ExperimentBuild) -> list[dict]:
    return build.table("select * from reports.rpt_experiment_results where not is_control")


def _known_truth(build: ExperimentBuild) -> list[tuple[dict, float]]:
    """Each result whose true lift is known, with it."""
    planted_truth = _truth(build.planted)
    null_experiments = {e.key for e in EXPERIMENTS if e.is_null}
    known = []
    for row in _results(build):
        key = (row["experiment_key"], row["metric_name"], row["variant"])
        if row["experiment_key"] in null_experiments:
            known.append((row, 0.0))
        elif key in planted_truth:
            known.append((row, planted_truth[key]))
    return known


def test_each_person_is_read_out_as_planted(built: ExperimentBuild) -> None:
    """Every analysed person's variant, conversion and revenue in the window equal the
    generator's (its outcome under the variant it got); the persons exposed to two variants
    are left out, and counted."""
    planted = {
        (row["experiment_key"], row["person_id"]): row for row in built.planted.assignments.to_pylist()
    }
    metrics = built.table(
        "select experiment_key, person_id, variant, metric_name, metric_value"
        " from marts.fct_experiment_person_metrics"
        " where metric_name in ('conversion', 'revenue_per_person')"
    )
    analysed = {key for key, row in planted.items() if row["is_analysed"]}
    assert {(m["experiment_key"], m["person_id"]) for m in metrics} == analysed
    for m in metrics:
        expected = planted[(m["experiment_key"], m["person_id"])]
        assert m["variant"] == expected["variant"], m
        assert m["metric_value"] == pytest.approx(expected[m["metric_name"]], abs=0.005), m
    multiple = {
        key: count
        for key, count in built.run.query(
            "select distinct experiment_key, n_persons_multiple_variants"
            " from reports.rpt_experiment_sample_ratios"
        )
    }
    for experiment in EXPERIMENTS:
        expected_multiple = sum(
            1 for (key, _), row in planted.items() if key == experiment.key and not row["is_analysed"]
        )
        assert multiple[experiment.key] == expected_multiple, experiment.key
    assert sum(multiple.values()) > 0  # the exclusion is exercised


def _coverage(known: list[tuple[dict, float]], lower: str, upper: str) -> float:
    covered = [row[lower] <= truth <= row[upper] for row, truth in known if row[lower] is not None]
    return float(np.mean(covered))


def test_intervals_cover_the_true_lift(built: ExperimentBuild) -> None:
    """About 95% of the 95% intervals hold the true lift, with and without CUPED."""
    known = _known_truth(built)
    n_treatments = sum(len(e.variants) - 1 for e in EXPERIMENTS if not e.is_null)
    n_null = sum(len(e.variants) - 1 for e in EXPERIMENTS if e.is_null)
    assert len(known) == 7 * n_null + 2 * n_treatments  # 7 metrics of a null test, 2 planted
    planted_lifts = [row for row, truth in known if truth != 0]
    assert len(planted_lifts) == 2 * n_treatments
    coverage = _coverage(known, "ci_lower", "ci_upper")
    with_cuped = [(row, truth) for row, truth in known if row["cuped_ci_lower"] is not None]
    cuped = _coverage(with_cuped, "cuped_ci_lower", "cuped_ci_upper")
    print(f"coverage {coverage:.3f} (n={len(known)}), CUPED {cuped:.3f}")
    assert COVERAGE_BOUNDS[0] <= coverage <= COVERAGE_BOUNDS[1]
    assert COVERAGE_BOUNDS[0] <= cuped <= COVERAGE_BOUNDS[1]
    # the planted lifts are estimated without bias: the summed errors against the truth are
    # within 3 of their standard errors combined
    errors = [(row["absolute_lift"] - truth, row["standard_error"]) for row, truth in known if truth != 0]
    for metric in ("conversion", "revenue_per_person"):
        of_metric = [
            e
            for (row, truth), e in zip([k for k in known if k[1] != 0], errors, strict=True)
            if row["metric_name"] == metric
        ]
        z = sum(error for error, _ in of_metric) / np.sqrt(sum(se**2 for _, se in of_metric))
        print(f"{metric}: summed error against the planted lift {z:+.2f} standard errors")
        assert abs(z) < 3


def test_aa_tests_are_significant_about_five_percent_of_the_time(built: ExperimentBuild) -> None:
    aa = [row for row in _results(built) if row["experiment_key"].startswith("aa_")]
    assert len(aa) == N_AA * 7
    rate = float(np.mean([row["is_significant"] for row in aa]))
    p_values = np.array([row["p_value"] for row in aa])
    print(f"A/A false positive rate {rate:.3f} (n={len(aa)})")
    assert FALSE_POSITIVE_BOUNDS[0] <= rate <= FALSE_POSITIVE_BOUNDS[1]
    # p-values of true nulls are uniform: a quarter of them under 0.25, give or take
    assert 0.15 <= float(np.mean(p_values < 0.25)) <= 0.35


def test_sample_ratio_mismatch_is_flagged_on_the_broken_split_only(built: ExperimentBuild) -> None:
    flagged = dict(
        built.run.query("select distinct experiment_key, has_srm from reports.rpt_experiment_sample_ratios")
    )
    assert flagged.pop("broken_split") is True
    assert not any(flagged.values()), [key for key, value in flagged.items() if value]
    untrustworthy = {row["experiment_key"] for row in _results(built) if not row["is_trustworthy"]}
    assert untrustworthy == {"broken_split"}


def test_cuped_removes_the_variance_the_pre_period_explains(built: ExperimentBuild) -> None:
    """CUPED narrows the intervals of metrics whose pre-exposure value correlates with them,
    by about the squared correlation (computed here from the per-person values)."""
    per_person = built.table(
        "select experiment_key, metric_name, metric_value, pre_metric_value"
        " from marts.fct_experiment_person_metrics where experiment_key like 'aa_%'"
        " and metric_name = 'sessions_per_person'"
    )
    values = np.array([(r["metric_value"], r["pre_metric_value"]) for r in per_person])
    rho = float(np.corrcoef(values[:, 0], values[:, 1])[0, 1])
    rows = [
        r
        for r in _results(built)
        if r["experiment_key"].startswith("aa_") and r["metric_name"] == "sessions_per_person"
    ]
    reductions = np.array([r["cuped_variance_reduction"] for r in rows])
    print(
        f"sessions_per_person: correlation with the pre-period {rho:.3f}, variance removed "
        f"{np.median(reductions):.3f} (median)"
    )
    assert rho > 0.2
    assert float(np.median(reductions)) == pytest.approx(rho**2, abs=0.05)
    assert all(r["cuped_standard_error"] < r["standard_error"] for r in rows)
