"""The case list: which cases match a search and in what order (in SQL), their rows, and the counts."""
from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, literal_column, or_, select, table, union_all
from sqlalchemy import text as text_sql
from sqlalchemy.sql.elements import ColumnElement

from app.db.models import Case, Incident, Person, Recommendation, User
from app.domain.application import PersonData
from app.domain.calendar import WorkingCalendar
from app.domain.clocks import Clock, Indicator
from app.domain.workflow import Status
from app.domain.roles import Permission
from app.services.common import audit
from app.services.common.context import ServiceContext, retry_read

# A pseudo-status for the status filter: every case that is not closed or withdrawn.
OPEN_CASES = "open"
OVERDUE_RECOMMENDATIONS = "recommendations_overdue"  # cases an agency owes a late response on
UPDATES_DUE = "updates_due"  # cases whose applicant is due an update (the keep-informed clock)
_ENDED = (Status.CLOSED.value, Status.WITHDRAWN.value)
_LIVE = tuple(s.value for s in Status if s.value not in _ENDED)  # every status the workflow has but those
_AWAITING_THRESHOLD = (Status.RECEIVED.value, Status.ACKNOWLEDGED.value, Status.THRESHOLD_CHECK.value)
_AWAITING_PANEL = (Status.THRESHOLD_MET.value, Status.INFORMATION_GATHERING.value,
                   Status.PANEL_SCHEDULED.value)
_AWAITING_OUTCOME = (Status.REVIEWED.value,)

SORT_KEYS = ("reference", "applicant", "postcode", "channel", "received", "status", "next_action",
             "next_due", "officer")
INDICATORS = tuple(i.value for i in Indicator)

# Sorting by status follows the process, not the alphabet: live cases first, ended ones last.
_S = Status
PROCESS_ORDER = (_S.RECEIVED, _S.AWAITING_CONSENT, _S.ACKNOWLEDGED, _S.THRESHOLD_CHECK, _S.THRESHOLD_MET,
                 _S.INFORMATION_GATHERING, _S.PANEL_SCHEDULED, _S.REVIEWED, _S.OUTCOME_SENT,
                 _S.THRESHOLD_NOT_MET, _S.NOT_ACCEPTED, _S.SECONDARY_REVIEW_REQUESTED,
                 _S.SECONDARY_REVIEW_COMPLETED, _S.WITHDRAWN, _S.CLOSED)
_STATUS_ORDER = case({s.value: n for n, s in enumerate(PROCESS_ORDER)}, value=Case.status,
                     else_=len(PROCESS_ORDER))
_CLOCK_ORDER = case({c.value: n for n, c in enumerate(Clock)}, value=Case.next_clock, else_=len(Clock))


@dataclass(frozen=True)
class CaseQuery:
    """What the officer asked to see: a search, filters and one sort column."""

    text: str = ""
    status: str | None = None  # a Status value, OPEN_CASES, or None for all
    indicator: str | None = None  # an Indicator value ("overdue", "due soon", "on track", "stopped")
    officer: str | None = None
    year: int | None = None  # the year the application was received
    channel: str | None = None
    sort: str = "next_due"  # one of SORT_KEYS
    descending: bool = False


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    applicant: str
    postcode: str | None
    channel: str
    received_on: date
    status: str
    next_clock: str | None
    next_due_on: date | None
    working_days_left: int | None  # negative when overdue
    indicator: str
    officer: str | None


@dataclass(frozen=True)
class CaseCounts:
    open: int
    overdue: int
    due_this_week: int
    awaiting_threshold_decision: int
    awaiting_panel: int
    awaiting_outcome_letter: int
    recommendations_overdue: int = 0  # cases with a recommendation past its due date and not done
    updates_due: int = 0  # cases whose applicant is due an update today or earlier


