"""Feature adoption end to end: generated events built by dbt, the weekly and monthly adoption
reports recomputed in plain Python from the generated clean events and their true persons.

The oracle reads only the generator's output: a clean row's true person, its UTC day and, for
feature_used events, its feature. It does not read any model. A few feature_used events with a
feature outside the catalog (and one without a feature) are added to the landing data: they must
be left out of adoption and counted by the warning test.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from bawh.generator import GeneratorConfig, generate, write_parquet
from conftest import DbtRun, build_from_landing

pytestmark = pytest.mark.slow

# 45 days from 20 September: three calendar months and seven weeks, so monthly retention is
# measured too; ai_assistant launches mid-October, inside the period.
CONFIG = GeneratorConfig(persons=800, days=45, seed=12, start_date=datetime.date(2026, 9, 20))
CATALOG_CSV = Path(__file__).resolve().parents[2] / "seeds" / "reference" / "feature_catalog.csv"
UNKNOWN_FEATURES = ("teleport", "teleport", "time_travel", None)
COLUMNS = (
    "n_active_persons",
    "n_adopters",
    "adoption_rate",
    "n_new_adopters",
    "n_cumulative_adopters",
    "median_days_to_adopt",
    "n_retained_adopters",
    "feature_retention_rate",
)

Key = tuple[str, datetime.date]  # feature, period start


@dataclass(frozen=True)
class Usage:
    """What the oracle knows: active days and feature-use days of each true person."""

    active_days: dict[str, set[datetime.date]]
    use_days: dict[tuple[str, str], set[datetime.date]]  # (person, feature) -> days
    uses_per_day: dict[tuple[str, str, datetime.date], int]
    launched_on: dict[str, datetime.date]


def utc_date(text: str) -> datetime.date:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.date()


def event_name(raw: str) -> str:
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


def read_catalog() -> dict[str, datetime.date]:
    lines = CATALOG_CSV.read_text().splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    return {row["feature_name"]: datetime.date.fromisoformat(row["launched_on"]) for row in rows}


def with_unknown_features(events: pa.Table, truth: pa.Table) -> pa.Table:
    """Copies of some clean feature_used events (same person, device and time, so the same
    person-day and session) naming features that are not in the catalog."""
    catalog = read_catalog()
    sources = [
        row
        for row, kind in zip(events.to_pylist(), truth.column("row_kind").to_pylist(), strict=True)
        if kind == "clean"
        and row["feature_name"] in catalog
        and event_name(row["event_name"]) == "feature_used"
    ]
    extra = [
        {**source, "event_id": f"e_unknown_feature_{index}", "feature_name": feature}
        for index, (source, feature) in enumerate(zip(sources[::97], UNKNOWN_FEATURES, strict=False))
    ]
    assert len(extra) == len(UNKNOWN_FEATURES)
    return pa.concat_tables([events, pa.Table.from_pylist(extra, schema=events.schema)])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Usage, DbtRun]:
    work_dir = tmp_path_factory.mktemp("feature_adoption")
    generated = generate(CONFIG)
    landing_events = with_unknown_features(generated.events, generated.truth)
    write_parquet(landing_events, work_dir / "landing", rows_per_file=40_000)
    run = build_from_landing(
        work_dir,
        str(work_dir / "landing" / "*.parquet"),
        select=("+path:models/reports/adoption", "+int_feature_uses"),
    )

    catalog = read_catalog()
    active_days: dict[str, set[datetime.date]] = defaultdict(set)
    use_days: dict[tuple[str, str], set[datetime.date]] = defaultdict(set)
    uses_per_day: dict[tuple[str, str, datetime.date], int] = defaultdict(int)
    for event, truth in zip(generated.events.to_pylist(), generated.truth.to_pylist(), strict=True):
        if truth["row_kind"] != "clean":
            continue
        person, day = truth["true_person_id"], utc_date(event["occurred_at"])
        active_days[person].add(day)
        if event_name(event["event_name"]) == "feature_used" and event["feature_name"] in catalog:
            use_days[(person, event["feature_name"])].add(day)
            uses_per_day[(person, event["feature_name"], day)] += 1
    return Usage(dict(active_days), dict(use_days), dict(uses_per_day), catalog), run


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_period(start: datetime.date, interval: str) -> datetime.date:
    if interval == "week":
        return start + datetime.timedelta(days=7)
    return (start + datetime.timedelta(days=31)).replace(day=1)


def expected_adoption(usage: Usage, interval: str) -> dict[Key, tuple]:
    """Feature adoption recomputed from the definition, one tuple of COLUMNS per key."""
    period_of = week_start if interval == "week" else month_start
    active: dict[datetime.date, set[str]] = defaultdict(set)
    for person, days in usage.active_days.items():
        for day in days:
            active[period_of(day)].add(person)
    first_seen = {person: min(days) for person, days in usage.active_days.items()}
    users: dict[tuple[str, datetime.date], set[str]] = defaultdict(set)  # (feature, period)
    first_use: dict[str, dict[str, datetime.date]] = defaultdict(dict)  # feature -> person
    for (person, feature), days in usage.use_days.items():
        for day in days:
            users[(feature, period_of(day))].add(person)
        first_use[feature][person] = min(days)

    last_period = max(active)
    expected: dict[Key, tuple] = {}
    for feature, launched_on in usage.launched_on.items():
        for period in sorted(active):
            if period < period_of(launched_on):
                continue
            adopters = users[(feature, period)] & active[period]
            firsts = first_use[feature]
            new = [person for person, day in firsts.items() if period_of(day) == period]
            days_to_adopt = [(firsts[person] - first_seen[person]).days for person in new]
            cumulative = sum(1 for day in firsts.values() if period_of(day) <= period)
            retained = None
            if period != last_period:
                following = next_period(period, interval)
                retained = len(adopters & users[(feature, following)] & active[following])
            expected[(feature, period)] = (
                len(active[period]),
                len(adopters),
                len(adopters) / len(active[period]),
                len(new),
                cumulative,
                float(statistics.median(days_to_adopt)) if days_to_adopt else None,
                retained,
                retained / len(adopters) if retained is not None and adopters else None,
            )
    return expected


def actual_adoption(run: DbtRun, model: str) -> dict[Key, tuple]:
    rows = run.query(f"select feature_name, period_start, {', '.join(COLUMNS)} from reports.{model}")
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def assert_equal_adoption(actual: dict[Key, tuple], expected: dict[Key, tuple]) -> None:
    assert set(actual) == set(expected)
    median = COLUMNS.index("median_days_to_adopt")
    for key, expected_row in expected.items():
        actual_row = actual[key]
        exact = [value for index, value in enumerate(actual_row) if index != median]
        assert exact == [value for index, value in enumerate(expected_row) if index != median], key
        if expected_row[median] is None:
            assert actual_row[median] is None, key
        else:
            assert actual_row[median] == pytest.approx(expected_row[median], abs=1e-9), key


@pytest.mark.parametrize(
    ("interval", "model"),
    [("week", "rpt_feature_adoption_weekly"), ("month", "rpt_feature_adoption_monthly")],
)
def test_feature_adoption_equals_the_definition_recomputed_from_events(
    built: tuple[Usage, DbtRun], interval: str, model: str
) -> None:
    usage, run = built
    expected = expected_adoption(usage, interval)
    # the data exercise every column: adopters, retention, several medians, a late launch
    assert any(row[1] and row[6] for row in expected.values())
    assert len({row[5] for row in expected.values()}) > 3
    assert any(feature == "ai_assistant" for feature, _ in expected)
    assert_equal_adoption(actual_adoption(run, model), expected)


def test_feature_uses_are_catalog_features_per_person_and_day(built: tuple[Usage, DbtRun]) -> None:
    usage, run = built
    actual = {
        (person, feature, day): n_uses
        for person, feature, day, n_uses in run.query(
            "select person_id, feature_name, usage_date, n_uses from intermediate.int_feature_uses"
        )
    }
    assert actual == usage.uses_per_day


def test_unknown_features_are_counted_by_a_warning(built: tuple[Usage, DbtRun]) -> None:
    _, run = built
    test_name = "assert_feature_used_events_name_a_catalog_feature"
    warning = [line for line in run.output.splitlines() if test_name in line]
    assert any(f"WARN {len(UNKNOWN_FEATURES)} " in line for line in warning), warning
