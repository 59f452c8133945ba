"""Incremental builds equal a full rebuild.

Generated raw rows land in a landing folder in several arrival batches, split by received_at
at random cuts; rows received in the hour before a cut land with the next batch half of the
time (files that land out of received_at order, inside the lookback). The split is drawn
until it holds a duplicate whose first copy landed in an earlier batch, a login that ties an
anonymous history of an earlier batch to a user, and an event that happened before events of
an earlier batch (late or out of order). An incremental build runs after each
batch; at the end every table of every layer equals, row by row, that of a full build on the
same files, and one more build without new files changes nothing.
"""

from __future__ import annotations

import datetime
import math
import random
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.generator import GeneratorConfig, generate
from conftest import DBT_BUILD, DbtRun, run_dbt

pytestmark = pytest.mark.slow

N_BATCHES = 4
LANDING_SHUFFLE_HOURS = 1  # < incremental_lookback_hours (3)
SCHEMAS = ("staging", "intermediate", "marts", "reports")
# the raw events' descendants and what they read (no support domain); the batch builds skip the
# tests, the last incremental build runs every data test
SELECTED = [
    "--select",
    "@stg_tracking__events",
    "--exclude",
    "raw_events",
]
BUILD_WITHOUT_TESTS = ["build", *SELECTED, "--exclude-resource-type", "test", "unit_test"]


def received(row: dict) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(row["received_at"])
    except (TypeError, ValueError):
        return None


