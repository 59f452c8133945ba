"""Benchmark: the project beside hand-written sessionizations of the same raw events.

One run (``bawh bench --size 10m``, or ``make bench SIZE=10m``):

1. generates about N raw events (``bawh generate``) into a landing folder of Parquet files;
2. times three references, each the whole job a user would otherwise write by hand (read
   the Parquet files, parse timestamps, drop rows without event id, person or valid times,
   keep the first received copy of each event_id, order each person's events by
   occurred_at, start a session after a gap strictly greater than 30 minutes, number the
   sessions with a running sum, group by session): one DuckDB query writing a DuckDB file
   (the reference), polars and pandas writing Parquet. Their person is
   coalesce(user_id, anonymous_id); the project additionally stitches identities, cuts
   sessions at the max length, validates event names and quarantines bad rows, so its
   session count differs slightly;
3. times the project's ``dbt run`` and ``dbt build`` (both --full-refresh; the 100m size
   skips dbt build unless --build) on that data,
   the sessionization model alone (execution_time of int_events_sessionized in the run's
   run_results.json), and an incremental ``dbt run`` (no --full-refresh) after a 1% batch
   of later events lands as extra Parquet files. Whether that run was incremental is read
   from the manifest (models materialized as incremental);
4. with ``--spark``, the same full and incremental ``dbt run`` on a Spark standalone cluster
   started on this machine (bawh.spark_cluster: two one-core workers, the Thrift server as
   driver; memory SPARK_EXECUTOR_MEMORY and SPARK_DRIVER_MEMORY), reading the same landing folder;
5. prints a table (seconds, peak memory, ratio to the reference) and writes JSON.

Every step runs in its own child process, one at a time; its peak memory is the child's
maximum resident set size from ``os.wait4`` (the child and the processes it waited for).
A reference's seconds are measured inside the child around its job (without interpreter
start and imports, also recorded as process_seconds); a dbt step's seconds are the wall
time of the dbt command (started by ``bawh.dbt_runner``). The DuckDB settings of both the
reference and dbt come from the environment variables the profile reads
(BAWH_DUCKDB_THREADS, ..., see profiles.yml).

A reference's child is a fresh Python that imports only this module and runs
``run_reference_job`` (``python -c``), not the ``bawh`` command line: the command line
imports numpy, pyarrow and duckdb for its other commands, which would add 60-120 MB to the
peak memory measured for polars and pandas.

``run_benchmark(BenchConfig(...))`` runs it; ``bawh bench`` (bawh.cli) is its command line.
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bawh import dbt_runner
from bawh.publish import folder_size
from bawh.spark_cluster import ClusterConfig, running_cluster

__all__ = [
    "REFERENCE_ENGINES",
    "SIZES",
    "BenchConfig",
    "BenchResult",
    "ReferenceJob",
    "StepResult",
    "format_table",
    "run_benchmark",
    "run_reference_job",
    "write_result",
]

# Target raw events per size name.
SIZES: dict[str, int] = {
    "smoke": 100_000,
    "1m": 1_000_000,
    "10m": 10_000_000,
    "100m": 100_000_000,
}
DAYS = 30  # length of each generated period
CHUNK_EVENTS = 10_000_000  # the generator holds a chunk in memory (~6.5 GB at 10M): chunk above
INCREMENT_SHARE = 0.01  # the incremental batch, as a share of the base events
INCREMENT_DAYS = 1  # ... generated over the day after the base period
# Early enough that the largest size (10 periods) lies in the past: validation quarantines
# rows received after the build started (var max_clock_skew_hours).
START_DATE = datetime.date(2025, 1, 1)
SESSION_TIMEOUT_MINUTES = 30
REFERENCE_ENGINES: tuple[str, ...] = ("duckdb", "polars", "pandas")

# The profile's DuckDB settings: environment variable, default (the same as profiles.yml).
# The temp directory defaults to DuckDB's own default, <database file>.tmp.
DUCKDB_SETTINGS: dict[str, tuple[str, str]] = {
    "threads": ("BAWH_DUCKDB_THREADS", "2"),
    "memory_limit": ("BAWH_DUCKDB_MEMORY_LIMIT", "8GB"),
    "temp_directory": ("BAWH_DUCKDB_TEMP_DIRECTORY", ""),
    "preserve_insertion_order": ("BAWH_DUCKDB_PRESERVE_INSERTION_ORDER", "true"),
}
# The 100m size must finish inside 8 GB, spilling to disk.
SIZE_SETTINGS: dict[str, dict[str, str]] = {
    "100m": {"memory_limit": "8GB", "preserve_insertion_order": "false"},
}
# dbt vars per size: at 100M the builds of sessionization, fct_sessions and fct_person_days
# run in 16 statements (var person_buckets), each spilling ~1/16 of the events it rebuilds;
# in one statement sessionization spilled 44 GB, fct_sessions over 40 GB.
SIZE_VARS: dict[str, dict[str, int]] = {"100m": {"person_buckets": 16}}
# In-memory dataframes of 100M events need tens of GB: the 100m size runs only DuckDB's.
SIZE_REFERENCES: dict[str, tuple[str, ...]] = {"100m": ("duckdb",)}
# dbt build repeats dbt run's work plus ~700 data tests; at 100M that is over an hour more on
# 2 cores, so the 100m size times dbt run and the incremental run only (--build to add it).
SIZE_WITHOUT_BUILD: frozenset[str] = frozenset({"100m"})

REFERENCE_NOTE = (
    "References (DuckDB, polars, pandas) sessionize the same raw rows by hand: parse"
    " timestamps, drop rows without event id, person or valid times, keep the first received"
    " copy of each event_id, person = coalesce(user_id, anonymous_id), new session after a gap"
    f" > {SESSION_TIMEOUT_MINUTES} min, running sum, group by session. The dbt project"
    " additionally stitches identities (anonymous history moves to the account), cuts"
    " sessions at the max length, validates event names, quarantines bad rows and builds"
    " every mart and report."
)

# The targets at 10M events on 2 cores (reported, not enforced); 100M asks a smaller share for
# the incremental run. The warehouse file is compared with the landing Parquet it was built from.
TARGETS: dict[str, float] = {
    "sessionization_model_to_reference": 1.2,
    "dbt_run_to_reference": 5.0,
    "incremental_to_full_run": 0.10,
    "warehouse_to_landing": 2.0,
}
SIZE_TARGETS: dict[str, dict[str, float]] = {"100m": {"incremental_to_full_run": 0.05}}
# the materializations that build incrementally (dbt's own, and the event path's)
INCREMENTAL_MATERIALIZATIONS = ("incremental", "event_incremental")
# The Spark cluster of --spark: two one-core workers (the 2 cores DuckDB gets), each executor a
# 4 GB heap, the Thrift server (the driver) 4 GB. Shuffle partitions per size: Spark's default
# of 200 makes hundreds of tiny tasks at 1M events; adaptive execution merges small ones.
SPARK_EXECUTOR_MEMORY = "4g"
SPARK_DRIVER_MEMORY = "4g"
SPARK_SHUFFLE_PARTITIONS: dict[str, int] = {"smoke": 4, "1m": 8, "10m": 32, "100m": 200}
SPARK_SCHEMA = "bench"  # the target schema of the Spark builds (BAWH_SPARK_SCHEMA)


@dataclass(frozen=True)
class BenchConfig:
    """What one benchmark run measures, and where it works."""

    size: str  # a key of SIZES
    project_dir: Path
    work_dir: Path | None = None  # default <project_dir>/target/bench/<size>
    seed: int = 20261124
    events: int | None = None  # overrides the size's event count
    # engines to run besides DuckDB's reference; None: all, but none at 100m
    references: tuple[str, ...] | None = None
    build: bool | None = None  # time dbt build; None: at every size but 100m
    spark: bool = False  # also time dbt run on a local Spark cluster
    progress: bool = True  # print a line per step

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"unknown size {self.size!r}; one of {', '.join(SIZES)}")
        unknown = set(self.references or ()) - set(REFERENCE_ENGINES)
        if unknown:
            raise ValueError(f"unknown reference engines {sorted(unknown)}; one of {REFERENCE_ENGINES}")

    @property
    def target_events(self) -> int:
        return self.events if self.events is not None else SIZES[self.size]

    @property
    def engines(self) -> list[str]:
        """The reference engines to run: DuckDB's first, then the wanted others."""
        wanted = self.references
        if wanted is None:
            wanted = SIZE_REFERENCES.get(self.size, REFERENCE_ENGINES)
        return ["duckdb", *(engine for engine in REFERENCE_ENGINES[1:] if engine in wanted)]

    @property
    def times_build(self) -> bool:
        return self.size not in SIZE_WITHOUT_BUILD if self.build is None else self.build

    def default_output(self) -> Path:
        """Where ``bawh bench`` writes the JSON unless told: target/bench/bench-<size>.json."""
        return self.project_dir / "target" / "bench" / f"bench-{self.size}.json"


