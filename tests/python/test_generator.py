"""Tests of the synthetic event generator (src/bawh/generator.py).

The invariants are checked on generated samples against the ground truth, with checks
written independently of the generator's internals: a row validator that mirrors the
staging rules, the reference seeds read from disk, timestamps parsed back from text.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import yaml

from bawh.generator import (
    EVENT_NAMES,
    INVALID_REASONS,
    GeneratedEvents,
    GeneratorConfig,
    _arrival_order,  # the tie-break is too rare to see in a sample
    generate,
    persons_for_events,
    write_csv,
    write_parquet,
)

ROOT = Path(__file__).resolve().parents[2]
CATALOG_PATH = ROOT / "seeds" / "reference" / "feature_catalog.csv"
TRACKING_PLAN_PATH = ROOT / "seeds" / "reference" / "tracking_plan.csv"

SOURCES_PATH = ROOT / "models" / "staging" / "tracking" / "_tracking__sources.yml"
# The generator must write exactly the event contract that the dbt source documents.
EXPECTED_EVENT_COLUMNS = [
    column["name"]
    for column in yaml.safe_load(SOURCES_PATH.read_text())["sources"][0]["tables"][0]["columns"]
]
EXPECTED_TRUTH_TYPES = {
    "raw_row_number": pa.int64(),
    "event_id": pa.string(),
    "received_at": pa.string(),
    "row_kind": pa.string(),
    "expected_reason": pa.string(),
    "true_person_id": pa.string(),
    "true_session_id": pa.string(),
    "true_event_index": pa.int64(),
    "persona": pa.string(),
    "channel": pa.string(),
    "funnel_step": pa.int64(),
}
STAGING_PATH = ROOT / "models" / "staging" / "tracking" / "_tracking__models.yml"
# The quarantine reasons staging accepts; the generator injects the ones its INVALID_REASONS
# lists (the plausibility bounds and identifier rules are exercised by test_messy_input.py).
STAGING_REASONS = {
    reason
    for column in yaml.safe_load(STAGING_PATH.read_text())["models"][0]["columns"]
    if column["name"] == "invalid_reason"
    for test in column["data_tests"]
    for reason in test["accepted_values"]["arguments"]["values"]
}
CAMPAIGN_CHANNELS = {"email", "paid_search", "paid_social"}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}")
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS


def _tracking_plan() -> set[str]:
    with TRACKING_PLAN_PATH.open(newline="") as handle:
        return {row["event_name"] for row in csv.DictReader(handle)}


def _feature_launches() -> dict[str, datetime.date]:
    with CATALOG_PATH.open(newline="") as handle:
        return {
            row["feature_name"]: datetime.date.fromisoformat(row["launched_on"])
            for row in csv.DictReader(handle)
        }


def _normalize(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _parse_time(text: str | None) -> datetime.datetime | None:
    if text is None or not TIMESTAMP.fullmatch(text):
        return None
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return None


def _defects(row: dict[str, str | None], plan: set[str]) -> set[str]:
    """Which staging checks a raw row fails (all of them, not only the first)."""
    defects = set()
    if row["event_id"] is None:
        defects.add("missing_event_id")
    if row["anonymous_id"] is None and row["user_id"] is None:
        defects.add("missing_person_id")
    occurred, received = _parse_time(row["occurred_at"]), _parse_time(row["received_at"])
    if occurred is None:
        defects.add("invalid_occurred_at")
    if received is None:
        defects.add("invalid_received_at")
    if occurred and received and occurred > received + datetime.timedelta(hours=24):
        defects.add("future_occurred_at")
    if row["event_name"] is None or _normalize(row["event_name"]) not in plan:
        defects.add("unknown_event_name")
    if row["revenue"] is not None and not re.fullmatch(r"\d+\.\d{2}", row["revenue"]):
        defects.add("invalid_revenue")
    clicks = [row["click_x"], row["click_y"]]
    if any(c is not None and not re.fullmatch(r"\d+", c) for c in clicks):
        defects.add("invalid_click_position")
    return defects


def _ms(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return column.cast(pa.timestamp("ms")).cast(pa.int64()).to_numpy()


def _rows(generated: GeneratedEvents) -> list[dict]:
    """Raw rows joined with their truth row (truth columns prefixed 't_')."""
    truth = [{f"t_{k}": v for k, v in row.items()} for row in generated.truth.to_pylist()]
    return [{**event, **t} for event, t in zip(generated.events.to_pylist(), truth, strict=True)]


@pytest.fixture(scope="module")
def sample() -> GeneratedEvents:
    return generate(GeneratorConfig(persons=200, feature_catalog_path=CATALOG_PATH))


@pytest.fixture(scope="module")
def sample_rows(sample: GeneratedEvents) -> list[dict]:
    return _rows(sample)


@pytest.fixture(scope="module")
def clean_rows(sample_rows: list[dict]) -> list[dict]:
    return [row for row in sample_rows if row["t_row_kind"] == "clean"]


@pytest.fixture(scope="module")
def large() -> GeneratedEvents:
    """About 200,000 events, sized by persons_for_events."""
    return generate(
        GeneratorConfig(
            persons=persons_for_events(200_000, 30),
            days=30,
            seed=11,
            feature_catalog_path=CATALOG_PATH,
        )
    )


@pytest.fixture(scope="module")
def defective() -> GeneratedEvents:
    """Many duplicates and invalid rows, so every reason shows up often."""
    return generate(
        GeneratorConfig(
            persons=200,
            seed=3,
            duplicate_rate=0.05,
            invalid_rate=0.05,
            feature_catalog_path=CATALOG_PATH,
        )
    )


# --- Shape and determinism -----------------------------------------------------------------


def test_schema(sample: GeneratedEvents) -> None:
    assert sample.events.column_names == EXPECTED_EVENT_COLUMNS
    assert all(field.type == pa.string() for field in sample.events.schema)
    assert {f.name: f.type for f in sample.truth.schema} == EXPECTED_TRUTH_TYPES
    assert sample.truth.column_names == list(EXPECTED_TRUTH_TYPES)
    assert sample.truth.num_rows == sample.events.num_rows > 1000
    assert sample.truth["raw_row_number"].to_pylist() == list(range(sample.events.num_rows))
    assert sample.truth["event_id"].equals(sample.events["event_id"])
    assert sample.truth["received_at"].equals(sample.events["received_at"])


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    config = GeneratorConfig(persons=40, days=10, feature_catalog_path=CATALOG_PATH)
    first, second = generate(config), generate(config)
    assert first.events.equals(second.events) and first.truth.equals(second.truth)
    write_csv(first.events, tmp_path / "a.csv")
    write_csv(second.events, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    other = generate(
        GeneratorConfig(persons=40, days=10, seed=43, feature_catalog_path=CATALOG_PATH)
    )
    assert not other.events.equals(first.events)


def test_formats(clean_rows: list[dict]) -> None:
    for row in clean_rows:
        assert re.fullmatch(r"e_[0-9a-f]{20}", row["event_id"])
        assert row["anonymous_id"] is None or re.fullmatch(r"a_[0-9a-f]{16}", row["anonymous_id"])
        assert row["user_id"] is None or re.fullmatch(r"u_\d{6}", row["user_id"])
        assert row["session_id"] is None or re.fullmatch(r"s_[0-9a-f]{12}", row["session_id"])
        assert TIMESTAMP.fullmatch(row["occurred_at"]) and TIMESTAMP.fullmatch(row["received_at"])
        assert row["page_url"] is None or row["page_url"].startswith("https://shop.example.com/")
        assert row["device_type"] in {"desktop", "mobile", "tablet"}
        assert re.fullmatch(r"[A-Z]{2}", row["country"])
        if row["properties"] is not None:
            assert isinstance(json.loads(row["properties"]), dict)
    ids = [row["event_id"] for row in clean_rows]
    assert len(set(ids)) == len(ids)


def test_arrival_order_breaks_ties_by_event_id() -> None:
    received = np.array([5, 5, 5, 1, 5, 5], dtype=np.int64)
    high = np.array([2, 1, 1, 9, 2**16, 1], dtype=np.int64)  # 2**16: no event_id
    low = np.array([0, 7, 3, 0, 0, 5], dtype=np.uint64)
    assert _arrival_order(received, high, low).tolist() == [3, 2, 5, 1, 0, 4]


def test_arrival_order(sample_rows: list[dict]) -> None:
    # invalid_received_at rows are placed by their original's received_at, so skip them.
    keys = [
        (row["received_at"], row["event_id"] is None, row["event_id"] or "")
        for row in sample_rows
        if row["t_expected_reason"] != "invalid_received_at"
    ]
    assert keys == sorted(keys)


# --- Persons, sessions and timing ----------------------------------------------------------


def test_session_timing(sample: GeneratedEvents) -> None:
    kind = sample.truth["row_kind"].to_numpy(zero_copy_only=False)
    clean = np.flatnonzero(kind == "clean")
    person = sample.truth["true_person_id"].to_numpy(zero_copy_only=False)[clean]
    session = sample.truth["true_session_id"].to_numpy(zero_copy_only=False)[clean]
    index = sample.truth["true_event_index"].to_numpy()[clean]
    occurred = _ms(sample.events["occurred_at"].take(clean))
    order = np.lexsort((occurred, person))
    person, session, index, occurred = person[order], session[order], index[order], occurred[order]
    same_person = person[1:] == person[:-1]
    same_session = session[1:] == session[:-1]
    gap = np.diff(occurred)
    assert (gap[same_person] >= 1000).all()
    inside = gap[same_session]
    assert inside.max() <= 25 * MINUTE_MS
    assert (inside >= 20 * MINUTE_MS).any()  # some long pauses near the timeout
    between = gap[same_person & ~same_session]
    assert between.min() >= 35 * MINUTE_MS
    # true_event_index counts 1, 2, ... along occurred_at within each session.
    starts = np.concatenate(([True], ~same_session))
    assert (index[starts] == 1).all()
    assert (index[1:][same_session] == index[:-1][same_session] + 1).all()
    ends = np.concatenate((~same_session, [True]))
    assert (occurred[ends] - occurred[starts]).max() < 20 * HOUR_MS
    # session labels are '<person>-<k>'
    assert all(s.startswith(f"{p}-") for p, s in zip(person[starts], session[starts], strict=True))


def test_sessions_start_with_page_view_on_one_device(clean_rows: list[dict]) -> None:
    devices: dict[str, set] = defaultdict(set)
    trackers: dict[str, set] = defaultdict(set)
    for row in clean_rows:
        if row["t_true_event_index"] == 1:
            assert _normalize(row["event_name"]) == "page_view"
        if row["anonymous_id"] is not None:
            devices[row["t_true_session_id"]].add((row["anonymous_id"], row["device_type"]))
        if row["session_id"] is not None:
            trackers[row["t_true_session_id"]].add(row["session_id"])
    assert max(len(d) for d in devices.values()) == 1
    assert max(len(t) for t in trackers.values()) == 1
    owners = Counter(next(iter(t)) for t in trackers.values())
    assert max(owners.values()) == 1  # a tracker session id belongs to one true session


def test_identity_rules(clean_rows: list[dict]) -> None:
    by_device: dict[str, list[dict]] = defaultdict(list)
    devices_of: dict[str, set] = defaultdict(set)
    for row in clean_rows:
        if row["anonymous_id"] is None:  # server-side order
            assert row["user_id"] == row["t_true_person_id"]
            assert _normalize(row["event_name"]) == "order_completed"
            continue
        by_device[row["anonymous_id"]].append(row)
        devices_of[row["t_true_person_id"]].add(row["anonymous_id"])
    for anonymous_id, rows in by_device.items():
        rows.sort(key=lambda r: r["occurred_at"])
        person = rows[0]["t_true_person_id"]
        assert {r["t_true_person_id"] for r in rows} == {person}
        known = [r["user_id"] is not None for r in rows]
        if person.startswith("u_"):
            assert any(known), anonymous_id  # every device of a registered person links
            assert not known[0]  # its first session starts anonymous
            first_known = known.index(True)
            assert all(known[first_known:])  # once identified, always identified
            assert _normalize(rows[first_known]["event_name"]) in {"sign_up", "login"}
            assert {r["user_id"] for r in rows[first_known:]} == {person}
        else:
            assert not any(known)
            assert person == anonymous_id
    for person, devices in devices_of.items():
        assert len(devices) <= (2 if person.startswith("u_") else 1)
    registered = [p for p in devices_of if p.startswith("u_")]
    assert 0.45 <= len(registered) / len(devices_of) <= 0.75
    two_devices = sum(len(devices_of[p]) == 2 for p in registered)
    assert 0.08 <= two_devices / len(registered) <= 0.35
    sign_ups = Counter(r["user_id"] for r in clean_rows if _normalize(r["event_name"]) == "sign_up")
    assert set(sign_ups) == set(registered) and set(sign_ups.values()) == {1}


def test_personas_differ(clean_rows: list[dict]) -> None:
    events: Counter = Counter()
    persons: dict[str, set] = defaultdict(set)
    for row in clean_rows:
        events[row["t_persona"]] += 1
        persons[row["t_persona"]].add(row["t_true_person_id"])
    per_person = {p: events[p] / len(persons[p]) for p in persons}
    assert (
        per_person["power"] > per_person["regular"] > per_person["casual"] > per_person["one_time"]
    )
    one_time_sessions = Counter(
        r["t_true_person_id"]
        for r in clean_rows
        if r["t_persona"] == "one_time" and r["t_true_event_index"] == 1
    )
    assert set(one_time_sessions.values()) == {1}


# --- Events --------------------------------------------------------------------------------


def test_event_names_and_spelling(clean_rows: list[dict]) -> None:
    plan = _tracking_plan()
    names = [row["event_name"] for row in clean_rows]
    # every event the generator simulates, each in the plan (which also holds trackers' events)
    assert {_normalize(n) for n in names} == set(EVENT_NAMES) <= plan
    non_canonical = sum(n not in plan for n in names) / len(names)
    assert 0.01 <= non_canonical <= 0.035


def test_features_never_before_launch(clean_rows: list[dict]) -> None:
    launches = _feature_launches()
    used: dict[str, set] = defaultdict(set)
    for row in clean_rows:
        is_feature = _normalize(row["event_name"]) == "feature_used"
        assert (row["feature_name"] is not None) == is_feature
        if is_feature:
            day = datetime.date.fromisoformat(row["occurred_at"][:10])
            assert day >= launches[row["feature_name"]], row
            assert row["page_url"].endswith(f"/app/{row['feature_name']}")
            used[row["t_persona"]].add((row["t_true_person_id"], row["feature_name"]))
    # A feature launched inside the period is adopted after its launch.
    assert any(f == "ai_assistant" for pairs in used.values() for _, f in pairs)
    breadth = {p: len(pairs) / len({person for person, _ in pairs}) for p, pairs in used.items()}
    assert breadth["power"] > breadth["casual"]


def test_attributes_by_event_type(clean_rows: list[dict]) -> None:
    funnel: Counter[str] = Counter()
    for row in clean_rows:
        name = _normalize(row["event_name"])
        funnel[name] += 1
        is_click = name in {"click", "error_click"}
        assert (row["element"] is not None) == is_click
        assert (row["click_x"] is not None) == is_click == (row["click_y"] is not None)
        if is_click:
            assert int(row["click_x"]) >= 0 and int(row["click_y"]) >= 0
        assert (row["product_id"] is not None) == (name in {"product_viewed", "product_added"})
        if row["product_id"] is not None:
            assert re.fullmatch(r"p-\d{4}", row["product_id"])
            assert row["page_url"].endswith(f"/products/{row['product_id']}")
        assert (row["revenue"] is not None) == (name == "order_completed")
        if row["revenue"] is not None:
            assert re.fullmatch(r"\d+\.\d{2}", row["revenue"]) and float(row["revenue"]) > 0
    # The funnel narrows at every step.
    steps = ["product_viewed", "product_added", "checkout_started", "order_completed"]
    counts = [funnel[s] for s in steps]
    assert counts == sorted(counts, reverse=True) and counts[-1] > 0
    assert funnel["error_click"] > 0


def test_funnel_step_truth(clean_rows: list[dict]) -> None:
    """funnel_step names the checkout stage of exactly the funnel events, and a session's
    stages come in order."""
    steps = ["product_viewed", "product_added", "checkout_started", "order_completed"]
    by_session: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in clean_rows:
        name = _normalize(row["event_name"])
        expected = steps.index(name) + 1 if name in steps else None
        assert row["t_funnel_step"] == expected
        if expected is not None:
            by_session[row["t_true_session_id"]].append((row["t_true_event_index"], expected))
    assert by_session
    for stages in by_session.values():
        in_time_order = [stage for _, stage in sorted(stages)]
        assert in_time_order == sorted(in_time_order)


def test_rage_click_bursts(sample: GeneratedEvents) -> None:
    """Some error clicks are followed by 2-4 clicks on the same element 1-1.5 s apart, and
    every click 1-1.5 s after the previous event of its session continues such a burst."""
    rows = sorted(
        (
            (row["t_true_session_id"], row["t_true_event_index"], row)
            for row in _rows(sample)
            if row["t_row_kind"] == "clean"
        ),
        key=lambda item: (item[0], item[1]),
    )
    burst_lengths = []
    run = 0
    for (session, _, row), (previous_session, _, previous) in zip(rows[1:], rows[:-1], strict=True):
        occurred, previous_occurred = (_parse_time(r["occurred_at"]) for r in (row, previous))
        assert occurred is not None and previous_occurred is not None
        gap = occurred - previous_occurred
        name = _normalize(row["event_name"])
        in_burst = (
            session == previous_session
            and name == "click"
            and datetime.timedelta(seconds=1) <= gap <= datetime.timedelta(seconds=1.5)
            and row["element"] == previous["element"]
            and (run > 0 or _normalize(previous["event_name"]) == "error_click")
        )
        if in_burst:
            run += 1
            assert abs(int(row["click_x"]) - int(previous["click_x"])) <= 12
        elif run:
            burst_lengths.append(run)
            run = 0
    assert burst_lengths and set(burst_lengths) <= {1, 2, 3, 4}
    # A burst is cut short only by a non-interaction event; most reach 2 or more clicks.
    assert sum(length >= 2 for length in burst_lengths) > len(burst_lengths) / 2


def test_traffic_sources(clean_rows: list[dict]) -> None:
    campaign_sessions = with_columns = 0
    channels = set()
    for row in clean_rows:
        utm = [row[f"utm_{k}"] for k in ("source", "medium", "campaign", "content", "term")]
        if row["t_true_event_index"] != 1:
            assert row["referrer_url"] is None and not any(utm)
            assert row["page_url"] is None or "utm_" not in row["page_url"]
            continue
        channels.add(row["t_channel"])
        if row["t_channel"] in CAMPAIGN_CHANNELS:
            campaign_sessions += 1
            query = dict(p.split("=") for p in row["page_url"].split("?", 1)[1].split("&"))
            assert {"utm_source", "utm_medium", "utm_campaign"} <= set(query)
            if row["utm_source"] is not None:
                with_columns += 1
                assert utm == [
                    query.get(f"utm_{k}")
                    for k in ("source", "medium", "campaign", "content", "term")
                ]
            else:
                assert not any(utm)
        else:
            assert "?" not in row["page_url"] and not any(utm)
            has_referrer = row["referrer_url"] is not None
            assert has_referrer == (
                row["t_channel"] in {"organic_search", "organic_social", "referral"}
            )
    assert {
        "direct",
        "organic_search",
        "organic_social",
        "referral",
        "email",
        "paid_search",
    } <= channels
    assert 0.55 <= with_columns / campaign_sessions <= 0.85


# --- Delivery, duplicates, invalid rows ----------------------------------------------------


def test_delivery_delays(sample: GeneratedEvents) -> None:
    clean = np.flatnonzero(sample.truth["row_kind"].to_numpy(zero_copy_only=False) == "clean")
    delay = _ms(sample.events["received_at"].take(clean)) - _ms(
        sample.events["occurred_at"].take(clean)
    )
    assert delay.min() >= 50
    normal = delay <= 3_000
    out_of_order = (delay >= 2 * MINUTE_MS) & (delay <= 60 * MINUTE_MS + 3_000)
    late = (delay >= 2 * HOUR_MS) & (delay <= 72 * HOUR_MS + 3_000)
    assert (normal | out_of_order | late).all()
    assert 0.013 <= out_of_order.mean() <= 0.03
    assert 0.002 <= late.mean() <= 0.01


def test_server_side_orders(large: GeneratedEvents) -> None:
    clean = large.truth["row_kind"].to_numpy(zero_copy_only=False) == "clean"
    names = np.array([_normalize(n) for n in large.events["event_name"].to_pylist()])
    orders = clean & (names == "order_completed")
    no_device = large.events["anonymous_id"].is_null().to_numpy(zero_copy_only=False)
    identified = large.events["user_id"].is_valid().to_numpy(zero_copy_only=False)
    assert not (clean & no_device & ~orders).any()
    assert (identified[clean & no_device]).all()
    assert 0.04 <= (orders & no_device).sum() / (orders & identified).sum() <= 0.16


def test_tracker_session_id_share(clean_rows: list[dict]) -> None:
    share = sum(row["session_id"] is not None for row in clean_rows) / len(clean_rows)
    assert 0.85 <= share <= 0.95


def test_duplicates(defective: GeneratedEvents) -> None:
    rows = _rows(defective)
    n_clean = sum(r["t_row_kind"] == "clean" for r in rows)
    first_copy: dict[str, dict] = {}
    n_duplicates = 0
    for row in rows:
        if row["t_row_kind"] == "clean":
            assert row["event_id"] not in first_copy  # the original arrives first
            first_copy[row["event_id"]] = row
        elif row["t_row_kind"] == "duplicate":
            n_duplicates += 1
            original = first_copy[row["event_id"]]
            assert row["received_at"] > original["received_at"]
            different = {k for k in row if row[k] != original[k]}
            assert different <= {"received_at", "t_raw_row_number", "t_received_at", "t_row_kind"}
    assert n_duplicates == round(0.05 * n_clean)


def test_invalid_rows_have_exactly_their_defect(defective: GeneratedEvents) -> None:
    plan = _tracking_plan()
    rows = _rows(defective)
    n_clean = sum(r["t_row_kind"] == "clean" for r in rows)
    clean_ids = {r["event_id"] for r in rows if r["t_row_kind"] == "clean"}
    reasons: Counter = Counter()
    for row in rows:
        defects = _defects(row, plan)
        if row["t_row_kind"] != "invalid":
            assert defects == set() and row["t_expected_reason"] is None, row
            assert row["t_true_person_id"] is not None and row["t_true_session_id"] is not None
            continue
        reason = row["t_expected_reason"]
        reasons[reason] += 1
        assert defects == {reason}, row
        assert row["event_id"] is None or row["event_id"] not in clean_ids
        assert row["t_true_person_id"] is None and row["t_true_event_index"] is None
        if reason == "invalid_revenue":
            assert _normalize(row["event_name"]) == "order_completed"
        if reason == "future_occurred_at":
            occurred, received = _parse_time(row["occurred_at"]), _parse_time(row["received_at"])
            assert occurred is not None and received is not None
            ahead = occurred - received
            assert datetime.timedelta(days=3) <= ahead <= datetime.timedelta(days=400)
        if reason == "invalid_click_position":
            assert _normalize(row["event_name"]) == "click"
    assert set(reasons) == set(INVALID_REASONS) <= STAGING_REASONS
    assert sum(reasons.values()) == round(0.05 * n_clean)
    assert min(reasons.values()) >= sum(reasons.values()) / len(INVALID_REASONS) / 3
    new_ids = [r["event_id"] for r in rows if r["t_row_kind"] == "invalid" and r["event_id"]]
    assert len(set(new_ids)) == len(new_ids)


def test_rates_roughly_honoured(sample: GeneratedEvents) -> None:
    kinds = Counter(sample.truth["row_kind"].to_pylist())
    assert kinds["duplicate"] == round(0.01 * kinds["clean"])
    assert kinds["invalid"] == round(0.005 * kinds["clean"])
    zero = generate(
        GeneratorConfig(
            persons=30, duplicate_rate=0, invalid_rate=0, feature_catalog_path=CATALOG_PATH
        )
    )
    assert set(zero.truth["row_kind"].to_pylist()) == {"clean"}


# --- Sizing and writing --------------------------------------------------------------------


def test_persons_for_events_hits_target(large: GeneratedEvents) -> None:
    target = 200_000
    assert abs(large.events.num_rows - target) <= 0.25 * target
    persons = persons_for_events(target, 30)
    assert persons_for_events(2 * target, 30) > persons
    assert persons_for_events(target, 10) > persons  # fewer days need more persons


def test_write_csv_round_trip(sample: GeneratedEvents, tmp_path: Path) -> None:
    path = tmp_path / "out" / "events.csv"
    write_csv(sample.events, path)
    assert path.read_text().splitlines()[0].replace('"', "").split(",") == EXPECTED_EVENT_COLUMNS
    read = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types={c: pa.string() for c in EXPECTED_EVENT_COLUMNS},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    assert read.num_rows == sample.events.num_rows
    for column in ("user_id", "revenue", "utm_source", "event_id", "occurred_at"):
        assert read[column].null_count == sample.events[column].null_count
    assert read["event_name"].equals(sample.events["event_name"])  # spaces survive


def test_write_parquet_round_trip(sample: GeneratedEvents, tmp_path: Path) -> None:
    (tmp_path / "part-00009.parquet").write_bytes(b"stale")
    rows_per_file = sample.events.num_rows // 3 + 1
    paths = write_parquet(sample.events, tmp_path, rows_per_file=rows_per_file)
    assert [p.name for p in paths] == [
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    ]
    assert sorted(tmp_path.glob("*.parquet")) == paths
    read = pa.concat_tables([pq.read_table(p) for p in paths])
    assert read.num_rows == sample.events.num_rows
    assert read.equals(sample.events)
