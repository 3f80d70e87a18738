"""The viewer's search index, built at build time; the only snowballstemmer user.

The browser gets a ready inverted index (a classic script: ``file://`` forbids fetch), so
nothing is indexed on the reader's machine. Terms are whole words *and* their Snowball
stems (Russian for Cyrillic words, English for Latin ones); the viewer stems a query with
the same Snowball release compiled to JavaScript (``templates/static/snowball.js``) and
combines stem matches with prefix matches, because stems alone miss proper-noun forms
("Казахстана" stems to "казахста", "Казахстане" to "казахстан").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer

#: Field weights: a word in a title counts ten times a word in the document text.
WEIGHTS = {"title": 10, "meta": 8, "speakers": 6, "context": 5, "description": 3, "text": 1}
#: Fields from this weight up also index neighbouring word pairs (titles, kind, webinar).
PAIR_WEIGHT = 5
_WORD = re.compile(r"[0-9a-z\u00c0-\u024f\u0400-\u04ff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z\u00c0-\u024f]")


def fold(text: str) -> str:
    """Lower case with ё = е, exactly as viewer.js folds a query."""
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball's stem of a folded word: Russian for Cyrillic, English for Latin words; numbers
    and words under three letters stay as they are."""
    if len(word) < 3:
        return word
    if _CYRILLIC.search(word):
        return str(_stemmer("russian").stemWord(word))
    if _LATIN.search(word):
        return str(_stemmer("english").stemWord(word))
    return word


@dataclass(slots=True)
class _Terms:
    """term -> (item index -> weight) while building."""

    postings: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, item: int, texts: Iterable[str], weight: int) -> None:
        counts: dict[str, int] = {}
        for text in texts:
            previous = None
            for word in words(text):
                counts[word] = counts.get(word, 0) + 1
                root = stem(word)
                if root != word:
                    counts[root] = counts.get(root, 0) + 1
                if weight >= PAIR_WEIGHT and previous is not None:
                    # Neighbouring stems ("вебинар 2"): a query naming them together ranks
                    # this item above items that only have both words somewhere.
                    pair = f"{previous} {root}"
                    counts[pair] = counts.get(pair, 0) + 1
                previous = root
        for term, count in counts.items():
            score = weight * 10 + min(count, 9)
            slot = self.postings.setdefault(term, {})
            if slot.get(item, 0) < score:
                slot[item] = score


def build_index(docs: Sequence[Mapping[str, Sequence[str]]]) -> dict[str, list[object]]:
    """An inverted index over ``docs`` (one per item: field name -> texts, fields as in
    :data:`WEIGHTS`): ``terms`` sorted, ``postings[i]`` a flat ``[item, weight, ...]`` list
    for ``terms[i]``, where weight is ten times the best field's weight plus the term's count
    (at most 9) in that field."""
    table = _Terms()
    for number, doc in enumerate(docs):
        for name, texts in doc.items():
            table.add(number, texts, WEIGHTS[name])
    terms = sorted(table.postings)
    postings: list[object] = []
    for term in terms:
        flat: list[int] = []
        for item, weight in sorted(table.postings[term].items()):
            flat += (item, weight)
        postings.append(flat)
    return {"terms": list(terms), "postings": postings}
