"""The XSS corpus of the security tests, and structural checks (html.parser) that decide
whether a piece of HTML, or a whole page, still carries executable markup.

Each vector names where its shape comes from; only the vector itself is taken, written
here with our marker `1337` so a page can tell payload markup from its own."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

MARKER = "1337"


@dataclass(frozen=True)
class Vector:
    name: str
    payload: str
    source: str


V = Vector
CORPUS: tuple[Vector, ...] = (
    # --- script elements -------------------------------------------------------------------
    V("script", "<script>alert(1337)</script>", "OWASP XSS filter evasion: basic"),
    V("script-src", '<script src="https://1337.test/x.js"></script>', "OWASP: external src"),
    V("script-case", "<ScRiPt>alert(1337)</sCrIpT>", "OWASP: case-insensitive tag"),
    V("script-split", "<scr<script>ipt>alert(1337)</scr</script>ipt>",
      "OWASP: nested tags that reassemble after a naive strip"),
    V("script-unclosed", "<script>alert(1337)//", "OWASP: non-closed script"),
    V("script-slash", '<script/xss src="https://1337.test/x.js"></script>',
      "OWASP: non-alpha-non-digit after the tag name"),
    V("script-extra-lt", "<<script>alert(1337);//<</script>", "OWASP: extraneous open bracket"),
    # --- event handlers ----------------------------------------------------------------------
    V("img-onerror", "<img src=x onerror=alert(1337)>", "OWASP: on-error image"),
    V("img-onerror-bt", "<img src=x onerror=`alert(1337)`>", "PortSwigger: backtick handler"),
    V("body-onload", "<body onload=alert(1337)>", "OWASP: body onload"),
    V("a-onmouseover", '<a href="https://ok.test/" onmouseover="alert(1337)">hover</a>',
      "OWASP: handler on an allowed tag"),
    V("p-onclick-slash", "<p/onclick=alert(1337)>click</p>", "PortSwigger: slash separator"),
    V("details-ontoggle", "<details open ontoggle=alert(1337)>", "PortSwigger: ontoggle"),
    V("input-autofocus", "<input autofocus onfocus=alert(1337)>", "PortSwigger: autofocus"),
    V("marquee", "<marquee onstart=alert(1337)>x</marquee>", "PortSwigger: marquee onstart"),
    V("video-source", "<video><source onerror=alert(1337)></video>", "PortSwigger: media"),
    V("handler-entity", '<a href="https://ok.test/" onclick="&#97;lert(1337)">x</a>',
      "OWASP: entity-encoded handler body"),
    V("span-class-handler", '<span class="h-card" onclick="alert(1337)">x</span>',
      "Mastodon microformat span with a handler (allowed tag and class)"),
    # --- javascript:/vbscript:/data: URLs ----------------------------------------------------
    V("js-href", '<a href="javascript:alert(1337)">x</a>', "OWASP: javascript: link"),
    V("js-upper", '<a href="JAVASCRIPT:alert(1337)">x</a>', "OWASP: case"),
    V("js-tab-entity", '<a href="jav&#x09;ascript:alert(1337)">x</a>',
      "OWASP: embedded encoded tab"),
    V("js-newline-entity", '<a href="jav&#x0A;ascript:alert(1337)">x</a>',
      "OWASP: embedded encoded newline"),
    V("js-raw-tab", '<a href="jav\tascript:alert(1337)">x</a>', "OWASP: embedded raw tab"),
    V("js-decimal", '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;'
      ':alert(1337)">x</a>', "OWASP: decimal HTML character references"),
    V("js-decimal-padded", '<a href="&#0000106&#0000097vascript:alert(1337)">x</a>',
      "OWASP: long decimal references without semicolons"),
    V("js-hex", '<a href="&#x6A;&#x61;vascript:alert(1337)">x</a>',
      "OWASP: hex references without semicolons"),
    V("js-leading-space", '<a href=" &#14;  javascript:alert(1337)">x</a>',
      "OWASP: spaces and meta characters before the scheme"),
    V("js-named-entity", '<a href="javascript&colon;alert(1337)">x</a>',
      "PortSwigger: HTML5 named entity &colon;"),
    V("js-unquoted", "<a href=javascript:alert(1337)>x</a>", "OWASP: unquoted attribute"),
    V("vbscript", '<a href="vbscript:msgbox(1337)">x</a>', "OWASP: vbscript (old IE)"),
    V("data-html", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMzM3KTwvc2NyaXB0Pg==">'
      "x</a>", "OWASP: data: URL"),
    V("data-upper", '<a href="DaTa:text/html,<script>alert(1337)</script>">x</a>',
      "PortSwigger: data: in mixed case"),
    V("iframe-js", '<iframe src="javascript:alert(1337)"></iframe>', "OWASP: iframe"),
    V("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1337)&lt;/script&gt;">',
      "PortSwigger: srcdoc with encoded markup"),
    V("form-action", '<form action="javascript:alert(1337)"><button>go</button></form>',
      "PortSwigger: form action"),
    V("button-formaction", '<button formaction="javascript:alert(1337)">go</button>',
      "PortSwigger: formaction"),
    V("object-data", '<object data="javascript:alert(1337)"></object>', "OWASP: object"),
    V("embed-src", '<embed src="data:image/svg+xml;base64,PHN2Zz4xMzM3PC9zdmc+">',
      "OWASP: embed with a data: SVG"),
    # --- svg and math --------------------------------------------------------------------------
    V("svg-onload", "<svg onload=alert(1337)>", "OWASP: svg onload"),
    V("svg-script", "<svg><script>alert(1337)</script></svg>", "PortSwigger: script in svg"),
    V("svg-animate", '<svg><a><animate attributeName="href" values="javascript:alert(1337)"/>'
      "<text>x</text></a></svg>", "PortSwigger: SVG animate of href"),
    V("svg-xlink", '<svg><a xlink:href="javascript:alert(1337)"><text>x</text></a></svg>',
      "PortSwigger: xlink:href"),
    V("math-href", '<math><mtext><a href="javascript:alert(1337)">x</a></mtext></math>',
      "PortSwigger: MathML link"),
    V("math-mxss", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1337)>",
      "mutation XSS through MathML/style namespace confusion (DOMPurify 2.0.x bypass)"),
    V("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1337)>">',
      "mutation XSS through noscript parsing differences"),
    # --- style -----------------------------------------------------------------------------------
    V("style-tag", "<style>@import 'https://1337.test/x.css';</style>", "OWASP: style import"),
    V("style-attr", '<p style="background:url(javascript:alert(1337))">x</p>',
      "OWASP: style attribute with url()"),
    V("style-expression", '<span style="width:expression(alert(1337))">x</span>',
      "OWASP: IE expression()"),
    V("link-stylesheet", '<link rel="stylesheet" href="https://1337.test/x.css">',
      "OWASP: remote stylesheet"),
    # --- document-level tags -------------------------------------------------------------------
    V("base-href", '<base href="https://1337.test/">', "OWASP: base tag hijacking"),
    V("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1337)">',
      "OWASP: meta refresh"),
    # --- entity and encoding tricks ------------------------------------------------------------
    V("escaped-script", "&lt;script&gt;alert(1337)&lt;/script&gt;",
      "double-decoding: escaped markup must stay text"),
    V("double-escaped", "&amp;lt;script&amp;gt;alert(1337)&amp;lt;/script&amp;gt;",
      "double-decoding: twice-escaped markup"),
    V("attr-breakout", '<a href="https://ok.test/" title="x" onmouseover=alert(1337)//">x</a>',
      "PortSwigger: breaking out of a quoted attribute"),
    V("comment-breakout", "<!--<img src=x onerror=alert(1337)>-->",
      "comment content that would run if the comment were unwrapped"),
    V("cdata", "<![CDATA[<script>alert(1337)</script>]]>", "CDATA in HTML content"),
    V("heading-attr", '<h1 onclick="alert(1337)">t</h1><a href="https://ok.test/<h1>">x</a>',
      "our heading rewrite must not follow attributes into a tag"),
    # --- fediverse incidents ---------------------------------------------------------------------
    V("mastodon-class", '<a class="mention u-url" href="javascript:alert(1337)">@x</a>',
      "Mastodon: allowed microformat classes on a hostile link"),
    V("mastodon-ruby", "<ruby>x<rp>(</rp><rt><img src=x onerror=alert(1337)></rt></ruby>",
      "Mastodon 4.x allowed ruby markup (CVE-2023-36460 era reviews of rendering)"),
    V("misskey-mfm", "$[x2 <img src=x onerror=alert(1337)>] $[url javascript:alert(1337)]",
      "Misskey MFM functions wrapping raw markup"),
    V("misskey-mfm-link", "?[click](javascript:alert(1337))", "Misskey MFM silent link"),
    # --- Markdown (local authors) ---------------------------------------------------------------
    V("md-link", "[click](javascript:alert(1337))", "Markdown: javascript: link"),
    V("md-link-entity", "[click](jav&#x09;ascript:alert(1337))", "Markdown: entity in link"),
    V("md-link-upper", "[click](JaVaScRiPt:alert(1337))", "Markdown: case"),
    V("md-autolink", "<javascript:alert(1337)>", "Markdown: autolink"),
    V("md-image", "![x](data:image/svg+xml;base64,PHN2Zz4xMzM3PC9zdmc+)",
      "Markdown: data: image"),
    V("md-image-onerror", '![x" onerror="alert(1337)](https://ok.test/x.png)',
      "Markdown: quote in alt text"),
    V("md-ref-link", "[x][r]\n\n[r]: javascript:alert(1337)", "Markdown: reference link"),
    V("md-title-breakout", '[x](https://ok.test/ "a\\" onmouseover=\\"alert(1337))',
      "Markdown: title attribute breakout"),
    V("md-raw-html", "<script>alert(1337)</script>\n\n<div onclick=alert(1337)>x</div>",
      "Markdown: raw HTML block"),
)

#: One string with every vector, for fields long enough to hold it.
ALL = "\n\n".join(v.payload for v in CORPUS)
#: The vectors that matter most, short enough for names and labels (under 300 characters).
SHORT = ("<script>alert(1337)</script><img src=x onerror=alert(1337)><svg onload=alert(1337)>"
         '<a href="jav&#x09;ascript:alert(1337)">j</a><style>*{x:url(//1337.test)}</style>'
         '<iframe src="javascript:alert(1337)">"\'><b onclick=alert(1337)>')

#: Mastodon's allow-list as content.html applies it (headings become bold paragraphs).
ALLOWED_TAGS = {"p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b",
                "strong", "u", "i", "em", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel", "target", "class"}, "span": {"class"},
                      "ol": {"start", "reversed"}, "li": {"value"}}
SAFE_SCHEMES = ("http:", "https:", "mailto:")
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster",
                  "background", "ping", "lowsrc", "dynsrc", "codebase", "cite", "srcset"}
#: Elements that must never come from user or peer input.
FORBIDDEN_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed",
                  "applet", "form", "base", "meta", "link", "svg", "math", "img", "video",
                  "audio", "source", "details", "marquee", "input", "button", "textarea",
                  "select", "noscript", "template", "animate", "set", "body", "html", "head",
                  "title", "xmp", "plaintext", "noembed", "portal"}


def url_scheme(value: str) -> str:
    """The scheme a browser would use for an attribute value (already entity-decoded by the
    parser): leading C0 controls and spaces stripped, tabs and newlines removed, lower case."""
    cleaned = value.lstrip("".join(chr(c) for c in range(0x21)))
    cleaned = "".join(ch for ch in cleaned if ch not in "\t\n\r").lower()
    head, sep, _rest = cleaned.partition(":")
    if not sep or any(ch in head for ch in "/?#"):
        return ""  # a relative URL
    return head + ":"


@dataclass(frozen=True)
class Element:
    tag: str
    attrs: tuple[tuple[str, str], ...]
    parents: tuple[str, ...]
    text: str  # the raw text inside script/style, or direct text otherwise


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[tuple[str, int]] = []
        self.texts: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, tuple((k, v or "") for k, v in attrs),
                                     tuple(t for t, _ in self.stack), ""))
        self.texts.append([])
        self.stack.append((tag, len(self.elements) - 1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                for _ in range(len(self.stack) - depth):
                    _name, index = self.stack.pop()
                    element = self.elements[index]
                    self.elements[index] = Element(element.tag, element.attrs, element.parents,
                                                   "".join(self.texts[index]))
                return

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.texts[self.stack[-1][1]].append(data)


def elements_of(html: str) -> list[Element]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    while collector.stack:  # unclosed elements keep the text seen so far
        collector.handle_endtag(collector.stack[-1][0])
    return collector.elements


def fragment_problems(html: str) -> list[str]:
    """What is wrong with sanitizer output: any element or attribute outside Mastodon's
    allow-list, a link with an unsafe scheme, or a link without rel/target."""
    problems: list[str] = []
    for el in elements_of(html):
        if el.tag not in ALLOWED_TAGS:
            problems.append(f"element <{el.tag}>")
        for name, value in el.attrs:
            if name not in ALLOWED_ATTRIBUTES.get(el.tag, set()):
                problems.append(f"attribute {name}={value!r} on <{el.tag}>")
        if el.tag == "a":
            attrs = dict(el.attrs)
            if "href" in attrs and url_scheme(attrs["href"]) not in ("", *SAFE_SCHEMES):
                problems.append(f"link to {attrs['href']!r}")
            if set(attrs.get("rel", "").split()) != {"nofollow", "noopener", "noreferrer"}:
                problems.append(f"link without rel: {attrs}")
            if attrs.get("target") != "_blank":
                problems.append(f"link without target _blank: {attrs}")
    return problems


def page_problems(html: str) -> list[str]:
    """Executable markup in a whole page: any on* handler or style attribute (our pages
    have none: CSP), any URL attribute with an unsafe scheme, a refresh meta, and any
    forbidden element that carries the payload's marker in its attributes or text."""
    problems: list[str] = []
    for el in elements_of(html):
        for name, value in el.attrs:
            if name.startswith("on"):
                problems.append(f"handler {name}={value!r} on <{el.tag}>")
            elif name in ("style", "srcdoc"):
                problems.append(f"{name}={value!r} on <{el.tag}>")
            elif name in URL_ATTRIBUTES and url_scheme(value) in UNSAFE_SCHEMES:
                problems.append(f"{name}={value!r} on <{el.tag}>")
        if el.tag == "meta" and dict(el.attrs).get("http-equiv", "").lower() == "refresh":
            problems.append("meta refresh")
        # Text inside script/style is code; elsewhere it is only text and harmless.
        carried = any(MARKER in v for _, v in el.attrs) or (
            el.tag in ("script", "style") and MARKER in el.text)
        if carried and el.tag in FORBIDDEN_TAGS and not _our_control(el):
            problems.append(f"<{el.tag} {dict(el.attrs)}> carrying the payload")
    return problems


def _our_control(el: Element) -> bool:
    """A form control of our own pages holding the payload as an escaped value or label
    (the payload itself never brings these attributes alone)."""
    attrs = dict(el.attrs)
    if el.tag == "link":  # our feed links in <head>: the payload only in the escaped title
        return (attrs.get("rel") == "alternate" and MARKER not in attrs.get("href", "")
                and set(attrs) <= {"rel", "type", "title", "href"})
    if el.tag == "img":  # our cover images: the payload may only be the escaped alt text
        return MARKER not in attrs.get("src", "") and set(attrs) <= {
            "src", "alt", "width", "height", "class", "loading", "decoding"}
    return el.tag in ("input", "button", "textarea", "option") and set(attrs) <= {
        "type", "name", "id", "value", "maxlength", "required", "aria-describedby",
        "autocomplete", "size", "aria-invalid", "placeholder", "spellcheck", "class",
        "checked", "disabled", "aria-label", "title", "rows", "selected"}
