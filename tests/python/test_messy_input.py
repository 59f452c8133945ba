"""Messy landing files (issue 21): bad rows of every kind mixed into good generated events.

The fuzz test builds the generator's good events alone (build A, every row clean), then the
same events with random bad rows (build B) drawn from a fixed seed: rows mixed into the good
files, rows in files of their own, Parquet files whose `properties` is nested, empty and
zero-byte files, and late files (added after a first build, with old received_at and an old
modification time) that the next incremental build must load. Every bad row belongs to a
person of its own, or is quarantined, or is a dropped later copy of a good event, so it
cannot change a good person's sessions. The truth is what this module writes, never the
output under test:
- each good event of B equals A's (person, session, times, name, revenue), its times equal
  its text read as UTC, and the sessions of good persons are A's;
- each row that only looks odd (a named zone, a JSON number or object, a 100 KB string,
  nested properties, a boundary value) is clean, with the values computed here (zones with
  zoneinfo);
- each bad row is in int_events_quarantined, found by the marker in its properties, with the
  one reason that applies to it and its raw text;
- each later copy of a good event is dropped and counted, as conflicting when its payload
  differs;
- raw rows = clean + quarantined + duplicate copies (rpt_event_reconciliation and the
  singular test), and dbt exits 0.

The regression tests cover the numbered cases of the issue on one full build of a small
generated data set with a file per case (5, publish, and 8, determinism, are tested elsewhere).
"""

from __future__ import annotations

import datetime
import json
import math
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.generator import EVENT_COLUMNS, GeneratorConfig, generate
from conftest import DBT_BUILD, DbtRun, insert_text_rows, postgres_server, run_dbt

pytestmark = pytest.mark.slow

# Good events only: without the generator's own duplicates and invalid rows every generated
# row is a clean event (late and out-of-order deliveries stay in).
FUZZ_CONFIG = GeneratorConfig(persons=60, days=14, seed=7, duplicate_rate=0.0, invalid_rate=0.0)
REGRESSION_CONFIG = GeneratorConfig(persons=20, days=7, seed=5, duplicate_rate=0.0, invalid_rate=0.0)
# (seed of the bad rows, landing format): both formats, every kind of bad row in each
FUZZ_CASES = [(101, "parquet"), (202, "json")]
EXTENSIONS = {"parquet": "parquet", "json": "jsonl"}

# What the assertions read (staging to fct_sessions and the reconciliation), with their tests
# and the singular reconciliation test; the regression build is a full build.
SELECTED = [
    "--select",
    "+fct_sessions",
    "+rpt_event_reconciliation",
    "assert_every_raw_row_is_accounted_for",
    "--exclude",
    "raw_events",
]
WITHOUT_TESTS = ["--exclude-resource-type", "test", "unit_test"]
RECONCILIATION_TEST = "test.behavioral_warehouse.assert_every_raw_row_is_accounted_for"

SITE = "https://shop.example.com"
RECEIVE_DELAY = datetime.timedelta(seconds=2)
LATE_FILE_AGE = datetime.timedelta(days=10)  # modification time of a late file
LATE_BY = datetime.timedelta(days=3)  # late rows were received this much before the watermark
EARLIEST_EVENT_AT = datetime.datetime(2010, 1, 1)  # var earliest_event_at
MAX_IDENTIFIER_LENGTH = 256  # var max_identifier_length
# Zones without a daylight-saving change in the generated October fortnights.
ZONES = (
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "UTC",
)
CONTROL_CHARACTERS = ("\x00", "\x01", "\t", "\n", "\x1b", "\x1f")

STRING_SCHEMA = pa.schema([(name, pa.string()) for name in EVENT_COLUMNS])
NESTED_PROPERTIES = pa.struct(
    [
        ("fuzz_row", pa.string()),
        ("plan", pa.string()),
        ("items", pa.list_(pa.int64())),
        ("meta", pa.struct([("source", pa.string()), ("depth", pa.int64())])),
    ]
)
NESTED_SCHEMA = STRING_SCHEMA.set(
    STRING_SCHEMA.get_field_index("properties"), pa.field("properties", NESTED_PROPERTIES)
)

Row = dict[str, object]


# --- Rows and what they must become ----------------------------------------------------------


@dataclass
class MessyRow:
    """A row added to the good events, and what the build must make of it."""

    marker: str  # the value of "fuzz_row" in its properties
    row: Row  # contract columns; values other than text only in JSON lines or nested properties
    reason: str | None = None  # the quarantine reason; None: clean, or a dropped copy
    expected: dict[str, object] = field(default_factory=dict)  # clean: column -> value
    copy_of: str | None = None  # a later copy of this good event_id, dropped as a duplicate
    conflicting: bool = False  # ... whose payload differs from the kept copy's
    nested: bool = False  # properties is a STRUCT (a Parquet file of its own)

    @property
    def is_clean(self) -> bool:
        return self.reason is None and self.copy_of is None


def utc_text(moment: datetime.datetime) -> str:
    """A naive UTC time as the generator writes it: 'YYYY-MM-DD HH:MM:SS.fff'."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def utc_time(text: object) -> datetime.datetime:
    """The generator's UTC text as a naive UTC datetime."""
    assert isinstance(text, str)
    return datetime.datetime.fromisoformat(text)


def zoned_text(moment: datetime.datetime, zone: str, separator: str = " ") -> str:
    """A naive UTC time as wall-clock text in a named zone: '2026-10-05 10:00:00 America/New_York'."""
    local = moment.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(zone))
    return local.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + f" {zone}"


def unknown_zone_text(moment: datetime.datetime) -> str:
    """Wall-clock text in a zone no time-zone database knows."""
    return f"{moment:%Y-%m-%d %H:%M:%S} Mars/Olympus"


def event_row(
    marker: str, at: datetime.datetime, event_name: str | None = "page_view", **columns: object
) -> Row:
    """A valid event of a person of its own (anonymous_id a_<marker>) at `at` (naive UTC),
    received 2 s later, carrying its marker in properties."""
    row: Row = dict.fromkeys(EVENT_COLUMNS)
    row.update(
        event_id=f"e_{marker}",
        anonymous_id=f"a_{marker}",
        event_name=event_name,
        occurred_at=utc_text(at),
        received_at=utc_text(at + RECEIVE_DELAY),
        page_url=f"{SITE}/",
        device_type="desktop",
        country="DE",
        properties=json.dumps({"fuzz_row": marker}),
    )
    row.update(columns)
    return row


def clean(marker: str, at: datetime.datetime, row: Row, **expected: object) -> MessyRow:
    """A row that must be a clean event: at `at`, received 2 s later, its properties intact,
    and the other `expected` column values."""
    properties = row["properties"]
    return MessyRow(
        marker,
        row,
        expected={
            "occurred_at": at,
            "received_at": at + RECEIVE_DELAY,
            "properties": json.loads(properties) if isinstance(properties, str) else properties,
            **expected,
        },
    )


