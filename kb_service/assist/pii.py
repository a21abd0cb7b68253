"""Mask personal data (phones, ID cards, bank cards, e-mails, order numbers) before text is stored.

Matching runs on a same-length "shadow" of the text (full-width forms folded to ASCII,
traditional characters simplified), so １３８… and 訂單號 are found while everything outside
the masked spans is returned exactly as written. Product models (i7-1360P, RTX 4060), error codes
(0x0000007B, E-102), dates, prices and 400/800 service numbers are not personal and are kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from indexer.text import to_simplified

PHONE, ID, CARD, EMAIL, ORDER = "<PHONE>", "<ID>", "<CARD>", "<EMAIL>", "<ORDER>"

Span = tuple[int, int, str]
Detector = Callable[[str], Iterator[Span]]

_ID_BODY = r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
_ID_RE = re.compile(rf"(?<![0-9A-Za-z]){_ID_BODY}(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Bounded parts (RFC 5321 limits) keep matching linear on long runs of letters or digits.
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z])"
)
_ORDER_KEY_RE = re.compile(
    r"(?<![A-Za-z])(?:订单编号|订单号码|订单号|订单|运单号|快递单号|物流单号|服务单号|工单号|单号|"
    r"order\s*(?:number|no\.?|num|id|#)?|tracking\s*(?:number|no\.?|#)?)"
    r"\s*(?:是|为|号|is|was)?\s*[:#]?\s*(?P<v>[A-Za-z0-9][A-Za-z0-9-]{5,39})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_GROUPED_RE = re.compile(
    r"(?<![0-9])[0-9]{4}(?P<sep>[ -])[0-9]{4}(?:(?P=sep)[0-9]{4}){1,2}(?:(?P=sep)[0-9]{1,4})?(?![0-9])"
)
_PHONE_RE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?|\(\+?86\)\s?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
_LANDLINE_RE = re.compile(
    r"(?<![0-9A-Za-z-])(?:\(0[0-9]{2,3}\)\s?|0[0-9]{2,3}[ -])[0-9]{7,8}(?:-[0-9]{1,5})?(?![0-9])"
)
_CARD_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{13,19}(?![0-9A-Za-z])")
_LONG_DIGITS_RE = re.compile(r"(?<![0-9])[0-9]{12,}(?![0-9])")


def _shadow(text: str) -> str:
    """A same-length copy for matching: full-width forms → ASCII, traditional → simplified."""
    chars = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
        chars.append(folded if len(folded) == 1 else ch)
    folded_text = "".join(chars)
    simplified = to_simplified(folded_text)
    return simplified if len(simplified) == len(text) else folded_text


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _id_checksum_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def _regex(pattern: re.Pattern[str], decide: Callable[[str], str | None], group: str | int = 0) -> Detector:
    def detect(shadow: str) -> Iterator[Span]:
        for match in pattern.finditer(shadow):
            token = decide(match.group(group))
            if token:
                yield match.start(group), match.end(group), token

    return detect


def _order_value(value: str) -> str | None:
    return ORDER if len(_digits(value)) >= 4 else None  # "order ThinkPad" is not an order number


def _grouped(value: str) -> str | None:
    digits = _digits(value)
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return CARD
    return ORDER if len(digits) >= 12 else None


# Most specific first; a later detector never touches a span an earlier one took.
_DETECTORS: tuple[Detector, ...] = (
    _regex(_EMAIL_RE, lambda _: EMAIL),
    _regex(_ORDER_KEY_RE, _order_value, "v"),
    _regex(_ID_RE, lambda v: ID if _id_checksum_ok(v) else None),
    _regex(_GROUPED_RE, _grouped),
    _regex(_PHONE_RE, lambda _: PHONE),
    _regex(_LANDLINE_RE, lambda _: PHONE),
    _regex(_CARD_RE, lambda v: CARD if _luhn_ok(v) else None),
    _regex(_ID_RE, lambda _: ID),  # a valid date of birth but a mistyped check digit
    _regex(_LONG_DIGITS_RE, lambda _: ORDER),
)


def find_pii(text: str) -> list[Span]:
    """Non-overlapping `(start, end, token)` spans of personal data in `text`, in text order."""
    shadow = _shadow(text)
    taken: list[Span] = []
    used = bytearray(len(text))  # 1 where an earlier detector already took the character
    for detect in _DETECTORS:
        for start, end, token in detect(shadow):
            if not any(used[start:end]):
                taken.append((start, end, token))
                used[start:end] = b"\x01" * (end - start)
    return sorted(taken)


def mask_pii(text: str) -> str:
    """Replace personal data with `<PHONE>`, `<ID>`, `<CARD>`, `<EMAIL>` or `<ORDER>`.

    Args:
        text: raw customer text (Chinese or English, half- or full-width).

    Returns:
        The text with each personal-data span replaced by its token; all else unchanged.
    """
    parts: list[str] = []
    last = 0
    for start, end, token in find_pii(text):
        parts += [text[last:start], token]
        last = end
    parts.append(text[last:])
    return "".join(parts)
