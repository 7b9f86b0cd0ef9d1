"""The letter engine and templates without a database: layout, fonts, page numbers, placeholders."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pypdf
import pytest
from reportlab.pdfbase import pdfmetrics

from app.domain.settings import CouncilDetails
from app.letters import (TEMPLATE_NAMES, Block, Contact, EnvelopeWindow, LetterContent, MissingPlaceholder,
                         TemplateError, fill, load_template, render_letter)
from app.letters.engine import address_layout
from app.letters.fonts import BOLD, REGULAR, fonts_dir, register_fonts
from app.letters.templates import parse_template, template_path
from app.paths import resources_dir

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = ("Mr Tomos Rhys", "Tŷ Gwyn", "Heol yr Ŵyn", "Royal Tunbridge Wells", "TN2 3PQ")


def content(paragraphs: int = 3, **changes) -> LetterContent:
    values = dict(
        council=CouncilDetails(), reference="CT-2026-0007", letter_date=date(2026, 6, 4),
        recipient_lines=ADDRESS, subject="We have received your application (CT-2026-0007)",
        blocks=(Block("paragraph", ("Dear Mr Rhys,",)),
                *(Block("paragraph", (f"Paragraph {n}: the panel will meet soon. " * 8,)) for n in range(paragraphs)),
                Block("bullets", ("ŵ ŷ Ŵ Ŷ are Welsh letters", "second point"))),
        contact=Contact("Jane Smith", "01892 554000", "jane.smith@example.gov.uk"), signatory="Jane Smith")
    values.update(changes)
    return LetterContent(**values)


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in reader(pdf).pages]


def positions(pdf: bytes, page: int = 0) -> list[tuple[str, float, float, float]]:
    """(text, x, y, font size) of each piece of text drawn, in page coordinates."""
    out: list[tuple[str, float, float, float]] = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((text.strip(), x, y, size * tm[0]))
    reader(pdf).pages[page].extract_text(visitor_text=visit)
    return out


def test_letter_carries_reference_date_addressee_and_contact():
    texts = page_texts(render_letter(content()))
    whole = " ".join(texts)
    for phrase in ("Our reference: CT-2026-0007", "Date: 4 June 2026", "Mr Tomos Rhys", "Contact: Jane Smith",
                   "Phone: 01892 554000", "Email: jane.smith@example.gov.uk", "Tunbridge Wells Borough Council",
                   "Community Safety Unit", "www.example.gov.uk", "Yours sincerely"):
        assert phrase in whole


@pytest.mark.parametrize("window", [EnvelopeWindow(), EnvelopeWindow(left_mm=25, top_mm=45, width_mm=100, height_mm=40),
                                    EnvelopeWindow(left_mm=110, top_mm=50)])
def test_address_is_drawn_inside_the_envelope_window(window):
    pdf = render_letter(content(), window)
    x, y, w, h = window.rect()
    drawn = {text: (px, py) for text, px, py, _ in positions(pdf)}
    for line in ADDRESS:
        px, py = drawn[line]
        assert x < px < x + w and y < py < y + h, f"{line} at {px:.0f},{py:.0f} outside {window}"
        assert py - 4 > y  # the descenders clear the window's lower edge too
    # Nothing else is printed inside the window.
    others = [t for t, px, py, _ in positions(pdf) if x <= px <= x + w and y <= py <= y + h and t not in ADDRESS]
    assert others == []


def test_default_window_is_a_dl_left_window():
    assert EnvelopeWindow() == EnvelopeWindow(left_mm=20, top_mm=50, width_mm=90, height_mm=35)


def test_a_long_address_shrinks_to_stay_inside_the_window():
    window = EnvelopeWindow()
    lines = ("The Occupier of the Ground Floor Flat at the Back", *[f"Line {n}" for n in range(8)])
    size, placed = address_layout(lines, 11, window)
    ax, ay, aw, ah = window.address_area()
    assert size < 11
    assert all(ax <= x and ay <= y <= ay + ah for x, y, _ in placed)
    assert max(pdfmetrics.stringWidth(t, BOLD, size) for _, _, t in placed) <= aw


def test_welsh_letters_print_in_the_embedded_dejavu_font():
    register_fonts()
    for name in (REGULAR, BOLD):
        face = pdfmetrics.getFont(name).face
        assert all(ord(ch) in face.charToGlyph for ch in "ŵŷŴŶ")
        assert Path(face.filename).resolve().parent == (resources_dir() / "fonts").resolve()
    pdf = render_letter(content())
    text = " ".join(page_texts(pdf))
    assert "Tŷ Gwyn" in text and "Heol yr Ŵyn" in text and "ŵ ŷ Ŵ Ŷ" in text
    fonts = {}
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts and all("DejaVuSans" in name for name in fonts)  # no Helvetica anywhere
    for font in fonts.values():
        assert font["/Subtype"] == "/TrueType" and "/FontFile2" in font["/FontDescriptor"]


def test_fonts_and_licence_are_shipped_with_the_app():
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVu-LICENSE.txt"):
        assert (fonts_dir() / name).is_file()
    assert "Bitstream" in (fonts_dir() / "DejaVu-LICENSE.txt").read_text(encoding="utf-8")


def test_pdf_title_and_language():
    pdf = reader(render_letter(content(title="Acknowledgement CT-2026-0007")))
    assert pdf.metadata.title == "Acknowledgement CT-2026-0007"
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"
    assert pdf.pages[0].mediabox.width == pytest.approx(595.27, abs=0.1)  # A4 portrait
    assert pdf.pages[0].mediabox.height == pytest.approx(841.89, abs=0.1)


def test_one_page_letter_has_no_page_numbers():
    texts = page_texts(render_letter(content(paragraphs=2)))
    assert len(texts) == 1 and "Page 1 of" not in texts[0]


def test_long_letter_has_page_x_of_y_and_a_continuation_header():
    texts = page_texts(render_letter(content(paragraphs=14)))
    assert len(texts) >= 2
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {len(texts)}" in text
    for text in texts[1:]:
        assert "Our reference: CT-2026-0007" in text and "4 June 2026" in text
        assert "Tunbridge Wells Borough Council Community Safety Unit Town Hall" not in text  # no letterhead


@pytest.mark.parametrize("paragraphs", range(6, 16))
def test_signature_block_is_never_split_from_its_closing_words(paragraphs):
    texts = page_texts(render_letter(content(paragraphs=paragraphs)))
    page = next(t for t in texts if "Yours sincerely" in t)
    assert "Jane Smith Community Safety Unit, Tunbridge Wells Borough Council" in page
    assert "second point" in page  # the closing block travels with the signature


def test_marking_is_printed_on_every_page():
    texts = page_texts(render_letter(content(paragraphs=14, marking="OFFICIAL-SENSITIVE")))
    assert all(t.count("OFFICIAL-SENSITIVE") == 2 for t in texts)


def test_large_print_body_is_16_point():
    pdf = render_letter(content(large_print=True))
    sizes = {round(size, 1) for text, _, _, size in positions(pdf) if text.startswith("Paragraph 0")}
    assert sizes == {16.0}
    normal = {round(size, 1) for text, _, _, size in positions(render_letter(content()))
              if text.startswith("Paragraph 0")}
    assert normal == {11.0}


def test_text_is_escaped_not_read_as_markup():
    pdf = render_letter(content(recipient_lines=("A & B <Lettings>", "1 Road"), signatory="Smith & Co <x>"))
    text = " ".join(page_texts(pdf))
    assert "A & B <Lettings>" in text and "Smith & Co <x>" in text


def test_rendering_imports_no_qt():
    code = ("import sys\n"
            "from tests.unit.test_letter_engine import content\n"
            "from app.letters import render_letter\n"
            "from app.services import letters\n"
            "assert render_letter(content()).startswith(b'%PDF')\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6', 'ui')]\n"
            "assert not bad, bad\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# Templates ---------------------------------------------------------------------------------------

def _body(name: str) -> str:
    text = template_path(name).read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not re.match(r"^#(?!#)", line.lstrip()))


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_template_meets_the_letters_contract(name):
    template = load_template(name)
    body = _body(name)
    assert body.count("anti-social behaviour (ASB)") == 1, "spell out ASB once"
    assert body.count("Community Trigger (also called the ASB Case Review)") == 1
    assert body.index("anti-social behaviour (ASB)") < body.index("ASB Case Review")
    assert body.index("anti-social behaviour (ASB)") <= body.index("ASB")  # defined before first use
    # The engine prints the reference beside the address; the body repeats it (a panel member's
    # invitation lists the agenda's references instead).
    wanted = ["{contact_name}", "{contact_phone}", "{contact_email}", "{dear}"]
    wanted.append("@agenda" if name == "panel-member-invitation" else "{reference}")
    for placeholder in wanted:
        assert placeholder in body, f"{name} lacks {placeholder}"
    if template.to in ("applicant", "victim") and name not in ("panel-invitation",):
        assert "999" in body and "101" in body
    if template.to in ("agency", "panel member"):
        assert template.marking == "OFFICIAL-SENSITIVE"
    assert template.needs_approval == (name == "findings")


def test_a_missing_placeholder_is_an_error_naming_it():
    template = parse_template("test", "subject: About {reference}\nto: applicant\n\nDear {dear}, "
                                      "we will write by {due_date}.\n")
    with pytest.raises(MissingPlaceholder) as missing:
        fill(template, {"reference": "CT-2026-0007", "dear": "Ms Patel"})
    assert missing.value.name == "due_date" and "'due_date'" in str(missing.value)
    for blank in (None, "", "   "):
        with pytest.raises(MissingPlaceholder, match="due_date"):
            fill(template, {"reference": "CT-2026-0007", "dear": "Ms Patel", "due_date": blank})
    filled = fill(template, {"reference": "CT-2026-0007", "dear": "Ms Patel", "due_date": date(2026, 6, 4)})
    assert filled.blocks[0].items == ("Dear Ms Patel, we will write by 4\u00a0June\u00a02026.",)  # kept whole


def test_shipped_template_with_missing_value_names_it():
    with pytest.raises(MissingPlaceholder) as missing:
        fill(load_template("delay"), {"reference": "CT-2026-0007", "dear": "Ms Patel", "original_due": date(2026, 6, 4),
                                      "the_application": "your application",
                                      "outcome_days": 25, "contact_name": "J", "contact_phone": "1",
                                      "contact_email": "e", "new_date": date(2026, 7, 1)})
    assert missing.value.name == "delay_reason"


def test_lists_conditions_bold_and_bullets():
    template = parse_template("test", (
        "# a comment\nsubject: **Hi** {reference}\nto: agency\nmarking: OFFICIAL-SENSITIVE\n\n"
        "## Incidents\n\n@incidents: {when} to {agency}\n\n@extras?\n\n"
        "@if met\nMet **now**.\n\n@if not met\nNot met.\n\nPoints:\n- one {reference}\n- two\n  continued\n"))
    values = {"reference": "CT-1", "incidents": [{"when": date(2026, 6, 4), "agency": "Kent Police"}],
              "extras": [], "met": True}
    blocks = fill(template, values).blocks
    assert [b.kind for b in blocks] == ["heading", "bullets", "paragraph", "paragraph", "bullets"]
    assert blocks[1].items == ("4\u00a0June\u00a02026 to Kent Police",)
    assert blocks[2].items == ("Met <b>now</b>.",)
    assert blocks[4].items == ("one CT-1", "two continued")
    assert template.marking == "OFFICIAL-SENSITIVE" and template.to == "agency"
    with pytest.raises(MissingPlaceholder, match="'incidents'"):
        fill(template, {**values, "incidents": []})
    with pytest.raises(MissingPlaceholder, match="'incidents.agency'"):
        fill(template, {**values, "incidents": [{"when": date(2026, 6, 4)}]})
    with pytest.raises(MissingPlaceholder, match="'met'"):
        fill(template, {k: v for k, v in values.items() if k != "met"})


def test_values_are_escaped():
    template = parse_template("test", "subject: x\nto: applicant\n\nDear {dear}\n")
    assert fill(template, {"dear": "<b>A & B</b>"}).blocks[0].items == ("Dear &lt;b&gt;A &amp; B&lt;/b&gt;",)


@pytest.mark.parametrize("text, problem", [
    ("to: applicant\n\nBody", "needs 'subject:'"),
    ("subject: x\nto: somebody\n\nBody", "to: somebody"),
    ("subject: x\nto: applicant\ncolour: red\n\nBody", "header line 'colour'"),
    ("subject: x\nto: applicant\n\n@if maybe not x\nBody", "@if name"),
    ("subject: x\nto: applicant\n\nA {name!r} here", "lower case"),
])
def test_template_mistakes_are_reported(text, problem):
    with pytest.raises(TemplateError, match=re.escape(problem)):
        fill(parse_template("test", text), {"name": "x"})


def test_unknown_template_name_is_refused():
    with pytest.raises(TemplateError, match="no letter template called 'thank-you'"):
        load_template("thank-you")


def test_a_logo_goes_above_the_window(tmp_path):
    from PIL import Image
    logo = tmp_path / "logo.png"
    Image.new("RGB", (400, 160), "navy").save(logo)
    pdf = render_letter(content(logo=logo))
    page = reader(pdf).pages[0]
    images = list(page.images)
    assert len(images) == 1
    x, y, w, h = EnvelopeWindow().rect()
    drawn = {text: (px, py) for text, px, py, _ in positions(pdf)}
    assert y < drawn[ADDRESS[0]][1] < y + h  # the address is still in the window
