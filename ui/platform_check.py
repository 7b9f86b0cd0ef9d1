"""Before Qt starts on Linux: can its X11 (xcb) plugin load? If not, say which packages to install.

Without this, a fresh Debian or Ubuntu machine aborts inside Qt (exit code 134) with a message that
blames one library when several may be missing. Loading the plugin's libraries is a few milliseconds;
Qt loads them a moment later anyway. No Qt is imported here.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# Each library Qt's xcb platform plugin links to that a desktop may lack, with its Debian/Ubuntu package.
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
)
ALL_PACKAGES = " ".join(package for _, package in XCB_LIBRARIES)
INSTALL_LINE = f"sudo apt-get install -y {ALL_PACKAGES}"


def _load(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def uses_xcb(environ: dict[str, str] | os._Environ[str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will start with its X11 plugin (Linux, not asked for another one, not on Wayland)."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").strip().lower()
    if chosen:
        return chosen.split(";")[0].startswith("xcb")
    return not env.get("WAYLAND_DISPLAY")


def _display_answers(display: str) -> bool:
    """Whether the X server named by DISPLAY accepts a connection (Qt's message when it does not
    wrongly blames libxcb-cursor0)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def missing_packages(load: Callable[[str], bool] | None = None) -> list[str]:
    loader = load or _load
    return [package for library, package in XCB_LIBRARIES if not loader(library)]


def problem(load: Callable[[str], bool] | None = None, environ: dict[str, str] | None = None,
            platform: str | None = None, display_answers: Callable[[str], bool] | None = None) -> str | None:
    """What to tell the user when the window cannot open, or None when it can."""
    env = os.environ if environ is None else environ
    if not uses_xcb(env, platform):
        return None
    missing = missing_packages(load)
    if missing:
        return ("The window cannot open: Qt's X11 support needs system packages that are not installed "
                f"({', '.join(missing)}).\nOn Debian or Ubuntu, install them with:\n\n"
                f"    sudo apt-get install -y {' '.join(missing)}\n\n"
                "then start the app again. (The command line works without them.)")
    display = env.get("DISPLAY", "")
    if not display:
        return ("The window cannot open: there is no display (DISPLAY is not set). Start the app from a "
                "desktop session, or on a server through xvfb-run. (The command line works without one.)")
    if not (display_answers or _display_answers)(display):
        return (f"The window cannot open: the display {display} does not answer. Check DISPLAY, or start the "
                "app from a desktop session. (The command line works without one.)")
    return None
