"""Write the instance's open data (the sharing organisations' published figures per period, benchmark
format v1, docs/open-data.md) as CSV, JSON or XLSX, to a file or to standard output."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maturity.open_data import FORMATS, list_open_data_records, parse_period_code, write_records


class Command(BaseCommand):
    help = (
        "Export the open data: per sharing organisation and period its published organisation-wide "
        "figures (benchmark format v1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--output", default=None, help="File to write (default: standard output).")
        parser.add_argument("--period", default=None, help="Only this measurement period, e.g. 2026-HT.")

    def handle(self, *args, format, output, period, **options):
        if period is not None and parse_period_code(period) is None:
            raise CommandError(
                _("%(period)s is not a measurement period: write e.g. 2026-HT or 2027-VT.")
                % {"period": period}
            )
        records = list_open_data_records(period=period)
        content = write_records(format, records)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(
                _("%(count)s records written to %(file)s.") % {"count": len(records), "file": output}
            )
            return
        if format == "xlsx":
            stream = getattr(self.stdout._out, "buffer", None)
            if stream is None:
                raise CommandError(_("An XLSX file is binary: name the file to write with --output."))
            self.stdout.flush()
            stream.write(content)
            stream.flush()
            return
        self.stdout.write(content.decode("utf-8"), ending="")
