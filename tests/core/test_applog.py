"""The log file's place, streams for a windowed build, and what ends up in the log."""

import logging
import sys
import warnings
from pathlib import Path

import pytest

from digitapp.core import applog


@pytest.fixture
def clean_logging(monkeypatch):
    """Undo what :func:`applog.setup` changes process-wide: root handlers, level, warnings."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.captureWarnings(False)


def test_digitapp_home_overrides_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITAPP_HOME", str(tmp_path))
    assert applog.app_data_dir() == tmp_path
    assert applog.log_path() == tmp_path / "digitapp.log"


@pytest.mark.parametrize("platform,env,expected", [
    ("win32", {"LOCALAPPDATA": "/users/ada/AppData/Local"}, "/users/ada/AppData/Local/DigitApp"),
    ("linux", {"XDG_STATE_HOME": "/home/ada/state"}, "/home/ada/state/DigitApp"),
    ("linux", {}, "{home}/.local/state/DigitApp"),
    ("darwin", {}, "{home}/Library/Application Support/DigitApp"),
])
def test_the_folder_on_each_platform(platform, env, expected, monkeypatch):
    for name in ("DIGITAPP_HOME", "LOCALAPPDATA", "APPDATA", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", platform)
    assert applog.app_data_dir() == Path(expected.format(home=Path.home()))


def test_missing_streams_are_replaced(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "stdin", None)
    applog.ensure_streams()
    replaced = (sys.stdout, sys.stderr, sys.stdin)
    print("nobody sees this")  # must not crash
    sys.stderr.write("nor this\n")
    assert sys.stdin.read() == ""
    for stream in replaced:
        stream.close()


def test_records_warnings_and_uncaught_exceptions_reach_the_log(tmp_path, monkeypatch, clean_logging):
    monkeypatch.setenv("DIGITAPP_HOME", str(tmp_path / "state"))
    path = applog.setup()
    assert path == tmp_path / "state" / "digitapp.log"
    applog.setup()  # twice (CLI then GUI): still one handler, so no line is written twice
    applog.log.info("training started")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("deprecated thing", UserWarning, stacklevel=1)
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        applog.log_exception(*sys.exc_info())
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert text.count("INFO digitapp: training started") == 1
    assert "deprecated thing" in text
    assert "ERROR digitapp: uncaught exception" in text and "Traceback" in text and "ZeroDivisionError" in text


def test_an_unwritable_folder_means_no_log_not_no_app(tmp_path, monkeypatch, clean_logging):
    blocker = tmp_path / "a file"
    blocker.write_text("in the way")
    monkeypatch.setenv("DIGITAPP_HOME", str(blocker / "DigitApp"))
    assert applog.setup() is None


def test_streams_in_a_code_page_without_the_letters_still_write_them(monkeypatch):
    """A windowed exe's redirected output on Windows is cp1252: a path with "Ł" must not raise."""
    import io
    import sys

    from digitapp.core import applog

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    applog.ensure_streams()
    print(r"FAILED: C:\Users\Łukasz Ö\Temp is full")
    stream.flush()
    assert raw.getvalue() == b"FAILED: C:\\Users\\\\u0141ukasz \xd6\\Temp is full\n"
