"""Reading an uploaded table (CSV or an Excel .xlsx workbook) with limits checked before and during parsing
(issue 11: "spreadsheet bombs").

A small file can claim to be enormous: a workbook of 158 KB that declares a sheet of a million rows, one
of 339 KB whose rows are tens of thousands of cells wide, a 1.5 MB zip that unpacks to gigabytes. So:

- the zip's declared unpacked sizes are added up before anything is unpacked (Python's zipfile never
  unpacks more than a member declares, so the declaration bounds the work), and the number of members;
- the sheet is read as a stream (defusedxml: no DTD, no entities) and parsing stops at the first row,
  column or cell beyond the limits, and at a bound on cells read, whatever the file declares about itself
  (the ``<dimension>`` is ignored; empty cells are never padded in);
- a CSV line longer than a row can be is refused before the csv module splits it, and every row and cell
  is checked against the same limits.

Each refusal is a ``TableRejected`` whose message (translated) names the limit. Text files are read as
UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", tab-separated) and, where the caller allows,
Windows-1252 with a notice.

Over 400 lines on purpose: the one reader of both imports (respondents, responses); CSV and the
streaming XLSX reader share the table, the limits and their errors, and read best side by side.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext

from dimios_web.exceptions import DomainError

MB = 1024 * 1024
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


class TableRejected(DomainError):
    """The file cannot be read as a table within the limits; the message says why."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 5 * MB
    max_rows: int = 20_000  # not counting the header row
    max_columns: int = 50
    max_cell_chars: int = 1_000
    max_unpacked_bytes: int = 50 * MB  # all members of an .xlsx together, as declared
    max_members: int = 500

    @property
    def max_cells_read(self) -> int:
        """Cells a parser may look at (empty and styled ones too) before it gives up."""
        return (self.max_rows + 1) * self.max_columns

    @property
    def max_line_chars(self) -> int:
        """The longest CSV line a row within the limits can be (every cell full, quoted, separated)."""
        return self.max_columns * (self.max_cell_chars * 2 + 3) + 2


@dataclass
class Table:
    """The rows of a table as text: (line or row number in the file, cells). ``formulas`` lists, per row,
    the cells of an .xlsx that held a formula (their value is left empty); ``cells_read`` is how many cells
    the parser looked at (for tests of the limits)."""

    kind: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    formulas: dict[int, list[str]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    cells_read: int = 0

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "rows": [[line, cells] for line, cells in self.rows],
            "formulas": {str(k): v for k, v in self.formulas.items()},
            "notices": self.notices,
        }

    @classmethod
    def from_json(cls, data: dict) -> Table:
        return cls(
            kind=data.get("kind", "csv"),
            rows=[(int(line), list(cells)) for line, cells in data.get("rows", [])],
            formulas={int(k): list(v) for k, v in data.get("formulas", {}).items()},
            notices=list(data.get("notices", [])),
        )


def is_xlsx(content: bytes) -> bool:
    return content[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(content))


