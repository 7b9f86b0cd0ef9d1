"""Calendar-month arithmetic and date formats used by the rules and the interface."""
from __future__ import annotations

import calendar
from datetime import date


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
