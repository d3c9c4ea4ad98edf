"""Where bundled files are found: the source tree, a frozen build, or an override."""

import sys

from digitapp.core import resources
from tests.helpers import ROOT


def test_the_source_tree_holds_the_bundled_files(monkeypatch):
    monkeypatch.delenv("DIGITAPP_RESOURCES", raising=False)
    assert resources.resources_dir() == ROOT / "resources"
    assert resources.resource_path("mnist.npz").is_file()
    assert resources.resource_path("sample-digit.png").is_file()


def test_a_frozen_build_looks_inside_its_bundle(tmp_path, monkeypatch):
    monkeypatch.delenv("DIGITAPP_RESOURCES", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_path("icon.png") == tmp_path / "resources" / "icon.png"


def test_the_override_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "_MEIPASS", "/frozen", raising=False)
    monkeypatch.setenv("DIGITAPP_RESOURCES", str(tmp_path))
    assert resources.resource_path("mnist.npz") == tmp_path / "mnist.npz"
