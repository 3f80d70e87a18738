"""Read an event page's HTML into lines of text with their links (the only BeautifulSoup user).

The page is flattened into ``Block``s in document order: headings, paragraphs and list
entries, split at ``<br>``, each with its text, the text before its first link and its
links as absolute URLs. Everything that decides what a block *means* lives in ``pagemodel``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.element import Comment, NavigableString, Tag

from ..platforms import unarchived_recording
from .phrases import is_furniture

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
#: Elements nested deeper than this are read flat (text and links, without recursion): old
#: pages with hundreds of unclosed <font><b> would otherwise exhaust Python's stack.
MAX_NESTING = 100
# Page furniture that never holds event material.
SKIPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "form",
        "button",
        "select",
        "iframe",
        "svg",
        "head",
        "aside",
    }
)
INLINE = frozenset(
    {
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "font",
        "sup",
        "sub",
        "small",
        "big",
        "mark",
        "abbr",
        "cite",
        "code",
        "s",
        "q",
        "time",
        "bdi",
        "bdo",
        "label",
        "wbr",
        "img",
    }
)
_SPACE = re.compile(r"\s+")
# Words of a heading are joined with spaces (``Web<br>Standards``), which also puts one
# before punctuation that followed an inline element (``<code>x</code>?``): remove those.
_NO_SPACE_BEFORE = re.compile(r"\s+([?!.,:;)\]»”])")
# Containers that hold a site's furniture on pages without <header>/<nav>/<footer>: their
# class or id (one whole token) or their ARIA role says so.
FURNITURE_BOXES = frozenset(
    {
        "header",
        "footer",
        "site-header",
        "site-footer",
        "region-header",
        "region-footer",
        "breadcrumb",
        "breadcrumbs",
        "region-breadcrumb",
        "navbar",
        "menu",
        "main-menu",
        "sidebar",
        "region-sidebar-first",
        "region-sidebar-second",
        "share",
        "social",
        "addtoany",
        "cookie-banner",
    }
)
FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})


@dataclass(frozen=True, slots=True)
class PageLink:
    """A link as the page shows it: absolute ``url`` and the visible ``text``."""

    url: str
    text: str


@dataclass(frozen=True, slots=True)
class Block:
    """One line of the page.

    ``kind`` is ``heading`` (with ``level``) or ``text``; ``depth`` is how deeply it sits
    in lists (0 outside any); ``number`` its position in an ordered list, for the first line
    of a list entry; ``prefix`` the text before its first link. ``box`` numbers the element
    the line sits in (lines split by ``<br>`` share it) and ``row`` the table row, if any.
    """

    kind: str
    text: str
    prefix: str
    links: tuple[PageLink, ...] = ()
    level: int = 0
    depth: int = 0
    number: int | None = None
    anchors: tuple[str, ...] = ()  # texts of links within the page (``href="#…"``)
    box: int = 0
    row: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedPage:
    url: str
    title: str
    lang: str | None
    blocks: tuple[Block, ...]


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


@dataclass
class _Line:
    parts: list[str] = field(default_factory=list)
    links: list[PageLink] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    prefix: str | None = None


class _Walker:
    """Turns the element tree into blocks; one instance per page."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.line = _Line()
        self.depth = 0
        self.number: int | None = None
        self.nesting = 0
        self.box = self.boxes = 0
        self.row: int | None = None
        self.rows = 0

    def flush(self) -> None:
        text = normalise_space("".join(self.line.parts))
        if text:
            prefix = self.line.prefix if self.line.prefix is not None else text
            self.blocks.append(
                Block(
                    kind="text",
                    text=text,
                    prefix=normalise_space(prefix),
                    links=tuple(self.line.links),
                    depth=self.depth,
                    number=self.number,
                    anchors=tuple(self.line.anchors),
                    box=self.box,
                    row=self.row,
                )
            )
            self.number = None
        self.line = _Line()

    def walk(self, node: Tag) -> None:
        if self.nesting >= MAX_NESTING:
            self.flat(node)
            return
        self.nesting += 1
        try:
            for child in node.children:
                if isinstance(child, Comment):
                    continue
                if isinstance(child, NavigableString):
                    self.line.parts.append(str(child))
                elif isinstance(child, Tag):
                    self.element(child)
        finally:
            self.nesting -= 1

    def flat(self, node: Tag) -> None:
        """Everything below ``node`` as text and links, iteratively: a block element (or a
        ``<br>``) starts a new line."""
        handled: set[int] = set()  # strings inside links and skipped elements
        for piece in node.descendants:
            if id(piece) in handled:
                continue
            if isinstance(piece, Tag):
                name = piece.name.lower()
                if name in SKIPPED or name == "a":
                    handled.update(id(inner) for inner in piece.descendants)
                if name == "a":
                    self.link(piece)
                elif name not in INLINE and name not in SKIPPED:
                    self.flush()
            elif isinstance(piece, NavigableString) and not isinstance(piece, Comment):
                self.line.parts.append(str(piece))

    def element(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name in SKIPPED or _is_furniture_box(tag):
            return
        if name == "br":
            self.flush()
        elif name == "a":
            self.link(tag)
        elif name in HEADINGS:
            self.flush()
            text = _NO_SPACE_BEFORE.sub(r"\1", normalise_space(tag.get_text(" ")))
            if text:
                self.blocks.append(
                    Block(
                        kind="heading",
                        text=text,
                        prefix=text,
                        level=HEADINGS[name],
                        depth=self.depth,
                    )
                )
        elif name in ("ul", "ol"):
            self.flush()
            self.list(tag, ordered=name == "ol")
        elif name in INLINE:
            self.walk(tag)
        else:  # p, div, li outside a list, td, section, …: a block of its own
            self.flush()
            outer = self.box, self.row
            self.boxes += 1
            self.box = self.boxes
            if name == "tr":
                self.rows += 1
                self.row = self.rows
            self.walk(tag)
            self.flush()
            self.box, self.row = outer

    def link(self, tag: Tag) -> None:
        text = normalise_space(tag.get_text(" "))
        href = tag.get("href")
        self.line.parts.append(tag.get_text(" "))
        if not isinstance(href, str) or not text:
            return
        if href.strip().startswith("#"):  # a place on this page: a speaker's card, a section
            self.line.anchors.append(text)
            return
        url = unarchived_recording(urljoin(self.base_url, href.strip()))
        if urlsplit(url).scheme not in ("http", "https"):
            return
        if self.line.prefix is None:
            self.line.prefix = "".join(self.line.parts[:-1])
        self.line.links.append(PageLink(url=url.split("#", 1)[0], text=text))

    def list(self, tag: Tag, *, ordered: bool) -> None:
        outer_number = self.number
        self.depth += 1
        for position, child in enumerate(tag.find_all("li", recursive=False), start=1):
            self.number = position if ordered else None
            outer = self.box
            self.boxes += 1
            self.box = self.boxes
            self.walk(child)
            self.flush()
            self.box = outer
        self.depth -= 1
        self.number = outer_number


def _is_furniture_box(tag: Tag) -> bool:
    if tag.name.lower() not in ("div", "ul", "ol", "section", "span"):
        return False
    classes = tag.get("class")
    names = list(classes) if isinstance(classes, list) else [str(classes or "")]
    tokens = {*names, str(tag.get("id") or "")}
    role = tag.get("role")
    return bool(FURNITURE_BOXES & {str(t).lower() for t in tokens}) or (
        isinstance(role, str) and role.lower() in FURNITURE_ROLES
    )


def _drop_furniture(soup: BeautifulSoup) -> None:
    """Remove back-to-top, share and print links, text included: they are not material and
    their words ("Наверх") would otherwise join a heading's text."""
    for anchor in soup.find_all("a"):
        href = anchor.get("href")
        if is_furniture(anchor.get_text(" "), href if isinstance(href, str) else ""):
            anchor.decompose()


def parse_page(content: bytes | str, url: str, *, encoding: str | None = None) -> ParsedPage:
    """The blocks of the HTML page ``content`` fetched from ``url``."""
    soup = BeautifulSoup(
        content, "html.parser", from_encoding=encoding if isinstance(content, bytes) else None
    )
    base = soup.find("base")
    base_href = base.get("href") if isinstance(base, Tag) else None
    walker = _Walker(urljoin(url, base_href) if isinstance(base_href, str) else url)
    title_tag = soup.find("title")
    title = normalise_space(title_tag.get_text(" ")) if isinstance(title_tag, Tag) else ""
    html = soup.find("html")
    lang = html.get("lang") if isinstance(html, Tag) else None
    _drop_furniture(soup)
    root = soup.find("body")
    walker.walk(root if isinstance(root, Tag) else soup)
    walker.flush()
    return ParsedPage(
        url=url,
        title=title,
        lang=lang.split("-")[0].lower() if isinstance(lang, str) and lang else None,
        blocks=tuple(walker.blocks),
    )
