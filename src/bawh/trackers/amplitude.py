"""The generator's raw events as Amplitude's Export API writes them: JSON lines, one event
per line (https://amplitude.com/docs/apis/analytics/export), times as
'YYYY-MM-DD HH:MM:SS.ffffff' in UTC.

page_view becomes ``[Amplitude] Page Viewed`` and click ``[Amplitude] Element Clicked`` (the
Browser SDK's autocapture names, every spelling of ours); other names stay as generated. The
event id is ``$insert_id`` (and a uuid derived from it); session_id is the start (epoch
milliseconds) of the generator's session, -1 for an event without one; the page is
``[Amplitude] Page Location``; referrer, UTM, element, click_x, click_y, feature_name and
product_id are event properties of those names, revenue ``$revenue``. The device category is
what the SDK writes instead: a device model and family; the country its English name.
Defects are carried over as values: a missing id or time is a missing key, a malformed time
or number the same text, so the mapping (macro amplitude_event_contract) quarantines the
same rows as the contract does.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa

from bawh.trackers._values import number_or_text, without_nulls
from bawh.trackers.ga4 import COUNTRY_NAMES

# The Browser SDK's autocapture names of our canonical events (by normalized name).
EVENT_NAMES: dict[str, str] = {
    "page_view": "[Amplitude] Page Viewed",
    "click": "[Amplitude] Element Clicked",
}
# What the SDK writes for a device (device_type is the model, device_family its family).
DEVICE_FIELDS: dict[str, dict[str, str]] = {
    "desktop": {"device_type": "Windows", "device_family": "Windows", "os_name": "Chrome"},
    "mobile": {"device_type": "Apple iPhone 15", "device_family": "Apple iPhone", "os_name": "Mobile Safari"},
    "tablet": {"device_type": "Apple iPad Air", "device_family": "Apple iPad", "os_name": "Mobile Safari"},
}
PROPERTIES: tuple[str, ...] = (
    "referrer_url", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "element", "feature_name", "product_id",
)  # fmt: skip
_GENERATED_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?$")
# uuid5 namespace of the uuids derived from event ids (any fixed uuid)
_UUID_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")


def records(events: pa.Table) -> list[dict[str, Any]]:
    """One Amplitude export record per raw row of ``events`` (EVENT_COLUMNS)."""
    rows = events.to_pylist()
    session_starts: dict[str, int] = {}
    for row in rows:
        millis = _epoch_ms(row["occurred_at"])
        if row["session_id"] is not None and millis is not None:
            session_starts[row["session_id"]] = min(millis, session_starts.get(row["session_id"], millis))
    return [_record(row, session_starts) for row in rows]


def write_jsonl(events: pa.Table, directory: Path) -> list[Path]:
    """Write the records as ``directory/amplitude-00000.jsonl``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "amplitude-00000.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for record in records(events):
            handle.write(json.dumps(record) + "\n")
    return [path]


def export_time(text: str | None) -> str | None:
    """A generated UTC time ('2026-09-01 08:25:18.357') as the export writes it
    ('2026-09-01 08:25:18.357000'); other text (a defect) unchanged."""
    match = _GENERATED_TIME.match(text) if text is not None else None
    return f"{match.group(1)}.{(match.group(2) or '').ljust(6, '0')}" if match else text


def _epoch_ms(text: str | None) -> int | None:
    if text is None or not _GENERATED_TIME.match(text):
        return None
    moment = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)
    return round(moment.timestamp() * 1000)


def _record(row: dict[str, str | None], session_starts: dict[str, int]) -> dict[str, Any]:
    name = str(row["event_name"])
    normalized = name.strip().lower().replace(" ", "_").replace("-", "_")
    event_id, country = row["event_id"], row["country"]
    properties: dict[str, Any] = {
        "[Amplitude] Page Location": row["page_url"],
        **{key: row[key] for key in PROPERTIES},
        "click_x": number_or_text(row["click_x"]) if row["click_x"] is not None else None,
        "click_y": number_or_text(row["click_y"]) if row["click_y"] is not None else None,
        "$revenue": number_or_text(row["revenue"]) if row["revenue"] is not None else None,
        **json.loads(row["properties"] or "{}"),
    }
    return without_nulls(
        {
            "$insert_id": event_id,
            "uuid": str(uuid.uuid5(_UUID_NAMESPACE, event_id)) if event_id else None,
            "event_type": EVENT_NAMES.get(normalized, name),
            "device_id": row["anonymous_id"],
            "user_id": row["user_id"],
            "session_id": session_starts.get(row["session_id"], -1) if row["session_id"] else -1,
            "event_time": export_time(row["occurred_at"]),
            "client_event_time": export_time(row["occurred_at"]),
            "server_received_time": export_time(row["received_at"]),
            "server_upload_time": export_time(row["received_at"]),
            "event_properties": without_nulls(properties),
            "platform": "Web",
            **DEVICE_FIELDS.get(row["device_type"] or "", {}),
            "country": COUNTRY_NAMES.get(country, country) if country else None,
        }
    )
