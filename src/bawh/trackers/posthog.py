"""The generator's raw events as PostHog's events batch export writes them (S3 destination,
events model, JSON lines: https://posthog.com/docs/cdp/batch-exports/s3): uuid, event,
distinct_id, person_id, properties (an object), elements_chain, timestamp and created_at
(ISO 8601, UTC); or its Parquet files (properties as JSON text, times as timestamps).

Identity follows posthog-js: an anonymous event has distinct_id = ``$device_id`` and
``$is_identified: false``; an identified one distinct_id = the user's id, ``$device_id`` and
``$is_identified: true``; a server-side event (posthog-node) only the user's id as distinct_id.
uuid is a UUID made from the generated event id (function event_uuid), person_id one per
distinct id (PostHog's own merge is not reproduced: the
mapping does not read it). page_view becomes ``$pageview`` and click ``$autocapture`` with
``$event_type: click`` (every spelling of ours); other names stay as generated. The session id
is ``$session_id``; the device type ``$device_type`` (Desktop, Mobile, Tablet); the country
``$geoip_country_code``; element, click_x, click_y, feature_name, product_id and revenue are
properties of those names. Defects are carried over as values: a missing id or time is a
missing key, a malformed time or number the same text, so the mapping (macro
posthog_event_contract) quarantines the same rows as the contract does.
"""

from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bawh.trackers._values import number_or_text, utc_iso, without_nulls

# PostHog's names of our canonical events (by normalized name), with the properties they add.
EVENT_NAMES: dict[str, tuple[str, dict[str, str]]] = {
    "page_view": ("$pageview", {}),
    "click": ("$autocapture", {"$event_type": "click"}),
}
SAME_NAMED: tuple[str, ...] = ("element", "feature_name", "product_id")
NUMBERS: tuple[str, ...] = ("click_x", "click_y", "revenue")
UTM: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
# uuid and person_id: uuid5 of the generated event id and of the distinct id in this namespace
NAMESPACE = uuid.UUID("5b0d1f3e-8c1a-4f5e-9a63-0c2d4b7e9f10")


def records(events: pa.Table) -> list[dict[str, Any]]:
    """One PostHog batch-export record per raw row of ``events`` (EVENT_COLUMNS)."""
    return [_record(row) for row in events.to_pylist()]


def write_jsonl(events: pa.Table, directory: Path) -> list[Path]:
    """Write the records as ``directory/posthog-00000.jsonl``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "posthog-00000.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for record in records(events):
            handle.write(json.dumps(record) + "\n")
    return [path]


def write_parquet(events: pa.Table, directory: Path) -> list[Path]:
    """Write the records as ``directory/posthog-00000.parquet`` in the export's Parquet schema:
    properties as JSON text, timestamp and created_at as UTC timestamps (microseconds), where
    a malformed time, which the type cannot hold, is null. Returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "posthog-00000.parquet"
    rows = records(events)
    text_columns = ("uuid", "event", "distinct_id", "person_id", "elements_chain")
    table = pa.table(
        {
            **{name: pa.array([row.get(name) for row in rows], pa.string()) for name in text_columns},
            "properties": pa.array([json.dumps(row["properties"]) for row in rows], pa.string()),
            **{
                name: pa.array([_utc_time(row.get(name)) for row in rows], pa.timestamp("us", tz="UTC"))
                for name in ("timestamp", "created_at")
            },
        }
    )
    pq.write_table(table, path)
    return [path]


def _utc_time(text: str | None) -> datetime.datetime | None:
    """An ISO 8601 UTC time of a record as a datetime; None for a malformed one."""
    try:
        return datetime.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def event_uuid(event_id: str) -> str:
    """The PostHog uuid of a generated event id ('e_<20 hex>'): a UUID, the same for every
    copy of the event."""
    return str(uuid.uuid5(NAMESPACE, event_id))


def _record(row: dict[str, str | None]) -> dict[str, Any]:
    name = str(row["event_name"])
    normalized = name.strip().lower().replace(" ", "_").replace("-", "_")
    event, event_properties = EVENT_NAMES.get(normalized, (name, {}))
    anonymous_id, user_id = row["anonymous_id"], row["user_id"]
    distinct_id = user_id or anonymous_id
    properties: dict[str, Any] = {
        "$device_id": anonymous_id,
        # posthog-js sends it on every event; a server-side SDK does not
        "$is_identified": (user_id is not None) if anonymous_id else None,
        "$session_id": row["session_id"],
        "$current_url": row["page_url"],
        # posthog-js sends '$direct' when the browser has no referrer
        "$referrer": row["referrer_url"] or ("$direct" if row["page_url"] else None),
        **{key: row[key] for key in UTM},
        "$device_type": row["device_type"].capitalize() if row["device_type"] else None,
        "$geoip_country_code": row["country"],
        **{key: row[key] for key in SAME_NAMED},
        **{key: number_or_text(str(row[key])) for key in NUMBERS if row[key] is not None},
        **event_properties,
        **json.loads(row["properties"] or "{}"),
    }
    return without_nulls(
        {
            "uuid": event_uuid(row["event_id"]) if row["event_id"] else None,
            "event": event,
            "distinct_id": distinct_id,
            "person_id": str(uuid.uuid5(NAMESPACE, distinct_id)) if distinct_id else None,
            "properties": without_nulls(properties),
            "elements_chain": "",
            "timestamp": utc_iso(row["occurred_at"]),
            "created_at": utc_iso(row["received_at"]),
        }
    )
