"""``python -m oerpack``: the same as the ``oerpack`` command."""

from .cli import main

if __name__ == "__main__":
    main()
