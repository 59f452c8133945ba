"""Send the audience changes of a built warehouse (``marts.fct_audience_changes``: a person
entered or exited an audience) to a destination, each change exactly once: a folder of files
(JSON lines or CSV) or a webhook.

dbt rebuilds the changes table on every run, so what was sent is recorded in a table of its
own in the same DuckDB file, which dbt never touches: the write-ahead ledger
``bawh_activation_ledger``, one row per destination and change (its fields as sent, the batch,
'pending' or 'delivered', and when). A run

1. resends first every batch the ledger holds as pending for the destination (an earlier run
   failed, or stopped between recording it and recording its delivery), with the same
   batch_id and the same rows, whatever the audiences asked for now;
2. then takes the changes not in the ledger for the destination, in (changed_at, change_id)
   order, in batches; each batch is recorded as pending, sent, then marked delivered.

So a rerun sends nothing twice, a failed send stays pending and is sent again by the next run,
and a batch that may have been received before a crash goes out again under the same id. The
batch_id, a hash of the destination and the batch's change_ids, is the idempotency key:

- a folder gets ``<batch_id>.jsonl`` (or ``.csv``), written to a temporary file and renamed,
  so a resent batch overwrites its file with the same content and a reader never sees a half
  file. The format is not part of the destination: keep one per folder.
- a webhook gets a POST of ``{"batch_id", "destination", "changes": [...]}`` with the header
  ``Idempotency-Key: <batch_id>``; a receiver that ignores a batch_id it has already stored
  gets each change exactly once. Connection errors, timeouts, 408, 429 and 5xx are retried
  with exponential backoff; any other answer that is not 2xx, a redirect included, is a
  refusal, not retried.

docs/activation.md describes the payload and the receiver's side."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from bawh.delivery import DeliveryFailed, post_json, write_atomically

CHANGES_TABLE = "marts.fct_audience_changes"
LEDGER_TABLE = "bawh_activation_ledger"
FIELDS = ("change_id", "membership_id", "audience_name", "person_id", "change_type", "changed_at")
FORMATS = ("jsonl", "csv")
BATCH_SIZE = 500
MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 10.0
BACKOFF_SECONDS = 0.5  # the wait after the first failed attempt, doubled after each further one

CREATE_LEDGER = f"""
create table if not exists {LEDGER_TABLE} (
    destination varchar not null,
    change_id varchar not null,
    batch_id varchar not null,
    status varchar not null,  -- 'pending' (recorded before the send) or 'delivered'
    membership_id varchar,
    audience_name varchar,
    person_id varchar,
    change_type varchar,
    changed_at timestamp,
    pending_at timestamp not null,
    delivered_at timestamp,
    primary key (destination, change_id)
)"""


@dataclass(frozen=True)
class Change:
    """One row of the changes table: a person entered or exited an audience."""

    change_id: str
    membership_id: str
    audience_name: str
    person_id: str
    change_type: str  # 'entered' or 'exited'
    changed_at: datetime.datetime  # UTC, without a zone

    def as_json(self) -> dict[str, str]:
        """The change as sent: every field a string, changed_at ISO 8601 with Z."""
        return {
            "change_id": self.change_id,
            "membership_id": self.membership_id,
            "audience_name": self.audience_name,
            "person_id": self.person_id,
            "change_type": self.change_type,
            "changed_at": f"{self.changed_at.isoformat()}Z",
        }


@dataclass(frozen=True)
class Batch:
    """Changes sent together under one idempotency key."""

    batch_id: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ActivationResult:
    """What one run sent: every change of its batches, those of resent batches included."""

    destination: str
    changes: int
    batches: int
    resent: int  # changes of the batches an earlier run left pending

    def summary(self) -> str:
        """'activate: 42 changes in 1 batch to webhook:http://... (0 resent)'."""
        if not self.batches:
            return f"activate: nothing new for {self.destination}"
        batches = "batch" if self.batches == 1 else "batches"
        changes = "change" if self.changes == 1 else "changes"
        return (
            f"activate: {self.changes} {changes} in {self.batches} {batches} to {self.destination}"
            f" ({self.resent} resent)"
        )


class Destination(Protocol):
    """Where changes go: `key` names it in the ledger; `send` delivers one batch or raises
    DeliveryFailed (the batch then stays pending, and the next run sends it first), and must be
    idempotent on the batch_id."""

    @property
    def key(self) -> str: ...

    def send(self, batch_id: str, changes: Sequence[Change]) -> None: ...


@dataclass(frozen=True)
class FileDestination:
    """A folder receiving one file per batch, <batch_id>.jsonl or <batch_id>.csv (with a header)."""

    folder: Path
    format: str = "jsonl"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {self.format}")

    @property
    def key(self) -> str:
        """'file:/absolute/folder'."""
        return f"file:{self.folder.resolve()}"

    def send(self, batch_id: str, changes: Sequence[Change]) -> None:
        """Write the batch's file atomically (bawh.delivery.write_atomically): a resend
        replaces it with the same content."""
        rows = [change.as_json() for change in changes]
        if self.format == "csv":
            text = io.StringIO(newline="")
            writer = csv.DictWriter(text, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            content = text.getvalue()
        else:
            content = "".join(json.dumps(row) + "\n" for row in rows)
        path = self.folder / f"{batch_id}.{self.format}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(path, content)
        except OSError as error:
            raise DeliveryFailed(f"could not write batch {batch_id} to {path}: {error}") from error


@dataclass(frozen=True)
class WebhookDestination:
    """An HTTP(S) endpoint receiving one JSON POST per batch, with an Idempotency-Key header."""

    url: str
    max_attempts: int = MAX_ATTEMPTS
    timeout_seconds: float = TIMEOUT_SECONDS
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")

    @property
    def key(self) -> str:
        """'webhook:https://...'."""
        return f"webhook:{self.url}"

    def send(self, batch_id: str, changes: Sequence[Change]) -> None:
        """POST the batch (bawh.delivery.post_json: transient failures tried again up to
        max_attempts in all, from BACKOFF_SECONDS on; a refusal, a redirect included, raises
        DeliveryFailed at once)."""
        payload = {"batch_id": batch_id, "destination": self.key, "changes": [c.as_json() for c in changes]}
        try:
            post_json(
                self.url,
                payload,
                headers={"Idempotency-Key": batch_id},
                max_attempts=self.max_attempts,
                backoff_seconds=BACKOFF_SECONDS,
                timeout_seconds=self.timeout_seconds,
                sleep=self.sleep,
            )
        except DeliveryFailed as error:
            raise DeliveryFailed(f"batch {batch_id}: {error}") from error


def batch_id(destination: str, change_ids: Sequence[str]) -> str:
    """The batch's idempotency key: the same destination and changes, the same id."""
    return hashlib.sha256("\n".join([destination, *change_ids]).encode("utf-8")).hexdigest()[:32]


