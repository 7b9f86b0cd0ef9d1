"""Letter templates: editable text files in resources/letters, parsed and filled with a case's values.

The format is described in resources/letters/README.md. In short: a header of `key: value` lines,
a blank line, then paragraphs separated by blank lines. `{name}` is a value; `**text**` is bold;
`## text` is a heading; `- text` is a bullet; `@name` expands a list given by the code (as
bullets), `@name: format with {field}` formats each item, `@name?` may be empty; a block that
starts with `@if name` (or `@if not name`, or `@if name and not other`) is printed only when every
flag named is as written.
A value the template names but the data lacks is an error naming it, never a blank. A block that
starts with `@enclosure: Title` begins a page sent with the letter (a form to return), printed after
the signature.

The officer may change the filled text before the PDF is made: `letter_parts` lists each paragraph,
heading and bullet as plain text (bold kept as **...**) under a stable key, and `apply_edits` puts
the officer's words in their place. The template itself is never changed.
"""
from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from app.domain.dates import long_form
from app.letters.engine import Block
from app.paths import resources_dir

TEMPLATE_NAMES: tuple[str, ...] = (
    "cannot-proceed", "not-accepted", "withdrawal", "acknowledgement", "threshold-met",
    "threshold-not-met", "incident-confirmation-request", "information-request", "agency-reminder",
    "panel-member-invitation", "panel-invitation", "findings", "delay", "recommendation-notice",
    "secondary-review-acknowledgement", "secondary-review-outcome", "victim-consent-request")
TEMPLATE_LABELS: dict[str, str] = {
    "cannot-proceed": "Cannot proceed yet (consent missing)",
    "not-accepted": "Application not accepted",
    "withdrawal": "Withdrawal confirmed",
    "acknowledgement": "Acknowledgement",
    "threshold-met": "Threshold met",
    "threshold-not-met": "Threshold not met",
    "incident-confirmation-request": "Incident confirmation request (agency)",
    "information-request": "Information request (agency)",
    "agency-reminder": "Reminder to an agency",
    "panel-member-invitation": "Panel member invitation",
    "panel-invitation": "Invitation to the panel (applicant)",
    "findings": "Findings and recommendations",
    "delay": "Delay letter",
    "recommendation-notice": "Recommendation notice (agency)",
    "secondary-review-acknowledgement": "Secondary review acknowledgement",
    "secondary-review-outcome": "Secondary review outcome",
    "victim-consent-request": "Asking the victim for consent",
}
# "applicant or victim": a letter that may go to either (the panel invitation in a third-party case).
RECIPIENT_KINDS = ("applicant", "victim", "applicant or victim", "agency", "panel member")
_HEADER_KEYS = {"subject", "to", "approval", "marking", "sign-off", "title"}
_BOLD = "\x01"  # stands in for ** in the template's own text while values are substituted
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class TemplateError(ValueError):
    """A template that cannot be read or filled; the message names the template and the problem."""


class MissingPlaceholder(TemplateError):
    def __init__(self, name: str, template: str, detail: str = "has no value for this case") -> None:
        self.name = name
        self.template = template
        super().__init__(f"The {template} letter needs '{name}', which {detail}.")


@dataclass(frozen=True)
class _Part:
    kind: str  # paragraph, heading, bullets, list
    text: tuple[str, ...] = ()  # paragraph/heading: one string; bullets: one per item
    list_name: str = ""
    item_format: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class _Section:
    condition: tuple[tuple[str, bool], ...] | None  # every (flag, wanted value) must hold
    parts: tuple[_Part, ...]


@dataclass(frozen=True)
class LetterTemplate:
    name: str
    subject: str
    to: str
    approval: str | None
    marking: str | None
    sign_off: str
    title: str | None
    sections: tuple[_Section, ...]
    enclosure_title: str | None = None
    enclosure: tuple[_Section, ...] = ()

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval)


@dataclass(frozen=True)
class FilledLetter:
    template: LetterTemplate
    subject: str  # markup
    title: str  # plain text, for the PDF's metadata
    blocks: tuple[Block, ...]
    enclosure_title: str | None = None
    enclosure: tuple[Block, ...] = ()