@dataclass
class StepResult:
    """One measured step."""

    step: str
    description: str
    seconds: float
    peak_mb: float | None  # None: no process of its own (part of another step)
    process_seconds: float | None = None
    ratio_to_reference: float | None = None
    sessions: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class BenchResult:
    """Everything one benchmark run measured."""

    size: str
    target_events: int
    raw_rows: int
    increment_raw_rows: int
    landing: str
    duckdb_settings: dict[str, str]
    dbt_vars: dict[str, Any]
    machine: dict[str, Any]
    reference_note: str
    incremental_models: list[str]
    incremental_label: str
    skipped_references: list[str]
    skipped_steps: list[str]
    steps: list[StepResult]
    ratios: dict[str, float | None]
    targets: dict[str, dict[str, Any]]
    started_at: str
    total_seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- Child processes ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Measured:
    seconds: float
    peak_mb: float
    log: Path


def _measure(command: Sequence[str], log: Path, env: dict[str, str], cwd: Path) -> _Measured:
    """Run ``command`` to completion (output to ``log``); wall seconds and the child's peak
    resident set size from wait4. Raises with the log's tail when it fails."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}); {log}:\n{tail}")
    # Linux reports ru_maxrss in KiB.
    return _Measured(seconds, usage.ru_maxrss / 1024, log)


def _duckdb_settings(size: str) -> dict[str, str]:
    """The DuckDB settings of this run: the environment's, else the profile defaults, with
    the size's overrides (100m) applied on top when the environment does not set them."""
    settings = {name: os.environ.get(var, default) for name, (var, default) in DUCKDB_SETTINGS.items()}
    for name, value in SIZE_SETTINGS.get(size, {}).items():
        if DUCKDB_SETTINGS[name][0] not in os.environ:
            settings[name] = value
    return settings


