"""The dashboard in a real browser: Debian's headless Chromium, driven by Selenium through
Debian's chromedriver (given explicitly, so Selenium Manager never downloads anything).

Streamlit serves the app on a free loopback port against a publication of the demo build.
Every page of the sidebar is opened; the test asserts no exception element and no error
message, compares the page's headline number with the same number queried from the published
marts here (independently of bawh.dashboard.queries), and saves a screenshot per page in
target/screenshots/. `make test` installs chromium and chromium-driver (make browser-deps).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from streamlit.testing.v1 import AppTest

from bawh import publish
from conftest import PROJECT_DIR, DbtRun

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APP = PROJECT_DIR / "src" / "bawh" / "dashboard" / "app.py"
SCREENSHOTS = PROJECT_DIR / "target" / "screenshots"

# url path -> (headline metric's label, the same number from the published marts).
# The dashboard's default filters select everything, so these are whole-publication numbers.
HEADLINES = {
    "": ("Sessions", "select count(*) from marts.fct_sessions"),
    "traffic": ("Sessions in the hourly report", "select count(*) from marts.fct_sessions"),
    "channels": (
        "Channels with sessions",
        "select count(distinct coalesce(channel_group, 'Unassigned')) from marts.fct_sessions",
    ),
    "correlations": (
        "Hour x channel rows with sessions",
        "select count(*) from reports.rpt_channel_traffic_hourly where sessions > 0",
    ),
    "retention": (
        "Persons in the cohorts",
        "select sum(n_cohort_persons) from reports.rpt_retention_weekly_first_time_on"
        " where period_number = 0",
    ),
    "funnel": (
        "Persons who entered the first step",
        "select n_persons_entered from reports.rpt_funnel_steps where step_number = 1"
        " order by funnel_name limit 1",
    ),
    "adoption": (
        "Features", "select count(distinct feature_name) from reports.rpt_feature_adoption_weekly"
    ),
    "friction": (
        "Clicks on the heatmap (selected devices)",
        "select sum(n_clicks) from reports.rpt_click_heatmap",
    ),
    "segments": ("Persons in segments", "select count(*) from marts.dim_persons"),
    "health": (
        "Error anomalies",
        "select count(*) from reports.rpt_data_anomalies where severity = 'error'",
    ),
    # the first experiment by key (the page's default: checkout_button on the demo)
    "experiments": (
        "Analysed persons",
        "select count(*) from marts.fct_experiment_exposures where is_analysed"
        " and experiment_key = (select min(experiment_key) from marts.dim_experiment_variants)",
    ),
    "predictions": (
        "Persons scored",
        "select count(*) from marts.fct_person_features"
        " where snapshot_date = (select max(snapshot_date) from marts.fct_person_features)",
    ),
}
OVERVIEW_KPIS = {
    "Persons": "select count(*) from marts.dim_persons",
    "Sessions": "select count(*) from marts.fct_sessions",
    "Revenue": "select cast(round(sum(revenue), 2) as double) from marts.dim_persons",
}
HEALTH_KPIS = {
    "Warn anomalies": "select count(*) from reports.rpt_data_anomalies where severity = 'warn'",
    "Stale event names": "select count(*) from reports.rpt_data_freshness"
    " where freshness_status <> 'ok' and event_name <> 'all'",
}
# The data health page's message for each of its tables without rows, in the page's order (the
# demo is too small for an anomaly and reads no landing files).
HEALTH_EMPTY_STATES = {
    "reports.rpt_data_anomalies":
        "No data anomalies in this publication: every checked hour is inside its band.",
    "reports.rpt_landing_schema_changes":
        "No landing schema changes in this publication (the landing files have the same"
        " columns, or the events come from a table).",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def publication(tmp_path_factory: pytest.TempPathFactory, demo_build: DbtRun) -> Path:
    """A publication of the shared demo build (the committed demo seed)."""
    root = tmp_path_factory.mktemp("dashboard") / "publication"
    publish.publish(demo_build.warehouse, root)
    return root


@contextlib.contextmanager
def _streamlit(publication_root: Path) -> Iterator[str]:
    """Serve the app on a free loopback port; yields its url once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.headless", "true", "--server.address", "127.0.0.1",
            "--server.port", str(port), "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
        ],
        env={**os.environ, "BAWH_PUBLICATION": str(publication_root)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(publication: Path) -> Iterator[str]:
    with _streamlit(publication) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    assert not missing, f"{missing} missing: run `make browser-deps` (Debian chromium packages)"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory() as profile:
        for flag in (
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--window-size=1400,1000",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def _query(publication: Path, sql: str) -> float:
    with duckdb.connect(str(publish.current_catalog(publication)), read_only=True) as connection:
        row = connection.execute(sql).fetchone()
    assert row is not None and row[0] is not None, sql
    return float(row[0])


def _open(browser: WebDriver, url: str) -> dict[str, str]:
    """Load a page and wait until it has rendered; returns its metrics (label -> value)."""
    browser.get(url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        running = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        rendered = browser.find_elements(
            By.CSS_SELECTOR,
            '[data-testid="stMetric"], [data-testid="stAlert"], [data-testid="stException"]',
        )
        if rendered and not running:
            break
    time.sleep(1.5)  # let the charts draw for the screenshot
    metrics = {}
    for metric in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]'):
        label = metric.find_element(By.CSS_SELECTOR, '[data-testid="stMetricLabel"]').text
        value = metric.find_element(By.CSS_SELECTOR, '[data-testid="stMetricValue"]').text
        metrics[label.strip()] = value.strip()
    return metrics


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.browser
def test_the_sidebar_lists_every_page(server: str, browser: WebDriver) -> None:
    _open(browser, server)
    links = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNavLink"]')
    paths = {link.get_attribute("href").removeprefix(server).strip("/") for link in links}
    assert paths == set(HEADLINES)


@pytest.mark.browser
@pytest.mark.parametrize("path", list(HEADLINES))
def test_page_renders_its_headline_number_from_the_marts(
    path: str, server: str, browser: WebDriver, publication: Path
) -> None:
    metrics = _open(browser, f"{server}/{path}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{path or 'overview'}.png"))
    exceptions = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    assert [element.text for element in exceptions] == []
    alerts = [element.text for element in browser.find_elements(
        By.CSS_SELECTOR, '[data-testid="stAlert"]')]
    label, sql = HEADLINES[path]
    if path == "funnel" and not _table_exists(publication, "reports", "rpt_funnel_steps"):
        # the funnel report is optional in a publication: its empty state is a message
        assert alerts == ["No funnel in this publication yet (reports.rpt_funnel_steps is not built)."]
        return
    empty_states = HEALTH_EMPTY_STATES if path == "health" else {}
    assert alerts == [
        message for table, message in empty_states.items()
        if _query(publication, f"select count(*) from {table}") == 0
    ]
    assert label in metrics, f"no metric {label!r} on /{path}: {metrics}"
    assert _number(metrics[label]) == _query(publication, sql)
    for kpi, kpi_sql in {"": OVERVIEW_KPIS, "health": HEALTH_KPIS}.get(path, {}).items():
        assert _number(metrics[kpi]) == _query(publication, kpi_sql), kpi


def _table_exists(publication: Path, schema: str, table: str) -> bool:
    return bool(_query(
        publication,
        "select count(*) from information_schema.tables"
        f" where table_schema = '{schema}' and table_name = '{table}'",
    ))


@pytest.mark.browser
def test_a_missing_publication_shows_a_message(tmp_path: Path, browser: WebDriver) -> None:
    with _streamlit(tmp_path / "none") as url:
        _open(browser, f"{url}/channels")
        assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]') == []
        alerts = [element.text for element in browser.find_elements(
            By.CSS_SELECTOR, '[data-testid="stAlert"]')]
        assert len(alerts) == 1 and "No publication at" in alerts[0]


