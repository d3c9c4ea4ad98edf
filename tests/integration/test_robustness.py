"""The window under hostile conditions: bad image files, a full or read-only disk, unsafe
model files, and no network at all."""

import errno
import socket

import pytest
from PySide6.QtWidgets import QMessageBox

from digitapp.core import persistence
from tests.helpers import DIGIT, ERROR, one_sentence


@pytest.fixture
def warnings_shown(monkeypatch):
    """Record QMessageBox.warning calls instead of opening modal boxes."""
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append((title, text)))
    return shown


def _train_quickly(qtbot, window):
    tab = window.training_tab
    tab.form.epochs.setValue(1)
    tab.form.batch_size.setValue(64)
    with qtbot.waitSignal(tab.model_ready, timeout=120_000):
        tab.train_button.click()


@pytest.mark.parametrize("error", [(errno.ENOSPC, "No space left on device"),
                                   (errno.EROFS, "Read-only file system"),
                                   (errno.EACCES, "Permission denied")])
def test_a_failed_save_says_why_and_keeps_the_model(qtbot, window, tmp_path, monkeypatch, warnings_shown, error):
    _train_quickly(qtbot, window)
    model = window.current.model
    real_write = persistence._atomic_write

    def failing_write(path, write):
        raise OSError(*error)

    monkeypatch.setattr(persistence, "_atomic_write", failing_write)
    window.save_model_to(str(tmp_path / "digits.keras"))
    qtbot.waitUntil(lambda: bool(warnings_shown), timeout=30_000)
    title, text = warnings_shown[0]
    assert title == "Model not saved"
    assert f"Could not save digits.keras: {error[1]}." in text and "Traceback" not in text
    assert window.current is not None and window.current.model is model  # still in memory
    assert not list(tmp_path.glob("*.keras*"))

    monkeypatch.setattr(persistence, "_atomic_write", real_write)  # somewhere else works
    elsewhere = tmp_path / "elsewhere.keras"
    window.save_model_to(str(elsewhere))
    qtbot.waitUntil(lambda: elsewhere.exists() and not window.session.busy(), timeout=30_000)
    assert persistence.load_model(elsewhere)[1].class_names == window.current.info.class_names


def test_opening_a_model_with_code_is_refused_with_one_sentence(qtbot, window, tmp_path, warnings_shown):
    from digitapp.core.tf import keras

    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(10)(keras.layers.Flatten()(keras.layers.Lambda(lambda x: x * 2)(inputs)))
    evil = tmp_path / "evil.keras"
    keras.Model(inputs, outputs).save(evil)
    window.load_model_file(str(evil))
    qtbot.waitUntil(lambda: bool(warnings_shown), timeout=30_000)
    assert "contains custom code (a Lambda layer) and was not loaded for safety" in warnings_shown[0][1]
    assert window.current is None


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to reach another machine fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError(errno.ENETUNREACH, "network access is not allowed in this test")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_nothing_is_sent_anywhere(qtbot, window, tmp_path, mnist, no_network):
    """Train, evaluate, save, reopen and classify files with every socket refused."""
    from tests.helpers import digit_png

    _train_quickly(qtbot, window)
    path = tmp_path / "offline.keras"
    window.save_model_to(str(path))
    qtbot.waitUntil(lambda: path.exists() and not window.session.busy(), timeout=30_000)
    window.load_model_file(str(path))
    qtbot.waitUntil(lambda: window.current is not None and window.current.result is None, timeout=30_000)
    digit_png(mnist.x_test[0], tmp_path / "seven.png")
    predict = window.predict_tab
    with qtbot.waitSignal(predict.files_classified, timeout=30_000):
        predict.classify_paths([str(tmp_path / "seven.png")])
    assert no_network == []


def test_a_model_with_code_opens_when_the_user_says_they_made_it(qtbot, window, tmp_path, monkeypatch):
    from digitapp.core.tf import keras

    asked = []

    def answer_open(parent, title, text, buttons=None, default=None):
        asked.append(title)
        return QMessageBox.Open

    monkeypatch.setattr(QMessageBox, "warning", answer_open)
    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(10, activation="softmax")(
        keras.layers.Flatten()(keras.layers.Lambda(lambda x: 1 - x)(inputs)))
    mine = tmp_path / "mine.keras"
    keras.Model(inputs, outputs).save(mine)
    window.load_model_file(str(mine))
    qtbot.waitUntil(lambda: window.current is not None, timeout=30_000)
    assert asked == ["Model contains code"]
    assert window.current.info.input_shape == (28, 28, 1)


def test_every_kind_of_bad_file_in_the_predict_tab(qtbot, window, corpus):
    _train_quickly(qtbot, window)
    predict = window.predict_tab
    corpus = [c for c in corpus if not c.path.is_dir()]  # a dropped folder means "its images"
    with qtbot.waitSignal(predict.files_classified, timeout=60_000):
        predict.classify_paths([str(c.path) for c in corpus])
    table = predict.file_table.table
    assert table.rowCount() == len(corpus)
    window.tabs.setCurrentWidget(predict)
    for row in range(table.rowCount()):
        table.selectRow(row)  # shows the file as opened, its input and answer
        qtbot.wait(1)
    by_name = {table.item(r, 1).toolTip(): table.item(r, 2).text() for r in range(table.rowCount())}
    for case in corpus:
        outcome = by_name[str(case.path)]
        if case.expect == ERROR:
            assert outcome == "error", case.kind
        elif case.expect == DIGIT:
            assert outcome != "error", case.kind
    details = [table.item(r, 4).text() for r in range(table.rowCount()) if table.item(r, 2).text() == "error"]
    assert all(one_sentence(text) for text in details)
