"""Help ▸ About: the app's version, what it is built from with their licences, the data's
licence, and (Show Details…) every package it runs on, as ``digitapp --version --verbose``."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from digitapp import __version__
from digitapp.version import verbose_version_text

# (distribution, shown as, licence) of what the app is built from.
COMPONENTS = (
    ("tensorflow", "TensorFlow", "Apache-2.0"),
    ("keras", "Keras", "Apache-2.0"),
    ("numpy", "NumPy", "BSD-3-Clause"),
    ("matplotlib", "Matplotlib", "Matplotlib licence (PSF-based)"),
    ("pillow", "Pillow", "MIT-CMU"),
)


def about_html() -> str:
    """Versions and licences of the app and what it is built from."""
    rows = [f"<tr><td>Python</td><td>{platform.python_version()}</td><td>PSF</td></tr>",
            f"<tr><td>Qt</td><td>{qVersion()} (PySide6 {pyside_version})</td><td>LGPL-3.0</td></tr>"]
    for dist, name, licence in COMPONENTS:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "bundled"
        rows.append(f"<tr><td>{name}</td><td>{version}</td><td>{licence}</td></tr>")
    return (f"<h3>DigitApp {__version__}</h3><p>Train an image classifier and use it.</p>"
            "<table cellspacing=4>" + "".join(rows) + "</table>"
            "<p>Bundled data: the MNIST database of handwritten digits © Yann LeCun, Corinna Cortes "
            "and Christopher J.C. Burges, licensed under "
            "<a href='https://creativecommons.org/licenses/by-sa/3.0/'>CC BY-SA 3.0</a>.</p>")


def about_box(parent: QWidget) -> QMessageBox:
    """The About box (not shown yet: ``open()`` it)."""
    box = QMessageBox(QMessageBox.Information, "About DigitApp", about_html(), QMessageBox.Ok, parent)
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.setDetailedText(verbose_version_text(__version__))
    return box