@pytest.mark.browser
def test_a_publication_without_the_health_experiment_or_prediction_tables_shows_a_message(
    tmp_path: Path, browser: WebDriver
) -> None:
    """A publication from before the data-health reports, the experiment readouts and the
    predictions (here: a catalog without tables)."""
    (tmp_path / "current").mkdir()
    duckdb.connect(str(tmp_path / "current" / "catalog.duckdb")).close()
    with _streamlit(tmp_path) as url:
        for path, message, table in (
            ("health", "No data-health reports in this publication yet (",
             "reports.rpt_data_anomalies"),
            ("experiments", "No experiment readouts in this publication yet (",
             "marts.dim_experiment_variants"),
            ("predictions", "No predictions in this publication yet (",
             "reports.rpt_model_evaluation"),
        ):
            _open(browser, f"{url}/{path}")
            assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]') == []
            alerts = [element.text for element in browser.find_elements(
                By.CSS_SELECTOR, '[data-testid="stAlert"]')]
            assert len(alerts) == 1, (path, alerts)
            assert alerts[0].startswith(message), path
            assert table in alerts[0], path


# The demo's experiments; recommendations_v2's split is broken (a sample ratio mismatch).
EXPERIMENTS = ("checkout_button", "homepage_copy_aa", "recommendations_v2")


