"""The ``oerpack`` command: parse options, call the library, map errors to exit codes.

One module per group of commands (``sources``, ``packages``, ``pages``); ``common`` holds the
error handler, option groups and Settings; ``app`` the click group they register on.
"""

from . import packages, pages, sources  # noqa: F401  (each registers its commands on main)
from .app import main

__all__ = ["main"]
