"""Calendar-month arithmetic and the date formats shown to officers and in letters."""
from __future__ import annotations

import calendar
from datetime import date

import pytest

from app.domain.dates import add_months, long_form, parse_uk_or_iso, uk


class TestAddMonths:
    @pytest.mark.parametrize(("start", "months", "expected"), [
        # Plain shifts where the day exists in the target month.
        (date(2026, 1, 10), 1, date(2026, 2, 10)),
        (date(2026, 6, 1), -6, date(2025, 12, 1)),
        (date(2026, 3, 15), 0, date(2026, 3, 15)),
        # Month-end clamping going forward.
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),   # leap year
        (date(2028, 1, 31), 1, date(2028, 2, 29)),   # leap year
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 1, 29), 1, date(2026, 2, 28)),
        (date(2024, 1, 29), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 10, 31), 1, date(2026, 11, 30)),
        # Month-end clamping going back.
        (date(2026, 8, 31), -6, date(2026, 2, 28)),
        (date(2024, 8, 31), -6, date(2024, 2, 29)),
        (date(2028, 8, 31), -6, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 31), -6, date(2026, 6, 30)),
        # Across year ends in both directions.
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 3, 31), -6, date(2025, 9, 30)),
        (date(2026, 2, 28), -6, date(2025, 8, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2026, 1, 1), -1, date(2025, 12, 1)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        # A leap day shifted a whole year lands on 28 February.
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 2, 29), -12, date(2023, 2, 28)),
        # Many months at once.
        (date(2026, 6, 1), 25, date(2028, 7, 1)),
        (date(2026, 6, 1), -25, date(2024, 5, 1)),
    ])
    def test_shift(self, start: date, months: int, expected: date) -> None:
        assert add_months(start, months) == expected

    def test_clamping_is_not_reversible(self) -> None:
        # 31 Jan + 1 month = 28 Feb; 28 Feb - 1 month = 28 Jan, not 31 Jan.
        there = add_months(date(2026, 1, 31), 1)
        assert there == date(2026, 2, 28)
        assert add_months(there, -1) == date(2026, 1, 28)

    def test_every_day_of_2024_and_2026_stays_in_the_target_month(self) -> None:
        for year in (2024, 2026):
            day = date(year, 1, 1)
            while day.year == year:
                for months in (-6, -1, 1, 6):
                    shifted = add_months(day, months)
                    index = day.year * 12 + day.month - 1 + months
                    assert (shifted.year, shifted.month - 1) == divmod(index, 12)
                    last = calendar.monthrange(shifted.year, shifted.month)[1]
                    assert shifted.day == min(day.day, last)
                day = date.fromordinal(day.toordinal() + 1)


class TestUk:
    @pytest.mark.parametrize(("day", "text"), [
        (date(2026, 6, 4), "04/06/2026"),
        (date(2026, 12, 31), "31/12/2026"),
        (date(2024, 2, 29), "29/02/2024"),
        (date(2026, 1, 1), "01/01/2026"),
    ])
    def test_day_first_with_leading_zeros(self, day: date, text: str) -> None:
        assert uk(day) == text

    def test_none_is_blank(self) -> None:
        assert uk(None) == ""


class TestLongForm:
    @pytest.mark.parametrize(("day", "text"), [
        (date(2026, 6, 4), "4 June 2026"),
        (date(2026, 1, 1), "1 January 2026"),
        (date(2026, 12, 25), "25 December 2026"),
        (date(2024, 2, 29), "29 February 2024"),
        (date(2026, 9, 30), "30 September 2026"),
    ])
    def test_letter_form_has_no_leading_zero(self, day: date, text: str) -> None:
        assert long_form(day) == text


class TestParseUkOrIso:
    @pytest.mark.parametrize(("text", "expected"), [
        ("04/06/2026", date(2026, 6, 4)),
        ("4/6/2026", date(2026, 6, 4)),
        ("29/02/2024", date(2024, 2, 29)),
        ("31/12/2026", date(2026, 12, 31)),
        ("2026-06-04", date(2026, 6, 4)),
        ("  04/06/2026  ", date(2026, 6, 4)),
        ("\t2026-06-04\n", date(2026, 6, 4)),
    ])
    def test_reads_uk_and_iso(self, text: str, expected: date) -> None:
        assert parse_uk_or_iso(text) == expected

    def test_day_comes_first_not_month(self) -> None:
        # 06/04/2026 is 6 April in the UK, never 4 June.
        assert parse_uk_or_iso("06/04/2026") == date(2026, 4, 6)

    @pytest.mark.parametrize("text", [
        "30/02/2026",      # impossible day
        "29/02/2026",      # not a leap year
        "2026-02-30",      # impossible ISO date
        "13/13/2026",
        "04/06/26",        # two-digit year
        "04/06",
        "4/6/2026/1",
        "",
        "tomorrow",
        "aa/bb/cccc",
        "2026-13-01",
    ])
    def test_rejects_non_dates_with_a_plain_message(self, text: str) -> None:
        with pytest.raises(ValueError) as info:
            parse_uk_or_iso(text)
        message = str(info.value)
        assert "is not a date" in message
        assert "dd/mm/yyyy" in message
        assert f"'{text.strip()}'" in message

    def test_error_does_not_chain_the_internal_exception(self) -> None:
        with pytest.raises(ValueError) as info:
            parse_uk_or_iso("31/04/2026")
        assert info.value.__cause__ is None
        assert info.value.__suppress_context__ is True
