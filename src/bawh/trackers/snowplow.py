"""The generator's raw events as Snowplow enriched events: the fields of the atomic events
table (https://docs.snowplow.io/docs/fundamentals/canonical-event/), as JSON lines or as a
Parquet file of all-text columns that a test loads as atomic.events.

A page_view is Snowplow's page_view event; every other event is a self-describing event
(event 'unstruct') whose schema is iglu:com.example/<name>/jsonschema/1-0-0 and whose data
holds the generator's properties plus element, click_x, click_y, feature_name, product_id and
revenue. Times are UTC text as the enriched event writes them ('2026-09-01 08:25:18.357'):
derived_tstamp and dvce_created_tstamp the generator's occurred_at, collector_tstamp its
received_at. Defects are carried over as values (a missing id is null, a malformed time or
number is the same text), so the mapping (macro snowplow_event_contract) quarantines the same
rows as the contract does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bawh.trackers._values import properties_with_columns, without_nulls

DEVICE_TYPES: dict[str, str] = {"desktop": "Computer", "mobile": "Mobile", "tablet": "Tablet"}
UNSTRUCT_EVENT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
# The atomic fields written, in the atomic events table's order.
COLUMNS: tuple[str, ...] = (
    "app_id", "platform", "etl_tstamp", "collector_tstamp", "dvce_created_tstamp", "event",
    "event_id", "user_id", "domain_userid", "network_userid", "geo_country", "page_url",
    "page_urlhost", "page_urlpath", "page_referrer", "mkt_medium", "mkt_source", "mkt_term",
    "mkt_content", "mkt_campaign", "unstruct_event", "dvce_type", "dvce_ismobile",
    "domain_sessionid", "derived_tstamp", "event_vendor", "event_name", "event_format",
    "event_version",
)  # fmt: skip


def enriched_events(events: pa.Table) -> list[dict[str, Any]]:
    """One enriched event (atomic fields, JSON values) per raw row of ``events``."""
    return [_enriched(row) for row in events.to_pylist()]


def write_jsonl(events: pa.Table, directory: Path) -> list[Path]:
    """Write the enriched events as ``directory/snowplow-00000.jsonl`` (null fields left
    out); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "snowplow-00000.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for event in enriched_events(events):
            handle.write(json.dumps(without_nulls(event)) + "\n")
    return [path]


def write_parquet(events: pa.Table, path: Path) -> Path:
    """Write the enriched events as one Parquet file of the atomic columns, all text (the
    self-describing event as its JSON text); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = enriched_events(events)
    table = pa.table(
        {column: pa.array([_text(row[column]) for row in rows], pa.string()) for column in COLUMNS}
    )
    pq.write_table(table, path)
    return path


def _enriched(row: dict[str, Any]) -> dict[str, Any]:
    name = row["event_name"]
    is_page_view = name == "page_view"
    data = properties_with_columns(row)
    schema_name = re.sub(r"[^A-Za-z0-9_-]+", "_", name.strip()) or "event"
    unstruct = {
        "schema": UNSTRUCT_EVENT_SCHEMA,
        "data": {"schema": f"iglu:com.example/{schema_name}/jsonschema/1-0-0", "data": data},
    }
    page_url = row["page_url"]
    url_parts = re.match(r"^[a-z]+://([^/?#]+)([^?#]*)", page_url) if page_url else None
    device = row["device_type"]
    return {
        "app_id": "shop",
        "platform": "web",
        "etl_tstamp": row["received_at"],
        "collector_tstamp": row["received_at"],
        "dvce_created_tstamp": row["occurred_at"],
        "event": "page_view" if is_page_view else "unstruct",
        "event_id": row["event_id"],
        "user_id": row["user_id"],
        "domain_userid": row["anonymous_id"],
        "network_userid": None,
        "geo_country": row["country"],
        "page_url": page_url,
        "page_urlhost": url_parts.group(1) if url_parts else None,
        "page_urlpath": (url_parts.group(2) or "/") if url_parts else None,
        "page_referrer": row["referrer_url"],
        "mkt_medium": row["utm_medium"],
        "mkt_source": row["utm_source"],
        "mkt_term": row["utm_term"],
        "mkt_content": row["utm_content"],
        "mkt_campaign": row["utm_campaign"],
        "unstruct_event": None if is_page_view else unstruct,
        "dvce_type": DEVICE_TYPES.get(device, device) if device else None,
        "dvce_ismobile": device in ("mobile", "tablet") if device else None,
        "domain_sessionid": row["session_id"],
        "derived_tstamp": row["occurred_at"],
        "event_vendor": "com.snowplowanalytics.snowplow" if is_page_view else "com.example",
        "event_name": name,
        "event_format": "jsonschema",
        "event_version": "1-0-0",
    }


def _text(value: Any) -> str | None:
    """An atomic field as the text of an all-text column (JSON values as JSON text)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)
