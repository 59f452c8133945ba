"""Experiments planted into generated raw events, with their true effects.

An experiment exposes each eligible person at their first event of its period: an
``experiment_exposure`` event at the same time, on the same device, whose properties name the
experiment and the variant (``{"experiment_key": ..., "variant": ...}``). The variant comes
from a hash of the person and the key, by the shares actually assigned (the planned split,
or another one for a broken split); a few persons can be exposed a second time to another
variant (they are left out of a readout).

Effects are planted on the analysed persons' events in the attribution window
``[first exposure, + window_days)``, so the truth of each metric is known person by person:

* ``conversion_lifts``: a person of the variant without a conversion event (order_completed,
  sign_up) in the window converts with this probability: an order one second after the
  exposure.
* ``revenue_lifts``: the person's order revenue in the window is multiplied by 1 + lift
  (rounded to the cent, as a shop would charge it).

Both are drawn once per person and applied to every variant's potential outcome, so the true
lift of the analysed persons (the mean over them of outcome under the variant minus outcome
under the control) is exact, not estimated: ``PlantedExperiments.effects``. Experiments are
planted in order, each on the events as the ones before left them; experiments whose persons
(``persons``: a slice of a per-person hash, the same for every experiment) and periods
overlap see each other's effects in their outcomes, which is what a shared population does.
Other metrics (sessions, engagement) move with a planted order too; their truth is known
only where nothing is planted (a lift of 0 on every metric).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bawh.generator import DAY_MS, GeneratedEvents

__all__ = [
    "CONVERSION_EVENTS",
    "DEMO_EXPERIMENTS",
    "METRICS",
    "PlantedExperiment",
    "PlantedExperiments",
    "declarations",
    "plant",
]

EXPOSURE_EVENT = "experiment_exposure"
ORDER_EVENT = "order_completed"
CONVERSION_EVENTS: tuple[str, ...] = ("order_completed", "sign_up")  # tracking plan is_conversion
METRICS: tuple[str, ...] = ("conversion", "revenue_per_person")  # whose truth is planted
PLANTED_ORDER_PRICES: tuple[float, ...] = (19.90, 29.99, 44.00, 59.98, 89.97, 129.00)
PLANTED_ORDER_DELAY_MS = 1_000
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class PlantedExperiment:
    """One experiment: its split, period and planted effects (per variant, the control's 0)."""

    key: str
    variants: tuple[str, ...]  # the first is the control
    planned_shares: tuple[float, ...]
    start_day: int  # days after the generated period's first day
    days: int
    window_days: int = 7
    conversion_lifts: tuple[float, ...] | None = None
    revenue_lifts: tuple[float, ...] | None = None
    assigned_shares: tuple[float, ...] | None = None  # a broken split; default planned_shares
    multiple_variant_share: float = 0.0  # of the exposed persons
    persons: tuple[float, float] = (0.0, 1.0)  # eligible: per-person hash in [low, high)
    primary_metric: str = "conversion"
    guardrail_metrics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        k = len(self.variants)
        if k < 2 or len(set(self.variants)) != k:
            raise ValueError(f"experiment {self.key}: at least two distinct variants")
        for name in ("planned_shares", "assigned_shares", "conversion_lifts", "revenue_lifts"):
            values = getattr(self, name)
            if values is not None and len(values) != k:
                raise ValueError(f"experiment {self.key}: {name} needs one value per variant")
        for shares in (self.planned_shares, self.assigned_shares):
            if shares is not None and (min(shares) <= 0 or abs(sum(shares) - 1) > 1e-9):
                raise ValueError(f"experiment {self.key}: shares must be positive and sum to 1")
        for lifts in (self.conversion_lifts, self.revenue_lifts):
            if lifts is not None and lifts[0] != 0:
                raise ValueError(f"experiment {self.key}: the control has no planted lift")

    def lifts(self, name: str) -> npt.NDArray[np.float64]:
        values = getattr(self, name)
        return np.zeros(len(self.variants)) if values is None else np.asarray(values, dtype=float)

    @property
    def is_null(self) -> bool:
        """Nothing planted: every metric's true lift is 0."""
        return not (self.lifts("conversion_lifts").any() or self.lifts("revenue_lifts").any())

    def period(self, start_date: datetime.date) -> tuple[datetime.date, datetime.date]:
        first = start_date + datetime.timedelta(days=self.start_day)
        return first, first + datetime.timedelta(days=self.days)

    def declaration(self, start_date: datetime.date) -> dict[str, Any]:
        """The experiment as var `experiments` declares it (the planned split)."""
        first, end = self.period(start_date)
        declared: dict[str, Any] = {
            "key": self.key,
            "variants": dict(zip(self.variants, self.planned_shares, strict=True)),
            "start": first.isoformat(),
            "end": end.isoformat(),
            "window_days": self.window_days,
            "primary_metric": self.primary_metric,
        }
        if self.guardrail_metrics:
            declared["guardrail_metrics"] = list(self.guardrail_metrics)
        return declared


# The demo's experiments (`bawh demo-data`; declared in dbt_project.yml, var experiments, for
# the demo period starting 2026-10-01): a planted conversion lift, an A/A test, a broken split.
DEMO_EXPERIMENTS: tuple[PlantedExperiment, ...] = (
    PlantedExperiment(
        "checkout_button",
        ("control", "treatment"),
        (0.5, 0.5),
        start_day=7,
        days=14,
        conversion_lifts=(0.0, 0.3),
        multiple_variant_share=0.02,
        guardrail_metrics=("bounce_rate", "sessions_per_person"),
    ),
    PlantedExperiment("homepage_copy_aa", ("a", "b"), (0.5, 0.5), start_day=7, days=14),
    PlantedExperiment(
        "recommendations_v2",
        ("control", "treatment"),
        (0.5, 0.5),
        start_day=7,
        days=14,
        revenue_lifts=(0.0, 0.2),
        assigned_shares=(0.75, 0.25),
        primary_metric="revenue_per_person",
        guardrail_metrics=("engagement_rate",),
    ),
)


def declarations(experiments: Sequence[PlantedExperiment], start_date: datetime.date) -> list[dict[str, Any]]:
    """Var `experiments` for these experiments (pass with --vars)."""
    return [experiment.declaration(start_date) for experiment in experiments]


@dataclass(frozen=True)
class PlantedExperiments:
    """The raw rows and truth with the experiments planted, and what was planted."""

    generated: GeneratedEvents
    # one row per experiment x exposed person: variant (null for several), is_analysed,
    # first_exposed_at, and the person's conversion and revenue_per_person in the window
    # under the variant they got
    assignments: pa.Table
    # one row per experiment x variant x metric (METRICS): the analysed persons of the
    # variant, the mean over every analysed person of the outcome under the variant, and the
    # true lift against the control (absolute: the mean difference; relative: of the means)
    effects: pa.Table


def plant(
    generated: GeneratedEvents,
    experiments: Sequence[PlantedExperiment],
    start_date: datetime.date,
) -> PlantedExperiments:
    """``generated`` with ``experiments`` planted in order (periods from ``start_date``, the
    generated period's first day), rows in arrival order again."""
    work = _Work(generated.events, generated.truth)
    assignment_parts: list[dict[str, list[Any]]] = []
    effect_rows: list[dict[str, Any]] = []
    for experiment in experiments:
        assignments, effects = work.plant(experiment, start_date)
        assignment_parts.append(assignments)
        effect_rows.extend(effects)
    events, truth = work.tables()
    keys = ("experiment_key", "person_id", "variant", "is_analysed", "first_exposed_at")
    assignment_columns = (*keys, *METRICS)
    return PlantedExperiments(
        GeneratedEvents(events, truth),
        pa.table(
            {
                name: [value for part in assignment_parts for value in part[name]]
                for name in assignment_columns
            }
        ),
        pa.Table.from_pylist(effect_rows),
    )


def _unit(values: Iterable[Any], salt: str) -> npt.NDArray[np.float64]:
    """A uniform number in [0, 1) per value: a hash of the value and salt (stable across runs
    and platforms, unlike Python's hash)."""
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(f"{salt}|{value}".encode(), digest_size=8).digest()) / 2**64
            for value in values
        ]
    )


