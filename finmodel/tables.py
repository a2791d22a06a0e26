"""District tables: what each column means, loading from CSV/XLSX, and the checks on them.

Tables are read as text first and converted column by column, so that a bad cell
is reported with its file, row (as a spreadsheet shows it, header = row 1) and
column instead of surfacing later as a NaN in a sum.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError


@dataclass(frozen=True)
class ColumnSpec:
    """What a district-table column holds: its unit, its labels and its valid range."""

    name: str
    zh: str
    en: str
    unit_zh: str = ""
    unit_en: str = ""
    minimum: float | None = 0.0
    maximum: float | None = None
    strictly_positive: bool = False

    def label(self, lang: str) -> str:
        text, unit = (self.zh, self.unit_zh) if lang == "zh" else (self.en, self.unit_en)
        if not unit:
            return text
        return f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"


# Columns finmodel knows by name. A table may carry others; a numeric column used as
# a factor needs no spec, it is then labelled by its own name.
COLUMN_SPECS: dict[str, ColumnSpec] = {
    spec.name: spec
    for spec in [
        ColumnSpec("communities", "改造小区个数", "Communities renovated", "个", "count"),
        ColumnSpec("buildings", "改造楼栋数", "Buildings renovated", "栋", "count"),
        ColumnSpec("households", "改造户数", "Households renovated", "户", "households"),
        ColumnSpec("floor_area_m2", "改造面积", "Floor area renovated", "平方米", "m²"),
        ColumnSpec("investment_wan", "投资额", "Investment", "万元", "10k yuan"),
        ColumnSpec("performance_score", "绩效评价得分", "Performance score", "分", "points", 0.0, 100.0),
        ColumnSpec(
            "fiscal_capacity_ratio", "财政自给率", "Fiscal self-sufficiency",
            "收入÷支出", "revenue ÷ expenditure", strictly_positive=True,
        ),
        ColumnSpec("budget_revenue_wan", "一般公共预算收入", "General budget revenue", "万元", "10k yuan"),
        ColumnSpec(
            "budget_expenditure_wan", "一般公共预算支出", "General budget expenditure", "万元", "10k yuan",
            strictly_positive=True,
        ),
        ColumnSpec(
            "difficulty_coef", "财政困难程度系数", "Fiscal difficulty coefficient", "", "",
            strictly_positive=True,
        ),
    ]
}


def column_label(name: str, lang: str) -> str:
    spec = COLUMN_SPECS.get(name)
    return spec.label(lang) if spec else name


# Official order of Jinan's districts and counties in published allocation notices.
JINAN_DISTRICT_ORDER: tuple[str, ...] = (
    "历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区",
    "莱芜区", "钢城区", "平阴县", "商河县",
    "济南高新区", "市南部山区", "济南新旧动能转换起步区", "济南新旧动能转换先行区", "莱芜高新区",
)


def ordered(names: list[str], order: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """``names`` in the given (default: official Jinan) order; names not in it follow in their own order."""
    rank = {name: i for i, name in enumerate(order or JINAN_DISTRICT_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), names.index(n)))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: Path, *, key: str | None, sheet: str | None = None, where: str = "") -> pd.DataFrame:
    """Read a CSV or XLSX table as text, one row per unit, indexed by ``key`` (``None``: rows as they are, for
    tables where a name repeats, such as budgets by district and year).

    ``where`` names the scenario key that pointed at the file, for error messages.
    """
    if not path.is_file():
        raise InputError(f"file not found: {path}", key=where or None)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            # Lines starting with '#' above the header say what the file is (a synthetic table says so there).
            skipped = _leading_comment_lines(path)
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skiprows=skipped)
        elif suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl")
            frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else v)
        else:
            raise InputError("unsupported table type (use .csv or .xlsx)", file=path, key=where or None)
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason}); save the CSV as UTF-8", file=path) from exc
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read table: {exc}", file=path) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    first_row = 2 + (skipped if suffix == ".csv" else 0)
    if key is None:
        frame.attrs["path"] = str(path)
        frame.attrs["first_row"] = first_row
        return frame
    if key not in frame.columns:
        raise InputError(
            f"key column '{key}' not found (columns: {', '.join(frame.columns)})", file=path, column=key
        )
    names = frame[key].map(lambda v: str(v).strip())
    for position, name in enumerate(names):
        if not name:
            raise InputError("empty name in the key column", file=path, row=position + first_row, column=key)
    duplicated = names[names.duplicated(keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        rows = [i + first_row for i, n in enumerate(names) if n == first]
        raise InputError(
            f"duplicate name '{first}' in rows {', '.join(map(str, rows))}; each unit must appear once",
            file=path, column=key,
        )
    frame = frame.assign(**{key: names}).set_index(key)
    frame.attrs["path"] = str(path)
    frame.attrs["first_row"] = first_row
    return frame


def _leading_comment_lines(path: Path) -> int:
    count = 0
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            count += 1
    return count


def row_number(frame: pd.DataFrame, position: int) -> int:
    """The row a spreadsheet shows for the ``position``-th data row (header = row 1, after any comment lines)."""
    return position + frame.attrs.get("first_row", 2)


def numeric_column(frame: pd.DataFrame, column: str, *, where: str = "") -> pd.Series:
    """One column as floats, with every empty, non-numeric or out-of-range cell reported by row."""
    path = frame.attrs.get("path")
    if column not in frame.columns:
        raise InputError(
            f"no column '{column}' in {path} (columns: {', '.join(frame.columns)})",
            key=where or None, column=column,
        )
    raw = frame[column]
    first = frame.attrs.get("first_row", 2)
    values = pd.to_numeric(raw.map(_as_number_text), errors="coerce").astype(float)
    spec = COLUMN_SPECS.get(column)
    for position, (name, value) in enumerate(values.items()):
        cell = raw.iloc[position]
        if np.isnan(value):
            what = "empty cell" if str(cell).strip() == "" else f"not a number: '{cell}'"
            raise InputError(f"{what} (unit '{name}')", file=path, row=position + first, column=column)
        if not np.isfinite(value):
            raise InputError(f"not a finite number: '{cell}' (unit '{name}')", file=path, row=position + first, column=column)
        low = spec.minimum if spec else 0.0
        if low is not None and value < low:
            raise InputError(f"{value:g} is below {low:g} (unit '{name}')", file=path, row=position + first, column=column)
        if spec and spec.maximum is not None and value > spec.maximum:
            raise InputError(
                f"{value:g} is above {spec.maximum:g} (unit '{name}')", file=path, row=position + first, column=column
            )
        if spec and spec.strictly_positive and value <= 0:
            raise InputError(f"must be above 0, got {value:g} (unit '{name}')", file=path, row=position + first, column=column)
    return values.rename(column)


def cell_number(cell: object) -> int | float | None:
    """One cell as a number by the rule of ``numeric_column``: a plain decimal number ("1685.6", "-3", "1e5",
    thousands separators "56,525"), or a spreadsheet's number; ``None`` for anything else (hexadecimal "0x1A",
    "1_000", "nan", words, a spreadsheet's TRUE). "inf" comes back as inf: the caller says it is not finite."""
    if isinstance(cell, (bool, np.bool_)) or not isinstance(cell, (str, int, float, np.integer, np.floating)):
        return None
    value = pd.to_numeric(_as_number_text(cell), errors="coerce")
    if pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _as_number_text(cell: object) -> object:
    # Spreadsheet exports carry thousands separators ("56,525"); accept them, nothing looser.
    if isinstance(cell, str):
        return cell.strip().replace(",", "")
    return cell
