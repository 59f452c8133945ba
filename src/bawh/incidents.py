"""Tracking incidents planted into generated raw events, for testing data-health checks.

A tracking pipeline breaks in a few typical ways; each ``Incident`` kind rewrites the raw
rows (text columns, as ``bawh.generator`` delivers them) the way that break would:

* ``event_stops``: a release drops an event; its rows that occurred in the window vanish.
* ``tag_doubled``: a tag fires twice; each of the event's rows in the window gets a second
  row, a distinct event (its own event_id) at the same time.
* ``column_nulled``: a tag stops sending a column on one device; the column is null in
  every row of that device that occurred in the window.
* ``landing_stall``: the landing job stalls; rows received in the window are received at
  its end instead (a catch-up burst over the next ten minutes).
* ``column_added``: a new column appears; ``write_landing`` writes the rows received from
  the window's start to files that have it, the earlier rows to files without it.

Windows are half-open ``[start, end)`` in UTC; rows whose time does not parse are left
alone. The rows stay in arrival order (received_at, then event_id).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["KINDS", "Incident", "plant", "write_landing"]

KINDS: tuple[str, ...] = ("event_stops", "tag_doubled", "column_nulled", "landing_stall", "column_added")
CATCH_UP_MS = 10 * 60 * 1_000
TIMESTAMP_PATTERN = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})?$"


@dataclass(frozen=True)
class Incident:
    """One planted break: its kind, what it hits and when."""

    kind: str
    start: datetime.datetime
    end: datetime.datetime
    event_name: str | None = None  # event_stops, tag_doubled: the canonical name
    device_type: str | None = None  # column_nulled
    column_name: str | None = None  # column_nulled, column_added

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown incident kind {self.kind!r}: one of {', '.join(KINDS)}")
        if self.end <= self.start:
            raise ValueError(f"incident {self.kind}: end {self.end} is not after start {self.start}")
        needs = {
            "event_stops": ("event_name",),
            "tag_doubled": ("event_name",),
            "column_nulled": ("device_type", "column_name"),
            "column_added": ("column_name",),
        }.get(self.kind, ())
        missing = [field for field in needs if getattr(self, field) is None]
        if missing:
            raise ValueError(f"incident {self.kind} needs {', '.join(missing)}")


def plant(events: pa.Table, incidents: Sequence[Incident]) -> pa.Table:
    """``events`` with every incident applied in order, sorted in arrival order again
    (received_at, then event_id; the rows whose received_at text is malformed sort by it)."""
    for incident in incidents:
        events = _PLANTERS[incident.kind](events, incident)
    order = pc.sort_indices(events, [("received_at", "ascending"), ("event_id", "ascending")])
    return events.take(order)


def write_landing(
    events: pa.Table, directory: Path, incidents: Sequence[Incident], rows_per_file: int
) -> list[Path]:
    """Write ``events`` (arrival order) as ``directory/part-NNNNN.parquet`` files of at most
    ``rows_per_file`` rows (part files left by an earlier run are removed first); a file
    holds the columns of ``column_added`` incidents only when all its rows were received
    from that incident's start. Returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("part-*.parquet"):
        stale.unlink()
    received = _milliseconds(events["received_at"])
    # in arrival order the rows received before an incident's start come first (a malformed
    # received_at sorts after every timestamp): each column's first row is their count
    first_rows = {
        incident.column_name: int(np.count_nonzero((received >= 0) & (received < _epoch_ms(incident.start))))
        for incident in incidents
        if incident.kind == "column_added"
    }
    cuts = sorted({*first_rows.values(), 0, events.num_rows})
    paths: list[Path] = []
    for begin, stop in itertools.pairwise(cuts):
        for offset in range(begin, stop, rows_per_file):
            part = events.slice(offset, min(rows_per_file, stop - offset))
            absent = [name for name, first_row in first_rows.items() if offset < first_row]
            path = directory / f"part-{len(paths):05d}.parquet"
            pq.write_table(part.drop_columns(absent), path)
            paths.append(path)
    return paths


