"""An event page shaped like the vCASIE 2020 page (the seed text), linking to test files.

The text is the seed's; only the markup is ours, and it mixes the forms real pages use
(ordered lists with a nested list, numbered paragraphs, links split by ``<br>``, brackets
around link labels, one bracket missing as on the real page). Each link points at
``paths[key]`` where ``key`` is the manifest's source key (``item-id.lang``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

OVERVIEW = (
    "Overview of Central Asian countries’ experiences and responses to COVID-19, "
    "particularly in supporting teachers and students in rural/remote areas"
)

# (item id, text before the links as the page prints it)
WEBINAR_1 = [
    ("kazakhstan-response", "Republic of Kazakhstan"),
    ("kyrgyzstan-response", "Kyrgyz Republic"),
    ("tajikistan-response", "Republic of Tajikistan"),
    ("uzbekistan-response", "Republic of Uzbekistan"),
    (
        "keris-partnership",
        "Inter-government partnership to support national ICT in Education "
        "development in Central Asia (Mr Jaewon Cho, Programme Officer, KERIS)",
    ),
    (
        "korea-teacher-support",
        "Systematic teacher support & public-private partnerships for "
        "underprivileged students in Republic of Korea (Dr Sanghyun Jang, Director, Higher "
        "Education, Academic Research, International Cooperation Department, KERIS to present on "
        "behalf of the Korean Ministry of Education)",
    ),
]
WEBINAR_2 = [
    (
        "digcomp",
        "Addressing digital competence challenges through DigComp and related European "
        "digital competence frameworks and tools (Mr Alessandro Brolpito, Senior Specialist in "
        "Digital Skills and Learning, European Training Foundation)",
    ),
    (
        "samsung-kazakhstan",
        "Digital education to enable young potential in Kazakhstan "
        "(Ms Ji-Hyun Yoon, Samsung Electronics)",
    ),
    (
        "dvv-rural-skills",
        "Skills development programme for rural populations in Kyrgyzstan, "
        "Tajikistan and Uzbekistan (Ms Dr. Thekla Kelbert, DVV International Regional Director "
        "for Central Asia)",
    ),
]
WEBINAR_3 = [
    (
        "keris-oer-ecosystem",
        "Open, Easy, Resourceful (OER) Distance Learning Ecosystem for "
        "Korea’s Higher Education in light of COVID-19 (Ms. Hyojae Choi, Senior Researcher, KERIS "
        "and Mr. Hwansun Yoon, Assistant Program Specialist, KERIS)",
    ),
    (
        "inruled-oer-oep",
        "The application Of OER and OEP to ensure inclusive education: "
        "Achievements and visions of INRULED (Dr. Ahmed Tlili, Co-Director of the OER Lab, Smart "
        "Learning Institute, Beijing Normal University, UNESCO International Research and Training "
        "Centre for Rural Education (UNESCO INRULED), China)",
    ),
    (
        "bilim-media",
        "Digital solutions and e-resources for rural schools in Kazakhstan "
        "(Mr. Sanzhar Kenzhekhanuly, Executive Director, Bilim Media Group, Kazakhstan)",
    ),
    (
        "e-estonia",
        "e-Education in Estonia (Mr. Florian Marcus, Digital Transformation Adviser, "
        "e-Estonia Briefing Centre)",
    ),
]
ITEM_IDS = (
    "concept-note",
    *[i for i, _ in WEBINAR_1],
    "webinar-1-recordings",
    *[i for i, _ in WEBINAR_2],
    "webinar-2-recordings",
    *[i for i, _ in WEBINAR_3],
    "webinar-3-recordings",
)
SOURCE_KEYS = tuple(f"{item}.{lang}" for item in ITEM_IDS for lang in ("en", "ru"))


def default_paths() -> dict[str, str]:
    """Source key → the path its file is served at (recordings are videos)."""
    return {
        key: f"/files/{key.replace('.', '-')}.{'mp4' if 'recordings' in key else 'pdf'}"
        for key in SOURCE_KEYS
    }


def _a(base: str, path: str, label: str) -> str:
    href = path if path.startswith(("http://", "https://")) else base + path
    return f'<a href="{escape(href)}">{escape(label)}</a>'


def _eng_rus(
    base: str,
    paths: Mapping[str, str],
    item: str,
    *,
    tight: bool = False,
    missing_bracket: bool = False,
) -> str:
    sep = "," if tight else ", "
    close = "" if missing_bracket else ")"
    return (
        f"({_a(base, paths[item + '.en'], 'Eng')}){sep}"
        f"({_a(base, paths[item + '.ru'], 'Rus')}{close}"
    )


def _intro(base: str, paths: Mapping[str, str]) -> str:
    return f"""
