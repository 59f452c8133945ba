"""Live-feed mode: a simulated event stream landing in batches, built incrementally.

``bawh live-feed`` replays one generated event stream in arrival order: every tick it writes
the next slice of raw rows (by received_at, so late and out-of-order events arrive as they
would) as a new Parquet file in the landing folder, then runs ``dbt build`` on the landing
folder (the incremental models read only what arrived since the last run, minus the
lookback). Per tick it prints the new raw rows, the build's seconds and the freshness: the
seconds from the batch landing to its newest event being visible in the marts (checked in
``intermediate.int_events_sessionized``). Ctrl-C stops cleanly: the running dbt process is
interrupted and waited for, and ``run_live_feed`` raises KeyboardInterrupt with the
completed ticks kept (the command line then prints ``summarize(ticks)``, exit code 130).
"""

from __future__ import annotations

import datetime
import math
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bawh import dbt_runner, generator

__all__ = ["LiveFeedConfig", "Tick", "run_live_feed", "summarize"]

PROGRESS_WIDTH = 24


@dataclass(frozen=True)
class LiveFeedConfig:
    """What to replay, where, and how often."""

    landing: Path  # folder the batches are written to (batch-00001.parquet, ...)
    warehouse: Path  # the DuckDB file dbt builds
    project_dir: Path
    batches: int = 10  # the stream is cut into this many arrival batches
    ticks: int | None = None  # stop after this many ticks (None: all batches)
    interval_seconds: float = 5.0  # from the start of one tick to the start of the next
    persons: int = 200
    days: int = 7
    seed: int = 1
    dbt_command: str = "build"  # build (models and tests) or run (models only)

    def __post_init__(self) -> None:
        if self.batches < 1 or (self.ticks is not None and self.ticks < 1):
            raise ValueError("batches and ticks must be at least 1")
        if self.interval_seconds < 0:
            raise ValueError("interval_seconds must be >= 0")
        if self.dbt_command not in ("build", "run"):
            raise ValueError("dbt_command must be 'build' or 'run'")


@dataclass(frozen=True)
class Tick:
    """What one tick did."""

    number: int
    new_rows: int
    newest_received_at: datetime.datetime | None
    build_seconds: float
    freshness_seconds: float | None  # batch landed -> newest event visible; None if not seen
    n_sessions: int


def _stream(config: LiveFeedConfig) -> pa.Table:
    catalog = config.project_dir / "seeds" / "reference" / "feature_catalog.csv"
    generated = generator.generate(
        generator.GeneratorConfig(
            persons=config.persons,
            days=config.days,
            seed=config.seed,
            feature_catalog_path=catalog,
        )
    )
    return generated.events  # in arrival order


def _newest_received_at(batch: pa.Table) -> datetime.datetime | None:
    """The latest parseable received_at of a batch (invalid rows carry text like 'N/A')."""
    parsed = pc.strptime(
        batch["received_at"], format="%Y-%m-%d %H:%M:%S.%f", unit="ms", error_is_null=True
    )
    newest = pc.max(parsed).as_py()
    return newest if isinstance(newest, datetime.datetime) else None


def _dbt(config: LiveFeedConfig, command: list[str]) -> subprocess.Popen[bytes]:
    """Start ``dbt <command>`` on the landing folder, with its own artefacts: a live feed
    beside ``make run`` must not share target/."""
    return dbt_runner.start(
        dbt_runner.DbtInvocation(
            command=[*command, "--quiet"],
            project_dir=config.project_dir,
            target_path=config.project_dir / "target" / "live",
            log_path=config.project_dir / "logs" / "live",
            variables={"raw_events_location": str(config.landing / "*.parquet")},
            duckdb_path=config.warehouse,
        )
    )


def _wait(process: subprocess.Popen[bytes], what: str) -> None:
    """Wait for a dbt process; on Ctrl-C let it stop too (it got the same SIGINT) and
    re-raise; on failure raise with its output."""
    try:
        output, _ = process.communicate()
    except KeyboardInterrupt:
        process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"{what} failed:\n" + output.decode(errors="replace")[-3000:])


