"""Changing the council's settings and a user's own contact details; the first-run check."""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.db.models import Case, SettingRow, User
from app.db.models.base import utcnow
from app.domain.application import Problem
from app.domain.clocks import ClockSettings
from app.domain.roles import Permission
from app.domain.settings import Settings
from app.services.common import audit
from app.services.common.context import retry_read, SETTINGS_KEY, ServiceContext
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes, Done, Part

SET_UP_KEY = "set_up_done"


def _store(ctx: ServiceContext, settings: Settings, what: str) -> None:
    with ctx.unit_of_work() as session:
        row = session.get(SettingRow, SETTINGS_KEY)
        if row is None:
            row = SettingRow(key=SETTINGS_KEY, value="{}")
            session.add(row)
        before = json.loads(row.value or "{}")
        row.value = json.dumps(settings.to_json())
        row.updated_at, row.updated_by = utcnow(), ctx.actor
        changed = {k: (None, None) for k, v in settings.to_json().items() if before.get(k) != v}
        audit.record(session, ctx, "change", "settings", None, changes=changed, reason=what)
    ctx.reload_settings()


# What a change of the settings makes stale: the settings shown, and the list's clocks and counts.
SETTINGS_CHANGED = Changes.of(Part.SETTINGS, Part.LIST)


def _council_problems(values: dict[str, Any]) -> list[Problem]:
    problems = []
    for key, label in (("name", "the council's name"), ("phone", "the CSU's phone number"),
                       ("email", "the CSU's email address")):
        if not str(values.get(key, "")).strip():
            problems.append(Problem(key, f"enter {label}"))
    if values.get("email") and "@" not in str(values["email"]):
        problems.append(Problem("email", "that is not an email address"))
    return problems


def save_council_details(ctx: ServiceContext, values: dict[str, Any]) -> Done:
    """Letterhead and the CSU's contact details, as shown on every letter.

    The result's `value` is the council's details as saved.
    """
    ctx.require(Permission.EDIT_SETTINGS)
    problems = _council_problems(values)
    if problems:
        raise ValidationFailed(problems)
    lines = values.get("address_lines") or ()
    if isinstance(lines, str):
        lines = tuple(line.strip() for line in lines.splitlines() if line.strip())
    current = ctx.settings()
    council = replace(current.council, **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()
                                          if k in asdict(current.council) and k != "address_lines"},
                      address_lines=tuple(lines) or current.council.address_lines)
    _store(ctx, replace(current, council=council), "council details")
    return Done(Changes.of(Part.SETTINGS), "The council's details are saved; new letters use them.", council)


def save_deadlines(ctx: ServiceContext, working_days: dict[str, int], closure_days: list[date]) -> Done:
    """The working days allowed for each clock and the council's own closure days.

    The result's `value` is the clocks as saved.
    """
    ctx.require(Permission.EDIT_SETTINGS)
    problems = [Problem(k, "must be a whole number of working days between 1 and 60")
                for k, v in working_days.items() if not isinstance(v, int) or not 1 <= v <= 60]
    numbers = {k for k, v in asdict(ClockSettings()).items() if isinstance(v, int)}  # not the anchors and units
    unknown = set(working_days) - numbers
    problems += [Problem(k, "is not a clock") for k in sorted(unknown)]
    if problems:
        raise ValidationFailed(problems)
    current = ctx.settings()
    clocks = replace(current.clocks, **working_days)  # type: ignore[arg-type]  # numbers only (checked above)
    _store(ctx, replace(current, clocks=clocks, closure_days=tuple(sorted(set(closure_days)))), "deadlines")
    # Every case's due dates are counted with them, so every case shown is stale.
    return Done(SETTINGS_CHANGED | Changes(parts=frozenset({Part.HEADER, Part.SUMMARY}), all_cases=True),
                "Deadlines saved.", clocks)


