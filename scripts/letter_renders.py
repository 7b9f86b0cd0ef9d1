"""Render every letter (an ordinary case and a third-party case), large print and the panel pack as PNGs.

    .venv/bin/python scripts/letter_renders.py [OUTPUT_FOLDER]      (default: docs/letters)

The letters are produced through the services on a throwaway database with the cases the tests use,
so the pictures are the letters the app makes. Needs `pdftoppm` (poppler-utils).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.application import PersonData  # noqa: E402
from app.letters import TEMPLATE_NAMES  # noqa: E402
from app.services.letters import case_letters as L  # noqa: E402
from app.services.panels import meetings as panels  # noqa: E402
from app.services.panels.pack import build_panel_pack  # noqa: E402
from tests.conftest import make_context  # noqa: E402
from tests.db.test_letters import _build  # noqa: E402
from tests.db.letter_cases import add_panel, decided, new_case  # noqa: E402

THIRD_PARTY = ("victim-consent-request", "incident-confirmation-request", "information-request", "threshold-met",
               "findings", "panel-invitation", "recommendation-notice")


def _png(pdf: bytes, out: Path, name: str, work: Path) -> list[Path]:
    source = work / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in out.glob(f"{name}-[0-9]*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-gray", str(source), str(out / name)], check=True)
    for path in out.glob(f"{name}-0[0-9]*.png"):  # pdftoppm pads page numbers of longer documents
        path.rename(path.with_name(f"{name}-{int(path.stem.rsplit('-', 1)[1])}.png"))
    return sorted(out.glob(f"{name}-[0-9]*.png"))


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "letters"
    out.mkdir(parents=True, exist_ok=True)
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is needed (apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        made: list[Path] = []
        for template in TEMPLATE_NAMES:
            variants = [True] if template == "victim-consent-request" else \
                [False, *([True] if template in THIRD_PARTY else [])]
            for third in variants:
                ctx = make_context(f"sqlite:///{work / f'{template}-{third}.db'}")
                case_id, args, _ = _build(ctx, template, third)
                if template == "panel-invitation" and third:
                    args = {"recipient": "Mr Tom Marchbank"}
                info = L.produce_letter(ctx, case_id, template, **args)
                name = template + ("-third-party" if third and template != "victim-consent-request" else "")
                made += _png(L.letter_pdf(ctx, info.id), out, name, work)
                ctx.engine.dispose()
        ctx = make_context(f"sqlite:///{work / 'large.db'}")
        person = PersonData(title="Mr", first_name="Tomos", last_name="Rhys", address_lines=("Tŷ Gwyn", "Heol yr Ŵyn"),
                            postcode="TN2 3PQ", accessibility_needs="Large print please")
        case = new_case(ctx, applicant=person)
        made += _png(L.letter_pdf(ctx, L.produce_letter(ctx, case.id, "acknowledgement").id), out,
                     "acknowledgement-large-print", work)
        ctx.engine.dispose()
        ctx = make_context(f"sqlite:///{work / 'pack.db'}")
        first = decided(ctx, met=True, third_party=True)
        second = decided(ctx, met=True, received="2026-11-10")
        meeting = add_panel(ctx, first, starts_at=datetime(2026, 12, 10, 14, 30), held=False, other_case=second)
        panels.add_case(ctx, meeting, second)
        made += _png(build_panel_pack(ctx, meeting).pdf, out, "panel-pack", work)
        ctx.engine.dispose()
    print("\n".join(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p) for p in made))
    print(f"{len(made)} pages rendered ({date.today():%d/%m/%Y})", file=sys.stderr)


if __name__ == "__main__":
    main()
