"""Writing configuration files for tests and for the server processes they start."""

from __future__ import annotations

from pathlib import Path

from chapterhouse.configfile import render_config


def write_config(
    folder: Path,
    *,
    port: int,
    database_url: str,
    name: str = "Test Chapterhouse",
    mode: str = "open",
    workers: int = 1,
) -> Path:
    """A development configuration for a server on 127.0.0.1:`port` (federation switches on)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = render_config(
        domain=f"127.0.0.1:{port}",
        base_url=f"http://127.0.0.1:{port}",
        name=name,
        database_url=database_url,
        data_dir=str(folder / "data"),
        port=port,
        development=True,
    )
    text = text.replace('mode = "open"', f'mode = "{mode}"')
    text = text.replace("workers = 1", f"workers = {workers}")
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
