"""The Jinja2 environment of the web interface and the one function that renders a page.

Owns: template loading, autoescaping, the gettext hooks, the formatting helpers
(dates, numbers, file sizes, indicator values in the page's language), the
static-file URLs with their content hash, and the response headers every page
carries (language, caching).
Does not own: what a page shows (`api.web.router`), who may see it (`api.access`).
Invariant: every value reaches HTML escaped; the only markup a template inserts
unescaped is the sanitised entry body (`body_html`) and search highlights, which
`highlight` reduces to the engine's `<mark>` around escaped text."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nh3
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal, get_group_symbol
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api.access import Principal
from api.safety import guidance
from api.vocabularies.registry import VocabularyRegistry
from api.web import i18n

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static"
# Pages load nothing from elsewhere and run only our own script file.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@functools.cache
def static_url(name: str) -> str:
    """`/static/<name>?v=<content hash>`: served with a one-year immutable cache, so a
    changed file must change its URL."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


def highlight(fragment: str) -> Markup:
    """A search highlight: the engine escapes the text and wraps matches in `<mark>`;
    anything else that looks like markup is dropped here, whatever the engine did."""
    return Markup(nh3.clean(fragment, tags={"mark"}, attributes={}))  # noqa: S704


_HEADING = re.compile(r"<(/?)h([1-6])>")


def demote_headings(body_html: str, top: int = 3) -> Markup:
    """The sanitised entry body with its headings moved under the page's own: the
    body's highest heading becomes `top` (an h3 inside the page's "Full text" h2)
    and the others keep their distance to it, so the page keeps one h1 and an
    outline without gaps. `render_markdown` allows headings without attributes, so
    the tags are exactly `<hN>`."""
    levels = [int(level) for _slash, level in _HEADING.findall(body_html)]
    if not levels:
        return Markup(body_html)  # noqa: S704 - body_html is sanitised by api.rendering
    shift = top - min(levels)
    return Markup(  # noqa: S704 - body_html is sanitised by api.rendering
        _HEADING.sub(lambda m: f"<{m[1]}h{max(1, min(6, int(m[2]) + shift))}>", body_html)
    )


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return babel_format_date(day, format="medium", locale=i18n.current_language())


def format_moment(value: datetime | None) -> str:
    """A moment to the minute, in UTC (delivery and retry times on the peers table:
    administrators compare them with logs, which are in UTC)."""
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    shown = babel_format_datetime(
        moment, format="medium", tzinfo=UTC, locale=i18n.current_language()
    )
    return f"{shown} UTC"


@functools.cache
def _group_symbol(language: str) -> str:
    return str(get_group_symbol(locale=language))


def format_count(value: int) -> str:
    """A whole number with the language's digit grouping. Babel's general formatter
    costs ~50 µs a call and a search page shows hundreds of facet counts."""
    return f"{value:,}".replace(",", _group_symbol(i18n.current_language()))


def format_number(value: float, digits: int = 2) -> str:
    return format_decimal(round(value, digits), locale=i18n.current_language())


def filesize(size: int) -> str:
    units = [i18n.gettext("bytes"), i18n.gettext("KB"), i18n.gettext("MB"), i18n.gettext("GB")]
    amount = float(size)
    for unit in units:
        if amount < 1024 or unit == units[-1]:
            digits = 0 if unit == units[0] else 1
            return f"{format_number(amount, digits)} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")


def indicator_value(value: float, unit: str | None) -> str:
    """An indicator's value with its unit, as a reader of the page's language writes it."""
    if unit == "percent":
        return i18n.gettext("%(value)s %%") % {"value": format_number(value, 1)}
    if unit == "months":
        return i18n.ngettext("%(value)s month", "%(value)s months", int(value)) % {
            "value": format_number(value, 1)
        }
    if unit == "currency_usd":
        return i18n.gettext("US$ %(value)s") % {"value": format_number(value, 2)}
    if unit == "count":
        return format_number(value, 0)
    return format_number(value, 2)


def unit_label(unit: str | None) -> str:
    labels = {
        "count": i18n.gettext("count"),
        "percent": i18n.gettext("percent"),
        "months": i18n.gettext("months"),
        "currency_usd": i18n.gettext("US dollars"),
        "effect_size": i18n.gettext("standardised effect size"),
        "score": i18n.gettext("score (0\u2013100)"),
    }
    return labels.get(unit or "", unit or "")


def safety_text(name: str, choice: str | None = None) -> str:
    """A text of `api.safety.guidance` in the page's language: the API documentation
    and the editor say the same thing about who will see what."""
    found = getattr(guidance, name)
    return guidance.text(found[choice] if choice else found, i18n.current_language())


def media_type_label(media_type: str) -> str:
    labels = {
        "application/pdf": "PDF",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
        "text/markdown": "Markdown",
        "text/plain": i18n.gettext("Plain text"),
    }
    return labels.get(media_type.split(";")[0].strip(), media_type)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    env.globals.update(
        static_url=static_url,
        format_date=format_date,
        format_moment=format_moment,
        format_number=format_number,
        format_count=format_count,
        filesize=filesize,
        indicator_value=indicator_value,
        unit_label=unit_label,
        media_type_label=media_type_label,
        safety_text=safety_text,
        highlight=highlight,
        demote_headings=demote_headings,
        LANGUAGES=i18n.LANGUAGES,
    )
    return env


ENVIRONMENT = _environment()


@dataclass(frozen=True)
class PageContext:
    """What every page knows about the request it answers."""

    principal: Principal
    language: str
    csrf_token: str | None
    registry: VocabularyRegistry
    path: str  # path and query of this page: where a language switch or sign-in returns


def render_html(template: str, page: PageContext, values: Mapping[str, Any]) -> str:
    with i18n.use_language(page.language):
        return ENVIRONMENT.get_template(template).render(
            lang=page.language,
            principal=page.principal,
            csrf_token=page.csrf_token,
            here=page.path,
            label=functools.partial(i18n.term_label, page.registry),
            **values,
        )


def page_response(html: str, page: PageContext, *, status: int = 200) -> HTMLResponse:
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = page.language
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers.update(SECURITY_HEADERS)
    # Pages of a signed-in member carry their CSRF token and their view of the
    # entries: no shared cache may keep them.
    response.headers["Cache-Control"] = (
        "no-cache" if page.principal.is_anonymous else "private, no-store"
    )
    return response


def render(page: PageContext, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    return page_response(render_html(template, page, values), page, status=status)
