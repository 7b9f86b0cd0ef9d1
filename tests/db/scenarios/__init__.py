"""The scenarios of tests/db/test_one_transaction.py: for each service that can change anything, a small
set-up that returns the action (or the context that acts and the action), registered by name.

They live by capability in the modules beside this one; `SCENARIOS` holds them all once imported.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.services.common.context import ServiceContext

# A set-up returns the action, or (the context that acts, the action) when someone else acts.
Setup = Callable[[ServiceContext, Path], Any]
SCENARIOS: dict[str, tuple[Setup, int]] = {}


def scenario(name: str, transactions: int = 1) -> Callable[[Setup], Setup]:
    def register(setup: Setup) -> Setup:
        SCENARIOS[f"app.services.{name}"] = (setup, transactions)
        return setup
    return register


def all_scenarios() -> dict[str, tuple[Setup, int]]:
    """Every scenario, each module imported (registering its own)."""
    from tests.db.scenarios import cases_and_intake, letters_and_panels, people_and_agencies, reports_and_trust  # noqa: F401
    return SCENARIOS
