"""Writing a new configuration file for `chapterhouse init`, with the same comments as config.toml."""

from __future__ import annotations

import json


def _toml_str(value: str) -> str:
    # A JSON string is a valid TOML basic string for everything we write here.
    return json.dumps(value, ensure_ascii=False)


def render_config(
    *,
    domain: str,
    base_url: str,
    name: str = "Chapterhouse",
    database_url: str = "sqlite://data/chapterhouse.sqlite3",
    data_dir: str = "data",
    bind: str = "127.0.0.1",
    port: int = 8000,
    development: bool = False,
) -> str:
    """The text of a config file: the documented default with these values filled in."""
    replacements = {
        "data_dir": _toml_str(data_dir),
        "name": _toml_str(name),
        "domain": _toml_str(domain),
        "base_url": _toml_str(base_url),
        "bind": _toml_str(bind),
        "port": str(port),
        "url": _toml_str(database_url),
        "allow_http": "true" if development else "false",
        "allow_private_addresses": "true" if development else "false",
    }
    out = []
    for line in TEMPLATE.splitlines():
        key = line.split("=", 1)[0].strip() if "=" in line and not line.startswith("#") else ""
        if key in replacements:
            line = f"{key} = {replacements[key]}"
        out.append(line)
    return "\n".join(out) + "\n"


TEMPLATE = """\
# Chapterhouse configuration, written by `chapterhouse init`.
# Every key is explained in the project's config.toml. A wrong or unknown key stops
# start-up with one line naming the key and this file.

data_dir = "data"
log_level = "info"

[instance]
name = "Chapterhouse"
domain = "example.org"
description = "A home for our organization, its chapters and its members — connected to the fediverse."
accent_color = "#8a2be2"
logo = ""
language = "en"

[server]
base_url = "https://example.org"
bind = "127.0.0.1"
port = 8000
workers = 1
trusted_proxies = []

[database]
url = "sqlite://data/chapterhouse.sqlite3"

[registration]
mode = "open"
commitments = \"\"\"
We work for a world of social justice, ecological sustainability, participatory democracy
and international solidarity. We treat each other with respect, decide together, and
welcome disagreement argued in good faith.
\"\"\"
commitments_version = "1"
min_password_length = 8

[campaign]
goal = 1000
label = "members"

[federation]
# Development switches: keep both false in production (see config.toml for why).
allow_http = false
allow_private_addresses = false

[email]
# Empty smtp_host: mail is logged and listed on the admin page instead of sent.
smtp_host = ""
smtp_port = 587
smtp_username = ""
smtp_password = ""
security = "starttls"
from_address = ""

[api]
# Rate limits of the client API (apps): requests per rate_limit_period seconds for one
# access token (or one address without a token), and for one address whatever the token.
rate_limit_per_token = 300
rate_limit_per_ip = 1500
rate_limit_period = 300
"""
