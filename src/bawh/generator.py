"""Synthetic product and clickstream events with a separate ground truth.

``generate`` simulates persons (with personas, churn, sign-ups and a second device for
some), their sessions (traffic source, landing page, page views, clicks, feature use,
a product funnel) and the delivery of each event by a tracker (latency, out-of-order and
late arrivals), then adds the defects a warehouse must handle: duplicate deliveries and
malformed rows. The raw rows come back in arrival order, every column as text, with one
ground-truth row per raw row saying what the row really is.

Everything is vectorized with numpy (no loop over persons, sessions or events) and drawn
from one ``numpy.random.default_rng(seed)``, so one configuration gives byte-identical
tables. Ten million events take 15-25 s to generate and under 3 s to write as Parquet on
two cores (about 6.5 GB of memory at the peak).

Guarantees of the clean events (the ones a correct pipeline keeps):

* Within a true person, across all their devices, events are strictly time-ordered and
  at least 1 s apart. Inside a session consecutive events are 1 s to 25 min apart;
  consecutive sessions of a person are at least 35 min apart; a session lasts under
  20 h and stays on one device. A 30-minute inactivity rule recovers the true sessions.
* Every session starts with a page_view carrying the session's traffic source.
* Every anonymous_id of a registered person has an event with the user_id: the sign_up
  on the first device, a login on the second.
* feature_used names only features launched on or before the event's UTC date.
* Sessions are never cut at the end of the period, so a few events fall on the day after.
* About a third of error clicks start a rage-click burst: 2-4 more clicks on the same
  element, 1-1.5 s apart (so 3 or more clicks within 5 s).
* Truth ``funnel_step`` numbers the checkout funnel stages (1 product_viewed, 2
  product_added, 3 checkout_started, 4 order_completed); within a session they come in
  stage order.

Traffic: the first event of a campaign session (email, paid_search, paid_social) has the
UTM parameters in its page_url's query string, and in ~70% of sessions in the utm_*
columns too; paid sessions also have the search engine or social network as referrer, so
a channel rule must look at UTM parameters before the referrer.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

__all__ = [
    "EVENT_COLUMNS",
    "TRUTH_COLUMNS",
    "GeneratedEvents",
    "GeneratorConfig",
    "generate",
    "persons_for_events",
    "write_csv",
    "write_parquet",
]

SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "anonymous_id",
    "user_id",
    "session_id",
    "event_name",
    "occurred_at",
    "received_at",
    "page_url",
    "referrer_url",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "device_type",
    "country",
    "element",
    "click_x",
    "click_y",
    "feature_name",
    "product_id",
    "revenue",
    "properties",
)
TRUTH_COLUMNS: tuple[str, ...] = (
    "raw_row_number",
    "event_id",
    "received_at",
    "row_kind",
    "expected_reason",
    "true_person_id",
    "true_session_id",
    "true_event_index",
    "persona",
    "channel",
    "funnel_step",
)

# --- Event names (the tracking plan) ------------------------------------------------------

EVENT_NAMES: tuple[str, ...] = (
    "page_view",
    "click",
    "scroll",
    "error_click",
    "feature_used",
    "product_viewed",
    "product_added",
    "checkout_started",
    "order_completed",
    "sign_up",
    "login",
)
(
    PAGE_VIEW,
    CLICK,
    SCROLL,
    ERROR_CLICK,
    FEATURE_USED,
    PRODUCT_VIEWED,
    PRODUCT_ADDED,
    CHECKOUT_STARTED,
    ORDER_COMPLETED,
    SIGN_UP,
    LOGIN,
) = range(len(EVENT_NAMES))
FUNNEL_STAGES: tuple[int, ...] = (PRODUCT_VIEWED, PRODUCT_ADDED, CHECKOUT_STARTED, ORDER_COMPLETED)


def _spellings(name: str) -> tuple[str, ...]:
    """Non-canonical spellings of ``name`` that normalize back to it
    (lower(trim(x)), then ' ' and '-' to '_'): 'Page View', ' PAGE_VIEW ', ..."""
    words = name.split("_")
    return (
        " ".join(word.capitalize() for word in words),
        f" {name.upper()} ",
        "-".join(word.upper() for word in words) + " ",
        "-".join(words) if len(words) > 1 else f"{name} ",
    )


N_SPELLINGS = 1 + len(_spellings("x"))  # the canonical name plus its variants
EVENT_NAME_STRINGS: tuple[str, ...] = tuple(
    s for name in EVENT_NAMES for s in (name, *_spellings(name))
)
SPELLING_RATE = 0.02

# --- Personas ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """How one kind of person behaves."""

    name: str
    share: float  # fraction of persons
    sessions_per_day: float  # expected sessions per day right after the first-seen day
    half_life_days: float  # account age (days) at which that rate has halved (churn)
    bounce_rate: float  # sessions that are a single page_view
    mean_events: float  # mean base events of a non-bounce session
    register_rate: float  # fraction who sign up
    feature_share: float  # share of feature_used among a session's later base events
    features_adopted: tuple[int, int]  # how many catalog features a person uses (min, max)
    product_view_rate: float  # sessions (non-bounce) that enter the product funnel


PERSONAS: tuple[Persona, ...] = (
    Persona("power", 0.10, 1.6, 45.0, 0.08, 16.0, 0.90, 0.28, (5, 8), 0.30),
    Persona("regular", 0.30, 0.55, 20.0, 0.20, 9.0, 0.70, 0.15, (3, 5), 0.35),
    Persona("casual", 0.40, 0.22, 8.0, 0.30, 5.0, 0.50, 0.07, (1, 3), 0.35),
    Persona("one_time", 0.20, 0.0, 1.0, 0.45, 3.0, 0.45, 0.03, (1, 2), 0.40),
)
# Later base events of a session other than feature_used, before scaling by 1 - feature_share.
BASE_EVENT_MIX: tuple[tuple[int, float], ...] = (
    (PAGE_VIEW, 0.42),
    (CLICK, 0.34),
    (SCROLL, 0.21),
    (ERROR_CLICK, 0.03),
)
# P(product_added | viewed), P(checkout_started | added), P(order_completed | checkout)
FUNNEL_STEP_RATES = (0.35, 0.55, 0.60)
MAX_PRODUCT_VIEWS = 4  # per session
# An error click is followed, this often, by a rage-click burst: RAGE_BURST_CLICKS more
# clicks on the same element, RAGE_CLICK_GAP_MS apart, replacing the interaction events
# (click, scroll, page_view) that came next in the session.
RAGE_BURST_RATE = 0.35
RAGE_BURST_CLICKS = (2, 4)  # min, max
RAGE_CLICK_GAP_MS = (SECOND_MS, 1_500)  # min, max
RAGE_CLICK_JITTER_PX = 6
MAX_EVENTS_PER_SESSION = 45  # 44 gaps of at most 25 min: every session lasts under 20 h
FIRST_SESSION_ANONYMOUS_WEIGHT = 0.65  # P(sign_up in session 1); else geometric later
SECOND_DEVICE_SHARE = 0.20  # of registered persons
SECOND_DEVICE_REUSE = 0.40  # P(a session after the second device's first is on it)

# --- Timing --------------------------------------------------------------------------------

# Relative session starts by UTC hour of day.
HOURLY_WEIGHTS: tuple[float, ...] = (
    2.0,
    1.5,
    1.0,
    1.0,
    1.0,
    1.5,
    2.5,
    4.0,
    5.5,
    6.5,
    7.0,
    7.0,
    6.5,
    7.0,
    7.5,
    7.5,
    7.0,
    6.5,
    6.5,
    6.5,
    6.0,
    5.0,
    4.0,
    3.0,
)
# Gaps between events of a session: seconds (lognormal around 15 s), 1-15 minutes, or a long
# pause of 20-25 minutes, just under a 30-minute session timeout.
GAP_KIND_WEIGHTS = (0.82, 0.15, 0.03)
MIN_EVENT_GAP_MS = SECOND_MS
MAX_EVENT_GAP_MS = 25 * MINUTE_MS
MIN_SESSION_GAP_MS = 35 * MINUTE_MS
SESSION_GAP_JITTER_MS = 20 * MINUTE_MS

# --- Site ----------------------------------------------------------------------------------

SITE = "https://shop.example.com"
N_PRODUCTS = 120
STATIC_PATHS: tuple[tuple[str, float, float], ...] = (
    # path, weight as a later page view, weight as a landing page
    ("/", 0.12, 0.34),
    ("/pricing", 0.08, 0.12),
    ("/features", 0.05, 0.05),
    ("/about", 0.02, 0.01),
    ("/blog", 0.02, 0.02),
    ("/blog/event-tracking-101", 0.015, 0.04),
    ("/blog/sessionization-explained", 0.015, 0.03),
    ("/blog/ga4-vs-warehouse", 0.01, 0.03),
    ("/docs", 0.03, 0.02),
    ("/docs/getting-started", 0.03, 0.03),
    ("/docs/api", 0.025, 0.02),
    ("/docs/tracking-plan", 0.015, 0.01),
    ("/products", 0.08, 0.06),
    ("/cart", 0.04, 0.0),
    ("/app", 0.10, 0.0),
    ("/app/settings", 0.03, 0.0),
    ("/account", 0.03, 0.0),
)
PRODUCT_PAGE_WEIGHT = (0.22, 0.22)  # all product pages together (later page view, landing)
EXTRA_PATHS: tuple[str, ...] = ("/checkout", "/checkout/complete", "/signup", "/login")

DEVICE_TYPES: tuple[str, ...] = ("desktop", "mobile", "tablet")
DEVICE_WEIGHTS: tuple[float, ...] = (0.55, 0.38, 0.07)
VIEWPORT_WIDTH: tuple[int, ...] = (1440, 390, 820)

COUNTRIES: tuple[str, ...] = (
    "US",
    "GB",
    "DE",
    "FR",
    "CA",
    "IN",
    "NL",
    "ES",
    "BR",
    "IT",
    "AU",
    "PL",
    "SE",
    "JP",
    "MX",
    "CH",
    "IE",
    "PT",
)
COUNTRY_WEIGHTS: tuple[float, ...] = (
    0.30,
    0.10,
    0.10,
    0.08,
    0.05,
    0.05,
    0.05,
    0.045,
    0.04,
    0.04,
    0.03,
    0.03,
    0.02,
    0.02,
    0.02,
    0.02,
    0.015,
    0.01,
)

# element, x range (fraction of viewport width), y range (px), weight for clicks, for error clicks
ELEMENTS: tuple[tuple[str, float, float, int, int, float, float], ...] = (
    ("header", 0.0, 1.0, 0, 72, 0.10, 0.0),
    ("nav", 0.0, 1.0, 72, 128, 0.18, 0.0),
    ("hero", 0.1, 0.9, 128, 600, 0.16, 0.0),
    ("product_grid", 0.05, 0.95, 600, 1800, 0.22, 0.2),
    ("cart", 0.8, 0.98, 10, 60, 0.08, 0.2),
    ("checkout_form", 0.2, 0.8, 200, 900, 0.08, 0.4),
    ("search_box", 0.3, 0.7, 15, 55, 0.08, 0.2),
    ("sidebar", 0.0, 0.2, 128, 1200, 0.05, 0.0),
    ("footer", 0.0, 1.0, 1800, 2100, 0.05, 0.0),
)

QUANTITY_WEIGHTS = (0.7, 0.2, 0.1)  # of 1, 2, 3 items added to the cart
PROPERTIES_BY_EVENT: dict[int, tuple[str, ...]] = {
    SCROLL: tuple(f'{{"depth_pct":{d}}}' for d in (25, 50, 75, 100)),
    FEATURE_USED: tuple(f'{{"action":"{a}"}}' for a in ("view", "create", "edit", "share")),
    ERROR_CLICK: tuple(f'{{"error":"{e}"}}' for e in ("timeout", "validation", "server_error")),
    PRODUCT_ADDED: tuple(f'{{"quantity":{q + 1}}}' for q in range(len(QUANTITY_WEIGHTS))),
    ORDER_COMPLETED: tuple(
        f'{{"currency":"EUR","items":{q + 1}}}' for q in range(len(QUANTITY_WEIGHTS))
    ),
    SIGN_UP: tuple(f'{{"plan":"{p}"}}' for p in ("free", "pro", "team")),
    LOGIN: tuple(f'{{"method":"{m}"}}' for m in ("password", "google")),
}
SIGN_UP_PLAN_WEIGHTS = (0.8, 0.15, 0.05)

# --- Traffic -------------------------------------------------------------------------------

CHANNELS: tuple[str, ...] = (
    "direct",
    "organic_search",
    "organic_social",
    "referral",
    "email",
    "paid_search",
    "paid_social",
)
CHANNEL_WEIGHTS: tuple[float, ...] = (0.26, 0.30, 0.08, 0.07, 0.12, 0.12, 0.05)
# Referrers of the non-campaign channels that have one, with weights.
CHANNEL_REFERRERS: dict[str, tuple[tuple[str, float], ...]] = {
    "organic_search": (
        ("https://www.google.com/", 0.80),
        ("https://www.bing.com/", 0.10),
        ("https://duckduckgo.com/", 0.07),
        ("https://search.yahoo.com/", 0.03),
    ),
    "organic_social": (
        ("https://www.facebook.com/", 0.30),
        ("https://l.instagram.com/", 0.20),
        ("https://t.co/", 0.20),
        ("https://www.linkedin.com/", 0.20),
        ("https://www.reddit.com/", 0.10),
    ),
    "referral": (
        ("https://blog.analyticsweekly.com/top-10-tools", 0.40),
        ("https://www.g2.com/categories/product-analytics", 0.30),
        ("https://partners.example.org/resources", 0.20),
        ("https://dev.to/datafolk/our-analytics-stack", 0.10),
    ),
}


@dataclass(frozen=True)
class Campaign:
    """UTM parameters of one campaign link, and the referrer its clicks arrive with."""

    channel: str
    source: str
    medium: str
    campaign: str
    content: str | None
    term: str | None
    referrer: str | None
    weight: float  # within its channel

    def query(self) -> str:
        """The link's query string, '?utm_source=...&utm_medium=...'."""
        pairs = [
            ("utm_source", self.source),
            ("utm_medium", self.medium),
            ("utm_campaign", self.campaign),
            ("utm_content", self.content),
            ("utm_term", self.term),
        ]
        return "?" + "&".join(f"{key}={value}" for key, value in pairs if value is not None)


