"""Shared helpers: run dbt on this project against a throwaway DuckDB file, and the builds
that several test modules share (one per data set and vars, built once per pytest session)."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import hashlib
import json
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import yaml

from bawh import dbt_runner
from bawh.generator import GeneratedEvents, GeneratorConfig, generate, write_parquet

PROJECT_DIR = Path(__file__).resolve().parents[2]
MF = Path(sys.executable).parent / "mf"
EDGE_CASES_CSV = PROJECT_DIR / "tests" / "edge_cases" / "edge_case_events.csv"


@dataclass(frozen=True)
class DbtRun:
    """The outcome of one dbt command."""

    returncode: int
    output: str
    warehouse: Path

    def query(self, sql: str) -> list[tuple]:
        """Rows of a query against the built warehouse (read-only)."""
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.execute(sql).fetchall()


# `dbt build` as the tests run it: every selected seed, model and data test, not the unit tests.
# A unit test checks a model's SQL on the rows it gives, whatever data the build reads: `make
# test` runs each once on DuckDB (build-test) and once on Postgres and Spark (test_engines_*.py),
# and a build here would run the same 40 again (6 s of a 30 s demo build).
DBT_BUILD = ["build", "--exclude-resource-type", "unit_test"]


# The tests' clock for freshness (var data_health_as_of): by default rpt_data_freshness measures
# at the start of the run, the build's clock like loaded_at, so two builds of the same input
# would differ there; a test that checks freshness passes its own.
TEST_CLOCK = "2026-12-01 00:00:00"


def run_dbt(
    command: list[str],
    work_dir: Path,
    variables: dict[str, object] | None = None,
    environment: dict[str, str] | None = None,
    project_dir: Path = PROJECT_DIR,
) -> DbtRun:
    """Run `dbt <command>` on the project (or another `project_dir` on this project's
    profiles), writing only inside work_dir (extra environment variables select and locate
    another engine). On DuckDB it runs in work_dir, with its path vars and its warehouse file
    relative to it, and starts from a parse another command with the same vars saved
    (SHARED_PARSES)."""
    variables = {"data_health_as_of": TEST_CLOCK, **(variables or {})}
    on_duckdb = _target(command) in (None, "duckdb")
    if on_duckdb:
        variables = {key: _relative_path(value, work_dir) for key, value in variables.items()}
    invocation = dbt_runner.DbtInvocation.in_work_dir(
        command,
        work_dir,
        project_dir=project_dir,
        profiles_dir=PROJECT_DIR,
        variables=variables,
        env=environment,
    )
    if on_duckdb:  # the warehouse file too: dbt's parse is saved with the profile's settings
        work_dir.mkdir(parents=True, exist_ok=True)
        invocation = dataclasses.replace(
            invocation, run_in=work_dir, duckdb_path=Path(dbt_runner.WAREHOUSE_FILE)
        )
    with SHARED_PARSES.shared(invocation) if on_duckdb else contextlib.nullcontext():
        result = dbt_runner.run(invocation)
    return DbtRun(result.returncode, result.output, work_dir / dbt_runner.WAREHOUSE_FILE)


def _target(command: Sequence[str]) -> str | None:
    """The profile target a dbt command line names (--target), None for the default."""
    return command[command.index("--target") + 1] if "--target" in command else None


def _relative_path(value: object, work_dir: Path) -> object:
    """A var naming a path in work_dir, relative to it; any other value as it is. (Landed rows
    are keyed by their file's name as the var gives it: a build that reads another build's
    files names them as that build did, see test_determinism.py.)"""
    if not isinstance(value, str) or not value.startswith(f"{work_dir}/"):
        return value
    return value.removeprefix(f"{work_dir}/")


class SharedParses:
    """dbt's parse of the project, shared by the tests' commands: dbt parses every file
    again (about 14 s, most of it the data tests) unless target/partial_parse.msgpack holds a
    parse saved with the same --vars, target, profile settings and project, and the tests'
    builds each write a target/ of their own. A command starts from the parse that the first
    command with its vars saved (in `folder`, shared by the pytest-xdist workers); dbt checks
    that parse as it checks its own (versions, vars, profile, every file's hash) and parses
    again what differs."""

    def __init__(self) -> None:
        self.folder: Path | None = None

    @contextlib.contextmanager
    def shared(self, invocation: dbt_runner.DbtInvocation) -> Iterator[None]:
        if self.folder is None or invocation.target_path is None:
            yield
            return
        key = json.dumps(
            [str(invocation.project_dir), _target(invocation.command), invocation.variables],
            sort_keys=True,
        )
        saved = self.folder / f"{hashlib.sha256(key.encode()).hexdigest()}.msgpack"
        parse = invocation.target_path / "partial_parse.msgpack"
        if saved.exists():
            parse.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(saved, parse)
        before = parse.stat().st_mtime_ns if parse.exists() else None
        yield
        if not saved.exists() and parse.exists() and parse.stat().st_mtime_ns != before:
            # written by this command: saved whole or not at all (another worker may read it)
            partial = saved.with_suffix(f".{os.getpid()}")
            shutil.copyfile(parse, partial)
            os.replace(partial, saved)


SHARED_PARSES = SharedParses()


@pytest.fixture(scope="session", autouse=True)
def shared_parses(tmp_path_factory: pytest.TempPathFactory) -> None:
    """SHARED_PARSES in this session's temporary folder (the parent of the workers' own)."""
    root = tmp_path_factory.getbasetemp()
    folder = (root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root) / "dbt_parses"
    folder.mkdir(exist_ok=True)
    SHARED_PARSES.folder = folder


def project_vars() -> dict:
    """The vars of dbt_project.yml (the documented defaults the models run with)."""
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def normalize_event_name(name: str) -> str:
    """Python's own statement of the event-name rule (macro normalize_event_name)."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def build_from_landing(
    work_dir: Path,
    landing_glob: str,
    file_format: str = "parquet",
    select: tuple[str, ...] = (),
    **variables: object,
) -> DbtRun:
    """`dbt build` every model and test, or only the `select`ed models (with their tests: those
    whose every parent is built, the project's indirect selection), reading raw events from a
    landing folder."""
    selection = ["--select", *select] if select else []
    run = run_dbt(
        [*DBT_BUILD, *selection, "--exclude", "raw_events"],
        work_dir,
        {"raw_events_location": landing_glob, "raw_events_format": file_format, **variables},
    )
    assert run.returncode == 0, run.output[-6000:]
    return run


