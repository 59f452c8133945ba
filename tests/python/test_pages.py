"""Page friction and click heatmap end to end: generated events built by dbt, rage clicks per
page and the click heatmap recomputed in plain Python from the generated clean events.

The oracle reads only the generator's output: a clean row's true session and person, its
event name, page URL, element, device type, click position and time. It does not read any
model. The rage click rule (dbt_project.yml vars rage_click_min_clicks and
rage_click_window_seconds; macro rage_clicks) is restated here: at least N clicks or error
clicks on one element of one page in one true session, first to last at most W ms apart.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from bawh.generator import GeneratorConfig, generate, write_parquet
from conftest import DbtRun, build_from_landing

pytestmark = pytest.mark.slow

CONFIG = GeneratorConfig(persons=500, days=20, seed=7)
MIN_CLICKS = 3
WINDOW_MS = 5_000
CELL_PX = 50
CLICK_EVENTS = ("click", "error_click")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

PageCounts = tuple[int, int, int]  # clicks, error clicks, rage clicks
CellKey = tuple[str, str, int, int]  # page path, device type, cell column, cell row
CellCounts = tuple[int, int, int, int]  # clicks, error clicks, rage clicks, persons


@dataclass(frozen=True)
class Click:
    event_id: str
    session: str
    person: str
    page_path: str
    element: str | None
    device_type: str | None
    occurred_ms: int
    is_error: bool
    x: int | None
    y: int | None


def event_name(raw: str) -> str:
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


def epoch_ms(text: str) -> int:
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return (moment - EPOCH) // datetime.timedelta(milliseconds=1)


def page_path(url: str) -> str:
    return urlsplit(url).path or "/"


def optional_int(text: str | None) -> int | None:
    return None if text is None else int(text)


def rage_click_ids(clicks: list[Click]) -> set[str]:
    """Clicks in a burst: sort each (session, page, element) by time, and flag every run of
    MIN_CLICKS consecutive clicks whose first and last are at most WINDOW_MS apart."""
    targets: dict[tuple[str, str, str], list[Click]] = defaultdict(list)
    for click in clicks:
        if click.element is not None:
            targets[(click.session, click.page_path, click.element)].append(click)
    flagged: set[str] = set()
    for target_clicks in targets.values():
        ordered = sorted(target_clicks, key=lambda click: (click.occurred_ms, click.event_id))
        for end in range(MIN_CLICKS - 1, len(ordered)):
            run = ordered[end - MIN_CLICKS + 1 : end + 1]
            if run[-1].occurred_ms - run[0].occurred_ms <= WINDOW_MS:
                flagged.update(click.event_id for click in run)
    return flagged


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Click], DbtRun]:
    work_dir = tmp_path_factory.mktemp("pages")
    generated = generate(CONFIG)
    write_parquet(generated.events, work_dir / "landing", rows_per_file=40_000)
    run = build_from_landing(
        work_dir,
        str(work_dir / "landing" / "*.parquet"),
        select=("+rpt_click_heatmap", "+rpt_page_friction"),
        rage_click_min_clicks=MIN_CLICKS,
        rage_click_window_seconds=WINDOW_MS // 1000,
        click_heatmap_cell_px=CELL_PX,
    )
    clicks = [
        Click(
            event_id=event["event_id"],
            session=truth["true_session_id"],
            person=truth["true_person_id"],
            page_path=page_path(event["page_url"]),
            element=event["element"],
            device_type=event["device_type"],
            occurred_ms=epoch_ms(event["occurred_at"]),
            is_error=event_name(event["event_name"]) == "error_click",
            x=optional_int(event["click_x"]),
            y=optional_int(event["click_y"]),
        )
        for event, truth in zip(generated.events.to_pylist(), generated.truth.to_pylist(), strict=True)
        if truth["row_kind"] == "clean" and event_name(event["event_name"]) in CLICK_EVENTS
    ]
    return clicks, run


def test_rage_clicks_per_page_equal_the_rule_applied_to_true_sessions(
    built: tuple[list[Click], DbtRun],
) -> None:
    clicks, run = built
    rage = rage_click_ids(clicks)
    expected: dict[str, PageCounts] = defaultdict(lambda: (0, 0, 0))
    for click in clicks:
        n_clicks, n_errors, n_rage = expected[click.page_path]
        expected[click.page_path] = (
            n_clicks + 1,
            n_errors + click.is_error,
            n_rage + (click.event_id in rage),
        )
    actual = {
        row[0]: (row[1], row[2], row[3])
        for row in run.query(
            "select page_path, n_clicks, n_error_clicks, n_rage_clicks"
            " from reports.rpt_page_friction where n_clicks > 0"
        )
    }
    # The generator makes rage bursts after some error clicks: the comparison has substance.
    assert len(rage) > 20
    assert actual == dict(expected)


def test_click_heatmap_equals_clicks_counted_per_cell(built: tuple[list[Click], DbtRun]) -> None:
    clicks, run = built
    rage = rage_click_ids(clicks)
    counts: dict[CellKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    persons: dict[CellKey, set[str]] = defaultdict(set)
    for click in clicks:
        if click.x is None or click.y is None:
            continue
        key = (
            click.page_path,
            click.device_type or "(not set)",
            click.x // CELL_PX,
            click.y // CELL_PX,
        )
        counts[key][0] += 1
        counts[key][1] += click.is_error
        counts[key][2] += click.event_id in rage
        persons[key].add(click.person)
    expected: dict[CellKey, CellCounts] = {
        key: (n_clicks, n_errors, n_rage, len(persons[key]))
        for key, (n_clicks, n_errors, n_rage) in counts.items()
    }
    rows = run.query(
        "select page_path, device_type, cell_column, cell_row, cell_x_start_px,"
        " cell_y_start_px, n_clicks, n_error_clicks, n_rage_clicks, n_persons"
        " from reports.rpt_click_heatmap"
    )
    assert all(row[4] == row[2] * CELL_PX and row[5] == row[3] * CELL_PX for row in rows)
    actual = {tuple(row[:4]): tuple(row[6:]) for row in rows}
    assert len(expected) > 100
    assert actual == expected
