"""The generator's raw events as Mixpanel's raw event export writes them: JSON lines of
``{"event": ..., "properties": {...}}`` (https://developer.mixpanel.com/reference/raw-event-export),
exported with ``time_in_ms=true`` from a project created since 2023 (times in UTC).

Identity follows Mixpanel's simplified ID merge: an anonymous event has distinct_id
``$device:<device id>`` and ``$device_id``; an identified one distinct_id = ``$user_id`` and,
from a browser, ``$device_id``; a server-side event only the user's id. page_view becomes
``$mp_web_page_view`` and click ``$mp_click`` (Mixpanel's autocapture names, every spelling of
ours); other names stay as generated. The device type is what mixpanel-js sends instead:
``$os`` and ``$device``. Mixpanel has no session id: the generator's is sent as a
``session_id`` super property; element, click_x, click_y, feature_name, product_id and revenue
are properties of those names. Defects are carried over as values: a missing id or time is a
missing key, a malformed time or number the same text, so the mapping (macro
mixpanel_event_contract) quarantines the same rows as the contract does.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa

from bawh.trackers._values import number_or_text, without_nulls

# Mixpanel's autocapture names of our canonical events (by normalized name).
EVENT_NAMES: dict[str, str] = {"page_view": "$mp_web_page_view", "click": "$mp_click"}
# What mixpanel-js sends for a device type: $os and $device ('' on a desktop browser).
DEVICE_PROPERTIES: dict[str, dict[str, str]] = {
    "desktop": {"$os": "Windows", "$device": ""},
    "mobile": {"$os": "iOS", "$device": "iPhone"},
    "tablet": {"$os": "iOS", "$device": "iPad"},
}
SAME_NAMED: tuple[str, ...] = ("session_id", "element", "feature_name", "product_id")
NUMBERS: tuple[str, ...] = ("click_x", "click_y", "revenue")
UTM: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
_GENERATED_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$")


def records(events: pa.Table) -> list[dict[str, Any]]:
    """One Mixpanel export record per raw row of ``events`` (EVENT_COLUMNS)."""
    return [_record(row) for row in events.to_pylist()]


def write_jsonl(events: pa.Table, directory: Path) -> list[Path]:
    """Write the records as ``directory/mixpanel-00000.jsonl``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "mixpanel-00000.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for record in records(events):
            handle.write(json.dumps(record) + "\n")
    return [path]


def epoch_ms(text: str | None) -> int | str | None:
    """A generated UTC time ('2026-09-01 08:25:18.357') as epoch milliseconds; other text
    (a defect) unchanged."""
    if text is None or not _GENERATED_TIME.match(text):
        return text
    try:
        moment = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)
    except ValueError:  # the shape of a time, not a time: '2026-13-45 25:61:00'
        return text
    return round(moment.timestamp() * 1000)


def _record(row: dict[str, str | None]) -> dict[str, Any]:
    name = str(row["event_name"])
    normalized = name.strip().lower().replace(" ", "_").replace("-", "_")
    anonymous_id, user_id = row["anonymous_id"], row["user_id"]
    distinct_id = user_id or (f"$device:{anonymous_id}" if anonymous_id else None)
    properties: dict[str, Any] = {
        "time": epoch_ms(row["occurred_at"]),
        "distinct_id": distinct_id,
        "$device_id": anonymous_id,
        "$user_id": user_id,
        "$insert_id": row["event_id"],
        "mp_processing_time_ms": epoch_ms(row["received_at"]),
        "$current_url": row["page_url"],
        # mixpanel-js sends '$direct' when the browser has no referrer
        "$referrer": row["referrer_url"] or ("$direct" if row["page_url"] else None),
        **{key: row[key] for key in UTM},
        **DEVICE_PROPERTIES.get(str(row["device_type"]), {}),
        "mp_country_code": row["country"],
        **{key: row[key] for key in SAME_NAMED},
        **{key: number_or_text(str(row[key])) for key in NUMBERS if row[key] is not None},
        **json.loads(row["properties"] or "{}"),
    }
    return {"event": EVENT_NAMES.get(normalized, name), "properties": without_nulls(properties)}