GOOGLE, BING = "https://www.google.com/", "https://www.bing.com/"
# fmt: off
CAMPAIGNS: tuple[Campaign, ...] = (
    # channel, utm source, medium, campaign, content, term, referrer, weight in channel
    Campaign("email", "newsletter", "email", "october_newsletter", "header_cta", None, None, 0.35),
    Campaign("email", "newsletter", "email", "october_newsletter", None, None, None, 0.25),
    Campaign("email", "lifecycle", "email", "winback", None, None, None, 0.20),
    Campaign("email", "lifecycle", "email", "onboarding_day3", "cta_button", None, None, 0.20),
    Campaign("paid_search", "google", "cpc", "autumn_sale", None, "analytics_dashboard", GOOGLE,
             0.40),
    Campaign("paid_search", "google", "cpc", "brand", None, None, GOOGLE, 0.30),
    Campaign("paid_search", "google", "cpc", "competitor", "ad_v2", "mixpanel_alternative", GOOGLE,
             0.15),
    Campaign("paid_search", "bing", "cpc", "brand", None, None, BING, 0.15),
    Campaign("paid_social", "facebook", "paid_social", "retargeting", "carousel_a", None,
             "https://www.facebook.com/", 0.45),
    Campaign("paid_social", "instagram", "paid_social", "ai_assistant_launch", "story", None,
             "https://l.instagram.com/", 0.30),
    Campaign("paid_social", "linkedin", "paid_social", "b2b_q4", None, None,
             "https://www.linkedin.com/", 0.25),
)
# fmt: on
REFERRER_URLS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [url for options in CHANNEL_REFERRERS.values() for url, _ in options]
        + [c.referrer for c in CAMPAIGNS if c.referrer is not None]
    )
)
UTM_COLUMNS_RATE = 0.70  # campaign sessions whose first event also fills the utm_* columns

# --- Tracker and delivery ------------------------------------------------------------------

SESSION_WITHOUT_TRACKER_ID_RATE = 0.06
EVENT_WITHOUT_TRACKER_ID_RATE = 0.045
SERVER_SIDE_ORDER_RATE = 0.10

INVALID_REASONS: tuple[str, ...] = (
    "missing_event_id",
    "missing_person_id",
    "invalid_occurred_at",
    "invalid_received_at",
    "future_occurred_at",
    "invalid_revenue",
    "invalid_click_position",
)
(
    MISSING_EVENT_ID,
    MISSING_PERSON_ID,
    INVALID_OCCURRED_AT,
    INVALID_RECEIVED_AT,
    FUTURE_OCCURRED_AT,
    INVALID_REVENUE,
    INVALID_CLICK_POSITION,
) = range(len(INVALID_REASONS))
BAD_TIMESTAMPS: tuple[str | None, ...] = (
    "not-a-time",
    "2026-13-45 25:61:00",
    "31/10/2026 12:00",
    None,
)
BAD_REVENUES: tuple[str, ...] = ("N/A", "12,50eur", "free", "€59.90")
BAD_CLICK_POSITIONS: tuple[str, ...] = ("left", "12px", "center", "undefined")
ROW_KINDS: tuple[str, ...] = ("clean", "duplicate", "invalid")
CLEAN, DUPLICATE, INVALID = range(len(ROW_KINDS))

