"""Publishing (bawh.publish): readers of publication/current never block a build, never fail
and always see one complete, consistent publication, even while a build and a publish run.

The main test builds generated landing A, publishes it, starts a reader process that queries
the published marts in a loop (a fresh read-only connection each time, as a BI tool polling
would), rebuilds the same warehouse from a different landing B and publishes again while the
reader runs. The reader records every error and every cross-mart reconciliation; the test
asserts there were none failing, and that the reader saw both publications.

Publish refuses a build that fails its checks (a failed, skipped or foreign dbt build, a broken
reconciliation, too many quarantined rows, no clean events) with nothing published, and what
it publishes is read-only. Those tests work on copies of build A (its warehouse and its
run_results.json), each changed by hand to break one thing.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bawh import publish
from bawh.cli import build_parser, main
from bawh.generator import GeneratorConfig, generate, write_parquet
from conftest import DbtRun, project_vars, run_dbt

pytestmark = pytest.mark.slow

LANDING_A = GeneratorConfig(persons=120, days=10, seed=101)
LANDING_B = GeneratorConfig(persons=200, days=14, seed=202)

# Each check is a query returning (left, right); a consistent publication has left == right.
RECONCILIATIONS = {
    "persons' sessions = sessions": (
        "select (select sum(n_sessions) from marts.dim_persons),"
        " (select count(*) from marts.fct_sessions)"
    ),
    "person-days' events = clean events": (
        "select (select sum(n_events) from marts.fct_person_days),"
        " (select n_clean_events from reports.rpt_event_reconciliation)"
    ),
    "persons = persons with sessions": (
        "select (select count(*) from marts.dim_persons),"
        " (select count(distinct person_id) from marts.fct_sessions)"
    ),
    "hourly report's sessions = sessions": (
        "select (select sum(sessions) from reports.rpt_channel_traffic_hourly),"
        " (select count(*) from marts.fct_sessions)"
    ),
    "segments' persons = persons": (
        "select (select sum(n_persons) from reports.rpt_segment_summary),"
        " (select count(*) from marts.dim_persons)"
    ),
}

READER = """
import json, sys, time, duckdb
catalog, stop_file, out_file, checks = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
results = []
deadline = time.monotonic() + 600
import os
while not os.path.exists(stop_file) and time.monotonic() < deadline:
    record = {"at": time.monotonic()}
    try:
        with duckdb.connect(catalog, read_only=True) as connection:
            record["build_id"] = connection.execute(
                "select max(build_id) from publication.tables").fetchone()[0]
            record["checks"] = {
                name: list(connection.execute(sql).fetchone()) for name, sql in checks.items()}
            record["n_sessions"] = connection.execute(
                "select count(*) from marts.fct_sessions").fetchone()[0]
            record["tables_complete"] = all(
                connection.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
                == n_rows
                for schema, table, n_rows in connection.execute(
                    "select table_schema, table_name, n_rows from publication.tables").fetchall())
    except Exception as error:
        record["error"] = f"{type(error).__name__}: {error}"
    results.append(record)
    time.sleep(0.02)
with open(out_file, "w") as handle:
    json.dump(results, handle)
