"""Can a window open here? Answered before Qt starts, in one sentence that names what to do.

When no Qt platform plugin can start (no display; a system library the X11 plugin needs is
not installed) Qt does not raise an error: it aborts the whole process (``qFatal``, exit
code 134) after a message that may blame the wrong library. So the usual causes are looked
for first, with nothing but the environment and ``ctypes`` (a few milliseconds; no Qt
import), and ``gui.app`` turns any other fatal start-up message into a sentence as well.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterable, Mapping

# The system libraries PySide6 6.12 loads to show a window on Linux with X11 — the NEEDED
# entries of plugins/platforms/libqxcb.so, libQt6XcbQpa, libQt6Gui and libQt6DBus (glibc and
# libstdc++ left out: Python itself needs them) — with the Debian/Ubuntu package of each.
X11_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}
# The README's install line lists the same packages.
APT_PACKAGES = sorted(set(X11_LIBRARIES.values()))

# Qt's message when it cannot reach the X server named by DISPLAY.
QT_NO_DISPLAY = "could not connect to display"


def display_problem(environ: Mapping[str, str] = os.environ, platform: str = sys.platform,
                    frozen: bool = getattr(sys, "frozen", False)) -> str | None:
    """Why the window cannot open here, or None when nothing is known to stand in its way.

    Only Linux with Qt's default platform (``QT_QPA_PLATFORM`` unset or ``xcb``) is checked:
    there is a display to talk to, and the X11 plugin's libraries are installed (not in a
    frozen build, which brings its own). Wayland sessions are left to Qt, which falls back
    to X11 by itself; whatever still fails is caught by ``gui.app``.
    """
    if not platform.startswith("linux"):
        return None
    requested = environ.get("QT_QPA_PLATFORM", "")
    if requested and not requested.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: the user chose; Qt will say if it fails
    if not environ.get("DISPLAY"):
        if requested:
            return no_display_message(x11_only=True)
        if not environ.get("WAYLAND_DISPLAY"):
            return no_display_message()
    if frozen or (environ.get("WAYLAND_DISPLAY") and not requested):
        return None
    missing = missing_libraries()
    return missing_libraries_message(missing) if missing else None


def missing_libraries(names: Iterable[str] = X11_LIBRARIES) -> list[str]:
    """The shared libraries among ``names`` that the dynamic loader cannot load (as Qt would
    look for them: the same loader, search path and ``LD_LIBRARY_PATH``)."""
    missing = []
    for name in names:
        try:
            ctypes.CDLL(name)  # loads it now; Qt would load it a moment later anyway
        except OSError:
            missing.append(name)
    return missing


def no_display_message(x11_only: bool = False) -> str:
    unset = "QT_QPA_PLATFORM asks for X11 but DISPLAY is not set" if x11_only else (
        "neither DISPLAY nor WAYLAND_DISPLAY is set")
    return (f"There is no display to open the window on ({unset}); "
            "start DigitApp in a desktop session, or use the command line: digitapp --help.")


def missing_libraries_message(missing: list[str]) -> str:
    packages = " ".join(dict.fromkeys(X11_LIBRARIES.get(name, name) for name in missing))
    return (f"The window cannot open: Qt needs system libraries that are not installed ({', '.join(missing)}); "
            f"on Debian or Ubuntu install them with `sudo apt install {packages}`.")


def platform_failure_message(qt_messages: list[str], environ: Mapping[str, str] = os.environ,
                             platform: str = sys.platform) -> str:
    """The sentence for Qt's fatal "no Qt platform plugin could be initialized", from what Qt
    said before it and what is missing on this computer (Qt's own hint can blame the wrong
    library)."""
    missing = missing_libraries() if platform.startswith("linux") else []
    if missing:
        return missing_libraries_message(missing)
    x11, wayland = environ.get("DISPLAY"), environ.get("WAYLAND_DISPLAY")
    if x11 and any(m.startswith(QT_NO_DISPLAY) for m in qt_messages):
        return (f"The window cannot open: the display {x11!r} cannot be reached (is the X server running, "
                "and may this user use it?).")
    if wayland and not x11:
        return (f"The window cannot open: the Wayland display {wayland!r} cannot be used, and there is no X11 "
                "display to fall back on (DISPLAY is not set).")
    detail = next((m.strip().splitlines()[0] for m in qt_messages if m.strip()), "no details")
    return f"The window cannot open: Qt could not start a platform plugin ({detail.rstrip('.')})."


def import_failure_message(error: ImportError) -> str:
    """The sentence for Qt's libraries failing to load at import (``libGL.so.1: cannot open
    shared object file``), naming the package to install when it is a known library."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    library = text.split(":", 1)[0].strip()
    if library in X11_LIBRARIES:
        return missing_libraries_message([library])
    return f"The window cannot open: Qt could not be loaded ({text.rstrip('.')})."
