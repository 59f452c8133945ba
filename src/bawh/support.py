"""Synthetic support-platform tables (user activity, recommendations, moderator performance).

``generate_support`` draws the three raw tables of the support-platform domain with the
ranges of the reference analysis (feedback_rating 1-6, resources_clicked 0-6, messages_sent
1-85, session_length 5-141 minutes, avg_response_time 2-31 s, chat_sessions_moderated
17-493, user_satisfaction_score 1-5, click_through_rate 0.1-1, feedback_score 1-5, types
Podcast, Blog, Video). Every column is text, as an export delivers it.

Optionally it injects the defects of real exports, one per defective row, and says for
every raw row which quarantine reason staging must give it (None = a clean row):

* ``missing_<id>``: an empty id;
* ``invalid_<column>``: a mistyped value ('abc', '4,5', a fraction in an integer column, an
  unparseable timestamp, an unknown recommendation type);
* ``<column>_out_of_range``: a number outside the documented range;
* ``duplicate_<id>``: an exact copy of a clean row (one copy stays clean).

Variations that are VALID and must not be quarantined: UUID ids, fractional-second and
ISO-8601 ('T', 'Z') timestamps, recommendations for a user with no session (kept, flagged).

Everything is drawn from one ``numpy.random.default_rng(seed)``: one configuration gives
byte-identical tables.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pa_csv

__all__ = [
    "MODERATOR_COLUMNS",
    "RANGES",
    "RECOMMENDATION_COLUMNS",
    "RECOMMENDATION_TYPES",
    "TABLE_FILES",
    "USER_ACTIVITY_COLUMNS",
    "GeneratedSupport",
    "SupportConfig",
    "generate_support",
    "write_support_csv",
]

USER_ACTIVITY_COLUMNS: tuple[str, ...] = (
    "user_id",
    "session_id",
    "timestamp",
    "session_length",
    "messages_sent",
    "feedback_rating",
    "resources_clicked",
)
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "recommendation_id",
    "user_id",
    "recommendation_type",
    "click_through_rate",
    "feedback_score",
)
MODERATOR_COLUMNS: tuple[str, ...] = (
    "moderator_id",
    "chat_sessions_moderated",
    "avg_response_time",
    "user_satisfaction_score",
)
RECOMMENDATION_TYPES: tuple[str, ...] = ("Podcast", "Blog", "Video")

# The documented (valid) range of every numeric column, inclusive; the dbt var
# support_valid_ranges has the same defaults.
RANGES: dict[str, tuple[float, float]] = {
    "session_length": (5, 141),
    "messages_sent": (1, 85),
    "feedback_rating": (1, 6),
    "resources_clicked": (0, 6),
    "click_through_rate": (0.1, 1),
    "feedback_score": (1, 5),
    "chat_sessions_moderated": (17, 493),
    "avg_response_time": (2, 31),
    "user_satisfaction_score": (1, 5),
}
INTEGER_COLUMNS = frozenset(
    {"messages_sent", "feedback_rating", "resources_clicked", "chat_sessions_moderated"}
)

# Demo file names in seeds/demo/ and the file names read from support_files_location.
TABLE_FILES: dict[str, tuple[str, str]] = {
    "user_activity": ("support_user_activity.csv", "user_activity.csv"),
    "recommendations": ("support_recommendations.csv", "recommendations.csv"),
    "moderator_performance": ("support_moderator_performance.csv", "moderator_performance.csv"),
}

Text = list[str | None]
Reasons = list[str | None]


@dataclass(frozen=True)
class SupportConfig:
    """What to generate. Rates are shares of each table's rows."""

    users: int = 300
    sessions: int = 2_000
    recommendations: int = 900
    moderators: int = 50
    days: int = 28
    start_date: datetime.date = datetime.date(2026, 10, 1)
    seed: int = 20261002
    defect_rate: float = 0.0
    duplicate_rate: float = 0.0
    fractional_second_rate: float = 0.0
    uuid_ids: bool = False
    # share of recommendations given to users who have no session (kept and flagged)
    unknown_user_rate: float = 0.0


