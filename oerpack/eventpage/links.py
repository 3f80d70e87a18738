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

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
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
    of a list entry; ``prefix`` the text before its first link.
    """

    kind: str
    text: str
    prefix: str
    links: tuple[PageLink, ...] = ()
    level: int = 0
    depth: int = 0
    number: int | None = None


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
    prefix: str | None = None


class _Walker:
    """Turns the element tree into blocks; one instance per page."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.line = _Line()
        self.depth = 0
        self.number: int | None = None

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
                )
            )
            self.number = None
        self.line = _Line()

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.line.parts.append(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name in SKIPPED:
            return
        if name == "br":
            self.flush()
        elif name == "a":
            self.link(tag)
        elif name in HEADINGS:
            self.flush()
            text = normalise_space(tag.get_text(" "))
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
            self.walk(tag)
            self.flush()

    def link(self, tag: Tag) -> None:
        text = normalise_space(tag.get_text(" "))
        href = tag.get("href")
        self.line.parts.append(tag.get_text(" "))
        if not isinstance(href, str) or not text:
            return
        url = urljoin(self.base_url, href.strip())
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
            self.walk(child)
            self.flush()
        self.depth -= 1
        self.number = outer_number


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
    root = soup.find("body")
    walker.walk(root if isinstance(root, Tag) else soup)
    walker.flush()
    return ParsedPage(
        url=url,
        title=title,
        lang=lang.split("-")[0].lower() if isinstance(lang, str) and lang else None,
        blocks=tuple(walker.blocks),
    )
