"""Letters: templates filled with a case's values and rendered to PDF (no database, no Qt here)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.settings import CouncilDetails
from app.letters.engine import Block, Contact, LetterContent, default_logo, render_letter
from app.letters.layout import EnvelopeWindow
from app.letters.templates import (TEMPLATE_NAMES, FilledLetter, LetterPart, LetterTemplate, MissingPlaceholder,
                                   TemplateError, apply_edits, fill, letter_parts, load_template)

__all__ = ["Block", "Contact", "EnvelopeWindow", "FilledLetter", "LetterContent", "LetterPart", "LetterRequest",
           "LetterTemplate", "MissingPlaceholder", "TEMPLATE_NAMES", "TemplateError", "apply_edits", "compose",
           "fill", "fill_request", "letter_parts", "load_template", "produce_pdf", "render_letter"]


@dataclass(frozen=True)
class LetterRequest:
    """Everything one letter needs: which template, its values, and who it is from and to."""

    template: str
    values: Mapping[str, Any]
    council: CouncilDetails
    reference: str
    letter_date: date
    recipient_lines: tuple[str, ...]
    contact: Contact
    large_print: bool = False
    signatory_role: str = ""
    window: EnvelopeWindow = field(default_factory=EnvelopeWindow)
    edits: Mapping[str, str] = field(default_factory=dict)  # the officer's words, by part (see letter_parts)


def fill_request(request: LetterRequest) -> FilledLetter:
    """The template filled with the request's values, before the officer's edits."""
    return fill(load_template(request.template), request.values)


def compose(request: LetterRequest) -> LetterContent:
    """Fill the template (raising MissingPlaceholder naming what is missing) into letter content."""
    filled = fill_request(request)
    if request.edits:
        filled = apply_edits(filled, request.edits)
    template = filled.template
    return LetterContent(
        council=request.council, reference=request.reference, letter_date=request.letter_date,
        recipient_lines=request.recipient_lines, subject=filled.subject, blocks=filled.blocks,
        contact=request.contact, signatory=request.contact.name,
        signatory_role=request.signatory_role, sign_off=template.sign_off, marking=template.marking,
        title=filled.title, large_print=request.large_print, logo=default_logo(),
        enclosure_title=filled.enclosure_title, enclosure=filled.enclosure)


def produce_pdf(request: LetterRequest) -> bytes:
    return render_letter(compose(request), request.window)