"""


def _landing(work_dir: Path, name: str, config: GeneratorConfig) -> str:
    write_parquet(generate(config).events, work_dir / name)
    return str(work_dir / name / "*.parquet")


def _build(work_dir: Path, landing_glob: str) -> DbtRun:
    """Seeds and models from a landing folder into work_dir/warehouse.duckdb; the data tests
    are left out to save time (the rest of the suite runs them on these very models)."""
    run = run_dbt(
        ["build", "--exclude", "raw_events", "--exclude-resource-type", "test", "unit_test"],
        work_dir,
        {"raw_events_location": landing_glob, "raw_events_format": "parquet"},
    )
    assert run.returncode == 0, run.output[-6000:]
    return run


@pytest.fixture(scope="module")
def build_a(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """Landing A built once for the module; tests work on copies (`_copy_build`)."""
    work_dir = tmp_path_factory.mktemp("build_a")
    return _build(work_dir, _landing(work_dir, "landing_a", LANDING_A))


def _copy_build(run: DbtRun, work_dir: Path) -> tuple[Path, Path]:
    """The build's warehouse and run_results.json copied to work_dir (same file names, so the
    copy is the same database as far as the run results say); returns both paths."""
    warehouse = work_dir / run.warehouse.name
    run_results = work_dir / "target" / publish.RUN_RESULTS
    run_results.parent.mkdir(parents=True)
    shutil.copy(run.warehouse, warehouse)
    shutil.copy(run.warehouse.parent / "target" / publish.RUN_RESULTS, run_results)
    return warehouse, run_results


def test_reader_never_fails_and_sees_consistent_publications_during_a_build(
    tmp_path: Path, build_a: DbtRun
) -> None:
    warehouse, run_results = _copy_build(build_a, tmp_path)
    landing_b = _landing(tmp_path, "landing_b", LANDING_B)
    root = tmp_path / "publication"
    first = publish.publish(warehouse, root, run_results=run_results)
    sessions_a = first.row_counts["marts.fct_sessions"]

    stop_file, out_file = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([
        sys.executable, "-c", READER, str(publish.current_catalog(root)), str(stop_file),
        str(out_file), json.dumps(RECONCILIATIONS),
    ])
    try:
        time.sleep(2)  # the reader is polling publication A
        build_started = time.monotonic()
        # The same warehouse file, rebuilt from other events while the reader polls: a reader
        # of the warehouse itself would block this build (one writer) or see half-built tables.
        run_b = _build(tmp_path, landing_b)
        assert run_b.warehouse == warehouse
        build_seconds = time.monotonic() - build_started
        second = publish.publish(warehouse, root, run_results=run_results)
        time.sleep(2)  # the reader polls publication B
    finally:
        stop_file.touch()
        reader.wait(timeout=60)
    results = json.loads(out_file.read_text())
    sessions_b = second.row_counts["marts.fct_sessions"]
    assert sessions_a != sessions_b, "the two builds must differ for the test to mean something"

    errors = [record["error"] for record in results if "error" in record]
    assert errors == []
    inconsistent = [
        (record["build_id"], name, values)
        for record in results
        for name, values in record["checks"].items()
        if values[0] != values[1]
    ]
    assert inconsistent == []
    assert all(record["tables_complete"] for record in results)
    # Each publication holds exactly its own build's data, and the reader saw both.
    expected_sessions = {first.build_id: sessions_a, second.build_id: sessions_b}
    seen = {record["build_id"]: record["n_sessions"] for record in results}
    assert seen == expected_sessions
    # Once it saw B it never went back to A (the switch is one atomic rename).
    build_ids = [record["build_id"] for record in results]
    assert build_ids == sorted(build_ids)
    assert len(results) > 20, f"only {len(results)} reads in {build_seconds:.0f} s of build"
    print(f"{len(results)} reads, rebuild {build_seconds:.0f} s, publish {second.seconds:.2f} s")
    assert publish.current_publication(root) == second.path


# A toy warehouse's reconciliation: 100 raw rows = 97 clean + 1 quarantined + 2 duplicates.
TOY_RECONCILIATION = (
    "create or replace table reports.rpt_event_reconciliation as select 100 as n_raw_rows,"
    " 97 as n_clean_events, 1 as n_quarantined_rows, 2 as n_duplicate_rows,"
    " 97 as n_sessionized_events"
)


def _toy_warehouse(warehouse: Path, *statements: str) -> None:
    """A hand-made warehouse: a reconciled reports.rpt_event_reconciliation, then statements."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute("create schema if not exists reports")
        connection.execute(TOY_RECONCILIATION)
        for statement in statements:
            connection.execute(statement)


