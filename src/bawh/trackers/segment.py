"""The generator's raw events as Segment writes them: the JSON of its S3 and webhook
destinations (one call per line, Segment's Spec:
https://segment.com/docs/connections/spec/common/) and its warehouse tables (pages, tracks and
one table per track event: https://segment.com/docs/connections/storage/warehouses/schema/).

A page_view becomes a page call, every other event a track call named as Segment's specs name
it (sign_up -> 'Signed Up', order_completed -> 'Order Completed', ...); a messy spelling of a
name ('PAGE-VIEW ') stays a track call of that name, as a misconfigured tracker would send it.
The contract's fields without a Segment equivalent (element, click_x, click_y, feature_name,
product_id, revenue) are properties of those names; the generator's session id is the session
id of Segment's Amplitude (Actions) plugin. Defects are carried over as values: a missing id is
a missing key, a malformed time or number is the same text, so the mapping (macro
segment_event_contract) quarantines the same rows as the contract does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bawh.trackers._values import properties_with_columns, utc_iso, without_nulls

# Segment's spec names of our canonical events (B2B SaaS and e-commerce specs); the rest keep
# our name. Staging maps them back (seed event_name_aliases, macro normalize_event_name).
TRACK_NAMES: dict[str, str] = {
    "sign_up": "Signed Up",
    "login": "Signed In",
    "product_viewed": "Product Viewed",
    "product_added": "Product Added",
    "checkout_started": "Checkout Started",
    "order_completed": "Order Completed",
    "feature_used": "Feature Used",
}
CAMPAIGN_KEYS: dict[str, str] = {
    "utm_source": "source",
    "utm_medium": "medium",
    "utm_campaign": "name",
    "utm_content": "content",
    "utm_term": "term",
}


def calls(events: pa.Table) -> list[dict[str, Any]]:
    """One Segment call (S3/webhook JSON) per raw row of ``events`` (EVENT_COLUMNS)."""
    return [_call(row) for row in events.to_pylist()]


def write_jsonl(events: pa.Table, directory: Path) -> list[Path]:
    """Write the calls as ``directory/segment-00000.jsonl``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "segment-00000.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for call in calls(events):
            handle.write(json.dumps(call) + "\n")
    return [path]


def write_tables(events: pa.Table, directory: Path) -> dict[str, Path]:
    """Write Segment's warehouse tables as ``directory/<table>.parquet``, every column text:
    pages, tracks, and one table per track event (named by the event's snake_case name,
    its properties as columns). Returns table name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[dict[str, str | None]]] = {}
    for call in calls(events):
        row = _warehouse_row(call)
        if call["type"] == "page":
            tables.setdefault("pages", []).append(row)
            continue
        tables.setdefault("tracks", []).append(
            {key: value for key, value in row.items() if not key.startswith("property_")}
        )
        tables.setdefault(_snake_case(str(call.get("event", ""))), []).append(row)
    paths = {}
    for name, rows in tables.items():
        columns = list(dict.fromkeys(key for row in rows for key in row))
        table = pa.table(
            {
                column.removeprefix("property_"): pa.array([row.get(column) for row in rows], pa.string())
                for column in columns
            }
        )
        paths[name] = directory / f"{name}.parquet"
        pq.write_table(table, paths[name])
    return paths


def _call(row: dict[str, Any]) -> dict[str, Any]:
    name = row["event_name"]
    is_page = name == "page_view"
    properties = properties_with_columns(row)
    if is_page:
        properties.update(without_nulls({"url": row["page_url"], "referrer": row["referrer_url"]}))
    context = without_nulls(
        {
            "page": without_nulls({"url": row["page_url"], "referrer": row["referrer_url"]}),
            "campaign": without_nulls({key: row[column] for column, key in CAMPAIGN_KEYS.items()}),
            "device": without_nulls({"type": row["device_type"]}),
            "location": without_nulls({"country": row["country"]}),
            "library": {"name": "analytics.js", "version": "next-1.70.0"},
        }
    )
    session = {"Actions Amplitude": {"session_id": row["session_id"]}} if row["session_id"] else None
    return without_nulls(
        {
            "type": "page" if is_page else "track",
            "event": None if is_page else TRACK_NAMES.get(name, name),
            "messageId": row["event_id"],
            "anonymousId": row["anonymous_id"],
            "userId": row["user_id"],
            "timestamp": utc_iso(row["occurred_at"]),
            "originalTimestamp": utc_iso(row["occurred_at"]),
            "receivedAt": utc_iso(row["received_at"]),
            "context": context,
            "integrations": session,
            "properties": properties or None,
        }
    )


def _warehouse_row(call: dict[str, Any]) -> dict[str, str | None]:
    """A call as a row of Segment's warehouse tables: context flattened to context_*, the
    properties as columns (prefixed property_ here, so tracks can leave them out)."""
    context: dict[str, Any] = call.get("context", {})
    row: dict[str, str | None] = {
        "id": call.get("messageId"),
        "anonymous_id": call.get("anonymousId"),
        "user_id": call.get("userId"),
        "timestamp": call.get("timestamp"),
        "original_timestamp": call.get("originalTimestamp"),
        "received_at": call.get("receivedAt"),
    }
    if call["type"] == "track":
        row["event"] = _snake_case(call["event"])
        row["event_text"] = call["event"]
    for section, values in context.items():
        for key, value in values.items():
            row[f"context_{section}_{_snake_case(key)}"] = str(value)
    for key, value in call.get("properties", {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        row[f"property_{_snake_case(key)}"] = text
    return row


def _snake_case(name: str) -> str:
    """Segment's table and column names: snake_case of the name ('Order Completed' ->
    'order_completed', 'PAGE-VIEW ' -> 'page_view')."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")
