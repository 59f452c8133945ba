"""The `bawh` command line: generate -> build -> summary, checked against the generator's truth."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bawh.cli import build_parser, demo_events, main
from bawh.generator import GeneratorConfig, generate, write_csv
from bawh.trackers import WRITERS
from conftest import PROJECT_DIR, build_from_landing


@pytest.mark.slow
def test_generate_build_and_summary_agree_with_the_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing, truth_dir = tmp_path / "landing", tmp_path / "truth"
    assert main([
        "generate", "--persons", "150", "--days", "10", "--seed", "3",
        "--output", str(landing), "--truth", str(truth_dir),
    ]) == 0
    truth = pq.read_table(truth_dir).to_pylist()
    run = build_from_landing(tmp_path, str(landing / "*.parquet"))
    capsys.readouterr()

    assert main(["summary", "--warehouse", str(run.warehouse)]) == 0
    printed = capsys.readouterr().out
    kinds = Counter(row["row_kind"] for row in truth)
    persons = {row["true_person_id"] for row in truth if row["row_kind"] == "clean"}
    sessions = {row["true_session_id"] for row in truth if row["row_kind"] == "clean"}
    for label, expected in [
        ("events read", len(truth)),
        ("clean events", kinds["clean"]),
        ("quarantined", kinds["invalid"]),
        ("duplicates", kinds["duplicate"]),
        ("sessions", len(sessions)),
        ("persons", len(persons)),
    ]:
        assert f"{label:<19}{expected:>12,}" in printed, (label, printed)
    assert str(run.warehouse) in printed
    (n_error, n_warn), (n_stale, n_names) = run.query(
        "select count(case when severity = 'error' then 1 end), count(case when severity = 'warn' then 1 end)"
        " from reports.rpt_data_anomalies"
    )[0], run.query(
        "select count(case when freshness_status <> 'ok' then 1 end), count(*)"
        " from reports.rpt_data_freshness where event_name <> 'all'"
    )[0]
    health = f"data health        {n_error} error and {n_warn} warn anomalies, {n_stale} of {n_names} event"
    assert f"{health} names stale" in printed, printed
    # every mart and report the build made is listed by name
    listed = set(re.findall(r"[a-z0-9_]+", printed))
    built = run.query(
        "select table_name from information_schema.tables"
        " where table_schema in ('marts', 'reports')"
    )
    assert len(built) > 20
    assert {name for (name,) in built} <= listed


def test_summary_of_a_missing_warehouse_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", "--warehouse", str(tmp_path / "nowhere.duckdb")]) == 2
    assert "run `make run` first" in capsys.readouterr().err


def test_committed_demo_seed_is_the_generator_output(tmp_path: Path) -> None:
    regenerated = tmp_path / "raw_events.csv"
    write_csv(demo_events().events, regenerated)
    committed = PROJECT_DIR / "seeds" / "demo" / "raw_events.csv"
    assert regenerated.read_bytes() == committed.read_bytes(), "run `make demo-data`"


def test_every_command_is_listed_and_parses_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    for command in ("generate", "demo-data", "summary", "bench", "publish", "live-feed"):
        assert command in listed
    parser = build_parser()
    bench = parser.parse_args(["bench", "--size", "smoke", "--references", "polars, ", "--no-build"])
    assert (bench.size, bench.references, bench.build) == ("smoke", ["polars"], False)
    live = parser.parse_args(["live-feed", "--ticks", "2", "--interval", "0", "--dbt-command", "run"])
    assert (live.ticks, live.interval, live.dbt_command, live.batches) == (2, 0.0, "run", 10)


@pytest.mark.parametrize("tracker", sorted(WRITERS))
def test_generate_writes_a_trackers_export(tmp_path: Path, tracker: str) -> None:
    """`bawh generate --format <tracker>` writes the generated rows as that tracker's JSON lines,
    one record per raw row (GA4 leaves out the rows it cannot hold: no event id or received_at)."""
    arguments = ["generate", "--persons", "5", "--days", "2", "--seed", "3", "--start-date", "2026-09-01"]
    assert main([*arguments, "--format", tracker, "--output", str(tmp_path / tracker)]) == 0
    events = generate(GeneratorConfig(persons=5, days=2, seed=3, start_date=datetime.date(2026, 9, 1))).events
    left_out = sum(
        row["event_id"] is None or row["received_at"] is None for row in events.to_pylist()
    ) if tracker == "ga4" else 0
    lines = [line for path in (tmp_path / tracker).glob("*.jsonl") for line in path.read_text().splitlines()]
    assert len(lines) == events.num_rows - left_out > 0
    assert all(isinstance(json.loads(line), dict) for line in lines)
