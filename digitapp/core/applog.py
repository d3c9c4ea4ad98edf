"""Where the app writes its log, and a process that works without a console.

A windowed (frozen) Windows program has ``sys.stdout`` and ``sys.stderr`` set to None:
Keras progress bars, ``print``, ``warnings`` and ``argparse`` would then crash on their
first write. :func:`setup` gives such a process harmless streams and sends log records,
warnings and uncaught exceptions to a file in the user's app-data folder.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

APP_NAME = "DigitApp"
LOG_NAME = "digitapp.log"

log = logging.getLogger("digitapp")


def app_data_dir() -> Path:
    """The per-user folder for the log: %LOCALAPPDATA%\\DigitApp on Windows,
    ~/Library/Application Support/DigitApp on macOS, $XDG_STATE_HOME/DigitApp (or
    ~/.local/state/DigitApp) elsewhere. ``$DIGITAPP_HOME`` overrides (tests)."""
    override = os.environ.get("DIGITAPP_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA") or str(Path.home())
        return Path(base) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / APP_NAME


def log_path() -> Path:
    return app_data_dir() / LOG_NAME


def ensure_streams() -> None:
    """Replace missing standard streams (windowed builds) with the null device, and let the others
    write any text: a pipe on Windows encodes in the ANSI code page (cp1252), which has no "Ł" for a
    path like C:\\Users\\Łukasz, and a message must not be lost to a UnicodeEncodeError."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives for the process
        elif hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives for the process


def setup() -> Path | None:
    """Streams that never crash, and a rotating log file for records, warnings and uncaught
    exceptions. Returns the log file, or None when it cannot be written (read-only home):
    the app then runs without one rather than not at all."""
    ensure_streams()
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == handler.baseFilename for h in root.handlers):
        root.addHandler(handler)
    else:
        handler.close()
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    logging.captureWarnings(True)
    return path


def log_exception(exc_type, exc, tb) -> None:
    """Record an uncaught exception with its traceback (the user sees one sentence)."""
    log.error("uncaught exception", exc_info=(exc_type, exc, tb))
