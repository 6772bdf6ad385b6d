"""The one-way import rule of DESIGN.md, checked on every module of the project."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# package -> the project packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "federation": set(),
    "actors": {"core", "federation"},
    "content": {"actors", "core", "federation"},
    "inbox": {"content", "actors", "core", "federation"},
    "outbox": {"content", "actors", "core", "federation"},
    "web": {"inbox", "outbox", "content", "actors", "core", "federation"},
    "chapterhouse": {"web", "inbox", "outbox", "content", "actors", "core", "federation"},
}
FRAMEWORKS = {"starlette", "jinja2", "uvicorn"}
FRAMEWORK_OK = {"web", "chapterhouse"}
# federation/ could be published alone: no ORM either.
ORM = {"tortoise", "asyncpg", "aiosqlite"}


def imported_roots(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, "<relative>"))
    return found


def violations(root: Path) -> list[str]:
    bad = []
    for package, allowed in ALLOWED.items():
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            where = path.relative_to(root)
            for line, name in imported_roots(tree):
                if name == "<relative>":
                    bad.append(f"{where}:{line}: relative import (use absolute ones)")
                elif name in ALLOWED and name != package and name not in allowed:
                    bad.append(f"{where}:{line}: {package} imports {name}")
                elif name in FRAMEWORKS and package not in FRAMEWORK_OK:
                    bad.append(f"{where}:{line}: {package} imports {name} (only web/ may)")
                elif name in ORM and package == "federation":
                    bad.append(f"{where}:{line}: federation imports {name}")
    return bad


def test_imports_only_go_down_the_layers() -> None:
    assert violations(ROOT) == []


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    for package in ALLOWED:
        (tmp_path / package).mkdir()
    (tmp_path / "actors" / "bad.py").write_text("from web.app import create_app\n")
    (tmp_path / "inbox" / "bad.py").write_text("import outbox.render\n")
    (tmp_path / "content" / "bad.py").write_text("from starlette.requests import Request\n")
    (tmp_path / "federation" / "bad.py").write_text("from tortoise import fields\n")
    assert len(violations(tmp_path)) == 4


def test_every_module_opens_with_a_docstring() -> None:
    missing = []
    for package in ALLOWED:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if not ast.get_docstring(tree):
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []
