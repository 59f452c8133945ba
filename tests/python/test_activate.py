"""`bawh activate`: the audience changes of a tiny hand-made warehouse, sent exactly once to a
folder and to a local webhook that can be told to fail, across reruns, refusals and a crash
between sending a batch and recording it."""

from __future__ import annotations

import csv
import datetime
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bawh import activate
from bawh.cli import build_parser, main
from bawh.delivery import DeliveryFailed

START = datetime.datetime(2026, 10, 1, 12)
Row = tuple[str, str, str, str, str, datetime.datetime]


def change(
    number: int, audience: str = "big_spenders", kind: str = "entered", minutes: int | None = None
) -> Row:
    """A row of fct_audience_changes, `minutes` (default `number`) after START."""
    at = START + datetime.timedelta(minutes=number if minutes is None else minutes)
    return (f"c{number:03d}-{kind}", f"m{number:03d}", audience, f"p{number:03d}", kind, at)


def as_sent(row: Row) -> dict[str, str]:
    """The row as a destination should receive it."""
    change_id, membership_id, audience_name, person_id, kind, changed_at = row
    return {
        "change_id": change_id,
        "membership_id": membership_id,
        "audience_name": audience_name,
        "person_id": person_id,
        "change_type": kind,
        "changed_at": changed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def in_sending_order(rows: list[Row]) -> list[dict[str, str]]:
    return [as_sent(row) for row in sorted(rows, key=lambda row: (row[5], row[0]))]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.fct_audience_changes (change_id varchar, membership_id varchar,"
            " audience_name varchar, person_id varchar, change_type varchar, changed_at timestamp)"
        )
    return path


def insert(warehouse: Path, rows: list[Row]) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.executemany("insert into marts.fct_audience_changes values (?, ?, ?, ?, ?, ?)", rows)


def ledger_statuses(warehouse: Path) -> Counter[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(f"select status from {activate.LEDGER_TABLE}").fetchall()
    return Counter(status for (status,) in rows)


@dataclass(frozen=True)
class Request:
    idempotency_key: str | None
    content_type: str | None
    body: dict[str, Any]
    status: int  # what the receiver answered


class Receiver:
    """A local HTTP server recording every POST; it answers the (status, body) queued in
    `answers` first, then 200."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.answers: list[tuple[int, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, answer = receiver.answers.pop(0) if receiver.answers else (200, b"ok")
                receiver.requests.append(
                    Request(self.headers["Idempotency-Key"], self.headers["Content-Type"], body, status)
                )
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/audiences"

    def batch_ids(self) -> list[str]:
        return [request.body["batch_id"] for request in self.requests]

    def stored(self) -> Counter[str]:
        """Change id -> times stored by a receiver that accepts each Idempotency-Key once."""
        accepted = {
            request.idempotency_key: request.body["changes"]
            for request in reversed(self.requests)
            if request.status == 200
        }
        return Counter(change["change_id"] for changes in accepted.values() for change in changes)

    def changes(self) -> list[dict[str, str]]:
        """Every change of every accepted request, in the order received."""
        accepted = [request for request in self.requests if request.status == 200]
        return [change for request in accepted for change in request.body["changes"]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    thread.join()


def run(warehouse: Path, *options: str) -> int:
    return main(["activate", "--warehouse", str(warehouse), *options])


def read_files(folder: Path) -> list[list[dict[str, str]]]:
    """The rows of each JSON lines file of the folder, files in the order of their first change."""
    files = [
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in folder.glob("*.jsonl")
    ]
    return sorted(files, key=lambda rows: (rows[0]["changed_at"], rows[0]["change_id"]))


# --- File drop -----------------------------------------------------------------------------


def test_file_drop_sends_each_change_once_in_order(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = [change(3), change(1), change(2, audience="churn_risk"), change(4, minutes=1), change(5)]
    insert(warehouse, first)
    drop = tmp_path / "drop"
    destination = f"file:{drop.resolve()}"

    assert run(warehouse, "--file", str(drop), "--batch-size", "2") == 0
    assert capsys.readouterr().out == f"activate: 5 changes in 3 batches to {destination} (0 resent)\n"
    files = read_files(drop)
    # (changed_at, change_id) order, ties on changed_at included, cut into batches of 2
    assert [len(rows) for rows in files] == [2, 2, 1]
    assert [row for rows in files for row in rows] == in_sending_order(first)
    assert files[0][0] == {
        "change_id": "c001-entered",
        "membership_id": "m001",
        "audience_name": "big_spenders",
        "person_id": "p001",
        "change_type": "entered",
        "changed_at": "2026-10-01T12:01:00Z",
    }
    names = sorted(path.name for path in drop.iterdir())
    assert len(names) == 3  # no temporary file left behind

    assert run(warehouse, "--file", str(drop), "--batch-size", "2") == 0
    assert capsys.readouterr().out == f"activate: nothing new for {destination}\n"
    assert sorted(path.name for path in drop.iterdir()) == names

    # a later build adds an exit for a membership already sent, and a new entry
    later = [change(1, kind="exited", minutes=90), change(6, minutes=60)]
    insert(warehouse, later)
    assert run(warehouse, "--file", str(drop), "--batch-size", "2") == 0
    assert capsys.readouterr().out == f"activate: 2 changes in 1 batch to {destination} (0 resent)\n"
    (new_name,) = set(path.name for path in drop.iterdir()) - set(names)
    assert new_name.endswith(".jsonl")
    new_rows = [json.loads(line) for line in (drop / new_name).read_text().splitlines()]
    assert new_rows == in_sending_order(later)
    assert ledger_statuses(warehouse) == {"delivered": 7}


def test_file_drop_as_csv(warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [change(2, audience="churn, risk"), change(1)]
    insert(warehouse, [*rows, (*change(3)[:5], START + datetime.timedelta(seconds=1, microseconds=250_000))])
    drop = tmp_path / "drop"
    assert run(warehouse, "--file", str(drop), "--format", "csv") == 0
    (path,) = drop.iterdir()
    assert path.suffix == ".csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "change_id,membership_id,audience_name,person_id,change_type,changed_at"
    with path.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert written[0]["changed_at"] == "2026-10-01T12:00:01.250000Z"
    assert written[1:] == in_sending_order(rows)
    assert run(warehouse, "--file", str(drop), "--format", "csv") == 0
    assert list(drop.iterdir()) == [path]
    assert capsys.readouterr().out.endswith(f"activate: nothing new for file:{drop.resolve()}\n")


# --- Webhook -------------------------------------------------------------------------------


def test_webhook_gets_each_change_once_over_two_runs(
    warehouse: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    first = [change(number) for number in range(1, 6)]
    insert(warehouse, first)
    assert run(warehouse, "--webhook", receiver.url, "--batch-size", "3") == 0
    later = [change(2, kind="exited", minutes=30)]
    insert(warehouse, later)
    assert run(warehouse, "--webhook", receiver.url, "--batch-size", "3") == 0
    assert run(warehouse, "--webhook", receiver.url, "--batch-size", "3") == 0

    assert capsys.readouterr().out.splitlines() == [
        f"activate: 5 changes in 2 batches to webhook:{receiver.url} (0 resent)",
        f"activate: 1 change in 1 batch to webhook:{receiver.url} (0 resent)",
        f"activate: nothing new for webhook:{receiver.url}",
    ]
    assert len(receiver.requests) == 3
    assert receiver.changes() == in_sending_order(first) + in_sending_order(later)
    for request in receiver.requests:
        assert request.idempotency_key == request.body["batch_id"]
        assert request.content_type == "application/json"
        assert request.body["destination"] == f"webhook:{receiver.url}"
        assert list(request.body) == ["batch_id", "destination", "changes"]
    assert len(set(receiver.batch_ids())) == 3
    # the batch id depends on the destination and the changes only
    first_ids = [row["change_id"] for row in in_sending_order(first)[:3]]
    assert receiver.batch_ids()[0] == activate.batch_id(f"webhook:{receiver.url}", first_ids)
    assert activate.batch_id(f"file:{receiver.url}", first_ids) != receiver.batch_ids()[0]


def test_webhook_retries_503_with_growing_waits(warehouse: Path, receiver: Receiver) -> None:
    insert(warehouse, [change(1), change(2)])
    receiver.answers = [(503, b"busy"), (503, b"busy")]
    waits: list[float] = []
    destination = activate.WebhookDestination(receiver.url, sleep=waits.append)

    result = activate.activate(warehouse, destination)
    assert (result.changes, result.batches, result.resent) == (2, 1, 0)
    assert [request.status for request in receiver.requests] == [503, 503, 200]
    assert len({json.dumps(request.body) for request in receiver.requests}) == 1  # the same batch
    assert waits == [0.5, 1.0]
    assert ledger_statuses(warehouse) == {"delivered": 2}


def test_webhook_gives_up_after_max_attempts(warehouse: Path, receiver: Receiver) -> None:
    insert(warehouse, [change(1)])
    receiver.answers = [(500, b"down"), (429, b"slow down"), (502, b"bad gateway")]
    waits: list[float] = []
    destination = activate.WebhookDestination(receiver.url, max_attempts=3, sleep=waits.append)

    with pytest.raises(DeliveryFailed, match=r"answered HTTP 502: .*bad gateway.*\(tried 3 times\)"):
        activate.activate(warehouse, destination)
    assert len(receiver.requests) == 3
    assert waits == [0.5, 1.0]
    assert ledger_statuses(warehouse) == {"pending": 1}


def test_an_unreachable_webhook_is_retried_then_reported(warehouse: Path) -> None:
    insert(warehouse, [change(1)])
    with socket.socket() as unused:  # a port nothing listens on once closed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    waits: list[float] = []
    destination = activate.WebhookDestination(f"http://127.0.0.1:{port}/", max_attempts=4, sleep=waits.append)

    with pytest.raises(DeliveryFailed, match=r"could not be reached: .*\(tried 4 times\)"):
        activate.activate(warehouse, destination)
    assert waits == [0.5, 1.0, 2.0]
    assert ledger_statuses(warehouse) == {"pending": 1}


def test_a_redirect_is_a_refusal_not_a_delivery(warehouse: Path, receiver: Receiver) -> None:
    insert(warehouse, [change(1)])
    receiver.answers = [(302, b"moved")]
    waits: list[float] = []
    with pytest.raises(DeliveryFailed, match=r"refused: .* answered HTTP 302: moved"):
        activate.activate(warehouse, activate.WebhookDestination(receiver.url, sleep=waits.append))
    assert (len(receiver.requests), waits) == (1, [])
    assert ledger_statuses(warehouse) == {"pending": 1}


def test_a_refused_batch_stops_the_run_and_is_resent_first(
    warehouse: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [change(1), change(2), change(3)]
    insert(warehouse, rows)
    body = "invalid payload " + "x" * 300
    receiver.answers = [(400, body.encode())]

    assert run(warehouse, "--webhook", receiver.url, "--batch-size", "2") == 1
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.startswith("bawh activate: ")
    assert "HTTP 400" in printed.err
    assert receiver.url in printed.err
    assert body[:200] in printed.err
    assert body[:201] not in printed.err
    assert len(receiver.requests) == 1  # a 400 is not retried, and the second batch is not sent
    assert ledger_statuses(warehouse) == {"pending": 2}  # the refused batch; nothing delivered

    insert(warehouse, [change(4)])
    assert run(warehouse, "--webhook", receiver.url, "--batch-size", "2") == 0
    summary = f"activate: 4 changes in 2 batches to webhook:{receiver.url} (2 resent)\n"
    assert capsys.readouterr().out == summary
    first, resent, new = receiver.batch_ids()
    assert resent == first
    assert new != first
    assert receiver.stored() == {row[0]: 1 for row in [*rows, change(4)]}
    assert receiver.changes() == in_sending_order([*rows, change(4)])
    assert ledger_statuses(warehouse) == {"delivered": 4}


# --- A crash between sending and recording -------------------------------------------------


class Crash(Exception):
    pass


def crash_once_after_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first batch is sent, then the process dies before recording it as delivered."""

    def crash(*arguments: object) -> None:
        monkeypatch.undo()
        raise Crash

    monkeypatch.setattr(activate, "_mark_delivered", crash)


def test_a_webhook_batch_sent_before_a_crash_is_resent_under_its_key(
    warehouse: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [change(1), change(2), change(3)]
    insert(warehouse, rows)
    destination = activate.WebhookDestination(receiver.url)
    crash_once_after_sending(monkeypatch)
    with pytest.raises(Crash):
        activate.activate(warehouse, destination, batch_size=2)
    assert len(receiver.requests) == 1
    assert ledger_statuses(warehouse) == {"pending": 2}

    insert(warehouse, [change(0)])  # new, and earlier than the pending batch: still sent after it
    result = activate.activate(warehouse, destination, batch_size=2)
    assert (result.changes, result.batches, result.resent) == (4, 2, 2)
    assert receiver.requests[1] == receiver.requests[0]  # same key, same rows
    assert receiver.stored() == {row[0]: 1 for row in [*rows, change(0)]}
    assert [change["change_id"] for change in receiver.requests[2].body["changes"]] == [
        "c000-entered",
        "c003-entered",
    ]
    assert ledger_statuses(warehouse) == {"delivered": 4}


def test_a_file_written_before_a_crash_is_rewritten_identically(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [change(1), change(2), change(3)]
    insert(warehouse, rows)
    drop = tmp_path / "drop"
    destination = activate.FileDestination(drop)
    crash_once_after_sending(monkeypatch)
    with pytest.raises(Crash):
        activate.activate(warehouse, destination, batch_size=2)
    (written,) = drop.iterdir()
    content = written.read_bytes()

    result = activate.activate(warehouse, destination, batch_size=2)
    assert (result.changes, result.batches, result.resent) == (3, 2, 2)
    assert len(list(drop.iterdir())) == 2
    assert written.read_bytes() == content
    assert [row for rows in read_files(drop) for row in rows] == in_sending_order(rows)


# --- Audiences and errors ------------------------------------------------------------------


def test_audience_filter(warehouse: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]) -> None:
    spenders = [change(1), change(4)]
    churn = [change(2, audience="churn_risk")]
    trial = [change(3, audience="trial_ending")]
    insert(warehouse, [*spenders, *churn, *trial])

    both = ["--audience", "big_spenders", "--audience", "trial_ending"]
    assert run(warehouse, "--webhook", receiver.url, *both) == 0
    assert receiver.changes() == in_sending_order([*spenders, *trial])
    assert run(warehouse, "--webhook", receiver.url, "--audience", "big_spenders") == 0
    assert "nothing new" in capsys.readouterr().out.splitlines()[1]
    assert run(warehouse, "--webhook", receiver.url) == 0
    assert receiver.changes()[3:] == in_sending_order(churn)
    assert receiver.stored() == {row[0]: 1 for row in [*spenders, *churn, *trial]}


def test_a_warehouse_without_the_changes_table_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert run(empty, "--file", str(tmp_path / "drop")) == 2
    error = capsys.readouterr().err
    assert error.startswith("bawh activate: ")
    assert "marts.fct_audience_changes" in error
    assert "run `dbt build` first" in error
    with duckdb.connect(str(empty), read_only=True) as connection:  # no ledger created either
        assert connection.execute("select count(*) from information_schema.tables").fetchone() == (0,)

    missing = tmp_path / "missing.duckdb"
    assert run(missing, "--file", str(tmp_path / "drop")) == 2
    assert "run `dbt build` first" in capsys.readouterr().err
    assert not missing.exists()
    assert not (tmp_path / "drop").exists()


def test_options(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    defaults = parser.parse_args(["activate", "--file", "drop"])
    assert (defaults.format, defaults.audience) == ("jsonl", [])
    assert (defaults.batch_size, defaults.max_attempts, defaults.timeout) == (500, 5, 10.0)
    assert defaults.warehouse == Path("behavioral_warehouse.duckdb")
    for wrong in (
        [],  # no destination
        ["--file", "drop", "--webhook", "http://127.0.0.1/"],  # two
        ["--webhook", "ftp://127.0.0.1/"],
        ["--file", "drop", "--batch-size", "0"],
        ["--file", "drop", "--format", "parquet"],
    ):
        with pytest.raises(SystemExit):
            parser.parse_args(["activate", *wrong])
        assert "error:" in capsys.readouterr().err
