"""Start anywhere: without a display, or without the system libraries Qt's X11 plugin needs,
the app says so in one sentence and exits 1 — Qt itself would abort (exit code 134)."""

import ctypes
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from digitapp.gui import display
from tests.helpers import ROOT

LINUX = sys.platform.startswith("linux")
# What Qt needs besides the libraries every Linux with Python has (glibc, libstdc++, zlib, zstd).
BASE_LIBRARIES = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1", "libzstd.so.1"}
QT_LIBRARIES_LOADED_FOR_A_WINDOW = ("plugins/platforms/libqxcb.so", "lib/libQt6XcbQpa.so.6", "lib/libQt6Gui.so.6",
                                    "lib/libQt6DBus.so.6", "lib/libQt6Core.so.6", "lib/libQt6Widgets.so.6")
X11 = {"DISPLAY": ":0"}


def _start_app(home: Path, **environ) -> subprocess.CompletedProcess:
    """``python -m digitapp`` (the window) with these display variables and no others."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(environ, PYTHONPATH=str(ROOT), DIGITAPP_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "digitapp"], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env=env)


def _needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF library (what ``readelf -d`` lists)."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4:6] == b"\x02\x01", f"{path} is not a 64-bit little-endian ELF file"
    (section_headers,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    # Section header: name, type, flags, addr, offset, size, link, info, addralign, entsize.
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_headers + i * entry_size) for i in range(count)]
    dynamic = next(s for s in sections if s[1] == 6)  # SHT_DYNAMIC
    strings = sections[dynamic[6]][4]  # its link: the string table the names are in
    names = []
    for offset in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, offset)
        if tag == 0:  # DT_NULL ends the table
            break
        if tag == 1:  # DT_NEEDED
            start = strings + value
            names.append(data[start:data.index(b"\0", start)].decode())
    return names


@pytest.mark.skipif(not LINUX, reason="a Linux display")
def test_without_a_display_the_app_says_so_and_exits_1(tmp_path):
    proc = _start_app(tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == f"digitapp: error: {display.no_display_message()}\n"
    assert "neither DISPLAY nor WAYLAND_DISPLAY is set" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(not LINUX or display.missing_libraries(), reason="Linux with Qt's X11 libraries installed")
def test_a_display_that_does_not_answer_is_one_sentence_not_an_abort(tmp_path):
    """Past the checks, Qt's own fatal error (it would abort: exit 134) is turned into a sentence,
    without Qt's hint that blames libxcb-cursor0."""
    unused = next(n for n in range(9917, 9999) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    proc = _start_app(tmp_path, DISPLAY=f":{unused}")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (f"digitapp: error: The window cannot open: the display ':{unused}' cannot be reached "
                           "(is the X server running, and may this user use it?).\n")
    logged = (tmp_path / "digitapp.log").read_text(encoding="utf-8")
    assert "Qt could not start: could not connect to display" in logged  # Qt's own words, for whoever helps


def test_the_environment_decides_whether_a_display_is_there():
    checks = dict(platform="linux", frozen=True)  # frozen: the libraries are not looked at here
    assert display.display_problem({}, **checks) == display.no_display_message()
    assert display.display_problem(X11, **checks) is None
    assert display.display_problem({"WAYLAND_DISPLAY": "wayland-0"}, **checks) is None  # Qt tries Wayland first
    assert display.display_problem({"QT_QPA_PLATFORM": "offscreen"}, **checks) is None
    assert display.display_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, **checks) == (
        display.no_display_message(x11_only=True))
    assert "DISPLAY is not set" in display.no_display_message(x11_only=True)
    assert display.display_problem({}, platform="win32") is None
    assert display.display_problem({}, platform="darwin") is None


def test_missing_x11_libraries_name_the_packages_to_install(monkeypatch):
    """The case seen on a minimal Debian 12: Qt's message blamed libxcb-cursor0, which was there."""
    real = ctypes.CDLL

    def without_two(name, *args, **kwargs):
        if name in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1"):
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(ctypes, "CDLL", without_two)
    assert display.display_problem(X11, platform="linux", frozen=True) is None  # a frozen build brings its own
    assert display.display_problem(X11, platform="linux", frozen=False) == (
        "The window cannot open: Qt needs system libraries that are not installed (libxcb-icccm.so.4, "
        "libxcb-keysyms.so.1); on Debian or Ubuntu install them with `sudo apt install libxcb-icccm4 libxcb-keysyms1`.")
    # The same diagnosis when Qt's fatal error comes first, whatever Qt said.
    hint = "From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin."
    sentence = display.platform_failure_message([hint], X11, platform="linux")
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1`" in sentence and "cursor" not in sentence


def test_other_start_up_failures_are_one_sentence_too():
    plugin = 'Could not load the Qt platform plugin "cocoa" in "" even though it was found.'
    assert display.platform_failure_message([plugin], {}, platform="darwin") == (
        'The window cannot open: Qt could not start a platform plugin (Could not load the Qt platform plugin '
        '"cocoa" in "" even though it was found).')
    wayland = display.platform_failure_message(["could not connect to display "], {"WAYLAND_DISPLAY": "w-1"},
                                               platform="darwin")
    assert wayland.startswith("The window cannot open: the Wayland display 'w-1' cannot be used")
    gl = ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
    assert display.import_failure_message(gl).endswith("install them with `sudo apt install libgl1`.")
    assert display.import_failure_message(ImportError("DLL load failed while importing QtGui")) == (
        "The window cannot open: Qt could not be loaded (DLL load failed while importing QtGui).")


@pytest.mark.skipif(not LINUX or os.uname().machine != "x86_64", reason="reads PySide6's Linux x86-64 libraries")
def test_the_library_list_is_what_pyside6s_libraries_need():
    """The list (and the README's apt line) follows PySide6: the libraries its X11 plugin,
    QtGui, QtCore, QtWidgets and QtDBus are linked against, besides its own."""
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    needed = {name for library in QT_LIBRARIES_LOADED_FOR_A_WINDOW for name in _needed(qt / library)}
    system = {n for n in needed if not n.startswith(("libQt6", "libicu", "ld-linux"))} - BASE_LIBRARIES
    assert system == set(display.X11_LIBRARIES)
    assert "libxcb-icccm.so.4" in system and "libxcb-keysyms.so.1" in system and "libxcb-cursor.so.0" in system


def test_the_readme_lists_the_packages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"sudo apt install {' '.join(display.APT_PACKAGES)}\n" in readme
