"""The subset of RFC 8941 structured fields that RFC 9421 and RFC 9530 headers need."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from federation.errors import SignatureError

__all__ = [
    "BareItem",
    "InnerList",
    "Item",
    "parse_dictionary",
    "serialize_inner_list",
    "serialize_item",
    "serialize_params",
]

BareItem = int | str | bytes | bool
_MAX_FIELD = 16_384
_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")
_INT = re.compile(r"-?[0-9]{1,15}")


class Token(str):
    """A structured-field token (serialised without quotes)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Item:
    value: BareItem
    params: dict[str, BareItem] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InnerList:
    items: tuple[Item, ...]
    params: dict[str, BareItem] = field(default_factory=dict)


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > _MAX_FIELD:
            raise SignatureError("structured header too long")
        self.s = text
        self.i = 0

    def fail(self, what: str) -> SignatureError:
        return SignatureError(f"malformed structured header: {what}")

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_sp(self) -> None:
        while self.peek() == " ":
            self.i += 1

    def skip_ows(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.i += 1

    def key(self) -> str:
        m = _KEY.match(self.s, self.i)
        if not m:
            raise self.fail("expected key")
        self.i = m.end()
        return m.group()

    def bare_item(self) -> BareItem:
        c = self.peek()
        if c == '"':
            return self.string()
        if c == ":":
            end = self.s.find(":", self.i + 1)
            if end == -1:
                raise self.fail("unterminated byte sequence")
            raw = self.s[self.i + 1:end]
            self.i = end + 1
            try:
                return base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise self.fail("bad base64 in byte sequence") from exc
        if c == "?":
            flag = self.s[self.i + 1:self.i + 2]
            if flag not in ("0", "1"):
                raise self.fail("bad boolean")
            self.i += 2
            return flag == "1"
        if c == "-" or c.isdigit():
            m = _INT.match(self.s, self.i)
            if not m or (m.end() < len(self.s) and self.s[m.end()] == "."):
                raise self.fail("unsupported number")
            self.i = m.end()
            return int(m.group())
        m = _TOKEN.match(self.s, self.i)
        if not m:
            raise self.fail("expected item")
        self.i = m.end()
        return Token(m.group())

    def string(self) -> str:
        self.i += 1
        out: list[str] = []
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c == "\\":
                nxt = self.s[self.i:self.i + 1]
                if nxt not in ('"', "\\"):
                    raise self.fail("bad escape in string")
                out.append(nxt)
                self.i += 1
            elif c == '"':
                return "".join(out)
            elif not (" " <= c <= "~"):
                raise self.fail("non-ASCII character in string")
            else:
                out.append(c)
        raise self.fail("unterminated string")

    def params(self) -> dict[str, BareItem]:
        out: dict[str, BareItem] = {}
        while self.peek() == ";":
            self.i += 1
            self.skip_sp()
            name = self.key()
            if name in out:
                raise self.fail(f"duplicate parameter {name}")
            value: BareItem = True
            if self.peek() == "=":
                self.i += 1
                value = self.bare_item()
            out[name] = value
        return out

    def item_or_inner_list(self) -> Item | InnerList:
        if self.peek() == "(":
            self.i += 1
            items: list[Item] = []
            while True:
                self.skip_sp()
                if self.peek() == ")":
                    self.i += 1
                    return InnerList(tuple(items), self.params())
                if not self.peek():
                    raise self.fail("unterminated inner list")
                items.append(Item(self.bare_item(), self.params()))
                if self.peek() not in (" ", ")"):
                    raise self.fail("bad inner list")
        return Item(self.bare_item(), self.params())


def parse_dictionary(text: str) -> dict[str, Item | InnerList]:
    """Parse a Dictionary field value (``label=value, …``)."""
    p = _Parser(text.strip(" \t"))
    out: dict[str, Item | InnerList] = {}
    while p.peek():
        name = p.key()
        if p.peek() == "=":
            p.i += 1
            member = p.item_or_inner_list()
        else:
            member = Item(True, p.params())
        out[name] = member
        p.skip_ows()
        if not p.peek():
            break
        if p.peek() != ",":
            raise p.fail("expected comma")
        p.i += 1
        p.skip_ows()
        if not p.peek():
            raise p.fail("trailing comma")
    return out


def serialize_item(value: BareItem) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    if isinstance(value, Token):
        return str(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def serialize_params(params: dict[str, BareItem]) -> str:
    out = []
    for name, value in params.items():
        out.append(f";{name}" if value is True else f";{name}={serialize_item(value)}")
    return "".join(out)


def serialize_inner_list(inner: InnerList) -> str:
    body = " ".join(serialize_item(i.value) + serialize_params(i.params) for i in inner.items)
    return f"({body}){serialize_params(inner.params)}"
