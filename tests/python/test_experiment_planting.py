"""bawh.experiments: experiments planted into generated events (exposures where and as
declared, effects only where planted), the demo's declarations in dbt_project.yml, and the
checks of a bad declaration, in the generator and in the project."""

from __future__ import annotations

import csv
import datetime
import json
from collections import Counter
from pathlib import Path

import pytest

from bawh.cli import DEMO_CONFIG
from bawh.experiments import (
    CONVERSION_EVENTS,
    DEMO_EXPERIMENTS,
    PlantedExperiment,
    declarations,
    plant,
)
from bawh.generator import GeneratorConfig, generate
from conftest import PROJECT_DIR, project_vars, run_dbt

CONFIG = GeneratorConfig(persons=400, days=21, seed=3, start_date=datetime.date(2026, 9, 7))
EXPERIMENTS = (
    PlantedExperiment(
        "lifted",
        ("control", "treatment"),
        (0.5, 0.5),
        start_day=7,
        days=7,
        conversion_lifts=(0.0, 0.5),
        revenue_lifts=(0.0, 0.25),
        multiple_variant_share=0.05,
        persons=(0.0, 0.5),
    ),
    PlantedExperiment(
        "broken",
        ("a", "b", "c"),
        (0.34, 0.33, 0.33),
        start_day=7,
        days=7,
        assigned_shares=(0.6, 0.2, 0.2),
        persons=(0.5, 1.0),
    ),
)


def test_the_demo_declarations_are_the_planted_experiments() -> None:
    assert project_vars()["experiments"] == declarations(DEMO_EXPERIMENTS, DEMO_CONFIG.start_date)


def test_conversion_events_are_the_tracking_plans() -> None:
    with (PROJECT_DIR / "seeds" / "reference" / "tracking_plan.csv").open() as plan:
        conversions = {row["event_name"] for row in csv.DictReader(plan) if row["is_conversion"] == "true"}
    assert conversions == set(CONVERSION_EVENTS)


def test_exposures_and_effects_are_planted_as_declared() -> None:
    generated = generate(CONFIG)
    planted = plant(generated, EXPERIMENTS, CONFIG.start_date)
    events, truth = planted.generated.events, planted.generated.truth
    assert events["event_id"].to_pylist() == truth["event_id"].to_pylist()
    assert truth["raw_row_number"].to_pylist() == list(range(events.num_rows))
    received = [text for text in events["received_at"].to_pylist() if text is not None]
    assert received == sorted(received)  # arrival order kept

    exposures = [row for row in events.to_pylist() if row["event_name"] == "experiment_exposure"]
    persons = dict(zip(truth["event_id"].to_pylist(), truth["true_person_id"].to_pylist(), strict=True))
    assignments = planted.assignments.to_pylist()
    per_person = Counter(
        (json.loads(row["properties"])["experiment_key"], persons[row["event_id"]]) for row in exposures
    )
    for row in assignments:
        assert per_person[(row["experiment_key"], row["person_id"])] == (1 if row["is_analysed"] else 2)
    assert len(exposures) == sum(per_person.values())
    # exposures only in the period, at an event of the person
    for row in exposures:
        assert "2026-09-14" <= row["occurred_at"] < "2026-09-21", row
    # the slices are disjoint
    keys = Counter(row["person_id"] for row in assignments)
    assert max(keys.values()) == 1

    added_orders = events.num_rows - generated.events.num_rows - len(exposures)
    lifted = [row for row in assignments if row["experiment_key"] == "lifted" and row["is_analysed"]]
    assert 0 < added_orders < len(lifted)
    assert any(
        not row["is_analysed"] for row in lifted + [r for r in assignments if r["experiment_key"] == "lifted"]
    )

    shares = Counter(row["variant"] for row in assignments if row["experiment_key"] == "broken")
    n_broken = sum(shares.values())
    assert shares["a"] / n_broken == pytest.approx(0.6, abs=0.08)

    effects = {
        (row["experiment_key"], row["metric_name"], row["variant"]): row
        for row in planted.effects.to_pylist()
    }
    assert effects[("lifted", "conversion", "treatment")]["true_absolute_lift"] > 0
    assert effects[("lifted", "revenue_per_person", "treatment")]["true_absolute_lift"] > 0
    assert all(row["true_absolute_lift"] == 0 for key, row in effects.items() if key[0] == "broken")

    # nothing else moved: the raw rows of the unplanted events are as generated, revenue aside
    def without_revenue(rows: list[dict]) -> Counter:
        return Counter(tuple(v for k, v in row.items() if k != "revenue") for row in rows)

    original_ids = set(generated.events["event_id"].to_pylist())
    kept = [row for row in events.to_pylist() if row["event_id"] in original_ids]
    assert without_revenue(kept) == without_revenue(generated.events.to_pylist())
    changed = sum(
        1
        for row, before in zip(
            sorted(kept, key=lambda r: (r["event_id"] or "", r["received_at"] or "", r["occurred_at"] or "")),
            sorted(
                generated.events.to_pylist(),
                key=lambda r: (r["event_id"] or "", r["received_at"] or "", r["occurred_at"] or ""),
            ),
            strict=True,
        )
        if row["revenue"] != before["revenue"]
    )
    assert changed > 0  # the lifted orders' revenue


@pytest.mark.parametrize(
    ("experiment", "message"),
    [
        (
            {"key": "x", "variants": {"a": 0.5, "b": 0.4}, "start": "2026-10-01", "end": "2026-10-08"},
            "the variant shares sum to 0.9, not 1",
        ),
        (
            {"key": "x", "variants": {"a": 1.0}, "start": "2026-10-01", "end": "2026-10-08"},
            "variants must map at least two variant names",
        ),
        (
            {"key": "x", "variants": {"a": 0.5, "b": 0.5}, "start": "2026-10-08", "end": "2026-10-01"},
            "its end 2026-10-01 is not after its start 2026-10-08",
        ),
        (
            {
                "key": "x",
                "variants": {"a": 0.5, "b": 0.5},
                "start": "2026-10-01",
                "end": "2026-10-08",
                "primary_metric": "clicks",
            },
            "unknown metric clicks",
        ),
        (
            {
                "key": "x",
                "variants": {"a": 0.5, "b": 0.5},
                "start": "2026-10-01",
                "end": "2026-10-08",
                "guardrail_metrics": ["conversion"],
            },
            "metric conversion is named twice",
        ),
        (
            {
                "key": "x",
                "variants": {"a": 0.5, "b": 0.5},
                "control": "c",
                "start": "2026-10-01",
                "end": "2026-10-08",
            },
            "control c is not one of its variants",
        ),
    ],
)
def test_a_bad_declaration_stops_the_compile_naming_the_problem(
    experiment: dict, message: str, tmp_path: Path
) -> None:
    run = run_dbt(
        ["compile", "--select", "dim_experiment_variants", "--quiet"], tmp_path, {"experiments": [experiment]}
    )
    assert run.returncode != 0
    assert "var experiments: experiment x: " in run.output and message in run.output, run.output[-2000:]
