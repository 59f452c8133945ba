"""Active persons, stickiness, lifecycle and the engagement score, recomputed from the truth.

The shared generated data set, built through a landing folder; every number is then recomputed in
plain Python from the clean raw rows (true person, true session, the occurred_at date),
independently of the SQL, and compared exactly (the engagement score within 1e-9).
"""

from __future__ import annotations

import csv
import datetime
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PROJECT_DIR, DbtRun, GeneratedBuild, normalize_event_name, project_vars, run_dbt

pytestmark = pytest.mark.slow

STATUSES = ("new", "returning", "resurrecting", "dormant")


@dataclass(frozen=True)
class CleanEvent:
    person_id: str
    session_id: str
    occurred_at: datetime.datetime
    event_name: str
    feature_name: str | None

    @property
    def activity_date(self) -> datetime.date:
        return self.occurred_at.date()


@dataclass(frozen=True)
class Built:
    events: list[CleanEvent]
    run: DbtRun
    work_dir: Path
    landing_glob: str


@pytest.fixture(scope="module")
def built(generated_build: Callable[..., GeneratedBuild]) -> Built:
    build = generated_build()
    generated, run, work_dir = build.generated, build.run, build.work_dir
    landing_glob = str(work_dir / "landing" / "*.parquet")
    events = [
        CleanEvent(
            person_id=truth["true_person_id"],
            session_id=truth["true_session_id"],
            occurred_at=datetime.datetime.fromisoformat(row["occurred_at"]),
            event_name=normalize_event_name(row["event_name"]),
            feature_name=row["feature_name"],
        )
        for row, truth in zip(generated.events.to_pylist(), generated.truth.to_pylist(), strict=True)
        if truth["row_kind"] == "clean"
    ]
    assert len(events) > 10_000
    return Built(events, run, work_dir, landing_glob)


def active_dates(events: list[CleanEvent]) -> dict[str, set[datetime.date]]:
    dates: dict[str, set[datetime.date]] = defaultdict(set)
    for event in events:
        dates[event.person_id].add(event.activity_date)
    return dates


