"""Live-feed mode (`bawh live-feed`): every arrival batch lands and is built, and Ctrl-C stops
cleanly. The stream is the generator's; its raw row count is the ground truth."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bawh.generator import GeneratorConfig, generate
from conftest import PROJECT_DIR

pytestmark = pytest.mark.slow

BAWH = Path(sys.executable).parent / "bawh"
STREAM = {"persons": 40, "days": 4, "seed": 3}


def _command(tmp_path: Path, *options: str) -> list[str]:
    return [
        str(BAWH),
        "live-feed",
        "--project-dir", str(PROJECT_DIR),
        "--landing", str(tmp_path / "landing"),
        "--warehouse", str(tmp_path / "live.duckdb"),
        "--persons", str(STREAM["persons"]),
        "--days", str(STREAM["days"]),
        "--seed", str(STREAM["seed"]),
        *options,
    ]


def test_every_batch_lands_and_is_built(tmp_path: Path) -> None:
    completed = subprocess.run(
        _command(tmp_path, "--batches", "3", "--interval", "0", "--dbt-command", "run"),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    tick_lines = [line for line in completed.stdout.splitlines() if re.search(r" tick \d+:", line)]
    assert len(tick_lines) == 3
    assert all("freshness" in line and "not visible" not in line for line in tick_lines)
    assert "3/3" in tick_lines[-1]

    catalog = PROJECT_DIR / "seeds" / "reference" / "feature_catalog.csv"
    stream = generate(GeneratorConfig(**STREAM, feature_catalog_path=catalog))
    batches = sorted((tmp_path / "landing").glob("batch-*.parquet"))
    assert len(batches) == 3
    with duckdb.connect(str(tmp_path / "live.duckdb"), read_only=True) as connection:
        n_raw_rows = connection.execute(
            "select n_raw_rows from reports.rpt_event_reconciliation"
        ).fetchone()
        n_clean = connection.execute(
            "select count(*) from intermediate.int_events_sessionized"
        ).fetchone()
    truth_kinds = stream.truth["row_kind"].to_pylist()
    assert n_raw_rows == (stream.events.num_rows,)
    assert n_clean == (truth_kinds.count("clean"),)


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    process = subprocess.Popen(
        _command(tmp_path, "--batches", "20", "--interval", "600", "--dbt-command", "run"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        # a foreground job takes Ctrl-C even when the suite runs in the background, where
        # the shell starts it with SIGINT ignored (Python then never raises KeyboardInterrupt)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + 600
    for line in process.stdout:
        lines.append(line)
        if " tick 1:" in line or time.monotonic() > deadline:
            break
    assert any(" tick 1:" in line for line in lines), "".join(lines)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    rest, _ = process.communicate(timeout=120)
    output = "".join(lines) + rest
    assert process.returncode == 130, output
    assert "stopped (Ctrl-C): 1 ticks" in output
    assert "Traceback" not in output
