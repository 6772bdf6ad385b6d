"""The catalog workflow: extract the UI's strings, write messages.pot, update every .po file.

`make messages` runs `python -m web.i18n_catalog`. It reads babel.cfg, extracts from the source
tree (templates, the web UI's Python, the services' `N_` messages), writes
web/translations/messages.pot, and merges it into each language's messages.po: new strings
arrive empty (English fills them with the msgid, since English is the source), strings gone
from the source are dropped. The tests extract the same way and compare.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from core.settings import LANGUAGES
from web.i18n import TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"tests", "node_modules", "migrations", "bench", "docs", "data"}
PROJECT = "Chapterhouse"


def _keep_dir(path: str) -> bool:
    name = Path(path).name
    return not (name.startswith((".", "_")) or name in SKIP_DIRS or name.endswith(".egg-info"))


def extract(root: Path = ROOT) -> Catalog:
    """Every translatable string of the source tree under `root`, as babel.cfg maps it."""
    with (root / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project=PROJECT, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=DEFAULT_KEYWORDS,
        comment_tags=("Translators:",), strip_comment_tags=True, directory_filter=_keep_dir,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def po_path(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"


def read_catalog(code: str) -> Catalog:
    with po_path(code).open("rb") as po:
        return read_po(po, locale=code)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, sort_by_file=True, ignore_obsolete=True)


def fill_english(messages: Iterable[Message]) -> None:
    """English is the source language: an empty English msgstr is its msgid."""
    for message in messages:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            strings = list(message.string) if isinstance(message.string, tuple | list) else []
            if not any(strings):
                message.string = (message.id[0], message.id[1])
        elif not message.string:
            message.string = message.id


def update(template: Catalog, code: str) -> Catalog:
    """Merge `template` into `code`'s catalog (created when missing) and write it."""
    path = po_path(code)
    if path.exists():
        catalog = read_catalog(code)
    else:
        catalog = Catalog(locale=code, project=PROJECT, charset="utf-8")
    # A copy: babel's update shares the template's Message objects with the catalog.
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    if code == "en":
        fill_english(catalog)
    _write(path, catalog)
    return catalog


def main(argv: list[str] | None = None) -> int:
    template = extract()
    _write(TRANSLATIONS / "messages.pot", template)
    for code in LANGUAGES:
        catalog = update(template, code)
        missing = [m.id for m in catalog if m.id and not _complete(m)]
        print(f"{code}: {len(catalog)} messages, {len(missing)} to translate")
    return 0


def _complete(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return bool(strings) and all(strings) and not message.fuzzy


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
