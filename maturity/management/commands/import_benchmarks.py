"""Import benchmark records of organisations that are not on this instance (docs/benchmark-format.md):
CSV or JSON, all or nothing. Importing a source again replaces its earlier records."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maturity.benchmark_format import MAX_FILE_BYTES
from maturity.services.benchmarks import BenchmarkFileRejected, import_benchmarks


class Command(BaseCommand):
    help = "Import benchmark records (CSV or JSON, docs/benchmark-format.md); every problem is reported."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .json file in the benchmark format, version 1.")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        try:
            summary = import_benchmarks(file=content, file_name=path.name)
        except BenchmarkFileRejected as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Imported {summary.records} records ({summary.figures} figures) of "
            f"{len(summary.sources)} source(s): {', '.join(summary.sources)}."
        )
        self.stdout.write(f"Periods: {', '.join(summary.periods)}.")
        if summary.replaced:
            self.stdout.write(f"Replaced the earlier records of: {', '.join(summary.replaced)}.")
