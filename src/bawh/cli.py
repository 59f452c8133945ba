"""The `bawh` command line of the warehouse's tooling: generate raw events and the demo
seeds, summarize, publish and monitor a built warehouse and send its audience changes on,
benchmark the project beside hand-written sessionizations, and replay a live event feed with
an incremental dbt build per tick."""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bawh import activate, bench, experiments, generator, incidents, live, monitor, publish, support, trackers
from bawh.delivery import DeliveryFailed
from bawh.summary import format_summary, read_summary

# Every command and option of the tooling is defined in this module; each command calls the
# typed functions of its module (bawh.generator, support, summary, publish, monitor, activate,
# bench, live).

# The committed demo seed (seeds/demo/raw_events.csv) is exactly this configuration, with the
# demo's experiments planted (demo_events).
DEMO_CONFIG = generator.GeneratorConfig(persons=300, days=30, seed=20261001)
# The committed support-platform demo seeds (seeds/demo/support_*.csv): a handful of defective
# rows (about 1%) so the demo quarantine and its reconciliation test have something to show.
DEMO_SUPPORT_CONFIG = support.SupportConfig(
    defect_rate=0.01, duplicate_rate=0.005, fractional_second_rate=0.05, unknown_user_rate=0.02
)
INTERRUPTED = 130  # the shell's exit code for a process stopped by SIGINT (Ctrl-C)
DEFAULT_WAREHOUSE = Path("behavioral_warehouse.duckdb")
INCIDENT_FIELDS = {"event_name", "device_type", "column_name"}  # of bawh.incidents.Incident

Handler = Callable[[argparse.Namespace], int]


# --- Commands ------------------------------------------------------------------------------


