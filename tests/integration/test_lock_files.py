"""The lock files (requirements/*.txt, written by `make lock`) that `make exe` and the Windows
workflow install from: each pins every package pyproject.toml asks for, within its range, with
hashes, and the workflow and the Makefile really install from them."""

import re

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.helpers import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

LOCKS = sorted((ROOT / "requirements").glob("*-*.txt"))
# What the locks are compiled for (`make lock`): the app, its tests (the workflow runs them on the
# locked versions) and the build.
LOCKED_EXTRAS = ("test", "build")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$")


def _pins(lock) -> dict[str, tuple[Version, list[str]]]:
    """name → (version, its hashes) of every package the lock file pins."""
    pins, name = {}, None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            pins[name] = (Version(match[2]), [])
        elif line.strip().startswith("--hash=sha256:") and name is not None:
            pins[name][1].append(line.strip().removesuffix(" \\"))
        elif line and not line.startswith((" ", "#")):
            pytest.fail(f"{lock.name}: not a hashed pin: {line!r}")
    return pins


def _required() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(text) for text in project["dependencies"] + [t for e in LOCKED_EXTRAS for t in extras[e]]]


def test_there_is_a_lock_for_each_platform_the_app_is_built_on():
    assert [lock.name for lock in LOCKS] == ["linux-x86_64.txt", "macos-arm64.txt", "windows-x86_64.txt"]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.stem)
def test_every_requirement_is_pinned_within_its_range_with_hashes(lock):
    pins = _pins(lock)
    for requirement in _required():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock.name} lacks {name}: run make lock"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{lock.name} pins {name}=={version}, outside pyproject.toml's {requirement}: run make lock"
    assert all(hashes for _, hashes in pins.values()), f"{lock.name}: a pin without a hash"


def test_locks_agree_on_the_packages_all_platforms_share():
    """One version of TensorFlow, Qt, … wherever the app is built (only platform-only packages differ)."""
    pins = {lock.stem: {name: version for name, (version, _) in _pins(lock).items()} for lock in LOCKS}
    shared = set.intersection(*(set(p) for p in pins.values()))
    for name in shared:
        versions = {platform: p[name] for platform, p in pins.items()}
        assert len(set(versions.values())) == 1, f"{name}: {versions}"


def test_the_build_and_the_windows_workflow_install_from_the_locks():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    workflow = (ROOT / ".github" / "workflows" / "windows-exe.yml").read_text(encoding="utf-8")
    assert "BUILD_LOCK := requirements/$(if $(filter Darwin,$(shell uname -s)),macos-arm64,linux-x86_64).txt" \
        in makefile
    assert "--require-hashes --no-deps -r $(BUILD_LOCK)" in makefile
    assert "--require-hashes --no-deps -r requirements/windows-x86_64.txt" in workflow