def _my_problems(display_name: str, phone: str, email: str) -> list[Problem]:
    problems = []
    if len(display_name.strip().split()) < 2:
        problems.append(Problem("display_name", "give your first name and surname, as letters will show them"))
    if not phone.strip():
        problems.append(Problem("phone", "give a phone number applicants can call"))
    if "@" not in email:
        problems.append(Problem("email", "give an email address applicants can write to"))
    return problems


def save_my_details(ctx: ServiceContext, *, display_name: str, phone: str, email: str,
                    job_title: str | None = None) -> Done:
    """A user's own name, phone, email and job title: letters name the contact officer with these and
    sign with the name and job title."""
    ctx.require(Permission.VIEW)
    problems = _my_problems(display_name, phone, email)
    if problems:
        raise ValidationFailed(problems)
    with ctx.unit_of_work() as session:
        user = session.scalar(select(User).where(func.lower(User.login) == ctx.actor.lower()))
        if user is None:
            raise ValidationFailed([Problem("login", "you are not set up as a user")])
        user.display_name, user.phone, user.email = display_name.strip(), phone.strip(), email.strip()
        if job_title is not None:
            user.job_title = job_title.strip() or None
        audit.record(session, ctx, "change", "user", user.id, changes={"display_name": (None, None)},
                     reason="own contact details")
    return Done(Changes.of(Part.USERS, Part.LIST), "Your details are saved.")


@retry_read
def my_details(ctx: ServiceContext) -> tuple[str, str, str]:
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        user = session.scalar(select(User).where(func.lower(User.login) == ctx.actor.lower()))
        return (user.display_name, user.phone or "", user.email or "") if user else (ctx.actor, "", "")


@retry_read
def my_job_title(ctx: ServiceContext) -> str:
    """The signed-in user's job title, printed under their name on letters."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        user = session.scalar(select(User).where(func.lower(User.login) == ctx.actor.lower()))
        return (user.job_title or "") if user else ""


@retry_read
def needs_set_up(ctx: ServiceContext) -> bool:
    """An empty database that has never been set up: the app offers the short set-up."""
    ctx.require(Permission.VIEW)
    with ctx.reading() as session:
        if session.get(SettingRow, SET_UP_KEY) is not None:
            return False
        return not session.scalar(select(func.count()).select_from(Case))


def mark_set_up(ctx: ServiceContext) -> Done:
    ctx.require(Permission.EDIT_SETTINGS)
    with ctx.unit_of_work() as session:
        if session.get(SettingRow, SET_UP_KEY) is None:
            session.add(SettingRow(key=SET_UP_KEY, value="true", updated_by=ctx.actor))
    return Done(Changes.of(Part.SETTINGS))


COUNCIL_FIELD, MY_FIELD = "council.", "me."  # how the set-up's problems say which form they belong to


def complete_set_up(ctx: ServiceContext, council: dict[str, Any] | None, me: dict[str, str]) -> Done:
    """The first-run set-up as one operation: the council's details (None when the user may not
    change them), the user's own details and the mark that set-up is done, all or nothing.

    Every problem in both forms is named at once, its field prefixed "council." or "me." (both
    forms have a phone and an email). A user who may not change the settings saves only their own
    details and leaves the set-up to an administrator.
    """
    ctx.require(Permission.VIEW)
    if council is not None:
        ctx.require(Permission.EDIT_SETTINGS)
    problems = [Problem(COUNCIL_FIELD + p.field, p.message) for p in _council_problems(council or {})
                ] if council is not None else []
    problems += [Problem(MY_FIELD + p.field, p.message) for p in _my_problems(
        str(me.get("display_name", "")), str(me.get("phone", "")), str(me.get("email", "")))]
    if problems:
        raise ValidationFailed(problems)
    changes = Changes.of(Part.USERS)
    with ctx.unit_of_work():  # the three saves below join this one transaction
        if council is not None:
            changes |= save_council_details(ctx, council).changes
        save_my_details(ctx, display_name=str(me.get("display_name", "")), phone=str(me.get("phone", "")),
                        email=str(me.get("email", "")), job_title=me.get("job_title"))
        if council is not None:
            changes |= mark_set_up(ctx).changes
    return Done(changes)

