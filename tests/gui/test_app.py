"""Start-up helpers of the GUI: an error nobody anticipated is logged with its traceback
and shown in one sentence, and the app goes on."""

import logging

from PySide6.QtWidgets import QMessageBox

from digitapp.core import applog
from digitapp.gui.app import _ExceptionReporter


def test_unexpected_error_is_logged_and_shown_in_one_sentence(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITAPP_HOME", str(tmp_path))
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
    logged = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in logged and "Traceback" in logged and "KeyError: 'weights'" in logged
    box.close()