def quarantined(
    marker: str, at: datetime.datetime, reason: str, event_name: str | None = "page_view", **columns: object
) -> MessyRow:
    return MessyRow(marker, event_row(marker, at, event_name, **columns), reason=reason)


class MessyRowMaker:
    """Draws bad rows of every kind with one random.Random; JSON-only kinds (a JSON number or
    object in a text column) for JSON lines, nested properties for Parquet."""

    def __init__(self, rng: random.Random, file_format: str, good_rows: list[Row], prefix: str) -> None:
        self.rng = rng
        self.json = file_format == "json"
        self.good_rows = good_rows
        self.prefix = prefix
        self.n_rows = 0
        self.copied: set[str] = set()
        received = [utc_time(row["received_at"]) for row in good_rows]
        self.first, self.last = min(received), max(received)
        self.now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

    def draw(self, copies_per_kind: tuple[int, int] = (2, 4)) -> list[MessyRow]:
        """Rows of every kind, a random number of each, in random order."""
        rows: list[MessyRow] = []
        for make in self.kinds():
            for _ in range(self.rng.randint(*copies_per_kind)):
                rows.append(make())
        self.rng.shuffle(rows)
        return rows

    def kinds(self) -> list[Callable[[], MessyRow]]:
        kinds = [
            self.missing_event_id,
            self.missing_person_id,
            self.invalid_identifier,
            self.invalid_occurred_at,
            self.invalid_received_at,
            self.occurred_at_out_of_range,
            self.received_at_out_of_range,
            self.future_occurred_at,
            self.missing_event_name,
            self.custom_event_name,
            self.invalid_revenue,
            self.revenue_out_of_range,
            self.invalid_click_position,
            self.click_position_out_of_range,
            self.conflicting_copy,
            self.identical_copy,
            self.named_zone,
            self.boundary_values,
            self.huge_string,
        ]
        return [*kinds, self.json_typed_values] if self.json else [*kinds, self.nested_properties]

    def marker(self) -> str:
        self.n_rows += 1
        return f"{self.prefix}_{self.n_rows:03d}"

    def moment(self) -> datetime.datetime:
        """A time in the good events' range, to the millisecond."""
        span_ms = int((self.last - self.first) / datetime.timedelta(milliseconds=1))
        return self.first + datetime.timedelta(milliseconds=self.rng.randrange(span_ms))

    def pick(self, *options: object) -> object:
        return self.rng.choice(options)

    # quarantined, one reason each

    def missing_event_id(self) -> MessyRow:
        marker = self.marker()
        return quarantined(marker, self.moment(), "missing_event_id", event_id=self.pick(None, "", "   "))

    def missing_person_id(self) -> MessyRow:
        marker = self.marker()
        anonymous_id, user_id = self.rng.choice([(None, None), ("", None), ("  ", "")])
        return quarantined(
            marker, self.moment(), "missing_person_id", anonymous_id=anonymous_id, user_id=user_id
        )

    def invalid_identifier(self) -> MessyRow:
        marker = self.marker()
        column = self.rng.choice(["event_id", "anonymous_id", "user_id", "session_id"])
        if self.rng.random() < 0.5:
            value = f"x_{marker}{self.rng.choice(CONTROL_CHARACTERS)}tail"
        else:
            value = f"x_{marker}_".ljust(self.rng.randint(MAX_IDENTIFIER_LENGTH + 1, 5_000), "f")
        return quarantined(marker, self.moment(), "invalid_identifier", **{column: value})

    def invalid_occurred_at(self) -> MessyRow:
        marker, at = self.marker(), self.moment()
        options: list[object] = [
            "not-a-time",
            unknown_zone_text(at),
            "2026-02-30 10:00:00",
            "31/10/2026 12:00",
        ]
        if self.json:  # epoch seconds or milliseconds as a JSON number
            options += [
                int(at.replace(tzinfo=datetime.UTC).timestamp()),
                int(at.replace(tzinfo=datetime.UTC).timestamp() * 1000),
            ]
        return quarantined(marker, at, "invalid_occurred_at", occurred_at=self.rng.choice(options))

    def invalid_received_at(self) -> MessyRow:
        marker, at = self.marker(), self.moment()
        options: list[object] = ["yesterday", unknown_zone_text(at), "2026-10-32 10:00:00"]
        if self.json:
            options.append(int(at.replace(tzinfo=datetime.UTC).timestamp()))
        return quarantined(marker, at, "invalid_received_at", received_at=self.rng.choice(options))

    def occurred_at_out_of_range(self) -> MessyRow:
        marker = self.marker()
        occurred = self.pick(
            "0001-01-01 00:00:00", "1900-01-01 00:00:00", "1970-01-01 00:00:00.000", "2009-12-31 23:59:59.999"
        )
        return quarantined(marker, self.moment(), "occurred_at_out_of_range", occurred_at=occurred)

    def received_at_out_of_range(self) -> MessyRow:
        marker = self.marker()
        future = self.now + datetime.timedelta(days=self.rng.randint(5, 400))
        occurred, received = self.rng.choice(
            [
                # received before earliest_event_at, occurred just at it (not 24 h later)
                ("2010-01-01 00:00:00", "2009-12-31 12:00:00"),
                # received days after the build, occurred an hour before that
                (utc_text(future - datetime.timedelta(hours=1)), utc_text(future)),
                ("2200-01-01 00:00:00", "2200-01-01 00:00:01"),
                ("9999-12-31 22:00:00", "9999-12-31 23:00:00"),
            ]
        )
        return quarantined(
            marker, self.moment(), "received_at_out_of_range", occurred_at=occurred, received_at=received
        )

    def future_occurred_at(self) -> MessyRow:
        marker, at = self.marker(), self.moment()
        later = at + datetime.timedelta(days=self.rng.randint(2, 400))
        occurred = self.pick(utc_text(later), "9999-12-31 23:59:59")
        return quarantined(marker, at, "future_occurred_at", occurred_at=occurred)

    def missing_event_name(self) -> MessyRow:
        marker = self.marker()
        name = self.pick(None, "", "   ")
        return quarantined(marker, self.moment(), "missing_event_name", event_name=name and str(name))

    def custom_event_name(self) -> MessyRow:
        """A name in neither the tracking plan nor its aliases: a custom event, not a defect
        (var quarantine_unknown_event_names is false by default)."""
        marker, at = self.marker(), self.moment()
        name = str(self.pick("debug_ping", "heartbeat", "Test Event", "page_vew"))
        return clean(marker, at, event_row(marker, at, event_name=name))

    def invalid_revenue(self) -> MessyRow:
        marker = self.marker()
        options: list[object] = ["N/A", "12,50eur", "free", "€59.90"]
        if self.json:
            options += [True, {"amount": 5}, [10]]
        return quarantined(
            marker, self.moment(), "invalid_revenue", "order_completed", revenue=self.rng.choice(options)
        )

    def revenue_out_of_range(self) -> MessyRow:
        marker = self.marker()
        options: list[object] = ["-0.01", "-19.99", "1000000.01", "123456789012.50"]
        if self.json:
            options += [-20, 2_000_000, 1_000_000.5]
        return quarantined(
            marker, self.moment(), "revenue_out_of_range", "order_completed", revenue=self.rng.choice(options)
        )

    def click(self, marker: str, x: object, y: object) -> Row:
        return event_row(marker, self.moment(), "click", element="hero", click_x=x, click_y=y)

    def invalid_click_position(self) -> MessyRow:
        marker = self.marker()
        bad = self.pick("left", "12px", "undefined", *([True] if self.json else []))
        x, y = (bad, "240") if self.rng.random() < 0.5 else ("240", bad)
        return MessyRow(marker, self.click(marker, x, y), reason="invalid_click_position")

    def click_position_out_of_range(self) -> MessyRow:
        marker = self.marker()
        bad = self.pick("-1", "-250", "100001", "2000000", *([-3, 150_000] if self.json else []))
        x, y = (bad, "240") if self.rng.random() < 0.5 else ("240", bad)
        return MessyRow(marker, self.click(marker, x, y), reason="click_position_out_of_range")

    # later copies of good events (dropped: the first received wins)

    def good_row_to_copy(self) -> Row:
        row = self.rng.choice([row for row in self.good_rows if row["event_id"] not in self.copied])
        self.copied.add(str(row["event_id"]))
        return row

    def conflicting_copy(self) -> MessyRow:
        marker, original = self.marker(), self.good_row_to_copy()
        later = utc_time(original["received_at"]) + datetime.timedelta(minutes=self.rng.randint(1, 72 * 60))
        changes: Row = self.rng.choice(
            [
                {"page_url": f"{SITE}/redelivered"},
                {"properties": json.dumps({"fuzz_row": marker})},
                {"country": "ZZ", "properties": json.dumps({"fuzz_row": marker})},
            ]
        )
        row = {**original, "received_at": utc_text(later), **changes}
        return MessyRow(marker, row, copy_of=str(original["event_id"]), conflicting=True)

    def identical_copy(self) -> MessyRow:
        """A re-delivery: the same row, or the same payload received later."""
        marker, original = self.marker(), self.good_row_to_copy()
        row = dict(original)
        if self.rng.random() < 0.5:
            row["received_at"] = utc_text(utc_time(original["received_at"]) + datetime.timedelta(hours=1))
        return MessyRow(marker, row, copy_of=str(original["event_id"]))

    # clean rows that only look odd

    def named_zone(self) -> MessyRow:
        """occurred_at (and some received_at) as wall-clock time in a named zone or with an
        offset; rows without a zone around it must not move."""
        marker, at = self.marker(), self.moment().replace(microsecond=0)
        zone = self.rng.choice(ZONES)
        local = at.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(zone))
        occurred = self.pick(
            zoned_text(at, zone),
            zoned_text(at, zone, separator="T"),
            local.isoformat(sep=" ", timespec="seconds"),  # '... 15:30:00+05:30'
        )
        received = self.pick(
            utc_text(at + RECEIVE_DELAY), zoned_text(at + RECEIVE_DELAY, self.rng.choice(ZONES))
        )
        return clean(marker, at, event_row(marker, at, occurred_at=occurred, received_at=received))

    def boundary_values(self) -> MessyRow:
        """Values at the edge of their valid range: still clean."""
        marker, at = self.marker(), self.moment()
        case = self.rng.randrange(3)
        if case == 0:
            revenue = str(self.pick("0", "0.00", "1000000", "1000000.00"))
            row = event_row(marker, at, "order_completed", revenue=revenue)
            return clean(marker, at, row, revenue=Decimal(revenue))
        if case == 1:
            x, y = self.rng.choice([("0", "100000"), ("100000", "0")])
            row = event_row(marker, at, "click", element="hero", click_x=x, click_y=y)
            return clean(marker, at, row, click_x=int(x), click_y=int(y))
        anonymous_id = f"a_{marker}_".ljust(MAX_IDENTIFIER_LENGTH, "b")
        return clean(marker, at, event_row(marker, at, anonymous_id=anonymous_id))

    def huge_string(self) -> MessyRow:
        """A 100 KB properties or page_url, kept whole."""
        marker, at = self.marker(), self.moment()
        blob = "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=100_000))
        if self.rng.random() < 0.5:
            properties = json.dumps({"fuzz_row": marker, "blob": blob})
            return clean(marker, at, event_row(marker, at, properties=properties))
        page_url = f"{SITE}/search?q={blob}"
        return clean(marker, at, event_row(marker, at, page_url=page_url), page_url=page_url)

    def json_typed_values(self) -> MessyRow:
        """A JSON number in revenue or click_x/click_y, an object in properties: read as text."""
        marker, at = self.marker(), self.moment()
        properties = {"fuzz_row": marker, "cart": {"items": [1, 2, 3], "coupon": None}}
        case = self.rng.randrange(3)
        if case == 0:
            revenue = self.pick(10.5, 0, 250, 99.99)
            row = event_row(marker, at, "order_completed", revenue=revenue)
            return clean(marker, at, row, revenue=Decimal(str(revenue)))
        if case == 1:
            x, y = self.rng.randint(0, 1440), self.rng.randint(0, 3000)
            row = event_row(marker, at, "click", element="hero", click_x=x, click_y=y)
            return clean(marker, at, row, click_x=x, click_y=y)
        return clean(marker, at, event_row(marker, at, properties=properties))

    def nested_properties(self) -> MessyRow:
        """properties as a STRUCT (its own Parquet file): read as its JSON text. One in
        four is also quarantined, so a nested row can be found in the quarantine too."""
        marker, at = self.marker(), self.moment()
        properties = {
            "fuzz_row": marker,
            "plan": str(self.pick("free", "pro")),
            "items": [self.rng.randint(1, 9) for _ in range(self.rng.randint(0, 3))],
            "meta": {"source": "fuzz", "depth": self.rng.randint(0, 5)},
        }
        if self.rng.random() < 0.25:
            row = event_row(marker, at, properties=properties, revenue="N/A")
            return MessyRow(marker, row, reason="invalid_revenue", nested=True)
        result = clean(marker, at, event_row(marker, at, properties=properties))
        result.nested = True
        return result


