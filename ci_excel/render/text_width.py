"""How wide text is, in em of the report font, and wrapping mixed Chinese/Latin text to a width
(figure labels, table column widths). Pure Python: measuring loads no drawing library."""

from __future__ import annotations

import unicodedata

WIDEST_LATIN_EM = 0.72  # no character but a wide (CJK) one is wider than this


def char_em(ch: str) -> float:
    """Approximate advance width of a character in em (Noto Sans CJK)."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch.isupper() or ch in "mwMW%@":
        return WIDEST_LATIN_EM
    return 0.32 if ch in " .,:;|!il'()[]" else 0.58


def text_em(text: str) -> float:
    return sum(char_em(ch) for ch in text)


def _tokens(text: str) -> list[str]:
    """Latin words stay whole (with their trailing space); CJK characters stand alone."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            tokens += [word, ch] if word else [ch]
            word = ""
        else:
            word += ch
            if ch == " ":
                tokens.append(word)
                word = ""
    return [t for t in [*tokens, word] if t]


def wrap(text: str, width_em: float, *, max_lines: int | None = None) -> list[str]:
    """Wrap mixed Chinese/Latin text to lines no wider than width_em; '…' marks a cut."""
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(str(text).split())):
        for piece in _split_long(token, width_em):
            if line and text_em(line + piece.rstrip()) > width_em:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
    lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_em(last + "…") > width_em:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines or [""]


def _split_long(token: str, width_em: float) -> list[str]:
    if text_em(token) <= width_em:
        return [token]
    pieces, piece = [], ""
    for ch in token:
        if text_em(piece + ch) > width_em:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece]
