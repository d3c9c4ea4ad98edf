"""The file table with a real trained model: files and folders classified off the GUI
thread, one row per file (errors included), row selection, CSV export."""

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from digitapp.core import config
from digitapp.gui.file_table import IMAGE_FILTER, FileTable, PastedImage
from digitapp.gui.workers import Jobs
from tests.helpers import digit_png, one_sentence


@pytest.fixture
def table(qtbot, predictor):
    owner = QWidget()
    qtbot.addWidget(owner)
    jobs = Jobs(owner)
    widget = FileTable(jobs, owner)
    assert not widget.open_button.isEnabled()  # nothing to classify with yet
    widget.set_predictor(predictor)
    yield widget
    jobs.wait_all()


@pytest.fixture
def folder(tmp_path, mnist):
    """Three digits (7, 2, 1) and a file that only pretends to be a JPEG."""
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(3):
        digit_png(mnist.x_test[i], scans / f"digit{i}.png")
    (scans / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    return scans


def _rows(table) -> dict:
    t = table.table
    return {t.item(r, 1).text(): [t.item(r, c).text() for c in (2, 3, 4)] for r in range(t.rowCount())}


def test_a_folder_fills_one_row_per_file(qtbot, table, folder):
    assert not table.export_button.isEnabled()
    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.classify_paths([str(folder)])
    rows = _rows(table)
    assert list(rows) == ["broken.jpg", "digit0.png", "digit1.png", "digit2.png"]  # sorted by name
    prediction, confidence, reason = rows["broken.jpg"]
    assert (prediction, confidence) == ("error", "") and one_sentence(reason) and "broken.jpg" in reason
    assert rows["digit0.png"][0].split()[0] in [str(d) for d in range(10)]
    assert rows["digit0.png"][1].endswith("%") and 0 < float(rows["digit0.png"][1].rstrip("%")) <= 100
    assert not table.table.item(1, 0).icon().isNull()  # the model input as a thumbnail
    assert table.export_button.isEnabled()


def test_selecting_a_row_names_its_file_and_answer(qtbot, table, folder):
    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.classify_paths([str(folder)])
    for row in range(table.table.rowCount()):
        table.table.clearSelection()  # a table that has focus may have selected its first row itself
        with qtbot.waitSignal(table.file_selected) as selected:
            table.table.selectRow(row)
        path, result = selected.args
        assert path.name == table.table.item(row, 1).text()
        assert isinstance(result, Exception) == (path.name == "broken.jpg")


def test_a_single_file_is_shown_at_once(qtbot, table, folder):
    with qtbot.waitSignal(table.file_selected, timeout=30_000) as selected:
        table.classify_paths([str(folder / "digit1.png")])
    assert selected.args[0].name == "digit1.png" and selected.args[1].source_image is not None


def test_nothing_to_classify_is_said(qtbot, table, tmp_path):
    with qtbot.waitSignal(table.notice) as notice:
        table.classify_paths([str(tmp_path)])  # an empty folder
    assert notice.args == ["No image files there."]


def test_csv_export_and_a_failed_one(qtbot, table, folder, tmp_path, monkeypatch):
    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.classify_paths([str(folder)])
    out = tmp_path / "predictions.csv"
    assert table.export_csv(str(out))
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert [r["file"].endswith("broken.jpg") for r in rows if r["error"]] == [True]

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append((title, text)))
    assert not table.export_csv(str(folder))  # a folder cannot be written as a file
    assert len(warnings) == 1 and warnings[0][0] == "Not exported" and one_sentence(warnings[0][1])


def test_open_images_offers_every_image_type(qtbot, table, folder, monkeypatch):
    offered = []

    def choose(parent, title, directory, filters):
        offered.append(filters)
        return [str(folder / "digit0.png")], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose)
    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.open_button.click()
    assert offered == [IMAGE_FILTER]
    assert all(f"*{ext}" in IMAGE_FILTER for ext in config.IMAGE_EXTENSIONS)
    assert table.table.rowCount() == 1


def test_confidence_reads_as_a_percentage_and_sorts_as_a_number(qtbot, table, folder):
    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.classify_paths([str(folder)])
    table.table.sortItems(3, Qt.AscendingOrder)
    shown = [table.table.item(r, 3).text() for r in range(table.table.rowCount())]
    numbers = [float(text.rstrip("%")) for text in shown if text]
    assert numbers == sorted(numbers) and shown[-1] == ""  # the broken file, without one, last


def test_a_pasted_image_gets_a_row_of_its_own(qtbot, table, folder, mnist):
    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.classify_paths([str(folder)])
    with qtbot.waitSignal(table.file_selected, timeout=30_000) as selected:
        table.classify_pasted(mnist.x_test[0, ..., 0])
    source, result = selected.args
    assert isinstance(source, PastedImage) and source.name.startswith("pasted image ")
    assert result.source_image is not None and result.source_image.size == (28, 28)
    assert table.table.rowCount() == 5  # added to the files already there
    row = table.table.currentRow()
    assert table.table.item(row, 1).text() == source.name and table.table.item(row, 3).text().endswith("%")


def test_a_new_model_answers_every_row_again(qtbot, table, folder, mnist, mnist_small):
    """Rows never keep another model's answers: when the model changes, files and pasted
    images are answered again by the new one."""
    from digitapp.core import models
    from digitapp.core.prediction import Predictor

    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.classify_paths([str(folder)])
    with qtbot.waitSignal(table.file_selected, timeout=30_000):
        table.classify_pasted(mnist.x_test[5, ..., 0])
    untrained = models.build_model("fast", mnist_small.input_shape, mnist_small.num_classes)
    other = Predictor(untrained, mnist_small.input_shape, mnist_small.class_names, mnist_small.preprocessing)
    files = sorted(folder.iterdir())
    expected = {f.name: r for f, r in zip(files, other.predict_files(files))}
    expected["pasted"] = other.predict(mnist.x_test[5, ..., 0])

    with qtbot.waitSignal(table.files_classified, timeout=30_000):
        table.set_predictor(other)
    rows = _rows(table)
    assert len(rows) == 5
    for name, (label, confidence, _) in rows.items():
        want = expected["pasted" if name.startswith("pasted image") else name]
        if isinstance(want, Exception):
            assert label == "error"
        else:
            assert label == want.answer and confidence == f"{want.probabilities[want.answered]:.1%}"