# --- Landing files and builds --------------------------------------------------------------------


def write_rows(path: Path, rows: list[Row], file_format: str, schema: pa.Schema = STRING_SCHEMA) -> None:
    """One landing file: Parquet with `schema`, or JSON lines without the null keys."""
    if file_format == "parquet":
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        return
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({key: value for key, value in row.items() if value is not None}) + "\n")


def write_empty_files(landing: Path, file_format: str) -> None:
    """A zero-byte file and a file without rows (Parquet with the schema only, a blank line)."""
    (landing / f"empty-zero-bytes.{EXTENSIONS[file_format]}").touch()
    if file_format == "parquet":
        pq.write_table(STRING_SCHEMA.empty_table(), landing / "empty-no-rows.parquet")
    else:
        (landing / "empty-no-rows.jsonl").write_text("\n")


def age_file(path: Path, age: datetime.timedelta = LATE_FILE_AGE) -> None:
    """Set a file's modification time in the past, as a copy that keeps its original time."""
    then = time.time() - age.total_seconds()
    os.utime(path, (then, then))


def landing_vars(landing: Path, file_format: str) -> dict[str, object]:
    return {
        "raw_events_location": str(landing / f"*.{EXTENSIONS[file_format]}"),
        "raw_events_format": file_format,
    }