CALIBRATION_PERSONS = 4_000


# --- Public API ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. Rates are fractions of the clean events."""

    persons: int = 300
    days: int = 30
    seed: int = 42
    start_date: datetime.date = datetime.date(2026, 10, 1)
    duplicate_rate: float = 0.01  # extra duplicate rows, fraction of clean events
    invalid_rate: float = 0.005  # extra invalid rows, fraction of clean events
    out_of_order_rate: float = 0.02  # clean events delivered minutes after later events
    late_rate: float = 0.005  # clean events delivered hours to days late
    feature_catalog_path: Path = Path("seeds/reference/feature_catalog.csv")

    def __post_init__(self) -> None:
        if self.persons < 1 or self.days < 1:
            raise ValueError("persons and days must be at least 1")
        rates = (self.duplicate_rate, self.invalid_rate, self.out_of_order_rate, self.late_rate)
        if any(rate < 0 for rate in rates) or self.out_of_order_rate + self.late_rate > 1:
            raise ValueError("rates must be >= 0 and out_of_order_rate + late_rate <= 1")


@dataclass(frozen=True)
class GeneratedEvents:
    """Raw rows in arrival order and their ground truth, row for row."""

    events: pa.Table  # EVENT_COLUMNS, all strings, sorted by received_at then event_id
    truth: pa.Table  # TRUTH_COLUMNS, one row per raw row, same order


def generate(config: GeneratorConfig) -> GeneratedEvents:
    """Simulate ``config.persons`` persons over ``config.days`` days and deliver their
    events, with duplicates and invalid rows, in arrival order."""
    rng = np.random.default_rng(config.seed)
    catalog = _read_feature_catalog(config.feature_catalog_path)
    site = _Site.build(catalog.names)
    persons = _simulate_persons(config, rng, catalog.popularity)
    sessions = _simulate_sessions(config, rng, persons)
    clean = _simulate_events(config, rng, persons, sessions, catalog, site)
    rows = _deliver(config, rng, clean)
    return _build_tables(rng, persons, sessions, clean, rows, catalog, site)


def persons_for_events(n_events: int, days: int) -> int:
    """How many persons give about ``n_events`` raw rows over ``days`` days (default
    rates), measured on a pilot run of the simulation with the same ``days``."""
    sessions_only = GeneratorConfig(persons=CALIBRATION_PERSONS, days=days, seed=7)
    rng = np.random.default_rng(sessions_only.seed)
    persons = _simulate_persons(sessions_only, rng, np.ones(1))
    sessions = _simulate_sessions(sessions_only, rng, persons)
    raw_rows_per_clean = 1 + sessions_only.duplicate_rate + sessions_only.invalid_rate
    per_person = int(sessions.n_events.sum()) * raw_rows_per_clean / CALIBRATION_PERSONS
    return max(1, round(n_events / per_person))


