"""Screenshots of the main pages in English and French, for the README.

    make screenshots        # or: .venv/bin/python bench/screenshots.py --size 2000

Starts a demo node (bench/demo_site.py), opens each page in Debian's chromium
through Playwright and writes `docs/screenshots/<page>-<lang>.png`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.access import Principal
from api.vocabularies.registry import shipped_registry
from api.web.forms import editor_values, errors_by_anchor, form_from_submission
from api.web.templating import PageContext, render_html
from bench.demo_site import DemoSite, demo_site
from tests.web.browser import launch_chromium

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTH, MAX_HEIGHT = 1280, 2800  # long pages are cut: the README needs their top, not all
LANGUAGES = ("en", "fr")


def shoot(page: Any, target: Path) -> None:
    height = min(MAX_HEIGHT, page.evaluate("document.body.scrollHeight"))
    page.screenshot(
        path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height}
    )
    print(target)


def pages(site: DemoSite) -> list[tuple[str, str, bool]]:
    """(name, path, signed in)"""
    return [
        ("home", "/", False),
        ("home-member", "/", True),
        ("search", "/search?q=reintegration&region=011&program_type=reintegration", False),
        (
            "search-no-results",
            "/search?q=reintegration&region=011&program_type=ddr&year_from=2025",
            False,
        ),
        ("entry", f"/entries/{site.entry_id}", False),
        ("collections", "/collections", False),
        ("collection", f"/collections/{site.collection}", False),
        ("sign-in", "/sign-in", False),
        ("my-organization", "/my-organization", True),
        ("editor", "/entries/new", True),
        ("not-found", "/entries/no-such-entry", False),
    ]


# The editor has no route yet (it will post to the entries services): its preview is the
# template rendered with a rejected submission and the API's error format.
EDITOR_SUBMISSION = {
    "kind": ["evaluation"],
    "title": [""],
    "language": ["fr"],
    "summary": ["Suivi de 120 rapatriés pendant deux ans dans trois communes."],
    "regions": ["ML", "NE"],
    "program_types": ["reintegration", "livelihoods"],
    "evidence_level": ["moderate"],
    "indicator_code": ["completion_rate", "follow_up_months"],
    "indicator_value": ["81.5", "vingt-quatre"],
    "visibility": ["partners"],
}
EDITOR_ERRORS = [
    {"field": "title", "message": "String should have at least 1 character"},
    {"field": "indicators[1].value", "message": "Input should be a valid number"},
]


def editor_preview(language: str) -> str:
    form = form_from_submission(EDITOR_SUBMISSION)
    form.errors = errors_by_anchor(EDITOR_ERRORS)
    page = PageContext(
        principal=Principal(kind="member", organization_slug="sahel-pathways-initiative"),
        language=language,
        csrf_token="preview",  # noqa: S106 - a placeholder, not a secret
        registry=shipped_registry(),
        path="/entries/new",
    )
    values = editor_values(
        shipped_registry(),
        form,
        partners=[("lake-chad-bridges", "Lake Chad Bridges Collective")],
        action="/entries/new",
        heading="New entry" if language == "en" else "Nouvelle fiche",
    )
    return render_html("editor.html", page, values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2_000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with demo_site(args.size) as site, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for lang in LANGUAGES:
            for signed_in in (False, True):
                context = browser.new_context(
                    viewport={"width": WIDTH, "height": 900},
                    locale=lang,
                    extra_http_headers={"Accept-Language": lang},
                )
                if signed_in:
                    name, value = site.member_cookie
                    context.add_cookies([{"name": name, "value": value, "url": site.url}])
                page = context.new_page()
                for label, path, member in pages(site):
                    if member == signed_in:
                        page.goto(site.url + path)
                        shoot(page, args.out / f"{label}-{lang}.png")
                if not signed_in:
                    page.goto(site.url + "/sign-in")  # the site's origin, for the stylesheet
                    page.set_content(editor_preview(lang))
                    shoot(page, args.out / f"editor-preview-{lang}.png")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
