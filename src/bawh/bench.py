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
4. prints a table (seconds, peak memory, ratio to the reference) and writes JSON.

Every step runs in its own child process, one at a time; its peak memory is the child's
maximum resident set size from ``os.wait4`` (the child and the processes it waited for).
A reference's seconds are measured inside the child around its job (without interpreter
start and imports, also recorded as process_seconds); a dbt step's seconds are the wall
time of the dbt command. The DuckDB settings of both the reference and dbt come from the
environment variables the profile reads (BAWH_DUCKDB_THREADS, ..., see profiles.yml).
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "SIZES",
    "BenchResult",
    "StepResult",
    "add_arguments",
    "format_table",
    "run_benchmark",
    "run_from_arguments",
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
START_DATE = datetime.date(2026, 10, 1)
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
# dbt vars per size: at 100M the builds of the person-keyed event models (full and
# incremental) run in 16 statements (var person_buckets), each spilling ~1/16 of the events
# it rebuilds; one statement spilled more than the disk held.
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

# The targets at 10M events on 2 cores (reported, not enforced).
TARGETS: dict[str, float] = {
    "sessionization_model_to_reference": 1.2,
    "dbt_run_to_reference": 5.0,
    "incremental_to_full_run": 0.10,
}


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


# --- References (run in a child: python -m bawh.bench reference ENGINE ...) -------------


