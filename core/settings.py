"""Configuration: reads config.toml once into a frozen Settings object, with one-line errors."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.errors import ConfigError

ENV_VAR = "CHAPTERHOUSE_CONFIG"
DEFAULT_FILE = "config.toml"
REGISTRATION_MODES = ("open", "approval", "invite")
LOG_LEVELS = ("debug", "info", "warning", "error")
SMTP_SECURITY = ("starttls", "tls", "none")
# The languages the web UI ships catalogs for (web/translations/), English first.
LANGUAGES = ("en", "es")

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}(:\d{1,5})?$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$"
)
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class InstanceSettings:
    name: str
    domain: str
    description: str
    accent_color: str
    # The organization's logo (PNG, JPEG, WebP or SVG file), or None for the default mark.
    logo: Path | None = None
    # The web UI's language for visitors whose browser asks for none we ship.
    language: str = "en"


@dataclass(frozen=True)
class ServerSettings:
    base_url: str
    bind: str
    port: int
    workers: int
    trusted_proxies: tuple[str, ...]

    @property
    def scheme(self) -> str:
        return urlsplit(self.base_url).scheme

    @property
    def public_host(self) -> str:
        """Host and, when not the scheme's default, port of the public base URL."""
        return urlsplit(self.base_url).netloc


@dataclass(frozen=True)
class DatabaseSettings:
    url: str

    @property
    def engine(self) -> str:
        return "postgres" if self.url.startswith(("postgres://", "postgresql://")) else "sqlite"


@dataclass(frozen=True)
class RegistrationSettings:
    mode: str
    commitments: str
    commitments_version: str
    min_password_length: int


@dataclass(frozen=True)
class CampaignSettings:
    """The campaign's defaults; admins may change them on the web (stored in the database)."""

    goal: int
    label: str
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class EmailSettings:
    """Outgoing mail. With no smtp_host, messages are logged and listed for the admins."""

    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str
    security: str
    from_address: str

    @property
    def enabled(self) -> bool:
        return bool(self.smtp_host)


@dataclass(frozen=True)
class FederationSettings:
    allow_http: bool
    allow_private_addresses: bool


@dataclass(frozen=True)
class ApiSettings:
    """Rate limits of the Mastodon client API: requests per `rate_limit_period` seconds."""

    rate_limit_per_token: int = 300
    rate_limit_per_ip: int = 1500
    rate_limit_period: int = 300


@dataclass(frozen=True)
class Settings:
    """Everything config.toml says, checked; built once at start-up and passed down."""

    source: Path
    data_dir: Path
    log_level: str
    instance: InstanceSettings
    server: ServerSettings
    database: DatabaseSettings
    registration: RegistrationSettings
    campaign: CampaignSettings
    federation: FederationSettings
    email: EmailSettings
    api: ApiSettings = ApiSettings()


# --- the schema -------------------------------------------------------------------------------
# Each key: (python type, default or REQUIRED, validator returning an error text or None).

REQUIRED = object()
Check = Callable[[Any], "str | None"]


def _nonempty(limit: int) -> Check:
    def check(v: str) -> str | None:
        if not v.strip():
            return "must not be empty"
        return f"must be at most {limit} characters" if len(v) > limit else None

    return check


def _between(lo: int, hi: int) -> Check:
    return lambda v: None if lo <= v <= hi else f"must be between {lo} and {hi}, not {v}"


def _one_of(choices: tuple[str, ...]) -> Check:
    return lambda v: None if v in choices else f"must be one of {', '.join(choices)}, not {v!r}"


def _check_domain(v: str) -> str | None:
    if v != v.lower():
        return "must be lower case"
    return None if _DOMAIN_RE.match(v) else f"is not a valid domain name: {v!r}"


def _check_base_url(v: str) -> str | None:
    try:
        parts = urlsplit(v)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "must name a host"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return "must be scheme://host[:port] with no path, query or user"
    if port == 0:
        return "has port 0"
    return None


def _check_db_url(v: str) -> str | None:
    if v.startswith("sqlite://"):
        return None if len(v) > len("sqlite://") else "sqlite:// needs a file path"
    if v.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(v)
        return None if parts.hostname and parts.path.strip("/") else "must name host and database"
    return "must start with sqlite:// or postgres://"