@pytest.mark.browser
@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_experiments_page_reads_out_each_experiment_and_flags_a_broken_split(
    experiment: str, server: str, browser: WebDriver, publication: Path
) -> None:
    """Each experiment, chosen by its link (?experiment=<key>): its persons from the marts,
    its readout table and lift chart, and the sample ratio mismatch banner exactly when the
    report flags one (on the demo: recommendations_v2 only), with the report's p-value."""
    metrics = _open(browser, f"{server}/experiments?experiment={experiment}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"experiments-{experiment}.png"))
    assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]') == []
    chosen = browser.find_element(By.CSS_SELECTOR, '[data-testid="stSelectbox"] input')
    assert chosen.get_attribute("value") == experiment
    where = f"where experiment_key = '{experiment}'"
    assert _number(metrics["Analysed persons"]) == _query(
        publication, f"select count(*) from marts.fct_experiment_exposures {where} and is_analysed"
    )
    assert _number(metrics["Excluded persons"]) == _query(
        publication,
        f"select count(*) from marts.fct_experiment_exposures {where} and not is_analysed",
    )
    alerts = [element.text for element in browser.find_elements(
        By.CSS_SELECTOR, '[data-testid="stAlert"]')]
    has_srm = _query(
        publication, f"select bool_or(has_srm)::int from reports.rpt_experiment_sample_ratios {where}"
    )
    assert bool(has_srm) == (experiment == "recommendations_v2")
    if has_srm:
        p_value = _query(
            publication, f"select max(srm_p_value) from reports.rpt_experiment_sample_ratios {where}"
        )
        assert p_value < 0.001
        assert alerts == [f"Sample ratio mismatch: p = {p_value:.1e}, results not trustworthy"]
    else:
        assert alerts == []
    # the split and the readout tables, and the lift chart
    assert len(browser.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]')) == 2
    assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')


@pytest.mark.browser
def test_an_experiment_without_analysed_persons_shows_a_message(
    tmp_path: Path, browser: WebDriver, publication: Path
) -> None:
    """A declared experiment nobody was exposed to yet: the demo's experiment tables, with
    checkout_button's persons taken out as the reports would have it."""
    (tmp_path / "current").mkdir()
    with duckdb.connect(str(tmp_path / "current" / "catalog.duckdb")) as catalog:
        catalog.execute(
            f"attach '{publish.current_catalog(publication)}' as demo (read_only)"
        )
        catalog.execute("create schema marts")
        catalog.execute("create schema reports")
        catalog.execute("""
            create table marts.dim_experiment_variants as
            select * from demo.marts.dim_experiment_variants
            where experiment_key = 'checkout_button'
        """)
        catalog.execute("""
            create table reports.rpt_experiment_sample_ratios as
            select * replace (
                0 as n_persons, 0.0 as expected_persons,
                cast(null as double) as observed_share, 0 as n_experiment_persons,
                0 as n_persons_multiple_variants, 0 as n_persons_undeclared_variant,
                cast(null as double) as chi_square, cast(null as double) as srm_p_value,
                false as has_srm
            )
            from demo.reports.rpt_experiment_sample_ratios
            where experiment_key = 'checkout_button'
        """)
        catalog.execute("""
            create table reports.rpt_experiment_results as
            select * from demo.reports.rpt_experiment_results where false
        """)
    with _streamlit(tmp_path) as url:
        metrics = _open(browser, f"{url}/experiments")
        assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]') == []
        assert metrics["Analysed persons"] == "0"
        assert metrics["Sample ratio p-value"] == "n/a"
        alerts = [element.text for element in browser.find_elements(
            By.CSS_SELECTOR, '[data-testid="stAlert"]')]
        assert alerts == [
            "No analysed persons in this experiment: no readout (nobody exposed in its period,"
            " or every exposed person excluded)."
        ]
        # the split table still shows, the readout and its chart do not
        assert len(browser.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]')) == 1
        assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]') == []


