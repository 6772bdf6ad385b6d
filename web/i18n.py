"""The web UI's languages: gettext catalogs, the choice of language per request, localized values.

Catalogs are `web/translations/<lang>/LC_MESSAGES/messages.po`, compiled in memory once at
start-up (no generated `.mo` file lives in the repository). A request's language is the
logged-in member's `Account.locale`, else the best match of `Accept-Language`, else the
instance's `[instance] language`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request

from core import clock
from core.messages import Message
from core.settings import LANGUAGES
from web.sessions import current_account

TRANSLATIONS = Path(__file__).parent / "translations"
UTC_NAME = "UTC"


@dataclass(frozen=True)
class Language:
    """One shipped language: its code, babel locale and compiled catalog."""

    code: str
    locale: Locale
    translations: Translations

    def gettext(self, text: str, **params: Any) -> str:
        """`text` in this language, with `params` filled in (`%(name)s`)."""
        found = self.translations.gettext(text)
        return found % params if params else found

    def ngettext(self, singular: str, plural: str, num: int, **params: Any) -> str:
        params.setdefault("num", num)
        return self.translations.ngettext(singular, plural, num) % params

    def translate(self, message: str) -> str:
        """A service's message in this language: a `Message` is looked up, other text passes."""
        if not isinstance(message, Message):
            return message
        params = {k: self.translate(v) if isinstance(v, Message) else v
                  for k, v in message.params.items()}
        found = self.translations.gettext(message.msgid)
        return found % params if params else found


def compile_catalog(code: str) -> Translations:
    """The catalog of `code`, read from its .po file and compiled to a .mo in memory."""
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


@cache
def languages() -> dict[str, Language]:
    """Every shipped language, compiled once per process on first use."""
    return {code: Language(code, Locale.parse(code), compile_catalog(code)) for code in LANGUAGES}


def supported(tag: str) -> str | None:
    """The shipped language that serves a language tag (`es-MX` → `es`), or None."""
    tag = tag.strip().replace("_", "-").lower()
    if tag in LANGUAGES:
        return tag
    primary = tag.split("-", 1)[0]
    return primary if primary in LANGUAGES else None


def negotiate(header: str) -> str | None:
    """The shipped language `Accept-Language` prefers most (q-values honoured), or None."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:30]):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, index, tag))
    for _q, _i, tag in sorted(ranked):
        if tag.strip() == "*":
            return None
        code = supported(tag)
        if code:
            return code
    return None


async def request_language(request: Request) -> Language:
    """The language of this request's page (cached on the request)."""
    cached = getattr(request.state, "language", None)
    if isinstance(cached, Language):
        return cached
    account = await current_account(request)
    code = supported(account.locale) if account and account.locale else None
    code = code or negotiate(request.headers.get("accept-language", ""))
    code = code or supported(request.app.state.settings.instance.language) or LANGUAGES[0]
    language = languages()[code]
    request.state.language = language
    return language


def language_of(request: Request) -> Language:
    """The language `request_language` chose for this request (English before it ran)."""
    cached = getattr(request.state, "language", None)
    return cached if isinstance(cached, Language) else languages()[LANGUAGES[0]]


def translate(request: Request, message: str) -> str:
    """A service's message (a `Message`, or plain text) in the request's language."""
    return language_of(request).translate(message)


def sentence(request: Request, message: str) -> str:
    """A service's lower-case refusal ("only the author may …") as a sentence, translated."""
    text = translate(request, message)
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def translate_all(request: Request, messages: Iterable[str]) -> str:
    """Several form errors as one line, each translated."""
    return " ".join(translate(request, m) for m in messages)


# Jinja: newstyle gettext callables bound to a language (jinja resolves them from the context).


@cache
def jinja_callables(code: str) -> dict[str, Any]:
    """`gettext` and `ngettext` for templates, autoescaping and formatting as jinja's own do."""
    language = languages()[code]

    @pass_context
    def gettext(context: Context, text: str, /, **variables: Any) -> str:
        found = language.translations.gettext(text)
        if context.eval_ctx.autoescape:
            found = Markup(found)  # noqa: S704 (our catalogs, trusted as the templates are)
        return found % variables  # type: ignore[no-any-return]

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, /,
                 **variables: Any) -> str:
        variables.setdefault("num", num)
        found = language.translations.ngettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            found = Markup(found)  # noqa: S704 (our catalogs, trusted as the templates are)
        return found % variables  # type: ignore[no-any-return]

    return {"gettext": gettext, "ngettext": ngettext}


def _locale(context: Context) -> Locale:
    language = context.get("i18n")
    return language.locale if isinstance(language, Language) else languages()["en"].locale


@pass_context
def datetime_filter(context: Context, value: datetime | None) -> str:
    """A moment as the reader's language writes it, in UTC: `1 may 2024, 19:12 UTC`."""
    if value is None:
        return ""
    locale = _locale(context)
    day = format_date(value.astimezone(UTC).date() if value.tzinfo else value.date(),
                      "medium", locale=locale)
    time = format_time(value, "short", tzinfo=UTC, locale=locale)
    return f"{locale.datetime_formats['medium'].format(time, day)} {UTC_NAME}"


@pass_context
def date_filter(context: Context, value: date | datetime | None, form: str = "medium") -> str:
    """A day as the reader's language writes it: `May 1, 2024`, `1 may 2024`."""
    if value is None:
        return ""
    day = value.astimezone(UTC).date() if isinstance(value, datetime) and value.tzinfo else value
    return format_date(day, form, locale=_locale(context))


@pass_context
def number_filter(context: Context, value: float | None) -> str:
    """A number with the reader's grouping and decimal signs: `1,000`, `1.000`."""
    return "" if value is None else format_decimal(value, locale=_locale(context))


@pass_context
def percent_filter(context: Context, value: float | None) -> str:
    """A share given in per cent (42 → `42%`, `42 %`)."""
    return "" if value is None else format_percent(value / 100, locale=_locale(context))


@pass_context
def duration_filter(context: Context, value: timedelta | float | None) -> str:
    """A length of time in words: `5 hours`, `5 horas`."""
    if value is None:
        return ""
    return format_timedelta(value, threshold=1.1, locale=_locale(context))


@pass_context
def finalize(context: Context, value: Any) -> Any:
    """Jinja's `finalize`: a service's `Message` printed by `{{ }}` appears translated."""
    if isinstance(value, Message):
        language = context.get("i18n")
        return (language if isinstance(language, Language) else languages()["en"]).translate(value)
    return value


@pass_context
def until_filter(context: Context, value: datetime | None) -> str:
    """How long until `value`, roughly, in words: `3 days`, `3 días`."""
    if value is None:
        return ""
    seconds = max(0, int((value - clock.now()).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:  # whole units, rounded down, as content.polls.time_left does
            return format_timedelta(timedelta(seconds=seconds // size * size), granularity=unit,
                                    threshold=1, locale=_locale(context))
    return format_timedelta(timedelta(minutes=1), locale=_locale(context))


@pass_context
def message_filter(context: Context, value: Any) -> Any:
    """A service's `Message` in the page's language (`{{ error|tr }}`); other values pass."""
    language = context.get("i18n")
    if isinstance(value, Message) and isinstance(language, Language):
        return language.translate(value)
    return value


FILTERS = {
    "datetime": datetime_filter,
    "date": date_filter,
    "number": number_filter,
    "percent": percent_filter,
    "duration": duration_filter,
    "until": until_filter,
    "tr": message_filter,
}
