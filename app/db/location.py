"""Which database to open: the command line, the environment, the site file, or the local default."""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from sqlalchemy.engine import URL, make_url

from app.paths import default_database_path, site_config_file

ENV_VAR = "COMMUNITY_TRIGGER_DATABASE"


class UnsafeDatabaseLocation(RuntimeError):
    """An SQLite file on a network drive, where file locking is known to corrupt databases."""


@dataclass(frozen=True)
class DatabaseChoice:
    url: URL
    source: str  # "command line", "environment", "site settings", "default"

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def short_name(self) -> str:
        """For the window's title: the file's name, or the database and its server ('trigger on db1')."""
        if self.sqlite_path:
            return self.sqlite_path.name
        return f"{self.url.database or 'database'} on {self.url.host or 'localhost'}"

    def describe(self) -> str:
        if self.sqlite_path:
            return f"SQLite file {self.sqlite_path}"
        return self.url.render_as_string(hide_password=True)


def normalise_url(text: str) -> URL:
    """Accept postgresql:// and postgres:// for the server, and plain file paths for SQLite."""
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    url = make_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def choose_database(cli_value: str | None = None) -> DatabaseChoice:
    if cli_value:
        return DatabaseChoice(normalise_url(cli_value), "command line")
    if os.environ.get(ENV_VAR):
        return DatabaseChoice(normalise_url(os.environ[ENV_VAR]), "environment")
    site = read_site_settings()
    if site.get("database_url"):
        return DatabaseChoice(normalise_url(str(site["database_url"])), "site settings")
    return DatabaseChoice(normalise_url(str(default_database_path())), "default")


def read_site_settings() -> dict[str, object]:
    path = site_config_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


_NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "afs", "sshfs", "fuse.sshfs",
                        "davfs", "ncpfs", "glusterfs", "ceph", "fuse.rclone"}


def is_network_path(path: Path) -> bool:
    """True for UNC paths, mapped network drives (Windows) and network mounts (Linux)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if sys.platform == "win32":
        drive = PureWindowsPath(text).drive
        if drive and len(drive) == 2:
            import ctypes
            DRIVE_REMOTE = 4
            return ctypes.windll.kernel32.GetDriveTypeW(f"{drive}\\") == DRIVE_REMOTE  # type: ignore[attr-defined]
        return False
    return _mount_type(path) in _NETWORK_FILESYSTEMS


def _mount_type(path: Path) -> str | None:
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = str(path.resolve() if path.exists() else path.parent.resolve())
    best, kind = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3:
            mount_point = parts[1].replace("\\040", " ")
            if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) \
                    and len(mount_point) > len(best):
                best, kind = mount_point, parts[2]
    return kind


def check_sqlite_location(path: Path, network_check: Callable[[Path], bool] = is_network_path) -> None:
    if network_check(path):
        raise UnsafeDatabaseLocation(
            f"The database file {path} is on a network drive. SQLite's own documentation warns that "
            "file locking on network drives can corrupt the database. Keep the SQLite file on this "
            "computer's own disk, or ask your administrator for the shared PostgreSQL database.")
