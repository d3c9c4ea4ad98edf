"""Windows' four version numbers from the app's version (build.spec uses this on Windows only)."""

import pytest

from digitapp import __version__
from digitapp.version import windows_version


@pytest.mark.parametrize("version,numbers", [
    ("0.1.0", (0, 1, 0, 0)),
    ("0.2.0rc1", (0, 2, 0, 0)),
    ("1.0", (1, 0, 0, 0)),
    ("2.3.4.5.6", (2, 3, 4, 5)),
    ("1.0.post2", (1, 0, 0, 0)),
    ("1.1.dev3", (1, 1, 0, 0)),
    ("1.0.0+local.5", (1, 0, 0, 0)),
    ("70000.1", (65535, 1, 0, 0)),
    ("", (0, 0, 0, 0)),
])
def test_release_numbers_only_padded_to_four(version, numbers):
    assert windows_version(version) == numbers


def test_the_apps_own_version_parses():
    assert windows_version(__version__)[:2] == tuple(int(n) for n in __version__.split(".")[:2])


def test_build_spec_uses_it():
    from pathlib import Path

    spec = (Path(__file__).resolve().parents[1] / "build.spec").read_text()
    assert "windows_version(VERSION)" in spec and "int(" not in spec
