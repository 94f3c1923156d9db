"""Web pages: first-load weight, response time and axe findings per page, on N demo entries.

    .venv/bin/python bench/pages_bench.py --size 10000      # or: make bench-pages

Prints figures; asserts nothing. A demo node (bench/demo_site.py: SQLite unless
--database-url, embedded engine, `offramp serve` in its own process on loopback)
answers every request.

- weight: everything a browser with an empty cache downloads for the page (HTML,
  CSS, JS, icon), headers included, measured by Debian's chromium through
  Playwright; target ≤ 150 KB.
- time: wall-clock of N sequential GETs of the HTML over loopback HTTP after a
  warm-up (server time plus a loopback round trip), p50/p95; target p95 ≤ 100 ms.
- axe: violations of the WCAG 2.x A/AA rules and best practices, by impact."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo_site import DemoSite, demo_site
from tests.web.browser import launch_chromium
from tests.web.test_accessibility import AXE_OPTIONS

LANGUAGES = ("en", "fr")
WEIGHT_TARGET_BYTES = 150 * 1024
P95_TARGET_MS = 100.0


def pages(site: DemoSite) -> list[tuple[str, str, str | None]]:
    """(name, path, who is signed in: None, "member", "curator" or "admin")"""
    listed: list[tuple[str, str, str | None]] = [
        ("home", "/", None),
        ("home (member)", "/", "member"),
        ("search (all)", "/search", None),
        ("search words", "/search?q=reintegration", None),
        ("search typo, member", "/search?q=rehabilitaton", "member"),
        (
            "search filtered",
            "/search?q=reintegration&region=011&program_type=reintegration&sort=newest",
            None,
        ),
        ("search page 5", "/search?region=002&page=5", None),
        (
            "search no results",
            "/search?q=reintegration&region=011&program_type=ddr&year_from=2025",
            None,
        ),
        ("entry", f"/entries/{site.entry_id}", None),
        ("collections", "/collections", None),
        ("collection", f"/collections/{site.collection}", None),
        ("sign in", "/sign-in", None),
        ("my organization", "/my-organization", "member"),
        ("editor (new entry)", "/entries/new", "member"),
        ("review queue", "/review", "curator"),
        ("review page", f"/review/{site.review_entry}", "curator"),
        ("collections, manage", "/curation/collections", "curator"),
        ("vocabularies, manage", "/curation/vocabularies/program_type", "curator"),
        ("administration", "/admin", "admin"),
        ("not found", "/entries/no-such-entry", None),
    ]
    return listed


def _cookies(site: DemoSite, who: str | None) -> dict[str, str]:
    if who is None:
        return {}
    name, value = {
        "member": site.member_cookie,
        "curator": site.curator_cookie,
        "admin": site.admin_cookie,
    }[who]
    return {name: value}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def first_load(
    browser: Any, site: DemoSite, path: str, language: str, who: str | None
) -> tuple[int, Counter[str]]:
    """Bytes downloaded by a fresh browser (empty cache) for one page, and axe counts."""
    context = browser.new_context(extra_http_headers={"Accept-Language": language})
    for name, value in _cookies(site, who).items():
        context.add_cookies([{"name": name, "value": value, "url": site.url}])
    page = context.new_page()
    responses: list[Any] = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(site.url + path, wait_until="load")
    total = 0
    for request in responses:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    impacts: Counter[str] = Counter()
    for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]:
        impacts[violation["impact"]] += 1
    context.close()
    return total, impacts


def response_times(site: DemoSite, path: str, who: str | None, count: int) -> list[float]:
    with httpx.Client(base_url=site.url, cookies=_cookies(site, who), timeout=30) as http:
        for _ in range(3):
            http.get(path)
        times = []
        for _ in range(count):
            started = time.perf_counter()
            response = http.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 404), (path, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60, help="timed GETs per page")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    with demo_site(args.size, database_url=args.database_url) as site, sync_playwright() as pw:
        print(
            f"# offramp web pages: {args.size} demo entries, ready in "
            f"{time.perf_counter() - started:.0f} s; {args.requests} timed GETs per page"
        )
        browser = launch_chromium(pw)
        header = (
            f"{'page':<22} {'weight en':>10} {'weight fr':>10} {'p50 ms':>8} {'p95 ms':>8}"
            "  axe en / fr"
        )
        print(header)
        print("-" * len(header))
        heaviest, slowest = 0, 0.0
        for name, path, who in pages(site):
            weights, findings = [], []
            for language in LANGUAGES:
                weight, impacts = first_load(browser, site, path, language, who)
                weights.append(weight)
                findings.append(", ".join(f"{n} {k}" for k, n in sorted(impacts.items())) or "0")
            times = response_times(site, path, who, args.requests)
            p50, p95 = percentile(times, 50), percentile(times, 95)
            heaviest, slowest = max(heaviest, *weights), max(slowest, p95)
            print(
                f"{name:<22} {weights[0] / 1024:>7.1f} KB {weights[1] / 1024:>7.1f} KB "
                f"{p50:>8.1f} {p95:>8.1f}  {findings[0]} / {findings[1]}"
            )
        browser.close()
    print(
        f"heaviest first load {heaviest / 1024:.1f} KB "
        f"(target ≤ {WEIGHT_TARGET_BYTES // 1024} KB); "
        f"slowest p95 {slowest:.1f} ms (target ≤ {P95_TARGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
