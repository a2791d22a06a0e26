"""Input templates: an Excel workbook for each kind of scenario to fill in, in place of typing a CSV.

``finmodel template allocation|projects|plan FILE.xlsx`` writes one sheet per table the kind reads — Chinese
headers with their units (English with ``--lang en``), the keys in a hidden second row, an example row (its first
cell 示例, not read), checks on what a cell takes (counts, shares, years, the values of an enumeration) — and a 说明
sheet listing every column. A filled template is read as the CSV it stands for (``read_table``): the same run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .columns import EXAMPLE_MARKS, KIND_TABLES, Column, Table
from .errors import InputError

ROWS = 2000
"""Rows the checks on cells cover below the headers."""
YEARS = ("year_built", "prior_year", "year")
KIND_WORDS = {
    "text": ("文字", "text"), "whole": ("整数 ≥ 0", "whole number ≥ 0"), "number": ("数值 ≥ 0", "number ≥ 0"),
    "share": ("0—1 的比例", "share from 0 to 1"), "score": ("0—100 分", "score from 0 to 100"),
    "rate": ("小数（如 0.0345）", "decimal (0.0345)"), "choice": ("以下之一：", "one of: "),
    "year": ("年份（1900—2100）", "year (1900–2100)"),
}


def _kind(column: Column) -> str:
    return "year" if column.key in YEARS else column.kind


def _validation(column: Column, lang: str) -> DataValidation | None:
    kind = _kind(column)
    zh = lang == "zh"
    if kind == "whole":
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    elif kind == "year":
        rule = DataValidation(type="whole", operator="between", formula1="1900", formula2="2100")
    elif kind == "number":
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    elif kind == "share":
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    elif kind == "score":
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    elif kind == "rate":
        rule = DataValidation(type="decimal", operator="between", formula1="-1", formula2="1")
    elif kind == "choice":
        rule = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"')
    else:
        return None
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.errorTitle = "输入有误" if zh else "Not allowed"
    words = KIND_WORDS[kind][0 if zh else 1] + (", ".join(column.choices) if kind == "choice" else "")
    rule.error = (f"{column.zh}：{words}" if zh else f"{column.en}: {words}")
    return rule


def _table_sheet(ws, table: Table, lang: str) -> None:
    ws.title = table.name if lang == "zh" else table.name_en
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    grey = Font(italic=True, color="808080")
    for col, column in enumerate(table.columns, start=1):
        header = ws.cell(row=1, column=col, value=column.zh if lang == "zh" else column.en)
        header.font, header.fill = bold, fill
        header.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header.comment = Comment(f"{column.meaning}\n键：{column.key}" if lang == "zh" else f"key: {column.key}",
                                 "finmodel")
        ws.cell(row=2, column=col, value=column.key)
        example = EXAMPLE_MARKS[0 if lang == "zh" else 1] if col == 1 else column.example
        cell = ws.cell(row=3, column=col, value=example)
        cell.font = grey
        width = max(10, min(28, 2 + sum(2 if ord(c) > 0x2E80 else 1 for c in (column.zh if lang == "zh" else column.en))))
        ws.column_dimensions[get_column_letter(col)].width = width
        rule = _validation(column, lang)
        if rule is not None:
            rule.add(f"{get_column_letter(col)}3:{get_column_letter(col)}{ROWS + 2}")
            ws.add_data_validation(rule)
    ws.row_dimensions[1].height = 32
    ws.row_dimensions[2].hidden = True  # the keys: how the table is read, whatever the headers' language
    ws.freeze_panes = "B3"


def _notes_sheet(ws, kind: str, tables: tuple[Table, ...], lang: str, file_name: str) -> None:
    zh = lang == "zh"
    ws.title = "说明" if zh else "Notes"
    lines = ([f"finmodel 输入模板：{kind}", "在各数据表中从第 3 行（示例行，可直接改写）起每行填一个单位；不用的列留空即可。",
              "表头可用中文或英文，亦可用键名；隐藏的第 2 行是键名，请勿删除。",
              "情景文件中指向本工作簿：" + "；".join(f'{t.scenario_key.split(".")[0]}.table = "{file_name}"，'
                                                 f'sheet = "{t.name}"' for t in tables)]
             if zh else
             [f"finmodel input template: {kind}", "Fill one row per unit from row 3 (the example row, which may be "
              "overwritten); leave unused columns empty.", "Headers may be Chinese, English or the keys; the hidden "
              "row 2 holds the keys: keep it.",
              "Point the scenario at this workbook: " + "; ".join(
                  f'{t.scenario_key.split(".")[0]}.table = "{file_name}", sheet = "{t.name_en}"' for t in tables)])
    for row, text in enumerate(lines, start=1):
        ws.cell(row=row, column=1, value=text).font = Font(bold=row == 1, size=14 if row == 1 else 11)
    headers = (["工作表", "列名", "键", "取值", "说明", "示例"] if zh else
               ["Sheet", "Column", "Key", "Takes", "Meaning", "Example"])
    start = len(lines) + 2
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=col, value=text)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    row = start
    for table in tables:
        for column in table.columns:
            row += 1
            kind_ = _kind(column)
            takes = KIND_WORDS[kind_][0 if zh else 1] + (", ".join(column.choices) if kind_ == "choice" else "")
            if column.required:
                takes += "；必填" if zh else "; required"
            values = [table.name if zh else table.name_en, column.zh if zh else column.en, column.key, takes,
                      column.meaning if zh else column.en, column.example]
            for col, value in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=value).alignment = Alignment(wrap_text=col in (4, 5), vertical="top")
    for col, width in zip("ABCDEF", (12, 26, 30, 34, 60, 20)):
        ws.column_dimensions[col].width = width


def template_workbook(kind: str, lang: str = "zh", file_name: str = "template.xlsx") -> bytes:
    """The template of ``kind`` (allocation, projects or plan) as workbook bytes: same arguments, same bytes."""
    from .report.book import save_workbook

    if kind not in KIND_TABLES:
        raise InputError(f"no template for '{kind}': allocation, projects or plan",
                         zh=f"没有“{kind}”的模板：可选 allocation、projects 或 plan")
    tables = KIND_TABLES[kind]
    wb = Workbook()
    _notes_sheet(wb.active, kind, tables, lang, file_name)
    for table in tables:
        _table_sheet(wb.create_sheet(), table, lang)
    wb.active = 1
    return save_workbook(wb, f"finmodel {kind}", lang)


def write_template(kind: str, path: str | Path, lang: str = "zh") -> Path:
    """Write the template of ``kind`` to ``path`` (.xlsx), all or nothing: a temporary file renamed into place."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError("a template is an Excel workbook: give a file name ending in .xlsx",
                         zh="模板是 Excel 工作簿：请给出以 .xlsx 结尾的文件名", file=path)
    if path.is_dir():
        raise InputError("is a folder: name the workbook to write", zh="这是文件夹：请写出要生成的工作簿的文件名",
                         file=path)
    data = template_workbook(kind, lang, path.name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        raise InputError(f"cannot be written ({exc.strerror or exc})", zh=f"无法写入（{exc.strerror or exc}）",
                         file=path) from exc
    return path
