"""An independent reader of TensorBoard event files for the tests: TFRecord framing with a bit-by-bit CRC-32C,
and a generic protobuf parser (no code shared with ``minidl/io``)."""
import os
import struct



def crc32c(data):
    """CRC-32C bit by bit (reflected Castagnoli polynomial), no table."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) % 2 ** 32


def read_varint(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def parse(data):
    """A message as {field number: [values]}: ints for varints, bytes for length-delimited fields, raw 8/4 bytes
    for fixed64/fixed32."""
    fields, pos = {}, 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = read_varint(data, pos)
            value, pos = data[pos:pos + n], pos + n
            assert len(value) == n, "truncated field"
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        fields.setdefault(field, []).append(value)
    assert pos == len(data)
    return fields


def double(raw):
    return struct.unpack("<d", raw)[0]


def doubles(packed):
    return list(struct.unpack(f"<{len(packed) // 8}d", packed))


def summary_values(serialized):
    """A Summary's values as a list of {"tag", and "simple_value" | "image" | "histo" | "tensor" ...} dicts."""
    out = []
    for raw in parse(serialized).get(1, []):
        v = parse(raw)
        item = {"tag": v[1][0].decode()}
        if 2 in v:
            item["simple_value"] = struct.unpack("<f", v[2][0])[0]
        if 4 in v:
            image = parse(v[4][0])
            item["image"] = {"height": image[1][0], "width": image[2][0], "colorspace": image[3][0],
                             "png": image[4][0]}
        if 5 in v:
            h = parse(v[5][0])
            item["histo"] = {"min": double(h[1][0]), "max": double(h[2][0]), "num": double(h[3][0]),
                             "sum": double(h[4][0]), "sum_squares": double(h[5][0]),
                             "bucket_limit": doubles(h[6][0]), "bucket": doubles(h[7][0])}
        if 8 in v:
            t = parse(v[8][0])
            item["tensor"] = {"dtype": t[1][0], "string_val": t.get(8, []),
                              "dims": [parse(d)[1][0] for d in parse(t[2][0]).get(2, [])] if 2 in t else []}
            item["plugin"] = parse(parse(v[9][0])[1][0])[1][0].decode()
        out.append(item)
    return out


def read_records(path):
    with open(path, "rb") as f:
        data = f.read()
    records, pos = [], 0
    while pos < len(data):
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        assert header_crc == masked(crc32c(header))
        body = data[pos + 12:pos + 12 + length]
        (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        assert body_crc == masked(crc32c(body))
        records.append(body)
        pos += 16 + length
    return records


def read_events(path):
    """Each Event as a dict: wall_time, step, and file_version / graph_def / summary / tagged_run_metadata."""
    events = []
    for body in read_records(path):
        e = parse(body)
        item = {"wall_time": double(e[1][0]), "step": e.get(2, [0])[0]}
        if 3 in e:
            item["file_version"] = e[3][0].decode()
        if 4 in e:
            item["graph_def"] = e[4][0]
        if 5 in e:
            item["summary"] = summary_values(e[5][0])
        if 8 in e:  # TaggedRunMetadata: (tag, serialized RunMetadata)
            tagged = parse(e[8][0])
            item["tagged_run_metadata"] = (tagged[1][0].decode(), tagged.get(2, [b""])[0])
        events.append(item)
    return events


def event_files(logdir):
    return sorted(os.path.join(logdir, f) for f in os.listdir(logdir) if "tfevents" in f)


def decode_png(data):
    """An 8-bit PNG without filtering or interlacing (what minidl writes) as a (height, width, channels) array;
    checks the signature, every chunk's CRC-32 and the chunk order."""
    import zlib
    import numpy
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body)
        chunks.append((kind, body))
        pos += 12 + n
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[0][1])
    channels = {0: 1, 2: 3, 6: 4}[colour]
    assert depth == 8
    rows = numpy.frombuffer(zlib.decompress(chunks[1][1]), numpy.uint8).reshape(height, 1 + width * channels)
    assert (rows[:, 0] == 0).all()  # filter type 0 on every row
    return rows[:, 1:].reshape(height, width, channels)