# --- References (each in a child: a fresh Python running run_reference_job) ----------


def _reference_duckdb(files: list[str], output: Path, settings: dict[str, str]) -> int:
    import duckdb

    output.unlink(missing_ok=True)
    with duckdb.connect(str(output)) as connection:
        for name, value in settings.items():
            if value:
                connection.execute(f"set {name} = '{value}'")
        connection.execute(_duckdb_reference_query(files))
        row = connection.execute("select count(*) from sessions").fetchone()
    return int(row[0]) if row else 0


def _duckdb_reference_query(files: list[str]) -> str:
    """The DuckDB reference as one SQL statement creating table ``sessions``."""
    file_list = ", ".join("'" + name.replace("'", "''") + "'" for name in files)
    return f"""
    create table sessions as
    with raw_events as (
        select
            nullif(trim(event_id), '') as event_id,
            coalesce(nullif(trim(user_id), ''), nullif(trim(anonymous_id), '')) as person_id,
            try_cast(occurred_at as timestamp) as occurred_at,
            try_cast(received_at as timestamp) as received_at
        from read_parquet([{file_list}], union_by_name = true)
    ),
    deduplicated as (
        select event_id, person_id, occurred_at
        from raw_events
        where event_id is not null and person_id is not null
            and occurred_at is not null and received_at is not null
        qualify row_number() over (partition by event_id order by received_at) = 1
    ),
    gaps as (
        select
            person_id,
            occurred_at,
            case
                when occurred_at - lag(occurred_at) over person_events
                    <= interval {SESSION_TIMEOUT_MINUTES} minute then 0
                else 1
            end as is_session_start,
            event_id
        from deduplicated
        window person_events as (partition by person_id order by occurred_at, event_id)
    ),
    numbered as (
        select
            person_id,
            occurred_at,
            sum(is_session_start) over (
                partition by person_id order by occurred_at, event_id
                rows between unbounded preceding and current row
            ) as session_number
        from gaps
    )
    select
        person_id,
        session_number,
        min(occurred_at) as session_started_at,
        max(occurred_at) as session_ended_at,
        count(*) as n_events
    from numbered
    group by person_id, session_number
    """


def _reference_polars(files: list[str], output: Path) -> int:
    import polars as pl

    def text(name: str) -> pl.Expr:
        stripped = pl.col(name).str.strip_chars()
        return pl.when(stripped.str.len_bytes() > 0).then(stripped)

    def timestamp(name: str) -> pl.Expr:
        return pl.col(name).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="ms")

    sessions = (
        pl.scan_parquet(files)
        .select(
            text("event_id").alias("event_id"),
            pl.coalesce(text("user_id"), text("anonymous_id")).alias("person_id"),
            timestamp("occurred_at").alias("occurred_at"),
            timestamp("received_at").alias("received_at"),
        )
        .drop_nulls()
        .sort("received_at")
        .unique(subset="event_id", keep="first")
        .sort("person_id", "occurred_at", "event_id")
        .with_columns(
            (
                (pl.col("person_id") != pl.col("person_id").shift(1)).fill_null(True)
                | (pl.col("occurred_at").diff() > pl.duration(minutes=SESSION_TIMEOUT_MINUTES))
            )
            .cum_sum()
            .alias("session_number")
        )
        .group_by("session_number")
        .agg(
            pl.col("person_id").first(),
            pl.col("occurred_at").min().alias("session_started_at"),
            pl.col("occurred_at").max().alias("session_ended_at"),
            pl.len().alias("n_events"),
        )
        .collect()
    )
    sessions.write_parquet(output)
    return sessions.height


