"""bawh.incidents and `bawh generate --incident`: each planted incident changes exactly the
rows it names, checked row by row against the events as generated."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bawh.cli import main
from bawh.generator import GeneratorConfig, generate
from bawh.incidents import Incident, plant, write_landing
from conftest import PROJECT_DIR, normalize_event_name

CONFIG = GeneratorConfig(
    persons=200,
    days=14,
    seed=8,
    start_date=datetime.date(2026, 9, 7),
    feature_catalog_path=PROJECT_DIR / "seeds" / "reference" / "feature_catalog.csv",
)
START, END = datetime.datetime(2026, 9, 12, 8), datetime.datetime(2026, 9, 13, 20)


@pytest.fixture(scope="module")
def events() -> pa.Table:
    return generate(CONFIG).events


def moment(text: str | None) -> datetime.datetime | None:
    """A generated timestamp; None for the malformed ones."""
    try:
        return datetime.datetime.fromisoformat(text or "")
    except ValueError:
        return None


def in_window(text: str | None) -> bool:
    time = moment(text)
    return time is not None and START <= time < END


def rows(table: pa.Table) -> list[dict[str, str | None]]:
    return table.to_pylist()


def by_id(table: pa.Table) -> dict[str | None, list[dict[str, str | None]]]:
    grouped: dict[str | None, list[dict[str, str | None]]] = {}
    for row in rows(table):
        grouped.setdefault(row["event_id"], []).append(row)
    return grouped


def test_an_event_that_stops_loses_its_rows_in_the_window_only(events: pa.Table) -> None:
    planted = plant(events, [Incident("event_stops", START, END, event_name="page_view")])

    def stopped(row: dict[str, str | None]) -> bool:
        name = row["event_name"]
        return (
            name is not None and normalize_event_name(name) == "page_view" and in_window(row["occurred_at"])
        )

    kept = [row for row in rows(events) if not stopped(row)]
    assert len(kept) < events.num_rows
    assert sorted(rows(planted), key=str) == sorted(kept, key=str)


def test_a_doubled_tag_adds_a_second_event_per_row_in_the_window(events: pa.Table) -> None:
    planted = plant(events, [Incident("tag_doubled", START, END, event_name="click")])
    doubled = [
        row
        for row in rows(events)
        if row["event_name"] is not None
        and normalize_event_name(row["event_name"]) == "click"
        and in_window(row["occurred_at"])
    ]
    assert doubled
    added = [row for row in rows(planted) if row["event_id"] and row["event_id"].endswith("-2")]
    assert sorted(added, key=str) == sorted(
        ({**row, "event_id": f"{row['event_id']}-2"} for row in doubled), key=str
    )
    assert planted.num_rows == events.num_rows + len(doubled)


def test_a_nulled_column_is_null_on_its_device_in_the_window_only(events: pa.Table) -> None:
    planted = plant(
        events, [Incident("column_nulled", START, END, device_type="mobile", column_name="page_url")]
    )
    before, after = by_id(events), by_id(planted)
    assert before.keys() == after.keys()
    n_nulled = 0
    for event_id, copies in before.items():
        for original, changed in zip(
            sorted(copies, key=str),
            sorted(after[event_id], key=lambda row: str({**row, "page_url": None})),
            strict=True,
        ):
            hit = original["device_type"] == "mobile" and in_window(original["occurred_at"])
            assert changed == ({**original, "page_url": None} if hit else original)
            n_nulled += hit and original["page_url"] is not None
    assert n_nulled > 0


def test_a_landing_stall_delivers_the_stalled_rows_at_its_end(events: pa.Table) -> None:
    planted = plant(events, [Incident("landing_stall", START, END)])
    received = [moment(row["received_at"]) for row in rows(planted)]
    assert not any(time is not None and START <= time < END for time in received)
    stalled = sum(1 for row in rows(events) if in_window(row["received_at"]))
    burst = sum(
        1 for time in received if time is not None and END <= time < END + datetime.timedelta(minutes=10)
    )
    normal = sum(
        1
        for row in rows(events)
        if (time := moment(row["received_at"])) and END <= time < END + datetime.timedelta(minutes=10)
    )
    assert stalled > 0 and burst == stalled + normal
    # arrival order: sorted by received_at, then event_id (nulls last)
    keys = [
        (row["received_at"] is None, row["received_at"] or "", row["event_id"] is None, row["event_id"] or "")
        for row in rows(planted)
    ]
    assert keys == sorted(keys)


def test_a_new_column_is_only_in_the_files_received_after_it_appeared(
    events: pa.Table, tmp_path: Path
) -> None:
    incident = Incident("column_added", START, END, column_name="app_version")
    paths = write_landing(plant(events, [incident]), tmp_path, [incident], rows_per_file=1_000)
    for path in paths:
        table = pq.read_table(path)
        received = [time for text in table["received_at"].to_pylist() if (time := moment(text))]
        if "app_version" in table.column_names:
            assert all(time >= START for time in received)
        else:
            assert all(time < START for time in received)
    assert sum(pq.read_metadata(path).num_rows for path in paths) == events.num_rows
    assert any("app_version" in pq.read_schema(path).names for path in paths)


def test_bawh_generate_plants_incidents_and_refuses_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [
        "generate",
        "--persons",
        "200",
        "--days",
        "14",
        "--seed",
        "8",
        "--start-date",
        "2026-09-07",
        "--feature-catalog",
        str(CONFIG.feature_catalog_path),
    ]
    stop = f"event_stops,{START.isoformat()},{END.isoformat()},event_name=page_view"
    assert main([*arguments, "--output", str(tmp_path / "landing"), "--incident", stop]) == 0
    assert f"planted event_stops {START:%Y-%m-%d %H:%M}" in capsys.readouterr().out
    written = pq.read_table(tmp_path / "landing")
    assert (
        written.num_rows
        == plant(
            generate(CONFIG).events, [Incident("event_stops", START, END, event_name="page_view")]
        ).num_rows
    )
    assert (
        main(
            [*arguments, "--output", str(tmp_path / "x"), "--truth", str(tmp_path / "t"), "--incident", stop]
        )
        == 2
    )
    for bad in (
        "event_stops",
        f"event_stops,{START.isoformat()},{END.isoformat()}",
        "flood,2026-09-12,2026-09-13",
    ):
        with pytest.raises(SystemExit) as exit_info:
            main([*arguments, "--output", str(tmp_path / "y"), "--incident", bad])
        assert exit_info.value.code == 2
