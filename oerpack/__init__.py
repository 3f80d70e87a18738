"""oerpack: package open educational resources for schools without internet."""

__version__ = "0.1.0"
