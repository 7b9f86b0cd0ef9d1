"""The administrator's deploy/postgresql-roles.sql on the test server, with names unique to a test session.

Role names are cluster-wide, and several test sessions may share one server: each session renames
the five groups with its own suffix (nothing else in the file changes), gives each a throwaway login
role, and drops them all at the end.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

from app.domain.roles import Role

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgresql-roles.sql"
GROUPS = {Role.READ_ONLY: "ct_read_only", Role.OFFICER: "ct_officer", Role.PANEL_CHAIR: "ct_panel_chair",
          Role.MANAGER: "ct_manager", Role.ADMINISTRATOR: "ct_admin"}
_NAMES = re.compile(r"\b(ct_read_only|ct_officer|ct_panel_chair|ct_manager|ct_admin)\b")


def connect(url: URL | str) -> psycopg.Connection:
    u = make_url(url) if isinstance(url, str) else url
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database,
                           password=u.password, autocommit=True)


@dataclass
class ServerRoles:
    admin_url: URL
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    applied: bool = False
    logins: dict[str, str] = field(default_factory=dict)  # login -> group

    def group(self, role: Role) -> str:
        return f"{GROUPS[role]}_{self.suffix}"

    def script(self) -> str:
        return _NAMES.sub(lambda m: f"{m.group(1)}_{self.suffix}", ROLES_SQL.read_text(encoding="utf-8"))

    def apply(self) -> None:
        """Run the file as the administrator would (again after a migration: it is idempotent)."""
        with connect(self.admin_url) as admin:
            admin.execute(self.script())
        self.applied = True

    def login(self, role: Role, name: str | None = None, *, groups: tuple[Role, ...] | None = None) -> URL:
        """A login role in the group of `role` (or in several groups), and the URL to connect as it."""
        name = name or f"ct_login_{role.value}_{self.suffix}"
        if name not in self.logins:
            with connect(self.admin_url) as admin:
                admin.execute(f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
                for each in groups or (role,):
                    admin.execute(f'GRANT "{self.group(each)}" TO "{name}"')
            self.logins[name] = self.group(role)
        return self.admin_url.set(username=name)

    def drop(self) -> None:
        names = [*self.logins, *(self.group(r) for r in reversed(list(GROUPS)))]
        with connect(self.admin_url) as admin:
            existing = {r for (r,) in admin.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
                                                     (names,))}
            for login in self.logins:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,))
            if existing:
                quoted = ", ".join(f'"{n}"' for n in names if n in existing)
                admin.execute(f"DROP OWNED BY {quoted}")
                for name in names:
                    if name in existing:
                        admin.execute(f'DROP ROLE "{name}"')
        self.logins.clear()