def read_edge_cases() -> pa.Table:
    """The hand-written edge-case fixture, every column as text, empty fields as null."""
    column_names = EDGE_CASES_CSV.read_text().splitlines()[0].split(",")
    return pa_csv.read_csv(
        EDGE_CASES_CSV,
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in column_names},
            null_values=[""],
            strings_can_be_null=True,
        ),
    )


README = PROJECT_DIR / "README.md"
# The vars of a README command that name a file, folder or glob, relative to where it is run.
LOCATION_VARS = ("raw_events_location", "ga4_traffic_export_location", "support_files_location")


@dataclass(frozen=True)
class ReadmeCommand:
    """A dbt command of the README's "Use your own events" table."""

    arguments: list[str]  # after the dbt executable, without --vars
    variables: dict[str, object]  # its --vars

    def input_folder(self, work_dir: Path) -> Path:
        """The folder the command reads its input from, when run in work_dir."""
        (value,) = (str(self.variables[key]) for key in LOCATION_VARS if key in self.variables)
        path = work_dir / value
        return path.parent if any(char in path.name for char in "*?[") or path.suffix else path

    def run(self, work_dir: Path, **extra_variables: object) -> DbtRun:
        """The command, run on a fresh warehouse in work_dir, its input read where it names it
        relative to work_dir (the caller puts the input there); extra vars are added."""
        variables = {
            key: str(work_dir / str(value)) if key in LOCATION_VARS else value
            for key, value in self.variables.items()
        }
        return run_dbt(self.arguments, work_dir, {**variables, **extra_variables})