<h1>(Virtual) Central Asia Symposium on ICT in Education (vCASIE) 2020</h1>
<p><em>ICT-enabled skills development in rural and remote areas impacted by COVID-19 in
Central Asia and beyond</em></p>
<p><strong>When:</strong> Webinar #1 on 25 September; Webinar #2 on 7 October; Webinar #3 on
23 October 2020<br><strong>Type of event:</strong> Webinar (open to public)<br>
<strong>Languages:</strong> English and Russian (with simultaneous translation)</p>
<p>Since 2011, UNESCO has organized the Central Asia Symposium on ICT in Education (CASIE).</p>
<p>In response to such challenges, vCASIE comprised a series of three webinars:</p>
<ul><li>Webinar 1 (25 September 2020): ICT-enabled distance education opportunities;</li>
<li>Webinar 2 (7 October 2020): Open and distance education;</li>
<li>Webinar 3 (23 October 2020): Relevant educational content and OER.</li></ul>
<p>Contact: <a href="mailto:ict.bgk@unesco.org">ict.bgk@unesco.org</a>;
m.alpysbayeva@unesco.org; uil-lbs@unesco.org</p>
<p><strong>Key Documents &amp; Presentations:</strong></p>
<p>{_a(base, paths["concept-note.en"], "Concept Note and Programme (English)")}<br>
{_a(base, paths["concept-note.ru"], "Concept Note and Programme (Russian)")}</p>
"""


def _webinar_1(base: str, paths: Mapping[str, str]) -> str:
    countries = "".join(
        f"<li>{escape(text)}  {_eng_rus(base, paths, item)}</li>" for item, text in WEBINAR_1[:4]
    )
    talks = "".join(
        f"<li>{escape(text)} {_eng_rus(base, paths, item)}</li>" for item, text in WEBINAR_1[4:]
    )
    return f"""
<h2>Webinar 1: ICT-enabled Distance Education Opportunities for Students and Teachers in light
of COVID-19 (UNESCO Bangkok)</h2>
<p>25 September 2020; 11:00 am-12:30 pm Almaty time</p>
<p>The first webinar of vCASIE examined the impact of COVID-19 on rural and remote areas.</p>
<ol><li>{escape(OVERVIEW)} <ul>{countries}</ul></li>{talks}</ol>
<p>Webinar 1 Recordings: {_eng_rus(base, paths, "webinar-1-recordings", tight=True)}</p>
"""


def _webinar_2(base: str, paths: Mapping[str, str]) -> str:
    talks = "".join(
        f"<p>{n}. {escape(text)} {_eng_rus(base, paths, item)}</p>"
        for n, (item, text) in enumerate(WEBINAR_2, start=1)
    )
    recordings = _eng_rus(base, paths, "webinar-2-recordings", missing_bracket=True)
    return f"""
<h2>Webinar 2: Open and Distance Education to Promote Learning and Skills Development
throughout Life (UNESCO Institute for Lifelong Learning) </h2>
<p>7 October 2020; 15:00 pm -16:45 pm Almaty time</p>
<p>Webinar 2 focused on promoting lifelong learning and skills development.</p>
{talks}
<p>Webinar 2 Recordings: {recordings}</p>
"""


def _webinar_3(base: str, paths: Mapping[str, str], extra: Sequence[tuple[str, str, str]]) -> str:
    talks = "".join(
        f"<li>{escape(text)} {_eng_rus(base, paths, item)}</li>" for item, text in WEBINAR_3
    )
    talks += "".join(
        f"<li>{escape(text)} ({_a(base, path, label)})</li>" for text, label, path in extra
    )
    return f"""