def _reference_pandas(files: list[str], output: Path) -> int:
    import pandas as pd  # type: ignore[import-untyped]

    columns = ["event_id", "user_id", "anonymous_id", "occurred_at", "received_at"]
    raw = pd.concat([pd.read_parquet(name, columns=columns) for name in files], ignore_index=True)

    def text(name: str) -> Any:
        stripped = raw[name].str.strip()
        return stripped.mask(stripped == "")

    def timestamp(name: str) -> Any:
        return pd.to_datetime(raw[name], format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")

    events = pd.DataFrame(
        {
            "event_id": text("event_id"),
            "person_id": text("user_id").fillna(text("anonymous_id")),
            "occurred_at": timestamp("occurred_at"),
            "received_at": timestamp("received_at"),
        }
    ).dropna()
    events = events.sort_values("received_at", kind="stable").drop_duplicates("event_id", keep="first")
    events = events.sort_values(["person_id", "occurred_at", "event_id"], ignore_index=True)
    is_session_start = events["person_id"].ne(events["person_id"].shift()) | events[
        "occurred_at"
    ].diff().gt(pd.Timedelta(minutes=SESSION_TIMEOUT_MINUTES))
    events["session_number"] = is_session_start.cumsum()
    sessions = events.groupby("session_number").agg(
        person_id=("person_id", "first"),
        session_started_at=("occurred_at", "min"),
        session_ended_at=("occurred_at", "max"),
        n_events=("occurred_at", "size"),
    )
    sessions.to_parquet(output)
    return len(sessions)


@dataclass(frozen=True)
class ReferenceJob:
    """One hand-written sessionization, as the benchmark hands it to its child process."""

    engine: str  # one of REFERENCE_ENGINES
    landing: str  # glob of the raw Parquet files
    output: Path  # the sessions: a DuckDB file (duckdb) or a Parquet file
    result: Path  # JSON written by the child: seconds (of the job alone) and sessions
    settings: dict[str, str] = field(default_factory=dict)  # DuckDB settings (duckdb only)

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "output": str(self.output), "result": str(self.result)})

    @classmethod
    def from_json(cls, text: str) -> ReferenceJob:
        fields = json.loads(text)
        return cls(
            engine=fields["engine"],
            landing=fields["landing"],
            output=Path(fields["output"]),
            result=Path(fields["result"]),
            settings=dict(fields["settings"]),
        )

    def command(self) -> list[str]:
        """The child's command line: a fresh Python importing only this module."""
        code = "import sys; from bawh.bench import run_reference_job; run_reference_job(sys.argv[1])"
        return [sys.executable, "-c", code, self.to_json()]


def run_reference_job(job_json: str) -> None:
    """Run one reference (the child's whole job) and write its seconds and sessions."""
    job = ReferenceJob.from_json(job_json)
    files = sorted(glob.glob(job.landing))
    if not files:
        raise FileNotFoundError(f"no files match {job.landing}")
    started = time.perf_counter()
    if job.engine == "duckdb":
        sessions = _reference_duckdb(files, job.output, job.settings)
    elif job.engine == "polars":
        sessions = _reference_polars(files, job.output)
    elif job.engine == "pandas":
        sessions = _reference_pandas(files, job.output)
    else:
        raise ValueError(f"unknown reference engine {job.engine!r}; one of {REFERENCE_ENGINES}")
    seconds = time.perf_counter() - started
    job.result.write_text(json.dumps({"seconds": seconds, "sessions": sessions}))


# --- The benchmark's steps -----------------------------------------------------------------