def template_path(name: str) -> Path:
    return resources_dir() / "letters" / f"{name}.txt"


_cache: dict[str, tuple[float, LetterTemplate]] = {}


def load_template(name: str) -> LetterTemplate:
    """Read (and cache until the file changes) one template by name."""
    if name not in TEMPLATE_NAMES:
        raise TemplateError(f"There is no letter template called '{name}'. Choose one of: "
                            f"{', '.join(TEMPLATE_NAMES)}.")
    path = template_path(name)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        raise TemplateError(f"The {name} letter template is missing ({path}).") from None
    cached = _cache.get(name)
    if cached and cached[0] == stamp:
        return cached[1]
    parsed = parse_template(name, path.read_text(encoding="utf-8"))
    _cache[name] = (stamp, parsed)
    return parsed


def parse_template(name: str, text: str) -> LetterTemplate:
    # A comment is a line starting with one '#'; '## ' starts a heading.
    lines = [line.rstrip() for line in text.splitlines()
             if not (line.lstrip().startswith("#") and not line.lstrip().startswith("##"))]
    header: dict[str, str] = {}
    while lines and lines[0].strip():
        key, sep, value = lines.pop(0).partition(":")
        key = key.strip().lower()
        if not sep or key not in _HEADER_KEYS:
            raise TemplateError(f"The {name} template's header line '{key}' is not one of "
                                f"{', '.join(sorted(_HEADER_KEYS))} (end the header with a blank line).")
        header[key] = value.strip()
    for required in ("subject", "to"):
        if not header.get(required):
            raise TemplateError(f"The {name} template's header needs '{required}:'.")
    if header["to"] not in RECIPIENT_KINDS:
        raise TemplateError(f"The {name} template says 'to: {header['to']}'; use one of "
                            f"{', '.join(RECIPIENT_KINDS)}.")
    sections: list[_Section] = []
    enclosure: list[_Section] = []
    enclosure_title: str | None = None
    for chunk in "\n".join(lines).split("\n\n"):
        chunk_lines = [line for line in chunk.split("\n") if line.strip()]
        if chunk_lines and chunk_lines[0].strip().startswith("@enclosure"):
            head, _, title = chunk_lines.pop(0).strip().partition(":")
            if head.strip() != "@enclosure" or not title.strip() or enclosure_title is not None:
                raise TemplateError(f"The {name} template has '{head}': write '@enclosure: Title' once, "
                                    "before the page sent with the letter.")
            enclosure_title = title.strip()
        if chunk_lines:
            (enclosure if enclosure_title is not None else sections).append(_section(name, chunk_lines))
    return LetterTemplate(name, header["subject"], header["to"], header.get("approval") or None,
                          header.get("marking") or None, header.get("sign-off") or "Yours sincerely",
                          header.get("title") or None, tuple(sections), enclosure_title, tuple(enclosure))


def _section(name: str, lines: list[str]) -> _Section:
    condition = None
    first = lines[0].strip()
    if first.startswith("@if "):
        terms = []
        for term in " ".join(first.split()[1:]).split(" and "):
            words = term.split()
            negate = len(words) == 2 and words[0] == "not"
            flag = words[-1] if words else ""
            if len(words) not in (1, 2) or (len(words) == 2 and not negate) or not _NAME.match(flag):
                raise TemplateError(f"The {name} template has '{first}': write '@if name', '@if not name' "
                                    "or '@if name and not other'.")
            terms.append((flag, not negate))
        condition = tuple(terms)
        lines = lines[1:]
    parts: list[_Part] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if paragraph:
            parts.append(_Part("paragraph", (" ".join(paragraph),)))
            paragraph.clear()
        if bullets:
            parts.append(_Part("bullets", tuple(bullets)))
            bullets.clear()

    for raw in lines:
        line = raw.strip()
        if line.startswith("## "):
            flush()
            parts.append(_Part("heading", (line[3:].strip(),)))
        elif line.startswith("@"):
            flush()
            parts.append(_list_part(name, line))
        elif line.startswith("- "):
            if paragraph:
                flush()
            bullets.append(line[2:].strip())
        elif bullets and raw.startswith((" ", "\t")):
            bullets[-1] += " " + line  # an indented line continues the bullet above
        else:
            if bullets:
                flush()
            paragraph.append(line)
    flush()
    return _Section(condition, tuple(parts))


