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
    api_limits: tuple[int, int] | None = None,
) -> Path:
    """A development configuration for a server on 127.0.0.1:`port` (federation switches on;
    `api_limits`: the client API's rate limits per token and per IP, else the defaults)."""
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
    if api_limits is not None:  # requests per token (or tokenless IP), per IP
        text = text.replace("rate_limit_per_token = 300", f"rate_limit_per_token = {api_limits[0]}")
        text = text.replace("rate_limit_per_ip = 1500", f"rate_limit_per_ip = {api_limits[1]}")
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
