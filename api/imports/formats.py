"""Reading bulk-import files into raw rows: JSON and CSV.

JSON is a list of objects with the fields of `EntryCreate`. CSV has a header row
naming those fields, one entry per row; list fields hold values separated by
`;` (`regions` = `KE;UG`), `links` holds URLs the same way, and `indicators` holds
`code=value;code=value` (indicator notes need JSON). An empty cell means "not
given", so the field's default applies.

This module knows the file shapes only; whether a value is allowed is
`api.imports.service`'s question. Invariant: no row is dropped silently — every
problem becomes a `RowError` naming the row (1-based, header excluded) and field."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from api.entries.schemas import EntryCreate

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
# Everything is validated, then written, in one transaction: keep it bounded.
MAX_ROWS = 10_000
SEPARATOR = ";"
CSV_LIST_FIELDS = frozenset(
    {
        "authors",
        "program_types",
        "regions",
        "settings",
        "target_populations",
        "actors",
        "shared_with",
    }
)
COLUMNS = tuple(EntryCreate.model_fields)
REQUIRED_COLUMNS = tuple(
    name for name, info in EntryCreate.model_fields.items() if info.is_required()
)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None  # None: the file as a whole (header, syntax)
    field: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        return f"{where}, {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int
    values: dict[str, Any]


@dataclass(slots=True)
class Parsed:
    rows: list[RawRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def format_of(path: Path, explicit: str | None) -> Format:
    """The explicit format, else the file's extension; ValueError if neither says."""
    name = (explicit or path.suffix.removeprefix(".")).lower()
    for known in FORMATS:
        if name == known:
            return known
    raise ValueError(f"cannot tell the format of {path.name}; pass --format csv or --format json")


def parse(text: str, fmt: Format) -> Parsed:
    parsed = _parse_json(text) if fmt == "json" else _parse_csv(text)
    if not parsed.errors and not parsed.rows:
        parsed.errors.append(RowError(None, "file", "the file contains no entries"))
    if len(parsed.rows) > MAX_ROWS:
        parsed.errors.append(
            RowError(None, "file", f"{len(parsed.rows)} entries; at most {MAX_ROWS} per import")
        )
        parsed.rows.clear()
    return parsed


def _parse_json(text: str) -> Parsed:
    parsed = Parsed()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.errors.append(
            RowError(None, "file", f"not valid JSON: {exc.msg} (line {exc.lineno})")
        )
        return parsed
    if not isinstance(document, list):
        parsed.errors.append(RowError(None, "file", "expected a JSON list of entry objects"))
        return parsed
    for number, item in enumerate(document, start=1):
        if isinstance(item, dict):
            parsed.rows.append(RawRow(number, item))
        else:
            parsed.errors.append(RowError(number, "row", "expected an object"))
    return parsed


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


def _indicators(cell: str, number: int, errors: list[RowError]) -> list[dict[str, str]]:
    indicators = []
    for index, part in enumerate(_split(cell)):
        code, equals, value = part.partition("=")
        if not equals or not code.strip() or not value.strip():
            errors.append(
                RowError(number, f"indicators[{index}]", f"expected code=value, got {part!r}")
            )
            continue
        # The value stays text: EntryCreate parses it as a number and names the
        # field if it is not one.
        indicators.append({"code": code.strip(), "value": value.strip()})
    return indicators


def _parse_csv(text: str) -> Parsed:
    parsed = Parsed()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        parsed.errors.append(RowError(None, "file", f"not valid CSV: {exc}"))
        return parsed
    if header is None:
        return parsed
    columns = [name.strip() for name in header]
    for name in columns:
        if name not in COLUMNS:
            parsed.errors.append(
                RowError(
                    None, name or "(empty)", f"unknown column; columns are {', '.join(COLUMNS)}"
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            parsed.errors.append(RowError(None, name, "required column is missing"))
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            parsed.errors.append(RowError(None, name, "column appears twice"))
        seen.add(name)
    if parsed.errors:
        return parsed  # every row would repeat the header's problem
    number = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, e.g. at the end of a spreadsheet export
            number += 1
            if len(cells) > len(columns):
                parsed.errors.append(
                    RowError(number, "row", f"{len(cells)} cells but {len(columns)} columns")
                )
                continue
            values: dict[str, Any] = {}
            for name, cell in zip(columns, cells, strict=False):
                if not cell.strip():
                    continue
                if name in CSV_LIST_FIELDS:
                    values[name] = _split(cell)
                elif name == "links":
                    values[name] = [{"url": url} for url in _split(cell)]
                elif name == "indicators":
                    values[name] = _indicators(cell, number, parsed.errors)
                else:
                    values[name] = cell
            parsed.rows.append(RawRow(number, values))
    except csv.Error as exc:
        parsed.errors.append(RowError(number + 1, "row", f"not valid CSV: {exc}"))
    return parsed