@dataclass(frozen=True)
class _Workspace:
    """Where one run works (all under ``work``) and what its children are given."""

    project_dir: Path
    work: Path
    settings: dict[str, str]  # DuckDB settings of the references and of dbt
    dbt_vars: dict[str, Any]

    @property
    def landing(self) -> Path:
        return self.work / "landing"

    @property
    def warehouse(self) -> Path:
        return self.work / "warehouse.duckdb"

    @property
    def target_path(self) -> Path:
        return self.work / "target"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def spark_dir(self) -> Path:
        return self.work / "spark"

    def measure(self, command: Sequence[str], log_name: str) -> _Measured:
        """Run a child that is not dbt (bawh generate, a reference) in the project folder."""
        return _measure(command, self.logs / f"{log_name}.log", dict(os.environ), self.project_dir)

    def measure_dbt(
        self, command: list[str], log_name: str, spark: dict[str, str] | None = None
    ) -> _Measured:
        """Run ``dbt <command>`` (raw_events excluded) on the landing folder, its target/,
        logs and warehouse under ``work``, the DuckDB settings in the environment; with
        ``spark`` (a cluster's environment), on the spark target instead, its target/ under
        work/spark."""
        invocation = dbt_runner.DbtInvocation(
            command=[*command, "--exclude", "raw_events"],
            project_dir=self.project_dir,
            profiles_dir=Path(os.environ.get("DBT_PROFILES_DIR", str(self.project_dir))),
            target_path=self.spark_dir / "target" if spark else self.target_path,
            log_path=self.logs,
            variables=self.dbt_vars,
            target="spark" if spark else None,
            duckdb_path=self.warehouse,
            env=spark or {DUCKDB_SETTINGS[name][0]: value for name, value in self.settings.items()},
        )
        log = self.logs / f"{log_name}.log"
        return _measure(invocation.argv(), log, invocation.environment(), invocation.cwd)


def _prepare_workspace(config: BenchConfig) -> _Workspace:
    """The run's folders (stale landing files removed), DuckDB settings and dbt vars."""
    project_dir = config.project_dir.resolve()
    work = (config.work_dir or project_dir / "target" / "bench" / config.size).resolve()
    for stale in (work / "landing").glob("*/*.parquet"):
        stale.unlink()
    settings = _duckdb_settings(config.size)
    if not settings["temp_directory"]:
        settings["temp_directory"] = str(work / "warehouse.duckdb.tmp")
    dbt_vars = {
        "raw_events_location": str(work / "landing" / "*" / "*.parquet"),
        **SIZE_VARS.get(config.size, {}),
    }
    return _Workspace(project_dir, work, settings, dbt_vars)


