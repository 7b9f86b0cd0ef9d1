"""Users and signing in: the operating-system login by default, or a username and password.

On the shared server with a login role per officer, the app's user is the server's session_user,
and the app role must agree with the server group role the login is in (deploy/postgresql-roles.sql
marks each group with a comment naming its app role); a disagreement is refused at sign-in, since
the server would allow one thing and the app another.

Password sign-in takes the same time whether or not the username exists (a hash is always
computed), backs off and then locks after repeated failures (counted by username, known or not,
so a lockout says nothing about who exists), and refuses a malformed stored hash as a wrong
password. On the server, no role reads the hashes: the salt and the check come from SECURITY
DEFINER functions, which also keep the failure counts where no application role can reset them.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from app.db.models import SignInAttempt, User, UserPassword
from app.domain.application import Problem
from app.domain.roles import Permission, Role
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read
from app.services.common.errors import NotFound, PermissionDenied, ValidationFailed
from app.services.common.ops import NOTHING, Changes, Part

# scrypt is memory-hard and in the standard library (hashlib): no extra dependency to keep.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}
ROLE_COMMENT = "community-trigger role: "  # the comment on each server group role (postgresql-roles.sql)
MAX_PASSWORD = 1024
LOCK_AFTER = 5
WRONG = "The username or password is not right."
_LIMITS = {"login": 120, "display_name": 200, "email": 200, "phone": 40, "job_title": 120}
_dummy_hash: str | None = None


def backoff(failures: int) -> timedelta | None:
    """How long sign-in is refused after this many failures in a row (the same rule as the server's)."""
    if failures >= LOCK_AFTER:
        return timedelta(minutes=15)
    return {3: timedelta(seconds=30), 4: timedelta(minutes=2)}.get(failures)


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    display_name: str
    role: Role
    active: bool
    has_password: bool
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    changes: Changes = field(default=NOTHING, compare=False)  # set by the operations that save a user

    def to_json(self) -> dict[str, object]:
        return {"login": self.login, "name": self.display_name, "role": self.role.value, "active": self.active,
                "password": self.has_password, "email": self.email, "phone": self.phone,
                "job_title": self.job_title}


# --- passwords -------------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def _digest(password: str, salt_b64: str) -> str:
    """scrypt of the password with this salt; a salt that is not base64 still costs the same work."""
    try:
        salt = base64.b64decode(salt_b64, validate=True)
    except (binascii.Error, ValueError):
        salt = hashlib.sha256(salt_b64.encode("utf-8", "replace")).digest()[:16]
    return base64.b64encode(hashlib.scrypt(password.encode("utf-8", "replace"), salt=salt, **_SCRYPT)).decode()


def _parts(stored: str | None) -> tuple[str, str] | None:
    if not stored or not isinstance(stored, str):
        return None
    parts = stored.split("$")
    if len(parts) != 3 or parts[0] != "scrypt" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def verify_password(password: str, stored: str | None) -> bool:
    """True only for the right password; a missing or malformed hash is simply wrong (never raises)."""
    parts = _parts(stored)
    salt, expected = parts if parts else (_parts(_dummy())[0], "")  # type: ignore[index]
    candidate = _digest(password, salt)
    return parts is not None and hmac.compare_digest(candidate.encode(), expected.encode())


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(os.urandom(8).hex())
    return _dummy_hash


# --- the server's view of who is signed in -----------------------------------------------------------

@dataclass(frozen=True)
class ServerLogin:
    session_user: str
    roles: tuple[Role, ...]  # the app roles of the ct_ group roles the login is directly in


def server_login(session: Session, ctx: ServiceContext) -> ServerLogin | None:
    """On PostgreSQL, a login in the app's group roles; None on SQLite and for the owner's own login."""
    if ctx.dialect != "postgresql":
        return None
    rows = session.execute(text(
        "SELECT session_user, shobj_description(g.oid, 'pg_authid') FROM pg_auth_members m "
        "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "WHERE u.rolname = session_user")).all()
    roles = []
    for _user, comment in rows:
        if comment and comment.startswith(ROLE_COMMENT):
            try:
                roles.append(Role(comment[len(ROLE_COMMENT):].strip()))
            except ValueError:
                continue
    if not roles:
        return None
    return ServerLogin(str(session.execute(text("SELECT session_user")).scalar_one()), tuple(sorted(set(roles))))


def _disagreement(server: ServerLogin, user: User) -> str | None:
    if server.roles == (Role(user.role),):
        return None
    have = ", ".join(r.label.lower() for r in server.roles)
    return (f"Your role in the app is {Role(user.role).label.lower()}, but your login on the database server "
            f"({server.session_user}) is in the server's {have} group. They must agree, so the app cannot be "
            "opened: ask an administrator to correct one of them.")


def _find(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))


def _has_password(session: Session, user_id: int) -> bool:
    # Only the user_id column: on the server no role may read the hashes themselves.
    return session.scalar(select(UserPassword.user_id).where(UserPassword.user_id == user_id).limit(1)) is not None


def _info(session: Session, user: User) -> UserInfo:
    return UserInfo(user.id, user.login, user.display_name, Role(user.role), user.active,
                    _has_password(session, user.id), user.email, user.phone, user.job_title)


# --- signing in --------------------------------------------------------------------------------------

def sign_in(ctx: ServiceContext) -> UserInfo:
    """Map the login to an app user. The very first user of a new database becomes its administrator."""
    refused: str | None = None
    with ctx.unit_of_work() as session:
        server = server_login(session, ctx)
        if server is not None:
            ctx.actor = server.session_user  # the server's login is who acts, whatever the desktop says
        user = _find(session, ctx.actor)
        if user is None:
            if session.scalar(select(func.count()).select_from(User)):
                audit.record(session, ctx, "sign in refused", "user", None, reason="login not set up")
                refused = (f"Your login '{ctx.actor}' is not set up in this database, so it cannot be opened. "
                           "Ask an administrator to add you as a user.")
            else:
                user = User(login=ctx.actor, display_name=ctx.actor, role=Role.ADMINISTRATOR.value)
                session.add(user)
                session.flush()
                audit.record(session, ctx, "create", "user", user.id, reason="first user of a new database")
        if user is not None and refused is None:
            if not user.active:
                refused = f"The user '{user.login}' has been switched off. Ask an administrator."
            elif server is not None:
                refused = _disagreement(server, user)
            if refused:
                audit.record(session, ctx, "sign in refused", "user", user.id,
                             reason="switched off" if not user.active else "app role and server role disagree")
            else:
                ctx.role = Role(user.role)
                audit.record(session, ctx, "sign in", "user", user.id)
                return _info(session, user)
    raise PermissionDenied(refused)


def sign_in_with_password(ctx: ServiceContext, login: str, password: str) -> UserInfo:
    """For deployments that need a username and password instead of the Windows login."""
    key = " ".join((login or "").split()).lower()
    password = password or ""
    refused = WRONG
    with ctx.unit_of_work() as session:
        server = server_login(session, ctx)
        if server is not None and server.session_user.lower() != key:
            verify_password(password, None)  # the same time as any other refusal
            audit.record(session, ctx, "sign in refused", "user", None, reason="not the server login")
            refused = (f"You are connected to the database server as {server.session_user}: sign in as that user, "
                       "or connect with your own login.")
        elif len(password) > MAX_PASSWORD or not key or len(key) > _LIMITS["login"]:
            verify_password("", None)
            audit.record(session, ctx, "sign in refused", "user", None, reason="wrong username or password")
        else:
            outcome, until = (_check_on_server(session, key, password) if _server_checks(session, ctx)
                              else _check_here(session, ctx, key, password))
            user = _find(session, key)
            if outcome == "ok" and user is not None and user.active:
                ctx.actor = user.login
                ctx.role = Role(user.role)
                audit.record(session, ctx, "sign in", "user", user.id, reason="password")
                return _info(session, user)
            if outcome in ("locked", "lockout"):
                # "lockout": this failure locked the username; "locked": it was already waiting.
                audit.record(session, ctx, "sign in locked" if outcome == "lockout" else "sign in refused",
                             "user", user.id if user else None,
                             reason=f"too many wrong passwords; refused until {until:%Y-%m-%d %H:%M:%S} UTC"
                             if until else "too many wrong passwords")
                refused = _locked_message(until)
            else:
                audit.record(session, ctx, "sign in refused", "user", user.id if user else None,
                             reason="wrong username or password")
    raise PermissionDenied(refused)


def _locked_message(until: datetime | None) -> str:
    if until is None:
        return "Too many wrong passwords for this username. Try again later, or ask an administrator."
    from app.services.trust.audit_log import uk_time
    return (f"Too many wrong passwords for this username: sign-in is refused until {uk_time(until):%H:%M on %d/%m/%Y}. "
            "Try again then, or ask an administrator.")


def _server_checks(session: Session, ctx: ServiceContext) -> bool:
    if ctx.dialect != "postgresql":
        return False
    return bool(session.execute(text("SELECT to_regprocedure('ct_password_check(text,text)') IS NOT NULL")).scalar())


def _check_on_server(session: Session, key: str, password: str) -> tuple[str, datetime | None]:
    salt = session.execute(text("SELECT ct_password_salt(:login)"), {"login": key}).scalar_one()
    answer = str(session.execute(text("SELECT ct_password_check(:login, :digest)"),
                                 {"login": key, "digest": _digest(password, salt or "")}).scalar_one())
    word, _, when = answer.partition(" ")
    return word, datetime.fromisoformat(when) if when else None


def _check_here(session: Session, ctx: ServiceContext, key: str, password: str) -> tuple[str, datetime | None]:
    """The same rule as the server's ct_password_check, for SQLite (times in UTC, like the audit log)."""
    from app.db.models.base import utcnow
    now = utcnow()
    attempt = session.get(SignInAttempt, key, with_for_update=True)
    user = _find(session, key)
    stored = session.scalar(select(UserPassword.hash).where(UserPassword.user_id == user.id)) if user else None
    right = verify_password(password, stored) and user is not None and user.active
    if attempt is not None and attempt.locked_until is not None and attempt.locked_until > now:
        return "locked", attempt.locked_until
    if right:
        session.execute(delete(SignInAttempt).where(SignInAttempt.login == key))
        return "ok", None
    if attempt is None:
        attempt = SignInAttempt(login=key, failures=0)
        session.add(attempt)
    attempt.failures += 1
    attempt.last_failed_at = now
    wait = backoff(attempt.failures)
    attempt.locked_until = now + wait if wait else None
    session.flush()
    return ("lockout", attempt.locked_until) if attempt.failures >= LOCK_AFTER else ("wrong", None)


# --- managing users ------------------------------------------------------------------------------------

@retry_read
def list_users(ctx: ServiceContext) -> list[UserInfo]:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        return [_info(session, u) for u in session.scalars(select(User).order_by(func.lower(User.login)))]


def _check_values(login: str, role: str | None, password: str | None, values: dict[str, str | None]) -> None:
    problems = []
    if not login.strip():
        problems.append(Problem("login", "give the login name"))
    if role is not None and role not in {r.value for r in Role}:
        problems.append(Problem("role", f"choose one of {', '.join(r.value for r in Role)}"))
    if password is not None and len(password) < 12:
        problems.append(Problem("password", "use at least 12 characters"))
    if password is not None and len(password) > MAX_PASSWORD:
        problems.append(Problem("password", f"use at most {MAX_PASSWORD} characters"))
    for name, value in {"login": login, **values}.items():
        if value and len(value) > _LIMITS[name]:
            problems.append(Problem(name, f"keep it to {_LIMITS[name]} characters (it has {len(value)})"))
        if value and ("\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)):
            problems.append(Problem(name, "holds a character that cannot be stored"))
    if values.get("email") and "@" not in (values["email"] or ""):
        problems.append(Problem("email", "that is not an email address"))
    if problems:
        raise ValidationFailed(problems)


def _apply(session: Session, ctx: ServiceContext, user: User, *, role: str | None, active: bool | None,
           password: str | None, values: dict[str, str | None], created: bool) -> UserInfo:
    if (not created and user.login.lower() == ctx.actor.lower() and user.role == Role.ADMINISTRATOR
            and ((role is not None and role != Role.ADMINISTRATOR) or active is False)):
        raise ValidationFailed([Problem("role", "you cannot remove your own administrator role or switch yourself off")])
    changes: dict[str, tuple[object, object]] = {}
    for name, value in [("role", role), ("active", active), *values.items()]:
        if value is not None and getattr(user, name) != value:
            # Roles and switches are not personal data: kept with the values all the same, like any change.
            changes[name] = (None if created else getattr(user, name), value)
            setattr(user, name, value)
    session.flush()
    if password is not None:
        session.execute(delete(UserPassword).where(UserPassword.user_id == user.id))
        session.add(UserPassword(user_id=user.id, hash=hash_password(password)))
        changes["password"] = (None, "set")  # never the password or its hash
        session.flush()
    if changes or created:
        audit.record(session, ctx, "create" if created else "change", "user", user.id, changes=changes)
    # A name is shown in the case list's officer column and its filter choices as well.
    parts = [Part.USERS, *([Part.LIST] if "display_name" in changes else [])]
    return replace(_info(session, user), changes=Changes.of(*parts) if changes or created else NOTHING)


def _tidy(values: dict[str, str | None]) -> dict[str, str | None]:
    return {k: (" ".join(v.split()) if k != "email" else v.strip()) if v is not None else None
            for k, v in values.items()}


def save_user(ctx: ServiceContext, login: str, *, display_name: str, role: str, active: bool = True,
              password: str | None = None, email: str | None = None, phone: str | None = None,
              job_title: str | None = None) -> UserInfo:
    """Add a user or change one (the settings page's form)."""
    ctx.require(Permission.MANAGE_USERS)
    values = _tidy({"display_name": display_name, "email": email, "phone": phone, "job_title": job_title})
    _check_values(login, role, password, values)
    with ctx.unit_of_work() as session:
        user = _find(session, login)
        created = user is None
        if user is None:
            user = User(login=login.strip(), display_name=values["display_name"] or login.strip(), role=role)
            session.add(user)
            session.flush()
        if not values["display_name"]:
            values["display_name"] = None
        return _apply(session, ctx, user, role=role, active=active, password=password, values=values,
                      created=created)


def add_user(ctx: ServiceContext, login: str, *, display_name: str, role: str, email: str | None = None,
             phone: str | None = None, job_title: str | None = None, password: str | None = None) -> UserInfo:
    """A new user; refuses a login that is already a user (`change_user` changes one)."""
    ctx.require(Permission.MANAGE_USERS)
    values = _tidy({"display_name": display_name, "email": email, "phone": phone, "job_title": job_title})
    if not values["display_name"]:
        raise ValidationFailed([Problem("name", "give the user's name, as letters will show it")])
    _check_values(login, role, password, values)
    with ctx.unit_of_work() as session:
        if _find(session, login) is not None:
            raise ValidationFailed([Problem("login", f"'{login.strip()}' is already a user: change it instead")])
        user = User(login=login.strip(), display_name=values["display_name"] or login.strip(), role=role, active=True)
        session.add(user)
        session.flush()
        return _apply(session, ctx, user, role=role, active=True, password=password, values=values, created=True)


def change_user(ctx: ServiceContext, login: str, *, display_name: str | None = None, role: str | None = None,
                email: str | None = None, phone: str | None = None, job_title: str | None = None,
                active: bool | None = None, password: str | None = None) -> UserInfo:
    """Change what is given and leave the rest; refuses an unknown login."""
    ctx.require(Permission.MANAGE_USERS)
    values = _tidy({"display_name": display_name, "email": email, "phone": phone, "job_title": job_title})
    _check_values(login, role, password, values)
    with ctx.unit_of_work() as session:
        user = _find(session, login)
        if user is None:
            raise NotFound(f"There is no user '{login.strip()}'. Add them first.")
        return _apply(session, ctx, user, role=role, active=active, password=password, values=values, created=False)