def _check_email(v: str) -> str | None:
    if not v:
        return None
    local, at, host = v.rpartition("@")
    return None if at and local and "." in host and " " not in v else f"is not an email address: {v!r}"


def _check_proxies(v: list[Any]) -> str | None:
    import ipaddress

    for item in v:
        if not isinstance(item, str):
            return "must be a list of IP addresses or networks (strings)"
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            return f"holds {item!r}, which is not an IP address or network"
    return None


SCHEMA: dict[str, dict[str, tuple[type, Any, Check | None]]] = {
    "": {
        "data_dir": (str, "data", _nonempty(4096)),
        "log_level": (str, "info", _one_of(LOG_LEVELS)),
    },
    "instance": {
        "name": (str, REQUIRED, _nonempty(100)),
        "domain": (str, REQUIRED, _check_domain),
        "description": (str, "", lambda v: None if len(v) <= 5000 else "is too long"),
        "accent_color": (
            str,
            "#8a2be2",
            lambda v: None if _COLOR_RE.match(v) else "must be #rrggbb",
        ),
        "logo": (str, "", lambda v: None if len(v) <= 4096 else "is too long"),
        "language": (str, "en", _one_of(LANGUAGES)),
    },
    "server": {
        "base_url": (str, REQUIRED, _check_base_url),
        "bind": (str, "127.0.0.1", _nonempty(255)),
        "port": (int, 8000, _between(1, 65535)),
        "workers": (int, 1, _between(0, 64)),
        "trusted_proxies": (list, [], _check_proxies),
    },
    "database": {
        "url": (str, "sqlite://data/chapterhouse.sqlite3", _check_db_url),
    },
    "registration": {
        "mode": (str, "open", _one_of(REGISTRATION_MODES)),
        "commitments": (str, REQUIRED, _nonempty(20000)),
        "commitments_version": (str, "1", _nonempty(50)),
        "min_password_length": (int, 8, _between(8, 128)),
    },
    "campaign": {
        "goal": (int, 1000, _between(1, 1_000_000_000)),
        "label": (str, "members", _nonempty(100)),
        "starts_on": (date, None, None),
        "ends_on": (date, None, None),
    },
    "federation": {
        "allow_http": (bool, False, None),
        "allow_private_addresses": (bool, False, None),
    },
    "email": {
        "smtp_host": (str, "", lambda v: None if len(v) <= 255 else "is too long"),
        "smtp_port": (int, 587, _between(1, 65535)),
        "smtp_username": (str, "", None),
        "smtp_password": (str, "", None),
        "security": (str, "starttls", _one_of(SMTP_SECURITY)),
        "from_address": (str, "", _check_email),
    },
    "api": {
        "rate_limit_per_token": (int, 300, _between(1, 10_000_000)),
        "rate_limit_per_ip": (int, 1500, _between(1, 10_000_000)),
        "rate_limit_period": (int, 300, _between(1, 86_400)),
    },
}

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list",
               date: "a date (2026-01-31, unquoted)"}


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration file ({exc.strerror})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: configuration file is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _section_values(path: Path, name: str, table: Mapping[str, Any]) -> dict[str, Any]:
    schema = SCHEMA[name]
    out: dict[str, Any] = {}
    prefix = f"[{name}] " if name else ""
    for key in table:
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise ConfigError(f"{path}: {prefix}unknown key {key!r} (known keys: {known})")
    for key, (typ, default, check) in schema.items():
        where = f"{path}: {prefix}{key}"
        if key not in table:
            if default is REQUIRED:
                raise ConfigError(f"{where} is required but missing")
            value = default
        else:
            value = table[key]
            # bool is a subclass of int in Python: `port = true` must not pass as 1; and a
            # datetime is a date, but a campaign day is a plain date.
            if not isinstance(value, typ) or (typ is int and isinstance(value, bool)) or (
                typ is date and type(value) is not date
            ):
                raise ConfigError(f"{where} must be {_TYPE_NAMES[typ]}, not {value!r}")
        if check is not None and value is not None:
            problem = check(value)
            if problem:
                raise ConfigError(f"{where} {problem}")
        out[key] = value
    return out