def build(work_dir: Path, landing: Path, file_format: str, command: list[str]) -> DbtRun:
    run = run_dbt(command, work_dir, landing_vars(landing, file_format))
    assert run.returncode == 0, run.output[-6000:]
    return run


def node_statuses(run: DbtRun) -> dict[str, str]:
    """The status of each node of the run (its run_results.json)."""
    results = json.loads((run.warehouse.parent / "target" / "run_results.json").read_text())["results"]
    return {str(result["unique_id"]): str(result["status"]) for result in results}


def insert_randomly(rng: random.Random, rows: list[Row], extra: list[Row]) -> list[Row]:
    mixed = list(rows)
    for row in extra:
        mixed.insert(rng.randrange(len(mixed) + 1), row)
    return mixed


def split(rows: list[Row], n_parts: int) -> list[list[Row]]:
    size = math.ceil(len(rows) / n_parts)
    return [rows[start : start + size] for start in range(0, len(rows), size)]


# --- What a build holds ----------------------------------------------------------------------------


def marker_of(properties: object) -> str | None:
    try:
        value = json.loads(str(properties))
    except (TypeError, ValueError):
        return None
    return value.get("fuzz_row") if isinstance(value, dict) else None


def raw_text_matches(actual: object, written: object) -> bool:
    """A raw column as read back equals what was written: text exactly, a JSON value (number,
    boolean, object) as its JSON text."""
    if written is None or isinstance(written, str):
        return actual == written
    return isinstance(actual, str) and bool(json.loads(actual) == written)


RAW_COLUMNS = ("event_name", "occurred_at", "received_at", "revenue", "click_x", "click_y")


def assert_quarantine_holds(run: DbtRun, messy: list[MessyRow]) -> None:
    """Every bad row is quarantined with its reason and its raw text; nothing else is."""
    rows = run.query(
        "select properties, invalid_reason, "
        + ", ".join(f"{column}_raw" for column in RAW_COLUMNS)
        + " from intermediate.int_events_quarantined"
    )
    unmarked = [row[:2] for row in rows if marker_of(row[0]) is None]
    assert not unmarked, f"quarantined rows that are not bad rows: {unmarked[:5]}"
    found = {str(marker_of(row[0])): row for row in rows}
    assert len(found) == len(rows), "a bad row was quarantined twice"
    expected = {row.marker: row.reason for row in messy if row.reason is not None}
    actual = {marker: row[1] for marker, row in found.items()}
    wrong = {
        marker: (reason, actual.get(marker), shown(messy_row(messy, marker).row))
        for marker, reason in expected.items()
        if actual.get(marker) != reason
    }
    assert not wrong, f"{len(wrong)} bad rows not quarantined as expected (expected, actual, row): {wrong}"
    assert actual.keys() == expected.keys(), sorted(set(actual) - set(expected))
    for marker in expected:
        written = messy_row(messy, marker).row
        for column, value in zip(RAW_COLUMNS, found[marker][2:], strict=True):
            assert raw_text_matches(value, written[column]), (marker, column, value, written[column])


def shown(row: Row) -> dict[str, str]:
    """A row for an assertion message: each value's repr, cut to 80 characters."""
    return {key: repr(value)[:80] for key, value in row.items() if value is not None}


def messy_row(messy: list[MessyRow], marker: str) -> MessyRow:
    return next(row for row in messy if row.marker == marker)


def values_match(actual: object, expected: object, column: str) -> bool:
    if column == "properties":
        return bool(json.loads(str(actual)) == expected)
    return actual == expected


def assert_clean_rows_hold(run: DbtRun, messy: list[MessyRow], good_persons: set[str]) -> None:
    """Every row that only looks odd is a clean event with the values computed here, of a
    person of its own."""
    clean_rows = {str(row.row["event_id"]): row for row in messy if row.is_clean}
    events = {
        row[0]: dict(
            zip(
                ("occurred_at", "received_at", "revenue", "click_x", "click_y", "page_url", "properties"),
                row[1:],
                strict=True,
            )
        )
        for row in run.query(
            "select event_id, occurred_at, received_at, revenue, click_x, click_y, page_url, properties"
            " from intermediate.int_events_deduplicated"
        )
        if row[0] in clean_rows
    }
    assert events.keys() == clean_rows.keys(), sorted(set(clean_rows) - set(events))
    for event_id, row in clean_rows.items():
        for column, value in row.expected.items():
            assert values_match(events[event_id][column], value, column), (
                row.marker,
                column,
                str(events[event_id][column])[:200],
                str(value)[:200],
                shown(row.row),
            )
    persons = dict(run.query("select event_id, person_id from intermediate.int_events_sessionized"))
    assert clean_rows.keys() <= persons.keys(), sorted(set(clean_rows) - set(persons))
    assert not {persons[event_id] for event_id in clean_rows} & good_persons


def assert_copies_counted(run: DbtRun, messy: list[MessyRow], good_rows: list[Row]) -> None:
    """Each later copy is dropped and counted (conflicting when its payload differs); the kept
    copy is the first received, the good event itself."""
    copies = Counter(row.copy_of for row in messy if row.copy_of)
    conflicting = Counter(row.copy_of for row in messy if row.copy_of and row.conflicting)
    counted = {
        row[0]: row[1:]
        for row in run.query(
            "select event_id, n_duplicates, n_conflicting_duplicates,"
            " received_at, page_url, country, properties from intermediate.int_events_deduplicated"
        )
    }
    for row in good_rows:
        event_id = str(row["event_id"])
        n_duplicates, n_conflicting, received_at, page_url, country, properties = counted[event_id]
        assert (n_duplicates, n_conflicting) == (copies[event_id], conflicting[event_id]), event_id
        assert (received_at, page_url, country, properties) == (
            utc_time(row["received_at"]),
            row["page_url"],
            row["country"],
            row["properties"],
        ), event_id


