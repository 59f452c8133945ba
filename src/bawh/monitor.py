"""Alert once on the data incidents of a built warehouse: each row of
``reports.rpt_data_anomalies`` and each feed of ``reports.rpt_data_freshness`` that is not
'ok'. The new incidents are printed and, given a webhook, POSTed as one Slack-compatible
message; a JSON state file (default ``<warehouse>.monitor.json``) records the ids sent, so a
rerun sends only what is new and a failed delivery is sent again by the next run."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bawh.delivery import post_json, write_atomically

SEVERITIES = ("warn", "error")  # least severe first
RETRIES = 3
BACKOFF_SECONDS = 1.0  # the first retry's wait, doubled for each further retry
TIMEOUT_SECONDS = 10.0
MAX_MESSAGE_LINES = 50  # incidents listed in one webhook message (Slack cuts long messages)

ANOMALIES_QUERY = (
    "select anomaly_id, severity, anomaly_kind, metric, event_name, device_type, channel_group,"
    " column_name, hour_at, observed, expected, lower_bound, upper_bound"
    " from reports.rpt_data_anomalies order by hour_at, anomaly_id"
)
FRESHNESS_QUERY = (
    "select event_name, newest_received_at, as_of, hours_since_received, freshness_status"
    " from reports.rpt_data_freshness where freshness_status <> 'ok' order by event_name"
)


@dataclass(frozen=True)
class Incident:
    """One anomaly, or one feed that is not fresh."""

    incident_id: str  # stable across runs: the anomaly_id, or freshness:<event>:<newest received>
    severity: str  # 'warn' or 'error'
    text: str  # one line for people


@dataclass(frozen=True)
class Report:
    """The incidents present in a warehouse (at or above a severity), new or already sent."""

    warehouse: Path
    new: list[Incident]
    already_sent: list[Incident]

    @property
    def has_error(self) -> bool:
        """An error-level incident is present, whether sent now or before."""
        return any(incident.severity == "error" for incident in [*self.new, *self.already_sent])


def default_state(warehouse: Path) -> Path:
    """The state file beside the warehouse: <warehouse>.monitor.json."""
    return warehouse.with_name(f"{warehouse.name}.monitor.json")


def collect(warehouse: Path, state: Path, min_severity: str = "warn") -> Report:
    """The incidents of the warehouse at or above min_severity, errors first, split by
    whether the state file records them as sent."""
    threshold = SEVERITIES.index(min_severity)
    incidents = [
        incident for incident in read_incidents(warehouse) if SEVERITIES.index(incident.severity) >= threshold
    ]
    incidents.sort(key=lambda incident: -SEVERITIES.index(incident.severity))
    sent = read_state(state)
    return Report(
        warehouse=warehouse,
        new=[incident for incident in incidents if incident.incident_id not in sent],
        already_sent=[incident for incident in incidents if incident.incident_id in sent],
    )


def read_incidents(warehouse: Path) -> list[Incident]:
    """Every anomaly and every feed whose freshness is not 'ok' (read-only)."""
    if not warehouse.exists():
        raise FileNotFoundError(f"No warehouse at {warehouse}: run `dbt build` first.")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        try:
            anomalies = connection.execute(ANOMALIES_QUERY).fetchall()
            stale_feeds = connection.execute(FRESHNESS_QUERY).fetchall()
        except duckdb.CatalogException as error:
            raise FileNotFoundError(
                f"The warehouse at {warehouse} has no data monitoring reports ({error}): run `dbt build`."
            ) from error
    return [*(_anomaly(*row) for row in anomalies), *(_stale_feed(*row) for row in stale_feeds)]


def _anomaly(
    anomaly_id: str,
    severity: str,
    kind: str,
    metric: str,
    event_name: str,
    device_type: str,
    channel_group: str,
    column_name: str | None,
    hour_at: datetime.datetime,
    observed: float | None,
    expected: float | None,
    lower_bound: float | None,
    upper_bound: float | None,
) -> Incident:
    """'error  drop  events of checkout_started (all devices) at 2026-09-20 14:00: 0 against
    31 expected (band 12-50)'."""
    text = (
        f"{severity}  {kind}  {_subject(metric, event_name, device_type, channel_group, column_name)}"
        f" at {hour_at:%Y-%m-%d %H:%M}: {_number(observed)} against {_number(expected)} expected"
        f" (band {_number(lower_bound)}-{_number(upper_bound)})"
    )
    return Incident(anomaly_id, severity, text)