def write_csv(table: pa.Table, path: Path) -> None:
    """Write ``table`` as CSV with a header row; a null is an empty field."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pa_csv.write_csv(table, str(path))


def write_parquet(table: pa.Table, directory: Path, rows_per_file: int = 1_000_000) -> list[Path]:
    """Write ``table`` as ``directory/part-00000.parquet``, ... of at most
    ``rows_per_file`` rows each (one file for an empty table). Part files left in
    ``directory`` by an earlier run are removed first. Returns the paths in order."""
    if rows_per_file < 1:
        raise ValueError("rows_per_file must be at least 1")
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("part-*.parquet"):
        stale.unlink()
    offsets = range(0, max(table.num_rows, 1), rows_per_file)
    paths = [directory / f"part-{i:05d}.parquet" for i in range(len(offsets))]

    def write_part(i: int) -> None:
        pq.write_table(table.slice(offsets[i], rows_per_file), paths[i])

    with ThreadPoolExecutor() as pool:
        list(pool.map(write_part, range(len(paths))))
    return paths


# --- Reference data ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Catalog:
    names: tuple[str, ...]
    launched_day: np.ndarray  # days since 1970-01-01, one per feature
    popularity: np.ndarray  # relative adoption weight, one per feature


def _read_feature_catalog(path: Path) -> _Catalog:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: no features")
    epoch = datetime.date(1970, 1, 1)
    launched = np.array(
        [(datetime.date.fromisoformat(row["launched_on"]) - epoch).days for row in rows],
        dtype=np.int64,
    )
    # Earlier-listed features are the core ones most people adopt.
    popularity = 1.0 / np.sqrt(np.arange(1, len(rows) + 1))
    return _Catalog(tuple(row["feature_name"] for row in rows), launched, popularity)


@dataclass(frozen=True)
class _Site:
    """Every page path of the site and how page views pick them."""

    paths: tuple[str, ...]
    later_view_cdf: np.ndarray  # cumulative pick probability of a later page_view
    landing_cdf: np.ndarray  # ... of a session's first page_view
    product_page: int  # index of '/products/p-0001'; product k is at + k
    app_page: int  # index of '/app/<first feature>'; feature f is at + f
    extra_page: dict[str, int]  # '/checkout', '/checkout/complete', '/signup', '/login'

    @classmethod
    def build(cls, features: tuple[str, ...]) -> _Site:
        statics = [path for path, _, _ in STATIC_PATHS]
        products = [f"/products/{_product_id(k)}" for k in range(N_PRODUCTS)]
        apps = [f"/app/{feature}" for feature in features]
        paths = (*statics, *products, *apps, *EXTRA_PATHS)
        popularity = _zipf(N_PRODUCTS)
        cdfs = []
        for column, product_weight in ((1, PRODUCT_PAGE_WEIGHT[0]), (2, PRODUCT_PAGE_WEIGHT[1])):
            weights = np.zeros(len(paths))
            weights[: len(statics)] = [row[column] for row in STATIC_PATHS]
            weights[len(statics) : len(statics) + N_PRODUCTS] = product_weight * popularity
            cdfs.append(_cdf(weights))
        app_page = len(statics) + N_PRODUCTS
        extra = {path: app_page + len(apps) + i for i, path in enumerate(EXTRA_PATHS)}
        return cls(paths, cdfs[0], cdfs[1], len(statics), app_page, extra)


def _product_id(k: int) -> str:
    return f"p-{k + 1:04d}"


def _zipf(n: int) -> npt.NDArray[np.float64]:
    weights = 1.0 / (np.arange(n, dtype=np.float64) + 5.0) ** 1.1
    return weights / float(weights.sum())


def _cdf(weights: np.ndarray | Sequence[float]) -> npt.NDArray[np.float64]:
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return cdf / float(cdf[-1])


def _pick(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """``size`` draws of an index with cumulative probabilities ``cdf``."""
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(cdf) - 1)


# --- Persons -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Persons:
    persona: np.ndarray  # index into PERSONAS
    first_day: np.ndarray  # day of the period the person is first seen
    registered: np.ndarray  # bool
    user_number: np.ndarray  # 1-based number in 'u_000123', -1 if unregistered
    country: np.ndarray  # index into COUNTRIES
    device_type: np.ndarray  # of the first device, index into DEVICE_TYPES
    feature_weight: np.ndarray  # (persons, features): preference, 0 for features not adopted


def _persona_array(attribute: str) -> np.ndarray:
    return np.array([getattr(persona, attribute) for persona in PERSONAS], dtype=np.float64)


def _simulate_persons(
    config: GeneratorConfig, rng: np.random.Generator, feature_popularity: np.ndarray
) -> _Persons:
    n = config.persons
    persona = _pick(rng, _cdf(_persona_array("share")), n)
    first_day = rng.integers(0, config.days, n)
    registered = rng.random(n) < _persona_array("register_rate")[persona]
    user_number = np.where(registered, np.cumsum(registered), -1)
    country = _pick(rng, _cdf(COUNTRY_WEIGHTS), n)
    device_type = _pick(rng, _cdf(DEVICE_WEIGHTS), n)
    # Adopted features: the top-k of Gumbel-perturbed log popularity, k by persona.
    n_features = len(feature_popularity)
    scores = np.log(feature_popularity) + rng.gumbel(size=(n, n_features))
    low = np.array([p.features_adopted[0] for p in PERSONAS])[persona]
    high = np.array([p.features_adopted[1] for p in PERSONAS])[persona]
    k = np.minimum(rng.integers(low, high + 1), n_features)
    rank = np.argsort(np.argsort(-scores, axis=1), axis=1)
    adopted = rank < k[:, None]
    feature_weight = np.where(adopted, rng.gamma(2.0, 1.0, (n, n_features)), 0.0)
    return _Persons(
        persona, first_day, registered, user_number, country, device_type, feature_weight
    )


# --- Sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sessions:
    """One row per true session, ordered by person then start."""

    person: np.ndarray
    index: np.ndarray  # 0-based position among the person's sessions
    proposed_start_ms: np.ndarray  # ms after period start, before spacing
    device: np.ndarray  # global device number: person for the first device
    account_event: np.ndarray  # SIGN_UP, LOGIN or -1
    known_from_start: np.ndarray  # bool: the user_id is set from the first event on
    channel: np.ndarray  # index into CHANNELS
    campaign: np.ndarray  # index into CAMPAIGNS, -1 for other channels
    referrer: np.ndarray  # index into the referrer list, -1 for none
    utm_in_columns: np.ndarray  # bool
    n_base: np.ndarray  # page_view/click/scroll/feature_used/error_click events
    n_views: np.ndarray  # product_viewed events
    funnel_depth: np.ndarray  # 0 none, 1 viewed, 2 added, 3 checkout, 4 ordered
    n_events: np.ndarray
    device_types: np.ndarray  # index into DEVICE_TYPES of every device


def _group_starts(counts: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """Start offset of each group in a flat array of groups with these sizes."""
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)


def _rank_in_group(
    group: npt.NDArray[np.intp], counts: npt.NDArray[np.integer]
) -> npt.NDArray[np.int64]:
    """0-based position of each element in its group (``group`` sorted, sizes ``counts``)."""
    return np.arange(len(group), dtype=np.int64) - _group_starts(counts)[group]


def _simulate_sessions(
    config: GeneratorConfig, rng: np.random.Generator, persons: _Persons
) -> _Sessions:
    person, proposed = _session_starts(config, rng, persons)
    n_sessions = np.bincount(person, minlength=config.persons)
    index = _rank_in_group(person, n_sessions)
    identity = _session_identities(rng, persons, person, index, n_sessions)
    channel, campaign, referrer = _traffic(rng, len(person))
    utm_in_columns = (campaign >= 0) & (rng.random(len(person)) < UTM_COLUMNS_RATE)
    sizes = _session_sizes(rng, persons.persona[person], identity.account_event)
    return _Sessions(
        person=person,
        index=index,
        proposed_start_ms=proposed,
        device=identity.device,
        account_event=identity.account_event,
        known_from_start=identity.known_from_start,
        channel=channel,
        campaign=campaign,
        referrer=referrer,
        utm_in_columns=utm_in_columns,
        n_base=sizes.n_base,
        n_views=sizes.n_views,
        funnel_depth=sizes.funnel_depth,
        n_events=sizes.n_events,
        device_types=identity.device_types,
    )


def _session_starts(
    config: GeneratorConfig, rng: np.random.Generator, persons: _Persons
) -> tuple[np.ndarray, np.ndarray]:
    """Person and proposed start (ms after period start) of every session, ordered by
    person then start. Sessions per person-day: Poisson with a rate that halves every
    half-life of account age; the first-seen day always has one."""
    persona = persons.persona
    active_days = config.days - persons.first_day
    day_person = np.repeat(np.arange(config.persons), active_days)
    age = _rank_in_group(day_person, active_days)
    rate = _persona_array("sessions_per_day")[persona[day_person]] * 0.5 ** (
        age / _persona_array("half_life_days")[persona[day_person]]
    )
    per_day = rng.poisson(rate)
    per_day[age == 0] = np.maximum(per_day[age == 0], 1)
    day_of_session = np.repeat(persons.first_day[day_person] + age, per_day)
    person_unsorted = np.repeat(day_person, per_day)
    time_of_day = _pick(rng, _cdf(HOURLY_WEIGHTS), len(day_of_session)) * HOUR_MS + rng.integers(
        0, HOUR_MS, len(day_of_session)
    )
    proposed = day_of_session * DAY_MS + time_of_day
    order = np.lexsort((proposed, person_unsorted))
    return person_unsorted[order], proposed[order]


@dataclass(frozen=True)
class _SessionIdentities:
    device: np.ndarray  # global device number of each session
    device_types: np.ndarray  # index into DEVICE_TYPES of every device
    account_event: np.ndarray  # SIGN_UP, LOGIN or -1, per session
    known_from_start: np.ndarray  # bool per session


def _session_identities(
    rng: np.random.Generator,
    persons: _Persons,
    person: np.ndarray,
    index: np.ndarray,
    n_sessions: np.ndarray,
) -> _SessionIdentities:
    """Sign-up in session r of registered persons; a second device first used (with a
    login) in a later session, then reused in some of the following ones."""
    n, n_s = len(persons.persona), len(person)
    sign_up_at = np.minimum(rng.geometric(FIRST_SESSION_ANONYMOUS_WEIGHT, n) - 1, n_sessions - 1)
    eligible = persons.registered & (n_sessions - 1 > sign_up_at)
    second_rate = min(1.0, SECOND_DEVICE_SHARE * persons.registered.sum() / max(eligible.sum(), 1))
    has_second = eligible & (rng.random(n) < second_rate)
    later = n_sessions - 1 - sign_up_at
    second_from = sign_up_at + 1 + np.floor(rng.random(n) ** 2 * later).astype(np.int64)
    second_from = np.minimum(second_from, n_sessions - 1)
    second_number = np.cumsum(has_second) - 1
    s_from = second_from[person]
    on_second = has_second[person] & (
        (index == s_from) | ((index > s_from) & (rng.random(n_s) < SECOND_DEVICE_REUSE))
    )
    device = np.where(on_second, n + second_number[person], person)
    # A second device is of another type than the first.
    shift = 1 + np.arange(int(has_second.sum())) % (len(DEVICE_TYPES) - 1)
    device_types = np.concatenate(
        (persons.device_type, (persons.device_type[has_second] + shift) % len(DEVICE_TYPES))
    )
    registered = persons.registered[person]
    s_sign_up = sign_up_at[person]
    account_event = np.full(n_s, -1, dtype=np.int64)
    account_event[registered & (index == s_sign_up)] = SIGN_UP
    account_event[on_second & (index == s_from)] = LOGIN
    known_from_start = registered & (
        (~on_second & (index > s_sign_up)) | (on_second & (index > s_from))
    )
    return _SessionIdentities(device, device_types, account_event, known_from_start)


@dataclass(frozen=True)
class _SessionSizes:
    n_base: np.ndarray  # page_view/click/scroll/feature_used/error_click events
    n_views: np.ndarray  # product_viewed events
    funnel_depth: np.ndarray  # 0 none, 1 viewed, 2 added, 3 checkout, 4 ordered
    n_events: np.ndarray


def _session_sizes(
    rng: np.random.Generator, s_persona: np.ndarray, account_event: np.ndarray
) -> _SessionSizes:
    """Event counts of each session: base events, the product funnel and the account event."""
    n_s = len(s_persona)
    bounce = rng.random(n_s) < _persona_array("bounce_rate")[s_persona]
    mean_extra = _persona_array("mean_events")[s_persona] - 1.0
    extra = 1 + rng.negative_binomial(2, 2.0 / (2.0 + mean_extra - 1.0))
    n_base = np.where(bounce, 1, 1 + extra)
    enters_funnel = ~bounce & (rng.random(n_s) < _persona_array("product_view_rate")[s_persona])
    stage_draws = rng.random((n_s, len(FUNNEL_STEP_RATES))) < np.array(FUNNEL_STEP_RATES)
    funnel_depth = enters_funnel * (1 + np.cumprod(stage_draws, axis=1).sum(axis=1))
    n_views = np.where(enters_funnel, 1 + rng.binomial(MAX_PRODUCT_VIEWS - 1, 0.3, n_s), 0)
    n_funnel = n_views + np.maximum(funnel_depth - 1, 0)
    n_account = (account_event >= 0).astype(np.int64)
    n_base = np.minimum(n_base, MAX_EVENTS_PER_SESSION - n_funnel - n_account)
    return _SessionSizes(n_base, n_views, funnel_depth, n_base + n_funnel + n_account)


def _traffic(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channel, campaign (-1 for none) and referrer (index into REFERRER_URLS, -1 for none)
    of ``n`` sessions."""
    channel = _pick(rng, _cdf(CHANNEL_WEIGHTS), n)
    campaign = np.full(n, -1, dtype=np.int64)
    referrer = np.full(n, -1, dtype=np.int64)
    campaign_referrer = np.array(
        [REFERRER_URLS.index(c.referrer) if c.referrer else -1 for c in CAMPAIGNS]
    )
    for c, name in enumerate(CHANNELS):
        in_channel = np.flatnonzero(channel == c)
        campaigns = [i for i, campaign_ in enumerate(CAMPAIGNS) if campaign_.channel == name]
        if campaigns:
            weights = [CAMPAIGNS[i].weight for i in campaigns]
            chosen = np.array(campaigns)[_pick(rng, _cdf(weights), len(in_channel))]
            campaign[in_channel] = chosen
            referrer[in_channel] = campaign_referrer[chosen]
        elif name in CHANNEL_REFERRERS:
            urls = [REFERRER_URLS.index(url) for url, _ in CHANNEL_REFERRERS[name]]
            weights = [weight for _, weight in CHANNEL_REFERRERS[name]]
            referrer[in_channel] = np.array(urls)[_pick(rng, _cdf(weights), len(in_channel))]
    return channel, campaign, referrer


