"""Protocol buffers' wire format, both ways: enough to encode TensorBoard's messages by hand, and to read them
back (``fields``).

No protobuf library is needed: a serialized message is just a sequence of fields, each a *key* followed by a
value. The key is the varint ``(field_number << 3) | wire_type``; the wire type says how the value is encoded:

====  ================  =================================================================================
type  name              used for
====  ================  =================================================================================
0     varint            int32, int64, bool, enum: 7 bits per byte, least significant group first; the
                        high bit of each byte says "more bytes follow". Negative numbers take 10 bytes
                        (their 64-bit two's complement).
1     64-bit            double, fixed64: 8 bytes, little-endian
2     length-delimited  string (UTF-8), bytes, a nested message (its own serialization), and *packed*
                        repeated numbers (all elements back to back): a varint byte count, then the bytes
5     32-bit            float, fixed32: 4 bytes, little-endian
====  ================  =================================================================================

Two rules a reader follows make writing easy: fields may come in any order, and a field may occur many times —
each occurrence of a ``repeated`` field adds an element, and for a singular field the last one wins (nested
messages merge). So **concatenating two serialized messages of one type gives the serialization of the two
merged**; ``tf.summary.merge`` relies on it.

The message layouts (which field number means what) live with the code that writes them (``event_file.py``).
"""
import struct

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


def varint(n):
    """``n`` as a base-128 varint; a negative ``n`` (an int64) as its 64-bit two's complement."""
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)  # the low 7 bits, and "more follows"
        n >>= 7
    out.append(n)
    return bytes(out)


def key(field, wire_type):
    return varint((field << 3) | wire_type)


def int_field(field, n):
    """An int32/int64/uint64/bool/enum field."""
    return key(field, VARINT) + varint(int(n))


def double_field(field, x):
    return key(field, FIXED64) + struct.pack("<d", x)


def float_field(field, x):
    return key(field, FIXED32) + struct.pack("<f", x)


def bytes_field(field, data):
    """A string (``str``, written as UTF-8), bytes, or nested message (pass its serialization) field."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return key(field, LENGTH_DELIMITED) + varint(len(data)) + data


def packed_doubles(field, values):
    """A ``repeated double`` field in packed form: one length-delimited run of 8-byte little-endian doubles."""
    values = list(values)
    return bytes_field(field, struct.pack(f"<{len(values)}d", *values))


def packed_floats(field, values):
    """A ``repeated float`` field in packed form: one length-delimited run of 4-byte little-endian floats."""
    values = list(values)
    return bytes_field(field, struct.pack(f"<{len(values)}f", *values))


def packed_varints(field, values):
    """A ``repeated int64`` (int32, bool, enum) field in packed form: the varints back to back in one
    length-delimited run."""
    return bytes_field(field, b"".join(varint(int(n)) for n in values))


def varints(data):
    """The numbers of a packed run of varints (``packed_varints``' payload), as unsigned integers."""
    out, pos = [], 0
    while pos < len(data):
        n, pos = _read_varint(data, pos)
        out.append(n)
    return out


def as_int64(n):
    """A varint read back as the int64 it encodes (a negative one was written as its two's complement)."""
    return n - (1 << 64) if n >= 1 << 63 else n


def fields(data):
    """The fields of a serialized message, in order: ``[(field number, value), ...]`` with a varint as an int,
    a 64/32-bit value as its 8/4 raw bytes (``struct`` reads them as the reader's message says), and a
    length-delimited value as bytes. Raises ValueError for a truncated or malformed message."""
    out, pos = [], 0
    while pos < len(data):
        key_value, pos = _read_varint(data, pos)
        field, wire_type = key_value >> 3, key_value & 7
        if wire_type == VARINT:
            value, pos = _read_varint(data, pos)
        elif wire_type in (FIXED64, FIXED32):
            size = 8 if wire_type == FIXED64 else 4
            value, pos = data[pos:pos + size], pos + size
        elif wire_type == LENGTH_DELIMITED:
            size, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
        else:
            raise ValueError(f"protobuf: wire type {wire_type} (field {field}) is not one minidl reads")
        if pos > len(data):
            raise ValueError(f"protobuf: field {field} runs past the end of the message")
        out.append((field, value))
    return out


def _read_varint(data, pos):
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("protobuf: a varint runs past the end of the message")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
