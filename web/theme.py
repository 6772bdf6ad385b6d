"""The organization's look from configuration: its accent colour made readable in the light
and dark themes (WCAG AA contrast), served as `/theme.css`, and its logo at `/logo`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from core.settings import InstanceSettings

# The page backgrounds of style.css (light, dark) and the text on accent-coloured buttons.
LIGHT_BG = (0xFB, 0xFA, 0xF8)
DARK_BG = (0x15, 0x13, 0x1A)
DARK_CARD = (0x1F, 0x1C, 0x26)
WHITE = (0xFF, 0xFF, 0xFF)
AA = 4.5  # WCAG 2 contrast for normal text
STATIC = Path(__file__).parent / "static"
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".webp": "image/webp", ".svg": "image/svg+xml"}
YEAR = 365 * 24 * 3600

RGB = tuple[int, int, int]


def _parse(color: str) -> RGB:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: RGB) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _mix(rgb: RGB, toward: RGB, share: float) -> RGB:
    return tuple(round(c + (t - c) * share) for c, t in zip(rgb, toward, strict=True))  # type: ignore[return-value]


def readable(color: RGB, against: tuple[RGB, ...], toward: RGB) -> RGB:
    """`color`, mixed step by step toward `toward` until it reaches AA contrast with every
    colour of `against` (the hue is kept as far as contrast allows)."""
    for step in range(21):
        candidate = _mix(color, toward, step / 20)
        if all(contrast(candidate, other) >= AA for other in against):
            return candidate
    return toward


@dataclass(frozen=True)
class Theme:
    light: str  # the accent on light pages: links, and buttons with white text
    dark: str  # the accent on dark pages: links, and buttons with dark text
    version: str  # changes with the colours, for cache-busting `/theme.css?v=`

    def css(self) -> str:
        return (f":root{{--accent:{self.light};--on-accent:#fff}}\n"
                f"@media (prefers-color-scheme: dark){{:root{{--accent:{self.dark};"
                f"--on-accent:{_hex(DARK_BG)}}}}}\n")


def make_theme(instance: InstanceSettings) -> Theme:
    accent = _parse(instance.accent_color)
    light = _hex(readable(accent, (LIGHT_BG, WHITE), (0, 0, 0)))
    dark = _hex(readable(accent, (DARK_BG, DARK_CARD), WHITE))
    version = hashlib.sha256(f"{light}{dark}".encode()).hexdigest()[:10]
    return Theme(light, dark, version)


async def theme_css(request: Request) -> Response:
    theme: Theme = request.app.state.theme
    cache = f"public, max-age={YEAR}, immutable" if request.query_params.get("v") == \
        theme.version else "public, max-age=300"
    return Response(theme.css(), media_type="text/css", headers={"cache-control": cache})


async def logo(request: Request) -> Response:
    """The configured logo file, or the default mark. An SVG is served sandboxed, so a
    script inside it never runs with this site's rights."""
    configured: Path | None = request.app.state.settings.instance.logo
    path = configured or STATIC / "favicon.svg"
    media_type = LOGO_TYPES.get(path.suffix.lower(), "application/octet-stream")
    headers = {"cache-control": "public, max-age=3600", "x-content-type-options": "nosniff",
               "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"}
    return FileResponse(path, media_type=media_type, headers=headers)
