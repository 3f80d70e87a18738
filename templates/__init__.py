"""The viewer's Jinja2 templates and static assets, installed as ``oerpack.templates``."""
