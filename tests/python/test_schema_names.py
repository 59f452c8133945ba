"""Schema names by target (macro generate_schema_name, var unprefixed_schema_targets).

On the targets the var lists (default duckdb and prod) custom schemas are used as named; on
every other target they are prefixed with the target schema, `<target schema>_<custom>`, so
developers sharing a Postgres or a Spark never overwrite each other's schemas. And wherever
the demo seeds land, the raw sources (tracking.events, support.*) read them there.

`dbt parse` opens no connection: the postgres and spark targets parse here without a server
or a Spark session (they need only their adapters, so they are in the engines tier), and each
manifest says where every node would be built. The fast tier proves the prefix on the duckdb
target with the var listing no target.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from conftest import run_dbt

# A few nodes and the schema each gets, spelled out: target -> node name -> schema.
EXAMPLES = {
    "duckdb": {
        "stg_tracking__events": "staging",
        "fct_sessions": "marts",
        "rpt_funnel_steps": "reports",
        "raw_events": "raw",
        "tracking_plan": "reference",
    },
    "duckdb-prefixed": {
        "stg_tracking__events": "main_staging",
        "fct_sessions": "main_marts",
        "rpt_funnel_steps": "main_reports",
        "raw_events": "main_raw",
        "tracking_plan": "main_reference",
    },
    "postgres": {
        "stg_tracking__events": "public_staging",
        "fct_sessions": "public_marts",
        "rpt_funnel_steps": "public_reports",
        "raw_events": "public_raw",
        "tracking_plan": "public_reference",
    },
    "spark": {
        "stg_tracking__events": "analytics_staging",
        "fct_sessions": "analytics_marts",
        "rpt_funnel_steps": "analytics_reports",
        "raw_events": "analytics_raw",
        "tracking_plan": "analytics_reference",
    },
}
TARGET_SCHEMAS = {"duckdb": "main", "postgres": "public", "spark": "analytics"}  # profiles.yml
# source table -> the demo seed it reads by default
SOURCE_SEEDS = {
    "tracking.events": "raw_events",
    "support.user_activity": "support_user_activity",
    "support.recommendations": "support_recommendations",
    "support.moderator_performance": "support_moderator_performance",
}


Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def parse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Manifest]:
    """The manifest of `dbt parse` on a target (with vars), parsed once per module."""
    manifests: dict[str, Manifest] = {}

    def parsed(target: str, variables: dict[str, object] | None = None) -> Manifest:
        key = json.dumps([target, variables])
        if key not in manifests:
            work_dir = tmp_path_factory.mktemp(f"parse-{target}")
            run = run_dbt(
                ["parse", "--target", target], work_dir, variables,
                environment={"BAWH_SPARK_DIR": str(work_dir / "spark")},
            )
            assert run.returncode == 0, run.output[-4000:]
            manifests[key] = json.loads((work_dir / "target" / "manifest.json").read_text())
        return manifests[key]

    return parsed


def project_nodes(manifest: Manifest) -> dict[str, dict[str, Any]]:
    """Models and seeds of this project by relation name (alias: versions of a model share
    its name)."""
    return {
        node["alias"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["package_name"] == "behavioral_warehouse"
    }


# Postgres and Spark parse only with their adapters (the postgres and spark extras): engines tier.
ON_ENGINES = pytest.mark.engines
NO_TARGET_LISTED = {"unprefixed_schema_targets": []}


@pytest.mark.parametrize(
    ("target", "variables", "examples"),
    [
        ("duckdb", None, "duckdb"),
        # the same target once the var lists no target: the prefix, without another adapter
        ("duckdb", NO_TARGET_LISTED, "duckdb-prefixed"),
        pytest.param("postgres", None, "postgres", marks=ON_ENGINES),
        pytest.param("spark", None, "spark", marks=ON_ENGINES),
        # a target listed in the var (as a production target named prod is by default)
        pytest.param("postgres", {"unprefixed_schema_targets": ["postgres"]}, "duckdb", marks=ON_ENGINES),
    ],
    ids=["duckdb", "duckdb-unlisted", "postgres", "spark", "postgres-listed"],
)
def test_custom_schemas_are_prefixed_off_the_listed_targets(
    parse: Callable[..., Manifest], target: str, variables: dict[str, object] | None, examples: str
) -> None:
    prefixed = examples != "duckdb"
    nodes = project_nodes(parse(target, variables))
    target_schema = TARGET_SCHEMAS[target]
    custom_schemas = set()
    for name, node in nodes.items():
        custom = node["config"].get("schema")
        expected = target_schema if custom is None else f"{target_schema}_{custom}" if prefixed else custom
        assert node["schema"] == expected, f"{name} on {target}: {node['schema']}, not {expected}"
        custom_schemas.add(custom)
    assert {"staging", "intermediate", "marts", "reports", "raw", "reference"} <= custom_schemas
    assert {name: nodes[name]["schema"] for name in EXAMPLES[examples]} == EXAMPLES[examples]


@pytest.mark.parametrize(
    ("target", "variables"),
    [
        ("duckdb", None),
        ("duckdb", NO_TARGET_LISTED),
        pytest.param("postgres", None, marks=ON_ENGINES),
        pytest.param("spark", None, marks=ON_ENGINES),
    ],
    ids=["duckdb", "duckdb-unlisted", "postgres", "spark"],
)
def test_raw_sources_read_the_demo_seeds_where_they_land(
    parse: Callable[..., Manifest], target: str, variables: dict[str, object] | None
) -> None:
    manifest = parse(target, variables)
    nodes = project_nodes(manifest)
    sources = {
        f"{source['source_name']}.{source['name']}": source for source in manifest["sources"].values()
    }
    for source_name, seed_name in SOURCE_SEEDS.items():
        source, seed = sources[source_name], nodes[seed_name]
        assert (source["database"], source["schema"], source["identifier"]) == (
            seed["database"], seed["schema"], seed["alias"]
        ), f"{source_name} on {target} does not read seed {seed_name}"
