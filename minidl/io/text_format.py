"""Strings in protocol buffers' *text* format (``field: "value"`` lines: the ``checkpoint`` state file, the
projector's ``.pbtxt``), both ways.

A string value is quoted and C-escaped, byte by byte over its UTF-8 encoding: printable ASCII stays as it is,
``\\``, ``"``, ``'``, newline, carriage return and tab get their backslash letters, and every other byte — each byte
of a non-ASCII character among them — becomes a three-digit octal escape (``é`` is ``\\303\\251``). That is what
TensorFlow's writer produces (``text_format.MessageToString``), so both programs read each other's files; a file
written with the characters themselves (UTF-8, unescaped) reads too.
"""
_LETTER_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("'"): "\\'", ord("\n"): "\\n", ord("\r"): "\\r",
                   ord("\t"): "\\t"}


def quoted(text):
    """``text`` as a quoted string of the text format."""
    return '"' + "".join(_LETTER_ESCAPES.get(byte) or (chr(byte) if 32 <= byte < 127 else f"\\{byte:03o}")
                         for byte in text.encode("utf-8")) + '"'


def unquoted(raw):
    """The string that the quoted value ``raw`` (bytes, quotes included, as read from the file) stands for.
    Raises ValueError for a value that is not a quoted string, or whose bytes are not UTF-8 once unescaped."""
    if len(raw) < 2 or raw[:1] not in (b'"', b"'") or raw[-1:] != raw[:1]:
        raise ValueError(f"{raw[:40]!r} is not a quoted string")
    # Python's "unicode_escape" codec resolves the C escapes and passes every other byte through as the character
    # of that number, so encoding the result as Latin-1 gives back bytes: the string's UTF-8 encoding
    return raw[1:-1].decode("unicode_escape").encode("latin-1").decode("utf-8")
