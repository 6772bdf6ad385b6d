"""Configuration: the default file loads; every kind of mistake stops start-up with one line."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from chapterhouse.configfile import render_config
from core.errors import ConfigError
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = (ROOT / "config.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_default_loads_with_safe_federation_switches() -> None:
    s = load_settings(ROOT / "config.toml")
    assert s.server.base_url == "http://127.0.0.1:8000"
    assert s.server.port == 8000
    assert s.database.url.startswith("sqlite://") and s.database.url.endswith(
        "data/chapterhouse.sqlite3"
    )
    assert s.federation.allow_http is False
    assert s.federation.allow_private_addresses is False
    assert s.registration.mode == "open"
    assert s.campaign.goal > 0
    assert "solidarity" in s.registration.commitments


def test_settings_are_frozen() -> None:
    s = load_settings(ROOT / "config.toml")
    with pytest.raises(AttributeError):
        s.server.port = 1  # type: ignore[misc]


def test_env_var_selects_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, DEFAULT.replace('name = "Chapterhouse"', 'name = "Other Org"'))
    monkeypatch.setenv("CHAPTERHOUSE_CONFIG", str(path))
    assert load_settings().instance.name == "Other Org"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("port = 8000", 'port = "abc"'), "[server] port must be an integer, not 'abc'"),
        (("port = 8000", "port = 70000"), "[server] port must be between 1 and 65535"),
        (("port = 8000", "port = true"), "[server] port must be an integer"),
        (("port = 8000", "prot = 8000"), "[server] unknown key 'prot'"),
        (('mode = "open"', 'mode = "everyone"'), "[registration] mode must be one of open"),
        (("goal = 1000", "goal = 0"), "[campaign] goal must be between 1"),
        (
            ("allow_http = false", 'allow_http = "no"'),
            "[federation] allow_http must be true or false",
        ),
        (
            ('base_url = "http://127.0.0.1:8000"', 'base_url = "http://127.0.0.1:8000/app"'),
            "[server] base_url must be scheme://host[:port]",
        ),
        (
            ('base_url = "http://127.0.0.1:8000"', 'base_url = "http://example.org"'),
            "[server] base_url uses http:// for a public host",
        ),
        (
            ('url = "sqlite://data/chapterhouse.sqlite3"', 'url = "mysql://x/y"'),
            "[database] url must start with sqlite:// or postgres://",
        ),
        (("[campaign]", "[campain]"), "unknown section [campain]"),
        (
            ('domain = "127.0.0.1:8000"', 'domain = "Bad Domain"'),
            "[instance] domain must be lower case",
        ),
        (('log_level = "info"', 'log_level = "loud"'), "log_level must be one of"),
    ],
)
def test_a_wrong_value_names_the_key_and_the_file(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in DEFAULT
    path = write(tmp_path, DEFAULT.replace(old, new, 1))
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert str(path) in message
    assert expected in message
    assert "\n" not in message


def test_missing_required_key_and_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path, DEFAULT.replace('name = "Chapterhouse"\n', ""))
    with pytest.raises(ConfigError, match=r"\[instance\] name is required"):
        load_settings(path)
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml")
    bad = write(tmp_path, "this is = = not toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)


@pytest.mark.parametrize("bad", ['port = "abc"', "prot = 8000"])
def test_the_command_exits_with_one_line_and_no_traceback(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, DEFAULT.replace("port = 8000", bad, 1))
    done = subprocess.run(
        [sys.executable, "-m", "chapterhouse", "--config", str(path), "migrate"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0]
    assert ("port" if "port" in bad else "prot") in lines[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()


def test_init_writes_the_same_keys_as_the_documented_default() -> None:
    written = tomllib.loads(
        render_config(domain="127.0.0.1:8000", base_url="http://127.0.0.1:8000")
    )
    default = tomllib.loads(DEFAULT)
    assert written.keys() == default.keys()
    for section, values in default.items():
        if isinstance(values, dict):
            assert written[section].keys() == values.keys(), section
    assert written == default
