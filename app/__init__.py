"""Community Trigger Case Manager: the headless core (no Qt, no ui imports)."""
from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Community Trigger Case Manager"
APP_SLUG = "community-trigger"