# --- Events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Events:
    """Clean events, ordered by session then position (so by person then time)."""

    session: np.ndarray
    ordinal: np.ndarray  # 0-based position in the session
    event_type: np.ndarray  # index into EVENT_NAMES
    spelling: np.ndarray  # 0 canonical, else a variant of _spellings
    occurred_ms: np.ndarray  # epoch ms
    received_ms: np.ndarray  # epoch ms
    user_known: np.ndarray  # bool: the event carries the user_id
    server_side: np.ndarray  # bool: no anonymous_id, no tracker session, no page
    tracker_session: np.ndarray  # bool: the tracker session_id is set
    page: np.ndarray  # index into _Site.paths
    feature: np.ndarray  # index into the catalog, -1
    product: np.ndarray  # 0-based product number, -1
    revenue_cents: np.ndarray  # -1 unless order_completed
    element: np.ndarray  # index into ELEMENTS, -1
    click_x: np.ndarray  # -1 unless a click
    click_y: np.ndarray
    properties: np.ndarray  # index into _property_strings(), -1


def _property_strings() -> tuple[tuple[str, ...], dict[int, int]]:
    """All properties values and the offset of each event type's block in them."""
    strings: list[str] = []
    offset: dict[int, int] = {}
    for event_type, values in PROPERTIES_BY_EVENT.items():
        offset[event_type] = len(strings)
        strings.extend(values)
    return tuple(strings), offset


@dataclass(frozen=True)
class _EventParts:
    """Events of one kind (base, funnel or account) before they are interleaved: each has a
    session and a sort key that places it among the session's events."""

    session: np.ndarray
    key: np.ndarray
    event_type: np.ndarray
    product: np.ndarray  # 0-based product number, -1
    revenue_cents: np.ndarray  # -1 unless order_completed
    quantity: np.ndarray  # items added (product_added, order_completed), else -1 or 0

    @classmethod
    def without_products(
        cls, session: np.ndarray, key: np.ndarray, event_type: np.ndarray
    ) -> _EventParts:
        none = np.full(len(session), -1)
        return cls(session, key, event_type, none, none, none)


def _simulate_events(
    config: GeneratorConfig,
    rng: np.random.Generator,
    persons: _Persons,
    sessions: _Sessions,
    catalog: _Catalog,
    site: _Site,
) -> _Events:
    parts = (
        _base_events(rng, persons, sessions),
        _funnel_events(rng, sessions),
        _account_events(rng, sessions),
    )
    events = _interleave(parts)
    session, event_type = events.session, events.event_type
    n = len(session)
    starts = _group_starts(sessions.n_events)
    ordinal = np.arange(n, dtype=np.int64) - starts[session]
    first = ordinal == 0

    burst_start = _rage_bursts(rng, event_type, session)
    in_burst = burst_start >= 0
    event_type[in_burst] = CLICK
    occurred_ms = _event_times(config, rng, sessions, session, first, starts, in_burst)
    user_known, server_side, tracker_session = _identity_flags(
        rng, sessions, session, ordinal, event_type
    )
    feature = _features(rng, persons, sessions, catalog, session, event_type, occurred_ms)
    # Before any feature launched there is nothing to use: a page view instead.
    event_type[(event_type == FEATURE_USED) & (feature < 0)] = PAGE_VIEW

    page = _pages(rng, site, event_type, first, events.product, feature)
    element, click_x, click_y = _clicks(rng, event_type, sessions, session, burst_start)
    properties = _properties(rng, event_type, events.quantity)
    spelling = np.where(rng.random(n) < SPELLING_RATE, rng.integers(1, N_SPELLINGS, n), 0)
    received_ms = occurred_ms + _delivery_delay(config, rng, n)
    return _Events(
        session=session,
        ordinal=ordinal,
        event_type=event_type,
        spelling=spelling,
        occurred_ms=occurred_ms,
        received_ms=received_ms,
        user_known=user_known,
        server_side=server_side,
        tracker_session=tracker_session,
        page=page,
        feature=feature,
        product=events.product,
        revenue_cents=events.revenue_cents,
        element=element,
        click_x=click_x,
        click_y=click_y,
        properties=properties,
    )


def _base_events(rng: np.random.Generator, persons: _Persons, sessions: _Sessions) -> _EventParts:
    """Base events: a page_view first, then a persona-dependent mix (feature uses, page
    views, clicks, scrolls, error clicks) at random positions."""
    s_persona = persons.persona[sessions.person]
    b_session = np.repeat(np.arange(len(sessions.person)), sessions.n_base)
    b_first = _rank_in_group(b_session, sessions.n_base) == 0
    feature_share = _persona_array("feature_share")[s_persona[b_session]]
    u = rng.random(len(b_session))
    b_type = np.full(len(b_session), FEATURE_USED, dtype=np.int64)
    threshold = np.zeros(len(b_session))
    mix_total = sum(weight for _, weight in BASE_EVENT_MIX)
    for mixed_type, mix_weight in BASE_EVENT_MIX:
        upper = threshold + (1.0 - feature_share) * mix_weight / mix_total
        b_type[(u >= threshold) & (u < upper)] = mixed_type
        threshold = upper
    b_type[b_first] = PAGE_VIEW
    b_key = np.where(b_first, 0, rng.integers(1, 2**32, len(b_session)))
    return _EventParts.without_products(b_session, b_key, b_type)


def _funnel_events(rng: np.random.Generator, sessions: _Sessions) -> _EventParts:
    """Funnel events, in stage order within a session, on increasing positions: products
    viewed, the last one added (1-3 items), checkout, the order and its revenue."""
    n_s = len(sessions.person)
    depth = sessions.funnel_depth
    stage_counts = np.column_stack((sessions.n_views, depth >= 2, depth >= 3, depth >= 4)).ravel()
    f_session = np.repeat(np.repeat(np.arange(n_s), 4), stage_counts)
    f_type = np.repeat(np.tile(np.array(FUNNEL_STAGES), n_s), stage_counts)
    f_key = np.sort((f_session << 32) | rng.integers(1, 2**32, len(f_session))) & (2**32 - 1)
    f_product = np.full(len(f_session), -1, dtype=np.int64)
    is_view = f_type == PRODUCT_VIEWED
    f_product[is_view] = _pick(rng, _cdf(_zipf(N_PRODUCTS)), int(is_view.sum()))
    added = np.flatnonzero(f_type == PRODUCT_ADDED)
    f_product[added] = f_product[added - 1]  # the last product viewed
    quantity = np.zeros(len(f_session), dtype=np.int64)
    quantity[added] = 1 + _pick(rng, _cdf(QUANTITY_WEIGHTS), len(added))
    orders = np.flatnonzero(f_type == ORDER_COMPLETED)
    quantity[orders] = quantity[orders - 2]  # order <- checkout <- added
    prices = _product_prices(rng)
    f_revenue = np.full(len(f_session), -1, dtype=np.int64)
    f_revenue[orders] = prices[f_product[orders - 2]] * quantity[orders]
    return _EventParts(f_session, f_key, f_type, f_product, f_revenue, quantity)


def _account_events(rng: np.random.Generator, sessions: _Sessions) -> _EventParts:
    """Account events (sign_up, login) somewhere after the first event."""
    a_session = np.flatnonzero(sessions.account_event >= 0)
    a_type = sessions.account_event[a_session]
    a_key = rng.integers(1, 2**32, len(a_session))
    return _EventParts.without_products(a_session, a_key, a_type)


def _interleave(parts: Sequence[_EventParts]) -> _EventParts:
    """All events ordered by session, then key."""
    session = np.concatenate([part.session for part in parts])
    key = np.concatenate([part.key for part in parts])
    order = np.argsort((session << 32) | key, kind="stable")

    def ordered(column: str) -> np.ndarray:
        return np.concatenate([getattr(part, column) for part in parts])[order]

    return _EventParts(
        session=session[order],
        key=key[order],
        event_type=ordered("event_type"),
        product=ordered("product"),
        revenue_cents=ordered("revenue_cents"),
        quantity=ordered("quantity"),
    )


