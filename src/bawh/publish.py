"""Publish the marts and reports of a successful build for readers that never block it.

DuckDB lets one process write a database file at a time, so a BI tool holding the warehouse
open can block `dbt build`, and a reader during a build can see half-rebuilt tables. Readers
therefore never open the warehouse. After a successful build, `publish` copies every table of
the published schemas into a new, immutable folder and then switches one symlink:

    publication/
        current -> 20261124T070102Z-3f9a1c      (replaced atomically with os.replace)
        20261124T070102Z-3f9a1c/
            catalog.duckdb                      views marts.*, reports.* over the Parquet files
            marts/fct_sessions.parquet ...
            reports/rpt_channel_traffic_hourly.parquet ...
        20261124T065512Z-8d2e07/                the previous one (kept for readers still on it)

Steps: 1. export each table to Parquet under `publication/.tmp-<id>/`; 2. rename that folder
to `publication/<id>/` (an atomic rename; nothing points at it yet); 3. write the catalog (a
small DuckDB file of views whose Parquet paths are absolute, to the folder's final place) and
check every view's row count against the warehouse; 4. point `publication/current` at it by
creating a new symlink and renaming it over the old one (rename(2) is atomic: a reader
resolves `current` to the old or the new publication, never to nothing); 5. delete all but
the newest `keep` publications and any leftover temporary folder.

A reader opens `publication/current/catalog.duckdb` read-only (or reads the Parquet files).
The symlink is resolved once, when the file is opened, so a connection keeps seeing the one
publication it opened even if a newer one is switched in meanwhile.
"""

from __future__ import annotations

import datetime
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


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


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
        if path.is_symlink() or path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)
    return doomed


def current_publication(root: Path) -> Path | None:
    """The folder `root/current` points at, or None before the first publish."""
    link = root / CURRENT
    if not link.is_symlink():
        return None
    return (root / os.readlink(link)).resolve()


def current_catalog(root: Path) -> Path:
    """`root/current/catalog.duckdb`: what readers open (read-only)."""
    return root / CURRENT / CATALOG


def publish(
    warehouse: Path,
    root: Path,
    keep: int = 2,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    build_id: str | None = None,
) -> Publication:
    """Export the warehouse's published schemas to a new publication and switch to it.

    The warehouse is opened read-only (run this after `dbt build` has finished). Raises
    FileNotFoundError when the warehouse does not exist and ValueError when it has no table
    to publish; in both cases, as on any other failure, `current` is left as it was."""
    started = time.perf_counter()
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    if keep < 1:
        raise ValueError("keep must be at least 1")
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    identifier = build_id or new_build_id()
    temporary = root / f"{TEMPORARY_PREFIX}{identifier}"
    final = root / identifier
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            tables = published_tables(connection, schemas)
            if not tables:
                raise ValueError(f"{warehouse} has no table in the schemas {', '.join(schemas)}")
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
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
        raise
    _switch_current(root, identifier)
    collect_garbage(root, keep)
    return Publication(
        build_id=identifier,
        path=final,
        row_counts=row_counts,
        size_bytes=_folder_size(final),
        seconds=time.perf_counter() - started,
    )
