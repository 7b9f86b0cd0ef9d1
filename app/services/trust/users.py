"""Users and signing in: the operating-system login by default, or a username and password."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from sqlalchemy import func, select

from app.db.models import User
from app.domain.application import Problem
from app.domain.roles import Permission, Role
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import PermissionDenied, ValidationFailed

# scrypt is memory-hard and in the standard library (hashlib): no extra dependency to keep.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    display_name: str
    role: Role
    active: bool
    has_password: bool


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def sign_in(ctx: ServiceContext) -> UserInfo:
    """Map the login to an app user. The very first user of a new database becomes its administrator."""
    with ctx.unit_of_work() as session:
        user = session.scalar(select(User).where(func.lower(User.login) == ctx.actor.lower()))
        if user is None:
            if session.scalar(select(func.count()).select_from(User)):
                raise PermissionDenied(
                    f"Your login '{ctx.actor}' is not set up in this database, so it cannot be opened. "
                    "Ask an administrator to add you as a user.")
            user = User(login=ctx.actor, display_name=ctx.actor, role=Role.ADMINISTRATOR.value)
            session.add(user)
            session.flush()
            audit.record(session, ctx, "create", "user", user.id, reason="first user of a new database")
        if not user.active:
            raise PermissionDenied(f"The user '{user.login}' has been switched off. Ask an administrator.")
        ctx.role = Role(user.role)
        audit.record(session, ctx, "sign in", "user", user.id)
        return _info(user)


def sign_in_with_password(ctx: ServiceContext, login: str, password: str) -> UserInfo:
    """For deployments that need a username and password instead of the Windows login."""
    with ctx.unit_of_work() as session:
        user = session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
        if user is None or not user.active or not verify_password(password, user.password_hash):
            audit.record(session, ctx, "sign in refused", "user", user.id if user else None)
            raise PermissionDenied("The username or password is not right.")
        ctx.actor = user.login
        ctx.role = Role(user.role)
        audit.record(session, ctx, "sign in", "user", user.id, reason="password")
        return _info(user)


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.login, user.display_name, Role(user.role), user.active, bool(user.password_hash))


@retry_read
def list_users(ctx: ServiceContext) -> list[UserInfo]:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        return [_info(u) for u in session.scalars(select(User).order_by(func.lower(User.login)))]


def save_user(ctx: ServiceContext, login: str, *, display_name: str, role: str, active: bool = True,
              password: str | None = None) -> UserInfo:
    ctx.require(Permission.MANAGE_USERS)
    problems = []
    if not login.strip():
        problems.append(Problem("login", "give the login name"))
    if role not in {r.value for r in Role}:
        problems.append(Problem("role", f"choose one of {', '.join(r.label for r in Role)}"))
    if password is not None and len(password) < 12:
        problems.append(Problem("password", "use at least 12 characters"))
    if problems:
        raise ValidationFailed(problems)
    with ctx.unit_of_work() as session:
        user = session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
        if user is None:
            user = User(login=login.strip(), display_name=display_name.strip() or login.strip(), role=role)
            session.add(user)
        if user.login.lower() == ctx.actor.lower() and role != Role.ADMINISTRATOR and user.role == Role.ADMINISTRATOR:
            raise ValidationFailed([Problem("role", "you cannot remove your own administrator role")])
        user.display_name = display_name.strip() or user.display_name
        user.role = role
        user.active = active
        if password is not None:
            user.password_hash = hash_password(password)
        session.flush()
        audit.record(session, ctx, "change", "user", user.id, changes={"role": (None, role), "active": (None, active)})
        return _info(user)