def assert_reconciled(run: DbtRun, n_good: int, messy: list[MessyRow]) -> None:
    """raw rows = clean + quarantined + duplicate copies, in the report and the singular test."""
    n_clean = n_good + sum(row.is_clean for row in messy)
    n_quarantined = sum(row.reason is not None for row in messy)
    n_copies = sum(row.copy_of is not None for row in messy)
    n_conflicting = sum(row.conflicting for row in messy)
    assert run.query(
        "select n_raw_rows, n_clean_events, n_quarantined_rows, n_duplicate_rows,"
        " n_conflicting_duplicate_rows, n_sessionized_events, n_unaccounted_rows"
        " from reports.rpt_event_reconciliation"
    ) == [(n_good + len(messy), n_clean, n_quarantined, n_copies, n_conflicting, n_clean, 0)]
    assert node_statuses(run).get(RECONCILIATION_TEST) == "pass"


def assert_good_times_are_utc_text(run: DbtRun, good_rows: list[Row]) -> None:
    """Every good event is clean, its times its text read as UTC (not moved by a zone of
    another row)."""
    times = {
        row[0]: row[1:]
        for row in run.query(
            "select event_id, occurred_at, received_at from intermediate.int_events_sessionized"
        )
    }
    moved = [
        (row["event_id"], row["occurred_at"], times.get(str(row["event_id"])))
        for row in good_rows
        if times.get(str(row["event_id"])) != (utc_time(row["occurred_at"]), utc_time(row["received_at"]))
    ]
    assert not moved, f"{len(moved)} good events missing or moved, e.g. {moved[:5]}"


def same_rows(actual: list[tuple[object, ...]], expected: list[tuple[object, ...]]) -> bool:
    def same(left: object, right: object) -> bool:
        if isinstance(left, float) and isinstance(right, float):
            return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
        return left == right

    return len(actual) == len(expected) and all(
        all(same(left, right) for left, right in zip(row_a, row_e, strict=True))
        for row_a, row_e in zip(actual, expected, strict=True)
    )


# --- The fuzz test ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanBuild:
    """Build A: the good generated events alone."""

    rows: list[Row]
    run: DbtRun


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory: pytest.TempPathFactory) -> CleanBuild:
    generated = generate(FUZZ_CONFIG)
    assert set(generated.truth.column("row_kind").to_pylist()) == {"clean"}
    rows: list[Row] = generated.events.to_pylist()
    work_dir = tmp_path_factory.mktemp("clean_build")
    landing = work_dir / "landing"
    landing.mkdir()
    for number, part in enumerate(split(rows, 3)):
        write_rows(landing / f"part-{number}.parquet", part, "parquet")
    run = build(work_dir, landing, "parquet", [*DBT_BUILD, *SELECTED])
    # every generated row is a clean event of build A
    assert run.query("select count(*) from intermediate.int_events_quarantined") == [(0,)]
    assert_good_times_are_utc_text(run, rows)
    return CleanBuild(rows, run)


@pytest.mark.parametrize(("seed", "file_format"), FUZZ_CASES)
def test_bad_rows_change_no_good_event_and_are_each_accounted_for(
    tmp_path: Path, clean_build: CleanBuild, seed: int, file_format: str
) -> None:
    rng = random.Random(seed)
    good = clean_build.rows
    messy = MessyRowMaker(rng, file_format, good, f"fz{seed}").draw()
    extension = EXTENSIONS[file_format]

    # late good events: received days before the last good event, in a file added after the
    # first build, with an old modification time
    last_received = max(utc_time(row["received_at"]) for row in good)
    old = [row for row in good if utc_time(row["received_at"]) < last_received - LATE_BY]
    late_good = rng.sample(old, 40)
    late_ids = {row["event_id"] for row in late_good}
    first_good = [row for row in good if row["event_id"] not in late_ids]

    placement = [rng.choice(["mixed", "own_file", "late_file"]) for _ in messy]
    placed = dict(zip((row.marker for row in messy), placement, strict=True))
    flat = [row for row in messy if not row.nested]

    landing = tmp_path / "landing"
    landing.mkdir()
    mixed = insert_randomly(rng, first_good, [row.row for row in flat if placed[row.marker] == "mixed"])
    for number, part in enumerate(split(mixed, 3)):
        write_rows(landing / f"part-{number}.{extension}", part, file_format)
    write_rows(
        landing / f"messy.{extension}",
        [row.row for row in flat if placed[row.marker] == "own_file"],
        file_format,
    )
    nested = [row.row for row in messy if row.nested]
    if nested:
        write_rows(landing / "nested.parquet", nested, "parquet", NESTED_SCHEMA)
    write_empty_files(landing, file_format)
    work_dir = tmp_path / "build"
    build(work_dir, landing, file_format, ["build", *SELECTED, *WITHOUT_TESTS])

    late_rows = [row.row for row in flat if placed[row.marker] == "late_file"]
    for name, rows in ((f"late-good.{extension}", late_good), (f"late-messy.{extension}", late_rows)):
        write_rows(landing / name, rows, file_format)
        age_file(landing / name)
    run = build(work_dir, landing, file_format, [*DBT_BUILD, *SELECTED])

    # every good event is clean and equal to build A's
    assert_good_times_are_utc_text(run, good)
    columns = "person_id, session_id, occurred_at, received_at, event_name, revenue"
    events_a = {
        row[0]: row[1:]
        for row in clean_build.run.query(
            f"select event_id, {columns} from intermediate.int_events_sessionized"
        )
    }
    events_b = {
        row[0]: row[1:]
        for row in run.query(f"select event_id, {columns} from intermediate.int_events_sessionized")
    }
    changed = {
        event_id: (events_b.get(event_id), event)
        for event_id, event in events_a.items()
        if events_b.get(event_id) != event
    }
    assert not changed, (
        f"{len(changed)} good events differ from build A (B, A), e.g. {list(changed.items())[:3]}"
    )
    good_persons = {str(event[0]) for event in events_a.values()}
    # every column but the load bookkeeping (last_loaded_at: when the build loaded the rows)
    session_columns = [
        name
        for (name,) in run.query(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'fct_sessions' order by ordinal_position"
        )
        if not str(name).endswith("loaded_at")
    ]
    sessions_query = f"select person_id, {', '.join(session_columns)} from marts.fct_sessions order by all"
    sessions_a = clean_build.run.query(sessions_query)
    sessions_b = [row for row in run.query(sessions_query) if row[0] in good_persons]
    assert same_rows(sessions_b, sessions_a), "the sessions of good persons differ from build A"

    # every bad row is accounted for
    assert_clean_rows_hold(run, messy, good_persons)
    assert_quarantine_holds(run, messy)
    assert_copies_counted(run, messy, good)
    assert_reconciled(run, len(good), messy)


