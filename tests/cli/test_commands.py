"""The `chapterhouse` command as an administrator uses it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chapterhouse", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize(
    "command", ["init", "migrate", "serve", "worker", "create-admin", "create-chapter"]
)
def test_every_command_explains_itself(tmp_path: Path, command: str) -> None:
    done = run(command, "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "usage: chapterhouse" in done.stdout and "--config" in done.stdout


def test_init_writes_a_configuration_and_a_ready_database(tmp_path: Path) -> None:
    done = run(
        "--config",
        "site/config.toml",
        "init",
        "--domain",
        "chapters.example.org",
        "--name",
        "Liquid Org",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    config = tomllib.loads((tmp_path / "site/config.toml").read_text())
    assert config["instance"] == config["instance"] | {
        "name": "Liquid Org",
        "domain": "chapters.example.org",
    }
    assert config["server"]["base_url"] == "https://chapters.example.org"
    assert config["federation"] == {"allow_http": False, "allow_private_addresses": False}
    assert (tmp_path / "site/data/chapterhouse.sqlite3").exists()
    again = run("--config", "site/config.toml", "init", "--domain", "x.example.org", cwd=tmp_path)
    assert again.returncode == 1 and "exists already" in again.stderr
    assert run("--config", "site/config.toml", "migrate", cwd=tmp_path).stdout.strip() == (
        "database is up to date"
    )


def test_serve_refuses_an_unmigrated_database_in_one_line(tmp_path: Path) -> None:
    run("--config", "c.toml", "init", "--domain", "a.example.org", cwd=tmp_path)
    (tmp_path / "data/chapterhouse.sqlite3").unlink()
    done = run("--config", "c.toml", "serve", cwd=tmp_path)
    assert done.returncode == 1
    assert "run `chapterhouse migrate` first" in done.stderr
    assert "Traceback" not in done.stderr


def test_admin_and_chapter_commands_refuse_bad_input_clearly(tmp_path: Path) -> None:
    run("--config", "c.toml", "init", "--domain", "a.example.org", cwd=tmp_path)
    short = run(
        "--config",
        "c.toml",
        "create-admin",
        "root1",
        "--email",
        "r@example.org",
        "--password-stdin",
        cwd=tmp_path,
        stdin="short\n",
    )
    assert short.returncode == 1 and "password: Use at least 8 characters." in short.stderr
    ok = run(
        "--config", "c.toml", "create-chapter", "--name", "Spain", "--slug", "spain", cwd=tmp_path
    )
    assert ok.returncode == 0, ok.stderr
    orphan = run(
        "--config",
        "c.toml",
        "create-chapter",
        "--name",
        "Leeds",
        "--slug",
        "leeds",
        "--parent",
        "uk",
        cwd=tmp_path,
    )
    assert orphan.returncode == 1 and "There is no chapter 'uk'" in orphan.stderr
