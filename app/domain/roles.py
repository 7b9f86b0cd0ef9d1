"""Roles and what each may do. Enforced in the services, not only by greying out buttons."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    PANEL_CHAIR = "panel_chair"
    MANAGER = "manager"
    ADMINISTRATOR = "administrator"
    READ_ONLY = "read_only"

    @property
    def label(self) -> str:
        return {"officer": "Officer", "panel_chair": "Panel chair", "manager": "Manager",
                "administrator": "Administrator", "read_only": "Read only"}[self.value]


class Permission(StrEnum):
    VIEW = "view cases"
    CHANGE_CASES = "change cases"
    MANAGE_PANELS = "manage panel meetings"
    APPROVE_FINDINGS = "approve the findings letter"
    EXPORT = "export or print personal data"
    VIEW_AUDIT = "view the audit log"
    RETENTION = "anonymise or delete records"
    EDIT_AGENCIES = "edit the agency directory"
    MANAGE_USERS = "manage users"
    EDIT_SETTINGS = "change settings"


P = Permission
_OFFICER = {P.VIEW, P.CHANGE_CASES, P.MANAGE_PANELS, P.EXPORT, P.EDIT_AGENCIES}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.READ_ONLY: frozenset({P.VIEW}),
    Role.OFFICER: frozenset(_OFFICER),
    Role.PANEL_CHAIR: frozenset(_OFFICER | {P.APPROVE_FINDINGS}),
    Role.MANAGER: frozenset(_OFFICER | {P.APPROVE_FINDINGS, P.VIEW_AUDIT, P.RETENTION}),
    Role.ADMINISTRATOR: frozenset(Permission),
}


def allows(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS[role]
