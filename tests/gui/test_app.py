"""Start-up helpers of the GUI: an error nobody anticipated is logged with its traceback
and shown in one sentence, and the app goes on; a Qt that cannot start says why in one
sentence instead of aborting."""

import logging

import pytest
from PySide6.QtCore import QtMsgType, qInfo
from PySide6.QtWidgets import QMessageBox

from digitapp.core import applog
from digitapp.gui.app import PlatformGuard, _ExceptionReporter


def test_unexpected_error_is_logged_and_shown_in_one_sentence(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITAPP_HOME", str(tmp_path))
    level = logging.getLogger().level
    log_file = applog.setup()
    reporter = _ExceptionReporter(log_file)
    try:
        raise KeyError("weights")
    except KeyError as exc:
        reporter(type(exc), exc, exc.__traceback__)
    box = reporter._box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text().startswith("Something went wrong: KeyError: 'weights'.")
    assert str(log_file) in box.text() and "Traceback" not in box.text()
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "baseFilename", None) == str(log_file)]
    for handler in ours:
        handler.flush()
        root.removeHandler(handler)  # later tests must not write into this test's folder
        handler.close()
    root.setLevel(level)  # nor find the rest of what setup() changed for the whole process
    logging.captureWarnings(False)
    logged = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in logged and "Traceback" in logged and "KeyError: 'weights'" in logged
    box.close()


class _ExitError(Exception):
    """Stands in for os._exit in the guard, which would end the test run."""


def _exit(code):
    raise _ExitError(code)


def test_a_fatal_qt_message_at_start_up_becomes_one_sentence_and_exit_1(capsys, monkeypatch):
    """Qt aborts right after a fatal message (exit 134): the guard ends the process first."""
    monkeypatch.setenv("DISPLAY", ":9917")
    guard = PlatformGuard(exit=_exit)
    guard._handle(QtMsgType.QtWarningMsg, None, "could not connect to display :9917")
    guard._handle(QtMsgType.QtWarningMsg, None, "From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the "
                                                "Qt xcb platform plugin.")
    with pytest.raises(_ExitError) as ended:
        guard._handle(QtMsgType.QtFatalMsg, None, "This application failed to start because no Qt platform plugin "
                                                  "could be initialized.")
    assert ended.value.args == (1,)
    err = capsys.readouterr().err
    assert err.startswith("digitapp: error: The window cannot open: ") and err.count("\n") == 1
    assert "xcb-cursor0" not in err  # Qt's misleading hint is held back


def test_messages_while_qt_starts_are_passed_on_once_it_has(qtlog):
    with PlatformGuard(exit=_exit):
        qInfo("style sheet parsed")
        assert not [r for r in qtlog.records if "style sheet parsed" in r.message]  # held back meanwhile
    assert [r.message for r in qtlog.records if "style sheet parsed" in r.message] == ["style sheet parsed"]
