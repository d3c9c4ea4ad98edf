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


def test_dependency_versions_are_what_the_app_runs_on():
    """What the About box and `--version --verbose` list: every package the app needs to run
    (in a frozen build, those bundled with it), never a test or build tool."""
    from importlib import metadata

    from digitapp.version import dependency_versions

    listed = dict(dependency_versions())
    for dist in ("tensorflow", "keras", "numpy", "onnxruntime", "fastapi", "shiboken6"):  # direct and indirect
        assert listed[metadata.metadata(dist)["Name"]] == metadata.version(dist)
    assert not {"pytest", "ruff", "pyinstaller", "uv"} & {name.lower() for name in listed}


def test_a_requirement_for_another_platform_or_missing_is_left_out(monkeypatch):
    from importlib import metadata

    from digitapp import version

    class Dist:
        def __init__(self, name, requires):
            self.metadata, self.version, self.requires = {"Name": name}, "1.0", requires

    dists = {"app": Dist("app", ["win-only; sys_platform == 'nowhere'", "lib>=1", "extra-tool; extra == 'test'",
                                 "gone"]),
             "lib": Dist("lib", ["app"])}  # a cycle ends

    def distribution(name):
        if name not in dists:
            raise metadata.PackageNotFoundError(name)
        return dists[name]

    monkeypatch.setattr(metadata, "distribution", distribution)
    assert version.dependency_versions("app") == [("app", "1.0"), ("lib", "1.0")]


def test_the_module_prints_what_makensis_is_given():
    """The Makefile and the Windows workflow pass these to makensis (VERSION, VERSION4)."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    def run(*args):
        return subprocess.run([sys.executable, "-m", "digitapp.version", *args], capture_output=True, text=True,
                              cwd=ROOT, check=True).stdout.strip()

    assert run() == __version__
    assert run("--windows") == ".".join(map(str, windows_version(__version__)))
