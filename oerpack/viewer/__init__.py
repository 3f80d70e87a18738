"""The teacher's viewer: the page model of a plan (``model``), CLDR dates and sizes
(``i18n``, the only Babel user), the build-time search index (``searchindex``, the only
snowballstemmer user) and rendering with Jinja2 (``render``, its only user)."""

from .render import (
    ASSETS_DIR,
    SEARCH_DATA,
    MediaInfo,
    cue_script_path,
    download_names,
    human_date,
    human_duration,
    place_downloads,
    render_home,
    render_readers,
    render_readme,
    render_viewer,
    script_json,
    templates_root,
    ui_strings,
    write_cue_scripts,
)

__all__ = [
    "ASSETS_DIR",
    "SEARCH_DATA",
    "MediaInfo",
    "cue_script_path",
    "download_names",
    "human_date",
    "human_duration",
    "place_downloads",
    "render_home",
    "render_readers",
    "render_readme",
    "render_viewer",
    "script_json",
    "templates_root",
    "ui_strings",
    "write_cue_scripts",
]