<h2>Webinar 3: Quality OER contents for skills development (UNESCO Almaty)</h2>
<p>23 October 2020; 11:00 am-12:30 pm Almaty time</p>
<p>Webinar 3 looked into the use, relevance and importance of open educational resources.</p>
<ol>{talks}</ol>
<p>Webinar 3 Recordings: {_eng_rus(base, paths, "webinar-3-recordings", tight=True)}</p>
"""


def drupal_paths(platform: str = "https://www.youtube.com") -> dict[str, str]:
    """Source key → where a Drupal site keeps it: documents under /sites/default/files/…,
    recordings as pages of a video platform (absolute addresses)."""
    return {
        key: (
            f"{platform}/watch?v=vcasie{n:05d}"
            if "recordings" in key
            else f"/sites/default/files/2020-10/{key.replace('.', '_')}.pdf"
        )
        for n, key in enumerate(SOURCE_KEYS)
    }


def vcasie_drupal_page(base: str, paths: Mapping[str, str] | None = None) -> str:
    """The same content in a Drupal node's markup, as bangkok.unesco.org/content/… pages
    are: breadcrumb, share and print links, the body field, back-to-top links."""
    paths = paths or drupal_paths()
    body = (
        _intro(base, paths)
        + _webinar_1(base, paths)
        + _webinar_2(base, paths)
        + _webinar_3(base, paths, ())
    )
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr"><head><meta charset="utf-8">
<title>(Virtual) Central Asia Symposium on ICT in Education (vCASIE) 2020 | UNESCO Bangkok</title>
</head>
<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas"><header role="banner">
<a href="{base}/" rel="home">UNESCO Bangkok</a></header>
<div class="region region-breadcrumb"><ol class="breadcrumb"><li><a href="{base}/">Home</a></li>
<li><a href="{base}/events">Events</a></li></ol></div>
<main role="main"><a id="main-content" tabindex="-1"></a>
<article role="article" class="node node--type-article node--view-mode-full">
<div class="addtoany"><a href="https://www.addtoany.com/share#url={base}/content/vcasie">Share</a>
<a href="{base}/print/node/4521">Print</a></div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary">
{body}
<p><a href="#main-content">Back to top</a></p>
</div></article></main>
<footer role="contentinfo"><a href="{base}/sites/default/files/terms.pdf">Terms</a></footer>
</div></body></html>
"""


def vcasie_page(
    base: str, paths: Mapping[str, str] | None = None, *, extra: Sequence[tuple[str, str, str]] = ()
) -> str:
    """The page's HTML; links are ``base + paths[key]``. ``extra`` adds talks to webinar 3
    as ``(text before the link, link label, path)``."""
    paths = paths or default_paths()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>vCASIE 2020 | UNESCO</title>
<script>var links = ["<a href='/x.pdf'>Eng</a>"];</script></head>
<body><header><nav><a href="{base}/">Home</a> <a href="{base}/events">Events</a>
<a href="{base}/files/annual-report.pdf">Annual report</a></nav></header>
<main>{_intro(base, paths)}{_webinar_1(base, paths)}{_webinar_2(base, paths)}
{_webinar_3(base, paths, extra)}</main>
<footer><a href="{base}/privacy">Privacy</a> <a href="{base}/files/terms.pdf">Terms</a></footer>
</body></html>
"""


def vcasie_text(pages: list[str] | None) -> str:
    """manifests/vcasie-2020.yaml with its event.pages replaced by ``pages`` (or removed)."""
    manifest = Path(__file__).resolve().parents[2] / "manifests" / "vcasie-2020.yaml"
    text = re.sub(r"\n  pages:\n(?:    - .*\n)+", "\n", manifest.read_text(encoding="utf-8"))
    assert "\n  pages:" not in text
    if pages is None:
        return text
    line = "  pages: [" + ", ".join(json.dumps(p) for p in pages) + "]\n"
    return text.replace("  id: vcasie-2020\n", "  id: vcasie-2020\n" + line, 1)
