"""Alt+letter keys (mnemonics) for labels made at run time, never one a window already uses."""
from __future__ import annotations


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' (lower case), or None; '&&' is a literal ampersand."""
    n = 0
    while n < len(text) - 1:
        if text[n] == "&":
            if text[n + 1] == "&":
                n += 2
                continue
            return text[n + 1].lower()
        n += 1
    return None


def with_mnemonic(text: str, taken: set[str]) -> str:
    """`text` with an '&' before a letter not in `taken` (first letters of words first), which is
    then added to `taken`. Text that already has one, or has no free letter, is returned as it is."""
    own = mnemonic(text)
    if own is not None:
        taken.add(own)
        return text
    starts = [n for n, ch in enumerate(text) if ch.isalnum() and (n == 0 or not text[n - 1].isalnum())]
    others = [n for n, ch in enumerate(text) if ch.isalnum() and n not in starts]
    for n in starts + others:
        letter = text[n].lower()
        if letter not in taken:
            taken.add(letter)
            return text[:n] + "&" + text[n:]
    return text
