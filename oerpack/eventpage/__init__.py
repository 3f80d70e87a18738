"""The event page: its links (HTML), the page model read from them, resolving manifest
sources against it, and drafting a manifest from it."""
