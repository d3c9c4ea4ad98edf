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


def dependency_versions(root: str = "digitapp") -> list[tuple[str, str]]:
    """(name, version) of ``root`` and of every package it needs to run, sorted by name.

    In a frozen build these are the packages bundled with it, at the lock file's versions
    (build.spec copies their metadata); from source, those installed. Test and build tools are
    not among them: they are extras, never needed to run.
    """
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, tuple[str, str]] = {}
    wanted = [root]
    while wanted:
        name = canonicalize_name(wanted.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:  # a dependency for another platform, or not bundled
            continue
        found[name] = (dist.metadata["Name"], dist.version)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
    return sorted(found.values(), key=lambda pair: canonicalize_name(pair[0]))


def verbose_version_text(version: str) -> str:
    """What ``digitapp --version --verbose`` prints: the app, Python, the platform, then every
    package it runs on with its version, one per line."""
    import platform
    import sys

    build = "frozen build" if getattr(sys, "frozen", False) else "from source"
    lines = [f"digitapp {version} ({build})", f"Python {platform.python_version()} on {platform.platform()}", ""]
    lines += [f"{name}=={dist_version}" for name, dist_version in dependency_versions() if name != "digitapp"]
    return "\n".join(lines)


if __name__ == "__main__":
    # `python -m digitapp.version [--windows]`: the app's version, or its four Windows numbers
    # dotted (what makensis needs: the Makefile and the Windows workflow ask here).
    import sys

    from digitapp import __version__

    print(".".join(map(str, windows_version(__version__))) if sys.argv[1:] == ["--windows"] else __version__)
