"""The entry editor's templates and form mapping, before any route writes with them.

The errors come from the real API (a 422 from `POST /v1/entries`), the form is
rendered by the real templates, and axe checks it in chromium with the errors shown."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from api.access import Principal
from api.entries.schemas import EntryCreate, EntryRead
from api.web.forms import (
    anchor_of,
    editor_values,
    errors_by_anchor,
    form_from_entry,
    form_from_submission,
    payload_from_form,
)
from api.web.templating import PageContext, render_html
from tests.factories import bearer, create_entry, entry_payload, member_token
from tests.web.site import Site
from tests.web.test_accessibility import AXE_OPTIONS, blocking_violations

SUBMISSION: dict[str, list[str]] = {
    "kind": ["evaluation"],
    "title": [""],
    "language": ["fr"],
    "summary": ["Suivi de rapatriés <b>pendant</b> deux ans."],
    "body": ["## Résultats"],
    "authors": ["A. Diallo\nB. Traoré"],
    "regions": ["ML", "NE"],
    "program_types": ["reintegration"],
    "evidence_level": ["moderate"],
    "indicator_code": ["completion_rate", "follow_up_months", ""],
    "indicator_value": ["81.5", "vingt-quatre", ""],
    "indicator_note": ["", "", ""],
    "visibility": ["partners"],
    "shared_with": ["partner-org"],
}


def page_context(site: Site, language: str) -> PageContext:
    return PageContext(
        principal=Principal(kind="member", organization_slug="sahel-ngo", display_name="Amina"),
        language=language,
        csrf_token="token-from-the-session",
        registry=site.app.state.vocabularies,
        path="/entries/new",
    )


def rejected_submission(site: Site) -> tuple[Any, dict[str, list[str]]]:
    """The submission as the editor would send it to the API, and the API's errors."""
    form = form_from_submission(SUBMISSION)
    token = member_token(site.app, "sahel-ngo", "publisher")
    response = site.api.post("/v1/entries", json=payload_from_form(form), headers=bearer(token))
    assert response.status_code == 422, response.text
    form.errors = errors_by_anchor(response.json()["errors"])
    return form, form.errors


def render_editor(site: Site, form: Any, language: str) -> str:
    values = editor_values(
        site.app.state.vocabularies,
        form,
        partners=[("partner-org", "Partner Org"), ("third-org", "Third Org")],
        action="/entries/new",
        heading="New entry",
    )
    return render_html("editor.html", page_context(site, language), values)


class TestFormMapping:
    def test_an_entry_survives_the_form_round_trip(self, site: Site) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher")
        fields = {
            "authors": ["A. Diallo", "B. Traoré"],
            "period_start": "2021-01-01",
            "period_end": "2023-06-30",
            "indicators": [{"code": "completion_rate", "value": 81.5, "note": "of 120"}],
            "license": "CC-BY-4.0",
        }
        entry = EntryRead.model_validate(create_entry(site.api, token, **fields))
        again = EntryCreate.model_validate(payload_from_form(form_from_entry(entry)))
        assert again == EntryCreate.model_validate(entry_payload(**fields))

    @pytest.mark.parametrize(
        ("field", "anchor"),
        [
            ("title", "field-title"),
            ("program_types[1]", "field-program_types"),
            ("indicators[0].value", "field-indicators-0-value"),
            ("indicators", "field-indicators"),
            ("", "field-form"),
        ],
    )
    def test_api_error_fields_anchor_to_inputs(self, field: str, anchor: str) -> None:
        assert anchor_of(field) == anchor


class TestEditorTemplate:
    def test_a_rejected_form_comes_back_filled_in_with_each_error_at_its_field(
        self, site: Site
    ) -> None:
        form, errors = rejected_submission(site)
        assert set(errors) == {"field-title", "field-indicators-1-value"}
        html = render_editor(site, form, "en")

        assert 'name="csrf_token" value="token-from-the-session"' in html
        assert "Suivi de rapatriés &lt;b&gt;pendant&lt;/b&gt; deux ans.</textarea>" in html
        assert "A. Diallo\nB. Traoré</textarea>" in html
        for checked in (
            "field-regions-ML",
            "field-regions-NE",
            "field-program_types-reintegration",
        ):
            assert re.search(rf'id="{checked}"[^>]* checked', html), checked
        assert 'name="indicator_value" value="vingt-quatre"' in html
        assert re.search(r'id="field-visibility-partners"[^>]* checked', html)
        assert re.search(r'id="field-shared_with-partner-org"[^>]* checked', html)
        assert not re.search(r'id="field-shared_with-third-org"[^>]* checked', html)
        assert '<a href="#field-title">Title: ' in html  # the summary names each field
        assert '<a href="#field-indicators-1-value">Indicator row 2, value: ' in html
        for anchor in errors:
            # the message sits at the input, which points to it, and the summary links there
            assert f'id="{anchor}-error"' in html
            assert re.search(rf'id="{anchor}"[^>]*aria-describedby="[^"]*{anchor}-error"', html)
            assert f'href="#{anchor}"' in html

    @pytest.mark.parametrize("language", ["en", "fr"])
    def test_the_editor_with_errors_has_no_serious_accessibility_violation(
        self, browser: Any, site: Site, language: str
    ) -> None:
        form, _errors = rejected_submission(site)
        html = render_editor(site, form, language)
        context = browser.new_context()
        page = context.new_page()
        page.goto(site.url + "/sign-in")  # the site's origin, so its stylesheet loads
        page.set_content(html)
        assert blocking_violations(Axe().run(page, options=AXE_OPTIONS)) == []
        context.close()
