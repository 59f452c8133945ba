"""`bawh monitor`: the incidents of a tiny hand-made warehouse, printed and sent once to a local
webhook that can be told to fail."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from bawh import monitor
from bawh.cli import main
from bawh.delivery import DeliveryFailed
from conftest import Webhook

ANOMALY_COLUMNS = (
    "anomaly_id varchar, anomaly_kind varchar, metric varchar, event_name varchar,"
    " device_type varchar, channel_group varchar, column_name varchar, hour_at timestamp,"
    " observed double, expected double, lower_bound double, upper_bound double, z_score double,"
    " severity varchar"
)
FRESHNESS_COLUMNS = (
    "event_name varchar, newest_occurred_at timestamp, newest_received_at timestamp,"
    " as_of timestamp, hours_since_received double, median_lag_seconds double,"
    " p95_lag_seconds double, freshness_status varchar"
)
AS_OF = datetime.datetime(2026, 10, 1)

DROP = (
    "a-drop",
    "drop",
    "events",
    "checkout_started",
    "all",
    "all",
    None,
    datetime.datetime(2026, 9, 20, 14),
    0.0,
    31.0,
    12.0,
    50.0,
    -4.2,
    "error",
)
SPIKE = (
    "a-spike",
    "spike",
    "events",
    "page_view",
    "mobile",
    "all",
    None,
    datetime.datetime(2026, 9, 19, 9),
    412.0,
    150.5,
    90.0,
    210.0,
    5.1,
    "warn",
)
NULL_RATE = (
    "a-null",
    "null_rate_rise",
    "null_rate",
    "signup",
    "all",
    "all",
    "utm_source",
    datetime.datetime(2026, 9, 22, 3),
    0.125,
    0.02,
    0.0,
    0.05,
    3.3,
    "warn",
)


def freshness(event_name: str, hours: float, status: str) -> tuple[object, ...]:
    received = AS_OF - datetime.timedelta(hours=hours)
    return (event_name, received, received, AS_OF, hours, 40.0, 300.0, status)


STALE_PAGE_VIEW = freshness("page_view", 7.5, "warn")
FRESH_ALL = freshness("all", 0.2, "ok")

DROP_LINE = (
    "error  drop  events of checkout_started (all devices) at 2026-09-20 14:00:"
    " 0 against 31 expected (band 12-50)"
)
SPIKE_LINE = (
    "warn  spike  events of page_view (mobile) at 2026-09-19 09:00: 412 against 150.5 expected (band 90-210)"
)
NULL_RATE_LINE = (
    "warn  null_rate_rise  null_rate of utm_source in signup (all devices) at 2026-09-22 03:00:"
    " 0.125 against 0.02 expected (band 0-0.05)"
)
STALE_LINE = "warn  freshness  page_view: newest row received 7.5 h before 2026-10-01 00:00"


def make_warehouse(
    path: Path, anomalies: Sequence[tuple[object, ...]], feeds: Sequence[tuple[object, ...]]
) -> Path:
    """The two monitoring reports, as dbt would build them, with these rows."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema reports")
        connection.execute(f"create table reports.rpt_data_anomalies ({ANOMALY_COLUMNS})")
        connection.execute(f"create table reports.rpt_data_freshness ({FRESHNESS_COLUMNS})")
    add_rows(path, anomalies, feeds)
    return path


def add_rows(
    path: Path, anomalies: Sequence[tuple[object, ...]], feeds: Sequence[tuple[object, ...]] = ()
) -> None:
    with duckdb.connect(str(path)) as connection:
        for row in anomalies:
            connection.execute(f"insert into reports.rpt_data_anomalies values ({', '.join('?' * 14)})", row)
        for row in feeds:
            connection.execute(f"insert into reports.rpt_data_freshness values ({', '.join('?' * 8)})", row)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """One error (a drop), two warnings (a spike, a stale feed) and a fresh feed."""
    return make_warehouse(tmp_path / "wh.duckdb", [DROP, SPIKE], [STALE_PAGE_VIEW, FRESH_ALL])


