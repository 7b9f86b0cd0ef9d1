"""Settings by name (`settings show` / `settings set KEY=VALUE`): checked against their limits, audited,
threshold rules kept as dated versions, and the cases they affect recalculated."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session, lazyload

from app.db.models import Case, SettingRow, ThresholdRuleVersion
from app.db.models.base import utcnow
from app.domain.application import Problem
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import next_due
from app.domain.roles import Permission
from app.domain.settings import Settings
from app.domain.settings_keys import KEYS, BadValue, KeySpec, parse_assignment
from app.domain.threshold_rules import RuleVersion, check_rules, rules_to_json
from app.domain.workflow import OPEN_STATUSES
from app.services.cases.facts import CaseStates
from app.services.common import audit
from app.services.common.context import SETTINGS_KEY, ServiceContext, load_settings, retry_read
from app.services.common.errors import ValidationFailed
from app.services.common.ops import Changes, Part

_BATCH = 2000


@dataclass(frozen=True)
class SettingValue:
    key: str
    value: str
    default: str
    limits: str
    description: str

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "value": self.value, "default": self.default, "limits": self.limits,
                "description": self.description}


@dataclass(frozen=True)
class SettingsChanged:
    changed: tuple[tuple[str, str, str], ...]  # key, before, after
    effective_from: date | None  # when the threshold keys take effect (None: no threshold key)
    recalculated: int  # cases whose indicator and clocks were worked out again
    indicators_moved: int  # of those, cases whose count of qualifying incidents changed
    changes: Changes


@retry_read
def show_settings(ctx: ServiceContext) -> list[SettingValue]:
    """Every named setting with its value now (threshold keys: the rules in force today)."""
    ctx.require(Permission.VIEW)
    settings, today = ctx.settings(), ctx.today()
    return [SettingValue(k.key, k.read(settings, today), k.default, k.limits, k.description) for k in KEYS]


def threshold_history(ctx: ServiceContext) -> list[str]:
    """The rules the council started with and every dated change, in words."""
    ctx.require(Permission.VIEW)
    from app.domain.threshold_rules import describe_versions
    return list(describe_versions(ctx.settings().rule_history))


def set_settings(ctx: ServiceContext, assignments: Sequence[str], *,
                 effective_from: date | None = None) -> SettingsChanged:
    """Apply KEY=VALUE assignments as one change, or none of them (every refusal is named).

    Threshold keys make a new complete version of the rules, in force from `effective_from`
    (default: today); every case received on or after that date has its indicator worked out
    again, and decisions already recorded keep the rules they were made under.
    """
    ctx.require(Permission.EDIT_SETTINGS)
    problems: list[Problem] = []
    parsed: list[tuple[KeySpec, Any]] = []
    for text in assignments:
        try:
            parsed.append(parse_assignment(text))
        except BadValue as exc:
            key = text.partition("=")[0].strip() or text
            problems.append(Problem(key, str(exc).removeprefix(f"{key}: ")))
    if not assignments:
        problems.append(Problem("settings", "give at least one KEY=VALUE"))
    threshold = {spec.threshold_field: value for spec, value in parsed if spec.threshold_field}
    if effective_from is not None and not threshold:
        problems.append(Problem("effective_from", "--effective-from dates a change of the threshold rules; "
                                "no threshold key was given"))
    if problems:
        raise ValidationFailed(problems)
    today = ctx.today()
    with ctx.unit_of_work() as session:
        current = load_settings(session)
        updated, changed = current, []
        for spec, value in parsed:
            if spec.put is None:
                continue
            before = spec.read(updated, today)
            updated = spec.put(updated, value)
            if spec.read(updated, today) != before:
                changed.append((spec.key, before, spec.read(updated, today)))
        version = None
        if threshold:
            when = effective_from or today
            history = current.rule_history
            version = history.with_change(when, threshold, ctx.actor)
            problems = [Problem(_key_of(p.field), p.message) for p in check_rules(version.rules)]
            if problems:
                raise ValidationFailed(problems)
            before_rules = history.rules_on(when)
            for spec, _value in parsed:
                if spec.threshold_field:
                    old, new = getattr(before_rules, spec.threshold_field), getattr(version.rules, spec.threshold_field)
                    if old != new:
                        changed.append((spec.key, spec.show(old), spec.show(new)))
        if not changed:
            return SettingsChanged((), None, 0, 0, Changes())
        if updated != current:
            _store(session, ctx, updated)
        if version is not None and any(k.startswith("threshold.") for k, _b, _a in changed):
            _store_version(session, ctx, version)
        audit.record(session, ctx, "change", "settings", None,
                     changes={key: (before, after) for key, before, after in changed},
                     reason="settings set" + (f", threshold rules from {version.effective_from.isoformat()}"
                                              if version else ""))
        session.flush()
        fresh = load_settings(session)
        clocks_changed = any(k.startswith(("clock.", "calendar.")) for k, _b, _a in changed)
        since = version.effective_from if version is not None else None
        recalculated, moved = recalculate(session, ctx, fresh, received_from=since, open_cases=clocks_changed)
    ctx.reload_settings()
    return SettingsChanged(tuple(changed), since, recalculated, moved,
                           Changes(parts=frozenset({Part.SETTINGS, Part.LIST}), all_cases=bool(recalculated)))


def _key_of(field: str) -> str:
    found = next((k.key for k in KEYS if k.threshold_field == field), None)
    return found or field


def _store(session: Session, ctx: ServiceContext, settings: Settings) -> None:
    row = session.get(SettingRow, SETTINGS_KEY)
    if row is None:
        row = SettingRow(key=SETTINGS_KEY, value="{}")
        session.add(row)
    row.value = json.dumps(settings.to_json())
    row.updated_at, row.updated_by = utcnow(), ctx.actor


def _store_version(session: Session, ctx: ServiceContext, version: RuleVersion) -> None:
    """A change dated the same day as an earlier one replaces it (the rules of one day are one set)."""
    row = session.scalar(select(ThresholdRuleVersion).where(ThresholdRuleVersion.effective_from == version.effective_from))
    if row is None:
        row = ThresholdRuleVersion(effective_from=version.effective_from, rules="{}")
        session.add(row)
    row.rules = json.dumps(rules_to_json(version.rules))
    row.created_at, row.created_by = utcnow(), ctx.actor


def recalculate(session: Session, ctx: ServiceContext, settings: Settings, *, received_from: date | None = None,
                open_cases: bool = False) -> tuple[int, int]:
    """Work out again the list's columns (indicator count, next due date, update due) of the cases
    received on or after `received_from` and, if `open_cases`, of every open case: (cases, moved).

    A plain UPDATE that leaves the case's version alone: nothing an officer typed changed.
    """
    if received_from is None and not open_cases:
        return 0, 0
    calendar = WorkingCalendar(settings.closure_days)  # the settings just saved, closure days included
    query = select(Case.id)
    conditions = []
    if received_from is not None:
        conditions.append(Case.received_on >= received_from)
    if open_cases:
        conditions.append(Case.status.in_([s.value for s in OPEN_STATUSES]))
    ids = list(session.scalars(query.where(or_(*conditions)).order_by(Case.id)))
    table, moved = cast(Table, Case.__table__), 0
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        cases = session.scalars(select(Case).where(Case.id.in_(chunk)).execution_options(populate_existing=True)
                                .options(lazyload(Case.victim), lazyload(Case.problem_location))).all()
        states = CaseStates(session, settings, calendar, chunk)
        states.prefetch_households(cases)
        rows = []
        for case in cases:
            state = states.state(case)
            first = next_due(state.clocks)
            new = {"b_due": first.due if first else None, "b_clock": first.clock.value if first else None,
                   "b_count": state.threshold.qualifying_incidents, "b_update": state.update_due}
            if (case.next_due_on, case.next_clock, case.qualifying_incidents, case.update_due_on) != tuple(new.values()):
                rows.append({"b_id": case.id, **new})
            moved += case.qualifying_incidents != new["b_count"]
        if rows:
            session.execute(update(table).where(table.c.id == bindparam("b_id")).values(
                next_due_on=bindparam("b_due"), next_clock=bindparam("b_clock"),
                qualifying_incidents=bindparam("b_count"), update_due_on=bindparam("b_update")), rows)
    return len(ids), moved


def rules_snapshot(settings: Settings, received_on: date) -> str:
    """The rules a decision is made under, as stored with the decision (JSON)."""
    return json.dumps(settings.rule_history.in_force(received_on).to_json())