def _event_id(*parts: str) -> str:
    return "e_" + hashlib.blake2b("|".join(parts).encode(), digest_size=10).hexdigest()


def _normalized(names: pa.Array) -> npt.NDArray[np.object_]:
    """Event names as the warehouse normalizes them (macro normalize_event_name)."""
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(names))
    return np.asarray(
        pc.replace_substring(pc.replace_substring(lowered, " ", "_"), "-", "_").to_numpy(
            zero_copy_only=False
        ),
        dtype=object,
    )


class _Work:
    """The rows being planted: the raw columns as Python lists (rows are appended and revenue
    rewritten), and numpy views of the clean events that the outcomes are computed from."""

    def __init__(self, events: pa.Table, truth: pa.Table) -> None:
        self.columns = {name: events[name].to_pylist() for name in events.column_names}
        self.truth = {name: truth[name].to_pylist() for name in truth.column_names}
        clean = np.asarray(pc.equal(truth["row_kind"], "clean").to_numpy(zero_copy_only=False))
        self.clean_rows = np.flatnonzero(clean)
        self.person_ids, self.person = np.unique(
            np.asarray(truth["true_person_id"].take(pa.array(self.clean_rows)).to_pylist(), dtype=object),
            return_inverse=True,
        )
        occurred = events["occurred_at"].take(pa.array(self.clean_rows)).cast(pa.timestamp("ms"))
        self.occurred_ms = occurred.cast(pa.int64()).to_numpy().copy()
        self.name = _normalized(events["event_name"].take(pa.array(self.clean_rows)))
        revenue = pc.cast(events["revenue"].take(pa.array(self.clean_rows)), pa.float64())
        self.revenue = revenue.fill_null(np.nan).to_numpy().copy()
        self.rows_of_event: dict[str, list[int]] = {}
        for row, event_id in enumerate(self.columns["event_id"]):
            self.rows_of_event.setdefault(event_id, []).append(row)
        self.planted_sessions: set[str] = set()
        self.pending: list[tuple[int, int, int, str, float]] = []

    def _append(self, source: int, **values: Any) -> None:
        """A new raw row copying clean event ``source`` (an index into the clean events) with
        ``values``, and its truth; the clean views take it at the end of the experiment
        (``_flush``), so each experiment's outcomes are those of the events before it."""
        raw = int(self.clean_rows[source])
        row = len(self.columns["event_id"])
        for name, column in self.columns.items():
            column.append(values.get(name, column[raw]))
        for name, column in self.truth.items():
            column.append(
                {
                    "event_id": values["event_id"],
                    "received_at": values["received_at"],
                    "funnel_step": 4 if values["event_name"] == ORDER_EVENT else None,
                    "true_event_index": None,
                }.get(name, column[raw])
            )
        self.rows_of_event[values["event_id"]] = [row]
        self.planted_sessions.add(self.truth["true_session_id"][raw])
        revenue = values.get("revenue")
        self.pending.append(
            (
                row,
                int(self.person[source]),
                _ms(values["occurred_at"]),
                values["event_name"],
                np.nan if revenue is None else float(revenue),
            )
        )

    def _flush(self) -> None:
        if not self.pending:
            return
        rows, persons, occurred, names, revenues = (
            list(column) for column in zip(*self.pending, strict=True)
        )
        self.clean_rows = np.concatenate([self.clean_rows, np.asarray(rows, dtype=self.clean_rows.dtype)])
        self.person = np.concatenate([self.person, np.asarray(persons, dtype=self.person.dtype)])
        self.occurred_ms = np.concatenate([self.occurred_ms, np.asarray(occurred, dtype=np.int64)])
        self.name = np.concatenate([self.name, np.asarray(names, dtype=object)])
        self.revenue = np.concatenate([self.revenue, np.asarray(revenues, dtype=float)])
        self.pending = []

    def _exposure(
        self, source: int, experiment: PlantedExperiment, variant: str, person_id: str, n: int
    ) -> None:
        raw = int(self.clean_rows[source])
        self._append(
            source,
            event_id=_event_id(experiment.key, person_id, "exposure", str(n)),
            event_name=EXPOSURE_EVENT,
            occurred_at=self.columns["occurred_at"][raw],
            received_at=self.columns["received_at"][raw],
            element=None,
            click_x=None,
            click_y=None,
            feature_name=None,
            product_id=None,
            revenue=None,
            properties=json.dumps({"experiment_key": experiment.key, "variant": variant}),
        )

    def plant(
        self, experiment: PlantedExperiment, start_date: datetime.date
    ) -> tuple[dict[str, list[Any]], list[dict[str, Any]]]:
        first, end = experiment.period(start_date)
        start_ms, end_ms = (_ms(f"{day.isoformat()} 00:00:00.000") for day in (first, end))
        n_persons = len(self.person_ids)
        slice_position = _unit(self.person_ids, "persons")
        eligible = (slice_position >= experiment.persons[0]) & (slice_position < experiment.persons[1])

        # each eligible person's first event of the period (ties: the earlier raw row)
        in_period = np.flatnonzero(
            eligible[self.person] & (self.occurred_ms >= start_ms) & (self.occurred_ms < end_ms)
        )
        order = in_period[
            np.lexsort((self.clean_rows[in_period], self.occurred_ms[in_period], self.person[in_period]))
        ]
        persons, first_at = np.unique(self.person[order], return_index=True)
        last_at = np.r_[first_at[1:], len(order)] - 1
        first_event = order[first_at]
        later_event = order[last_at]  # the person's last event of the period

        person_ids = self.person_ids[persons]
        shares = np.cumsum(experiment.assigned_shares or experiment.planned_shares)
        variant = np.minimum(
            np.searchsorted(shares, _unit(person_ids, experiment.key), side="right"), len(shares) - 1
        )
        multiple = _unit(person_ids, experiment.key + "|multiple") < experiment.multiple_variant_share
        k = len(experiment.variants)
        for i, person_id in enumerate(person_ids):
            self._exposure(int(first_event[i]), experiment, experiment.variants[variant[i]], person_id, 1)
            if multiple[i]:
                self._exposure(
                    int(later_event[i]), experiment, experiment.variants[(variant[i] + 1) % k], person_id, 2
                )

        # outcomes in the window of the analysed persons, under each variant
        analysed = ~multiple
        t0 = np.full(n_persons, -1, dtype=np.int64)
        t0[persons[analysed]] = self.occurred_ms[first_event[analysed]]
        window_end = t0 + experiment.window_days * DAY_MS
        in_window = (
            (t0[self.person] >= 0)
            & (self.occurred_ms >= t0[self.person])
            & (self.occurred_ms < window_end[self.person])
        )
        converted = np.zeros(n_persons, dtype=bool)
        converted[self.person[in_window & np.isin(self.name, CONVERSION_EVENTS)]] = True
        orders = np.flatnonzero(in_window & (self.name == ORDER_EVENT) & ~np.isnan(self.revenue))
        conversion_lifts, revenue_lifts = (
            experiment.lifts("conversion_lifts"),
            experiment.lifts("revenue_lifts"),
        )
        analysed_persons = persons[analysed]
        analysed_ids = self.person_ids[analysed_persons]
        draw = _unit(analysed_ids, experiment.key + "|conversion")
        price = np.asarray(PLANTED_ORDER_PRICES)[
            (_unit(analysed_ids, experiment.key + "|price") * len(PLANTED_ORDER_PRICES)).astype(int)
        ]
        outcomes: dict[str, npt.NDArray[np.float64]] = {}  # metric -> persons x variants
        added = (~converted[analysed_persons])[:, None] & (draw[:, None] < conversion_lifts[None, :])
        outcomes["conversion"] = (converted[analysed_persons][:, None] | added).astype(float)
        position = np.full(n_persons, -1)
        position[analysed_persons] = np.arange(len(analysed_persons))
        revenue = np.zeros((len(analysed_persons), k))
        np.add.at(
            revenue,
            position[self.person[orders]],
            np.round(self.revenue[orders][:, None] * (1 + revenue_lifts[None, :]), 2),
        )
        revenue += added * np.round(price[:, None] * (1 + revenue_lifts[None, :]), 2)
        outcomes["revenue_per_person"] = revenue

        # plant the assigned variant's outcome: revenue rewritten (every raw copy), orders added
        assigned = variant[analysed]
        for clean_index in orders:
            lift = revenue_lifts[assigned[position[self.person[clean_index]]]]
            if lift:
                value = float(np.round(self.revenue[clean_index] * (1 + lift), 2))
                self.revenue[clean_index] = value
                for row in self.rows_of_event[self.columns["event_id"][self.clean_rows[clean_index]]]:
                    self.columns["revenue"][row] = f"{value:.2f}"
        for j in np.flatnonzero(added[np.arange(len(assigned)), assigned]):
            source = int(first_event[analysed][j])
            raw = int(self.clean_rows[source])
            value = float(np.round(price[j] * (1 + revenue_lifts[assigned[j]]), 2))
            self._append(
                source,
                event_id=_event_id(experiment.key, analysed_ids[j], "order"),
                event_name=ORDER_EVENT,
                occurred_at=_text(_ms(self.columns["occurred_at"][raw]) + PLANTED_ORDER_DELAY_MS),
                received_at=_text(_ms(self.columns["received_at"][raw]) + PLANTED_ORDER_DELAY_MS),
                element=None,
                click_x=None,
                click_y=None,
                feature_name=None,
                product_id=None,
                revenue=f"{value:.2f}",
                properties=None,
            )

        assignments: dict[str, list[Any]] = {
            "experiment_key": [experiment.key] * len(persons),
            "person_id": list(person_ids),
            "variant": [
                None if m else experiment.variants[v] for v, m in zip(variant, multiple, strict=True)
            ],
            "is_analysed": list(analysed),
            "first_exposed_at": [self.columns["occurred_at"][self.clean_rows[e]] for e in first_event],
            **{metric: [None] * len(persons) for metric in METRICS},
        }
        for metric, values in outcomes.items():
            for i, index in enumerate(np.flatnonzero(analysed)):
                assignments[metric][index] = float(values[i, assigned[i]])
        effects = [
            {
                "experiment_key": experiment.key,
                "variant": name,
                "metric_name": metric,
                "n_persons": int((assigned == j).sum()),
                "true_mean": float(values[:, j].mean()),
                "true_absolute_lift": float((values[:, j] - values[:, 0]).mean()),
                "true_relative_lift": float(values[:, j].mean() / values[:, 0].mean() - 1)
                if values[:, 0].mean()
                else None,
            }
            for metric, values in outcomes.items()
            for j, name in enumerate(experiment.variants)
        ]
        self._flush()
        return assignments, effects

    def tables(self) -> tuple[pa.Table, pa.Table]:
        """The raw rows and truth in arrival order (received_at, then event_id), the truth's
        event index null in every session a row was planted in (later events moved)."""
        events = pa.table({name: pa.array(values, pa.string()) for name, values in self.columns.items()})
        truth_columns = dict(self.truth)
        truth_columns["true_event_index"] = [
            None if session in self.planted_sessions else index
            for session, index in zip(
                self.truth["true_session_id"], self.truth["true_event_index"], strict=True
            )
        ]
        order = pc.sort_indices(events, [("received_at", "ascending"), ("event_id", "ascending")])
        truth = pa.table(truth_columns).take(order)
        truth = truth.set_column(0, "raw_row_number", pa.array(np.arange(len(order), dtype=np.int64)))
        return events.take(order), truth


EPOCH = datetime.datetime(1970, 1, 1)


def _ms(text: str) -> int:
    """Epoch milliseconds of 'YYYY-MM-DD HH:MM:SS.fff' (UTC)."""
    return (datetime.datetime.strptime(text, TIMESTAMP_FORMAT) - EPOCH) // datetime.timedelta(milliseconds=1)


def _text(ms: int) -> str:
    return (EPOCH + datetime.timedelta(milliseconds=ms)).strftime(TIMESTAMP_FORMAT)[:-3]
