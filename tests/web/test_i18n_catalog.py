"""The shipped catalogs against the source as it is now: every string translated in every
language, nothing fuzzy or obsolete, the same placeholders as the English; messages.pot current."""

from __future__ import annotations

import re
from functools import cache

from babel.messages.catalog import Catalog

from core.settings import LANGUAGES
from web.i18n import TRANSLATIONS, compile_catalog
from web.i18n_catalog import extract, read_catalog

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@cache
def source() -> Catalog:
    return extract()


def _key(message_id: object) -> str:
    return message_id[0] if isinstance(message_id, tuple | list) else str(message_id)


def _names(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def problems(extracted: Catalog, catalog: Catalog) -> list[str]:
    """What is wrong with `catalog` for the strings `extracted` from the source, one line each."""
    found: list[str] = []
    wanted = {_key(m.id): m for m in extracted if m.id}
    have = {_key(m.id): m for m in catalog if m.id}
    for key in sorted(wanted.keys() - have.keys()):
        found.append(f"missing: {key!r}")
    for key in sorted(have.keys() - wanted.keys()):
        found.append(f"obsolete: {key!r}")
    for key in catalog.obsolete:
        found.append(f"obsolete (#~): {_key(key)!r}")
    for key in sorted(wanted.keys() & have.keys()):
        message = have[key]
        ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
        strings = (list(message.string) if isinstance(message.string, tuple | list)
                   else [message.string])
        if message.fuzzy:
            found.append(f"fuzzy: {key!r}")
        if not strings or not all(strings):
            found.append(f"empty: {key!r}")
            continue
        if len(ids) != len(_key_ids(wanted[key])):
            found.append(f"plural mismatch: {key!r}")
        for index, text in enumerate(strings):
            original = ids[min(index, len(ids) - 1)]
            if _names(text) != _names(original) and _names(text) != _names(ids[-1]):
                found.append(f"placeholders differ: {key!r} → {text!r}")
    return found


def _key_ids(message: object) -> list[str]:
    ident = message.id  # type: ignore[attr-defined]
    return list(ident) if isinstance(ident, tuple | list) else [ident]


def test_the_source_has_strings_to_translate() -> None:
    keys = {_key(m.id) for m in source() if m.id}
    assert len(keys) > 500
    # From each kind of place: a template, a service's N_ message, the web UI's Python.
    assert {"Skip to content", "This username is taken.", "Page not found"} <= keys
    # The client API is left out: Mastodon apps expect English there.
    assert not any(loc[0].startswith("web/api/") for m in source() for loc in m.locations)


def test_every_shipped_language_is_complete_and_current() -> None:
    report = {code: problems(source(), read_catalog(code)) for code in LANGUAGES}
    assert report == {code: [] for code in LANGUAGES}


def test_the_template_file_is_current() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as pot:
        from babel.messages.pofile import read_po

        template = read_po(pot)
    assert {_key(m.id) for m in template if m.id} == {_key(m.id) for m in source() if m.id}


def test_every_catalog_compiles_and_plurals_follow_the_language() -> None:
    spanish = compile_catalog("es")
    assert spanish.ngettext("%(voters)s voter", "%(voters)s voters", 1) == "%(voters)s participante"
    assert spanish.ngettext("%(voters)s voter", "%(voters)s voters", 0) == (
        "%(voters)s participantes")
    english = compile_catalog("en")
    assert english.gettext("Skip to content") == "Skip to content"


def test_the_check_names_what_is_wrong() -> None:
    extracted = Catalog()
    for ident in ("Kept", "Gone from the catalog", "Use %(max)s characters.", "Fuzzy one"):
        extracted.add(ident)
    extracted.add(("%(n)s vote", "%(n)s votes"))
    catalog = Catalog(locale="es")
    catalog.add("Kept", "Guardado")
    catalog.add("Use %(max)s characters.", "Usa %(maximo)s caracteres.")
    catalog.add("Fuzzy one", "Dudosa", flags=["fuzzy"])
    catalog.add(("%(n)s vote", "%(n)s votes"), ("%(n)s voto", ""))
    catalog.add("No longer in the source", "Ya no está")
    assert problems(extracted, catalog) == [
        "missing: 'Gone from the catalog'",
        "obsolete: 'No longer in the source'",
        "empty: '%(n)s vote'",
        "fuzzy: 'Fuzzy one'",
        "placeholders differ: 'Use %(max)s characters.' → 'Usa %(maximo)s caracteres.'",
    ]