def _resolve_sqlite(url: str, base: Path) -> str:
    path = url[len("sqlite://") :]
    if path == ":memory:" or Path(path).is_absolute():
        return url
    return "sqlite://" + str((base / path).resolve())


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read and check a configuration file; raise ConfigError with one line on any fault.

    The file is `path`, else $CHAPTERHOUSE_CONFIG, else ./config.toml. Relative paths inside it
    (data_dir, a SQLite file) are taken relative to the file's own folder.
    """
    chosen = Path(path or os.environ.get(ENV_VAR) or DEFAULT_FILE).expanduser()
    doc = _read(chosen)
    top: dict[str, Any] = {}
    for key, value in doc.items():
        if key in SCHEMA[""]:
            top[key] = value
        elif key in SCHEMA and key:
            if not isinstance(value, dict):
                raise ConfigError(f"{chosen}: [{key}] must be a table")
        elif isinstance(value, dict):
            known = ", ".join(f"[{s}]" for s in SCHEMA if s)
            raise ConfigError(f"{chosen}: unknown section [{key}] (known sections: {known})")
        else:
            raise ConfigError(f"{chosen}: unknown key {key!r}")
    vals = {
        name: _section_values(chosen, name, doc.get(name, {}) if name else top) for name in SCHEMA
    }
    base = chosen.resolve().parent
    inst = InstanceSettings(**{**vals["instance"],
                               "logo": _logo(chosen, base, vals["instance"]["logo"])})
    srv = vals["server"]
    server = ServerSettings(
        base_url=srv["base_url"].rstrip("/"),
        bind=srv["bind"],
        port=srv["port"],
        workers=srv["workers"],
        trusted_proxies=tuple(srv["trusted_proxies"]),
    )
    if server.scheme == "http" and not vals["federation"]["allow_http"]:
        host = urlsplit(server.base_url).hostname or ""
        if host not in ("localhost", "127.0.0.1", "::1") and not host.endswith(".localhost"):
            raise ConfigError(
                f"{chosen}: [server] base_url uses http:// for a public host; "
                "use https:// or set [federation] allow_http = true for development"
            )
    return Settings(
        source=chosen.resolve(),
        data_dir=(base / vals[""]["data_dir"]).resolve(),
        log_level=vals[""]["log_level"],
        instance=inst,
        server=server,
        database=DatabaseSettings(url=_resolve_sqlite(vals["database"]["url"], base)),
        registration=RegistrationSettings(**vals["registration"]),
        campaign=_campaign(chosen, vals["campaign"]),
        federation=FederationSettings(**vals["federation"]),
        email=EmailSettings(**{
            **vals["email"],
            "from_address": vals["email"]["from_address"]
            or f"noreply@{inst.domain.split(':', 1)[0]}",
        }),
        api=ApiSettings(**vals["api"]),
    )


LOGO_TYPES = (".png", ".jpg", ".jpeg", ".webp", ".svg")
LOGO_MAX_BYTES = 1024 * 1024


def _logo(path: Path, base: Path, value: str) -> Path | None:
    """The logo file named by [instance] logo (relative to the configuration's folder)."""
    if not value:
        return None
    logo = (base / value).resolve()
    where = f"{path}: [instance] logo"
    if logo.suffix.lower() not in LOGO_TYPES:
        raise ConfigError(f"{where} must be a {', '.join(LOGO_TYPES)} file, not {value!r}")
    try:
        size = logo.stat().st_size
    except OSError:
        raise ConfigError(f"{where}: no such file: {logo}") from None
    if not logo.is_file() or size > LOGO_MAX_BYTES:
        raise ConfigError(f"{where} must be a file of at most {LOGO_MAX_BYTES // 1024} KB")
    return logo


def _campaign(path: Path, values: dict[str, Any]) -> CampaignSettings:
    campaign = CampaignSettings(**values)
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ConfigError(f"{path}: [campaign] ends_on must not be before starts_on")
    return campaign