def split_into_batches(rows: list[dict], seed: int) -> list[int]:
    """Batch number of each raw row: random received_at cuts, late landings near the cuts,
    unparseable received_at anywhere; drawn again until the split holds a late duplicate, a
    late login and a late event."""
    rng = random.Random(seed)
    times = [received(row) for row in rows]
    known = sorted(time for time in times if time is not None)
    for _ in range(100):
        cuts = sorted(rng.choice(known[len(known) // 10 : -len(known) // 10]) for _ in range(N_BATCHES - 1))
        batches = []
        for time in times:
            if time is None:
                batches.append(rng.randrange(N_BATCHES))
                continue
            batch = sum(time >= cut for cut in cuts)
            near_next_cut = batch < len(cuts) and cuts[batch] - time < datetime.timedelta(
                hours=LANDING_SHUFFLE_HOURS
            )
            batches.append(batch + 1 if near_next_cut and rng.random() < 0.5 else batch)
        if (
            has_late_duplicate(rows, batches)
            and has_late_login(rows, batches)
            and has_late_event(rows, batches)
        ):
            return batches
    raise AssertionError("no split with a late duplicate, a late login and a late event")


def has_late_duplicate(rows: list[dict], batches: list[int]) -> bool:
    first_batch: dict[str, int] = {}
    for row, batch in zip(rows, batches, strict=True):
        if row["event_id"] and received(row):
            first_batch[row["event_id"]] = min(batch, first_batch.get(row["event_id"], batch))
    return any(
        batch > first_batch[row["event_id"]]
        for row, batch in zip(rows, batches, strict=True)
        if row["event_id"] in first_batch and received(row)
    )


def has_late_event(rows: list[dict], batches: list[int]) -> bool:
    """An event that happened before another event of its device but landed in a later batch
    (it can extend, start or join sessions of an earlier batch)."""
    latest: dict[str, tuple[str, int]] = {}
    for row, batch in sorted(zip(rows, batches, strict=True), key=lambda pair: pair[1]):
        device, occurred = row["anonymous_id"], row["occurred_at"]
        if not device or not occurred or not received(row):
            continue
        if device in latest and batch > latest[device][1] and occurred < latest[device][0]:
            return True
        if device not in latest or occurred > latest[device][0]:
            latest[device] = (occurred, batch)
    return False


def has_late_login(rows: list[dict], batches: list[int]) -> bool:
    """An anonymous_id first seen with a user_id in a later batch than an anonymous event."""
    first_anonymous: dict[str, int] = {}
    first_identified: dict[str, int] = {}
    for row, batch in zip(rows, batches, strict=True):
        device = row["anonymous_id"]
        if not device:
            continue
        seen = first_identified if row["user_id"] else first_anonymous
        seen[device] = min(batch, seen.get(device, batch))
    return any(
        first_identified[device] > batch
        for device, batch in first_anonymous.items()
        if device in first_identified
    )


# When each row arrived in the warehouse (the time of the run that loaded it): differs between
# an incremental and a full build by design, and is the only column that may.
ARRIVAL_COLUMNS = ("loaded_at", "last_loaded_at")


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of every layer, rows sorted, without the arrival columns."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in {SCHEMAS} and table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            f"{schema}.{table}": connection.execute(
                f"select columns(c -> c not in {ARRIVAL_COLUMNS}) from \"{schema}\".\"{table}\" order by all"
            ).fetchall()
            for schema, table in tables
        }


def values_equal(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return left == right


def assert_same_tables(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    assert sorted(actual) == sorted(expected)
    for name, expected_rows in expected.items():
        actual_rows = actual[name]
        assert len(actual_rows) == len(expected_rows), name
        for actual_row, expected_row in zip(actual_rows, expected_rows, strict=True):
            assert all(
                values_equal(left, right) for left, right in zip(actual_row, expected_row, strict=True)
            ), (name, actual_row, expected_row)


def build(work_dir: Path, landing: Path, command: list[str], person_buckets: int = 1) -> DbtRun:
    variables = {"raw_events_location": str(landing / "*.parquet"), "person_buckets": person_buckets}
    run = run_dbt(command, work_dir, variables)
    assert run.returncode == 0, run.output[-6000:]
    return run


# the second case builds in person buckets (3, an uneven md5 split); the full build it is
# compared with runs in one statement
@pytest.mark.parametrize(("seed", "person_buckets"), [(11, 1), (23, 3)])
def test_incremental_builds_equal_a_full_build(tmp_path: Path, seed: int, person_buckets: int) -> None:
    events = generate(
        GeneratorConfig(
            persons=400,
            days=20,
            seed=seed,
            duplicate_rate=0.02,
            invalid_rate=0.01,
            out_of_order_rate=0.05,
            late_rate=0.01,
        )
    ).events
    rows = events.to_pylist()
    batches = split_into_batches(rows, seed)
    landing = tmp_path / "landing"
    landing.mkdir()
    incremental_dir = tmp_path / "incremental"
    for batch in range(N_BATCHES):
        part = pa.Table.from_pylist(
            [row for row, row_batch in zip(rows, batches, strict=True) if row_batch == batch],
            schema=events.schema,
        )
        pq.write_table(part, landing / f"batch-{batch}.parquet")
        last = batch == N_BATCHES - 1
        command = [*DBT_BUILD, *SELECTED] if last else BUILD_WITHOUT_TESTS
        run = build(incremental_dir, landing, command, person_buckets)
    incremental = snapshot(run.warehouse)
    assert len(incremental["marts.fct_sessions"]) > 1_000
    if person_buckets > 1:
        # the first build ran sessionization, sessions and person days in person_buckets
        # statements (the other three person-based models in one, without stored persons);
        # each later run stored each of the six models' persons and built them in one
        # statement: buckets split full builds only
        log = (incremental_dir / "logs" / "dbt.log").read_text()
        assert log.count('__affected_persons" as') == 3 + 6 * (N_BATCHES - 1)
        assert log.count('__build_persons" as select') == 3 * person_buckets + 6 * (N_BATCHES - 1)

    full = build(tmp_path / "full", landing, BUILD_WITHOUT_TESTS)
    assert_same_tables(incremental, snapshot(full.warehouse))

    # a build with no new file changes nothing, and leaves no bucket relation behind
    build(incremental_dir, landing, BUILD_WITHOUT_TESTS, person_buckets)
    assert_same_tables(snapshot(run.warehouse), incremental)


def test_a_full_build_in_person_buckets_equals_one_statement(tmp_path: Path) -> None:
    """var person_buckets splits the full builds of sessionization, fct_sessions and
    fct_person_days into one statement per md5 range of person_id; the tables are those of a
    single statement."""
    events = generate(GeneratorConfig(persons=400, days=20, seed=5, duplicate_rate=0.02)).events
    landing = tmp_path / "landing"
    landing.mkdir()
    pq.write_table(events, landing / "events.parquet")
    variables = {"raw_events_location": str(landing / "*.parquet")}
    single = run_dbt(BUILD_WITHOUT_TESTS, tmp_path / "single", variables)
    assert single.returncode == 0, single.output[-6000:]
    buckets = 5  # not a power of two: the md5 ranges are uneven integer divisions
    bucketed = run_dbt(
        [*DBT_BUILD, *SELECTED], tmp_path / "bucketed", {**variables, "person_buckets": buckets}
    )
    assert bucketed.returncode == 0, bucketed.output[-6000:]

    assert_same_tables(snapshot(bucketed.warehouse), snapshot(single.warehouse))
    # every bucket of the three bucketed models ran, and no helper table of the
    # materialization was left behind
    log = (tmp_path / "bucketed" / "logs" / "dbt.log").read_text()
    assert log.count('__build_persons" as select') == 3 * buckets
    with duckdb.connect(str(bucketed.warehouse), read_only=True) as connection:
        assert connection.execute(
            "select count(*) from information_schema.tables where regexp_matches("
            "table_name, '__(affected_persons|build_persons|new_rows|dbt_tmp|dbt_backup)$')"
        ).fetchone() == (0,)
