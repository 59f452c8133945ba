"""The generator's raw events as GA4's BigQuery event export writes them, exported as JSON
lines (https://support.google.com/analytics/answer/7029846): one record per event, INT64
fields as JSON strings as BigQuery's JSON export writes them, ``event_params`` as the
repeated key/value record.

page_view stays page_view; product_viewed, product_added, checkout_started and
order_completed become GA4's recommended view_item, add_to_cart, begin_checkout and purchase
(every spelling of ours); other names stay as generated. event_timestamp is the occurred time
in microseconds and event_server_timestamp_offset the delay to received_at. ga_session_id is
the start (epoch seconds) of the generator's session; page_location, page_referrer and the
UTM columns (collected_traffic_source.manual_*) are GA4's own fields; geo.country is the
English country name; element, click_x, click_y and feature_name are parameters of those
names, the product an ``items`` entry, revenue the ``value`` parameter of purchase, and the
generator's properties more parameters.

GA4 has no event id (the mapping, macro ga4_event_contract, derives one from the event's
fields) and its received time is an offset: so the generator's rows without an event_id and
those whose received_at is null cannot be written, and are left out (``records`` says how
many). Every other defect is carried over as a value (a malformed time or number the same
text), so the mapping quarantines the same rows as the contract does.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa

from bawh.trackers._values import number_or_text, without_nulls

# GA4's recommended names of our canonical events (by normalized name).
EVENT_NAMES: dict[str, str] = {
    "product_viewed": "view_item",
    "product_added": "add_to_cart",
    "checkout_started": "begin_checkout",
    "order_completed": "purchase",
}
# English names (as GA4's geo.country writes them) of the generator's country codes; another
# code is written as is (the mapping reads a two-letter code as a code).
COUNTRY_NAMES: dict[str, str] = {
    "AU": "Australia", "BR": "Brazil", "CA": "Canada", "CH": "Switzerland", "DE": "Germany",
    "ES": "Spain", "FR": "France", "GB": "United Kingdom", "IN": "India", "JP": "Japan",
    "NL": "Netherlands", "SE": "Sweden", "US": "United States",
}  # fmt: skip
PARAMETERS: tuple[str, ...] = ("element", "click_x", "click_y", "feature_name")
UTM_FIELDS: dict[str, str] = {
    "utm_source": "manual_source",
    "utm_medium": "manual_medium",
    "utm_campaign": "manual_campaign_name",
    "utm_content": "manual_content",
    "utm_term": "manual_term",
}
_GENERATED_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$")


def records(events: pa.Table) -> tuple[list[dict[str, Any]], int]:
    """One GA4 export record per raw row of ``events`` (EVENT_COLUMNS) that GA4 can
    represent, and the number of rows left out (no event_id, or no received_at)."""
    rows = events.to_pylist()
    session_starts: dict[str, int] = {}
    for row in rows:
        micros = epoch_micros(row["occurred_at"])
        if row["session_id"] is not None and isinstance(micros, int):
            start = micros // 1_000_000
            session_starts[row["session_id"]] = min(start, session_starts.get(row["session_id"], start))
    written = [
        _record(row, session_starts)
        for row in rows
        if row["event_id"] is not None and row["received_at"] is not None
    ]
    return written, len(rows) - len(written)


def write_jsonl(events: pa.Table, directory: Path) -> list[Path]:
    """Write the records as ``directory/ga4-00000.jsonl``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ga4-00000.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for record in records(events)[0]:
            handle.write(json.dumps(record) + "\n")
    return [path]


def epoch_micros(text: str | None) -> int | str | None:
    """A generated UTC time ('2026-09-01 08:25:18.357') as epoch microseconds; other text
    (a defect) unchanged."""
    if text is None or not _GENERATED_TIME.match(text):
        return text
    moment = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)
    return round(moment.timestamp() * 1_000_000)


def _param(key: str, value: object) -> dict[str, Any]:
    """One entry of event_params: text in string_value, an integer in int_value (a string,
    as BigQuery's JSON export writes INT64), a fraction in double_value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {"key": key, "value": {"string_value": str(value)}}
    if isinstance(value, int):
        return {"key": key, "value": {"int_value": str(value)}}
    return {"key": key, "value": {"double_value": value}}


def _number(text: str | None) -> int | float | str | None:
    return number_or_text(text) if text is not None else None


def _record(row: dict[str, str | None], session_starts: dict[str, int]) -> dict[str, Any]:
    name = str(row["event_name"])
    normalized = name.strip().lower().replace(" ", "_").replace("-", "_")
    occurred, received = epoch_micros(row["occurred_at"]), epoch_micros(row["received_at"])
    if isinstance(occurred, int) and isinstance(received, int):
        offset: int | str | None = received - occurred
    else:  # a malformed received_at as its text; none when only occurred_at is malformed
        offset = None if isinstance(received, int) else received
    event_date = str(row["occurred_at"])[:10].replace("-", "") if isinstance(occurred, int) else None
    params: dict[str, object] = {
        "ga_session_id": session_starts.get(row["session_id"]) if row["session_id"] else None,
        "page_location": row["page_url"],
        "page_referrer": row["referrer_url"],
        **{key: _number(row[key]) for key in PARAMETERS},
        "value": _number(row["revenue"]),
        **json.loads(row["properties"] or "{}"),
    }
    country = row["country"]
    return without_nulls(
        {
            "event_date": event_date,
            "event_timestamp": str(occurred) if isinstance(occurred, int) else occurred,
            "event_name": EVENT_NAMES.get(normalized, name),
            "event_params": [_param(key, value) for key, value in params.items() if value is not None],
            "event_server_timestamp_offset": str(offset) if isinstance(offset, int) else offset,
            "user_id": row["user_id"],
            "user_pseudo_id": row["anonymous_id"],
            "device": without_nulls({"category": row["device_type"]}),
            "geo": without_nulls({"country": COUNTRY_NAMES.get(country, country) if country else None}),
            "collected_traffic_source": without_nulls(
                {field: row[column] for column, field in UTM_FIELDS.items()}
            ),
            "items": [{"item_id": row["product_id"]}] if row["product_id"] else None,
            "stream_id": "4178456110",
            "platform": "WEB",
        }
    )
