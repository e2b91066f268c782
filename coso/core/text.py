"""Vietnamese text: NFC normalisation, accent folding for search, and sort keys in Vietnamese order.

Sorting and searching run on precomputed key columns (a Python collation in SQLite is ~80 times slower).
Sort order is the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), letters first,
then tones (ngang, huyền, hỏi, ngã, sắc, nặng) as a tie-breaker; runs of digits compare by value.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# Letters outside the Vietnamese alphabet (f, j, w, z) sort after their neighbours.
_EXTRA = {"f": "e~", "j": "i~", "w": "v~", "z": "y~"}
_RANK = {ch: chr(0x41 + i) for i, ch in enumerate(_ALPHABET)}
_DIGITS = re.compile(r"\d+")


def nfc(value: str | None) -> str:
    """NFC-normalise and trim; the same name typed in decomposed form must compare equal."""
    if value is None:
        return ""
    return _nfc(str(value))


@functools.lru_cache(maxsize=20_000)  # imports repeat the same values (Kinh, Không, 12/12 …) row after row
def _nfc(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def fold(value: str | None) -> str:
    """Lower-case, accents removed, đ → d: 'Nguyễn Văn Ân' → 'nguyen van an'."""
    text = unicodedata.normalize("NFD", nfc(value).lower()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", "d")


def _split_letter(ch: str) -> tuple[str, str]:
    """'ệ' → ('ê', '5'): base letter with its vowel marks, and the tone digit."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = "0"
    kept = []
    for part in decomposed:
        if part in _TONES:
            tone = _TONES[part]
        else:
            kept.append(part)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def sort_key(value: str | None) -> str:
    """A string whose plain (C / binary) order is Vietnamese dictionary order."""
    text = nfc(value).lower()
    text = _DIGITS.sub(lambda m: "\x01" + m.group(0).lstrip("0").rjust(10, "0"), text)
    primary = []
    tones = []
    for ch in text:
        if ch == "\x01":
            primary.append("#")  # marks a number; digits then sort by value, before letters
            continue
        if ch.isdigit():
            primary.append(ch)
            continue
        base, tone = _split_letter(ch)
        if base in _RANK:
            primary.append(_RANK[base])
            tones.append(tone)
        elif base in _EXTRA:
            primary.append(_RANK[_EXTRA[base][0]] + "~")
            tones.append(tone)
        elif base.isspace():
            primary.append(" ")
        elif base.isalnum():
            primary.append("~" + base)
        # punctuation is ignored for ordering
    return ("".join(primary) + "!" + "".join(tones))[:250]


def person_sort_key(full_name: str | None) -> str:
    """Vietnamese order for people: by given name (the last word), then the rest of the name."""
    parts = nfc(full_name).split(" ")
    if not parts or parts == [""]:
        return ""
    given, rest = parts[-1], " ".join(parts[:-1])
    return sort_key(given + " " + rest)
