"""Kolibri's content schema 5 as SQL DDL, and the vocabulary (kinds, presets, labels) we use.

Kolibri matches a channel database to a schema by checking that every table and every column
of that schema exists, so each column below must be present even where oerpack leaves it NULL.
"""

from __future__ import annotations

CONTENT_SCHEMA_VERSION = "5"

#: Node kinds and the preset of their main file, by file extension Kolibri can render.
KIND_BY_EXT = {
    "pdf": "document",
    "epub": "document",
    "mp4": "video",
    "webm": "video",
    "mp3": "audio",
}
PRESET_BY_EXT = {
    "pdf": "document",
    "epub": "epub",
    "mp4": "high_res_video",
    "webm": "high_res_video",
    "mp3": "audio",
}
TOPIC = "topic"

#: Supplementary presets oerpack writes: the node kind each belongs to and the extensions
#: Kolibri plays for it (the video player's poster only takes PNG or JPEG; tracks are VTT).
SUPPLEMENTARY_PRESETS = {
    "document_thumbnail": "document",
    "video_thumbnail": "video",
    "audio_thumbnail": "audio",
    "video_subtitle": "video",
}
EXTS_BY_PRESET = {
    "document_thumbnail": ("png", "jpg", "jpeg"),
    "video_thumbnail": ("png", "jpg", "jpeg"),
    "audio_thumbnail": ("png", "jpg", "jpeg"),
    "video_subtitle": ("vtt",),
}

#: le_utils learning-activity keys (comma-separated in ``learning_activities``).
LEARNING_ACTIVITY = {"document": "wA01urpi", "video": "UD5UGM0z", "audio": "mkA1R3NU"}

#: Licence names Kolibri knows, from the SPDX-like text a manifest carries.
LICENSES = {
    "cc by": "CC BY",
    "cc by-sa": "CC BY-SA",
    "cc by-nd": "CC BY-ND",
    "cc by-nc": "CC BY-NC",
    "cc by-nc-sa": "CC BY-NC-SA",
    "cc by-nc-nd": "CC BY-NC-ND",
    "all rights reserved": "All Rights Reserved",
    "public domain": "Public Domain",
    "cc0": "Public Domain",
}
SPECIAL_PERMISSIONS = "Special Permissions"

#: Native names for the languages of the events oerpack packages; others show their code.
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "kk": "Қазақ тілі",
    "ky": "Кыргызча",
    "uz": "O\u02bbzbekcha",
    "tg": "Тоҷикӣ",
    "tk": "Türkmençe",
    "fr": "Français",
    "es": "Español",
    "de": "Deutsch",
    "zh": "中文",
    "ar": "العربية",
    "fa": "فارسی",
    "he": "עברית",
    "ur": "اردو",
    "mn": "Монгол",
}
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "sd", "ug"})

TABLES = (
    "content_assessmentmetadata",
    "content_channelmetadata",
    "content_contentnode",
    "content_contentnode_has_prerequisite",
    "content_contentnode_related",
    "content_contentnode_tags",
    "content_contenttag",
    "content_file",
    "content_language",
    "content_localfile",
)

