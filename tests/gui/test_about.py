"""Help ▸ About: versions and licences, and every package the app runs on."""

from importlib import metadata

from PySide6.QtWidgets import QWidget

from digitapp.gui.about import about_box, about_html


def test_about_names_versions_and_the_data_licence():
    html = about_html()
    for name in ("Python", "Qt", "TensorFlow", "Keras", "NumPy", "Pillow", "CC BY-SA 3.0"):
        assert name in html


def test_about_lists_every_package_it_runs_on(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    details = about_box(parent).detailedText()
    assert f"tensorflow=={metadata.version('tensorflow')}" in details
    assert f"PySide6_Essentials=={metadata.version('pyside6-essentials')}" in details
    assert "pytest" not in details  # a test tool is not part of the app