def calendar(events: list[CleanEvent]) -> list[datetime.date]:
    first = min(event.activity_date for event in events)
    last = max(event.activity_date for event in events)
    return [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(start: datetime.date) -> datetime.date:
    return (start + datetime.timedelta(days=32)).replace(day=1)


def period_length(period: str, start: datetime.date) -> int:
    return 7 if period == "week" else (next_month(start) - start).days


def previous_period(period: str, start: datetime.date) -> datetime.date:
    if period == "week":
        return start - datetime.timedelta(days=7)
    return month_start(start - datetime.timedelta(days=1))


PERIOD_START = {"week": week_start, "month": month_start}


def test_dau_wau_mau_equal_the_truth(built: Built) -> None:
    variables = project_vars()
    week_days = variables["active_persons_week_days"]
    month_days = variables["active_persons_month_days"]
    persons_on: dict[datetime.date, set[str]] = defaultdict(set)
    for person, dates in active_dates(built.events).items():
        for day in dates:
            persons_on[day].add(person)
    days = calendar(built.events)

    def active_in(day: datetime.date, window: int) -> int:
        persons: set[str] = set()
        for offset in range(window):
            persons |= persons_on.get(day - datetime.timedelta(days=offset), set())
        return len(persons)

    expected = []
    for day in days:
        dau, wau, mau = len(persons_on.get(day, set())), active_in(day, week_days), active_in(day, month_days)
        is_month_window_complete = day - datetime.timedelta(days=month_days - 1) >= days[0]
        expected.append((day, dau, wau, mau, dau / mau if mau else None, is_month_window_complete))
    actual = built.run.query(
        "select activity_date, dau, wau, mau, dau_mau_ratio, is_month_window_complete"
        " from reports.rpt_active_persons_daily order by activity_date"
    )
    assert actual == expected
    # the generated month has quiet days at its end: the spine keeps every date
    assert len(actual) == len(days) and any(row[1] < 10 for row in actual)


@pytest.mark.parametrize("period", ["week", "month"])
def test_stickiness_equals_the_truth(built: Built, period: str) -> None:
    days = calendar(built.events)
    active_days: Counter[tuple[datetime.date, str]] = Counter()
    for person, dates in active_dates(built.events).items():
        for day in dates:
            active_days[(PERIOD_START[period](day), person)] += 1
    periods = sorted({PERIOD_START[period](day) for day in days})
    expected = []
    for start in periods:
        length = period_length(period, start)
        buckets = Counter(n for (key, _), n in active_days.items() if key == start)
        n_active = sum(buckets.values())
        observed = sum(1 for day in days if PERIOD_START[period](day) == start)
        for n_days in range(1, length + 1):
            n_persons = buckets.get(n_days, 0)
            rate = n_persons / n_active if n_active else None
            expected.append((start, n_days, n_persons, n_active, rate, observed == length))
    label = "weekly" if period == "week" else "monthly"
    actual = built.run.query(
        f"select {period}_start_date, n_active_days, n_persons, n_active_persons, active_persons_rate,"
        f" is_complete_period from reports.rpt_stickiness_{label} order by 1, 2"
    )
    assert actual == expected
    assert any(row[2] > 0 and row[1] > 1 for row in actual)


@pytest.mark.parametrize("period", ["week", "month"])
def test_lifecycle_equals_the_truth(built: Built, period: str) -> None:
    days = calendar(built.events)
    person_periods = {
        person: {PERIOD_START[period](day) for day in dates}
        for person, dates in active_dates(built.events).items()
    }
    periods = sorted({PERIOD_START[period](day) for day in days})
    counts: Counter[tuple[datetime.date, str]] = Counter()
    for active in person_periods.values():
        first = min(active)
        for start in periods:
            previous = previous_period(period, start)
            if start in active:
                status = "new" if start == first else "returning" if previous in active else "resurrecting"
                counts[(start, status)] += 1
            elif previous in active:
                counts[(start, "dormant")] += 1
    n_active = Counter(start for active in person_periods.values() for start in active)
    expected = sorted(
        (start, status, counts[(start, status)], -counts[(start, status)] if status == "dormant"
         else counts[(start, status)], n_active[start])
        for start in periods
        for status in STATUSES
    )
    label = "weekly" if period == "week" else "monthly"
    actual = built.run.query(
        f"select {period}_start_date, lifecycle_status, n_persons, n_persons_signed, n_active_persons"
        f" from reports.rpt_lifecycle_{label} order by 1, 2"
    )
    assert actual == expected
    if period == "week":
        for status in STATUSES:
            assert sum(counts[(start, status)] for start in periods) > 0, status


def engagement_features(events: list[CleanEvent]) -> dict[str, dict[str, float]]:
    """The score's inputs per person, from the truth: true sessions, GA4 engagement (vars)."""
    variables = project_vars()
    plan = list(csv.DictReader((PROJECT_DIR / "seeds" / "reference" / "tracking_plan.csv").open()))
    conversions = {row["event_name"] for row in plan if row["is_conversion"] == "true"}
    page_views = {row["event_name"] for row in plan if row["is_page_view"] == "true"}
    sessions: dict[str, list[CleanEvent]] = defaultdict(list)
    for event in events:
        sessions[event.session_id].append(event)
    engaged: Counter[str] = Counter()
    n_sessions: Counter[str] = Counter()
    for session_events in sessions.values():
        person = session_events[0].person_id
        times = [event.occurred_at for event in session_events]
        duration = (max(times) - min(times)).total_seconds()
        n_conversions = sum(event.event_name in conversions for event in session_events)
        n_page_views = sum(event.event_name in page_views for event in session_events)
        n_sessions[person] += 1
        engaged[person] += (
            duration > variables["engaged_session_min_seconds"]
            or n_conversions >= variables["engaged_session_min_conversions"]
            or n_page_views >= variables["engaged_session_min_page_views"]
        )
    dates = active_dates(events)
    last_date = max(max(person_dates) for person_dates in dates.values())
    features: dict[str, set[str]] = defaultdict(set)
    person_conversions: Counter[str] = Counter()
    for event in events:
        person_conversions[event.person_id] += event.event_name in conversions
        if event.event_name == "feature_used" and event.feature_name is not None:
            features[event.person_id].add(event.feature_name)
    return {
        person: {
            "sessions": n_sessions[person],
            "active_days": len(dates[person]),
            "engaged_session_rate": engaged[person] / n_sessions[person],
            "conversions": person_conversions[person],
            "feature_breadth": len(features[person]),
            "recency": (last_date - max(dates[person])).days,
        }
        for person in dates
    }


def test_engagement_score_equals_the_formula_on_the_truth(built: Built) -> None:
    weights = {name: float(weight) for name, weight in project_vars()["engagement_score_weights"].items()}
    features = engagement_features(built.events)
    names = sorted(weights)
    low, high = {}, {}
    for name in names:
        values = [person[name] for person in features.values()]
        low[name], high[name] = min(values), max(values)

    def component(name: str, value: float) -> float:
        if high[name] == low[name]:
            return 0.0
        if name == "recency":  # fewer days since last seen is better
            return (high[name] - value) / (high[name] - low[name])
        return (value - low[name]) / (high[name] - low[name])

    total = 0.0
    for name in names:
        total += weights[name]
    expected = {}
    for person, values in features.items():
        components = {name: component(name, values[name]) for name in names}
        weighted = sum(weights[name] * components[name] for name in names)
        expected[person] = (min(max(weighted / total * 100, 0.0), 100.0), components)

    columns = ", ".join(f"engagement_{name}_component" for name in names)
    rows = built.run.query(f"select person_id, engagement_score, {columns} from marts.dim_persons")
    assert {row[0] for row in rows} == set(expected)
    for person, score, *components in rows:
        expected_score, expected_components = expected[person]
        assert score == pytest.approx(expected_score, abs=1e-9), person
        assert components == pytest.approx([expected_components[name] for name in names], abs=1e-9)
    scores = sorted(row[1] for row in rows)
    assert 0 <= scores[0] < 10 and scores[-1] > 50  # spread over the scale, not bunched


def test_legacy_formula_is_guarded(built: Built) -> None:
    """ln(sessions) * sqrt(conversions) / bounce_rate: null where the bounce rate is 0."""
    features = engagement_features(built.events)
    shown = run_dbt(
        [
            "show", "--output", "json", "--limit", "-1", "--inline",
            "{{ engagement_score(ref('dim_person_engagement_features'), method='legacy_log_ratio') }}",
        ],
        built.work_dir,
        {"raw_events_location": built.landing_glob},
    )
    assert shown.returncode == 0, shown.output[-4000:]
    payload = shown.output[shown.output.index("{"):shown.output.rindex("}") + 1]
    rows = {row["person_id"]: row["engagement_score"] for row in json.loads(payload)["show"]}
    assert set(rows) == set(features)
    n_null = 0
    for person, values in features.items():
        bounce_rate = 1 - values["engaged_session_rate"]
        if bounce_rate == 0:
            assert rows[person] is None, person
            n_null += 1
        else:
            expected = math.log(values["sessions"]) * math.sqrt(values["conversions"]) / bounce_rate
            assert rows[person] == pytest.approx(expected, abs=1e-9), person
    assert n_null > 0  # the seed formula's blind spot exists in the data