@dataclass(frozen=True)
class _DueBands:
    """Dates that split next_due_on into the four indicators, so SQL and Python agree."""

    today: date
    soon_until: date  # the last date that is still "due soon"

    def indicator(self, due: date | None) -> str:
        if due is None:
            return Indicator.STOPPED.value
        if due < self.today:
            return Indicator.OVERDUE.value
        if due <= self.soon_until:
            return Indicator.DUE_SOON.value
        return Indicator.ON_TRACK.value

    def condition(self, value: str) -> ColumnElement[bool]:
        due = Case.next_due_on
        if value == Indicator.OVERDUE:
            return due < self.today
        if value == Indicator.DUE_SOON:
            return due.between(self.today, self.soon_until)
        if value == Indicator.ON_TRACK:
            return due > self.soon_until
        if value == Indicator.STOPPED:
            return due.is_(None)
        raise ValueError(f"unknown indicator {value!r}: use one of {', '.join(INDICATORS)}")


def _bands(ctx: ServiceContext, calendar: WorkingCalendar | None = None) -> _DueBands:
    today = ctx.today()
    calendar = calendar or ctx.calendar()
    # clocks.indicator() says "due soon" while working_days_between(today, due) <= due_soon, i.e.
    # up to the day before the next working day: a due date on a Saturday after the third working
    # day is still due soon. add_working_days(today, due_soon) alone would call it "on track".
    after = calendar.add_working_days(today, ctx.settings().clocks.due_soon + 1)
    return _DueBands(today, after - timedelta(days=1))


def _like(text: str) -> str:
    """A LIKE pattern for 'contains', with the user's own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


Matcher = Callable[[Any, str], ColumnElement[bool]]


def _matcher(dialect: str) -> Matcher:
    """Case-insensitive LIKE. SQLite's LIKE already ignores case (for the ASCII letters that
    references and postcodes use), and lower() on every row would double the cost of a search."""
    if dialect == "sqlite":
        return lambda column, pattern: column.like(pattern, escape="\\")
    return lambda column, pattern: column.ilike(pattern, escape="\\")


def _matching_ids(text: str, like: Matcher, search_table: bool = False) -> Any:
    """Ids of cases that match the search anywhere, as one UNION ALL of cheap scans.

    Each part reads one narrow thing (an index of references, the people table, the index of
    agency references) instead of testing six LIKEs on every case joined to its applicant. On
    PostgreSQL each LIKE is served by a trigram index where migration 0006 could make them; on SQLite
    `search_table` says the trigram table of migration 0006 is there, and a text of three characters
    or more is looked up in it instead.
    """
    # Not case-folded here: LIKE/ILIKE ignore case themselves, and SQLite's LIKE folds only ASCII, so
    # a typed "Ö" must stay "Ö" to find "Özdemir" (and casefold() would turn "ß" into "ss").
    needle = " ".join(text.split())
    squeezed = "".join(needle.split())
    if search_table and len(squeezed) >= 3:
        return _in_search_table(needle, squeezed)
    pattern = _like(needle)
    compact = _like(squeezed)  # postcodes are matched ignoring spaces
    # The spaces are written into the SQL, not bound: the expression is then the very one the
    # trigram index of migration 0006 is built on, and the planner can use it.
    postcode = func.replace(Person.postcode, literal_column("' '"), literal_column("''"))
    people = select(Person.id).where(or_(like(Person.last_name, pattern), like(Person.organisation, pattern),
                                         like(postcode, compact)))
    # Selecting only incidents.id lets the database read the agency reference index alone.
    incidents = select(Incident.id).where(like(Incident.agency_reference, pattern))
    return union_all(
        select(Case.id).where(like(Case.reference, pattern)),
        select(Case.id).where(like(Case.source_reference, pattern)),
        select(Case.id).where(Case.applicant_id.in_(people)),
        select(Incident.case_id).where(Incident.id.in_(incidents)))


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # an FTS5 string: the text exactly, quotes doubled


def _in_search_table(needle: str, squeezed: str) -> Any:
    """The same matches from the trigram table (one index look-up): the text inside a reference, an
    agency reference or the applicant's surname or organisation, or inside the postcode without spaces."""
    query = (f"{{reference source_reference names agency_refs}} : {_phrase(needle)} "
             f"OR postcode : {_phrase(squeezed)}")
    return select(literal_column("rowid")).select_from(table("case_search")).where(
        literal_column("case_search").op("MATCH")(query))