def _identity_flags(
    rng: np.random.Generator,
    sessions: _Sessions,
    session: np.ndarray,
    ordinal: np.ndarray,
    event_type: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event: whether it carries the user_id (from the session's sign_up/login on, or
    from its start), is sent server-side (some orders), and has the tracker session_id."""
    n, n_s = len(session), len(sessions.person)
    identified_at = np.where(sessions.known_from_start, 0, np.iinfo(np.int64).max)
    is_account = (event_type == SIGN_UP) | (event_type == LOGIN)
    identified_at[session[is_account]] = ordinal[is_account]
    user_known = ordinal >= identified_at[session]
    server_side = (
        (event_type == ORDER_COMPLETED) & user_known & (rng.random(n) < SERVER_SIDE_ORDER_RATE)
    )
    tracker_session = (
        ~server_side
        & (rng.random(n) >= EVENT_WITHOUT_TRACKER_ID_RATE)
        & (rng.random(n_s) >= SESSION_WITHOUT_TRACKER_ID_RATE)[session]
    )
    return user_known, server_side, tracker_session


def _features(
    rng: np.random.Generator,
    persons: _Persons,
    sessions: _Sessions,
    catalog: _Catalog,
    session: np.ndarray,
    event_type: np.ndarray,
    occurred_ms: np.ndarray,
) -> npt.NDArray[np.int64]:
    """The feature of each feature_used event: one the person adopted (else any) launched
    by the event's date; -1 elsewhere, and where no feature had launched yet."""
    feature = np.full(len(session), -1, dtype=np.int64)
    uses = np.flatnonzero(event_type == FEATURE_USED)
    launched = catalog.launched_day[None, :] <= (occurred_ms[uses] // DAY_MS)[:, None]
    weight: npt.NDArray[np.float64] = persons.feature_weight[sessions.person[session[uses]]] * launched
    weight = np.where(
        weight.sum(axis=1, keepdims=True) > 0, weight, launched * catalog.popularity[None, :]
    )
    cumulative = np.cumsum(weight, axis=1)
    draw = rng.random(len(uses)) * cumulative[:, -1]
    feature[uses] = (cumulative <= draw[:, None]).sum(axis=1)
    feature[uses[cumulative[:, -1] == 0]] = -1
    return feature


def _rage_bursts(
    rng: np.random.Generator, event_type: np.ndarray, session: np.ndarray
) -> npt.NDArray[np.int64]:
    """For each event, the error click whose rage-click burst it belongs to (-1 for none).
    A burst takes over the next 2-4 events of the session while they are clicks, scrolls
    or page views (never the first event, a feature use, a funnel or an account event)."""
    n = len(event_type)
    burst_start = np.full(n, -1, dtype=np.int64)
    starts = np.flatnonzero((event_type == ERROR_CLICK) & (rng.random(n) < RAGE_BURST_RATE))
    length = rng.integers(RAGE_BURST_CLICKS[0], RAGE_BURST_CLICKS[1] + 1, len(starts))
    alive = np.ones(len(starts), dtype=bool)
    for offset in range(1, RAGE_BURST_CLICKS[1] + 1):
        follower = np.minimum(starts + offset, n - 1)
        alive &= (
            (starts + offset < n)
            & (offset <= length)
            & (session[follower] == session[starts])
            & np.isin(event_type[follower], (CLICK, SCROLL, PAGE_VIEW))
        )
        burst_start[follower[alive]] = starts[alive]
    return burst_start


def _product_prices(rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Price in cents of each product: 5 to 400 euros, ending in .00, .90 or .99."""
    euros = np.clip(np.round(rng.lognormal(3.6, 0.7, N_PRODUCTS)), 5, 400).astype(np.int64)
    return euros * 100 + np.array([0, 90, 99], dtype=np.int64)[rng.integers(0, 3, N_PRODUCTS)]


def _event_times(
    config: GeneratorConfig,
    rng: np.random.Generator,
    sessions: _Sessions,
    session: npt.NDArray[np.intp],
    first: npt.NDArray[np.bool_],
    starts: npt.NDArray[np.int64],
    in_burst: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """Occurred time (epoch ms) of each event: gaps inside sessions (1-1.5 s before a
    rage-burst click), sessions spaced."""
    n = len(session)
    kind = _pick(rng, _cdf(GAP_KIND_WEIGHTS), n)
    seconds_gap = np.round(rng.lognormal(np.log(15 * SECOND_MS), 0.9, n))
    minutes_gap = rng.integers(MINUTE_MS, 15 * MINUTE_MS, n)
    long_gap = rng.integers(20 * MINUTE_MS, MAX_EVENT_GAP_MS + 1, n)
    gap = np.choose(kind, (seconds_gap, minutes_gap, long_gap)).astype(np.int64)
    gap = np.clip(gap, MIN_EVENT_GAP_MS, MAX_EVENT_GAP_MS)
    gap[in_burst] = rng.integers(RAGE_CLICK_GAP_MS[0], RAGE_CLICK_GAP_MS[1] + 1, int(in_burst.sum()))
    gap[first] = 0
    within = np.cumsum(gap)
    within -= within[starts][session]
    duration = within[np.concatenate((starts[1:], [n])) - 1]

    # Start of session k = max(proposed_k, end_{k-1} + spacing_{k-1}) per person, solved as
    # start_k = C_k + cummax_{j<=k}(proposed_j - C_j) with C the exclusive cumulative sum
    # of (duration + spacing) within the person.
    spacing = MIN_SESSION_GAP_MS + rng.integers(0, SESSION_GAP_JITTER_MS, len(duration))
    step = duration + spacing
    person = sessions.person
    cumulative = np.cumsum(step) - step
    cumulative -= cumulative[_group_starts(np.bincount(person))][person]
    slack = sessions.proposed_start_ms - cumulative
    span = int(slack.max() - slack.min()) + 1
    shifted = slack - slack.min() + person.astype(np.int64) * span
    start: npt.NDArray[np.int64] = (
        cumulative + np.maximum.accumulate(shifted) - person.astype(np.int64) * span + slack.min()
    )
    period_start = (config.start_date - datetime.date(1970, 1, 1)).days * DAY_MS
    return period_start + start[session] + within


def _delivery_delay(config: GeneratorConfig, rng: np.random.Generator, n: int) -> np.ndarray:
    """received_at - occurred_at in ms: 50 ms..3 s, some minutes late, a few days late."""
    u = rng.random(n)
    delay = rng.integers(50, 3_001, n)
    out_of_order = u < config.out_of_order_rate
    late = (u >= config.out_of_order_rate) & (u < config.out_of_order_rate + config.late_rate)
    delay[out_of_order] += rng.integers(2 * MINUTE_MS, 60 * MINUTE_MS + 1, int(out_of_order.sum()))
    delay[late] += rng.integers(2 * HOUR_MS, 3 * DAY_MS + 1, int(late.sum()))
    return delay


def _pages(
    rng: np.random.Generator,
    site: _Site,
    event_type: np.ndarray,
    first: np.ndarray,
    product: np.ndarray,
    feature: np.ndarray,
) -> np.ndarray:
    """Page path of each event; clicks, scrolls and error clicks stay on the page of the
    event before them."""
    n = len(event_type)
    page = np.where(first, _pick(rng, site.landing_cdf, n), _pick(rng, site.later_view_cdf, n))
    is_product = (event_type == PRODUCT_VIEWED) | (event_type == PRODUCT_ADDED)
    page[is_product] = site.product_page + product[is_product]
    page[event_type == FEATURE_USED] = site.app_page + feature[event_type == FEATURE_USED]
    for event_type_, path in (
        (CHECKOUT_STARTED, "/checkout"),
        (ORDER_COMPLETED, "/checkout/complete"),
        (SIGN_UP, "/signup"),
        (LOGIN, "/login"),
    ):
        page[event_type == event_type_] = site.extra_page[path]
    stays = (event_type == CLICK) | (event_type == SCROLL) | (event_type == ERROR_CLICK)
    last_own = np.maximum.accumulate(np.where(stays, 0, np.arange(n)))
    return np.where(stays, page[last_own], page)


def _clicks(
    rng: np.random.Generator,
    event_type: np.ndarray,
    sessions: _Sessions,
    session: np.ndarray,
    burst_start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Element and position (px) of clicks and error clicks; -1 elsewhere. A rage-burst
    click hits the element of its error click, a few pixels from it."""
    n = len(event_type)
    element = np.full(n, -1, dtype=np.int64)
    click_x = np.full(n, -1, dtype=np.int64)
    click_y = np.full(n, -1, dtype=np.int64)
    table = np.array([row[1:] for row in ELEMENTS], dtype=np.float64)
    for event_type_, weight_column in ((CLICK, 4), (ERROR_CLICK, 5)):
        where = np.flatnonzero(event_type == event_type_)
        chosen = _pick(rng, _cdf(table[:, weight_column]), len(where))
        width = np.array(VIEWPORT_WIDTH)[sessions.device_types[sessions.device[session[where]]]]
        x0, x1, y0, y1 = (table[chosen, i] for i in range(4))
        u = rng.random((2, len(where)))
        element[where] = chosen
        click_x[where] = np.floor((x0 + u[0] * (x1 - x0)) * (width - 1)).astype(np.int64)
        click_y[where] = np.floor(y0 + u[1] * (y1 - y0)).astype(np.int64)
    burst = np.flatnonzero(burst_start >= 0)
    origin = burst_start[burst]
    jitter = rng.integers(-RAGE_CLICK_JITTER_PX, RAGE_CLICK_JITTER_PX + 1, (2, len(burst)))
    element[burst] = element[origin]
    click_x[burst] = np.maximum(click_x[origin] + jitter[0], 0)
    click_y[burst] = np.maximum(click_y[origin] + jitter[1], 0)
    return element, click_x, click_y


def _properties(
    rng: np.random.Generator, event_type: np.ndarray, quantity: np.ndarray
) -> np.ndarray:
    """Index into _property_strings() of each event's properties, -1 for none."""
    _, offset = _property_strings()
    properties = np.full(len(event_type), -1, dtype=np.int64)
    for event_type_, values in PROPERTIES_BY_EVENT.items():
        where = np.flatnonzero(event_type == event_type_)
        if event_type_ in (PRODUCT_ADDED, ORDER_COMPLETED):
            choice = quantity[where] - 1
        elif event_type_ == SIGN_UP:
            choice = _pick(rng, _cdf(SIGN_UP_PLAN_WEIGHTS), len(where))
        else:
            choice = rng.integers(0, len(values), len(where))
        properties[where] = offset[event_type_] + choice
    return properties


# --- Delivery: duplicates, invalid rows, arrival order ------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Raw rows in arrival order, each pointing at the clean event it copies."""

    source: np.ndarray  # index into the clean events
    kind: np.ndarray  # CLEAN, DUPLICATE, INVALID
    reason: np.ndarray  # index into INVALID_REASONS, -1
    id_low: np.ndarray  # 64 bits of the event_id, distinct per event
    id_high: np.ndarray  # 16 random bits of the event_id
    received_ms: np.ndarray  # for invalid_received_at rows: the source's (sort key only)
    occurred_ms: np.ndarray


def _deliver(config: GeneratorConfig, rng: np.random.Generator, clean: _Events) -> _Rows:
    n_clean = len(clean.session)
    n_dup = round(config.duplicate_rate * n_clean)
    n_invalid = round(config.invalid_rate * n_clean)

    dup_source = rng.integers(0, n_clean, n_dup)
    dup_received = clean.received_ms[dup_source] + rng.integers(SECOND_MS, 2 * DAY_MS + 1, n_dup)

    pools = [np.arange(n_clean)] * len(INVALID_REASONS)
    pools[INVALID_REVENUE] = np.flatnonzero(clean.event_type == ORDER_COMPLETED)
    pools[INVALID_CLICK_POSITION] = np.flatnonzero(clean.event_type == CLICK)
    available = np.array([len(pool) > 0 for pool in pools], dtype=np.float64)
    counts = rng.multinomial(n_invalid, available / available.sum())
    reason = np.repeat(np.arange(len(INVALID_REASONS)), counts)
    invalid_source = np.concatenate(
        [pool[rng.integers(0, len(pool), count)] for pool, count in zip(pools, counts, strict=True)]
    ).astype(np.int64)
    invalid_occurred = clean.occurred_ms[invalid_source]
    future = reason == FUTURE_OCCURRED_AT
    invalid_occurred[future] = clean.received_ms[invalid_source[future]] + rng.integers(
        3 * DAY_MS, 400 * DAY_MS + 1, int(future.sum())
    )

    source = np.concatenate((np.arange(n_clean), dup_source, invalid_source))
    kind = np.repeat(np.array([CLEAN, DUPLICATE, INVALID]), [n_clean, n_dup, n_invalid])
    reason = np.concatenate((np.full(n_clean + n_dup, -1), reason))
    id_number = np.concatenate((np.arange(n_clean), dup_source, n_clean + np.arange(n_invalid)))
    id_high = rng.integers(0, 2**16, n_clean + n_invalid)
    id_high = np.concatenate((id_high[:n_clean], id_high[dup_source], id_high[n_clean:]))
    received = np.concatenate((clean.received_ms, dup_received, clean.received_ms[invalid_source]))
    occurred = np.concatenate((clean.occurred_ms, clean.occurred_ms[dup_source], invalid_occurred))
    id_low = _mix64(id_number.astype(np.uint64), int(rng.integers(0, 2**63)))
    order = _arrival_order(received, np.where(reason == MISSING_EVENT_ID, 2**16, id_high), id_low)
    return _Rows(
        source=source[order],
        kind=kind[order],
        reason=reason[order],
        id_low=id_low[order],
        id_high=id_high[order],
        received_ms=received[order],
        occurred_ms=occurred[order],
    )


def _arrival_order(received_ms: np.ndarray, id_high: np.ndarray, id_low: np.ndarray) -> np.ndarray:
    """Permutation sorting rows by received time, then event_id (its high 16 bits, where
    2**16 stands for a missing id, then its low 64 bits). One int64 sort on (received,
    high) and a small second sort of the rare rows that tie on both."""
    key = ((received_ms - received_ms.min()) << 17) | id_high
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    tied = np.flatnonzero(sorted_key[1:] == sorted_key[:-1])
    positions = np.unique(np.concatenate((tied, tied + 1)))
    rows = order[positions]
    order[positions] = rows[np.lexsort((id_low[rows], key[rows]))]
    return order


def _mix64(values: np.ndarray, key: int) -> np.ndarray:
    """A bijection of uint64 (keyed splitmix64 finalizer): distinct in, distinct out."""
    x = values + np.uint64(key)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _mix48(values: np.ndarray, key: int) -> np.ndarray:
    """A bijection of 48-bit integers: distinct in, distinct out."""
    mask = np.uint64(2**48 - 1)
    x = (values + np.uint64(key)) & mask
    x = ((x ^ (x >> np.uint64(24))) * np.uint64(0x9E3779B97F4B)) & mask
    x = ((x ^ (x >> np.uint64(21))) * np.uint64(0xD6E8FEB86659)) & mask
    return x ^ (x >> np.uint64(24))


# --- Text columns --------------------------------------------------------------------------

# The two hex digits of each byte value, as the two bytes of a uint16 in memory.
HEX_PAIRS = np.frombuffer("".join(f"{i:02x}" for i in range(256)).encode(), dtype=np.uint16)


def _hex_strings(
    prefix: str, parts: list[tuple[np.ndarray, int]], valid: np.ndarray | None = None
) -> pa.Array:
    """prefix + the low hex digits of each part (values, even number of digits), as a
    string array; null where ``valid`` is False."""
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    n = len(parts[0][0])
    blocks = [np.broadcast_to(head, (n, len(head)))]
    for values, digits in parts:
        big_endian = values.astype(">u8").view(np.uint8).reshape(n, 8)
        blocks.append(HEX_PAIRS[big_endian[:, 8 - digits // 2 :]].view(np.uint8))
    matrix = np.concatenate(blocks, axis=1)
    offsets = np.arange(n + 1, dtype=np.int32) * matrix.shape[1]
    validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(),
        n,
        [validity, pa.py_buffer(offsets), pa.py_buffer(matrix)],
        null_count=-1 if valid is None else int(n - valid.sum()),
    )


def _take(values: Sequence[str | None] | pa.Array, codes: np.ndarray) -> pa.Array:
    """values[code] for each code, null where the code is negative."""
    dictionary = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    return dictionary.take(pa.array(codes, pa.int64(), mask=codes < 0))


def _timestamps(ms: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS.fff' of epoch milliseconds."""
    return pa.array(ms, pa.timestamp("ms")).cast(pa.string())


def _integers(values: np.ndarray, mask: np.ndarray) -> pa.Array:
    return pa.array(values, pa.int64(), mask=mask).cast(pa.string())


def _with_defects(
    rng: np.random.Generator,
    array: pa.Array,
    where: np.ndarray,
    bad_values: Sequence[str | None],
) -> pa.Array:
    """``array`` with the positions in ``where`` (sorted) set to random ``bad_values``."""
    mask = np.zeros(len(array), dtype=bool)
    mask[where] = True
    replacements = _take(bad_values, rng.integers(0, len(bad_values), len(where)))
    return pc.replace_with_mask(array, pa.array(mask), replacements)


@dataclass(frozen=True)
class _RawRowKeys:
    """Per raw row: the clean event it copies and that event's session and person."""

    rows: _Rows
    src: np.ndarray  # index into the clean events
    session: np.ndarray
    person: np.ndarray
    first: np.ndarray  # bool: the first event of its session

    @classmethod
    def of(cls, sessions: _Sessions, clean: _Events, rows: _Rows) -> _RawRowKeys:
        session = clean.session[rows.source]
        return cls(rows, rows.source, session, sessions.person[session], clean.ordinal[rows.source] == 0)

    def defect(self, reason: int) -> np.ndarray:
        """Positions of the rows made invalid for ``reason``."""
        return np.flatnonzero(self.rows.reason == reason)


def _build_tables(
    rng: np.random.Generator,
    persons: _Persons,
    sessions: _Sessions,
    clean: _Events,
    rows: _Rows,
    catalog: _Catalog,
    site: _Site,
) -> GeneratedEvents:
    """The raw rows as text, every defect applied, and their ground truth."""
    raw = _RawRowKeys.of(sessions, clean, rows)
    ids = _identity_columns(rng, persons, sessions, clean, raw)
    columns: dict[str, pa.Array] = {
        "event_id": ids.event_id,
        "anonymous_id": ids.anonymous_id,
        "user_id": ids.user_id,
        "session_id": ids.session_id,
        "event_name": _event_names(clean, raw),
        "occurred_at": _with_defects(
            rng, _timestamps(rows.occurred_ms), raw.defect(INVALID_OCCURRED_AT), BAD_TIMESTAMPS
        ),
        "received_at": _with_defects(
            rng, _timestamps(rows.received_ms), raw.defect(INVALID_RECEIVED_AT), BAD_TIMESTAMPS
        ),
        **_traffic_columns(sessions, clean, raw, site),
        "device_type": _take(DEVICE_TYPES, sessions.device_types[sessions.device[raw.session]]),
        "country": _take(COUNTRIES, persons.country[raw.person]),
        **_interaction_columns(rng, clean, raw, catalog),
    }
    events = pa.table({name: columns[name] for name in EVENT_COLUMNS})
    truth = _truth_table(persons, sessions, clean, raw, ids, columns["received_at"])
    return GeneratedEvents(events=events, truth=truth)


@dataclass(frozen=True)
class _IdentityColumns:
    event_id: pa.Array  # per raw row
    anonymous_id: pa.Array  # per raw row
    user_id: pa.Array  # per raw row
    session_id: pa.Array  # per raw row: the tracker's session_id
    user_ids: pa.Array  # per person: 'u_000123', null if unregistered
    anonymous_ids: pa.Array  # per device: 'a_<16 hex>'


def _identity_columns(
    rng: np.random.Generator,
    persons: _Persons,
    sessions: _Sessions,
    clean: _Events,
    raw: _RawRowKeys,
) -> _IdentityColumns:
    """Identities: 'u_000123' per person, 'a_<16 hex>' per device, 's_<12 hex>' per session,
    'e_<20 hex>' per event; the rows missing them lose them."""
    user_numbers = pa.array(persons.user_number, pa.int64(), mask=persons.user_number < 0)
    user_ids = pc.binary_join_element_wise(
        "u_", pc.utf8_lpad(user_numbers.cast(pa.string()), 6, "0"), ""
    )
    n_devices = len(sessions.device_types)
    device_key, tracker_key = (int(k) for k in rng.integers(0, 2**47, 2))
    anonymous_ids = _hex_strings(
        "a_", [(_mix64(np.arange(n_devices, dtype=np.uint64), device_key), 16)]
    )
    tracker_ids = _hex_strings(
        "s_", [(_mix48(np.arange(len(sessions.person), dtype=np.uint64), tracker_key), 12)]
    )
    src, rows = raw.src, raw.rows
    missing_person = rows.reason == MISSING_PERSON_ID
    user_code = np.where(clean.user_known[src] & ~missing_person, raw.person, -1)
    anonymous_code = np.where(clean.server_side[src] | missing_person, -1, sessions.device[raw.session])
    return _IdentityColumns(
        event_id=_hex_strings(
            "e_", [(rows.id_high, 4), (rows.id_low, 16)], valid=rows.reason != MISSING_EVENT_ID
        ),
        anonymous_id=_take(anonymous_ids, anonymous_code),
        user_id=_take(user_ids, user_code),
        session_id=_take(tracker_ids, np.where(clean.tracker_session[src], raw.session, -1)),
        user_ids=user_ids,
        anonymous_ids=anonymous_ids,
    )


def _event_names(clean: _Events, raw: _RawRowKeys) -> pa.Array:
    """The event name as sent: canonical or a variant spelling. (A name not in the tracking
    plan is no defect: it flows as a custom event.)"""
    name_code = clean.event_type[raw.src] * N_SPELLINGS + clean.spelling[raw.src]
    return _take(EVENT_NAME_STRINGS, name_code)


def _traffic_columns(
    sessions: _Sessions, clean: _Events, raw: _RawRowKeys, site: _Site
) -> dict[str, pa.Array]:
    """Page; the session's first event also has its traffic source (UTM query, referrer,
    and in some sessions the utm_* columns)."""
    src, first, session = raw.src, raw.first, raw.session
    page_urls = [SITE + path for path in site.paths]
    page_code = np.where(clean.server_side[src], -1, clean.page[src])
    campaign = np.where(first, sessions.campaign[session], -1)
    with_query = np.flatnonzero(campaign >= 0)
    query_mask = np.zeros(len(src), dtype=bool)
    query_mask[with_query] = True
    page_url = pc.replace_with_mask(
        _take(page_urls, page_code),
        pa.array(query_mask),
        pc.binary_join_element_wise(
            _take(page_urls, page_code[with_query]),
            _take([c.query() for c in CAMPAIGNS], campaign[with_query]),
            "",
        ),
    )
    utm_campaign = np.where(sessions.utm_in_columns[session], campaign, -1)
    return {
        "page_url": page_url,
        "referrer_url": _take(REFERRER_URLS, np.where(first, sessions.referrer[session], -1)),
        "utm_source": _take([c.source for c in CAMPAIGNS], utm_campaign),
        "utm_medium": _take([c.medium for c in CAMPAIGNS], utm_campaign),
        "utm_campaign": _take([c.campaign for c in CAMPAIGNS], utm_campaign),
        "utm_content": _take([c.content for c in CAMPAIGNS], utm_campaign),
        "utm_term": _take([c.term for c in CAMPAIGNS], utm_campaign),
    }


def _interaction_columns(
    rng: np.random.Generator, clean: _Events, raw: _RawRowKeys, catalog: _Catalog
) -> dict[str, pa.Array]:
    """What the event was about: the element and position clicked, the feature, the
    product, the revenue and the properties; bad positions and revenues on the rows made
    invalid for them."""
    src = raw.src
    click_x, click_y = clean.click_x[src], clean.click_y[src]
    click_x_text = _with_defects(
        rng, _integers(click_x, click_x < 0), raw.defect(INVALID_CLICK_POSITION), BAD_CLICK_POSITIONS
    )
    cents = clean.revenue_cents[src]
    revenue = pc.binary_join_element_wise(
        _integers(cents // 100, cents < 0),
        ".",
        pc.utf8_lpad(_integers(cents % 100, cents < 0), 2, "0"),
        "",
    )
    return {
        "element": _take([row[0] for row in ELEMENTS], clean.element[src]),
        "click_x": click_x_text,
        "click_y": _integers(click_y, click_y < 0),
        "feature_name": _take(catalog.names, clean.feature[src]),
        "product_id": _take([_product_id(k) for k in range(N_PRODUCTS)], clean.product[src]),
        "revenue": _with_defects(rng, revenue, raw.defect(INVALID_REVENUE), BAD_REVENUES),
        "properties": _take(_property_strings()[0], clean.properties[src]),
    }


def _truth_table(
    persons: _Persons,
    sessions: _Sessions,
    clean: _Events,
    raw: _RawRowKeys,
    ids: _IdentityColumns,
    received_at: pa.Array,
) -> pa.Table:
    """One row per raw row: what it really is. The true person is the user_id if
    registered, else the person's only anonymous_id."""
    src, rows, person, session = raw.src, raw.rows, raw.person, raw.session
    true_person_ids = pc.if_else(
        pa.array(persons.registered), ids.user_ids, ids.anonymous_ids.slice(0, len(persons.persona))
    )
    session_labels = pc.binary_join_element_wise(
        true_person_ids.take(pa.array(sessions.person)),
        "-",
        pa.array(sessions.index + 1).cast(pa.string()),
        "",
    )
    invalid = rows.kind == INVALID
    # 1-based stage of the checkout funnel (product_viewed .. order_completed), -1 for none.
    stage_of_type = np.full(len(EVENT_NAMES), -1, dtype=np.int64)
    stage_of_type[list(FUNNEL_STAGES)] = np.arange(1, len(FUNNEL_STAGES) + 1)
    funnel_step = np.where(invalid, -1, stage_of_type[clean.event_type[src]])
    return pa.table(
        {
            "raw_row_number": pa.array(np.arange(len(src), dtype=np.int64)),
            "event_id": ids.event_id,
            "received_at": received_at,
            "row_kind": _take(ROW_KINDS, rows.kind),
            "expected_reason": _take(INVALID_REASONS, rows.reason),
            "true_person_id": _take(true_person_ids, np.where(invalid, -1, person)),
            "true_session_id": _take(session_labels, np.where(invalid, -1, session)),
            "true_event_index": pa.array(clean.ordinal[src] + 1, pa.int64(), mask=invalid),
            "persona": _take(
                [p.name for p in PERSONAS], np.where(invalid, -1, persons.persona[person])
            ),
            "channel": _take(CHANNELS, np.where(invalid, -1, sessions.channel[session])),
            "funnel_step": pa.array(funnel_step, pa.int64(), mask=funnel_step < 0),
        }
    )
