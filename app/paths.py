"""Where files live: user data, site-wide settings, and the shipped resources folder."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from app import APP_SLUG

_VENDOR = "CommunityTrigger"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_SLUG, _VENDOR))


def default_database_path() -> Path:
    return user_data_dir() / "community-trigger.db"


def site_config_file() -> Path:
    """The administrator's machine-wide settings (%PROGRAMDATA% on Windows, /etc/xdg on Linux)."""
    override = os.environ.get("COMMUNITY_TRIGGER_SITE_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.site_config_dir(APP_SLUG, _VENDOR)) / "site.json"


def resources_dir() -> Path:
    """resources/ beside the packages, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
