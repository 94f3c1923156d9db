"""The entry editor's form: HTML form fields ⇄ the API's entry fields, and the
API's field errors anchored to the form's inputs. Pure functions, no I/O.

Owns: how an entry is spelled as a form (one name per field, repeated names for
lists, parallel `indicator_*` rows), so a form that fails validation comes back
exactly as it was sent, with each error next to its field.
Does not own: validation (the API's schemas and `api.entries.service` decide what is
valid and say so as `errors[]`) or any write (the editor's routes, not here yet).
Invariant: `payload_from_form(form_from_entry(e))` is `e`'s editable content, and an
error's anchor is the id of an input (or fieldset) the editor template renders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from api.entries.schemas import EntryRead
from api.errors import FieldError
from api.vocabularies.registry import VocabularyRegistry
from api.web.search_page import region_tree

# Fields edited as one text value each.
TEXT_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "language",
    "evaluation_design",
    "evidence_level",
    "period_start",
    "period_end",
    "license",
    "visibility",
    "organization_display",
)
# Fields edited as a set of checkboxes (one name repeated).
CHOICE_FIELDS = (
    "program_types",
    "regions",
    "settings",
    "target_populations",
    "actors",
    "shared_with",
)
# Fields edited one value per line.
LINE_FIELDS = ("authors",)
INDICATOR_COLUMNS = ("code", "value", "note")
BLANK_INDICATOR_ROWS = 3
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass
class EntryForm:
    """What the editor shows: values as the person typed them, and errors by anchor."""

    values: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)
    indicators: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def indicator_rows(self) -> list[dict[str, str]]:
        """The rows to render: the filled ones, then blank rows to add more."""
        blank = dict.fromkeys(INDICATOR_COLUMNS, "")
        return [*self.indicators, *[dict(blank) for _ in range(BLANK_INDICATOR_ROWS)]]

    def error_summary(self) -> list[tuple[str, ErrorPlace, str]]:
        """(anchor, where, message) for the list above the form."""
        return [
            (anchor, place_of(anchor), message)
            for anchor, messages in self.errors.items()
            for message in messages
        ]


@dataclass(frozen=True)
class ErrorPlace:
    """Where an anchor points, for naming it in words: a field, or one cell of an
    indicator row (`row` counts from 1, as people do)."""

    field: str
    row: int | None = None
    column: str | None = None


_ROW_ANCHOR = re.compile(r"field-indicators-(\d+)-(code|value|note)")


def place_of(anchor: str) -> ErrorPlace:
    if found := _ROW_ANCHOR.fullmatch(anchor):
        return ErrorPlace("indicators", int(found[1]) + 1, found[2])
    return ErrorPlace(anchor.removeprefix("field-"))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def form_from_entry(entry: EntryRead) -> EntryForm:
    return EntryForm(
        values={
            "kind": entry.kind,
            "title": entry.title,
            "summary": entry.summary,
            "body": entry.body,
            "language": entry.language,
            "evaluation_design": entry.evaluation_design or "",
            "evidence_level": entry.evidence_level or "",
            "period_start": entry.period_start.isoformat() if entry.period_start else "",
            "period_end": entry.period_end.isoformat() if entry.period_end else "",
            "license": entry.license or "",
            "visibility": entry.visibility,
            "organization_display": entry.organization_display,
        },
        choices={
            "program_types": list(entry.program_types),
            "regions": list(entry.regions),
            "settings": list(entry.settings),
            "target_populations": list(entry.target_populations),
            "actors": list(entry.actors),
            "shared_with": list(entry.shared_with or []),
        },
        lines={"authors": "\n".join(entry.authors)},
        indicators=[
            {
                "code": item.code,
                "value": "" if item.value is None else _number(item.value),
                "note": item.note or "",
            }
            for item in entry.indicators
        ],
    )


def form_from_content(content: Mapping[str, Any]) -> EntryForm:
    """The form for a revision's content (`EntryRevision.content`, as
    `api.entries.views.revision_content` shows it to the owner): the editor edits
    the working revision, which for a published entry may be ahead of the live one."""

    def text(name: str) -> str:
        value = content.get(name)
        return "" if value is None else str(value)

    return EntryForm(
        values={name: text(name) for name in TEXT_FIELDS},
        choices={name: [str(v) for v in content.get(name) or []] for name in CHOICE_FIELDS},
        lines={"authors": "\n".join(content.get("authors") or [])},
        indicators=[
            {
                "code": str(item.get("code") or ""),
                "value": "" if item.get("value") is None else _number(item["value"]),
                "note": str(item.get("note") or ""),
            }
            for item in content.get("indicators") or []
        ],
    )


def schema_errors(error: ValidationError) -> list[FieldError]:
    """A schema's refusal as the API's `errors[]`. A check across fields (the period
    in order) has no location; it belongs to the field people correct: the end."""
    found = []
    for item in error.errors():
        location = ".".join(
            f"[{part}]" if isinstance(part, int) else str(part) for part in item["loc"]
        ).replace(".[", "[")
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        if not location:
            location = "period_end" if "period_end" in message else ""
        found.append(FieldError(location, message))
    return found


def form_from_submission(form: Mapping[str, Sequence[str]]) -> EntryForm:
    """The submitted form as it was typed (nothing dropped, nothing normalised)."""
    codes, values, notes = (list(form.get(f"indicator_{c}", [])) for c in INDICATOR_COLUMNS)
    width = max(len(codes), len(values), len(notes))
    rows = []
    for n in range(width):
        row = {
            "code": codes[n] if n < len(codes) else "",
            "value": values[n] if n < len(values) else "",
            "note": notes[n] if n < len(notes) else "",
        }
        if any(row.values()):
            rows.append(row)
    return EntryForm(
        values={name: (form.get(name) or [""])[0] for name in TEXT_FIELDS},
        choices={name: [v for v in form.get(name, []) if v] for name in CHOICE_FIELDS},
        lines={name: (form.get(name) or [""])[0] for name in LINE_FIELDS},
        indicators=rows,
    )


def payload_from_form(entry_form: EntryForm) -> dict[str, Any]:
    """The API's entry fields (an `EntryCreate`/`EntryUpdate` body) from the form.
    Values stay strings where the person typed them: the API's schema converts or
    refuses them, naming the field."""
    payload: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = entry_form.values.get(name, "").strip()
        optional = name in (
            "evaluation_design",
            "evidence_level",
            "period_start",
            "period_end",
            "license",
        )
        payload[name] = (value or None) if optional else value
    # Who may learn the organization's name: a form without the choice keeps the default.
    payload["organization_display"] = payload["organization_display"] or "named"
    for name in CHOICE_FIELDS:
        payload[name] = list(entry_form.choices.get(name, []))
    payload["authors"] = [
        line.strip() for line in entry_form.lines.get("authors", "").splitlines() if line.strip()
    ]
    payload["indicators"] = [
        {"code": row["code"], "value": row["value"], "note": row["note"].strip() or None}
        for row in entry_form.indicators
    ]
    return payload


def anchor_of(field_name: str) -> str:
    """The id of the input an API error names: `title` → `field-title`,
    `program_types[1]` → `field-program_types` (the fieldset),
    `indicators[0].value` → `field-indicators-0-value`."""
    if field_name.startswith("indicators["):
        return "field-" + _INDEX.sub(r"-\1", field_name).replace(".", "-")
    base = _INDEX.split(field_name, maxsplit=1)[0]
    return f"field-{base or 'form'}"


def errors_by_anchor(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The API's `errors[]` (`field`, `message`) grouped by the input they belong to.
    A problem without `errors[]` is shown by the caller above the form."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        anchor = anchor_of(str(error.get("field", "")))
        grouped.setdefault(anchor, []).append(str(error.get("message", "")))
    return grouped


EDITOR_VOCABULARIES = (
    "kind",
    "language",
    "program_type",
    "target_population",
    "setting",
    "actor",
    "evaluation_design",
    "evidence_level",
    "indicator",
)


def editor_values(
    registry: VocabularyRegistry,
    entry_form: EntryForm,
    *,
    partners: Sequence[tuple[str, str]],
    action: str,
    heading: str,
) -> dict[str, Any]:
    """Everything `editor.html` renders besides the page context."""
    return {
        "form": entry_form,
        "terms": {name: registry.terms(name) for name in EDITOR_VOCABULARIES},
        "regions": region_tree(registry, None, set(entry_form.choices.get("regions", []))),
        "partners": list(partners),
        "action": action,
        "heading": heading,
    }