def _subject(
    metric: str, event_name: str, device_type: str, channel_group: str, column_name: str | None
) -> str:
    """What was measured: 'events of page_view (mobile)', 'sessions of channel Email',
    'rows_received', 'null_rate of page_url in page_view (all devices)'."""
    devices = "all devices" if device_type == "all" else device_type
    if metric == "sessions":
        return f"sessions of channel {channel_group}"
    if metric == "rows_received":
        return "rows_received"
    column = "" if column_name is None else f"{column_name} in "
    return f"{metric} of {column}{event_name} ({devices})"


def _stale_feed(
    event_name: str,
    newest_received_at: datetime.datetime,
    as_of: datetime.datetime,
    hours_since_received: float,
    status: str,
) -> Incident:
    """'warn  freshness  page_view: newest row received 7.5 h before 2026-10-01 00:00'; the id
    changes only when rows arrive, so one stall is alerted once."""
    feed = "all events" if event_name == "all" else event_name
    text = (
        f"{status}  freshness  {feed}: newest row received {hours_since_received:.1f} h"
        f" before {as_of:%Y-%m-%d %H:%M}"
    )
    return Incident(f"freshness:{event_name}:{newest_received_at.isoformat()}", status, text)


def _number(value: float | None) -> str:
    """31.0 -> '31', 0.125 -> '0.125', 12345.0 -> '12,345', None -> 'none'."""
    if value is None:
        return "none"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def read_state(state: Path) -> dict[str, str]:
    """Incident id -> when it was sent (ISO, UTC); empty when nothing was ever sent."""
    if not state.exists():
        return {}
    sent: dict[str, str] = json.loads(state.read_text(encoding="utf-8"))["sent"]
    return sent


def format_report(report: Report) -> str:
    """One line per new incident, then '3 new incidents (1 error, 2 warn); 5 already sent'."""
    count = f"{_count(report.new)}; {len(report.already_sent)} already sent"
    return "\n".join([*(incident.text for incident in report.new), count])


def _count(incidents: list[Incident]) -> str:
    """'3 new incidents (1 error, 2 warn)', '1 new incident (1 warn)', '0 new incidents'."""
    counts = Counter(incident.severity for incident in incidents)
    by_severity = ", ".join(f"{counts[name]} {name}" for name in reversed(SEVERITIES) if counts[name])
    noun = "incident" if len(incidents) == 1 else "incidents"
    return f"{len(incidents)} new {noun}" + (f" ({by_severity})" if by_severity else "")


def deliver(
    report: Report,
    state: Path,
    webhook: str | None = None,
    retries: int = RETRIES,
    backoff_seconds: float = BACKOFF_SECONDS,
) -> None:
    """Send the new incidents to the webhook (if any; one message listing the first
    MAX_MESSAGE_LINES, errors first), then record them all as sent in the state file; with
    no new incident nothing is sent or written. Raises DeliveryFailed."""
    if not report.new:
        return
    if webhook is not None:
        header = f"bawh monitor, {report.warehouse.name}: {_count(report.new)}"
        listed = [incident.text for incident in report.new[:MAX_MESSAGE_LINES]]
        more = len(report.new) - len(listed)
        footer = [f"... and {more} more (bawh monitor prints them all)"] if more else []
        text = "\n".join([header, *listed, *footer])
        post_webhook(webhook, text, retries=retries, backoff_seconds=backoff_seconds)
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    sent = read_state(state) | {incident.incident_id: now for incident in report.new}
    write_atomically(state, json.dumps({"sent": sent}, indent=2, sort_keys=True) + "\n")


def post_webhook(
    url: str,
    text: str,
    retries: int = RETRIES,
    backoff_seconds: float = BACKOFF_SECONDS,
    timeout_seconds: float = TIMEOUT_SECONDS,
) -> None:
    """POST {"text": text} as JSON (bawh.delivery.post_json): connection errors, timeouts, 408,
    429 and 5xx are retried up to `retries` times, waiting backoff_seconds, then twice as long
    each time. Any other refusal, a redirect included, or the last retry failing, raises
    DeliveryFailed."""
    post_json(
        url,
        {"text": text},
        max_attempts=retries + 1,
        backoff_seconds=backoff_seconds,
        timeout_seconds=timeout_seconds,
    )
