"""People's names as they gave them, for showing instead of the logins the records keep."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import User

# Every user's login, name and whether active, by name: what UserNames needs, in one read.
USERS = select(User.login, User.display_name, User.active).order_by(User.display_name)


class UserNames:
    """Login -> display name for every user, read in one query; unknown logins are shown as written."""

    def __init__(self, session: Session | None, rows: Iterable[tuple[str, str | None, bool]] | None = None) -> None:
        """From the users table (one query), or from `rows` of USERS already read with other reads."""
        found = list(rows) if rows is not None else list(session.execute(USERS)) if session is not None else []
        self._names = {login.lower(): name for login, name, _active in found if name and name.strip()}
        self._active = [(login, name) for login, name, active in found if active]

    def __call__(self, login: str | None) -> str:
        if not login:
            return ""
        return self._names.get(login.lower(), login)

    def both(self, login: str | None) -> str:
        """'Jo Smith (j.smith)' where the name differs from the login, for records that must show both."""
        name = self(login)
        return f"{name} ({login})" if login and name != login else (login or "")

    def active_users(self) -> list[tuple[str, str]]:
        """(login, name) of every active user, by name: the choices for a case officer."""
        return [(login, name or login) for login, name in self._active]
