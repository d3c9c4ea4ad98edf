"""The dataset picker: built-in entries, imports loaded off the GUI thread, errors in one
sentence, remembered imports, datasets already in memory."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from digitapp.core import config
from digitapp.core.datasets import builtin
from digitapp.gui.dataset_picker import IMPORT_FOLDER, IMPORT_NPZ, SAMPLE_STRIP, DatasetPicker
from digitapp.gui.workers import Jobs
from tests.helpers import write_idx_set


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
    captions = picker.sample_captions()
    assert len(captions) == SAMPLE_STRIP and set(captions) <= set(dataset.class_names)
    assert picker.dataset_combo.currentText() == f"Imported: {mnist_small_npz}"


def test_a_broken_import_gives_one_sentence_leaves_the_list_and_the_last_dataset_returns(
        qtbot, picker, mnist_small, tmp_path):
    picker.add_loaded_dataset("scripted", mnist_small)
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip archive")
    with (qtbot.waitSignal(picker.status, timeout=30_000) as status,
          qtbot.waitSignal(picker.dataset_changed, check_params_cb=_is_dataset, timeout=30_000) as back):
        picker.import_dataset(str(bad))
    message = "broken.npz is not a NumPy .npz archive."
    assert status.args == [message] and picker.dataset_error() == message
    assert back.args == [mnist_small] and picker.dataset_key() == "scripted"
    assert f"path:{bad}" not in _combo_keys(picker)
    info = picker.dataset_info.text()
    assert f"{message} It was removed from the list." in info and mnist_small.summary() in info
    assert len(picker.sample_captions()) == SAMPLE_STRIP


def test_a_remembered_import_that_fails_is_dropped_and_mnist_starts_instead(qtbot, owner, picker, tmp_path):
    """A moved file must not stay the start-up dataset (Train disabled at every launch)."""
    gone = f"path:{tmp_path / 'moved.npz'}"
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue("dataset", gone)
    settings.setValue("imports", [gone])
    with qtbot.waitSignal(picker.dataset_changed, check_params_cb=_is_dataset, timeout=60_000) as loaded:
        picker.restore(settings)
    assert picker.dataset_key() == config.BUNDLED_DATASET and loaded.args[0].name == "MNIST"
    assert gone not in _combo_keys(picker)
    assert "moved.npz does not exist. It was removed from the list." in picker.dataset_info.text()
    picker.save(settings)
    assert settings.value("dataset") == config.BUNDLED_DATASET
    assert not settings.value("imports", [], list)


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


# ---------------------------------------------------------------- built-in sets that need a download


@pytest.fixture
def nothing_local(tmp_path, monkeypatch, mnist_small):
    """No copy of Fashion-MNIST or CIFAR-10 on this computer, and a download that would be
    recorded instead of reaching the network (it returns the small real MNIST)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(builtin, "SYSTEM_FASHION_DIR", tmp_path / "nowhere")
    downloads = []

    def download(name):
        downloads.append(name)
        return mnist_small

    monkeypatch.setattr(builtin, "download_builtin", download)
    return downloads


class _Questions(list):
    """The download questions asked (their text), each answered with ``answer``."""

    answer = QMessageBox.Cancel


@pytest.fixture
def questions(monkeypatch):
    """Record the download question and answer it instead of showing a modal box."""
    asked = _Questions()

    def exec_(box):
        asked.append(f"{box.text()} {box.informativeText()}")
        return asked.answer

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def _choose(picker, key):
    index = picker.dataset_combo.findData(key)
    picker.dataset_combo.setCurrentIndex(index)
    picker.dataset_combo.activated.emit(index)  # as when the user picks the entry


def test_cancel_keeps_the_dataset_before_and_downloads_nothing(picker, mnist_small, nothing_local, questions):
    picker.add_loaded_dataset("scripted", mnist_small)
    _choose(picker, "fashion_mnist")
    assert len(questions) == 1
    assert "Fashion-MNIST is not on this computer yet" in questions[0] and "about 30 MB" in questions[0]
    assert picker.dataset_key() == "scripted" and picker.current_dataset() is mnist_small
    assert nothing_local == []


def test_download_only_after_yes(qtbot, picker, mnist_small, nothing_local, questions):
    picker.add_loaded_dataset("scripted", mnist_small)
    questions.answer = QMessageBox.Ok
    with qtbot.waitSignal(picker.dataset_changed, check_params_cb=_is_dataset, timeout=30_000):
        _choose(picker, "cifar10")
        assert picker.dataset_info.text() == "Downloading CIFAR-10 (about 170 MB)…"
    assert len(questions) == 1 and "about 170 MB" in questions[0]
    assert nothing_local == ["cifar10"] and picker.dataset_key() == "cifar10"
    _choose(picker, "scripted")
    _choose(picker, "cifar10")  # in memory now: no second question
    assert len(questions) == 1 and picker.dataset_key() == "cifar10"


def test_import_instead_of_downloading(picker, mnist_small, nothing_local, questions, monkeypatch):
    picker.add_loaded_dataset("scripted", mnist_small)
    questions.answer = QMessageBox.Open
    folders = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: folders.append(args) or "")
    _choose(picker, "fashion_mnist")
    assert len(folders) == 1  # the folder import was offered; cancelled, so the choice before stays
    assert picker.dataset_key() == "scripted" and nothing_local == []


def test_a_local_copy_loads_without_asking(qtbot, picker, mnist_small, nothing_local, questions, tmp_path):
    write_idx_set(mnist_small, tmp_path / "keras" / "datasets" / "fashion-mnist", ".gz", count=30)
    with qtbot.waitSignal(picker.dataset_changed, check_params_cb=_is_dataset, timeout=30_000) as loaded:
        _choose(picker, "fashion_mnist")
    assert loaded.args[0].class_names == config.FASHION_NAMES
    assert questions == [] and nothing_local == []


def test_start_up_never_downloads_unasked(qtbot, picker, nothing_local, questions, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue("dataset", "fashion_mnist")
    with qtbot.waitSignal(picker.dataset_changed, check_params_cb=_is_dataset, timeout=60_000):
        picker.restore(settings)
    assert picker.dataset_key() == config.BUNDLED_DATASET
    assert "Fashion-MNIST is no longer on this computer; choose it to download it." in picker.dataset_info.text()
    assert questions == [] and nothing_local == []
