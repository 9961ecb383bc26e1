#!/usr/bin/env python
"""Django's command-line utility for Metascene."""

import os
import sys
from pathlib import Path

# The Django project lives in platform/metascene/. platform/ is a plain folder, not a package, so it never
# shadows the standard-library `platform` module; we put it on the import path instead.
sys.path.insert(1, str(Path(__file__).resolve().parent / "platform"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metascene.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