def run(warehouse: Path, *options: str) -> int:
    return main(["monitor", "--warehouse", str(warehouse), *options])


def test_prints_new_incidents_errors_first_and_fails_on_an_error(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(warehouse) == 1
    assert capsys.readouterr().out.splitlines() == [
        DROP_LINE,
        SPIKE_LINE,
        STALE_LINE,
        "3 new incidents (1 error, 2 warn); 0 already sent",
    ]
    state = json.loads((warehouse.parent / "wh.duckdb.monitor.json").read_text())
    assert set(state["sent"]) == {"a-drop", "a-spike", "freshness:page_view:2026-09-30T16:30:00"}
    assert all(datetime.datetime.fromisoformat(sent).tzinfo for sent in state["sent"].values())
    # written through a temporary file renamed over the state: none is left behind
    assert sorted(path.name for path in warehouse.parent.iterdir()) == ["wh.duckdb", "wh.duckdb.monitor.json"]


def test_only_warnings_exit_0_and_a_null_rate_names_its_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = make_warehouse(tmp_path / "wh.duckdb", [NULL_RATE], [STALE_PAGE_VIEW])
    assert run(warehouse) == 0
    assert capsys.readouterr().out.splitlines() == [
        NULL_RATE_LINE,
        STALE_LINE,
        "2 new incidents (2 warn); 0 already sent",
    ]


def test_a_fresh_feed_is_never_an_incident(
    tmp_path: Path, webhook: Webhook, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = make_warehouse(tmp_path / "wh.duckdb", [], [FRESH_ALL, freshness("page_view", 0.5, "ok")])
    assert run(warehouse, "--webhook", webhook.url) == 0
    assert capsys.readouterr().out.splitlines() == ["0 new incidents; 0 already sent"]
    assert webhook.bodies == []
    assert not (tmp_path / "wh.duckdb.monitor.json").exists()


def test_the_webhook_gets_each_incident_once(
    warehouse: Path, webhook: Webhook, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(warehouse, "--webhook", webhook.url) == 1
    assert webhook.lines() == [
        ["bawh monitor, wh.duckdb: 3 new incidents (1 error, 2 warn)", DROP_LINE, SPIKE_LINE, STALE_LINE]
    ]
    assert list(webhook.bodies[0]) == ["text"]
    assert webhook.content_types == ["application/json"]

    capsys.readouterr()
    assert run(warehouse, "--webhook", webhook.url) == 1  # the error is still there, though sent
    assert capsys.readouterr().out.splitlines() == ["0 new incidents; 3 already sent"]
    assert len(webhook.bodies) == 1

    add_rows(warehouse, [NULL_RATE])
    assert run(warehouse, "--webhook", webhook.url) == 1
    assert capsys.readouterr().out.splitlines() == [NULL_RATE_LINE, "1 new incident (1 warn); 3 already sent"]
    assert webhook.lines()[1:] == [["bawh monitor, wh.duckdb: 1 new incident (1 warn)", NULL_RATE_LINE]]


def test_a_long_message_lists_the_first_incidents_and_counts_the_rest(
    tmp_path: Path, webhook: Webhook, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = monitor.MAX_MESSAGE_LINES + 7
    spikes = [
        (f"spike-{i}", *SPIKE[1:7], datetime.datetime(2026, 9, 1) + datetime.timedelta(hours=i), *SPIKE[8:])
        for i in range(extra)
    ]
    warehouse = make_warehouse(tmp_path / "wh.duckdb", spikes, [])
    assert run(warehouse, "--webhook", webhook.url) == 0
    (lines,) = webhook.lines()
    assert len(lines) == 1 + monitor.MAX_MESSAGE_LINES + 1
    assert lines[-1] == "... and 7 more (bawh monitor prints them all)"
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == extra + 1  # every incident printed, then the count
    assert run(warehouse, "--webhook", webhook.url) == 0
    assert len(webhook.bodies) == 1  # all of them were recorded as sent


def test_a_feed_that_stalls_anew_is_alerted_again(
    tmp_path: Path, webhook: Webhook, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = make_warehouse(tmp_path / "wh.duckdb", [], [STALE_PAGE_VIEW])
    state = tmp_path / "elsewhere.json"
    assert run(warehouse, "--webhook", webhook.url, "--state", str(state)) == 0
    assert run(warehouse, "--webhook", webhook.url, "--state", str(state)) == 0
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("delete from reports.rpt_data_freshness")
    add_rows(warehouse, [], [freshness("page_view", 9.0, "error")])
    assert run(warehouse, "--webhook", webhook.url, "--state", str(state)) == 1
    assert [lines[1:] for lines in webhook.lines()] == [
        [STALE_LINE],
        ["error  freshness  page_view: newest row received 9.0 h before 2026-10-01 00:00"],
    ]
    assert len(json.loads(state.read_text())["sent"]) == 2
    assert not (tmp_path / "wh.duckdb.monitor.json").exists()


def test_min_severity_error_leaves_the_warnings_for_later(
    warehouse: Path, webhook: Webhook, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(warehouse, "--webhook", webhook.url, "--min-severity", "error") == 1
    assert capsys.readouterr().out.splitlines() == [DROP_LINE, "1 new incident (1 error); 0 already sent"]
    assert webhook.lines() == [["bawh monitor, wh.duckdb: 1 new incident (1 error)", DROP_LINE]]

    assert run(warehouse, "--webhook", webhook.url) == 1
    assert webhook.lines()[1][1:] == [SPIKE_LINE, STALE_LINE]


def test_a_refused_delivery_is_sent_by_the_next_run(
    warehouse: Path, webhook: Webhook, capsys: pytest.CaptureFixture[str]
) -> None:
    webhook.answers = [400]
    assert run(warehouse, "--webhook", webhook.url) == 2
    printed = capsys.readouterr()
    assert "3 new incidents (1 error, 2 warn); 0 already sent" in printed.out
    assert f"bawh: refused: {webhook.url} answered HTTP 400: invalid_payload {'x' * 184}\n" in printed.err
    assert len(webhook.bodies) == 1  # a 400 is not retried
    assert not (warehouse.parent / "wh.duckdb.monitor.json").exists()

    assert run(warehouse, "--webhook", webhook.url) == 1
    assert len(webhook.bodies) == 2
    assert webhook.bodies[1] == webhook.bodies[0]
    assert run(warehouse, "--webhook", webhook.url) == 1
    assert len(webhook.bodies) == 2


@pytest.mark.parametrize("failures", [[500, 503], [429, 599], [408, 502]])
def test_408_429_and_5xx_are_retried_with_exponential_backoff(
    webhook: Webhook, failures: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    webhook.answers = list(failures)
    monitor.post_webhook(webhook.url, "hello", retries=3, backoff_seconds=0.01)
    assert webhook.bodies == [{"text": "hello"}] * 3
    assert waits == [0.01, 0.02]


def test_retries_run_out(webhook: Webhook, tmp_path: Path) -> None:
    webhook.answers = [500] * 5
    with pytest.raises(DeliveryFailed, match=r"HTTP 500: invalid_payload x+ \(tried 3 times\)"):
        monitor.post_webhook(webhook.url, "hello", retries=2, backoff_seconds=0.01)
    assert len(webhook.bodies) == 3

    webhook.server.shutdown()
    webhook.server.server_close()  # nothing listens on the port any more
    report = monitor.Report(tmp_path / "wh.duckdb", [monitor.Incident("x", "warn", "x")], [])
    with pytest.raises(DeliveryFailed, match=r"could not be reached: .* \(tried 2 times\)"):
        monitor.deliver(report, tmp_path / "state.json", webhook.url, retries=1, backoff_seconds=0.01)
    assert not (tmp_path / "state.json").exists()


def test_a_missing_warehouse_or_report_says_to_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path / "nowhere.duckdb") == 2
    assert "No warehouse at" in capsys.readouterr().err
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    assert run(tmp_path / "empty.duckdb") == 2
    error = capsys.readouterr().err
    assert "rpt_data_anomalies" in error and "run `dbt build`" in error