class _Progress:
    """Prints what the run is doing, with the seconds since it started (when enabled)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[bench {self.elapsed():7.1f} s] {message}", flush=True)


def _generate(
    workspace: _Workspace, name: str, events: int, days: int, seed: int, start_date: datetime.date
) -> tuple[list[_Measured], int]:
    """``bawh generate`` into work/landing/<name>-<k>/ in chunks of at most CHUNK_EVENTS
    events: chunk k is a generator run with seed + k over the k-th period after start_date
    (so a 100M base is ten consecutive 30-day periods of the same registered users)."""
    chunks = _chunks(events)
    catalog = workspace.project_dir / "seeds" / "reference" / "feature_catalog.csv"
    measured: list[_Measured] = []
    rows = 0
    for k in range(chunks):
        target = events // chunks + (1 if k < events % chunks else 0)
        folder = workspace.landing / f"{name}-{k:03d}"
        command = [
            sys.executable, "-m", "bawh.cli", "generate",
            "--events", str(target),
            "--days", str(days),
            "--seed", str(seed + k),
            "--start-date", (start_date + datetime.timedelta(days=k * days)).isoformat(),
            "--feature-catalog", str(catalog),
            "--output", str(folder),
        ]
        measured.append(workspace.measure(command, f"generate-{name}-{k:03d}"))
        rows += _parquet_rows(folder)
    return measured, rows


def _chunks(events: int) -> int:
    """Generator runs (periods) for ``events``: one per CHUNK_EVENTS started."""
    return max(1, -(-events // CHUNK_EVENTS))


def _parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(path).metadata.num_rows for path in folder.glob("*.parquet"))


def _model_timings(target_path: Path) -> dict[str, float]:
    """execution_time (s) of each model in run_results.json."""
    results = json.loads((target_path / "run_results.json").read_text())
    return {
        result["unique_id"].split(".")[-1]: float(result["execution_time"])
        for result in results["results"]
        if result["unique_id"].startswith("model.")
    }


def _slowest(timings: dict[str, float], n: int = 8) -> dict[str, float]:
    return dict(sorted(timings.items(), key=lambda item: -item[1])[:n])


def _incremental_models(target_path: Path) -> list[str]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") in INCREMENTAL_MATERIALIZATIONS
    )


def _count(warehouse: Path, relation: str) -> int | None:
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            row = connection.execute(f"select count(*) from {relation}").fetchone()
    except duckdb.Error:
        return None
    return int(row[0]) if row else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _time_generation(config: BenchConfig, workspace: _Workspace, say: _Progress) -> tuple[StepResult, int]:
    """Step generate: the base events; returns the step and the raw rows written."""
    say(f"generating about {config.target_events:,} events into {workspace.landing}")
    generated, raw_rows = _generate(workspace, "base", config.target_events, DAYS, config.seed, START_DATE)
    step = StepResult(
        "generate",
        f"bawh generate: {raw_rows:,} raw rows as Parquet (not compared)",
        sum(m.seconds for m in generated),
        max(m.peak_mb for m in generated),
    )
    return step, raw_rows


def _time_reference(engine: str, workspace: _Workspace, say: _Progress) -> StepResult:
    """Steps reference_<engine>: one hand-written sessionization of the base events."""
    say(f"reference: {engine}")
    suffix = "duckdb" if engine == "duckdb" else "parquet"
    job = ReferenceJob(
        engine=engine,
        landing=str(workspace.landing / "base-*" / "*.parquet"),
        output=workspace.work / f"reference-{engine}.{suffix}",
        result=workspace.work / f"reference-{engine}.json",
        settings=workspace.settings,
    )
    measured = workspace.measure(job.command(), f"reference-{engine}")
    inside = json.loads(job.result.read_text())
    return StepResult(
        f"reference_{engine}",
        f"hand-written sessionization in {engine}"
        + (" (one SQL query; the reference)" if engine == "duckdb" else ""),
        float(inside["seconds"]),
        measured.peak_mb,
        process_seconds=measured.seconds,
        sessions=int(inside["sessions"]),
    )


@dataclass(frozen=True)
class _FullBuilds:
    steps: list[StepResult]  # dbt_run, dbt_build (if timed), sessionization_model
    run: _Measured  # the dbt run --full-refresh
    incremental_models: list[str]


def _time_full_builds(build: bool, workspace: _Workspace, say: _Progress) -> _FullBuilds:
    """Steps dbt_run, dbt_build and sessionization_model, from an empty warehouse; the seeds
    are loaded first (not timed). dbt_run carries the sessions the project found."""

    def dbt(command: list[str], log_name: str) -> _Measured:
        say(f"dbt {' '.join(command)}")
        return workspace.measure_dbt(command, log_name)

    workspace.warehouse.unlink(missing_ok=True)
    dbt(["seed"], "dbt-seed")
    full_run = dbt(["run", "--full-refresh"], "dbt-run")
    timings = _model_timings(workspace.target_path)
    incremental_models = _incremental_models(workspace.target_path)
    run_step = StepResult(
        "dbt_run",
        f"dbt run --full-refresh: {len(timings)} models",
        full_run.seconds,
        full_run.peak_mb,
        extra={"slowest_models": _slowest(timings)},
    )
    # the file as the full run left it: the build after it rewrites every table, and the
    # file keeps the freed blocks (at 10M events 5.5 GB after both against 3.1 GB)
    run_step.extra["warehouse_mb"] = workspace.warehouse.stat().st_size / 1e6
    run_step.extra["landing_mb"] = sum(
        path.stat().st_size for path in workspace.landing.glob("base-*/*.parquet")
    ) / 1e6
    steps = [run_step]
    if build:
        built = dbt(["build", "--full-refresh"], "dbt-build")
        steps.append(StepResult("dbt_build", "dbt build --full-refresh: models, seeds, data and unit tests",
                                built.seconds, built.peak_mb))
    steps.append(
        StepResult(
            "sessionization_model",
            "int_events_sessionized alone (execution_time in the dbt run's run_results.json)",
            timings["int_events_sessionized"],
            None,
        )
    )
    run_step.sessions = _count(workspace.warehouse, "marts.fct_sessions")
    return _FullBuilds(steps, full_run, incremental_models)


def _incremental_label(incremental_models: list[str]) -> str:
    if incremental_models:
        return f"incremental ({len(incremental_models)} incremental models)"
    return "no incremental models: a full rebuild"


def _land_increment(config: BenchConfig, workspace: _Workspace, say: _Progress) -> int:
    """A later 1% batch of events lands in the landing folder; returns its raw rows."""
    increment_events = max(1, round(config.target_events * INCREMENT_SHARE))
    say(f"generating the {increment_events:,}-event increment")
    after_base = START_DATE + datetime.timedelta(days=DAYS * _chunks(config.target_events))
    _, increment_rows = _generate(
        workspace, "increment", increment_events, INCREMENT_DAYS, config.seed + 1000, after_base
    )
    return increment_rows


def _time_incremental_run(
    workspace: _Workspace, incremental_models: list[str], increment_rows: int, say: _Progress
) -> StepResult:
    """Step incremental_run: dbt run without --full-refresh after the increment landed."""
    say("dbt run")
    incremental = workspace.measure_dbt(["run"], "dbt-run-incremental")
    timings = _model_timings(workspace.target_path)
    step = StepResult(
        "incremental_run",
        f"dbt run after +{increment_rows:,} raw rows (1%), no --full-refresh:"
        f" {_incremental_label(incremental_models)}",
        incremental.seconds,
        incremental.peak_mb,
        extra={
            "sessionization_model_seconds": timings.get("int_events_sessionized"),
            "slowest_models": _slowest(timings),
        },
    )
    return step


def _spark_cluster_config(config: BenchConfig, workspace: _Workspace) -> ClusterConfig:
    return ClusterConfig(
        workspace.spark_dir, executor_memory=SPARK_EXECUTOR_MEMORY, driver_memory=SPARK_DRIVER_MEMORY,
        shuffle_partitions=SPARK_SHUFFLE_PARTITIONS[config.size],
    )


def _time_spark_run(
    config: BenchConfig, workspace: _Workspace, full_refresh: bool, say: _Progress
) -> StepResult:
    """Step spark_dbt_run (--full-refresh, from an empty warehouse directory, seeds loaded
    first and not timed) or spark_incremental_run: dbt run on a Spark cluster started for
    it (not timed) and stopped after; the cluster's files stay in work/spark between them."""
    cluster_config = _spark_cluster_config(config, workspace)
    if full_refresh:
        shutil.rmtree(workspace.spark_dir, ignore_errors=True)
    say("starting a Spark cluster")
    with running_cluster(cluster_config) as cluster:
        environment = {**cluster.environment(), "BAWH_SPARK_SCHEMA": SPARK_SCHEMA}
        if full_refresh:
            say("dbt seed (Spark)")
            workspace.measure_dbt(["seed"], "spark-dbt-seed", environment)
        command = ["run", "--full-refresh"] if full_refresh else ["run"]
        say(f"dbt {' '.join(command)} (Spark)")
        measured = workspace.measure_dbt(command, "spark-dbt-run" + ("" if full_refresh else "-incremental"),
                                         environment)
    timings = _model_timings(workspace.spark_dir / "target")
    warehouse_mb = folder_size(cluster_config.warehouse_dir) / 1e6
    return StepResult(
        "spark_dbt_run" if full_refresh else "spark_incremental_run",
        f"dbt {' '.join(command)} on a local Spark cluster (2 workers x 1 core,"
        f" executors {SPARK_EXECUTOR_MEMORY}, driver {SPARK_DRIVER_MEMORY},"
        f" {cluster_config.shuffle_partitions} shuffle partitions)",
        measured.seconds,
        None,  # the work runs in the cluster's JVMs, not in the measured dbt process
        extra={"slowest_models": _slowest(timings), "warehouse_mb": warehouse_mb},
    )


