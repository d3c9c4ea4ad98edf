"""The four numbers Windows shows as a program's version, from the app's PEP 440 version."""

from __future__ import annotations

import re

# Each of Windows' four version numbers is 16 bits.
WINDOWS_PART_MAX = 65535


def windows_version(version: str) -> tuple[int, int, int, int]:
    """``0.2.0rc1`` → ``(0, 2, 0, 0)``: the release numbers, padded or cut to four.

    Windows' file version holds numbers only: a pre-release (``rc1``), post-release
    (``.post2``), development (``.dev3``) or local (``+abc``) suffix is left out (the full text
    goes into the version strings beside it). ``build.spec`` runs this only on Windows; tests run it anywhere.
    """
    release = re.match(r"\d+(?:\.\d+)*", version.strip())
    numbers = [int(n) for n in release.group().split(".")] if release else []
    return tuple(min(n, WINDOWS_PART_MAX) for n in (numbers + [0, 0, 0, 0])[:4])
