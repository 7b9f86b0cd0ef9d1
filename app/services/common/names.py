"""People's names as they gave them, for showing instead of the logins the records keep."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import User


class UserNames:
    """Login -> display name for every user, read in one query; unknown logins are shown as written."""

    def __init__(self, session: Session) -> None:
        self._names = {login.lower(): name for login, name in session.execute(select(User.login, User.display_name))
                       if name and name.strip()}
        self._active = [(login, name) for login, name, active in session.execute(
            select(User.login, User.display_name, User.active).order_by(User.display_name)) if active]

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