@dataclass(frozen=True)
class GeneratedSupport:
    """The three raw tables (all text) and, per table, one expected reason per raw row."""

    tables: dict[str, pa.Table]
    reasons: dict[str, Reasons]


def _ids(rng: np.random.Generator, prefix: str, count: int, width: int, uuid: bool) -> list[str]:
    if not uuid:
        return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]
    raw = rng.integers(0, 256, size=(count, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexes = [bytes(row).hex() for row in raw]
    return [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in hexes]


def _ints(values: npt.NDArray[np.int64]) -> Text:
    return [str(int(value)) for value in values]


def _floats(values: npt.NDArray[np.float64], decimals: int) -> Text:
    return [f"{value:.{decimals}f}" for value in values]


def _bounded(
    rng: np.random.Generator, column: str, center: npt.NDArray[np.float64], spread: float
) -> npt.NDArray[np.float64]:
    low, high = RANGES[column]
    values: npt.NDArray[np.float64] = np.clip(
        center + rng.normal(0.0, spread, size=center.shape), low, high
    )
    return values


def _mistyped(rng: np.random.Generator, column: str) -> str:
    choices = ["abc", "4,5", "n/a", "--"]
    if column in INTEGER_COLUMNS:
        choices.append("2.5")
    return str(choices[int(rng.integers(0, len(choices)))])


def _out_of_range(rng: np.random.Generator, column: str) -> str:
    low, high = RANGES[column]
    whole = column in INTEGER_COLUMNS or column == "session_length"
    step = 1.0 if whole or low >= 1 else 0.05
    if rng.random() < 0.5:
        value = low - step * int(rng.integers(1, 4))
    else:
        value = high + step * int(rng.integers(1, 4)) + (high - low) * float(rng.uniform(0.0, 2.0))
    return str(int(np.floor(value))) if whole else f"{value:.2f}"


def _inject(
    rng: np.random.Generator,
    columns: dict[str, Text],
    id_column: str,
    numeric_columns: tuple[str, ...],
    extra_kinds: tuple[str, ...],
    defect_rate: float,
    duplicate_rate: float,
) -> tuple[dict[str, Text], Reasons]:
    """Make about defect_rate of the rows defective (one defect each) and append exact copies
    of about duplicate_rate of the clean rows at random positions."""
    count = len(columns[id_column])
    reasons: Reasons = [None] * count
    kinds = [f"missing_{id_column}"]
    for column in numeric_columns:
        kinds += [f"invalid_{column}", f"{column}_out_of_range"]
    kinds += list(extra_kinds)
    defective = np.flatnonzero(rng.random(count) < defect_rate)
    for row in defective.tolist():
        kind = kinds[int(rng.integers(0, len(kinds)))]
        reasons[row] = kind
        if kind.startswith("missing_"):
            columns[kind.removeprefix("missing_")][row] = None
        elif kind == "invalid_timestamp":
            columns["timestamp"][row] = ["2026-13-45 10:00:00", "2026-02-30 10:00:00", "yesterday"][
                int(rng.integers(0, 3))
            ]
        elif kind == "invalid_recommendation_type":
            columns["recommendation_type"][row] = ["Audiobook", "Webinar", "4,5"][int(rng.integers(0, 3))]
        elif kind.startswith("invalid_"):
            column = kind.removeprefix("invalid_")
            columns[column][row] = _mistyped(rng, column)
        else:
            column = kind.removesuffix("_out_of_range")
            columns[column][row] = _out_of_range(rng, column)
    clean_rows = [row for row in range(count) if reasons[row] is None]
    copies = [row for row in clean_rows if rng.random() < duplicate_rate]
    order = list(range(count))
    for row in copies:
        order.insert(int(rng.integers(0, len(order) + 1)), -1 - row)
    result: dict[str, Text] = {name: [] for name in columns}
    result_reasons: Reasons = []
    for position in order:
        source = position if position >= 0 else -1 - position
        for name, values in columns.items():
            result[name].append(values[source])
        result_reasons.append(reasons[source] if position >= 0 else f"duplicate_{id_column}")
    return result, result_reasons


def _table(columns: dict[str, Text], names: tuple[str, ...]) -> pa.Table:
    return pa.table({name: pa.array(columns[name], type=pa.string()) for name in names})


def generate_support(config: SupportConfig) -> GeneratedSupport:
    """The three raw tables of the support platform, deterministic for a configuration."""
    if min(config.users, config.sessions, config.recommendations, config.moderators) < 1:
        raise ValueError("users, sessions, recommendations and moderators must be positive")
    rng = np.random.default_rng(config.seed)
    user_ids = _ids(rng, "u", config.users, 4, config.uuid_ids)
    session_ids = _ids(rng, "s", config.sessions, 5, config.uuid_ids)
    recommendation_ids = _ids(rng, "r", config.recommendations, 5, config.uuid_ids)
    moderator_ids = _ids(rng, "m", config.moderators, 3, config.uuid_ids)
    user_activity, session_user = _user_activity(rng, config, user_ids, session_ids)
    recommendations = _recommendations(rng, config, user_ids, recommendation_ids, session_user)
    moderators = _moderators(rng, config, moderator_ids)

    user_activity, activity_reasons = _inject(
        rng, user_activity, "session_id",
        ("session_length", "messages_sent", "feedback_rating", "resources_clicked"),
        ("missing_user_id", "invalid_timestamp"),
        config.defect_rate, config.duplicate_rate,
    )
    recommendations, recommendation_reasons = _inject(
        rng, recommendations, "recommendation_id",
        ("click_through_rate", "feedback_score"),
        ("missing_user_id", "invalid_recommendation_type"),
        config.defect_rate, config.duplicate_rate,
    )
    moderators, moderator_reasons = _inject(
        rng, moderators, "moderator_id",
        ("chat_sessions_moderated", "avg_response_time", "user_satisfaction_score"),
        (),
        config.defect_rate, config.duplicate_rate,
    )
    return GeneratedSupport(
        tables={
            "user_activity": _table(user_activity, USER_ACTIVITY_COLUMNS),
            "recommendations": _table(recommendations, RECOMMENDATION_COLUMNS),
            "moderator_performance": _table(moderators, MODERATOR_COLUMNS),
        },
        reasons={
            "user_activity": activity_reasons,
            "recommendations": recommendation_reasons,
            "moderator_performance": moderator_reasons,
        },
    )


def _session_timestamps(rng: np.random.Generator, config: SupportConfig) -> Text:
    """Sorted session start times over the period: whole seconds, or (some) fractional
    seconds in ISO-8601 with 'T' and 'Z' or with a space."""
    start = datetime.datetime.combine(config.start_date, datetime.time())
    offsets = np.sort(rng.integers(0, config.days * 86_400, size=config.sessions))
    fractional = rng.random(config.sessions) < config.fractional_second_rate
    micros = rng.integers(0, 1_000_000, size=config.sessions)
    timestamps: Text = []
    for offset, has_fraction, micro in zip(offsets, fractional, micros, strict=True):
        moment = start + datetime.timedelta(seconds=int(offset))
        if has_fraction:
            text = (moment + datetime.timedelta(microseconds=int(micro))).isoformat()
            timestamps.append(text + "Z" if micro % 2 else text.replace("T", " "))
        else:
            timestamps.append(moment.strftime("%Y-%m-%d %H:%M:%S"))
    return timestamps


def _user_activity(
    rng: np.random.Generator, config: SupportConfig, user_ids: list[str], session_ids: list[str]
) -> tuple[dict[str, Text], npt.NDArray[np.int64]]:
    """User activity, one row per session: active users have more, longer sessions.
    Returns the columns and each session's user (index into user_ids)."""
    activity = rng.gamma(2.0, 1.0, size=config.users)
    session_user = rng.choice(config.users, size=config.sessions, p=activity / activity.sum())
    timestamps = _session_timestamps(rng, config)
    intensity = np.clip(activity[session_user] / 4.0, 0.0, 1.0)
    session_length = np.rint(_bounded(rng, "session_length", 20.0 + 80.0 * intensity, 25.0))
    messages = np.rint(_bounded(rng, "messages_sent", 5.0 + 0.5 * session_length, 10.0))
    rating = np.rint(_bounded(rng, "feedback_rating", 2.5 + 2.5 * intensity, 1.2))
    clicked = np.rint(_bounded(rng, "resources_clicked", 0.5 + 4.0 * intensity, 1.5))
    columns: dict[str, Text] = {
        "user_id": [user_ids[i] for i in session_user],
        "session_id": list(session_ids),
        "timestamp": timestamps,
        "session_length": _ints(session_length.astype(np.int64)),
        "messages_sent": _ints(messages.astype(np.int64)),
        "feedback_rating": _ints(rating.astype(np.int64)),
        "resources_clicked": _ints(clicked.astype(np.int64)),
    }
    return columns, session_user


def _recommendations(
    rng: np.random.Generator,
    config: SupportConfig,
    user_ids: list[str],
    recommendation_ids: list[str],
    session_user: npt.NDArray[np.int64],
) -> dict[str, Text]:
    """Recommendations: to users with sessions, a few to unknown users; Videos, then
    Podcasts, are clicked and rated a little more than Blogs."""
    with_sessions = np.unique(session_user)
    recommendation_user = [user_ids[i] for i in rng.choice(with_sessions, size=config.recommendations)]
    unknown = np.flatnonzero(rng.random(config.recommendations) < config.unknown_user_rate)
    unknown_ids = _ids(rng, "x", len(unknown), 4, config.uuid_ids)
    for row, unknown_id in zip(unknown, unknown_ids, strict=True):
        recommendation_user[row] = unknown_id
    types = rng.choice(len(RECOMMENDATION_TYPES), size=config.recommendations, p=[0.3, 0.45, 0.25])
    type_lift = np.array([0.1, 0.0, 0.15])[types]
    ctr = _bounded(rng, "click_through_rate", 0.45 + type_lift, 0.2)
    feedback = _bounded(rng, "feedback_score", 2.8 + 4.0 * type_lift, 0.9)
    return {
        "recommendation_id": list(recommendation_ids),
        "user_id": list(recommendation_user),
        "recommendation_type": [RECOMMENDATION_TYPES[i] for i in types],
        "click_through_rate": _floats(ctr, 2),
        "feedback_score": _floats(feedback, 1),
    }


def _moderators(
    rng: np.random.Generator, config: SupportConfig, moderator_ids: list[str]
) -> dict[str, Text]:
    """Moderator performance: faster responses go with higher satisfaction."""
    chats = rng.integers(17, 494, size=config.moderators)
    response = _bounded(rng, "avg_response_time", np.full(config.moderators, 14.0), 7.0)
    satisfaction = _bounded(rng, "user_satisfaction_score", 5.2 - 0.1 * response, 0.5)
    return {
        "moderator_id": list(moderator_ids),
        "chat_sessions_moderated": _ints(chats.astype(np.int64)),
        "avg_response_time": _floats(response, 1),
        "user_satisfaction_score": _floats(satisfaction, 2),
    }


def write_support_csv(generated: GeneratedSupport, directory: Path, demo_names: bool = True) -> list[Path]:
    """Write the three tables as CSV files in ``directory``: the demo seed names
    (support_user_activity.csv, ...) or, with ``demo_names=False``, the names read from the
    support_files_location var (user_activity.csv, ...). A null is an empty field."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for table_name, (demo_name, file_name) in TABLE_FILES.items():
        path = directory / (demo_name if demo_names else file_name)
        pa_csv.write_csv(generated.tables[table_name], str(path))
        paths.append(path)
    return paths