def run_readme_command(row: str, inputs: list[Path], work_dir: Path, **extra_variables: object) -> DbtRun:
    """The README's command of `row` on a fresh warehouse in work_dir, with the `inputs`
    files copied where it reads; it must pass."""
    command = readme_command(row)
    folder = command.input_folder(work_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for path in inputs:
        shutil.copy(path, folder / path.name)
    run = command.run(work_dir, **extra_variables)
    assert run.returncode == 0, run.output[-6000:]
    return run


def readme_command(row: str) -> ReadmeCommand:
    """The command of the README table row whose first cell starts with `row`."""
    (line,) = [line for line in README.read_text().splitlines() if line.startswith(f"| {row}")]
    command = shlex.split(line.split("`")[1])
    assert command[0] == ".venv/bin/dbt", line
    vars_at = command.index("--vars")
    variables = yaml.safe_load(command[vars_at + 1])
    return ReadmeCommand(command[1:vars_at] + command[vars_at + 2 :], variables)


@pytest.fixture
def write_landing(tmp_path: Path) -> Callable[[pa.Table, str], str]:
    """Write a table as one landing file; returns the glob to point the source at."""

    def write(table: pa.Table, file_format: str = "parquet") -> str:
        landing = tmp_path / "landing"
        landing.mkdir(exist_ok=True)
        if file_format == "parquet":
            pq.write_table(table, landing / "part-0.parquet")
            return str(landing / "*.parquet")
        with open(landing / "part-0.jsonl", "w", encoding="utf-8") as handle:
            for row in table.to_pylist():
                present = {key: value for key, value in row.items() if value is not None}
                handle.write(json.dumps(present) + "\n")
        return str(landing / "*.jsonl")

    return write


# The generated data set that the modules reading marts and reports built with the default vars
# share (activity, channels, the semantic layer, the dashboard's metric definitions): nine
# weeks, so week-4 retention has complete cohorts and every weekday recurs. It ends a month
# before this was written: validation quarantines rows received after the build's start
# (var max_clock_skew_hours), so generated data must lie in the past.
SHARED_CONFIG = GeneratorConfig(persons=400, days=63, seed=11, start_date=datetime.date(2026, 9, 1))


@dataclass(frozen=True)
class GeneratedBuild:
    """Generated events (with their truth) built by dbt from a landing folder."""

    generated: GeneratedEvents
    run: DbtRun
    work_dir: Path


@pytest.fixture(scope="session")
def generated_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., GeneratedBuild]:
    """Build a generator configuration (every model and test, with the given vars) once per
    session: modules asking for the same configuration and vars share the build, and must not
    change its warehouse (read-only dbt commands such as show may write its target/)."""
    builds: dict[tuple[GeneratorConfig, str], GeneratedBuild] = {}

    def build(config: GeneratorConfig = SHARED_CONFIG, **variables: object) -> GeneratedBuild:
        key = (config, json.dumps(variables, sort_keys=True))
        if key not in builds:
            work_dir = tmp_path_factory.mktemp("generated")
            generated = generate(config)
            write_parquet(generated.events, work_dir / "landing", rows_per_file=50_000)
            run = build_from_landing(work_dir, str(work_dir / "landing" / "*.parquet"), **variables)
            builds[key] = GeneratedBuild(generated, run, work_dir)
        return builds[key]

    return build


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The demo warehouse (the committed seeds: every seed, model and data test) with the analyses
    compiled into its target/, built once per session; readers must not change its warehouse
    (read-only dbt commands such as show or docs generate may write its target/)."""
    work_dir = tmp_path_factory.mktemp("demo")
    build = run_dbt(DBT_BUILD, work_dir)
    assert build.returncode == 0, build.output[-6000:]
    compiled = run_dbt(["compile", "--select", "path:analyses"], work_dir)
    assert compiled.returncode == 0, compiled.output[-6000:]
    return build


# The generated truth that every tracker format's round trip (tests/python/test_format_*.py)
# writes in its format and compares with this one contract build of it: small, so each
# format's build stays under a minute.
TRACKER_CONFIG = GeneratorConfig(persons=40, days=7, seed=7, start_date=datetime.date(2026, 9, 7))
TRACKER_MARTS = (
    "+fct_page_views",
    "+fct_sessions",
    "+dim_persons",
    "+int_events_quarantined",
    "+rpt_event_reconciliation",
)


@dataclass(frozen=True)
class ContractBuild:
    """Generated raw events (the event contract) and their build."""

    events: pa.Table
    run: DbtRun


@pytest.fixture(scope="session")
def tracker_contract_build(tmp_path_factory: pytest.TempPathFactory) -> ContractBuild:
    """TRACKER_CONFIG's events built as the contract (TRACKER_MARTS and their parents), once
    per session for every format's round trip."""
    events = generate(TRACKER_CONFIG).events
    work_dir = tmp_path_factory.mktemp("tracker_contract")
    write_parquet(events, work_dir / "landing")
    run = build_from_landing(work_dir, str(work_dir / "landing" / "*.parquet"), select=TRACKER_MARTS)
    return ContractBuild(events, run)


