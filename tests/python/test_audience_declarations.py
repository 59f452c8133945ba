"""Audience declarations (var audience_triggers) are checked when the project compiles: one
compile error names every declaration that cannot be read correctly and everything wrong
with each (macro audience_declarations)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_dbt

VALID = {"name": "viewers", "kind": "event_count", "event_names": ["page_view"], "window_days": 7}
# each bad declaration, with what the error must say of it
BAD = [
    (
        {"name": "Bad Name", "kind": "event_count", "window_days": 0},
        ["audience Bad Name: its name must be lower snake case", "a event_count trigger needs event_names",
         "window_days must be a whole number, at least 1"],
    ),
    (dict(VALID), ["audience viewers: the name is declared twice"]),
    (
        {"name": "abandon", "kind": "sequence", "first_event": "product_added", "window_days": 7,
         "negate": True, "min_count": 2, "cooldown_days": -1},
        ["audience abandon: a sequence trigger needs then_event", "a sequence trigger needs within_hours",
         "cooldown_days must be a whole number, at least 0", "a negated sequence counts one occurrence"],
    ),
    ({"name": "risky", "kind": "score", "window_days": 7}, ["audience risky: kind must be one of"]),
]


def test_bad_declarations_stop_the_compile_naming_every_problem(tmp_path: Path) -> None:
    audiences = [VALID, *(declaration for declaration, _ in BAD)]
    run = run_dbt(
        ["compile", "--select", "dim_audiences", "--quiet"], tmp_path, {"audience_triggers": audiences}
    )
    assert run.returncode != 0
    assert "var audience_triggers: " in run.output
    for _, messages in BAD:
        for message in messages:
            assert message in run.output, (message, run.output[-2000:])


def test_no_audience_declared_compiles_to_empty_tables(tmp_path: Path) -> None:
    """An empty declaration list compiles every audience model to an empty, typed select."""
    run = run_dbt(
        ["compile", "--select", "dim_audiences", "int_audience_intervals", "--quiet"],
        tmp_path,
        {"audience_triggers": []},
    )
    assert run.returncode == 0, run.output[-2000:]
    compiled = tmp_path / "target" / "compiled" / "behavioral_warehouse" / "models"
    for model in ("marts/predictions/dim_audiences", "intermediate/predictions/int_audience_intervals"):
        assert "where 1 = 0" in (compiled / f"{model}.sql").read_text()