def _event_stops(events: pa.Table, incident: Incident) -> pa.Table:
    return events.filter(pc.invert(_named_in_window(events, incident)))


def _tag_doubled(events: pa.Table, incident: Incident) -> pa.Table:
    copies = events.filter(_named_in_window(events, incident))
    second_ids = pc.binary_join_element_wise(copies["event_id"], pa.scalar("2"), "-")
    copies = copies.set_column(copies.schema.get_field_index("event_id"), "event_id", second_ids)
    return pa.concat_tables([events, copies])


def _column_nulled(events: pa.Table, incident: Incident) -> pa.Table:
    assert incident.column_name is not None
    hit = pc.and_(
        _in_window(events["occurred_at"], incident), pc.equal(events["device_type"], incident.device_type)
    )
    index = events.schema.get_field_index(incident.column_name)
    nulled = pc.if_else(hit, pa.scalar(None, pa.string()), events[incident.column_name])
    return events.set_column(index, incident.column_name, nulled)


def _landing_stall(events: pa.Table, incident: Incident) -> pa.Table:
    received = _milliseconds(events["received_at"])
    start, end = _epoch_ms(incident.start), _epoch_ms(incident.end)
    stalled = (received >= start) & (received < end)
    caught_up = received.copy()
    caught_up[stalled] = end + (received[stalled] - start) * CATCH_UP_MS // (end - start)
    text = pa.array(caught_up.astype("datetime64[ms]"), pa.timestamp("ms")).cast(pa.string())
    kept = pc.if_else(pa.array(stalled), text, events["received_at"])
    return events.set_column(events.schema.get_field_index("received_at"), "received_at", kept)


def _column_added(events: pa.Table, incident: Incident) -> pa.Table:
    assert incident.column_name is not None
    received = _milliseconds(events["received_at"])
    before = pa.array(received < _epoch_ms(incident.start))
    values = pc.if_else(before, pa.scalar(None, pa.string()), pa.scalar("2.0"))
    return events.append_column(incident.column_name, values)


def _named_in_window(events: pa.Table, incident: Incident) -> pa.Array:
    names = pc.replace_substring(
        pc.replace_substring(pc.utf8_lower(pc.utf8_trim_whitespace(events["event_name"])), " ", "_"), "-", "_"
    )
    return pc.and_(pc.equal(names, incident.event_name), _in_window(events["occurred_at"], incident))


def _in_window(text: pa.ChunkedArray, incident: Incident) -> pa.Array:
    ms = _milliseconds(text)
    return pa.array((ms >= _epoch_ms(incident.start)) & (ms < _epoch_ms(incident.end)))


def _milliseconds(text: pa.ChunkedArray) -> np.ndarray:
    """Epoch ms of 'YYYY-MM-DD HH:MM:SS[.fff]' text (the generator's); -1 for other text."""
    seconds = pc.strptime(
        pc.utf8_slice_codeunits(text, 0, 19), format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True
    )
    valid = pc.fill_null(
        pc.and_(pc.match_substring_regex(text, TIMESTAMP_PATTERN), pc.is_valid(seconds)), False
    )
    digits = pc.utf8_rpad(pc.utf8_slice_codeunits(text, 20, 23), 3, "0")
    millis = pc.cast(pc.if_else(valid, digits, "000"), pa.int64())
    ms = pc.fill_null(seconds.cast(pa.int64()), 0).to_numpy() * 1_000 + millis.to_numpy()
    return np.where(valid.to_numpy(), ms, -1)


def _epoch_ms(moment: datetime.datetime) -> int:
    return round(moment.replace(tzinfo=datetime.UTC).timestamp() * 1_000)


_PLANTERS = {
    "event_stops": _event_stops,
    "tag_doubled": _tag_doubled,
    "column_nulled": _column_nulled,
    "landing_stall": _landing_stall,
    "column_added": _column_added,
}
