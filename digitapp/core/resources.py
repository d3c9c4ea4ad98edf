"""Where bundled files (MNIST, icons, sample images) live: source tree or frozen app."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: ``$DIGITAPP_RESOURCES``, the PyInstaller bundle, or the repo."""
    override = os.environ.get("DIGITAPP_RESOURCES")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(name: str) -> Path:
    """Absolute path of a bundled resource file."""
    return resources_dir() / name