# --- Regression tests, one per numbered case of the issue --------------------------------------------


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


ZONE_DAY = "2026-10-05"


def zone_rows() -> list[MessyRow]:
    """Case 1: named zones, and rows without one right after them."""

    def zoned(marker: str, occurred: str, utc: str, received: str | None = None) -> MessyRow:
        row = event_row(marker, at(utc), occurred_at=occurred)
        if received is not None:
            row["received_at"] = received
        return clean(marker, at(utc), row)

    def plain(marker: str, text: str) -> MessyRow:
        return clean(marker, at(text), event_row(marker, at(text), occurred_at=text))

    return [
        zoned(
            "zone_new_york",
            f"{ZONE_DAY} 10:00:00 America/New_York",
            f"{ZONE_DAY} 14:00:00",
            f"{ZONE_DAY} 10:00:02 America/New_York",
        ),
        plain("zone_plain_1", f"{ZONE_DAY} 10:00:00"),
        zoned("zone_berlin", f"{ZONE_DAY} 10:00:00 Europe/Berlin", f"{ZONE_DAY} 08:00:00"),
        # an abbreviation is ambiguous (CET: +01:00, or the IANA zone with summer time, as
        # DuckDB and Postgres read it differently): quarantined
        quarantined(
            "zone_cet_abbreviation",
            at(f"{ZONE_DAY} 10:00:00"),
            "invalid_occurred_at",
            occurred_at=f"{ZONE_DAY} 10:00:00 CET",
        ),
        plain("zone_plain_2", f"{ZONE_DAY} 10:00:00"),
        quarantined(
            "zone_mars_occurred",
            at(f"{ZONE_DAY} 10:00:00"),
            "invalid_occurred_at",
            occurred_at=f"{ZONE_DAY} 10:00:00 Mars/Olympus",
        ),
        plain("zone_plain_3", f"{ZONE_DAY} 10:00:00"),
        zoned("zone_utc", f"{ZONE_DAY} 10:00:00 UTC", f"{ZONE_DAY} 10:00:00"),
        quarantined(
            "zone_mars_received",
            at(f"{ZONE_DAY} 10:00:00"),
            "invalid_received_at",
            received_at=f"{ZONE_DAY} 10:00:02 Mars/Olympus",
        ),
        plain("zone_plain_4", f"{ZONE_DAY} 10:00:00"),
    ]


def extreme_date_rows(moment: datetime.datetime) -> list[MessyRow]:
    """Case 3: dates far outside the data, each with one reason."""
    return [
        quarantined("date_year_1", moment, "occurred_at_out_of_range", occurred_at="0001-01-01 00:00:00"),
        quarantined("date_1900", moment, "occurred_at_out_of_range", occurred_at="1900-01-01 00:00:00"),
        quarantined(
            "date_epoch_zero", moment, "occurred_at_out_of_range", occurred_at="1970-01-01 00:00:00.000"
        ),
        quarantined(
            "date_received_2009",
            moment,
            "received_at_out_of_range",
            occurred_at="2010-01-01 00:00:00",
            received_at="2009-12-31 12:00:00",
        ),
        quarantined(
            "date_2200",
            moment,
            "received_at_out_of_range",
            occurred_at="2200-01-01 00:00:00",
            received_at="2200-01-01 00:00:01",
        ),
        quarantined("date_9999", moment, "future_occurred_at", occurred_at="9999-12-31 23:59:59"),
    ]


def out_of_range_rows(moment: datetime.datetime) -> list[MessyRow]:
    """Case 4: negative and huge revenues and click positions, and the valid edges."""

    def clicked(marker: str, x: str, y: str, reason: str | None) -> MessyRow:
        row = event_row(marker, moment, "click", element="hero", click_x=x, click_y=y)
        return (
            MessyRow(marker, row, reason=reason)
            if reason
            else clean(marker, moment, row, click_x=int(x), click_y=int(y))
        )

    def ordered(marker: str, revenue: str) -> MessyRow:
        return clean(
            marker,
            moment,
            event_row(marker, moment, "order_completed", revenue=revenue),
            revenue=Decimal(revenue),
        )

    return [
        quarantined(
            "range_negative_revenue", moment, "revenue_out_of_range", "order_completed", revenue="-19.99"
        ),
        quarantined(
            "range_huge_revenue", moment, "revenue_out_of_range", "order_completed", revenue="1000000.01"
        ),
        clicked("range_negative_click_x", "-4", "100", "click_position_out_of_range"),
        clicked("range_huge_click_y", "100", "250000", "click_position_out_of_range"),
        ordered("range_max_revenue", "1000000.00"),
        ordered("range_zero_revenue", "0"),
        clicked("range_click_edges", "0", "100000", None),
    ]


def redelivered_rows(good: list[Row]) -> list[MessyRow]:
    """Case 6: later copies of three good events, two with another payload."""
    first, second, third = good[10], good[20], good[30]

    def copy(marker: str, original: Row, hours: float, conflicting: bool, **changes: object) -> MessyRow:
        later = utc_time(original["received_at"]) + datetime.timedelta(hours=hours)
        row = {**original, "received_at": utc_text(later) if hours else original["received_at"], **changes}
        return MessyRow(marker, row, copy_of=str(original["event_id"]), conflicting=conflicting)

    return [
        copy("copy_other_page", first, 2, True, page_url=f"{SITE}/redelivered"),
        copy("copy_other_properties", second, 0.5, True, properties='{"redelivered":true}'),
        copy("copy_identical", third, 0, False),
        copy("copy_received_later", third, 1, False),
    ]


def nested_rows(moment: datetime.datetime) -> list[MessyRow]:
    """Case 9: properties as a STRUCT in one Parquet file."""
    rows = []
    for number, items in enumerate([[1, 2], [], [7]]):
        marker = f"nested_{number}"
        properties = {
            "fuzz_row": marker,
            "plan": "pro",
            "items": items,
            "meta": {"source": "app", "depth": number},
        }
        row = clean(marker, moment, event_row(marker, moment, properties=properties))
        row.nested = True
        rows.append(row)
    return rows


@dataclass(frozen=True)
class RegressionBuild:
    good: list[Row]
    files: dict[str, list[MessyRow]]  # landing file name -> the messy rows in it
    landing: Path
    run: DbtRun

    @property
    def messy(self) -> list[MessyRow]:
        return [row for rows in self.files.values() for row in rows]

    def good_persons(self) -> set[str]:
        """The persons of the good events."""
        good_ids = {row["event_id"] for row in self.good}
        return {
            str(person)
            for event_id, person in self.run.query(
                "select event_id, person_id from intermediate.int_events_sessionized"
            )
            if event_id in good_ids
        }

    def quarantine_reasons(self) -> dict[str | None, str]:
        return {
            marker_of(properties): reason
            for properties, reason in self.run.query(
                "select properties, invalid_reason from intermediate.int_events_quarantined"
            )
        }