def _reference_duckdb(files: list[str], output: Path, settings: dict[str, str]) -> int:
    import duckdb

    output.unlink(missing_ok=True)
    with duckdb.connect(str(output)) as connection:
        for name, value in settings.items():
            if value:
                connection.execute(f"set {name} = '{value}'")
        file_list = ", ".join("'" + name.replace("'", "''") + "'" for name in files)
        connection.execute(
            f"""
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
        )
        row = connection.execute("select count(*) from sessions").fetchone()
    return int(row[0]) if row else 0


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


def _run_reference(arguments: argparse.Namespace) -> int:
    files = sorted(glob.glob(arguments.landing))
    if not files:
        raise FileNotFoundError(f"no files match {arguments.landing}")
    settings = json.loads(arguments.settings)
    started = time.perf_counter()
    if arguments.engine == "duckdb":
        sessions = _reference_duckdb(files, arguments.output, settings)
    elif arguments.engine == "polars":
        sessions = _reference_polars(files, arguments.output)
    else:
        sessions = _reference_pandas(files, arguments.output)
    seconds = time.perf_counter() - started
    arguments.result.write_text(json.dumps({"seconds": seconds, "sessions": sessions}))
    return 0


# --- The benchmark -----------------------------------------------------------------------


def _dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def _generate(
    work: Path, name: str, events: int, days: int, seed: int, start_date: datetime.date,
    project_dir: Path, env: dict[str, str],
) -> tuple[list[_Measured], int]:
    """``bawh generate`` into work/landing/<name>-<k>/ in chunks of at most CHUNK_EVENTS
    events: chunk k is a generator run with seed + k over the k-th period after start_date
    (so a 100M base is ten consecutive 30-day periods of the same registered users)."""
    chunks = max(1, -(-events // CHUNK_EVENTS))
    measured: list[_Measured] = []
    rows = 0
    for k in range(chunks):
        target = events // chunks + (1 if k < events % chunks else 0)
        folder = work / "landing" / f"{name}-{k:03d}"
        command = [
            sys.executable, "-m", "bawh.cli", "generate",
            "--events", str(target),
            "--days", str(days),
            "--seed", str(seed + k),
            "--start-date", (start_date + datetime.timedelta(days=k * days)).isoformat(),
            "--feature-catalog", str(project_dir / "seeds" / "reference" / "feature_catalog.csv"),
            "--output", str(folder),
        ]
        measured.append(_measure(command, work / "logs" / f"generate-{name}-{k:03d}.log", env, project_dir))
        rows += _parquet_rows(folder)
    return measured, rows


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


def _incremental_models(target_path: Path) -> list[str]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
    )


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def run_benchmark(
    size: str,
    project_dir: Path,
    work_dir: Path | None = None,
    seed: int = 20261124,
    events: int | None = None,
    progress: bool = True,
    references: Sequence[str] | None = None,
    build: bool | None = None,
) -> BenchResult:
    """Run every step of the benchmark for ``size`` (a key of SIZES; ``events`` overrides
    its event count) under ``work_dir`` (default target/bench/<size>). ``references``:
    the engines to run besides DuckDB's reference (default: all but at 100m); ``build``:
    whether to time dbt build (default: all sizes but 100m)."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; one of {', '.join(SIZES)}")
    wanted = SIZE_REFERENCES.get(size, REFERENCE_ENGINES) if references is None else references
    unknown = set(wanted) - set(REFERENCE_ENGINES)
    if unknown:
        raise ValueError(f"unknown reference engines {sorted(unknown)}; one of {REFERENCE_ENGINES}")
    engines = ["duckdb", *(engine for engine in REFERENCE_ENGINES[1:] if engine in wanted)]
    if build is None:
        build = size not in SIZE_WITHOUT_BUILD
    project_dir = project_dir.resolve()
    target_events = events if events is not None else SIZES[size]
    work = (work_dir or project_dir / "target" / "bench" / size).resolve()
    landing = work / "landing"
    for stale in landing.glob("*/*.parquet"):
        stale.unlink()
    settings = _duckdb_settings(size)
    if not settings["temp_directory"]:
        settings["temp_directory"] = str(work / "warehouse.duckdb.tmp")
    warehouse = work / "warehouse.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(project_dir)),
        "BAWH_DUCKDB_PATH": str(warehouse),
        **{DUCKDB_SETTINGS[name][0]: value for name, value in settings.items()},
    }
    started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    load_before = os.getloadavg()

    def say(message: str) -> None:
        if progress:
            print(f"[bench {time.perf_counter() - started:7.1f} s] {message}", flush=True)

    steps: list[StepResult] = []

    say(f"generating about {target_events:,} events into {landing}")
    generated, raw_rows = _generate(
        work, "base", target_events, DAYS, seed, START_DATE, project_dir, env
    )
    steps.append(
        StepResult(
            "generate",
            f"bawh generate: {raw_rows:,} raw rows as Parquet (not compared)",
            sum(m.seconds for m in generated),
            max(m.peak_mb for m in generated),
        )
    )
    base_glob = str(landing / "base-*" / "*.parquet")

    # 1-3: the references, each in its own process.
    for engine in engines:
        say(f"reference: {engine}")
        result_file = work / f"reference-{engine}.json"
        suffix = "duckdb" if engine == "duckdb" else "parquet"
        command = [
            sys.executable, "-m", "bawh.bench", "reference", engine,
            "--landing", base_glob,
            "--output", str(work / f"reference-{engine}.{suffix}"),
            "--result", str(result_file),
            "--settings", json.dumps(settings),
        ]
        measured = _measure(command, work / "logs" / f"reference-{engine}.log", env, project_dir)
        inside = json.loads(result_file.read_text())
        steps.append(
            StepResult(
                f"reference_{engine}",
                f"hand-written sessionization in {engine}"
                + (" (one SQL query; the reference)" if engine == "duckdb" else ""),
                float(inside["seconds"]),
                measured.peak_mb,
                process_seconds=measured.seconds,
                sessions=int(inside["sessions"]),
            )
        )

    # 4-5: the project, from an empty warehouse; seeds loaded first (not timed).
    warehouse.unlink(missing_ok=True)
    target_path = work / "target"
    dbt_vars = {"raw_events_location": str(landing / "*" / "*.parquet"), **SIZE_VARS.get(size, {})}
    variables = json.dumps(dbt_vars)

    def dbt(command: list[str], name: str) -> _Measured:
        say(f"dbt {' '.join(command)}")
        return _measure(
            [
                _dbt_executable(), *command, "--exclude", "raw_events",
                "--vars", variables,
                "--project-dir", str(project_dir),
                "--target-path", str(target_path),
                "--log-path", str(work / "logs"),
            ],
            work / "logs" / f"{name}.log",
            env,
            project_dir,
        )

    dbt(["seed"], "dbt-seed")
    full_run = dbt(["run", "--full-refresh"], "dbt-run")
    full_timings = _model_timings(target_path)
    incremental_models = _incremental_models(target_path)
    steps.append(
        StepResult(
            "dbt_run",
            f"dbt run --full-refresh: {len(full_timings)} models",
            full_run.seconds,
            full_run.peak_mb,
            extra={"slowest_models": dict(sorted(full_timings.items(), key=lambda i: -i[1])[:8])},
        )
    )
    if build:
        built = dbt(["build", "--full-refresh"], "dbt-build")
        steps.append(StepResult("dbt_build", "dbt build --full-refresh: models, seeds, data and unit tests",
                                built.seconds, built.peak_mb))
    steps.append(
        StepResult(
            "sessionization_model",
            "int_events_sessionized alone (execution_time in the dbt run's run_results.json)",
            full_timings["int_events_sessionized"],
            None,
        )
    )
    project_sessions = _count(warehouse, "marts.fct_sessions")

    # 7: a later 1% batch lands; dbt run without --full-refresh.
    increment_events = max(1, round(target_events * INCREMENT_SHARE))
    say(f"generating the {increment_events:,}-event increment")
    _, increment_rows = _generate(
        work, "increment", increment_events, INCREMENT_DAYS, seed + 1000,
        START_DATE + datetime.timedelta(days=DAYS * max(1, -(-target_events // CHUNK_EVENTS))),
        project_dir, env,
    )
    incremental = dbt(["run"], "dbt-run-incremental")
    incremental_timings = _model_timings(target_path)
    incremental_label = (
        f"incremental ({len(incremental_models)} incremental models)"
        if incremental_models
        else "no incremental models: a full rebuild"
    )
    steps.append(
        StepResult(
            "incremental_run",
            f"dbt run after +{increment_rows:,} raw rows (1%), no --full-refresh: {incremental_label}",
            incremental.seconds,
            incremental.peak_mb,
            extra={
                "sessionization_model_seconds": incremental_timings.get("int_events_sessionized"),
                "slowest_models": dict(sorted(incremental_timings.items(), key=lambda i: -i[1])[:8]),
            },
        )
    )

    reference = next(step for step in steps if step.step == "reference_duckdb").seconds
    for step in steps:
        if step.step != "generate":
            step.ratio_to_reference = _ratio(step.seconds, reference)
    by_name = {step.step: step for step in steps}
    by_name["dbt_run"].sessions = project_sessions
    ratios = {
        "sessionization_model_to_reference": by_name["sessionization_model"].ratio_to_reference,
        "dbt_run_to_reference": by_name["dbt_run"].ratio_to_reference,
        "dbt_build_to_reference": by_name["dbt_build"].ratio_to_reference if build else None,
        **{
            f"{engine}_to_reference": by_name[f"reference_{engine}"].ratio_to_reference
            for engine in engines[1:]
        },
        "incremental_to_full_run": _ratio(incremental.seconds, full_run.seconds),
    }
    targets = {
        name: {"target": limit, "measured": ratios[name],
               "met": ratios[name] is not None and float(ratios[name] or 0) <= limit}
        for name, limit in TARGETS.items()
    }
    say("done")
    return BenchResult(
        size=size,
        target_events=target_events,
        raw_rows=raw_rows,
        increment_raw_rows=increment_rows,
        landing=str(landing),
        duckdb_settings=settings,
        dbt_vars=dbt_vars,
        machine={
            "cpu_count": os.cpu_count(),
            "load_average_before": list(load_before),
            "load_average_after": list(os.getloadavg()),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        reference_note=REFERENCE_NOTE,
        incremental_models=incremental_models,
        incremental_label=incremental_label,
        skipped_references=[engine for engine in REFERENCE_ENGINES if engine not in engines],
        skipped_steps=[] if build else ["dbt_build"],
        steps=steps,
        ratios=ratios,
        targets=targets,
        started_at=started_at,
        total_seconds=time.perf_counter() - started,
    )


def _count(warehouse: Path, relation: str) -> int | None:
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            row = connection.execute(f"select count(*) from {relation}").fetchone()
    except duckdb.Error:
        return None
    return int(row[0]) if row else None


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bawh bench`."""
    parser.add_argument("--size", choices=list(SIZES), default="10m",
                        help="smoke=100k, 1m, 10m (default) or 100m events")
    parser.add_argument("--events", type=int, help="override the size's event count")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    parser.add_argument("--work-dir", type=Path, help="default target/bench/<size>")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--output", type=Path, help="JSON file, default target/bench/bench-<size>.json")
    parser.add_argument(
        "--references", type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        help="comma-separated engines besides DuckDB: polars,pandas (default both; none at 100m)",
    )
    parser.add_argument(
        "--build", action=argparse.BooleanOptionalAction, default=None,
        help="time dbt build --full-refresh too (default: yes, but not at 100m)",
    )


def run_from_arguments(arguments: argparse.Namespace) -> int:
    """`bawh bench`: run, print the table, write the JSON."""
    result = run_benchmark(
        arguments.size, arguments.project_dir, arguments.work_dir, arguments.seed, arguments.events,
        references=arguments.references, build=arguments.build,
    )
    output: Path = arguments.output or (
        arguments.project_dir / "target" / "bench" / f"bench-{arguments.size}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    print(format_table(result))
    print(f"-> {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Child entry point: ``python -m bawh.bench reference ENGINE ...``."""
    parser = argparse.ArgumentParser(prog="python -m bawh.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    reference = commands.add_parser("reference", help="one hand-written sessionization")
    reference.add_argument("engine", choices=REFERENCE_ENGINES)
    reference.add_argument("--landing", required=True, help="glob of the raw Parquet files")
    reference.add_argument("--output", type=Path, required=True)
    reference.add_argument("--result", type=Path, required=True, help="JSON: seconds, sessions")
    reference.add_argument("--settings", default="{}", help="DuckDB settings as JSON")
    reference.set_defaults(handler=_run_reference)
    arguments = parser.parse_args(argv)
    return int(arguments.handler(arguments))


if __name__ == "__main__":
    sys.exit(main())
