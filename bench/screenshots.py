"""Screenshots of the main pages in English and French, for the README.

    make screenshots        # or: .venv/bin/python bench/screenshots.py --size 2000

Starts a demo node (bench/demo_site.py), opens each page in Debian's chromium
through Playwright and writes `docs/screenshots/<page>-<lang>.png`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo_site import DemoSite, demo_site
from tests.web.browser import launch_chromium

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTH, MAX_HEIGHT = 1280, 2000  # long pages are cut: the README needs their top, not all
LANGUAGES = ("en", "fr")


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
        ("not-found", "/entries/no-such-entry", False),
    ]


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
                    if member != signed_in:
                        continue
                    page.goto(site.url + path)
                    target = args.out / f"{label}-{lang}.png"
                    height = min(MAX_HEIGHT, page.evaluate("document.body.scrollHeight"))
                    page.screenshot(
                        path=str(target),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": WIDTH, "height": height},
                    )
                    print(
                        target.relative_to(Path.cwd())
                        if target.is_relative_to(Path.cwd())
                        else target
                    )
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