def activate(
    warehouse: Path, destination: Destination, audiences: Sequence[str] = (), batch_size: int = BATCH_SIZE
) -> ActivationResult:
    """Send the pending batches of the destination again, then every change not yet in its
    ledger (only those of `audiences`, if given) in batches of batch_size, recording each.
    Raises FileNotFoundError without the warehouse or its changes table, DeliveryFailed when a
    batch could not be delivered (the batches before it are delivered and recorded)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if not warehouse.exists():
        raise FileNotFoundError(f"No warehouse at {warehouse}: run `dbt build` first.")
    key = destination.key
    with duckdb.connect(str(warehouse)) as connection:
        try:
            connection.execute(f"select 1 from {CHANGES_TABLE} limit 0")
        except duckdb.CatalogException as error:
            raise FileNotFoundError(
                f"The warehouse at {warehouse} has no {CHANGES_TABLE}: run `dbt build` first."
            ) from error
        connection.execute(CREATE_LEDGER)
        pending = _pending_batches(connection, key)
        new = _new_changes(connection, key, audiences)
        batches = [
            *pending,
            *(_batch(key, new[start : start + batch_size]) for start in range(0, len(new), batch_size)),
        ]
        for number, batch in enumerate(batches):
            if number >= len(pending):
                _record_pending(connection, key, batch)
            destination.send(batch.batch_id, batch.changes)
            _mark_delivered(connection, key, batch.batch_id)
    return ActivationResult(
        destination=key,
        changes=sum(len(batch.changes) for batch in batches),
        batches=len(batches),
        resent=sum(len(batch.changes) for batch in pending),
    )


def _batch(destination: str, changes: Sequence[Change]) -> Batch:
    return Batch(batch_id(destination, [change.change_id for change in changes]), tuple(changes))


def _pending_batches(connection: duckdb.DuckDBPyConnection, destination: str) -> list[Batch]:
    """The batches recorded as pending, with the rows recorded for them, oldest first."""
    rows = connection.execute(
        f"select batch_id, {', '.join(FIELDS)} from {LEDGER_TABLE}"
        " where destination = ? and status = 'pending'"
        " order by pending_at, batch_id, changed_at, change_id",
        [destination],
    ).fetchall()
    batches: dict[str, list[Change]] = {}
    for recorded_id, *fields in rows:
        batches.setdefault(recorded_id, []).append(Change(*fields))
    return [Batch(recorded_id, tuple(changes)) for recorded_id, changes in batches.items()]


def _new_changes(
    connection: duckdb.DuckDBPyConnection, destination: str, audiences: Sequence[str]
) -> list[Change]:
    """The changes the ledger holds nothing of for the destination, in sending order."""
    audience_filter = f" and audience_name in ({', '.join('?' for _ in audiences)})" if audiences else ""
    rows = connection.execute(
        f"select {', '.join(FIELDS)} from {CHANGES_TABLE} as changes"
        f" where not exists (select 1 from {LEDGER_TABLE} as ledger"
        "  where ledger.destination = ? and ledger.change_id = changes.change_id)"
        f"{audience_filter} order by changed_at, change_id",
        [destination, *audiences],
    ).fetchall()
    return [Change(*row) for row in rows]


def _record_pending(connection: duckdb.DuckDBPyConnection, destination: str, batch: Batch) -> None:
    """Write the batch to the ledger as pending, in one transaction, before it is sent."""
    now = _utc_now()
    connection.begin()
    connection.executemany(
        f"insert into {LEDGER_TABLE} (destination, batch_id, status, {', '.join(FIELDS)}, pending_at)"
        f" values (?, ?, 'pending', {', '.join('?' for _ in FIELDS)}, ?)",
        [[destination, batch.batch_id, *astuple(change), now] for change in batch.changes],
    )
    connection.commit()


def _mark_delivered(connection: duckdb.DuckDBPyConnection, destination: str, batch_id: str) -> None:
    """Record the batch as delivered, once the destination has taken it."""
    connection.execute(
        f"update {LEDGER_TABLE} set status = 'delivered', delivered_at = ?"
        " where destination = ? and batch_id = ?",
        [_utc_now(), destination, batch_id],
    )


def _utc_now() -> datetime.datetime:
    """Now in UTC without a zone, as the warehouse's timestamps."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
