"""Screenshots of the evidence pages in English and French, for the README.

    .venv/bin/python bench/evidence_screenshots.py --size 400

Starts a demo node (bench/demo_site.py), adds the demo program series (profiles with
evaluations over the years), opens each page in Debian's chromium through Playwright
and writes `docs/screenshots/evidence-<page>-<lang>.png`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.config import Settings
from api.db import make_engine
from api.demo.load import load_demo
from bench.demo_site import PUBLIC_URL, SEED, demo_site
from bench.screenshots import LANGUAGES, OUT, WIDTH, shoot
from tests.web.browser import launch_chromium

PAGES = (
    ("indicator", "/indicators/recidivism_any_24m"),
    ("gap-map", "/gap-map?region=002"),
    ("profiles-compare", "/profiles/compare?id=demo-program-1&id=demo-program-2&id=demo-program-3"),
    ("timeline", "/entries/demo-program-1/evidence"),
    ("evaluation", "/entries/demo-program-1-eval-3/evidence"),
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=400)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with demo_site(args.size) as site, sync_playwright() as playwright:
        settings = Settings(environment="development", data_dir=site.workdir,
                            public_url=PUBLIC_URL)  # fmt: skip
        engine = make_engine(settings)
        load_demo(settings, engine, size=0, seed=SEED, program_series_too=True)
        engine.dispose()
        browser = launch_chromium(playwright)
        for lang in LANGUAGES:
            context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale=lang,
                                          extra_http_headers={"Accept-Language": lang})  # fmt: skip
            page = context.new_page()
            for label, path in PAGES:
                page.goto(site.url + path)
                shoot(page, args.out / f"evidence-{label}-{lang}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