@pytest.mark.browser
def test_predictions_page_shows_the_models_segments_scores_and_audiences(
    server: str, browser: WebDriver, publication: Path
) -> None:
    """The Predictions page: its numbers from the marts, the quality, segment profile and
    audience tables, a calibration chart per classifier beside the segment sizes, the score
    histogram, the audience sizes and their entries and exits; then the upsell histogram."""
    metrics = _open(browser, f"{server}/predictions")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "predictions-full.png"))
    assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]') == []
    assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stAlert"]') == []
    assert _number(metrics["Segments"]) == _query(
        publication,
        "select count(distinct segment_number) from marts.fct_person_scores"
        " where model_sample = 'scoring'",
    )
    assert _number(metrics["Current audience members"]) == _query(
        publication, "select count(*) from marts.fct_audience_memberships where exited_at is null"
    )
    snapshot = _query(
        publication, "select cast(strftime(max(snapshot_date), '%Y%m%d') as int)"
        " from marts.fct_person_scores",
    )
    assert metrics["Scoring snapshot"].replace("-", "") == str(int(snapshot))
    assert len(browser.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]')) == 3
    classifiers = _query(
        publication, "select count(distinct model_name) from reports.rpt_model_calibration"
    )
    # calibration per classifier, segment sizes, score histogram, audience sizes, changes
    charts = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')
    assert len(charts) == classifiers + 4
    # the other score: the page reruns without an exception
    upsell = [
        label for label in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stRadio"] label')
        if label.text.startswith("Upsell")
    ]
    assert len(upsell) == 1
    upsell[0].click()
    time.sleep(1)
    deadline = time.monotonic() + 30
    while browser.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'):
        assert time.monotonic() < deadline, "the page did not rerun"
        time.sleep(0.5)
    assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]') == []
    assert browser.find_elements(By.CSS_SELECTOR, '[data-testid="stAlert"]') == []
    chosen = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stRadio"] input')
    assert [element.is_selected() for element in chosen] == [False, True]
    charts = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')
    assert len(charts) == classifiers + 4
    browser.save_screenshot(str(SCREENSHOTS / "predictions-upsell.png"))


def test_filters_select_the_same_sessions_as_the_marts(
    publication: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sidebar's date range, channel and device, set through Streamlit's app tester (no
    browser needed to set widgets), give the overview the numbers of the same selection."""
    monkeypatch.setenv("BAWH_PUBLICATION", str(publication))
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.sidebar.date_input(key="date_range").set_value(
        (datetime.date(2026, 10, 8), datetime.date(2026, 10, 21))
    )
    app.sidebar.multiselect(key="channels").select("Direct").select("Organic Search")
    app.sidebar.multiselect(key="devices").select("mobile")
    app.run()
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    selection = (
        "from marts.fct_sessions where session_date between date '2026-10-08'"
        " and date '2026-10-21' and channel_group in ('Direct', 'Organic Search')"
        " and device_type = 'mobile'"
    )
    sessions = _query(publication, f"select count(*) {selection}")
    assert 0 < sessions < _query(publication, "select count(*) from marts.fct_sessions")
    assert _number(metrics["Sessions"]) == sessions
    assert _number(metrics["Persons"]) == _query(
        publication, f"select count(distinct person_id) {selection}"
    )
    assert _number(metrics["Revenue"]) == _query(
        publication, f"select cast(round(coalesce(sum(revenue), 0), 2) as double) {selection}"
    )