def _visible(config: LiveFeedConfig, newest: datetime.datetime | None) -> tuple[bool, int]:
    """Whether the batch's newest event is in the marts, and the number of sessions."""
    with duckdb.connect(str(config.warehouse), read_only=True) as connection:
        latest = connection.execute(
            "select max(received_at) from intermediate.int_events_sessionized"
        ).fetchone()
        sessions = connection.execute("select count(*) from marts.fct_sessions").fetchone()
    seen = newest is None or (latest is not None and latest[0] is not None and latest[0] >= newest)
    return seen, int(sessions[0]) if sessions else 0


def _progress(done: int, total: int) -> str:
    filled = round(PROGRESS_WIDTH * done / total)
    return "[" + "#" * filled + "." * (PROGRESS_WIDTH - filled) + f"] {done}/{total}"


def _clear_landing(landing: Path) -> None:
    landing.mkdir(parents=True, exist_ok=True)
    for stale in landing.glob("batch-*.parquet"):
        stale.unlink()


def _run_tick(config: LiveFeedConfig, number: int, batch: pa.Table) -> Tick:
    """Land one batch, build, and check that its newest event reached the marts."""
    pq.write_table(batch, config.landing / f"batch-{number:05d}.parquet")
    landed = time.monotonic()
    _wait(
        _dbt(config, [config.dbt_command, "--exclude", "raw_events", "resource_type:seed"]),
        f"dbt {config.dbt_command} on tick {number}",
    )
    build_seconds = time.monotonic() - landed
    newest = _newest_received_at(batch)
    seen, n_sessions = _visible(config, newest)
    return Tick(
        number=number,
        new_rows=batch.num_rows,
        newest_received_at=newest,
        build_seconds=build_seconds,
        freshness_seconds=time.monotonic() - landed if seen else None,
        n_sessions=n_sessions,
    )


def _tick_line(tick: Tick, total: int) -> str:
    freshness = "not visible" if tick.freshness_seconds is None else f"{tick.freshness_seconds:.1f} s"
    return (
        f"{_progress(tick.number, total)} tick {tick.number}: {tick.new_rows:,} new raw rows,"
        f" build {tick.build_seconds:.1f} s, freshness {freshness}, {tick.n_sessions:,} sessions"
    )


def run_live_feed(
    config: LiveFeedConfig,
    say: Callable[[str], None] = print,
    ticks: list[Tick] | None = None,
) -> list[Tick]:
    """Replay the stream tick by tick, appending each completed tick to ``ticks`` (so a
    caller keeps them when Ctrl-C raises KeyboardInterrupt, which propagates once the
    running dbt process has stopped); returns that list."""
    ticks = [] if ticks is None else ticks
    _clear_landing(config.landing)
    stream = _stream(config)
    batch_rows = math.ceil(stream.num_rows / config.batches)
    total = min(config.batches, config.ticks or config.batches)
    say(
        f"live feed: {stream.num_rows:,} raw rows in {config.batches} batches of ~{batch_rows:,},"
        f" a tick every {config.interval_seconds:g} s -> {config.landing}"
    )
    # The reference seeds once; every tick then builds the models (and tests) only.
    _wait(_dbt(config, ["seed", "--exclude", "raw_events"]), "dbt seed")
    for number in range(1, total + 1):
        started = time.monotonic()
        batch = stream.slice((number - 1) * batch_rows, batch_rows)
        ticks.append(_run_tick(config, number, batch))
        say(_tick_line(ticks[-1], total))
        if number < total:
            time.sleep(max(0.0, config.interval_seconds - (time.monotonic() - started)))
    return ticks


def summarize(ticks: list[Tick]) -> str:
    """One line on the completed ticks: how many, raw rows, build seconds."""
    if not ticks:
        return "no tick completed"
    builds = sorted(tick.build_seconds for tick in ticks)
    return (
        f"{len(ticks)} ticks, {sum(tick.new_rows for tick in ticks):,} raw rows;"
        f" build seconds median {builds[len(builds) // 2]:.1f}, max {builds[-1]:.1f}"
    )
