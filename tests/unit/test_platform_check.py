"""Before Qt starts: a machine without the X11 plugin's system packages is told which to install."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui.platform_check import INSTALL_LINE, XCB_LIBRARIES, problem, uses_xcb

ROOT = Path(__file__).resolve().parents[2]


def test_nothing_to_say_when_every_library_loads_and_the_display_answers():
    assert problem(load=lambda _name: True, environ={"DISPLAY": ":0"}, platform="linux",
                   display_answers=lambda _display: True) is None


def test_a_display_that_is_not_there_is_named():
    assert "there is no display" in problem(load=lambda _name: True, environ={}, platform="linux")
    assert "the display :7 does not answer" in problem(load=lambda _name: True, environ={"DISPLAY": ":7"},
                                                         platform="linux", display_answers=lambda _d: False)


def test_the_missing_packages_are_named_with_the_command_that_installs_them():
    message = problem(load=lambda name: name not in ("libxcb-cursor.so.0", "libxcb-icccm.so.4"),
                      environ={"DISPLAY": ":0"}, platform="linux")
    assert message is not None
    assert "libxcb-cursor0, libxcb-icccm4" in message
    assert "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4" in message


def test_only_the_x11_plugin_is_checked():
    assert uses_xcb({}, "linux") and uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb({}, "win32")
    assert problem(load=lambda _name: False, environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux") is None


def test_the_readme_installs_every_package_the_check_knows():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert INSTALL_LINE.removeprefix("sudo ") in readme
    assert all(package in INSTALL_LINE for _library, package in XCB_LIBRARIES)


def test_the_app_prints_the_packages_instead_of_aborting(tmp_path):
    # As on a machine without libxcb-cursor0: the command says so and exits 1, before any Qt is loaded.
    code = ("import sys, ui.platform_check as check\n"
            "real = check._load\n"
            "check._load = lambda name: name != 'libxcb-cursor.so.0' and real(name)\n"
            "from ui.entry import main\n"
            "sys.argv = ['community-trigger', '--database', sys.argv[1]]\n"
            "status = main()\n"
            "assert 'PySide6.QtWidgets' not in sys.modules\n"
            "sys.exit(status)\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DISPLAY": ":13", "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code, f"sqlite:///{tmp_path / 'x.db'}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "sudo apt-get install -y libxcb-cursor0" in done.stderr
    assert "Traceback" not in done.stderr
