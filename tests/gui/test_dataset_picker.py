"""The dataset picker: built-in entries, imports loaded off the GUI thread, errors in one
sentence, remembered imports, datasets already in memory."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from digitapp.core import config
from digitapp.gui.dataset_picker import IMPORT_FOLDER, IMPORT_NPZ, SAMPLE_STRIP, DatasetPicker
from digitapp.gui.workers import Jobs


@pytest.fixture
def owner(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    jobs = Jobs(widget)
    yield widget, jobs
    jobs.wait_all()


@pytest.fixture
def picker(owner):
    widget, jobs = owner
    return DatasetPicker(jobs, widget)


def _is_dataset(value) -> bool:
    return value is not None


def _combo_keys(picker) -> list:
    return [picker.dataset_combo.itemData(i) for i in range(picker.dataset_combo.count())]


def test_offers_the_built_in_sets_then_the_imports(picker):
    combo = picker.dataset_combo
    builtin = len(config.BUILTIN_DATASETS)
    assert _combo_keys(picker)[:builtin] == list(config.BUILTIN_DATASETS)
    assert combo.itemText(0) == "MNIST (bundled)"
    assert [combo.itemText(i) for i in range(1, builtin)] == list(config.BUILTIN_DATASETS.values())[1:]
    assert _combo_keys(picker)[-2:] == [IMPORT_NPZ, IMPORT_FOLDER]
    assert picker.current_dataset() is None and picker.dataset_error() is None


def test_an_imported_npz_loads_and_is_shown(qtbot, picker, mnist_small_npz, mnist_small):
    with qtbot.waitSignal(picker.dataset_changed, check_params_cb=_is_dataset, timeout=30_000) as changed:
        picker.import_dataset(str(mnist_small_npz))
    dataset = changed.args[0]
    assert picker.current_dataset() is dataset
    assert picker.dataset_key() == f"path:{mnist_small_npz}"
    np.testing.assert_array_equal(dataset.y_test, mnist_small.y_test)
    assert picker.dataset_info.text() == dataset.summary()
    assert len(picker.samples_figure.axes) == SAMPLE_STRIP
    assert picker.dataset_combo.currentText() == f"Imported: {mnist_small_npz}"


def test_a_broken_file_gives_one_sentence(qtbot, picker, tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip archive")
    with qtbot.waitSignal(picker.status, timeout=30_000) as status:
        picker.import_dataset(str(bad))
    message = picker.dataset_error()
    assert message and "broken.npz" in message and "\n" not in message and "Traceback" not in message
    assert status.args == [message]
    assert message in picker.dataset_info.text()
    assert picker.current_dataset() is None and not picker.samples_figure.axes


def test_imports_are_remembered(qtbot, owner, picker, mnist_small_npz, tmp_path):
    with qtbot.waitSignal(picker.dataset_changed, check_params_cb=_is_dataset, timeout=30_000):
        picker.import_dataset(str(mnist_small_npz))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    picker.save(settings)
    settings.sync()

    again = DatasetPicker(owner[1], owner[0])
    with qtbot.waitSignal(again.dataset_changed, check_params_cb=_is_dataset, timeout=30_000):
        again.restore(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    assert again.dataset_key() == f"path:{mnist_small_npz}"
    assert _combo_keys(again).count(f"path:{mnist_small_npz}") == 1


def test_a_dataset_in_memory_is_offered_and_chosen_at_once(qtbot, picker, mnist_small):
    with qtbot.waitSignal(picker.dataset_changed, timeout=1_000) as changed:
        picker.add_loaded_dataset("scripted", mnist_small)
    assert changed.args == [mnist_small] and picker.current_dataset() is mnist_small
    assert picker.dataset_combo.itemText(len(config.BUILTIN_DATASETS)) == mnist_small.name


def test_a_cancelled_import_goes_back_to_the_last_choice(qtbot, picker, mnist_small, monkeypatch):
    picker.add_loaded_dataset("scripted", mnist_small)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: ("", ""))
    index = picker.dataset_combo.findData(IMPORT_NPZ)
    picker.dataset_combo.setCurrentIndex(index)
    picker.dataset_combo.activated.emit(index)  # as when the user picks the entry
    assert picker.dataset_key() == "scripted" and picker.current_dataset() is mnist_small