class SemanticLayer:
    """A built warehouse and an `mf` (MetricFlow) bound to it."""

    # the project's parts mf reads: it looks for target/semantic_manifest.json under the project
    # directory, so mf runs in a folder of links whose target/ is the build's
    LINKED = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests", "analyses")

    def __init__(self, run: DbtRun, work_dir: Path) -> None:
        self.run = run
        self.work_dir = work_dir
        self.project = work_dir / "project"
        if not self.project.exists():
            self.project.mkdir()
            for name in self.LINKED:
                (self.project / name).symlink_to(PROJECT_DIR / name)
            (self.project / "target").symlink_to(work_dir / "target")
        self.outputs = Path(tempfile.mkdtemp(dir=work_dir, prefix="mf_"))
        self.n_queries = 0

    def mf(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(MF), *arguments],
            cwd=self.project,
            env={
                **os.environ,
                "DBT_PROFILES_DIR": str(PROJECT_DIR),
                "DBT_PROJECT_DIR": str(self.project),
                "BAWH_DUCKDB_PATH": str(self.run.warehouse),
            },
            capture_output=True,
            text=True,
            check=False,
        )

    def query(self, metrics: list[str], group_by: list[str], *extra: str) -> list[dict[str, str]]:
        """Rows of `mf query` (CSV: full precision, every value as text)."""
        self.n_queries += 1
        output = self.outputs / f"query_{self.n_queries}.csv"
        arguments = ["query", "--metrics", ",".join(metrics), "--csv", str(output), *extra]
        if group_by:
            arguments += ["--group-by", ",".join(group_by)]
        completed = self.mf(*arguments)
        assert completed.returncode == 0 and output.exists(), completed.stdout + completed.stderr
        with open(output, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


# Rates read back from `mf query` equal the marts' within this (counts must be equal).
TOLERANCE = 1e-9


def rate(value: str) -> float | None:
    """A rate from `mf query`'s CSV: empty (no denominator) is None."""
    return None if value == "" else float(value)


def assert_rates_equal(actual: dict[str, float | None], expected: dict[str, float | None]) -> None:
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        if value is None:
            assert actual[key] is None, key
        else:
            assert actual[key] == pytest.approx(value, rel=0, abs=TOLERANCE), key


# --- A throwaway PostgreSQL server (the engine tests) ---------------------------------------

PG_BIN = Path(os.environ.get("BAWH_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres_user(command: list[str]) -> list[str]:
    """The server refuses to run as root: step down to the postgres user when root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def insert_text_rows(cursor: Any, table: str, columns: list[str], rows: list[dict]) -> None:
    """Rows into a Postgres table of text columns (schema and table created if missing), every
    value as text, as a tracker's loader would write them: through a psycopg2 cursor."""
    schema = table.split(".")[0]
    cursor.execute(f"create schema if not exists {schema}")
    cursor.execute(f"create table if not exists {table} ({', '.join(f'{c} text' for c in columns)})")
    cursor.executemany(
        f"insert into {table} ({', '.join(columns)}) values ({', '.join(['%s'] * len(columns))})",
        [tuple(None if row[column] is None else str(row[column]) for column in columns) for row in rows],
    )


@contextlib.contextmanager
def postgres_server() -> Iterator[dict[str, str]]:
    """A PostgreSQL server for this test run only; yields the environment dbt needs."""
    if not (PG_BIN / "postgres").exists():
        pytest.fail(f"PostgreSQL server binaries not found in {PG_BIN}: run `make engines-deps`")
    base = Path(tempfile.mkdtemp(prefix="bawh-postgres-"))
    if os.geteuid() == 0:
        postgres_user = pwd.getpwnam("postgres")
        os.chown(base, postgres_user.pw_uid, postgres_user.pw_gid)
    data, port = base / "data", _free_port()
    settings = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        _as_postgres_user(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres_user(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "server.log"),
                "-o",
                settings,
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    import psycopg2  # the postgres extra: imported where used, so the fast tier collects this module

    try:
        admin = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        admin.autocommit = True  # create database cannot run in a transaction
        admin.cursor().execute("create database behavioral_warehouse")
        admin.close()
        yield {"BAWH_PG_HOST": "127.0.0.1", "BAWH_PG_PORT": str(port), "BAWH_PG_USER": "postgres"}
    finally:
        subprocess.run(
            _as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


class Webhook:
    """A local HTTP server recording the JSON bodies POSTed to it; it answers the statuses
    queued in `answers` first, then 200."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.content_types: list[str | None] = []
        self.answers: list[int] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                webhook.bodies.append(json.loads(body))
                webhook.content_types.append(self.headers["Content-Type"])
                status = webhook.answers.pop(0) if webhook.answers else 200
                answer = b"ok" if status == 200 else b"invalid_payload " + b"x" * 300
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def lines(self) -> list[list[str]]:
        """The lines of each message received."""
        return [str(body["text"]).splitlines() for body in self.bodies]


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    thread = threading.Thread(target=hook.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()
    thread.join()
