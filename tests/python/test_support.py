"""The support-platform domain end to end, against the generator's ground truth.

bawh.support makes the three raw exports with injected defects (mistyped and out-of-range
values, missing ids, duplicate rows) and valid variations (UUID ids, fractional-second
timestamps, recommendations to unknown users), and says per raw row which quarantine reason
is expected. The files are written as CSV to a folder, the support models are built with the
one setting support_files_location pointing at it, and the quarantine must hold exactly the
defective rows with their reasons while every other row reaches the marts. The oracles below
recompute everything in plain Python from the generated rows, independently of the SQL.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from bawh.cli import DEMO_SUPPORT_CONFIG
from bawh.support import SupportConfig, generate_support, write_support_csv
from conftest import PROJECT_DIR, DbtRun, run_dbt

CONFIG = SupportConfig(
    users=120,
    sessions=700,
    recommendations=400,
    moderators=80,
    seed=7,
    defect_rate=0.06,
    duplicate_rate=0.02,
    fractional_second_rate=0.3,
    uuid_ids=True,
    unknown_user_rate=0.05,
)


Rows = dict[str, list[dict[str, str | None]]]
Reasons = dict[str, list[str | None]]


def _clean(rows: Rows, reasons: Reasons, table: str) -> list[dict[str, str | None]]:
    return [row for row, reason in zip(rows[table], reasons[table], strict=True) if reason is None]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, Rows, Reasons]:
    work_dir = tmp_path_factory.mktemp("support")
    generated = generate_support(CONFIG)
    files = work_dir / "exports"
    write_support_csv(generated, files, demo_names=False)
    run = run_dbt(
        [
            "build",
            "--select", "path:models/staging/support+", "path:tests/support",
            "--exclude-resource-type", "unit_test",
        ],
        work_dir,
        {"support_files_location": str(files)},
    )
    assert run.returncode == 0, run.output[-6000:]
    rows = {name: table.to_pylist() for name, table in generated.tables.items()}
    return run, rows, generated.reasons


def _raw_values(row: dict[str, str | None]) -> str:
    return "|".join(value or "" for value in row.values())


def test_the_generator_injects_every_kind_of_defect() -> None:
    reasons = generate_support(CONFIG).reasons
    kinds = {reason for table in reasons.values() for reason in table if reason}
    for expected in [
        "missing_session_id", "missing_user_id", "invalid_timestamp", "invalid_messages_sent",
        "session_length_out_of_range", "duplicate_session_id", "invalid_recommendation_type",
        "click_through_rate_out_of_range", "duplicate_recommendation_id", "missing_moderator_id",
    ]:
        assert expected in kinds, expected


def test_quarantine_holds_exactly_the_defective_rows_with_their_reasons(built: tuple) -> None:
    run, rows, reasons = built
    expected = Counter(
        (table, _raw_values(row), reason)
        for table, table_rows in rows.items()
        for row, reason in zip(table_rows, reasons[table], strict=True)
        if reason is not None
    )
    quarantined = Counter(
        run.query(
            "select source_table, raw_values, invalid_reason"
            " from intermediate.int_support_rows_quarantined"
        )
    )
    assert sum(expected.values()) > 30
    assert quarantined == expected


def test_every_clean_row_reaches_the_marts(built: tuple) -> None:
    run, rows, reasons = built
    sessions = _clean(rows, reasons, "user_activity")
    assert sorted(row[0] for row in run.query("select session_id from marts.fct_support_sessions")) == sorted(
        str(row["session_id"]) for row in sessions
    )
    moderators = _clean(rows, reasons, "moderator_performance")
    assert sorted(row[0] for row in run.query("select moderator_id from marts.dim_moderators")) == sorted(
        str(row["moderator_id"]) for row in moderators
    )
    known_users = {row["user_id"] for row in sessions}
    recommendations = _clean(rows, reasons, "recommendations")
    expected_recommendations = sorted(
        (str(row["recommendation_id"]), row["user_id"] in known_users) for row in recommendations
    )
    assert sorted(
        run.query("select recommendation_id, is_user_known from marts.fct_support_recommendations")
    ) == expected_recommendations
    # unknown users are kept (flagged), not dropped
    assert any(not is_known for _, is_known in expected_recommendations)

    by_type = Counter(row["recommendation_type"] for row in recommendations)
    report = dict(run.query(
        "select recommendation_type, n_recommendations from reports.rpt_recommendation_performance"
    ))
    assert report == dict(by_type)


def test_session_ctr_is_recomputed_in_python(built: tuple) -> None:
    run, rows, reasons = built
    sessions = _clean(rows, reasons, "user_activity")
    given = Counter(row["user_id"] for row in _clean(rows, reasons, "recommendations"))
    expected = {}
    for row in sessions:
        clicked = int(str(row["resources_clicked"]))
        n_given = given[row["user_id"]]
        if n_given:
            expected[row["session_id"]] = (clicked / n_given, "per_recommendation")
        else:
            expected[row["session_id"]] = (clicked / float(str(row["session_length"])), "per_session_minute")
    actual = {
        session_id: (ctr, basis)
        for session_id, ctr, basis in run.query(
            "select session_id, session_ctr, session_ctr_basis from marts.fct_support_sessions"
        )
    }
    assert actual.keys() == expected.keys()
    assert {basis for _, basis in expected.values()} == {"per_recommendation", "per_session_minute"}
    for session_id, (ctr, basis) in expected.items():
        assert actual[session_id][1] == basis
        assert math.isclose(actual[session_id][0], ctr, rel_tol=1e-12), session_id
    # not integer division: some per-recommendation values have a fraction
    assert any(ctr % 1 for ctr, basis in actual.values() if basis == "per_recommendation")


def test_moderator_rank_follows_the_score_and_faster_is_better(built: tuple) -> None:
    run, _, _ = built
    moderators = run.query(
        "select performance_score, performance_rank, avg_response_time_seconds, response_time_component"
        " from marts.dim_moderators order by performance_rank"
    )
    scores = [row[0] for row in moderators]
    assert scores == sorted(scores, reverse=True)
    fastest = min(moderators, key=lambda row: row[2])
    slowest = max(moderators, key=lambda row: row[2])
    assert fastest[3] == 1.0 and slowest[3] == 0.0


def test_the_generator_is_deterministic() -> None:
    first, second = generate_support(CONFIG), generate_support(CONFIG)
    assert all(first.tables[name].equals(second.tables[name]) for name in first.tables)
    assert first.reasons == second.reasons


def test_committed_support_demo_seeds_are_the_generator_output(tmp_path: Path) -> None:
    paths = write_support_csv(generate_support(DEMO_SUPPORT_CONFIG), tmp_path)
    for path in paths:
        committed = PROJECT_DIR / "seeds" / "demo" / path.name
        assert path.read_bytes() == committed.read_bytes(), f"{path.name}: run `make demo-data`"