def _list_part(name: str, line: str) -> _Part:
    head, sep, fmt = line[1:].partition(":")
    head = head.strip()
    optional = head.endswith("?")
    list_name = head.rstrip("?")
    if not _NAME.match(list_name) or list_name == "if":
        raise TemplateError(f"The {name} template has '{line}': a list is written '@name', "
                            "'@name?' or '@name: format'.")
    return _Part("list", list_name=list_name, item_format=fmt.strip() if sep else None, optional=optional)


# Filling --------------------------------------------------------------------------------------------

def fill(template: LetterTemplate, values: Mapping[str, Any]) -> FilledLetter:
    """The template's text with every value in place, as paragraph markup."""
    subject = _fill_text(template.name, template.subject, values)
    title = _fill_text(template.name, template.title or template.subject, values)
    enclosure_title = (_fill_text(template.name, template.enclosure_title, values)
                       if template.enclosure_title else None)
    return FilledLetter(template, subject, _plain(title), _fill_sections(template, template.sections, values),
                        enclosure_title, _fill_sections(template, template.enclosure, values))


def _fill_sections(template: LetterTemplate, sections: tuple[_Section, ...],
                   values: Mapping[str, Any]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for section in sections:
        if not _holds(template.name, section.condition, values):
            continue
        for part in section.parts:
            block = _fill_part(template.name, part, values)
            if block is None:
                continue
            if block.kind == "bullets" and blocks and blocks[-1].kind == "bullets":
                # Bullets from neighbouring blocks (one list built from several conditions) are one list.
                blocks[-1] = Block("bullets", blocks[-1].items + block.items)
            else:
                blocks.append(block)
    return tuple(blocks)


def _holds(name: str, condition: tuple[tuple[str, bool], ...] | None, values: Mapping[str, Any]) -> bool:
    for flag, wanted in condition or ():
        if flag not in values or values[flag] is None:
            raise MissingPlaceholder(flag, name, "is not known for this case")
        if bool(values[flag]) != wanted:
            return False
    return True


def _fill_part(name: str, part: _Part, values: Mapping[str, Any]) -> Block | None:
    if part.kind != "list":
        return Block(part.kind, tuple(_fill_text(name, text, values) for text in part.text))
    items = values.get(part.list_name)
    if items is None or (isinstance(items, (list, tuple)) and not items):
        if part.optional:
            return None
        raise MissingPlaceholder(part.list_name, name, "has no entries for this case")
    if isinstance(items, (str, bytes)) or not isinstance(items, (list, tuple)):
        raise TemplateError(f"The {name} letter uses '@{part.list_name}' as a list, but it is a single "
                            f"value; write {{{part.list_name}}} instead.")
    out = []
    for n, item in enumerate(items, start=1):
        if part.item_format is None:
            if isinstance(item, Mapping):
                raise TemplateError(f"The {name} letter's list '@{part.list_name}' needs a format: "
                                    f"'@{part.list_name}: ...' naming its fields ({', '.join(item)}).")
            out.append(_fill_text(name, "{item}", {"item": item}, f"{part.list_name} item {n}"))
        else:
            fields = item if isinstance(item, Mapping) else {"item": item}
            out.append(_fill_text(name, part.item_format, fields, part.list_name))
    return Block("bullets", tuple(out))


def _fill_text(name: str, text: str, values: Mapping[str, Any], prefix: str | None = None) -> str:
    out: list[str] = []
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"The {name} template has a stray brace in '{text}': {exc}") from None
    for literal, field_name, spec, conversion in pieces:
        out.append(escape(literal).replace("**", _BOLD))
        if field_name is None:
            continue
        label = f"{prefix}.{field_name}" if prefix and field_name != "item" else (prefix or field_name)
        if spec or conversion or not _NAME.match(field_name):
            raise TemplateError(f"The {name} template has '{{{field_name}}}': a value is written "
                                "{name}, lower case with underscores.")
        if field_name not in values:
            raise MissingPlaceholder(label, name)
        out.append(_value_markup(name, label, values[field_name]))
    return _bold("".join(out))