@pytest.fixture(scope="module")
def regression_build(tmp_path_factory: pytest.TempPathFactory) -> RegressionBuild:
    """One full build (every model and test) of a small generated data set with a landing file
    per case of the issue, and the empty files."""
    good: list[Row] = generate(REGRESSION_CONFIG).events.to_pylist()
    middle = utc_time(good[len(good) // 2]["occurred_at"])
    zones = zone_rows()
    files = {
        "a-redelivered.parquet": redelivered_rows(good),  # read before the originals' files
        "extreme-dates.parquet": extreme_date_rows(middle),
        "out-of-range.parquet": out_of_range_rows(middle),
        "nested.parquet": nested_rows(middle),
        "part-0.parquet": zones[:2],  # zone rows first, the good events after them
        "part-1.parquet": zones[2:],
    }
    work_dir = tmp_path_factory.mktemp("regression")
    landing = work_dir / "landing"
    landing.mkdir()
    half = len(good) // 2
    for name, rows in files.items():
        written = [row.row for row in rows]
        if name == "part-0.parquet":
            written += good[:half]
        elif name == "part-1.parquet":
            written += good[half:]
        write_rows(
            landing / name, written, "parquet", NESTED_SCHEMA if name == "nested.parquet" else STRING_SCHEMA
        )
    write_empty_files(landing, "parquet")
    run = build(work_dir, landing, "parquet", [*DBT_BUILD, "--exclude", "raw_events"])
    return RegressionBuild(good, files, landing, run)


def test_regression_rows_are_each_accounted_for(regression_build: RegressionBuild) -> None:
    """Every regression row lands as expected; the empty files add no row and no error."""
    messy = regression_build.messy
    assert_quarantine_holds(regression_build.run, messy)
    assert_reconciled(regression_build.run, len(regression_build.good), messy)


def test_a_named_zone_does_not_shift_other_rows(regression_build: RegressionBuild) -> None:
    """Case 1: '... 10:00:00 America/New_York' is 14:00 UTC in October, Europe/Berlin 08:00,
    UTC 10:00; an unknown zone or an abbreviation (CET) quarantines its row; rows without a
    zone, after a zoned row in the same file, are read as UTC."""
    rows = regression_build.files["part-0.parquet"] + regression_build.files["part-1.parquet"]
    assert_clean_rows_hold(regression_build.run, rows, regression_build.good_persons())
    assert_good_times_are_utc_text(regression_build.run, regression_build.good)
    reasons = regression_build.quarantine_reasons()
    assert (
        reasons.get("zone_mars_occurred"),
        reasons.get("zone_mars_received"),
        reasons.get("zone_cet_abbreviation"),
    ) == ("invalid_occurred_at", "invalid_received_at", "invalid_occurred_at")


def test_extreme_dates_are_quarantined_and_calendars_keep_the_data_range(
    regression_build: RegressionBuild,
) -> None:
    """Case 3: dates in year 1, 1900, 1970, 2200 and 9999 are quarantined, and the activity
    calendars span only the clean events' dates."""
    reasons = regression_build.quarantine_reasons()
    expected = {row.marker: row.reason for row in regression_build.files["extreme-dates.parquet"]}
    assert {marker: reasons.get(marker) for marker in expected} == expected

    clean_times = [utc_time(row["occurred_at"]) for row in regression_build.good] + [
        value
        for row in regression_build.messy
        if row.is_clean
        for value in [row.expected["occurred_at"]]
        if isinstance(value, datetime.datetime)
    ]
    first, last = min(clean_times).date(), max(clean_times).date()
    run = regression_build.run
    assert run.query("select min(activity_date), max(activity_date) from marts.fct_person_days") == [
        (first, last)
    ]
    assert run.query(
        "select min(activity_date), max(activity_date) from reports.rpt_active_persons_daily"
    ) == [(first, last)]
    monday = datetime.timedelta(days=1)
    assert run.query(
        "select min(week_start_date), max(week_start_date) from reports.rpt_stickiness_weekly"
    ) == [(first - first.weekday() * monday, last - last.weekday() * monday)]


def test_out_of_range_revenue_and_clicks_are_quarantined_and_the_build_passes(
    regression_build: RegressionBuild,
) -> None:
    """Case 4: a negative or too large revenue or click position is quarantined with its own
    reason, the edges (0, 1000000, 100000) are clean, and every model and test passed (the
    fixture's full build exited 0)."""
    rows = regression_build.files["out-of-range.parquet"]
    reasons = regression_build.quarantine_reasons()
    expected = {row.marker: row.reason for row in rows if row.reason}
    assert {marker: reasons.get(marker) for marker in expected} == expected
    assert_clean_rows_hold(regression_build.run, rows, set())
    statuses = node_statuses(regression_build.run)
    failed = [node for node, status in statuses.items() if status in ("error", "fail")]
    assert not failed


def test_conflicting_copies_are_counted_and_the_first_received_wins(
    regression_build: RegressionBuild,
) -> None:
    """Case 6: a later copy with another payload is dropped and counted as conflicting; a
    re-delivery of the same payload is a duplicate but not a conflict."""
    assert_copies_counted(regression_build.run, regression_build.messy, regression_build.good)
    assert regression_build.run.query(
        "select n_duplicate_rows, n_conflicting_duplicate_rows from reports.rpt_event_reconciliation"
    ) == [(4, 2)]


def test_nested_properties_in_one_parquet_file_are_read_as_json(regression_build: RegressionBuild) -> None:
    """Case 9: a Parquet file whose properties is a STRUCT, beside files where it is text:
    its rows are clean and properties is the struct's JSON."""
    assert_clean_rows_hold(regression_build.run, regression_build.files["nested.parquet"], set())


def test_a_late_file_is_loaded_by_the_next_incremental_build(
    tmp_path: Path, regression_build: RegressionBuild
) -> None:
    """Case 7: a file added after a build, with an old modification time and rows received days
    before the watermark (beyond incremental_lookback_hours), is loaded by the next
    incremental build (on a copy of the regression warehouse) and accounted for."""
    watermark = max(utc_time(row["received_at"]) for row in regression_build.good)
    moment = watermark - datetime.timedelta(days=5)
    late = [
        clean(
            f"late_{number}",
            moment + datetime.timedelta(minutes=number),
            event_row(f"late_{number}", moment + datetime.timedelta(minutes=number)),
        )
        for number in range(3)
    ] + [quarantined("late_invalid", moment, "invalid_revenue", revenue="free")]
    late_file = regression_build.landing / "late.parquet"
    write_rows(late_file, [row.row for row in late], "parquet")
    age_file(late_file)

    for suffix in ("", ".wal"):
        stored = Path(f"{regression_build.run.warehouse}{suffix}")
        if stored.exists():
            shutil.copy(stored, tmp_path / f"warehouse.duckdb{suffix}")
    # the stored files under the name they were loaded by: a landed row's key holds it
    (tmp_path / "landing").symlink_to(regression_build.landing)
    run = build(tmp_path, tmp_path / "landing", "parquet", [*DBT_BUILD, *SELECTED])
    messy = regression_build.messy + late
    assert_clean_rows_hold(run, late, set())
    assert_quarantine_holds(run, messy)
    assert_reconciled(run, len(regression_build.good), messy)


def test_a_mistyped_json_value_quarantines_its_row_only(tmp_path: Path) -> None:
    """Case 2: in one JSON lines file, an epoch number in occurred_at quarantines that row
    (invalid_occurred_at); numbers in revenue and click_x/click_y and an object in properties
    are read as their text; every other row of the file is clean."""
    good: list[Row] = generate(REGRESSION_CONFIG).events.to_pylist()
    moment = utc_time(good[len(good) // 2]["occurred_at"])
    epoch = quarantined(
        "json_epoch",
        moment,
        "invalid_occurred_at",
        occurred_at=int(moment.replace(tzinfo=datetime.UTC).timestamp()),
    )
    typed = [
        clean(
            "json_revenue",
            moment,
            event_row("json_revenue", moment, "order_completed", revenue=10.5),
            revenue=Decimal("10.5"),
        ),
        clean(
            "json_click",
            moment,
            event_row("json_click", moment, "click", element="hero", click_x=120, click_y=48),
            click_x=120,
            click_y=48,
        ),
        clean(
            "json_properties",
            moment,
            event_row(
                "json_properties",
                moment,
                properties={"fuzz_row": "json_properties", "cart": {"items": [1, 2]}},
            ),
        ),
    ]
    landing = tmp_path / "landing"
    landing.mkdir()
    # the mistyped row first, the others among the good rows of the same file
    rows = [epoch.row, *good[:50], typed[0].row, *good[50:100], typed[1].row, *good[100:], typed[2].row]
    write_rows(landing / "events.jsonl", rows, "json")
    run = build(tmp_path / "build", landing, "json", [*DBT_BUILD, *SELECTED])

    messy = [epoch, *typed]
    assert_quarantine_holds(run, messy)
    assert_clean_rows_hold(run, typed, set())
    assert_good_times_are_utc_text(run, good)
    assert_reconciled(run, len(good), messy)


@pytest.mark.parametrize("broken", ["not_parquet", "missing_required_column"])
def test_a_broken_landing_file_fails_the_build_naming_it(tmp_path: Path, broken: str) -> None:
    """A file that is not Parquet, or lacks a required column, fails the build with a message
    naming the file (and the column)."""
    good: list[Row] = generate(REGRESSION_CONFIG).events.to_pylist()[:50]
    landing = tmp_path / "landing"
    landing.mkdir()
    write_rows(landing / "part-0.parquet", good, "parquet")
    if broken == "not_parquet":
        (landing / "partner-export.parquet").write_text("event_id,occurred_at\ne_1,2026-10-05\n")
        expected = ["partner-export.parquet"]
    else:
        table = pa.Table.from_pylist(good[:5], schema=STRING_SCHEMA).drop_columns(["received_at"])
        pq.write_table(table, landing / "partner-export.parquet")
        expected = ["partner-export.parquet", "received_at"]
    run = run_dbt(
        [*DBT_BUILD, "--select", "+stg_tracking__events", "--exclude", "raw_events"],
        tmp_path,
        landing_vars(landing, "parquet"),
    )
    assert run.returncode != 0
    assert all(text in run.output for text in expected), run.output[-3000:]


# --- The staging rules on Postgres ------------------------------------------------------------------


def has_nul(row: Row) -> bool:
    return any(isinstance(value, str) and "\x00" in value for value in row.values())


@pytest.mark.engines
def test_staging_on_postgres_quarantines_and_parses_each_row_as_on_duckdb(tmp_path: Path) -> None:
    """The same bad and odd rows as the fuzz test, in a Postgres source table: each is
    quarantined with its reason or clean with the values computed here. Left out: nested
    properties and JSON-typed values (landing files are DuckDB's) and NUL bytes (Postgres text
    cannot hold one, so no Postgres source table does)."""
    import psycopg2  # the postgres extra: imported where used, as in test_engines

    good_rows: list[Row] = generate(REGRESSION_CONFIG).events.to_pylist()
    maker = MessyRowMaker(random.Random(303), "parquet", good_rows, "pg")
    messy = [
        row
        for row in maker.draw()
        + zone_rows()
        + extreme_date_rows(maker.moment())
        + out_of_range_rows(maker.moment())
        if not row.nested and not has_nul(row.row)
    ]
    rows = good_rows + [row.row for row in messy]
    with postgres_server() as environment:
        connection = psycopg2.connect(
            host="127.0.0.1",
            port=int(environment["BAWH_PG_PORT"]),
            user="postgres",
            dbname="behavioral_warehouse",
        )
        with connection, connection.cursor() as cursor:
            insert_text_rows(cursor, "tracker_export.events", list(EVENT_COLUMNS), rows)
        run = run_dbt(
            [
                "build",
                "--target",
                "postgres",
                "--select",
                "+int_events_deduplicated",
                "+int_events_quarantined",
                "--exclude",
                "raw_events",
            ],
            tmp_path,
            {"raw_events_schema": "tracker_export", "raw_events_identifier": "events"},
            environment=environment,
        )
        assert run.returncode == 0, run.output[-6000:]
        with connection, connection.cursor() as cursor:
            cursor.execute(
                "select properties, invalid_reason from public_intermediate.int_events_quarantined"
            )
            quarantined_rows = cursor.fetchall()
            cursor.execute(
                "select event_id, occurred_at, received_at, revenue, click_x, click_y, page_url,"
                " properties from public_intermediate.int_events_deduplicated"
            )
            clean_events = {row[0]: row[1:] for row in cursor.fetchall()}
        connection.close()

    reasons = {marker_of(properties): reason for properties, reason in quarantined_rows}
    expected_reasons = {row.marker: row.reason for row in messy if row.reason is not None}
    assert reasons == expected_reasons
    columns = ("occurred_at", "received_at", "revenue", "click_x", "click_y", "page_url", "properties")
    for row in messy:
        if not row.is_clean:
            continue
        event = dict(zip(columns, clean_events[str(row.row["event_id"])], strict=True))
        for column, value in row.expected.items():
            assert values_match(event[column], value, column), (row.marker, column, event[column], value)
    assert len(clean_events) == len(good_rows) + sum(row.is_clean for row in messy)