# Engine: whether its database has the trigram table (asked once per engine, not once per search).
_SEARCH_TABLES: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _search_table(ctx: ServiceContext) -> bool:
    if ctx.dialect != "sqlite":
        return False
    key = ctx.engine
    if key not in _SEARCH_TABLES:
        with ctx.engine.connect() as conn:
            _SEARCH_TABLES[key] = conn.execute(text_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'case_search'")).first() is not None
    return _SEARCH_TABLES[key]


def _order_by(query: CaseQuery) -> list[Any]:
    person_name = func.lower(func.coalesce(Person.last_name, Person.organisation))
    columns: dict[str, list[Any]] = {
        # Prefix and year, then the number as a number: CT-2026-10000 after CT-2026-9999. All three
        # come from the reference index alone.
        "reference": [func.rtrim(Case.reference, "0123456789"), func.length(Case.reference), Case.reference],
        # Surname only: a second key (the first name) made this sort half as slow again at 100,000.
        "applicant": [person_name],
        "postcode": [Person.postcode],
        "channel": [Case.channel],
        "received": [Case.received_on],  # the date's index gives the order; the id breaks ties
        "status": [_STATUS_ORDER],
        "next_action": [_CLOCK_ORDER],
        "next_due": [Case.next_due_on],
        "officer": [func.lower(func.coalesce(User.display_name, Case.officer))],  # by the name shown
    }
    if query.sort not in columns:
        raise ValueError(f"unknown sort key {query.sort!r}: use one of {', '.join(SORT_KEYS)}")
    keys = [c.desc() if query.descending else c.asc() for c in columns[query.sort]]
    # Empty values (no due date, no officer...) stay at the bottom whichever way the column is sorted.
    keys = [k.nulls_last() for k in keys]
    # The id keeps equal keys in a stable order, so a page does not reshuffle between queries.
    keys.append(Case.id.desc() if query.descending else Case.id.asc())
    return keys


def build_query(ctx: ServiceContext, query: CaseQuery, calendar: WorkingCalendar | None = None) -> Select:
    """The SELECT of matching case ids in order (exposed for EXPLAIN in benchmarks)."""
    ctx.require(Permission.VIEW)
    stmt = select(Case.id)
    if query.sort in ("applicant", "postcode"):
        stmt = stmt.join(Person, Person.id == Case.applicant_id)
    if query.sort == "officer":
        stmt = stmt.outerjoin(User, User.login == Case.officer)
    if query.text.strip():
        stmt = stmt.where(Case.id.in_(_matching_ids(query.text, _matcher(ctx.dialect), _search_table(ctx))))
    if query.status == OPEN_CASES:
        stmt = stmt.where(Case.status.not_in(_ENDED))
    elif query.status == OVERDUE_RECOMMENDATIONS:
        stmt = stmt.where(Case.id.in_(_overdue_recommendations(ctx.today())))
    elif query.status == UPDATES_DUE:
        stmt = stmt.where(Case.update_due_on <= ctx.today())
    elif query.status:
        stmt = stmt.where(Case.status == query.status)
    if query.indicator:
        stmt = stmt.where(_bands(ctx, calendar).condition(query.indicator))
    if query.officer:
        stmt = stmt.where(Case.officer == query.officer)
    if query.year:
        # A range rather than extract(year) so that the received_on index can be used.
        stmt = stmt.where(Case.received_on.between(date(query.year, 1, 1), date(query.year, 12, 31)))
    if query.channel:
        stmt = stmt.where(Case.channel == query.channel)
    return stmt.order_by(*_order_by(query))


@retry_read
def find_case_ids(ctx: ServiceContext, query: CaseQuery) -> list[int]:
    """Ids of the matching cases in display order: one query, filtered and sorted by the database.

    Browsing the list is a consultation of personal data (Data Protection Act 2018 s.62): each
    search is audited, who and when, the filters, how many cases matched, and the text searched for.
    """
    ctx.require(Permission.VIEW)
    stmt = build_query(ctx, query)
    with ctx.reading() as session:
        result = session.connection().execute(stmt)
        try:
            # Straight from the driver's cursor: SQLAlchemy's row processing costs about 50 ms per
            # 100,000 ids (measured), and plain integers need none.
            ids = [row[0] for row in result.cursor.fetchall()]
        finally:
            result.close()
        words = [f"{len(ids)} cases listed", *_query_words(query), f"sorted by {query.sort}"]
        # Written in the read: audit.write gives an entry written in a read a transaction of its own,
        # so two lists searched at once (the window reads on two workers) keep one chain.
        audit.record(session, ctx, "search" if query.text.strip() else "view", "case list", None,
                     reason="; ".join(words), changes=_search_value(query))
    return ids


def _display_name(title: str | None, first: str | None, last: str | None, organisation: str | None) -> str:
    return PersonData(title=title, first_name=first, last_name=last, organisation=organisation).display_name


@retry_read
def fetch_rows(ctx: ServiceContext, ids: Sequence[int]) -> dict[int, CaseRow]:
    """The list's values for a page of cases (one query); ids not found are simply absent."""
    ctx.require(Permission.VIEW)
    if not ids:
        return {}
    calendar = ctx.calendar()
    bands = _bands(ctx, calendar)
    stmt = (select(Case.id, Case.reference, Person.title, Person.first_name, Person.last_name,
                   Person.organisation, Person.postcode, Case.channel, Case.received_on, Case.status,
                   Case.next_clock, Case.next_due_on, func.coalesce(User.display_name, Case.officer))
            .join(Person, Person.id == Case.applicant_id)
            .outerjoin(User, User.login == Case.officer)  # the officer's name, not their login
            .where(Case.id.in_(list(ids))))
    with ctx.reading() as session:
        found = session.execute(stmt).all()
    # Many cases share a due date, and counting working days walks the calendar: count once each.
    left: dict[date, int] = {}
    rows: dict[int, CaseRow] = {}
    for (case_id, reference, title, first, last, organisation, postcode, channel, received_on,
         status, next_clock, next_due_on, officer) in found:
        days = None
        if next_due_on is not None:
            days = left.get(next_due_on)
            if days is None:
                days = left[next_due_on] = calendar.working_days_between(bands.today, next_due_on)
        rows[case_id] = CaseRow(
            id=case_id, reference=reference, applicant=_display_name(title, first, last, organisation),
            postcode=postcode, channel=channel, received_on=received_on, status=status,
            next_clock=next_clock, next_due_on=next_due_on, working_days_left=days,
            indicator=bands.indicator(next_due_on), officer=officer)
    return rows


def iter_rows(ctx: ServiceContext, ids: Sequence[int], block: int = 1000) -> Iterator[CaseRow]:
    """Every row for `ids`, in that order, fetched a block at a time (for exports)."""
    ctx.require(Permission.VIEW)
    for start in range(0, len(ids), block):
        chunk = ids[start:start + block]
        rows = fetch_rows(ctx, chunk)
        yield from (rows[i] for i in chunk if i in rows)


@retry_read
def case_counts(ctx: ServiceContext) -> CaseCounts:
    """The figures at the top of the list, in one statement.

    Each figure is its own count that an index answers (the statuses by their index, the dates by
    theirs), rather than one pass over every case: the counts are read again after every save, and
    at 100,000 cases a pass over the table costs a quarter of a second.
    """
    ctx.require(Permission.VIEW)
    today = ctx.today()
    sunday = today + timedelta(days=6 - today.weekday())
    due, status = Case.next_due_on, Case.status

    def count(*where: ColumnElement[bool]) -> Any:
        return select(func.count()).select_from(Case).where(*where).scalar_subquery()

    late = select(func.count()).select_from(_overdue_recommendations(today).subquery()).scalar_subquery()
    # "Open" as the statuses that are open (an index search), not "not ended" (a scan of the index).
    stmt = select(count(status.in_(_LIVE)), count(due < today), count(due.between(today, sunday)),
                  count(status.in_(_AWAITING_THRESHOLD)), count(status.in_(_AWAITING_PANEL)),
                  count(status.in_(_AWAITING_OUTCOME)), count(Case.update_due_on <= today), late)
    with ctx.reading() as session:
        row = session.execute(stmt).one()
    (open_, overdue, this_week, threshold, panel, outcome, updates, late_n) = (int(n or 0) for n in row)
    return CaseCounts(open_, overdue, this_week, threshold, panel, outcome, recommendations_overdue=late_n,
                      updates_due=updates)


@dataclass(frozen=True)
class ListSummary:
    """What the case list shows around its rows: the counts and the year and officer filter choices."""
    counts: CaseCounts
    years: tuple[int, ...]
    officers: tuple[tuple[str, str], ...]  # (login, name), by name


@retry_read
def list_summary(ctx: ServiceContext) -> ListSummary:
    """The counts and both filters' choices in one read (the list asks once its first rows are shown)."""
    ctx.require(Permission.VIEW)
    with ctx.reading():  # the three reads below join this one session: one transaction, not three
        return ListSummary(case_counts(ctx), tuple(received_years(ctx)), tuple(officer_choices(ctx)))


def _overdue_recommendations(today: date) -> Select:
    """Cases with a panel recommendation past its due date that the agency has not completed or declined."""
    return (select(Recommendation.case_id).where(Recommendation.status.in_(("open", "accepted")),
                                                 Recommendation.due_on < today)
            .distinct())  # status first: an index on (status, due_on) serves it where there is one


@retry_read
def received_years(ctx: ServiceContext) -> list[int]:
    """Years for the year filter, newest first (from the first and last dates: two index look-ups)."""
    ctx.require(Permission.VIEW)
    # Two subqueries: SQLite answers a lone min() or max() from the index, but not both in one SELECT.
    first_q = select(func.min(Case.received_on)).scalar_subquery()
    last_q = select(func.max(Case.received_on)).scalar_subquery()
    with ctx.reading() as session:
        first, last = session.execute(select(first_q, last_q)).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


@retry_read
def officers(ctx: ServiceContext) -> list[str]:
    """Officers (logins) with at least one case."""
    return [login for login, _name in officer_choices(ctx)]


@retry_read
def officer_choices(ctx: ServiceContext) -> list[tuple[str, str]]:
    """(login, name) of the officers with at least one case, by name: the officer filter's choices."""
    ctx.require(Permission.VIEW)
    # The distinct logins first (from the officer index alone), then their names: joining every case
    # to the users table first costs a pass over the cases.
    logins = select(Case.officer.label("login")).where(Case.officer.is_not(None)).distinct().subquery()
    with ctx.reading() as session:
        rows = session.execute(select(logins.c.login, User.display_name)
                               .outerjoin(User, User.login == logins.c.login)).all()
    choices = [(str(login), str(name or login)) for login, name in rows]
    return sorted(choices, key=lambda r: r[1].casefold())


def _query_words(query: CaseQuery) -> list[str]:
    return [f"{name}={value}" for name, value in (("status", query.status), ("indicator", query.indicator),
                                                  ("officer", query.officer), ("year", query.year),
                                                  ("channel", query.channel)) if value]


def _search_value(query: CaseQuery) -> dict[str, tuple[Any, Any]] | None:
    # The search itself may be a name: it is kept with the before/after values, not in the log's text.
    return {"search": (None, query.text.strip())} if query.text.strip() else None


def record_export(ctx: ServiceContext, count: int, query: CaseQuery, how: str = "case list CSV") -> None:
    """An export of personal data needs the export permission and is audited before the file is written:
    who, when, how many cases and which filters (the search text kept apart, with the values)."""
    ctx.require(Permission.EXPORT)
    parts = [f"{count} cases", how, *_query_words(query)]
    if query.text.strip():
        parts.append("with a search")
    with ctx.unit_of_work() as session:
        audit.record(session, ctx, "export", "case list", None, reason="; ".join(parts),
                     changes=_search_value(query))
