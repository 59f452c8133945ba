"""Behavioral segments (dim_person_segments, rpt_segment_summary) recomputed from the truth.

The shared generated data set (nine weeks, so persons whose last activity is 30+ days before
the end, the lapsed, exist), built through a landing folder; every person's segment inputs,
flags and primary segment are then recomputed in plain Python from the clean raw rows (true person,
true session, occurred_at, feature_used events), independently of the SQL, with the rules and
the priority order as documented (dim_person_segments, macro segment_priority_order), and
compared exactly.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from conftest import DbtRun, GeneratedBuild, normalize_event_name, project_vars

pytestmark = pytest.mark.slow

# the documented priority order, most actionable first (macro segment_priority_order)
PRIORITY = (
    "at_risk",
    "new",
    "lapsed",
    "power_user",
    "engaged_high_frequency",
    "active_recent",
    "occasional",
)
COLUMNS = (
    "as_of_date",
    "first_seen_date",
    "last_active_date",
    "days_since_first_seen",
    "days_since_last_active",
    "n_active_days_recent_window",
    "n_active_days_prior_window",
    "n_sessions_frequency_window",
    "avg_sessions_per_week",
    "n_features_used",
    *(f"is_{name}" for name in PRIORITY),
    "primary_segment",
    "segment_priority",
)


@dataclass(frozen=True)
class CleanEvent:
    person_id: str
    session_id: str
    occurred_at: datetime.datetime
    event_name: str
    feature_name: str | None
    revenue: Decimal


@dataclass(frozen=True)
class Built:
    events: list[CleanEvent]
    run: DbtRun


@pytest.fixture(scope="module")
def built(generated_build: Callable[..., GeneratedBuild]) -> Built:
    build = generated_build()
    generated, run = build.generated, build.run
    events = [
        CleanEvent(
            person_id=truth["true_person_id"],
            session_id=truth["true_session_id"],
            occurred_at=datetime.datetime.fromisoformat(row["occurred_at"]),
            event_name=normalize_event_name(row["event_name"]),
            feature_name=row["feature_name"],
            revenue=Decimal(row["revenue"]) if row["revenue"] else Decimal(0),
        )
        for row, truth in zip(generated.events.to_pylist(), generated.truth.to_pylist(), strict=True)
        if truth["row_kind"] == "clean"
    ]
    assert len(events) > 10_000
    return Built(events, run)


def expected_segments(events: list[CleanEvent]) -> dict[str, tuple]:
    """Every person's row of dim_person_segments, from the truth and the documented rules."""
    variables = project_vars()
    recent_days = variables["segment_active_recent_days"]
    lapsed_days = variables["segment_lapsed_days"]
    weeks = variables["segment_high_frequency_weeks"]
    risk_days = variables["segment_at_risk_window_days"]
    dates: dict[str, set[datetime.date]] = defaultdict(set)
    session_starts: dict[tuple[str, str], datetime.datetime] = {}
    features: dict[str, set[str]] = defaultdict(set)
    for event in events:
        dates[event.person_id].add(event.occurred_at.date())
        key = (event.person_id, event.session_id)
        session_starts[key] = min(session_starts.get(key, event.occurred_at), event.occurred_at)
        if event.event_name == "feature_used" and event.feature_name is not None:
            features[event.person_id].add(event.feature_name)
    as_of = max(max(person_dates) for person_dates in dates.values())
    window_sessions: Counter[str] = Counter(
        person
        for (person, _), started_at in session_starts.items()
        if (as_of - started_at.date()).days < 7 * weeks
    )
    expected = {}
    for person, person_dates in dates.items():
        first_seen, last_active = min(person_dates), max(person_dates)
        ages = [(as_of - day).days for day in person_dates]
        since_first, since_last = (as_of - first_seen).days, (as_of - last_active).days
        recent = sum(age < risk_days for age in ages)
        prior = sum(risk_days <= age < 2 * risk_days for age in ages)
        n_features = len(features[person])
        lapsed = since_last >= lapsed_days
        flags = {
            "at_risk": recent < variables["segment_at_risk_ratio"] * prior and not lapsed,
            "new": since_first < variables["segment_new_days"],
            "lapsed": lapsed,
            "power_user": n_features >= variables["segment_power_user_min_features"]
            and since_last < variables["segment_power_user_active_days"],
            "engaged_high_frequency": window_sessions[person]
            >= variables["segment_high_frequency_sessions_per_week"] * weeks,
            "active_recent": since_last < recent_days,
        }
        flags["occasional"] = not any(flags.values())
        primary = next(name for name in PRIORITY if flags[name])
        expected[person] = (
            as_of,
            first_seen,
            last_active,
            since_first,
            since_last,
            recent,
            prior,
            window_sessions[person],
            window_sessions[person] / weeks,
            n_features,
            *(flags[name] for name in PRIORITY),
            primary,
            PRIORITY.index(primary) + 1,
        )
    return expected


def test_every_person_has_the_segments_of_the_truth(built: Built) -> None:
    expected = expected_segments(built.events)
    rows = built.run.query(f"select person_id, {', '.join(COLUMNS)} from marts.dim_person_segments")
    actual = {row[0]: tuple(row[1:]) for row in rows}
    assert len(rows) == len(actual) == len(expected)
    mismatched = {
        person: (actual.get(person), row) for person, row in expected.items() if actual.get(person) != row
    }
    assert not mismatched, f"{len(mismatched)} persons differ, e.g. {list(mismatched.items())[:3]}"
    # every rule fires on the generated data, and every flag is also false for someone
    for name in PRIORITY:
        column = COLUMNS.index(f"is_{name}")
        assert 0 < sum(row[column] for row in expected.values()) < len(expected), name


def test_segment_summary_equals_the_truth(built: Built) -> None:
    expected = expected_segments(built.events)
    members: dict[str, list[str]] = defaultdict(list)
    for person, row in expected.items():
        members[row[-2]].append(person)
    sessions: dict[str, set[str]] = defaultdict(set)
    revenue: Counter[str] = Counter()
    for event in built.events:
        sessions[event.person_id].add(event.session_id)
        revenue[event.person_id] += event.revenue
    rows = built.run.query(
        "select segment_priority, primary_segment, n_persons, persons_rate, avg_sessions, revenue"
        " from reports.rpt_segment_summary order by segment_priority"
    )
    assert [row[:2] for row in rows] == [(index + 1, name) for index, name in enumerate(PRIORITY)]
    for _, name, n_persons, persons_rate, avg_sessions, segment_revenue in rows:
        persons = members[name]
        assert n_persons == len(persons), name
        assert persons_rate == pytest.approx(len(persons) / len(expected), abs=1e-12), name
        if persons:
            mean = sum(len(sessions[person]) for person in persons) / len(persons)
            assert avg_sessions == pytest.approx(mean, abs=1e-9), name
        else:
            assert avg_sessions is None, name
        assert segment_revenue == sum((revenue[person] for person in persons), Decimal(0)), name
    assert sum(row[3] for row in rows) == pytest.approx(1.0, abs=1e-12)
