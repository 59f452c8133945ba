"""Value conversions the tracker writers share (bawh.trackers.segment, bawh.trackers.snowplow)."""

from __future__ import annotations

import json
import re
from typing import Any

_GENERATED_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$")
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
# The contract columns that a tracker without fields of its own for them carries as properties.
PROPERTY_COLUMNS: tuple[str, ...] = ("element", "click_x", "click_y", "feature_name", "product_id", "revenue")


def utc_iso(text: str | None) -> str | None:
    """A generated UTC time ('2026-09-01 08:25:18.357') as ISO 8601 with Z
    ('2026-09-01T08:25:18.357Z'); other text (a defect) unchanged."""
    match = _GENERATED_TIME.match(text) if text is not None else None
    return f"{match.group(1)}T{match.group(2)}Z" if match else text


def number_or_text(text: str) -> int | float | str:
    """A numeric text as a JSON number (trackers send numbers as numbers); other text (a
    defect such as 'N/A' or '12px') unchanged."""
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


def without_nulls(values: dict[str, Any]) -> dict[str, Any]:
    """The entries whose value is neither None nor an empty dict (a tracker omits them)."""
    return {key: value for key, value in values.items() if value is not None and value != {}}


def properties_with_columns(row: dict[str, Any]) -> dict[str, Any]:
    """The row's properties object, plus each of PROPERTY_COLUMNS the row sets (numbers as
    JSON numbers), which take precedence over a property of the same name."""
    properties: dict[str, Any] = json.loads(row["properties"]) if row["properties"] else {}
    for column in PROPERTY_COLUMNS:
        if row[column] is not None:
            properties[column] = number_or_text(row[column])
    return properties
