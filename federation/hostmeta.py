"""host-meta (XRD and JSON) pointing to WebFinger, and a safe reader for others' XRD."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from federation.errors import ParseError

__all__ = ["build_host_meta_json", "build_host_meta_xml", "parse_host_meta_xml"]

_XRD_NS = "http://docs.oasis-open.org/ns/xri/xrd-1.0"
_MAX_XML = 64 * 1024


def _template(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/.well-known/webfinger?resource={{uri}}"


def build_host_meta_xml(base_url: str) -> str:
    """``/.well-known/host-meta`` as XRD (``application/xrd+xml``)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<XRD xmlns="{_XRD_NS}">\n'
        '  <Link rel="lrdd" type="application/jrd+json" '
        f"template={quoteattr(_template(base_url))}/>\n"
        "</XRD>\n"
    )


def build_host_meta_json(base_url: str) -> dict[str, Any]:
    """``/.well-known/host-meta.json``."""
    return {"links": [{"rel": "lrdd", "type": "application/jrd+json",
                       "template": _template(base_url)}]}


def parse_host_meta_xml(text: str | bytes) -> str | None:
    """The ``lrdd`` template from someone's XRD, or None if it has none.

    Documents with a DOCTYPE or entity declarations are refused before parsing, so
    neither entity expansion (billion laughs) nor external entities can happen.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > _MAX_XML:
        raise ParseError("host-meta too large")
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise ParseError("host-meta with DTD or entity declarations refused")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - no DTD can reach the parser
    except ElementTree.ParseError as exc:
        raise ParseError("unreadable host-meta XML") from exc
    for link in root.iter(f"{{{_XRD_NS}}}Link"):
        if link.get("rel") == "lrdd" and link.get("template"):
            return link.get("template")
    return None
