"""Publish the marts and reports of a verified build for readers that never block it.

DuckDB lets one process write a database file at a time, so a BI tool holding the warehouse
open can block `dbt build`, and a reader during a build can see half-rebuilt tables. Readers
therefore never open the warehouse. After a successful build, `publish` copies every table of
the published schemas into a new, read-only folder and then switches one symlink:

    publication/
        current -> 20261124T070102Z-3f9a1c      (replaced atomically with os.replace)
        20261124T070102Z-3f9a1c/                folders 0555, files 0444
            catalog.duckdb                      views marts.*, reports.* over the Parquet files
            marts/fct_sessions.parquet ...
            reports/rpt_channel_traffic_hourly.parquet ...
        20261124T065512Z-8d2e07/                the previous one (kept for readers still on it)

Steps: 0. verify the build (`build_problems`: dbt's run_results.json of a `dbt build` with no
failed or skipped node that built every published table, the event reconciliation holds, some
clean events and at most `max_quarantine_share` of the raw rows quarantined) and refuse, with
nothing written, if it fails; 1. export each table to Parquet under `publication/.tmp-<id>/`;
2. rename that folder to `publication/<id>/` (an atomic rename; nothing points at it yet);
3. write the catalog (a small DuckDB file of views whose Parquet paths are absolute, to the
folder's final place), make every file 0444 and every folder 0555, and check every view's row
count against the warehouse; 4. point `publication/current` at it by creating a new symlink
and renaming it over the old one (rename(2) is atomic: a reader resolves `current` to the old
or the new publication, never to nothing); 5. delete all but the newest `keep` publications
and any leftover temporary folder (made writable first).

A reader opens `publication/current/catalog.duckdb` with `read_only=True` (or reads the Parquet
files). The file is 0444, so a read-write connection, which would take DuckDB's exclusive lock
and shut out every other reader, or redefine the views, fails (for any user but root). The
symlink is resolved once, when the file is opened, so a connection keeps seeing the one
publication it opened even if a newer one is switched in meanwhile.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Schemas whose tables and views are published (the BI-facing layers).
PUBLISHED_SCHEMAS = ("marts", "reports")
CURRENT = "current"
CATALOG = "catalog.duckdb"
TEMPORARY_PREFIX = ".tmp-"
FILE_MODE = 0o444  # every published file: nobody (but root) writes or locks it
FOLDER_MODE = 0o555  # every published folder, once complete: nothing added or removed
# dbt's run_results.json, under dbt's target path (default `target/` in the project folder).
RUN_RESULTS = "run_results.json"
# Statuses of a run_results.json node that do not stop a publish (a warning is published).
ACCEPTED_STATUSES = frozenset({"success", "pass", "warn", "no-op"})
RECONCILIATION = "reports.rpt_event_reconciliation"
# The largest share of raw rows that may be quarantined: the default of the dbt var
# `quarantine_warn_share`, above which the reconciliation's data test warns (test_publish
# checks the two agree; rpt_event_reconciliation does not expose the value it ran with).
MAX_QUARANTINE_SHARE = 0.05


class BuildNotPublishable(ValueError):
    """The build failed a check of `build_problems`; nothing was published."""


@dataclass(frozen=True)
class Publication:
    """One publication: where it is and what it holds."""

    build_id: str
    path: Path
    row_counts: dict[str, int]
    size_bytes: int
    seconds: float


def new_build_id(now: datetime.datetime | None = None) -> str:
    """A sortable, unique publication id: UTC time of the publish and a random suffix."""
    moment = now or datetime.datetime.now(datetime.UTC)
    return f"{moment:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def published_tables(
    connection: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS
) -> list[tuple[str, str]]:
    """(schema, table) of every table and view of the published schemas, sorted."""
    placeholders = ", ".join("?" for _ in schemas)
    rows = connection.execute(
        "select table_schema, table_name from information_schema.tables"
        f" where table_catalog = current_database() and table_schema in ({placeholders})"
        " order by table_schema, table_name",
        list(schemas),
    ).fetchall()
    return [(str(schema), str(table)) for schema, table in rows]


def default_run_results() -> Path:
    """Where `dbt build` in the current folder writes its run results: $DBT_TARGET_PATH
    (dbt's own variable), else `target/`, then run_results.json."""
    return Path(os.environ.get("DBT_TARGET_PATH") or "target") / RUN_RESULTS


def _some(items: list[str], shown: int = 5) -> str:
    """The first `shown` items and how many more: 'a, b, c, d, e and 7 more'."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def _relation_parts(relation_name: str) -> tuple[str, ...]:
    """'"wh"."marts"."dim_dates"' -> ('wh', 'marts', 'dim_dates'), lowercased."""
    return tuple(part.strip('"').lower() for part in relation_name.split("."))


def _run_results_problems(
    connection: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]], run_results: Path
) -> list[str]:
    """The run results are of a `dbt build` with no failed or skipped node that built each
    published table into this warehouse file (the database name of its relations)."""
    if not run_results.is_file():
        return [f"no dbt run results at {run_results}: run `dbt build` first"]
    try:
        document = json.loads(run_results.read_text(encoding="utf-8"))
        command = str(document["args"]["which"])
        nodes = [
            (str(node["unique_id"]), str(node["status"]), node.get("relation_name"))
            for node in document["results"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"unreadable dbt run results {run_results} ({error!r}): run `dbt build` first"]
    if command != "build":
        return [f"{run_results} is of `dbt {command}`, not `dbt build`: run `dbt build` first"]
    problems = []
    failed = [f"{node} ({status})" for node, status, _ in nodes if status not in ACCEPTED_STATUSES]
    if failed:
        problems.append(f"the dbt build has {len(failed)} failed or skipped nodes: {_some(failed)}")
    (database,) = connection.execute("select current_database()").fetchone() or ("",)
    built = {
        _relation_parts(relation)
        for node, status, relation in nodes
        if node.startswith("model.") and status in ACCEPTED_STATUSES and relation
    }
    missing = [
        f"{schema}.{table}"
        for schema, table in tables
        if (str(database).lower(), schema.lower(), table.lower()) not in built
    ]
    if missing:
        problems.append(
            f"{run_results} is not of the build of this warehouse ({database}):"
            f" it did not build {_some(missing)}"
        )
    return problems


def _reconciliation_problems(
    connection: duckdb.DuckDBPyConnection, max_quarantine_share: float
) -> list[str]:
    """rpt_event_reconciliation accounts for every raw row, every clean event has a session,
    there are clean events and at most `max_quarantine_share` of the raw rows are quarantined."""
    try:
        rows = connection.execute(
            "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows,"
            f" n_sessionized_events from {RECONCILIATION}"
        ).fetchall()
    except duckdb.Error as error:
        reason = str(error).splitlines()[0]
        return [f"cannot read {RECONCILIATION} ({reason}): the build cannot be reconciled"]
    if len(rows) != 1 or any(value is None for value in rows[0]):
        return [f"{RECONCILIATION} has {len(rows)} rows or nulls, not one complete row"]
    raw, clean, quarantined, duplicates, sessionized = (int(value) for value in rows[0])
    problems = []
    if clean == 0:
        problems.append(f"the warehouse has no clean events ({raw} raw rows, {quarantined} quarantined)")
    unaccounted = raw - clean - quarantined - duplicates
    if unaccounted != 0:
        problems.append(
            f"the reconciliation fails: {unaccounted} raw rows unaccounted for ({raw} raw !="
            f" {clean} clean + {quarantined} quarantined + {duplicates} duplicates)"
        )
    if sessionized != clean:
        problems.append(f"{sessionized} sessionized events != {clean} clean events")
    if raw > 0 and quarantined > max_quarantine_share * raw:
        problems.append(
            f"{quarantined} of {raw} raw rows quarantined ({quarantined / raw:.1%}),"
            f" over the {max_quarantine_share:.1%} allowed"
        )
    return problems


def build_problems(
    connection: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str]],
    run_results: Path | None,
    max_quarantine_share: float = MAX_QUARANTINE_SHARE,
) -> list[str]:
    """Why the build in `connection` (whose published tables are `tables`) must not be
    published, one line each; empty when it may be.

    - `run_results` (dbt's run_results.json) is of a `dbt build`, has no node whose status is
      not success, pass, warn or no-op (error, fail, skipped, ...), and built every published
      table into this warehouse file. None skips this check, for callers that checked dbt's
      exit status themselves; `bawh publish` always makes it.
    - reports.rpt_event_reconciliation reconciles: raw rows = clean events + quarantined rows
      + duplicate copies, and every clean event is sessionized.
    - The warehouse has at least one clean event, and at most `max_quarantine_share` of its
      raw rows are quarantined."""
    problems = [] if run_results is None else _run_results_problems(connection, tables, run_results)
    return problems + _reconciliation_problems(connection, max_quarantine_share)


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder`."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _make_read_only(folder: Path) -> None:
    """Every file FILE_MODE, then every folder FOLDER_MODE, the deepest first."""
    inside = sorted(folder.rglob("*"), key=lambda path: len(path.parts), reverse=True)
    for path in [*inside, folder]:
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)


def _remove(path: Path) -> None:
    """Delete a file, symlink or (read-only) publication folder: its folders are made
    writable first, since removing a file needs a writable folder."""
    if path.is_symlink() or path.is_file():
        path.unlink()
        return
    if not path.is_dir():
        return
    for folder in [path, *(inner for inner in path.rglob("*") if inner.is_dir())]:
        os.chmod(folder, 0o755)
    shutil.rmtree(path, ignore_errors=True)


def _write_catalog(
    catalog: Path, final_folder: Path, tables: list[tuple[str, str]], build_id: str
) -> None:
    """A DuckDB file of views over the Parquet files (absolute paths to their final place),
    plus a table `publication.tables` with the build id and each table's row count."""
    temporary = catalog.with_name(".catalog-tmp.duckdb")
    temporary.unlink(missing_ok=True)
    with duckdb.connect(str(temporary)) as connection:
        connection.execute("create schema publication")
        connection.execute(
            "create table publication.tables (build_id varchar, table_schema varchar,"
            " table_name varchar, n_rows bigint, parquet_path varchar)"
        )
        for schema in sorted({schema for schema, _ in tables}):
            connection.execute(f"create schema {_quote_identifier(schema)}")
        for schema, table in tables:
            parquet = final_folder / schema / f"{table}.parquet"
            connection.execute(
                f"create view {_quote_identifier(schema)}.{_quote_identifier(table)} as"
                f" select * from read_parquet({_quote_literal(str(parquet))})"
            )
            (n_rows,) = connection.execute(
                f"select count(*) from {_quote_identifier(schema)}.{_quote_identifier(table)}"
            ).fetchone() or (0,)
            connection.execute(
                "insert into publication.tables values (?, ?, ?, ?, ?)",
                [build_id, schema, table, n_rows, str(parquet)],
            )
        connection.execute("checkpoint")
    os.replace(temporary, catalog)


def _switch_current(root: Path, build_id: str) -> None:
    """Point root/current at root/<build_id> atomically (new symlink renamed over the old)."""
    link = root / f"{TEMPORARY_PREFIX}link-{build_id}"
    link.unlink(missing_ok=True)
    os.symlink(build_id, link, target_is_directory=True)
    os.replace(link, root / CURRENT)


def list_publications(root: Path) -> list[Path]:
    """Finished publication folders (they hold a catalog), oldest first."""
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.iterdir()
        if path.is_dir()
        and not path.is_symlink()
        and not path.name.startswith(".")
        and (path / CATALOG).is_file()
    )


def collect_garbage(root: Path, keep: int = 2) -> list[Path]:
    """Delete all but the newest `keep` publications (never the current one) and leftover
    temporary folders of interrupted publishes; returns what was deleted."""
    current = current_publication(root)
    publications = list_publications(root)
    doomed = [path for path in publications[: max(len(publications) - keep, 0)] if path != current]
    doomed += [path for path in root.iterdir() if path.name.startswith(TEMPORARY_PREFIX)]
    for path in doomed:
        _remove(path)
    return doomed


def current_publication(root: Path) -> Path | None:
    """The folder `root/current` points at, or None before the first publish."""
    link = root / CURRENT
    if not link.is_symlink():
        return None
    return (root / os.readlink(link)).resolve()


def current_catalog(root: Path) -> Path:
    """`root/current/catalog.duckdb`: what readers open, with read_only=True (it is 0444)."""
    return root / CURRENT / CATALOG


def publish(
    warehouse: Path,
    root: Path,
    keep: int = 2,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    build_id: str | None = None,
    *,
    run_results: Path | None = None,
    max_quarantine_share: float = MAX_QUARANTINE_SHARE,
) -> Publication:
    """Verify the build, export the warehouse's published schemas to a new read-only
    publication and switch to it.

    The warehouse is opened read-only (run this after `dbt build` has finished). Raises
    FileNotFoundError when the warehouse does not exist, ValueError when it has no table to
    publish and BuildNotPublishable (a ValueError) when `build_problems` finds any (with
    `run_results` and `max_quarantine_share`); in each case, as on any other failure, nothing
    is published and `current` is left as it was."""
    started = time.perf_counter()
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    if keep < 1:
        raise ValueError("keep must be at least 1")
    identifier = build_id or new_build_id()
    temporary: Path | None = None
    final: Path | None = None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            tables = published_tables(connection, schemas)
            if not tables:
                raise ValueError(f"{warehouse} has no table in the schemas {', '.join(schemas)}")
            problems = build_problems(connection, tables, run_results, max_quarantine_share)
            if problems:
                raise BuildNotPublishable(f"refusing to publish {warehouse}: {'; '.join(problems)}")
            root.mkdir(parents=True, exist_ok=True)
            root = root.resolve()
            temporary = root / f"{TEMPORARY_PREFIX}{identifier}"
            final = root / identifier
            row_counts: dict[str, int] = {}
            for schema, table in tables:
                (temporary / schema).mkdir(parents=True, exist_ok=True)
                target = temporary / schema / f"{table}.parquet"
                relation = f"{_quote_identifier(schema)}.{_quote_identifier(table)}"
                connection.execute(
                    f"copy (select * from {relation}) to {_quote_literal(str(target))}"
                    " (format parquet, compression zstd)"
                )
                (n_rows,) = connection.execute(f"select count(*) from {relation}").fetchone() or (0,)
                row_counts[f"{schema}.{table}"] = int(n_rows)
        os.rename(temporary, final)
        _write_catalog(final / CATALOG, final, tables, identifier)
        _make_read_only(final)
        with duckdb.connect(str(final / CATALOG), read_only=True) as check:
            published = {
                f"{schema}.{table}": int(n_rows)
                for schema, table, n_rows in check.execute(
                    "select table_schema, table_name, n_rows from publication.tables"
                ).fetchall()
            }
        if published != row_counts:
            raise RuntimeError(f"publication {identifier} does not match the warehouse")
    except BaseException:
        for folder in (temporary, final):
            if folder is not None:
                _remove(folder)
        raise
    _switch_current(root, identifier)
    collect_garbage(root, keep)
    return Publication(
        build_id=identifier,
        path=final,
        row_counts=row_counts,
        size_bytes=folder_size(final),
        seconds=time.perf_counter() - started,
    )
