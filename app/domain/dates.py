"""Calendar-month arithmetic and date formats used by the rules and the interface."""
from __future__ import annotations

import calendar
from datetime import date, datetime, timezone


def add_months(day: date, months: int) -> date:
    """Shift by whole calendar months, clamping to the end of a shorter month.

    31 January + 1 month is the last day of February; 31 August - 6 months is too.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def uk(day: date | None) -> str:
    """dd/mm/yyyy, the form used in every form and table."""
    return day.strftime("%d/%m/%Y") if day else ""


def long_form(day: date) -> str:
    """'4 June 2026', the form used in letters."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def parse_uk_or_iso(text: str) -> date:
    """Read dd/mm/yyyy or yyyy-mm-dd; raise ValueError with a plain message otherwise."""
    text = text.strip()
    try:
        if "/" in text:
            d, m, y = text.split("/")
            if len(y) != 4:
                raise ValueError
            return date(int(y), int(m), int(d))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date: use dd/mm/yyyy") from None


_MONTHS = {name.lower(): n for n, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}


def parse_occurred(text: str) -> tuple[date | None, date | None, date | None]:
    """When an incident happened, as a caller can say it: (exact, from, to).

    "12/03/2026" is exact; "03/2026" or "March 2026" is that month; "01/03/2026 - 15/03/2026"
    (or "to") is a range. Approximate dates are kept as a range marked "to confirm".
    """
    text = " ".join(text.strip().split())
    if not text:
        return None, None, None
    for sep in (" - ", " to ", "-", "–"):
        if sep in text and text.count("/") >= 4:
            start, end = (part.strip() for part in text.split(sep, 1))
            return None, parse_uk_or_iso(start), parse_uk_or_iso(end)
    parts = text.replace(",", " ").split()
    if len(parts) == 2 and parts[0].lower() in _MONTHS and _digits(parts[1]):
        return None, *_month_range(int(parts[1]), _MONTHS[parts[0].lower()])
    if text.count("/") == 1:
        month, year = text.split("/")
        if _digits(month) and _digits(year) and len(year) == 4 and 1 <= int(month) <= 12:
            return None, *_month_range(int(year), int(month))
        raise ValueError(f"'{text}' is not a month: use mm/yyyy")
    return parse_uk_or_iso(text), None, None


def _digits(text: str) -> bool:
    """Plain 0-9 only: str.isdigit() also accepts '²', which int() then refuses."""
    return text.isascii() and text.isdigit()


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def describe_occurred(exact: date | None, start: date | None, end: date | None) -> str:
    """How the form and lists show when an incident happened."""
    if exact:
        return uk(exact)
    if start and end:
        if start.day == 1 and end == date(start.year, start.month, calendar.monthrange(start.year, start.month)[1]):
            return f"{start.strftime('%B')} {start.year} (to confirm)"
        return f"{uk(start)} to {uk(end)} (to confirm)"
    return ""


def uk_time(stamp_utc: datetime) -> str:
    """A stored UTC time as the CSU reads it: 'dd/mm/yyyy hh:mm' in UK local time (GMT or BST)."""
    from zoneinfo import ZoneInfo
    local = stamp_utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/London"))
    return local.strftime("%d/%m/%Y %H:%M")
