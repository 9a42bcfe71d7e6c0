"""Text of a MySQL / MariaDB queue_log whose columns are declared in a single-byte character set.

FreePBX, Issabel and Asterisk installations often keep ``asteriskcdrdb.queue_log`` in latin1 (the server's
compiled-in default) while Asterisk writes UTF-8 through a connection of that charset: the bytes of 'Иванов' sit
in a latin1 column as six latin1 characters each ('Ð\u0098Ð²Ð°...'). The server converts them faithfully to the
wrong characters, and for some charsets lossily (cp1251 has no 0x98, the second byte of 'И': it becomes '?').

So in ``auto`` mode the adapter reads such columns as bytes (``CAST(col AS BINARY)``) and decodes them here:
bytes that are valid UTF-8 are UTF-8 (ASCII is both), the rest are the declared charset (a real 'José' in latin1).
A value that was UTF-8 in a single-byte column counts its row as ``misdeclared_charset``: it is kept, repaired.
In ``declared`` mode the server's conversion is believed (the text comes back as the declared charset says).

Nothing here opens a connection; :func:`column_charsets` runs one information_schema query on a given one.
"""

from __future__ import annotations

import codecs

from sqlalchemy import text

MODES = ("auto", "declared")
MISDECLARED = "misdeclared_charset"


def _mysql_latin1() -> str:
    """MySQL's latin1 is cp1252 whose five undefined bytes are the C1 controls of the same number."""
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_LATIN1_TABLE = _mysql_latin1()
_LATIN1_ENCODING = codecs.charmap_build(_LATIN1_TABLE)

# MySQL's single-byte character sets and the Python codec of each (latin1: MySQL's own table above).
SINGLE_BYTE = {"latin1": "mysql_latin1", "cp1251": "cp1251", "koi8r": "koi8_r", "koi8u": "koi8_u",
               "cp1250": "cp1250", "latin2": "iso8859_2", "cp866": "cp866", "greek": "iso8859_7",
               "hebrew": "iso8859_8", "latin5": "iso8859_9", "latin7": "iso8859_13", "cp1256": "cp1256",
               "cp1257": "cp1257", "cp850": "cp850", "cp852": "cp852", "macroman": "mac_roman", "ascii": "ascii"}


def decode_declared(raw: bytes, charset: str) -> tuple[str, bool]:
    """``raw`` in ``charset``; (text, True) when some byte has no character there (replaced by U+FFFD)."""
    codec = SINGLE_BYTE[charset]
    if codec == "mysql_latin1":
        return codecs.charmap_decode(raw, "strict", _LATIN1_TABLE)[0], False
    try:
        return raw.decode(codec), False
    except UnicodeDecodeError:
        return raw.decode(codec, "replace"), True


def decode(raw: bytes, charset: str) -> tuple[str, str | None]:
    """A single-byte column's bytes as text, and the bad-row reason it counts under (None: clean).

    UTF-8 first (ASCII is UTF-8; a single-byte text that is also valid UTF-8 is vanishingly rare), then the
    declared charset. A value the column cut inside a UTF-8 character (varchar(40) holds 40 bytes) is UTF-8 with
    the broken last character dropped, when what comes before it is UTF-8 and not only ASCII (a latin1 'Café' also
    ends in what would be a cut UTF-8 character).
    """
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and not raw[:exc.start].isascii():
            try:
                return raw[:exc.start].decode("utf-8"), MISDECLARED
            except UnicodeDecodeError:
                pass
        value, replaced = decode_declared(raw, charset)
        return value, ("bad_encoding" if replaced else None)
    return value, (None if value.isascii() else MISDECLARED)


def fits(value: str, charset: str) -> bool:
    """Whether ``value`` can be stored in a column of ``charset`` as characters (not as UTF-8 bytes)."""
    if value.isascii():
        return True
    codec = SINGLE_BYTE.get(charset)
    if codec is None:
        return True  # utf8mb4, utf8mb3...: the server stores it (or refuses it) itself
    try:
        if codec == "mysql_latin1":
            codecs.charmap_encode(value, "strict", _LATIN1_ENCODING)
        else:
            value.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def columns(conn, table: str) -> dict[str, tuple[str, str | None, int | None]]:
    """(data type, character set, maximum length in characters) of each column of ``table`` in the connection's
    database (MySQL / MariaDB only; one information_schema query)."""
    rows = conn.execute(text("SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME, CHARACTER_MAXIMUM_LENGTH "
                             "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t"),
                        {"t": table}).all()
    return {str(name).lower(): (str(kind).lower(), charset and str(charset).lower(),
                                None if length is None else int(length))
            for name, kind, charset, length in rows}


def single_byte_columns(conn, table: str, names: tuple[str, ...]) -> dict[str, str]:
    """Of ``names``, the columns declared in a single-byte charset, with that charset."""
    found = columns(conn, table)
    return {name: found[name][1] for name in names if name in found and found[name][1] in SINGLE_BYTE}