def _compare_to_reference(
    steps: list[StepResult], engines: list[str], build: bool, size: str
) -> tuple[dict[str, float | None], dict[str, dict[str, Any]]]:
    """Sets each step's ratio to DuckDB's reference (but generate's); returns the ratios
    and how they stand against the size's targets (TARGETS, SIZE_TARGETS)."""
    reference = next(step for step in steps if step.step == "reference_duckdb").seconds
    for step in steps:
        if step.step != "generate":
            step.ratio_to_reference = _ratio(step.seconds, reference)
    by_name = {step.step: step for step in steps}
    ratios = {
        "sessionization_model_to_reference": by_name["sessionization_model"].ratio_to_reference,
        "dbt_run_to_reference": by_name["dbt_run"].ratio_to_reference,
        "dbt_build_to_reference": by_name["dbt_build"].ratio_to_reference if build else None,
        **{
            f"{engine}_to_reference": by_name[f"reference_{engine}"].ratio_to_reference
            for engine in engines[1:]
        },
        "incremental_to_full_run": _ratio(by_name["incremental_run"].seconds, by_name["dbt_run"].seconds),
        **(
            {
                "spark_dbt_run_to_reference": by_name["spark_dbt_run"].ratio_to_reference,
                "spark_incremental_to_full_run": _ratio(
                    by_name["spark_incremental_run"].seconds, by_name["spark_dbt_run"].seconds
                ),
            }
            if "spark_dbt_run" in by_name
            else {}
        ),
        "warehouse_to_landing": _ratio(
            by_name["dbt_run"].extra["warehouse_mb"], by_name["dbt_run"].extra["landing_mb"]
        ),
    }
    targets = {
        name: {"target": limit, "measured": ratios[name],
               "met": ratios[name] is not None and float(ratios[name] or 0) <= limit}
        for name, limit in {**TARGETS, **SIZE_TARGETS.get(size, {})}.items()
    }
    return ratios, targets


