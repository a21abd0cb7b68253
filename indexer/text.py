"""Text normalisation shared by index build and query: one function, the same on both sides.

`normalize` = NFKC (full-width → half-width, compatibility forms) → case folding → traditional →
simplified Chinese (OpenCC `t2s`) → invisible characters removed → whitespace collapsed.
It is idempotent, so callers may normalise once and pass the result on.
"""

from __future__ import annotations

import re
import unicodedata

from opencc import OpenCC

# OpenCC is stateless after loading its dictionaries, so one module-level converter is shared.
_T2S = OpenCC("t2s")
_WS = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_CODE_CHARS = re.compile(r"[a-z0-9._:-]+")


def _conversion_chars() -> frozenset[str] | None:
    """A set that every text OpenCC would change contains a character of; None if unknown.

    Every dictionary entry that changes something has a key character in the set, so a text
    that contains none of them matches no changing entry and comes out unchanged.
    """
    chars: set[str] = set()
    try:
        tables = [table for group in _T2S._dict_chain_data for _, _, table in group]  # pinned internals
        entries = sorted((item for table in tables for item in table.items()), key=lambda kv: len(kv[0]))
    except (AttributeError, TypeError, ValueError):
        return None
    for key, value in entries:  # single characters first, so phrases can reuse them
        first = value.split(" ")[0]
        if first != key and chars.isdisjoint(key):
            diff = [k for k, v in zip(key, first, strict=False) if k != v]
            chars.add(diff[0] if diff else key[0])  # the changed character is the rare one
    return frozenset(chars)


# Fast path: text with none of these characters is already simplified, and OpenCC (pure Python,
# ~80 µs per sentence) is skipped. Conversion keeps the length (first candidate of equal length).
_TRAD_CHARS = _conversion_chars()


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified ones (length-preserving)."""
    if _TRAD_CHARS is not None and _TRAD_CHARS.isdisjoint(text):
        return text
    return str(_T2S.convert(text))


def normalize(text: str) -> str:
    """Normalise text for matching: NFKC, case folding, traditional → simplified, whitespace collapsed.

    Args:
        text: raw text (query or document).

    Returns:
        The normalised text; `normalize(normalize(t)) == normalize(t)`.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INVISIBLE.sub("", to_simplified(text))
    return _WS.sub(" ", text).strip()


def code_runs(text: str) -> str:
    """The runs of ASCII letters, digits and `._:-` of `normalize(text)`, joined by single spaces.

    A code (`indexer.ranking.query_codes` are made of these characters only) occurs in
    `normalize(text)` iff it occurs in this string. It is cheaper than `normalize` and much shorter:
    the traditional → simplified step is skipped (OpenCC maps Han to non-empty Han only, so runs are
    unchanged; it cost ~0.8 ms per text that has a convertible character) and whitespace collapsing
    cannot change a run.
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(_CODE_CHARS.findall(_INVISIBLE.sub("", text.casefold())))


def _clusters(text: str) -> list[tuple[int, str]]:
    """Split into (start offset, base character + following combining marks)."""
    out: list[tuple[int, str]] = []
    for i, ch in enumerate(text):
        if out and unicodedata.combining(ch):
            start, prev = out[-1]
            out[-1] = (start, prev + ch)
        else:
            out.append((i, ch))
    return out


def _one_to_one_chars() -> tuple[re.Pattern[str], dict[int, str]]:
    """Characters that `normalize` maps to exactly one character on their own, as a pattern matching
    texts made only of them, and a `str.translate` table of those that change (`Ａ` → `a`, `，` → `,`).

    Scans the blocks of Chinese and English text (Latin, CJK punctuation, full-width forms; ~7 ms).
    CJK ideographs U+4E00-9FFF and Hangul syllables are NFKC-stable and have no case: taken as they
    are (a test checks every one). Combining marks are left out, so no grapheme clusters form.
    """
    ranges: list[tuple[int, int]] = []
    table: dict[int, str] = {}
    for first, last in ((0x0, 0x2FF), (0x3000, 0x4DFF), (0xFF00, 0xFFEF)):
        for code in range(first, last + 1):
            ch = chr(code)
            piece = _INVISIBLE.sub("", unicodedata.normalize("NFKC", ch).casefold())
            if len(piece) != 1 or unicodedata.combining(ch):
                continue
            if piece != ch:
                table[code] = piece
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    ranges += [(0x4E00, 0x9FFF), (0xAC00, 0xD7A3)]
    body = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{body}]*"), table


_ONE_TO_ONE, _ONE_TO_ONE_TABLE = _one_to_one_chars()
_NON_SPACE = re.compile(r"\S+")


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise like `normalize` and map every normalised character back to the original text.

    Returns:
        (normalised text, offsets) with `len(offsets) == len(normalised)`; `offsets[i]` is the index
        in `text` of the character that produced normalised character `i`.
    """
    if _ONE_TO_ONE.fullmatch(text):
        return _collapse_spaces(text.translate(_ONE_TO_ONE_TABLE))
    return _normalize_by_cluster(text)


def _collapse_spaces(mapped: str) -> tuple[str, list[int]]:
    """The common case, one output character per input character: only whitespace runs change
    (one space at the run's first character; none at either end). Slices instead of a loop per
    character: ~20x faster on a 300-character passage."""
    pieces: list[str] = []
    offsets: list[int] = []
    for m in _NON_SPACE.finditer(mapped):
        if pieces:
            pieces.append(" ")
            offsets.append(offsets[-1] + 1)  # the run's first whitespace character
        pieces.append(m.group())
        offsets.extend(range(m.start(), m.end()))
    return to_simplified("".join(pieces)), offsets


def _normalize_by_cluster(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    offsets: list[int] = []
    for start, cluster in _clusters(text):
        piece = _INVISIBLE.sub("", unicodedata.normalize("NFKC", cluster).casefold())
        for ch in piece:
            if ch.isspace():
                if not chars or chars[-1] == " ":
                    continue
                ch = " "
            chars.append(ch)
            offsets.append(start)
    if chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return to_simplified("".join(chars)), offsets
