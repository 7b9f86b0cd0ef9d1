"""Times the letter engine against bare ReportLab pages carrying the same text (not a test).

    .venv/bin/python benchmarks/letters_bench.py [--letters 200]

Renders N acknowledgement letters through the engine (template fill, letterhead, window address,
page numbering, embedded DejaVu Sans), then N bare ReportLab documents (SimpleDocTemplate, one
Paragraph per line of the same text, the same embedded font) and prints the time per letter for
both and the ratio. The target is an engine within 1.5x of bare ReportLab.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from app.domain.settings import CouncilDetails  # noqa: E402
from app.letters import Contact, LetterRequest, compose, produce_pdf  # noqa: E402
from app.letters.fonts import REGULAR, register_fonts  # noqa: E402

TARGET_RATIO = 1.5

VALUES = {
    "reference": "CT-2026-0007", "date": date(2026, 6, 4), "dear": "Ms Patel",
    "received_on": date(2026, 6, 1), "channel": "by telephone", "unit": "Community Safety Unit",
    "contact_name": "Jane Smith", "contact_phone": "01892 554000", "contact_email": "jane.smith@example.gov.uk",
    "threshold_due": date(2026, 6, 15), "threshold_days": 10, "awaiting_consent": False, "waiting_for": "",
    "incidents": [{"when": f"{d} May 2026", "agency": "Kent Police", "reported": f"{d + 1} May 2026",
                   "agency_reference": "KP/1", "description": "Loud music."} for d in (3, 10, 17)],
    # Who is who, for an ordinary case: the applicant is the victim (app/services/letters/parties.py).
    "third_party": False, "to_victim": True, "the_application": "your application", "victim_short": "Ms Patel",
    "victim_ref": "you", "victim_possessive": "your",
}


def request() -> LetterRequest:
    return LetterRequest("acknowledgement", VALUES, CouncilDetails(), "CT-2026-0007", date(2026, 6, 4),
                         ("Ms Asha Patel", "12 Example Road", "Royal Tunbridge Wells", "TN1 1AA"),
                         Contact("Jane Smith", "01892 554000", "jane.smith@example.gov.uk"))


def bare_text() -> list[str]:
    """Every line the engine prints, as paragraph markup, for the bare ReportLab comparison."""
    content = compose(request())
    council = content.council
    lines = [council.name, council.unit, *council.address_lines, council.postcode, council.phone,
             council.email, council.website, f"Our reference: {content.reference}", "Date: 4 June 2026",
             f"Contact: {content.contact.name}", f"Phone: {content.contact.phone}",
             f"Email: {content.contact.email}", *content.recipient_lines, content.subject]
    for block in content.blocks:
        lines.extend(block.items)
    return lines + ["Yours sincerely,", content.signatory, f"{council.unit}, {council.name}"]


def bare_pdf(lines: list[str], style: ParagraphStyle) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(line, style) for line in lines])
    return buffer.getvalue()


def per_letter_ms(fn: Callable[[], bytes], n: int) -> float:
    fn()  # warm up: font parsing and template reading happen once per process in both cases
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) * 1000 / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    args = parser.parse_args(argv)
    register_fonts()
    style = ParagraphStyle("bare", fontName=REGULAR, fontSize=11, leading=14.85)
    lines = bare_text()
    engine = per_letter_ms(lambda: produce_pdf(request()), args.letters)
    bare = per_letter_ms(lambda: bare_pdf(lines, style), args.letters)
    ratio = engine / bare
    print(f"{args.letters} acknowledgement letters, engine:   {engine:7.2f} ms per letter")
    print(f"{args.letters} bare ReportLab pages, same text: {bare:7.2f} ms per page")
    print(f"ratio engine / bare: {ratio:.2f} (target within {TARGET_RATIO}x): "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