def _machine(load_before: tuple[float, float, float]) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "load_average_before": list(load_before),
        "load_average_after": list(os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --- The benchmark -------------------------------------------------------------------------


def run_benchmark(config: BenchConfig) -> BenchResult:
    """Run every step of the benchmark, one child process at a time, and compare."""
    engines, build = config.engines, config.times_build
    workspace = _prepare_workspace(config)
    started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    say = _Progress(config.progress)
    load_before = os.getloadavg()

    generation, raw_rows = _time_generation(config, workspace, say)
    references = [_time_reference(engine, workspace, say) for engine in engines]
    full = _time_full_builds(build, workspace, say)
    spark_full = [_time_spark_run(config, workspace, True, say)] if config.spark else []
    increment_rows = _land_increment(config, workspace, say)
    incremental = _time_incremental_run(workspace, full.incremental_models, increment_rows, say)
    spark_incremental = [_time_spark_run(config, workspace, False, say)] if config.spark else []
    steps = [generation, *references, *full.steps, *spark_full, incremental, *spark_incremental]
    ratios, targets = _compare_to_reference(steps, engines, build, config.size)
    say("done")
    return BenchResult(
        size=config.size,
        target_events=config.target_events,
        raw_rows=raw_rows,
        increment_raw_rows=increment_rows,
        landing=str(workspace.landing),
        duckdb_settings=workspace.settings,
        dbt_vars=workspace.dbt_vars,
        machine=_machine(load_before),
        reference_note=REFERENCE_NOTE,
        incremental_models=full.incremental_models,
        incremental_label=_incremental_label(full.incremental_models),
        skipped_references=[engine for engine in REFERENCE_ENGINES if engine not in engines],
        skipped_steps=[] if build else ["dbt_build"],
        steps=steps,
        ratios=ratios,
        targets=targets,
        started_at=started_at,
        total_seconds=say.elapsed(),
    )


def write_result(result: BenchResult, output: Path) -> None:
    """The result as indented JSON (folders created)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result.to_json(), indent=2) + "\n")


def format_table(result: BenchResult) -> str:
    """The result as a text table: step, seconds, peak MB, ratio to the reference."""
    lines = [
        f"Benchmark {result.size}: {result.raw_rows:,} raw rows (+{result.increment_raw_rows:,}"
        f" incremental), DuckDB {', '.join(f'{k}={v}' for k, v in result.duckdb_settings.items())}"
        + "".join(f", {k}={v}" for k, v in result.dbt_vars.items() if k != "raw_events_location"),
        f"{'step':<22} {'seconds':>9} {'peak MB':>9} {'x reference':>12} {'sessions':>11}",
    ]
    for step in result.steps:
        peak = "-" if step.peak_mb is None else f"{step.peak_mb:,.0f}"
        ratio = "-" if step.ratio_to_reference is None else f"{step.ratio_to_reference:.2f}"
        sessions = "" if step.sessions is None else f"{step.sessions:,}"
        lines.append(f"{step.step:<22} {step.seconds:>9.2f} {peak:>9} {ratio:>12} {sessions:>11}")
    run = next(step for step in result.steps if step.step == "dbt_run")
    lines.append(
        f"warehouse file after dbt_run: {run.extra['warehouse_mb']:,.0f} MB; landing Parquet it"
        f" was built from: {run.extra['landing_mb']:,.0f} MB"
    )
    spark_run = next((step for step in result.steps if step.step == "spark_dbt_run"), None)
    if spark_run is not None:
        lines.append(
            f"Spark warehouse directory after spark_dbt_run: {spark_run.extra['warehouse_mb']:,.0f} MB"
        )
    share = result.ratios["incremental_to_full_run"]
    lines.append(
        f"incremental run / full dbt run: {share:.2f} ({result.incremental_label})"
        if share is not None
        else f"incremental run: {result.incremental_label}"
    )
    for name, target in result.targets.items():
        measured = target["measured"]
        shown = "-" if measured is None else f"{measured:.2f}"
        verdict = "met" if target["met"] else "not met"
        lines.append(f"target {name} <= {target['target']}: {shown} ({verdict})")
    if result.skipped_references:
        lines.append(f"references not run at this size: {', '.join(result.skipped_references)}")
    if result.skipped_steps:
        lines.append(f"steps not run at this size: {', '.join(result.skipped_steps)}")
    lines.append(result.reference_note)
    return "\n".join(lines)
