"""The rules of numbers and dates (dimios_web.formatting, docs/formatting.md), in both languages."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import translation

from dimios_web import formatting as f
from dimios_web import localformat
from maturity.rates import percent as rate_percent
from maturity.scoring import maturity_type
from reports import charts

NBSP = "\u00a0"
MINUS = "\u2212"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def test_numbers_round_half_away_from_zero_and_never_show_minus_zero():
    assert f.number(12.46) == "12,5"
    assert f.number(12.46, language="en") == "12.5"
    # Python's f"{2.25:.1f}" and Babel's half-to-even both give 2,2
    assert f.number(2.25) == "2,3"
    assert f.number(-2.25) == f"{MINUS}2,3"
    assert f.number(0.05) == "0,1"
    assert f.number(-0.04) == "0,0"
    assert f.number(-0.04, language="en") == "0.0"
    assert f.number(4.456, 2) == "4,46"
    assert f.number(None) == "–"


def test_negative_numbers_carry_the_real_minus_sign_in_both_languages():
    assert f.number(-3.0) == f"{MINUS}3,0"
    assert f.number(-1500.5, language="en") == f"{MINUS}1,500.5"
    assert "-" not in f.number(-7.25) + f.change(-7.25) + f.percent(-7.25)


def test_integers_counts_and_years():
    assert f.integer(1500) == f"1{NBSP}500"
    assert f.integer(1500, language="en") == "1,500"
    assert f.integer(54.0) == "54"
    assert f.integer(1234567) == f"1{NBSP}234{NBSP}567"
    assert f.year(2026) == "2026"
    assert f.integer(2026, group=False) == "2026"
    assert f.integer(None) == "–"


def test_percent_follows_cldr_in_each_language():
    assert f.percent(78.571) == f"78,6{NBSP}%"
    assert f.percent(78.571, language="en") == "78.6%"
    assert f.percent(50, 0) == f"50{NBSP}%"
    assert f.percent(None) == "–"


def test_eleven_of_fourteen_is_78_6_percent_everywhere():
    """11/14 = 78.571…: the round page used to truncate it to 78,5 % while the dashboard showed 78,6 %."""
    assert f.ratio(11, 14) == f"78,6{NBSP}%"
    assert f.ratio(11, 14, language="en") == "78.6%"
    assert f.ratio(1, 0) == "–"
    with translation.override("sv"):
        assert rate_percent(11, 14) == f"78,6{NBSP}%"
        assert charts.format_percent(11 / 14 * 100) == rate_percent(11, 14)
    with translation.override("en"):
        assert rate_percent(11, 14) == "78.6%"


def test_changes_in_percentage_points_carry_their_sign():
    assert f.change(-2.5) == f"{MINUS}2,5"
    assert f.change(2.1) == "+2,1"
    assert f.change(2.1, language="en") == "+2.1"
    assert f.change(0) == "±0,0"
    assert f.change(-0.04) == "±0,0"
    assert f.change(0.04) == "±0,0"
    assert f.change(0.05) == "+0,1"
    assert f.change(None) == "–"


def test_a_dimension_figure_never_crosses_the_cut_off_of_its_type():
    # 49.999 is below the cut-off 50: classified as the low side and so never shown as "50,0 %"
    assert maturity_type(50.0, 49.999) == "B" and maturity_type(50.0, 50.0) == "D"
    assert f.dimension(49.999, 50) == f"49,9{NBSP}%"
    assert f.dimension(49.96, 50, language="en") == "49.9%"
    assert f.dimension_value(49.999, 50) == 49.9
    assert f.dimension_value(49.123456, 50) == 49.123456  # unchanged when the rounding stays on its side
    assert f.dimension(50.0, 50) == f"50,0{NBSP}%"
    assert f.dimension(50.04, 50) == f"50,0{NBSP}%"
    # away from the cut-off the usual rounding applies
    assert f.dimension(49.94, 50) == f"49,9{NBSP}%"
    assert f.dimension(47.26, 50) == f"47,3{NBSP}%"
    # a cut-off between two steps: both sides stay on their side
    assert f.dimension(47.24, 47.25) == f"47,2{NBSP}%"
    assert f.dimension(47.25, 47.25) == f"47,3{NBSP}%"
    assert f.dimension(47.24, 47.24) == f"47,3{NBSP}%"
    assert f.dimension(None, 50) == "–"


def test_dates_and_local_times():
    moment = datetime.datetime(2025, 10, 12, 17, 0, tzinfo=STOCKHOLM)
    assert f.date(datetime.date(2025, 10, 12)) == "12 oktober 2025"
    assert f.date(datetime.date(2025, 10, 2), language="en") == "2 October 2025"
    assert f.date_time(moment) == "12 oktober 2025 kl. 17.00"
    assert f.date_time(moment, language="en") == "12 October 2025, 17:00"
    assert f.as_of(moment) == "data per 12 oktober 2025 kl. 17.00"
    assert f.as_of(moment, language="en") == "data as of 12 October 2025, 17:00"
    assert f.as_of(datetime.date(2025, 10, 12)) == "data per 12 oktober 2025"


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        # 14:02 UTC on 3 December is 15:02 in Stockholm (winter time), 15:00 UTC in July is 17.00 (summer)
        (datetime.datetime(2026, 12, 3, 14, 2, tzinfo=datetime.UTC), "3 december 2026 kl. 15.02"),
        (datetime.datetime(2026, 7, 1, 15, 0, tzinfo=datetime.UTC), "1 juli 2026 kl. 17.00"),
        # just before midnight UTC is the next day in Stockholm
        (datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC), "2 mars 2026 kl. 00.30"),
    ],
)
def test_moments_are_shown_in_swedish_local_time(utc, shown):
    with translation.override("sv"):
        assert localformat.date_time(utc) == shown
    assert localformat.date(datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)) == "2 mars 2026"


def test_the_active_language_decides():
    with translation.override("en"):
        assert localformat.percent(78.571) == "78.6%"
        assert localformat.integer(1500) == "1,500"
        assert localformat.decimal_separator() == "."
    with translation.override("sv"):
        assert localformat.percent(78.571) == f"78,6{NBSP}%"
        assert localformat.decimal_separator() == ","


def test_measurement_periods_are_shown_as_people_say_them():
    assert f.period(2026, "HT") == "HT 2026"
    assert f.period_from_code("2026-VT") == "VT 2026"
    assert f.period_from_code("not a code") == "not a code"


def test_the_chart_helpers_delegate():
    assert charts.format_number(-0.04) == "0,0"
    assert charts.format_number(2.25, decimal=".") == "2.3"
    assert charts.format_percent(78.571) == f"78,6{NBSP}%"
    assert charts.format_percent(78.571, decimal=".") == "78.6%"


def test_heatmap_cells_are_written_as_percents():
    figure = charts.heatmap_figure(["A capability"], ["Managers", "Staff"], [[78.571, None]])
    assert figure["data"][0]["text"] == [[f"78,6{NBSP}%", "–"]]


def _read_xlsx(data: bytes):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def test_xlsx_years_and_counts_are_whole_numbers_with_the_format_0():
    from dimios_web.spreadsheets import add_sheet, new_workbook, workbook_bytes

    workbook = new_workbook()
    rows = [["År", 2026, ""], ["Respondenter", 54, ""], ["Mognad", 61.25, "%"]]
    add_sheet(workbook, "Sammanfattning", rows)
    sheet = _read_xlsx(workbook_bytes(workbook))["Sammanfattning"]
    year, respondents, maturity = sheet["B1"], sheet["B2"], sheet["B3"]
    assert year.value == 2026 and isinstance(year.value, int) and year.number_format == "0"
    assert respondents.value == 54 and respondents.number_format == "0"
    assert maturity.value == 61.25  # full precision; not given an integer format
    assert maturity.number_format == "General"


@pytest.mark.django_db
def test_the_open_data_workbook_keeps_respondents_an_integer_and_figures_numbers():
    from maturity.open_data import OpenDataRecord, records_as_xlsx

    record = OpenDataRecord(
        "0580", "Linköpings kommun", "municipality", "05", "2026-HT", 1500, {"overall": 61.25}
    )
    sheet = _read_xlsx(records_as_xlsx([record], source="test"))["data"]
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["n_respondents"].value == 1500 and row["n_respondents"].number_format == "0"
    assert row["period"].value == "2026-HT"  # the machine format keeps the code
    figure = next(cell for name, cell in row.items() if name not in header[:7])
    assert figure.value == 61.25 and figure.number_format == "0.0"


def test_the_dashboard_csv_writes_numbers_a_spreadsheet_reads():
    assert f.plain_number(-2.25) == "-2,3"  # ASCII minus: Excel reads "−2,3" as text
    assert f.plain_number(1500.04) == "1500,0"  # no grouping
    assert f.plain_number(-0.04) == "0,0"
    assert f.plain_number(None) == ""
