"""Bytes to text without refusing real text: BOM, declared charset, UTF-8, then detection.

Order and why:
1. A byte-order mark is the strongest signal there is.
2. A charset declared by HTTP or the page's ``<meta>`` is used when it names a known
   codec and the bytes decode with it, except that bytes which are valid UTF-8 with
   non-ASCII characters are read as UTF-8 whatever the declaration says: UTF-8
   mislabelled as a legacy charset is common, legacy text that happens to be valid
   UTF-8 is all but impossible.
3. UTF-8.
4. Mostly UTF-8 with a few broken bytes (a truncated or spliced file): UTF-8 with
   replacement characters and a warning, rather than guessing a legacy charset that
   would garble every accented letter.
5. charset-normalizer, limited to the encodings browsers support.
6. Text that is ASCII but for a few stray bytes: UTF-8 with replacement and a warning.
Only bytes that fit none of these are refused.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass

from charset_normalizer import from_bytes

from presslens.read.sniff import binary_kind

# Encodings a web page can be in (WHATWG Encoding Standard), as Python codec names.
WEB_ENCODINGS = (
    "utf_8", "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "iso8859_2", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "iso8859_10", "iso8859_13", "iso8859_15", "koi8_r", "koi8_u", "gb18030", "big5",
    "cp932", "euc_jp", "cp949", "cp874", "iso2022_jp",
)  # fmt: skip
# Labels whose WHATWG meaning is a superset codec (browsers decode "latin1" as cp1252).
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_BOMS = (  # UTF-32 LE before UTF-16 LE: its BOM starts with the other's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_PREFER_CP1252 = 0.1  # detection picks cp1252 over a closer-scoring neighbour within this chaos
_STRAY_SHARE = 0.05  # replacement characters a mostly-ASCII text may carry and still be text


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can tell; ``str()`` is the one-line reason."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # Python codec name the bytes were decoded with
    warning: str | None = None  # something a user should know, e.g. bytes replaced


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of an HTTP Content-Type header, if any."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 8 KB (meta tag or XML declaration)."""
    head = data[:8192]
    m = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def decode(data: bytes, declared: Sequence[str | None] = (), *, is_html: bool = False) -> Decoded:
    """Decode a page. ``declared``: charsets from outside the page (HTTP), strongest first.

    For HTML the page's own ``<meta>`` declaration is consulted after those. Raises
    ``UndecodableError`` only for bytes that are not text.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, "replace")  # the codec drops the BOM itself
            bad = text.count("\ufffd")
            return Decoded(text, codec, _replaced_note(bad, codec) if bad else None)
    kind = binary_kind(data)
    if kind:
        raise UndecodableError(f"binary file ({kind}), not text")
    labels = [*declared, meta_charset(data) if is_html else None]
    codec, label = _declared_codec(labels, allow_wide=bool(declared))
    utf8 = _strict(data, "utf-8")
    note = None
    if codec and not (utf8 is not None and codec != "utf-8" and not data.isascii()):
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec)
        note = f"declared charset {label!r} does not fit the bytes"
    elif codec and codec != "utf-8":
        note = f"declared charset {label!r} but the bytes are UTF-8"
    if utf8 is not None:
        return Decoded(utf8, "utf-8", note)
    return _undeclared(data, note)


def _undeclared(data: bytes, note: str | None) -> Decoded:
    """Bytes that are not valid UTF-8 and fit no declared charset."""
    replaced = data.decode("utf-8", "replace")
    bad = replaced.count("\ufffd")
    good = len(replaced) - len(replaced.encode("ascii", "ignore")) - bad  # valid non-ASCII
    if good >= bad:
        return Decoded(replaced, "utf-8", _join(note, _replaced_note(bad)))
    detected = _detect(data)
    if detected is not None:
        text, codec = detected
        return Decoded(text, codec, _join(note, f"no usable charset declared; detected {codec}"))
    if bad <= len(replaced) * _STRAY_SHARE:
        return Decoded(replaced, "utf-8", _join(note, _replaced_note(bad)))
    raise UndecodableError("not valid UTF-8 or any known encoding")


def _detect(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best web encoding, preferring cp1252 on a near tie.

    The detector cannot tell single-byte Latin charsets apart on little evidence and
    reports them grouped (``could_be_from_charset``); cp1252 is the likeliest for news.
    """
    results = from_bytes(data, cp_isolation=list(WEB_ENCODINGS))
    best = results.best()
    if best is None:
        return None
    for match in results:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + _PREFER_CP1252:
            text = _strict(data, "cp1252")
            if text is not None:
                return text, "cp1252"
    return str(best), best.encoding


def _declared_codec(labels: Sequence[str | None], *, allow_wide: bool) -> tuple[str | None, str]:
    """First label that names a codec we can use, as (codec name, label as written)."""
    for label in labels:
        if not label:
            continue
        try:
            name = codecs.lookup(label.strip()).name
        except LookupError:
            continue
        if name in _WIDE and not allow_wide:
            continue  # a <meta> readable as ASCII cannot be in UTF-16 (WHATWG: use UTF-8)
        return _SUPERSETS.get(name, name), label
    return None, ""


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _replaced_note(bad: int, codec: str = "UTF-8") -> str:
    return f"invalid {codec}: {bad} undecodable byte sequence{'s' if bad != 1 else ''} replaced"


def _join(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None
