"""Spreadsheets in the layout government offices file (台账): a title row across the table,
the reporting unit (填报单位) and the date, then the column headers and the rows, each row
numbered (序号). One place for the layout: every .xlsx export goes through here, and so
no text in one is ever a live formula (csv_safe does the same for the CSV exports). The layout's
own words are Chinese whatever the interface language: it is the format offices file."""

import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

DEFAULT_WIDTH = 14
# What a spreadsheet reads as the start of a formula (OWASP, CSV injection). A name such as
# "=HYPERLINK(...)" typed into an outlet must stay text in every file we write.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_not_formula(cell) -> None:
    """An .xlsx cell whose text starts like a formula is written as text (openpyxl would
    write a live formula); the value itself is unchanged, so the file imports as it is."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"


# Characters Excel refuses in a sheet's name; an area named "东/西片区" still exports.
SHEET_NAME_REFUSES = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\, not starting or ending with an apostrophe,
    at most 31 characters, never empty."""
    name = text.translate(SHEET_NAME_REFUSES).strip("'")[:31]
    return name or "Sheet1"


def csv_safe(value):
    """A CSV field a spreadsheet will not run: text starting like a formula gets a leading
    apostrophe (CSV has no cell types to say "text")."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def government_xlsx(
    *,
    title: str,
    unit: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int] = (),
    sheet_name: str = "",
) -> bytes:
    """The workbook as bytes. `columns` and `rows` exclude the 序号 column: it is added
    here, numbering the rows from 1."""
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = sheet_title(sheet_name or str(title))
    headers = ["序号", *map(str, columns)]
    sheet.append([str(title)])
    text_not_formula(sheet["A1"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    date_column = max(len(headers) - 1, 2)
    unit_row = [f"填报单位：{unit}"]
    unit_row += [""] * (date_column - 1)
    unit_row.append(f"填报日期：{timezone.localdate().isoformat()}")
    sheet.append(unit_row)
    sheet.append(headers)
    for cell in sheet[3]:
        text_not_formula(cell)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
        for cell in sheet[sheet.max_row]:
            text_not_formula(cell)
    for index, width in enumerate([6, *widths], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index in range(len(widths) + 2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = DEFAULT_WIDTH
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
