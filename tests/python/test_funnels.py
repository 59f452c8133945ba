"""Funnels end to end: the checkout funnel of every person, recomputed from the generator's truth.

The generator labels each clean event of the checkout funnel with its stage (truth column
``funnel_step``: 1 product_viewed, 2 product_added, 3 checkout_started, 4 order_completed)
and its true person. The oracle applies the funnel definition in plain Python to those
labels and the events' occurred_at, independently of the SQL (which matches events by name
through the funnel_steps seed): entry at the person's first step-1 event, a window of
funnel_conversion_window_days from it (both ends inclusive, not reset by repeats), each
step at the first event of its stage strictly after the previous step was reached.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest

from bawh.generator import GeneratorConfig, generate, write_parquet
from conftest import DbtRun, build_from_landing

pytestmark = pytest.mark.slow

WINDOW_DAYS = 7
CHECKOUT_STEPS = 4


def epoch_ms(text: str) -> int:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return round(moment.timestamp() * 1000)


def furthest_checkout_steps(events: list[dict], truth: list[dict]) -> dict[str, tuple[int, ...]]:
    """Person -> epoch ms at which each checkout step was reached (steps 1..furthest)."""
    stage_times: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for event, label in zip(events, truth, strict=True):
        if label["row_kind"] == "clean" and label["funnel_step"] is not None:
            stage_times[label["true_person_id"]].append(
                (epoch_ms(event["occurred_at"]), label["funnel_step"])
            )
    reached: dict[str, tuple[int, ...]] = {}
    for person, times in stage_times.items():
        step_1 = [moment for moment, step in times if step == 1]
        if not step_1:
            continue
        entered = min(step_1)
        window_end = entered + WINDOW_DAYS * 86_400_000
        path = [entered]
        for step in range(2, CHECKOUT_STEPS + 1):
            later = [
                moment for moment, stage in times
                if stage == step and path[-1] < moment <= window_end
            ]
            if not later:
                break
            path.append(min(later))
        reached[person] = tuple(path)
    return reached


@pytest.fixture(scope="module", params=[11, 23])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, tuple[int, ...]], DbtRun]:
    work_dir = tmp_path_factory.mktemp(f"funnels_{request.param}")
    generated = generate(GeneratorConfig(persons=1_500, days=30, seed=request.param))
    write_parquet(generated.events, work_dir / "landing")
    run = build_from_landing(
        work_dir,
        str(work_dir / "landing" / "*.parquet"),
        select=("+fct_person_funnel_steps", "+fct_person_funnels", "+rpt_funnel_steps"),
        funnel_conversion_window_days=WINDOW_DAYS,
    )
    oracle = furthest_checkout_steps(generated.events.to_pylist(), generated.truth.to_pylist())
    return oracle, run


def test_every_persons_furthest_checkout_step_equals_the_oracle(
    built: tuple[dict[str, tuple[int, ...]], DbtRun],
) -> None:
    oracle, run = built
    expected = {person: len(path) for person, path in oracle.items()}
    # the data must exercise the rule: entrants who stop at every step, and converters
    assert set(Counter(expected.values())) == {1, 2, 3, 4}
    actual = dict(run.query(
        "select person_id, furthest_step_number from marts.fct_person_funnels"
        " where funnel_name = 'checkout'"
    ))
    assert actual == expected


def test_every_checkout_step_is_reached_at_the_oracles_time(
    built: tuple[dict[str, tuple[int, ...]], DbtRun],
) -> None:
    oracle, run = built
    expected = {
        (person, step): moment
        for person, path in oracle.items()
        for step, moment in enumerate(path, start=1)
    }
    actual = {
        (person, step): epoch_ms(str(reached_at))
        for person, step, reached_at in run.query(
            "select person_id, step_number, reached_at from marts.fct_person_funnel_steps"
            " where funnel_name = 'checkout'"
        )
    }
    assert actual == expected


def test_checkout_report_counts_the_oracles_persons_per_step(
    built: tuple[dict[str, tuple[int, ...]], DbtRun],
) -> None:
    oracle, run = built
    reached = Counter(step for path in oracle.values() for step in range(1, len(path) + 1))
    rows = run.query(
        "select step_number, n_persons_entered, conversion_rate_from_first"
        " from reports.rpt_funnel_steps where funnel_name = 'checkout' order by step_number"
    )
    assert [(step, count) for step, count, _ in rows] == [
        (step, reached[step]) for step in range(1, CHECKOUT_STEPS + 1)
    ]
    assert [rate for _, _, rate in rows] == pytest.approx(
        [reached[step] / reached[1] for step in range(1, CHECKOUT_STEPS + 1)]
    )