def _value_markup(name: str, label: str, value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MissingPlaceholder(label, name)
    if isinstance(value, bool) or isinstance(value, (list, tuple, dict)):
        raise TemplateError(f"The {name} letter uses '{{{label}}}' as text, but it is a "
                            f"{type(value).__name__}.")
    if isinstance(value, date):
        return long_form(value).replace(" ", "\u00a0")  # "4 June 2026" is never broken across lines
    return escape(str(value).strip()).replace("\n", "<br/>")


def _bold(text: str) -> str:
    pieces = text.split(_BOLD)
    if len(pieces) % 2 == 0:  # an unpaired ** is printed as it is
        return text.replace(_BOLD, "**")
    return "".join(p if n % 2 == 0 else f"<b>{p}</b>" for n, p in enumerate(pieces))


def _plain(markup: str) -> str:
    text = re.sub(r"</?b>|<br/>", "", markup)
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


# The officer's edits ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LetterPart:
    """One piece of the filled text the officer may change: key "subject", "3" (a paragraph or heading),
    "4.1" (the second bullet of block 4); "e2" for the enclosure's blocks."""

    key: str
    kind: str  # subject, paragraph, heading, bullet
    text: str  # plain text; bold as **...**, a line break as a new line


def letter_parts(filled: FilledLetter) -> tuple[LetterPart, ...]:
    parts = [LetterPart("subject", "subject", markup_to_text(filled.subject))]
    for prefix, blocks in (("", filled.blocks), ("e", filled.enclosure)):
        for n, block in enumerate(blocks):
            if block.kind == "bullets":
                parts += [LetterPart(f"{prefix}{n}.{i}", "bullet", markup_to_text(item))
                          for i, item in enumerate(block.items)]
            else:
                parts.append(LetterPart(f"{prefix}{n}", block.kind, markup_to_text(block.items[0])))
    return tuple(parts)


def apply_edits(filled: FilledLetter, edits: Mapping[str, str]) -> FilledLetter:
    """The filled letter with the officer's words in place of the parts named; an emptied part is left out."""
    known = {p.key for p in letter_parts(filled)}
    unknown = sorted(set(edits) - known)
    if unknown:
        raise TemplateError(f"The {filled.template.name} letter has no part {', '.join(unknown)} to change.")

    def edited(prefix: str, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        out: list[Block] = []
        for n, block in enumerate(blocks):
            if block.kind == "bullets":
                items = tuple(text_to_markup(edits[k]) if (k := f"{prefix}{n}.{i}") in edits else item
                              for i, item in enumerate(block.items))
                items = tuple(item for item in items if item.strip())
                if items:
                    out.append(Block("bullets", items))
                continue
            key = f"{prefix}{n}"
            text = text_to_markup(edits[key]) if key in edits else block.items[0]
            if text.strip():
                out.append(Block(block.kind, (text,)))
        return tuple(out)

    subject = text_to_markup(edits["subject"]) if edits.get("subject", "").strip() else filled.subject
    return FilledLetter(filled.template, subject, _plain(subject) if "subject" in edits else filled.title,
                        edited("", filled.blocks), filled.enclosure_title, edited("e", filled.enclosure))


def markup_to_text(markup: str) -> str:
    text = re.sub(r"</?b>", "**", markup).replace("<br/>", "\n")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def text_to_markup(text: str) -> str:
    """The officer's plain text as paragraph markup: escaped, **bold** kept, new lines kept."""
    lines = [re.sub(r"[ \t]+", " ", line).strip(" \t") for line in text.strip().splitlines()]
    return _bold(escape("\n".join(lines)).replace("**", _BOLD)).replace("\n", "<br/>")
