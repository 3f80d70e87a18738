"""``python -m oerpack.cli``."""

from . import main

main()
