"""End to end: generated events with a known ground truth, built by dbt, compared to that truth.

The generator knows, for every raw row, whether it is a clean event, an injected duplicate or
an injected invalid row (and why), and for every event its true person and true session: it
builds sessions separated by more than the timeout and persons whose devices all log in at
least once, so the truth holds by construction, not by re-running the rule in Python.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest

from bawh.generator import GeneratedEvents, GeneratorConfig, generate, write_parquet
from conftest import DbtRun, build_from_landing

pytestmark = pytest.mark.slow

CONFIG = GeneratorConfig(
    persons=2_000,
    days=30,
    seed=7,
    duplicate_rate=0.02,
    invalid_rate=0.01,
    out_of_order_rate=0.05,
    late_rate=0.01,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], DbtRun]:
    work_dir = tmp_path_factory.mktemp("end_to_end")
    generated: GeneratedEvents = generate(CONFIG)
    # several files, as a landing folder fed by a stream would have
    write_parquet(generated.events, work_dir / "landing", rows_per_file=50_000)
    run = build_from_landing(work_dir, str(work_dir / "landing" / "*.parquet"))
    return generated.truth.to_pylist(), run


def clean_rows(truth: list[dict]) -> list[dict]:
    return [row for row in truth if row["row_kind"] == "clean"]


def test_every_raw_row_is_accounted_for(built: tuple[list[dict], DbtRun]) -> None:
    truth, run = built
    kinds = Counter(row["row_kind"] for row in truth)
    assert kinds["clean"] > 100_000 and kinds["duplicate"] > 0 and kinds["invalid"] > 0
    assert run.query(
        "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows, n_unaccounted_rows"
        " from reports.rpt_event_reconciliation"
    ) == [(len(truth), kinds["clean"], kinds["invalid"], kinds["duplicate"], 0)]


def test_quarantine_reasons_equal_the_injected_defects(built: tuple[list[dict], DbtRun]) -> None:
    truth, run = built
    expected = Counter(row["expected_reason"] for row in truth if row["row_kind"] == "invalid")
    actual = Counter(dict(run.query(
        "select invalid_reason, count(*) from intermediate.int_events_quarantined group by invalid_reason"
    )))
    assert actual == expected
    by_event = {
        row["event_id"]: row["expected_reason"]
        for row in truth
        if row["row_kind"] == "invalid" and row["event_id"]
    }
    assert dict(run.query(
        "select event_id, invalid_reason from intermediate.int_events_quarantined where event_id is not null"
    )) == by_event


def test_dedup_keeps_the_first_received_copy(built: tuple[list[dict], DbtRun]) -> None:
    truth, run = built
    expected = {
        row["event_id"]: datetime.datetime.fromisoformat(row["received_at"]) for row in clean_rows(truth)
    }
    actual = dict(run.query("select event_id, received_at from intermediate.int_events_deduplicated"))
    assert actual == expected


def test_every_clean_event_has_its_true_person(built: tuple[list[dict], DbtRun]) -> None:
    truth, run = built
    expected = {row["event_id"]: row["true_person_id"] for row in clean_rows(truth)}
    actual = dict(run.query("select event_id, person_id from intermediate.int_events_sessionized"))
    assert actual == expected


def test_every_clean_event_has_its_true_session_and_position(built: tuple[list[dict], DbtRun]) -> None:
    truth, run = built
    actual = {
        event_id: (session_id, event_index)
        for event_id, session_id, event_index in run.query(
            "select event_id, session_id, event_index from intermediate.int_events_sessionized"
        )
    }
    sessions_of_true_session: dict[str, set[str]] = defaultdict(set)
    for row in clean_rows(truth):
        session_id, event_index = actual[row["event_id"]]
        assert event_index == row["true_event_index"], row
        sessions_of_true_session[row["true_session_id"]].add(session_id)
    split = {key: value for key, value in sessions_of_true_session.items() if len(value) != 1}
    assert not split, f"true sessions split by the model: {list(split.items())[:5]}"
    # one model session per true session, none shared between two true sessions
    model_sessions = {next(iter(ids)) for ids in sessions_of_true_session.values()}
    assert len(model_sessions) == len(sessions_of_true_session)


def test_session_and_person_marts_equal_the_truth(built: tuple[list[dict], DbtRun]) -> None:
    truth, run = built
    events_per_session = Counter(row["true_session_id"] for row in clean_rows(truth))
    assert sorted(count for (count,) in run.query("select n_events from marts.fct_sessions")) == sorted(
        events_per_session.values()
    )
    sessions_per_person: dict[str, set[str]] = defaultdict(set)
    for row in clean_rows(truth):
        sessions_per_person[row["true_person_id"]].add(row["true_session_id"])
    assert dict(run.query("select person_id, n_sessions from marts.dim_persons")) == {
        person: len(sessions) for person, sessions in sessions_per_person.items()
    }


# The generator's channels are GA4 default channel groups under other names.
GA4_CHANNEL_OF = {
    "direct": "Direct",
    "organic_search": "Organic Search",
    "organic_social": "Organic Social",
    "referral": "Referral",
    "email": "Email",
    "paid_search": "Paid Search",
    "paid_social": "Paid Social",
}


def test_every_session_has_its_true_channel(built: tuple[list[dict], DbtRun]) -> None:
    """UTM parameters (in the columns or only in the page URL) win over the referrer; paid
    sessions also carry a search-engine or social referrer, so an order mistake shows."""
    truth, run = built
    channel_of_event = dict(
        run.query(
            "select events.event_id, sessions.channel_group"
            " from intermediate.int_events_sessionized as events"
            " inner join marts.fct_sessions as sessions on events.session_id = sessions.session_id"
        )
    )
    wrong = [
        (row["true_session_id"], row["channel"], channel_of_event[row["event_id"]])
        for row in clean_rows(truth)
        if channel_of_event[row["event_id"]] != GA4_CHANNEL_OF[row["channel"]]
    ]
    assert not wrong, f"{len(wrong)} events in sessions of the wrong channel, e.g. {wrong[:5]}"
    assert {GA4_CHANNEL_OF[row["channel"]] for row in clean_rows(truth)} == set(GA4_CHANNEL_OF.values())
