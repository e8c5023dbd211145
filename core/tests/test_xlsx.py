"""Exports never carry a live formula: text that starts like one (=, +, -, @, tab, CR)
stays text in every .xlsx (and gets an apostrophe in a CSV), whatever a user typed."""

import io

from openpyxl import load_workbook

from core.xlsx import FORMULA_STARTS, csv_safe, government_xlsx

TRAPS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_text_that_looks_like_a_formula_stays_text_in_xlsx():
    traps = TRAPS[:-1]  # XML turns a carriage return into a newline: compared below as text
    body = government_xlsx(title="台账", unit="西峰区", columns=["名称"], rows=[[t] for t in TRAPS])
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [sheet.cell(row=4 + i, column=2) for i in range(len(TRAPS))]
    assert [c.value for c in cells[:-1]] == traps  # unchanged: the file imports as it is
    assert {c.data_type for c in cells} == {"s"}  # text, not formulas
    assert sheet.cell(row=4, column=1).value == 1  # numbers stay numbers


def test_csv_fields_that_look_like_formulas_get_an_apostrophe():
    assert [csv_safe(t) for t in TRAPS] == ["'" + t for t in TRAPS]
    assert csv_safe("北大街驿站") == "北大街驿站" and csv_safe(-3) == -3
    assert all(t.startswith(FORMULA_STARTS) for t in TRAPS)


def test_a_title_or_header_that_looks_like_a_formula_stays_text_and_any_name_makes_a_sheet():
    body = government_xlsx(
        title='=HYPERLINK("http://evil.example")/东:西[片区]*?',
        unit="西峰区",
        columns=["=1+1"],
        rows=[["北大街驿站"]],
    )
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value.startswith("=HYPERLINK")
    assert sheet.cell(row=3, column=2).data_type == "s"
    assert not set("[]:*?/\\") & set(sheet.title) and len(sheet.title) <= 31
    assert government_xlsx(title="'", unit="", columns=["a"], rows=[])  # a name of nothing
