"""Command line of the warehouse tooling: `bawh generate` and `bawh summary`."""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bawh import bench, generator, live, publish, support
from bawh.summary import format_summary, read_summary

# The committed demo seed (seeds/demo/raw_events.csv) is exactly this configuration.
DEMO_CONFIG = generator.GeneratorConfig(persons=300, days=30, seed=20261001)
# The committed support-platform demo seeds (seeds/demo/support_*.csv): a handful of defective
# rows (about 1%) so the demo quarantine and its reconciliation test have something to show.
DEMO_SUPPORT_CONFIG = support.SupportConfig(
    defect_rate=0.01, duplicate_rate=0.005, fractional_second_rate=0.05, unknown_user_rate=0.02
)


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
    started = time.perf_counter()
    generated = generator.generate(config)
    generated_seconds = time.perf_counter() - started
    if arguments.format == "csv":
        generator.write_csv(generated.events, arguments.output)
    else:
        generator.write_parquet(generated.events, arguments.output)
    if arguments.truth is not None:
        generator.write_parquet(generated.truth, arguments.truth)
    total_seconds = time.perf_counter() - started
    print(
        f"{generated.events.num_rows:,} raw rows for {persons:,} persons over {config.days} days"
        f" -> {arguments.output} ({generated_seconds:.1f} s to generate,"
        f" {total_seconds:.1f} s with writing)"
    )
    return 0


def _demo_data(arguments: argparse.Namespace) -> int:
    generated = generator.generate(DEMO_CONFIG)
    generator.write_csv(generated.events, arguments.output)
    print(f"{generated.events.num_rows:,} demo raw rows -> {arguments.output}")
    for path in support.write_support_csv(
        support.generate_support(DEMO_SUPPORT_CONFIG), arguments.output.parent
    ):
        print(f"support demo seed -> {path}")
    return 0


def _publish(arguments: argparse.Namespace) -> int:
    publication = publish.publish(arguments.warehouse, arguments.publication, keep=arguments.keep)
    print(
        f"published {len(publication.row_counts)} tables ({publication.size_bytes / 1e6:.1f} MB)"
        f" -> {publication.path} in {publication.seconds:.1f} s;"
        f" readers open {arguments.publication / 'current' / 'catalog.duckdb'} read-only"
    )
    return 0


def _bench(arguments: argparse.Namespace) -> int:
    return bench.run_from_arguments(arguments)


def _live_feed(arguments: argparse.Namespace) -> int:
    return live.run_from_arguments(arguments)


def _summary(arguments: argparse.Namespace) -> int:
    print(format_summary(read_summary(arguments.warehouse)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The `bawh` argument parser."""
    parser = argparse.ArgumentParser(prog="bawh", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser(
        "generate", help="make raw events (and their ground truth) deterministically"
    )
    size = generate.add_mutually_exclusive_group()
    size.add_argument("--persons", type=int, default=300, help="persons to simulate (default 300)")
    size.add_argument("--events", type=int, help="aim for about this many events instead")
    generate.add_argument("--days", type=int, default=30, help="length of the period (default 30)")
    generate.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    generate.add_argument(
        "--start-date",
        type=datetime.date.fromisoformat,
        default=datetime.date(2026, 10, 1),
        help="first day, YYYY-MM-DD (default 2026-10-01)",
    )
    generate.add_argument("--duplicate-rate", type=float, default=0.01)
    generate.add_argument("--invalid-rate", type=float, default=0.005)
    generate.add_argument("--out-of-order-rate", type=float, default=0.02)
    generate.add_argument("--late-rate", type=float, default=0.005)
    generate.add_argument(
        "--feature-catalog", type=Path, default=Path("seeds/reference/feature_catalog.csv")
    )
    generate.add_argument("--format", choices=["csv", "parquet"], default="parquet")
    generate.add_argument(
        "--output", type=Path, required=True,
        help="CSV file, or folder for Parquet part files",
    )
    generate.add_argument(
        "--truth", type=Path, help="folder for the ground truth (Parquet); never read by dbt"
    )
    generate.set_defaults(handler=_generate)

    demo_data = commands.add_parser("demo-data", help="write the committed demo seed (fixed seed)")
    demo_data.add_argument("--output", type=Path, default=Path("seeds/demo/raw_events.csv"))
    demo_data.set_defaults(handler=_demo_data)

    summary = commands.add_parser("summary", help="print the headline numbers of a build")
    summary.add_argument("--warehouse", type=Path, default=Path("behavioral_warehouse.duckdb"))
    summary.set_defaults(handler=_summary)

    benchmark = commands.add_parser(
        "bench", help="time the project beside DuckDB/polars/pandas sessionizations (JSON + table)"
    )
    bench.add_arguments(benchmark)
    benchmark.set_defaults(handler=_bench)

    publisher = commands.add_parser(
        "publish", help="export marts and reports to publication/current for BI readers"
    )
    publisher.add_argument("--warehouse", type=Path, default=Path("behavioral_warehouse.duckdb"))
    publisher.add_argument("--publication", type=Path, default=Path("publication"))
    publisher.add_argument("--keep", type=int, default=2, help="publications kept (default 2)")
    publisher.set_defaults(handler=_publish)

    live_feed = commands.add_parser(
        "live-feed",
        help="replay a generated stream into a landing folder, an incremental build per tick",
    )
    live.add_arguments(live_feed)
    live_feed.set_defaults(handler=_live_feed)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bawh` command."""
    arguments = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = arguments.handler
    try:
        return handler(arguments)
    except FileNotFoundError as error:
        print(f"bawh: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