def read_table(
    content: bytes, *, limits: Limits, allow_xlsx: bool = True, allow_cp1252: bool = True
) -> Table:
    if len(content) > limits.max_file_bytes:
        raise TableRejected(
            gettext("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": limits.max_file_bytes // MB}
        )
    if is_xlsx(content):
        if not allow_xlsx:
            raise TableRejected(gettext("This import reads CSV files only. Save the sheet as CSV (UTF-8)."))
        return read_xlsx(content, limits=limits)
    return read_csv(content, limits=limits, allow_cp1252=allow_cp1252)


# --- Text ---------------------------------------------------------------------------------------------------


def _looks_like_utf16(content: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every other byte of Latin text is NUL."""
    sample = content[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode_text(content: bytes, *, allow_cp1252: bool) -> tuple[str, list[str]]:
    """The text of a CSV file and any notice about how it was read."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(content):
        encoding = "utf-16" if content.startswith((b"\xff\xfe", b"\xfe\xff")) else _looks_like_utf16(content)
        try:
            return content.decode(encoding or "utf-16").lstrip("\ufeff"), []
        except UnicodeDecodeError:
            raise TableRejected(
                gettext("The file looks like UTF-16 text but could not be read. Save it as “CSV UTF-8”.")
            ) from None
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    if not allow_cp1252:
        raise TableRejected(
            gettext("The file is not UTF-8 or UTF-16 text. Save it as “CSV UTF-8” and try again.")
        )
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise TableRejected(
            gettext(
                "The file could not be read as text. Save it as “CSV UTF-8” or as an Excel workbook (.xlsx)."
            )
        ) from None
    notice = gettext(
        "The file is not in UTF-8; it was read as Windows-1252 (Excel's default). Check that names with "
        "å, ä and ö look right below, or save the file as “CSV UTF-8”."
    )
    return text, [notice]


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max((";", ",", "\t"), key=first.count)


def _too_many_rows(limits: Limits) -> TableRejected:
    return TableRejected(
        gettext("The file has more than %(max)s rows; split it into smaller files.")
        % {"max": limits.max_rows}
    )


def _too_many_columns(line: int, limits: Limits) -> TableRejected:
    return TableRejected(
        gettext("Row %(line)s has more than %(max)s columns; a file for this import has at most %(max)s.")
        % {"line": line, "max": limits.max_columns}
    )


def _cell_too_long(line: int, limits: Limits) -> TableRejected:
    return TableRejected(
        gettext("A cell on row %(line)s is longer than %(max)s characters.")
        % {"line": line, "max": limits.max_cell_chars}
    )


def read_csv(content: bytes, *, limits: Limits, allow_cp1252: bool = True) -> Table:
    text, notices = decode_text(content, allow_cp1252=allow_cp1252)
    if "\x00" in text:
        raise TableRejected(
            gettext("The file contains binary data. Upload a CSV file or an Excel workbook (.xlsx).")
        )
    table = Table(kind="csv", notices=notices)

    def lines():
        """The physical lines, each checked for its length before it is cut out of the text (the csv module
        would otherwise split a line of millions of separators into millions of cells)."""
        separator = "\n" if "\n" in text else "\r"
        start, number, end_of_text = 0, 0, len(text)
        while start < end_of_text:
            number += 1
            end = text.find(separator, start)
            end = end_of_text - 1 if end < 0 else end
            if end - start + 1 > limits.max_line_chars:
                raise _too_many_columns(number, limits)
            yield text[start : end + 1]
            start = end + 1

    reader = csv.reader(lines(), delimiter=_delimiter(text))
    try:
        for row in reader:
            line = reader.line_num
            table.cells_read += len(row)
            if len(row) > limits.max_columns and any(cell.strip() for cell in row[limits.max_columns :]):
                raise _too_many_columns(line, limits)
            row = row[: limits.max_columns]
            if any(len(cell) > limits.max_cell_chars for cell in row):
                raise _cell_too_long(line, limits)
            if not any(cell.strip() for cell in row):
                continue
            if len(table.rows) > limits.max_rows:
                raise _too_many_rows(limits)
            table.rows.append((line, row))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _cell_too_long(reader.line_num, limits) from None
        raise TableRejected(
            gettext("The file is not valid CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    return table


# --- Excel workbooks ----------------------------------------------------------------------------------------


def _unreadable() -> TableRejected:
    return TableRejected(gettext("The Excel file could not be read. Is it a valid .xlsx workbook?"))


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The part name of the workbook's first sheet (xl/workbook.xml and its relationships)."""
    try:
        workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
        sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
        rel_id = sheet.get(f"{_REL}id") if sheet is not None else None
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels.iter(f"{_PKG_REL}Relationship"):
            if rel.get("Id") == rel_id:
                target = rel.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                if part in names:
                    return part
    except (KeyError, SafeET.ParseError, AttributeError):
        pass
    sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise _unreadable()
    return sheets[0]


def _shared_strings(archive: zipfile.ZipFile, names: set[str], limits: Limits) -> list[str | int]:
    """The workbook's shared strings; one longer than a cell may be is kept as its length (an int), and
    refused only if a cell of the sheet uses it."""
    if "xl/sharedStrings.xml" not in names:
        return []
    strings: list[str | int] = []
    root = None
    with archive.open("xl/sharedStrings.xml") as stream:
        for event, element in SafeET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                root = element if root is None else root
                continue
            if element.tag != f"{_MAIN}si":
                continue
            parts = [t.text or "" for t in element.iter(f"{_MAIN}t") if t is not None]
            # phonetic runs (<rPh>) are not part of the text
            for phonetic in element.iter(f"{_MAIN}rPh"):
                for t in phonetic.iter(f"{_MAIN}t"):
                    if (t.text or "") in parts:
                        parts.remove(t.text or "")
            text = "".join(parts)
            strings.append(len(text) if len(text) > limits.max_cell_chars else text)
            element.clear()
            if root is not None and element in root:
                root.remove(element)  # memory stays bounded by the strings kept, not the parsed tree
            if len(strings) > limits.max_cells_read:
                raise TableRejected(
                    gettext("The workbook holds more than %(max)s texts; a file for this import is smaller.")
                    % {"max": limits.max_cells_read}
                )
    return strings


def read_xlsx(content: bytes, *, limits: Limits) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    if len(members) > limits.max_members:
        raise TableRejected(
            gettext("The workbook holds more than %(max)s parts; it is not an ordinary workbook.")
            % {"max": limits.max_members}
        )
    if sum(member.file_size for member in members) > limits.max_unpacked_bytes:
        raise TableRejected(
            gettext(
                "The workbook would unpack to more than %(size)s MB. Save the sheet with only the "
                "respondents as a new .xlsx or as CSV."
            )
            % {"size": limits.max_unpacked_bytes // MB}
        )
    names = {member.filename for member in members}
    table = Table(kind="xlsx")
    try:
        strings = _shared_strings(archive, names, limits)
        sheet = _first_sheet(archive, names)
        with archive.open(sheet) as stream:
            _read_sheet(stream, strings, table, limits)
    except TableRejected:
        raise
    except (zipfile.BadZipFile, SafeET.ParseError, KeyError, ValueError, OSError, EOFError):
        raise _unreadable() from None
    except Exception:  # noqa: BLE001 - defusedxml's refusals (DTDs, entities) and anything else malformed
        raise _unreadable() from None
    finally:
        archive.close()
    return table


def _read_sheet(stream, strings: list[str | int], table: Table, limits: Limits) -> None:
    row_number = 0
    rows_read = 0
    values: dict[int, str] = {}
    formulas: list[str] = []
    column = 0
    sheet_data = None
    for event, element in SafeET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
        tag = element.tag
        if event == "start":
            if tag == f"{_MAIN}sheetData":
                sheet_data = element
            elif tag == f"{_MAIN}row":
                rows_read += 1
                if rows_read > limits.max_cells_read:
                    raise _too_many_rows(limits)
                reference = element.get("r")
                row_number = int(reference) if reference and reference.isdigit() else row_number + 1
                values, formulas, column = {}, [], 0
            continue
        if tag == f"{_MAIN}c":
            table.cells_read += 1
            if table.cells_read > limits.max_cells_read:
                raise TableRejected(
                    gettext("The sheet has more than %(max)s cells; a file for this import is smaller.")
                    % {"max": limits.max_cells_read}
                )
            match = _CELL_REF.match(element.get("r") or "")
            column = _column_index(match.group(1)) if match else column + 1
            value = _cell_value(element, strings, row_number, limits)
            if element.find(f"{_MAIN}f") is not None or value.startswith("="):
                formulas.append(f"{_column_letters(column)}{row_number}")
                value = ""
            if value != "":
                if column > limits.max_columns:
                    raise _too_many_columns(row_number, limits)
                values[column] = value
            element.clear()
        elif tag == f"{_MAIN}row":
            if values or formulas:
                if row_number > limits.max_rows + 1 or len(table.rows) > limits.max_rows:
                    raise _too_many_rows(limits)
                width = max(values, default=0)
                table.rows.append((row_number, [values.get(i, "") for i in range(1, width + 1)]))
                if formulas:
                    table.formulas[row_number] = formulas
            element.clear()
            if sheet_data is not None:
                sheet_data.remove(element)  # parsed rows are not kept in the tree: memory stays bounded


def _cell_value(element, strings: list[str | int], row_number: int, limits: Limits) -> str:
    kind = element.get("t", "n")
    if kind == "inlineStr":
        text = "".join(t.text or "" for t in element.iter(f"{_MAIN}t"))
    else:
        v = element.find(f"{_MAIN}v")
        raw = (v.text or "") if v is not None else ""
        if kind == "s" and raw:
            try:
                shared = strings[int(raw)]
            except (ValueError, IndexError):
                raise _unreadable() from None
            if isinstance(shared, int):
                raise _cell_too_long(row_number, limits)
            text = shared
        elif kind == "b":
            text = "TRUE" if raw == "1" else ("FALSE" if raw == "0" else raw)
        elif kind in ("n", "") and raw:
            try:
                number = float(raw)
            except ValueError:
                text = raw
            else:
                text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else raw
        else:
            text = raw
    if len(text) > limits.max_cell_chars:
        raise _cell_too_long(row_number, limits)
    return text