def _generate(arguments: argparse.Namespace) -> int:
    persons = arguments.persons
    if arguments.events is not None:
        persons = generator.persons_for_events(arguments.events, arguments.days)
    config = generator.GeneratorConfig(
        persons=persons,
        days=arguments.days,
        seed=arguments.seed,
        start_date=arguments.start_date,
        duplicate_rate=arguments.duplicate_rate,
        invalid_rate=arguments.invalid_rate,
        out_of_order_rate=arguments.out_of_order_rate,
        late_rate=arguments.late_rate,
        feature_catalog_path=arguments.feature_catalog,
    )
    planted: list[incidents.Incident] = arguments.incident
    if planted and arguments.truth is not None:
        print(
            "--truth is row for row with the events as generated: leave it out with --incident",
            file=sys.stderr,
        )
        return 2
    if any(incident.kind == "column_added" for incident in planted) and arguments.format != "parquet":
        print("a column_added incident needs --format parquet (files with and without it)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    generated = generator.generate(config)
    events = incidents.plant(generated.events, planted) if planted else generated.events
    generated_seconds = time.perf_counter() - started
    if arguments.format == "csv":
        generator.write_csv(events, arguments.output)
    elif arguments.format in trackers.WRITERS:
        trackers.WRITERS[arguments.format](events, arguments.output)
    elif planted:
        incidents.write_landing(events, arguments.output, planted, rows_per_file=1_000_000)
    else:
        generator.write_parquet(events, arguments.output)
    if arguments.truth is not None:
        generator.write_parquet(generated.truth, arguments.truth)
    total_seconds = time.perf_counter() - started
    for incident in planted:
        print(f"planted {incident.kind} {incident.start:%Y-%m-%d %H:%M} - {incident.end:%Y-%m-%d %H:%M}")
    print(
        f"{events.num_rows:,} raw rows for {persons:,} persons over {config.days} days"
        f" -> {arguments.output} ({generated_seconds:.1f} s to generate,"
        f" {total_seconds:.1f} s with writing)"
    )
    return 0


def demo_events() -> generator.GeneratedEvents:
    """The demo's raw events: DEMO_CONFIG with bawh.experiments.DEMO_EXPERIMENTS planted
    (declared in dbt_project.yml, var experiments)."""
    generated = generator.generate(DEMO_CONFIG)
    return experiments.plant(generated, experiments.DEMO_EXPERIMENTS, DEMO_CONFIG.start_date).generated


def _demo_data(arguments: argparse.Namespace) -> int:
    generated = demo_events()
    generator.write_csv(generated.events, arguments.output)
    print(f"{generated.events.num_rows:,} demo raw rows -> {arguments.output}")
    for path in support.write_support_csv(
        support.generate_support(DEMO_SUPPORT_CONFIG), arguments.output.parent
    ):
        print(f"support demo seed -> {path}")
    return 0


def _summary(arguments: argparse.Namespace) -> int:
    print(format_summary(read_summary(arguments.warehouse)))
    return 0


def _publish(arguments: argparse.Namespace) -> int:
    """Verify the build and publish it; a build that fails a check is refused with exit 1."""
    try:
        publication = publish.publish(
            arguments.warehouse,
            arguments.publication,
            keep=arguments.keep,
            run_results=arguments.run_results or publish.default_run_results(),
            max_quarantine_share=arguments.max_quarantine_share,
        )
    except publish.BuildNotPublishable as error:
        print(f"bawh: {error}", file=sys.stderr)
        return 1
    print(
        f"published {len(publication.row_counts)} tables ({publication.size_bytes / 1e6:.1f} MB)"
        f" -> {publication.path} in {publication.seconds:.1f} s;"
        f" readers open {arguments.publication / 'current' / 'catalog.duckdb'} read-only"
    )
    return 0


def _monitor(arguments: argparse.Namespace) -> int:
    """Print and send the new incidents; exit 1 while an error-level incident is present (sent
    now or before), 2 when sending failed (the incidents are then sent by the next run)."""
    state: Path = arguments.state or monitor.default_state(arguments.warehouse)
    report = monitor.collect(arguments.warehouse, state, arguments.min_severity)
    print(monitor.format_report(report))
    try:
        monitor.deliver(report, state, webhook=arguments.webhook, retries=arguments.retries)
    except DeliveryFailed as error:
        print(f"bawh: {error}", file=sys.stderr)
        return 2
    return 1 if report.has_error else 0


def _activate(arguments: argparse.Namespace) -> int:
    """Send the audience changes not yet delivered; exit 1 when a batch could not be delivered
    (it stays pending and the next run sends it first), 2 without the changes table."""
    destination: activate.Destination
    if arguments.file is not None:
        destination = activate.FileDestination(arguments.file, arguments.format)
    else:
        destination = activate.WebhookDestination(
            arguments.webhook, max_attempts=arguments.max_attempts, timeout_seconds=arguments.timeout
        )
    try:
        result = activate.activate(arguments.warehouse, destination, arguments.audience, arguments.batch_size)
    except DeliveryFailed as error:
        print(f"bawh activate: {error}; the next run sends this batch again first", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"bawh activate: {error}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def _bench(arguments: argparse.Namespace) -> int:
    config = bench.BenchConfig(
        size=arguments.size,
        project_dir=arguments.project_dir,
        work_dir=arguments.work_dir,
        seed=arguments.seed,
        events=arguments.events,
        references=None if arguments.references is None else tuple(arguments.references),
        build=arguments.build,
        spark=arguments.spark,
    )
    result = bench.run_benchmark(config)
    output: Path = arguments.output or config.default_output()
    bench.write_result(result, output)
    print(bench.format_table(result))
    print(f"-> {output}")
    return 0


def _live_feed(arguments: argparse.Namespace) -> int:
    """Run the live feed; on Ctrl-C print what was done and exit 130."""
    config = live.LiveFeedConfig(
        landing=arguments.landing,
        warehouse=arguments.warehouse,
        project_dir=arguments.project_dir.resolve(),
        batches=arguments.batches,
        ticks=arguments.ticks,
        interval_seconds=arguments.interval,
        persons=arguments.persons,
        days=arguments.days,
        seed=arguments.seed,
        dbt_command=arguments.dbt_command,
    )
    ticks: list[live.Tick] = []
    try:
        live.run_live_feed(config, say=lambda line: print(line, flush=True), ticks=ticks)
    except KeyboardInterrupt:
        print(f"\nstopped (Ctrl-C): {live.summarize(ticks)}", flush=True)
        return INTERRUPTED
    print(f"done: {live.summarize(ticks)}", flush=True)
    return 0


# --- Options -------------------------------------------------------------------------------


def _add_generate(parser: argparse.ArgumentParser) -> None:
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--persons", type=int, default=300, help="persons to simulate (default 300)")
    size.add_argument("--events", type=int, help="aim for about this many events instead")
    parser.add_argument("--days", type=int, default=30, help="length of the period (default 30)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--start-date",
        type=datetime.date.fromisoformat,
        default=datetime.date(2026, 10, 1),
        help="first day, YYYY-MM-DD (default 2026-10-01)",
    )
    parser.add_argument("--duplicate-rate", type=float, default=0.01)
    parser.add_argument("--invalid-rate", type=float, default=0.005)
    parser.add_argument("--out-of-order-rate", type=float, default=0.02)
    parser.add_argument("--late-rate", type=float, default=0.005)
    parser.add_argument("--feature-catalog", type=Path, default=Path("seeds/reference/feature_catalog.csv"))
    parser.add_argument(
        "--format",
        choices=["csv", "parquet", *sorted(trackers.WRITERS)],
        default="parquet",
        help="csv, parquet (the event contract), or a tracker's export as JSON lines (build it"
        " with event_format set to the same name)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        required=True,
        help="CSV file, or folder for Parquet part files or a tracker's JSON lines",
    )
    parser.add_argument("--truth", type=Path, help="folder for the ground truth (Parquet); never read by dbt")
    parser.add_argument(
        "--incident",
        type=_incident,
        action="append",
        default=[],
        metavar="KIND,START,END[,FIELD=VALUE]",
        help="plant a tracking incident (repeatable; times YYYY-MM-DDTHH:MM, UTC): event_stops and"
        " tag_doubled need event_name=, column_nulled device_type= and column_name=,"
        " column_added column_name=, landing_stall nothing; e.g."
        " event_stops,2026-10-20T10:00,2026-10-20T16:00,event_name=checkout_started",
    )


def _add_demo_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("seeds/demo/raw_events.csv"),
        help="the events seed; the support seeds go beside it",
    )


def _add_summary(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)


def _add_publish(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument("--publication", type=Path, default=Path("publication"))
    parser.add_argument("--keep", type=int, default=2, help="publications kept (default 2)")
    parser.add_argument(
        "--run-results",
        type=Path,
        help="dbt's run_results.json of the build (default $DBT_TARGET_PATH or target/, then"
        " run_results.json); publish refuses unless it is of a `dbt build` that built every"
        " published table with no error, failure or skip",
    )
    parser.add_argument(
        "--max-quarantine-share",
        type=float,
        default=publish.MAX_QUARANTINE_SHARE,
        help="refuse when a larger share of the raw rows is quarantined"
        f" (default {publish.MAX_QUARANTINE_SHARE}, the dbt var quarantine_warn_share)",
    )


def _add_monitor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    parser.add_argument(
        "--state",
        type=Path,
        help="JSON file of the incidents already sent (default <warehouse>.monitor.json)",
    )
    parser.add_argument(
        "--webhook",
        type=_http_url,
        metavar="URL",
        help='also POST the new incidents as one Slack-compatible message ({"text": ...})',
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=monitor.RETRIES,
        help="retries of the webhook on connection errors, 429 and 5xx, with exponential backoff"
        f" (default {monitor.RETRIES})",
    )
    parser.add_argument(
        "--min-severity",
        choices=monitor.SEVERITIES,
        default="warn",
        help="report and send only incidents of this severity or worse (default warn)",
    )


def _add_activate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=DEFAULT_WAREHOUSE,
        help="reads marts.fct_audience_changes; its table bawh_activation_ledger records each change"
        " sent to each destination, as pending before the send and delivered after it, so a batch"
        " a failed or interrupted run left pending is sent again first, with the same batch_id",
    )
    destination = parser.add_mutually_exclusive_group(required=True)
    destination.add_argument(
        "--file",
        type=Path,
        metavar="DIR",
        help="write each batch to DIR/<batch_id>.jsonl (or .csv), atomically: a resent batch"
        " overwrites its own file with the same content",
    )
    destination.add_argument(
        "--webhook",
        type=_http_url,
        metavar="URL",
        help='POST each batch as JSON {"batch_id", "destination", "changes"} with the header'
        " Idempotency-Key: <batch_id>; the receiver ignores a batch_id it already has",
    )
    parser.add_argument(
        "--format",
        choices=activate.FORMATS,
        default="jsonl",
        help="file format of --file: JSON lines (default) or CSV with a header",
    )
    parser.add_argument(
        "--audience",
        action="append",
        default=[],
        metavar="NAME",
        help="send only this audience's changes (repeatable; default all)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        default=activate.BATCH_SIZE,
        help=f"changes per batch (default {activate.BATCH_SIZE})",
    )
    parser.add_argument(
        "--max-attempts",
        type=_positive_int,
        metavar="N",
        default=activate.MAX_ATTEMPTS,
        help="attempts of the webhook per batch on connection errors, timeouts, 408, 429 and 5xx,"
        f" with exponential backoff (default {activate.MAX_ATTEMPTS})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=activate.TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"of each webhook request (default {activate.TIMEOUT_SECONDS:g})",
    )


def _incident(text: str) -> incidents.Incident:
    """'kind,start,end[,field=value...]' as an incident (bawh.incidents)."""
    kind, start, end, *fields = [*text.split(","), "", ""][: max(3, text.count(",") + 1)]
    values = dict(field.partition("=")[::2] for field in fields)
    unknown = set(values) - INCIDENT_FIELDS
    if not end or unknown:
        raise argparse.ArgumentTypeError(
            f"{text}: expected KIND,START,END[,FIELD=VALUE...] with FIELD one of"
            f" {', '.join(sorted(INCIDENT_FIELDS))}"
        )
    try:
        return incidents.Incident(
            kind, datetime.datetime.fromisoformat(start), datetime.datetime.fromisoformat(end), **values
        )
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text}: {error}") from error


