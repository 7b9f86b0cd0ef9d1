"""Who is using the app: the operating system's login (from its API, not environment variables)."""
from __future__ import annotations

import socket
import sys


def os_login() -> str:
    if sys.platform == "win32":
        import ctypes
        from ctypes import wintypes
        size = wintypes.DWORD(257)
        buffer = ctypes.create_unicode_buffer(size.value)
        if ctypes.windll.advapi32.GetUserNameW(buffer, ctypes.byref(size)):  # type: ignore[attr-defined]
            return buffer.value
        raise OSError("Windows did not say who is signed in")
    import os
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def machine_name() -> str:
    return socket.gethostname()