def _toy_run_results(warehouse: Path, run_results: Path) -> None:
    """A run_results.json of a `dbt build` that built every published table of the warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        (database,) = connection.execute("select current_database()").fetchone() or ("",)
        tables = publish.published_tables(connection)
    nodes = [
        {"unique_id": f"model.toy.{table}", "status": "success",
         "relation_name": f'"{database}"."{schema}"."{table}"'}
        for schema, table in tables
    ]
    run_results.write_text(json.dumps({"args": {"which": "build"}, "results": nodes}))


def test_a_failed_publish_leaves_the_last_good_publication(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    _toy_warehouse(warehouse, "create table marts.fct_sessions as select 1 as session_id")
    root = tmp_path / "publication"
    good = publish.publish(warehouse, root)
    with pytest.raises(FileNotFoundError):
        publish.publish(tmp_path / "missing.duckdb", root)
    with pytest.raises(ValueError, match="no table"):
        publish.publish(warehouse, root, schemas=("not_built",))
    # a table that fails while exporting (a view over a table dropped after it was made)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table marts.gone as select 1 as x")
        connection.execute("create view marts.zz_broken as select * from marts.gone")
        connection.execute("drop table marts.gone")
    with pytest.raises(duckdb.Error):
        publish.publish(warehouse, root)
    assert publish.current_publication(root) == good.path
    assert sorted(path.name for path in root.iterdir()) == sorted([good.build_id, "current"])
    with duckdb.connect(str(publish.current_catalog(root)), read_only=True) as connection:
        assert connection.execute("select * from marts.fct_sessions").fetchall() == [(1,)]


def test_keeps_the_last_two_publications_and_views_need_no_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    root = tmp_path / "publication"
    build_ids = []
    for value in range(4):
        _toy_warehouse(warehouse, f"create or replace table reports.rpt_x as select {value} as x")
        build_ids.append(publish.publish(warehouse, root).build_id)
    assert [path.name for path in publish.list_publications(root)] == build_ids[-2:]
    # the older publications were read-only (folders 0555) and are gone all the same
    assert sorted(path.name for path in root.iterdir()) == sorted([*build_ids[-2:], "current"])
    assert os.readlink(root / "current") == build_ids[-1]
    # The catalog's views hold absolute paths to the publication's final folder: they
    # resolve from any working directory, and an older catalog keeps reading its own files.
    monkeypatch.chdir(tmp_path.parent)
    with duckdb.connect(str(publish.current_catalog(root)), read_only=True) as connection:
        assert connection.execute("select x from reports.rpt_x").fetchall() == [(3,)]
    with duckdb.connect(str(root / build_ids[-2] / "catalog.duckdb"), read_only=True) as older:
        assert older.execute("select x from reports.rpt_x").fetchall() == [(2,)]


def test_cli_publish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    _toy_warehouse(
        warehouse, "create table marts.dim_persons as select range as person_id from range(5)"
    )
    run_results = tmp_path / "target" / "run_results.json"
    run_results.parent.mkdir()
    _toy_run_results(warehouse, run_results)
    root = tmp_path / "publication"
    # the default run results: target/run_results.json of the working directory
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    assert main(["publish", "--warehouse", str(warehouse), "--publication", str(root)]) == 0
    assert "published 2 tables" in capsys.readouterr().out  # dim_persons, the reconciliation
    with duckdb.connect(str(publish.current_catalog(root)), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.dim_persons").fetchone() == (5,)
    assert main(["publish", "--warehouse", str(tmp_path / "none.duckdb"),
                 "--publication", str(root)]) == 2


# --- Refusals and the read-only publication (copies of build A) ---------------------------


@dataclass(frozen=True)
class Published:
    """A copy of build A, published once: `current` must stay `good` after every refusal."""

    warehouse: Path
    run_results: Path
    root: Path
    good: publish.Publication

    def refuse(
        self, *reasons: str, max_quarantine_share: float = publish.MAX_QUARANTINE_SHARE
    ) -> str:
        """Publish again, expecting a refusal that gives every reason on one line and leaves the
        publication folder as it was; returns the message."""
        with pytest.raises(publish.BuildNotPublishable) as refusal:
            publish.publish(
                self.warehouse, self.root, run_results=self.run_results,
                max_quarantine_share=max_quarantine_share,
            )
        message = str(refusal.value)
        assert message.startswith(f"refusing to publish {self.warehouse}: ")
        assert "\n" not in message
        for reason in reasons:
            assert reason in message
        self.assert_unchanged()
        return message

    def assert_unchanged(self) -> None:
        assert publish.current_publication(self.root) == self.good.path
        assert sorted(path.name for path in self.root.iterdir()) == sorted(
            [self.good.build_id, "current"]
        )

    def reconciliation(self) -> dict[str, int]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            cursor = connection.execute("select * from reports.rpt_event_reconciliation")
            names = [column[0] for column in cursor.description]
            (row,) = cursor.fetchall()
        return dict(zip(names, row, strict=True))

    def set_reconciliation(self, **values: int) -> None:
        assignments = ", ".join(f"{name} = {value}" for name, value in values.items())
        with duckdb.connect(str(self.warehouse)) as connection:
            connection.execute(f"update reports.rpt_event_reconciliation set {assignments}")


@pytest.fixture
def published(build_a: DbtRun, tmp_path: Path) -> Published:
    warehouse, run_results = _copy_build(build_a, tmp_path)
    root = tmp_path / "publication"
    good = publish.publish(warehouse, root, run_results=run_results)
    return Published(warehouse, run_results, root, good)


def _node_of(document: dict[str, Any], schema: str, table: str) -> dict[str, Any]:
    """The run_results.json node of the model built as schema.table."""
    (node,) = [
        node for node in document["results"]
        if str(node.get("relation_name") or "").endswith(f'"{schema}"."{table}"')
    ]
    return node


def test_refuses_a_failed_or_skipped_build_and_publishes_one_with_warnings(
    published: Published,
) -> None:
    document = json.loads(published.run_results.read_text())
    fct_sessions = _node_of(document, "marts", "fct_sessions")
    dim_persons = _node_of(document, "marts", "dim_persons")
    # a model failed and dbt skipped what depends on it
    fct_sessions["status"], dim_persons["status"] = "error", "skipped"
    published.run_results.write_text(json.dumps(document))
    published.refuse(
        "the dbt build has 2 failed or skipped nodes", f"{fct_sessions['unique_id']} (error)",
        f"{dim_persons['unique_id']} (skipped)",
    )
    # every model built, but a data test failed
    fct_sessions["status"] = dim_persons["status"] = "success"
    document["results"].append({"unique_id": "test.x.fails", "status": "fail"})
    published.run_results.write_text(json.dumps(document))
    published.refuse("the dbt build has 1 failed or skipped nodes: test.x.fails (fail)")
    # a data test that warns does not stop the publish
    document["results"][-1]["status"] = "warn"
    published.run_results.write_text(json.dumps(document))
    warned = publish.publish(published.warehouse, published.root, run_results=published.run_results)
    assert publish.current_publication(published.root) == warned.path != published.good.path


def test_refuses_without_the_run_results_of_a_build_of_this_warehouse(
    published: Published,
) -> None:
    document = json.loads(published.run_results.read_text())
    published.run_results.unlink()
    published.refuse(f"no dbt run results at {published.run_results}", "run `dbt build` first")
    # the run results of a later `dbt compile` (or show, docs generate) in the same target/
    published.run_results.write_text(json.dumps({**document, "args": {"which": "compile"}}))
    published.refuse("is of `dbt compile`, not `dbt build`")
    # a `dbt build --select` that left the marts out
    published.run_results.write_text(json.dumps({**document, "results": [
        node for node in document["results"]
        if '"marts".' not in str(node.get("relation_name"))
    ]}))
    published.refuse("did not build marts.")
    # the run results of another warehouse file (a build into target/test_warehouse.duckdb
    # beside the demo's): the same tables, but not of this database
    published.run_results.write_text(json.dumps(document))
    other = Published(
        published.warehouse.with_name("other.duckdb"), published.run_results, published.root,
        published.good,
    )
    shutil.copy(published.warehouse, other.warehouse)
    # every published table is named missing (the first five, then how many more)
    other.refuse(
        "is not of the build of this warehouse (other): it did not build marts.",
        f" and {len(published.good.row_counts) - 5} more",
    )


def test_refuses_too_many_quarantined_rows_or_no_clean_events(published: Published) -> None:
    counts = published.reconciliation()
    raw, quarantined = counts["n_raw_rows"], counts["n_quarantined_rows"]
    # k more quarantined raw rows (the reconciliation still holds) put the share at
    # (quarantined + k) / (raw + k): over 1/20 from k > (raw - 20 * quarantined) / 19 on
    over = (raw - 20 * quarantined) // 19 + 1
    under = over - 1 if 20 * (quarantined + over - 1) < raw + over - 1 else over - 2
    assert under >= 0, "build A must quarantine under 5% for this test to mean something"
    published.set_reconciliation(
        n_raw_rows=raw + over, n_quarantined_rows=quarantined + over
    )
    published.refuse(f"{quarantined + over} of {raw + over} raw rows quarantined", "over the 5.0%")
    published.refuse("over the 1.0% allowed", max_quarantine_share=0.01)
    assert publish.publish(
        published.warehouse, published.root, run_results=published.run_results,
        max_quarantine_share=0.5,
    ).row_counts
    published.set_reconciliation(
        n_raw_rows=raw + under, n_quarantined_rows=quarantined + under
    )
    assert publish.publish(
        published.warehouse, published.root, run_results=published.run_results
    ).row_counts["reports.rpt_event_reconciliation"] == 1


def test_refuses_an_all_quarantined_build(published: Published) -> None:
    raw = published.reconciliation()["n_raw_rows"]
    published.set_reconciliation(
        n_clean_events=0, n_quarantined_rows=raw, n_duplicate_rows=0, n_sessionized_events=0
    )
    published.refuse("the warehouse has no clean events", f"{raw} of {raw} raw rows quarantined")
    # no clean events is refused whatever share of quarantine is allowed
    message = published.refuse("no clean events", max_quarantine_share=1.0)
    assert "raw rows quarantined" not in message


def test_refuses_a_broken_reconciliation(published: Published) -> None:
    counts = published.reconciliation()
    published.set_reconciliation(n_raw_rows=counts["n_raw_rows"] + 3)
    published.refuse("the reconciliation fails: 3 raw rows unaccounted for")
    published.set_reconciliation(
        n_raw_rows=counts["n_raw_rows"], n_sessionized_events=counts["n_clean_events"] - 1
    )
    published.refuse(
        f"{counts['n_clean_events'] - 1} sessionized events != {counts['n_clean_events']} clean"
    )
    with duckdb.connect(str(published.warehouse)) as connection:
        connection.execute("drop table reports.rpt_event_reconciliation")
    published.refuse("cannot read reports.rpt_event_reconciliation")


def test_cli_refuses_with_one_line_and_exit_1(
    published: Published, capsys: pytest.CaptureFixture[str]
) -> None:
    published.set_reconciliation(n_raw_rows=published.reconciliation()["n_raw_rows"] + 1)
    arguments = ["publish", "--warehouse", str(published.warehouse), "--publication",
                 str(published.root), "--run-results", str(published.run_results)]
    assert main(arguments) == 1
    output = capsys.readouterr()
    assert output.out == ""
    assert output.err.startswith("bawh: refusing to publish")
    assert "1 raw rows unaccounted for" in output.err
    assert output.err.count("\n") == 1
    published.assert_unchanged()
    # --max-quarantine-share reaches the check
    published.set_reconciliation(n_raw_rows=published.reconciliation()["n_raw_rows"] - 1)
    assert main([*arguments, "--max-quarantine-share", "0"]) == 1
    assert "over the 0.0% allowed" in capsys.readouterr().err
    published.assert_unchanged()


def test_the_default_quarantine_share_is_the_dbt_var() -> None:
    share = project_vars()["quarantine_warn_share"]
    assert share == publish.MAX_QUARANTINE_SHARE
    assert build_parser().parse_args(["publish"]).max_quarantine_share == share


def test_build_problems_lists_every_problem() -> None:
    with duckdb.connect() as connection:
        connection.execute("create schema reports")
        connection.execute(TOY_RECONCILIATION)
        assert publish.build_problems(connection, [], run_results=None) == []
        # 100 raw rows: none clean, 80 quarantined, no duplicate, 97 sessionized as before
        connection.execute(
            "update reports.rpt_event_reconciliation"
            " set n_clean_events = 0, n_quarantined_rows = 80, n_duplicate_rows = 0"
        )
        problems = publish.build_problems(connection, [], run_results=None)
    assert len(problems) == 4, problems
    assert problems[0].startswith("the warehouse has no clean events")
    assert "20 raw rows unaccounted for" in problems[1]
    assert problems[2] == "97 sessionized events != 0 clean events"
    assert problems[3].startswith("80 of 100 raw rows quarantined (80.0%)")


WRITER = """
import sys, duckdb
catalog, parquet = sys.argv[1], sys.argv[2]
for read_only in (False, True):
    try:
        with duckdb.connect(catalog, read_only=read_only) as connection:
            connection.execute("create or replace view marts.fct_sessions as select 1 as x")
        print("wrote the catalog")
    except duckdb.Error as error:
        print(type(error).__name__)