def _http_url(text: str) -> str:
    """A webhook address: http(s) only."""
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text}")
    return text


def _positive_int(text: str) -> int:
    """A count of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of at least 1: {text}")
    return int(text)


def _engine_list(text: str) -> list[str]:
    """'polars, pandas' -> ['polars', 'pandas'] (an empty text: no engine)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _add_bench(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--size",
        choices=list(bench.SIZES),
        default="10m",
        help="smoke=100k, 1m, 10m (default) or 100m events",
    )
    parser.add_argument("--events", type=int, help="override the size's event count")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    parser.add_argument("--work-dir", type=Path, help="default target/bench/<size>")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--output", type=Path, help="JSON file, default target/bench/bench-<size>.json")
    parser.add_argument(
        "--references",
        type=_engine_list,
        help="comma-separated engines besides DuckDB: polars,pandas (default both; none at 100m)",
    )
    parser.add_argument(
        "--build",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="time dbt build --full-refresh too (default: yes, but not at 100m)",
    )
    parser.add_argument(
        "--spark",
        action="store_true",
        help="also time dbt run (full and incremental) on a local Spark cluster (the spark extra, Java 17)",
    )


def _add_live_feed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--landing", type=Path, default=Path("landing/live"))
    parser.add_argument("--warehouse", type=Path, default=Path("live_warehouse.duckdb"))
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    parser.add_argument("--batches", type=int, default=10, help="arrival batches (default 10)")
    parser.add_argument("--ticks", type=int, help="stop after this many ticks (default: all)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between ticks")
    parser.add_argument("--persons", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dbt-command", choices=["build", "run"], default="build")


# name, help, options, handler
COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None], Handler], ...] = (
    ("generate", "make raw events (and their ground truth) deterministically", _add_generate, _generate),
    ("demo-data", "write the committed demo seeds (fixed seeds)", _add_demo_data, _demo_data),
    ("summary", "print the headline numbers of a build", _add_summary, _summary),
    (
        "bench",
        "time the project beside DuckDB/polars/pandas sessionizations (JSON + table)",
        _add_bench,
        _bench,
    ),
    ("publish", "export marts and reports to publication/current for BI readers", _add_publish, _publish),
    (
        "monitor",
        "print, and send to a webhook, each new data anomaly or stale feed once; exit 1"
        " while an error-level incident is present, even one already sent, 2 if sending failed",
        _add_monitor,
        _monitor,
    ),
    (
        "activate",
        "send each audience entry and exit not yet delivered to a folder or webhook, exactly once"
        " (a ledger in the warehouse; batches carry an idempotency key); exit 1 if sending failed"
        " (the batch is sent again first by the next run)",
        _add_activate,
        _activate,
    ),
    (
        "live-feed",
        "replay a generated stream into a landing folder, an incremental build per tick",
        _add_live_feed,
        _live_feed,
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The `bawh` argument parser."""
    parser = argparse.ArgumentParser(prog="bawh", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text, add_options, handler in COMMANDS:
        command = commands.add_parser(name, help=help_text, description=help_text)
        add_options(command)
        command.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bawh` command."""
    arguments = build_parser().parse_args(argv)
    handler: Handler = arguments.handler
    try:
        return handler(arguments)
    except FileNotFoundError as error:
        print(f"bawh: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