DDL = """
CREATE TABLE content_contenttag (
    id char(32) NOT NULL PRIMARY KEY,
    tag_name varchar(30) NOT NULL
);
CREATE TABLE content_language (
    id varchar(14) NOT NULL PRIMARY KEY,
    lang_code varchar(3) NOT NULL,
    lang_subcode varchar(10) NULL,
    lang_name varchar(100) NULL,
    lang_direction varchar(3) NOT NULL
);
CREATE INDEX content_language_lang_code ON content_language (lang_code);
CREATE INDEX content_language_lang_subcode ON content_language (lang_subcode);
CREATE TABLE content_localfile (
    id varchar(32) NOT NULL PRIMARY KEY,
    extension varchar(40) NOT NULL,
    available bool NOT NULL,
    file_size integer NULL
);
CREATE TABLE content_contentnode (
    id char(32) NOT NULL PRIMARY KEY,
    license_name varchar(50) NULL,
    license_description text NULL,
    title varchar(200) NOT NULL,
    coach_content bool NOT NULL,
    content_id char(32) NOT NULL,
    channel_id char(32) NOT NULL,
    description text NULL,
    sort_order real NULL,
    license_owner varchar(200) NOT NULL,
    author varchar(200) NOT NULL,
    kind varchar(200) NOT NULL,
    available bool NOT NULL,
    options text NULL,
    grade_levels text NULL,
    resource_types text NULL,
    learning_activities text NULL,
    accessibility_labels text NULL,
    categories text NULL,
    learner_needs text NULL,
    duration integer NULL,
    lft integer unsigned NOT NULL,
    rght integer unsigned NOT NULL,
    tree_id integer unsigned NOT NULL,
    level integer unsigned NOT NULL,
    lang_id varchar(14) NULL REFERENCES content_language (id),
    parent_id char(32) NULL REFERENCES content_contentnode (id)
);
CREATE INDEX content_contentnode_content_id ON content_contentnode (content_id);
CREATE INDEX content_contentnode_channel_id ON content_contentnode (channel_id);
CREATE INDEX content_contentnode_lft ON content_contentnode (lft);
CREATE INDEX content_contentnode_rght ON content_contentnode (rght);
CREATE INDEX content_contentnode_tree_id ON content_contentnode (tree_id);
CREATE INDEX content_contentnode_level ON content_contentnode (level);
CREATE INDEX content_contentnode_lang_id ON content_contentnode (lang_id);
CREATE INDEX content_contentnode_parent_id ON content_contentnode (parent_id);
CREATE TABLE content_assessmentmetadata (
    id char(32) NOT NULL PRIMARY KEY,
    assessment_item_ids text NOT NULL,
    number_of_assessments integer NOT NULL,
    mastery_model text NOT NULL,
    randomize bool NOT NULL,
    is_manipulable bool NOT NULL,
    contentnode_id char(32) NOT NULL REFERENCES content_contentnode (id)
);
CREATE TABLE content_channelmetadata (
    id char(32) NOT NULL PRIMARY KEY,
    name varchar(200) NOT NULL,
    description varchar(400) NOT NULL,
    tagline varchar(150) NULL,
    author varchar(400) NOT NULL,
    version integer NOT NULL,
    thumbnail text NOT NULL,
    last_updated varchar NULL,
    min_schema_version varchar(50) NOT NULL,
    root_id char(32) NOT NULL REFERENCES content_contentnode (id)
);
CREATE TABLE content_contentnode_has_prerequisite (
    id integer NOT NULL PRIMARY KEY,
    from_contentnode_id char(32) NOT NULL REFERENCES content_contentnode (id),
    to_contentnode_id char(32) NOT NULL REFERENCES content_contentnode (id)
);
CREATE TABLE content_contentnode_related (
    id integer NOT NULL PRIMARY KEY,
    from_contentnode_id char(32) NOT NULL REFERENCES content_contentnode (id),
    to_contentnode_id char(32) NOT NULL REFERENCES content_contentnode (id)
);
CREATE TABLE content_contentnode_tags (
    id integer NOT NULL PRIMARY KEY,
    contentnode_id char(32) NOT NULL REFERENCES content_contentnode (id),
    contenttag_id char(32) NOT NULL REFERENCES content_contenttag (id)
);
CREATE TABLE content_file (
    id char(32) NOT NULL PRIMARY KEY,
    preset varchar(150) NOT NULL,
    supplementary bool NOT NULL,
    thumbnail bool NOT NULL,
    priority integer NULL,
    contentnode_id char(32) NOT NULL REFERENCES content_contentnode (id),
    lang_id varchar(14) NULL REFERENCES content_language (id),
    local_file_id varchar(32) NOT NULL REFERENCES content_localfile (id)
);
CREATE INDEX content_file_priority ON content_file (priority);
CREATE INDEX content_file_contentnode_id ON content_file (contentnode_id);
CREATE INDEX content_file_lang_id ON content_file (lang_id);
CREATE INDEX content_file_local_file_id ON content_file (local_file_id);
"""