try:
    open(parquet, "ab").close()
    print("opened a Parquet file for writing")
except PermissionError:
    print("PermissionError")
with duckdb.connect(catalog, read_only=True) as connection:
    print(connection.execute("select count(*) from marts.fct_sessions").fetchone()[0])
"""


NOBODY = 65534  # the user `nobody`


@pytest.fixture
def owned_publication(published: Published) -> Iterator[tuple[publish.Publication, list[str]]]:
    """A publication of build A and the command prefix that runs as the user owning it. Root
    ignores file modes, so under root the publication is made in a folder any user can reach
    and handed to `nobody`, and the writer runs as `nobody` (setpriv, util-linux): the modes
    must then stop the publication's very owner."""
    if os.geteuid() != 0:
        yield published.good, []
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores file modes, and no setpriv to drop it")
    outside = Path(tempfile.mkdtemp(prefix="bawh-publish-"))
    try:
        os.chmod(outside, 0o755)
        publication = publish.publish(
            published.warehouse, outside / "publication", run_results=published.run_results
        )
        for path in [outside / "publication", *(outside / "publication").rglob("*")]:
            os.lchown(path, NOBODY, NOBODY)
        yield publication, [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    finally:
        shutil.rmtree(outside)


def test_publication_is_read_only(
    published: Published, owned_publication: tuple[publish.Publication, list[str]]
) -> None:
    folder = published.good.path
    files = [path for path in folder.rglob("*") if path.is_file()]
    folders = [folder, *(path for path in folder.rglob("*") if path.is_dir())]
    assert folder / "catalog.duckdb" in files
    assert len(files) == len(published.good.row_counts) + 1  # a Parquet file per table
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o444}
    assert {stat.S_IMODE(path.stat().st_mode) for path in folders} == {0o555}
    # the owner of the publication cannot open the catalog for writing (which would lock out
    # every reader) or redefine a view, nor change a Parquet file; reading works
    publication, as_owner = owned_publication
    written = subprocess.run(
        [*as_owner, sys.executable, "-c", WRITER, str(publication.path / "catalog.duckdb"),
         str(publication.path / "marts" / "fct_sessions.parquet")],
        capture_output=True, text=True, check=False,
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout.split() == [
        "IOException", "InvalidInputException", "PermissionError",
        str(publication.row_counts["marts.fct_sessions"]),
    ]
