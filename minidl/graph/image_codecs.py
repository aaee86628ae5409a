"""Image files as graph ops: ``tf.image.decode_png``, ``decode_bmp``, ``decode_gif``, ``decode_image`` and
``encode_png`` (also in ``tf.io``), and ``decode_jpeg``/``decode_and_crop_jpeg``, which build but cannot read JPEG::

    image = tf.image.decode_png(tf.read_file(path), channels=3)              # uint8 [?, ?, 3]
    images = tf.data.Dataset.list_files("photos/*.png").map(lambda f: tf.image.decode_png(tf.read_file(f)))

The ops hand a string scalar's bytes to the decoders in ``minidl/io`` (``png_decode.py``, ``bmp.py``, ``gif.py``,
which say how the formats work and how ``channels`` converts) and the encoder in ``png.py``.

**Which op reads which file.** In TF 1.15 DecodePng, DecodeJpeg and DecodeGif are one kernel that looks at the
file's first bytes, so each decodes PNG, GIF and JPEG files whatever its name: ``decode_png`` of a one-frame GIF is
that frame, ``decode_gif`` of a PNG one frame ``[1, h, w, c]``, and ``decode_jpeg`` of a PNG the PNG. So here.
``decode_bmp`` reads BMP files; ``decode_image`` reads all four. JPEG data raises ``UnimplementedError`` when the
op runs: minidl has no JPEG decoder (the Huffman-coded DCT of JPEG is a project of its own) — convert the images
to PNG, and the same ``decode_jpeg`` calls read them.

**Static shapes**, as TF 1.15's: decode_png, decode_bmp, decode_jpeg ``[?, ?, channels]`` (``?`` for channels 0),
decode_gif ``[?, ?, ?, 3]``, encode_png a string scalar. ``decode_image`` has unknown rank — a GIF gives 4 dims, the
other formats 3 — and with ``expand_animations=False`` ``[?, ?, ?]`` (TF 1.15 builds it from ``tf.cond`` branches
whose shapes only agree on the rank); ``tf.ensure_shape`` or ``set_shape`` fixes it for ``resize_images``.

**Differences from TF**, all where TF fails: decode_bmp reads 8-bit palette files and converts between channel
counts (TF 1.15 reads only 24 and 32 bits, ``channels`` equal to the file's); GIF frames convert to 1 or 4 channels;
decode_and_crop_jpeg of a PNG or GIF crops it (TF 1.15 ignores the window for them).
"""
import numpy

from ..backend import host_array
from ..io.bmp import BMPError, decode_bmp as read_bmp
from ..io.gif import GIFError, decode_gif as read_gif
from ..io.png import SIGNATURE, encode_png as write_png
from ..io.png_decode import PNGError, decode_png as read_png
from ..ops.base import Spec
from . import errors, io
from .core import get_default_graph
from .dtypes import as_dtype, int32, uint8, uint16
from .file_ops import _scalar, _string_input
from .frontend import convert_to_tensor
from .graph_ops import GraphOp
from .image_ops import convert_image_dtype
from .strings import string

__all__ = ["decode_and_crop_jpeg", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png",
           "encode_png"]

#: the first bytes of each format (JPEG: a start-of-image marker, then any marker)
_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (SIGNATURE, "PNG"), (b"GIF8", "GIF"), (b"BM", "BMP"))
_READERS = {"PNG": (read_png, PNGError), "GIF": (read_gif, GIFError), "BMP": (read_bmp, BMPError)}


def _file_format(data):
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def _unexpected(data):
    """TF's words for bytes of no format it knows."""
    return f"unknown format starting with '{repr(data[:16])[2:-1]}'" if data else "empty file"


class DecodeImage(GraphOp):
    """Input 0: a file's bytes (a string scalar); output: its pixels, (height, width, channels) — or (frames,
    height, width, channels) for a GIF when attr ``expand_animations`` is set; otherwise a GIF's first frame. Attr
    ``channels``: 0 for what the file stores. The subclasses are TF's ops that read fewer formats or always give
    one rank (the class attributes ``formats``, ``expected`` and ``frames``)."""
    formats = ("JPEG", "PNG", "GIF", "BMP")
    expected = "Unable to decode bytes as JPEG, PNG, GIF, or BMP"
    frames = None  # "all": always 4 dims; "one": 3 dims, a GIF must have one frame; None: expand_animations says

    @classmethod
    def execute(cls, session, operation, arrays):
        data = _scalar(arrays[0], operation, "contents")
        kind = _file_format(data)
        if kind not in cls.formats:
            raise errors.InvalidArgumentError(None, operation, f"{cls.expected}, got {_unexpected(data)}")
        if kind == "JPEG":
            raise errors.UnimplementedError(None, operation, f"{cls.name}: minidl has no JPEG decoder: convert the "
                                                             f"images to PNG (these {len(data)} bytes are a JPEG "
                                                             f"file)")
        read, failure = _READERS[kind]
        try:
            image = read(data, operation.attrs["channels"], operation.outputs[0].dtype.as_numpy_dtype)
        except failure as e:
            where = "header, data size" if getattr(e, "part", "data") == "header" else "data, size"  # TF's words
            raise errors.InvalidArgumentError(None, operation, f"Invalid {kind} {where} {len(data)}: {e}") from None
        image = cls._frames(operation, kind, image, arrays)
        return (session.array_module.asarray(image),)

    @classmethod
    def _frames(cls, operation, kind, image, arrays):
        """``image`` with the rank this op gives: a GIF's frames kept, or its first or only frame; another
        format's image alone, or as one frame."""
        if kind != "GIF":
            return image[None] if cls.frames == "all" else image
        if cls.frames == "all" or (cls.frames is None and operation.attrs["expand_animations"]):
            return image
        if cls.frames == "one" and len(image) > 1:
            raise errors.InvalidArgumentError(None, operation, f"Got {len(image)} frames, but animated gifs can only "
                                                               f"be decoded by tf.image.decode_gif or "
                                                               f"tf.image.decode_image")
        return image[0]


class DecodePng(DecodeImage):
    formats = ("JPEG", "PNG", "GIF")  # TF 1.15's one kernel for DecodePng, DecodeJpeg and DecodeGif
    expected = "Expected image (JPEG, PNG, or GIF)"
    frames = "one"


class DecodeJpeg(DecodePng):
    pass


class DecodeGif(DecodePng):
    frames = "all"


class DecodeBmp(DecodeImage):
    formats = ("BMP",)
    expected = "Expected a BMP file (starting with 'BM')"
    frames = "one"


class DecodeAndCropJpeg(DecodePng):
    """Input 1: the crop window ``[y, x, height, width]`` (int32), applied to the decoded image."""

    @classmethod
    def _frames(cls, operation, kind, image, arrays):
        image = super()._frames(operation, kind, image, arrays)
        window = host_array(arrays[1])
        if window.shape != (4,):
            raise errors.InvalidArgumentError(None, operation, f"crop_window must be a vector of 4 values [y, x, "
                                                               f"height, width], got shape {list(window.shape)}")
        y, x, height, width = window.tolist()
        if min(y, x) < 0 or min(height, width) <= 0 or y + height > image.shape[0] or x + width > image.shape[1]:
            raise errors.InvalidArgumentError(None, operation, f"Invalid crop window [{y}, {x}, {height}, {width}] "
                                                               f"for an image of shape {list(image.shape)}")
        return image[y:y + height, x:x + width]


class EncodePng(GraphOp):
    """Input 0: a uint8 or uint16 image (height, width, 1 to 4 channels); output: its PNG file, a string scalar.
    Attr ``compression``: zlib's level, -1 for its default."""

    @staticmethod
    def execute(session, operation, arrays):
        try:
            data = write_png(host_array(arrays[0]), operation.attrs["compression"])
        except ValueError as e:
            raise errors.InvalidArgumentError(None, operation, f"PNG encoding failed: {e}") from None
        return (numpy.array(data, dtype=object),)


def _channels(channels, allowed, op_name):
    if channels not in allowed:
        raise ValueError(f"{op_name}: channels must be one of {', '.join(map(str, allowed))}, got {channels}")
    return channels


def _decode(op, contents, channels, dtype, shape, name, extra_inputs=(), **attrs):
    contents = _string_input(contents, "contents", op.name, 0)
    operation = get_default_graph().create_op(op, [contents, *extra_inputs], {"channels": channels, **attrs},
                                              [Spec(shape, dtype)], name=name or op.name)
    return operation.outputs[0]


def decode_png(contents, channels=0, dtype=uint8, name=None):
    """The PNG file ``contents`` (a string scalar) as a ``dtype`` (uint8 or uint16) image ``[height, width,
    channels]``: ``channels`` 0 for what the file stores, 1 grey, 3 RGB, 4 RGBA."""
    dtype = as_dtype(dtype)
    if dtype not in (uint8, uint16):
        raise TypeError(f"DecodePng: Value passed to parameter 'dtype' has DataType {dtype.name} not in list of "
                        f"allowed values: uint8, uint16")
    channels = _channels(channels, (0, 1, 3, 4), "DecodePng")
    return _decode(DecodePng, contents, channels, dtype, (None, None, channels or None), name)


def decode_bmp(contents, channels=0, name=None):
    """The BMP file ``contents`` as a uint8 image ``[height, width, channels]`` (0: as stored)."""
    channels = _channels(channels, (0, 1, 3, 4), "DecodeBmp")
    return _decode(DecodeBmp, contents, channels, uint8, (None, None, channels or None), name)


def decode_gif(contents, name=None):
    """The frames of the GIF file ``contents``: uint8 ``[frames, height, width, 3]``."""
    return _decode(DecodeGif, contents, 3, uint8, (None, None, None, 3), name)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    """TF's JPEG decoder, whose run on JPEG data is an ``UnimplementedError`` here; PNG and GIF files it reads as
    ``decode_png`` does (see the module docstring). The JPEG options are accepted and unused."""
    channels = _channels(channels, (0, 1, 3), "DecodeJpeg")
    return _decode(DecodeJpeg, contents, channels, uint8, (None, None, channels or None), name)


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """``decode_jpeg`` then the crop ``crop_window`` = ``[y, x, height, width]`` (int32), in one op."""
    channels = _channels(channels, (0, 1, 3), "DecodeAndCropJpeg")
    window = convert_to_tensor(crop_window, dtype=int32)
    return _decode(DecodeAndCropJpeg, contents, channels, uint8, (None, None, channels or None), name, [window])


def decode_image(contents, channels=None, dtype=uint8, name=None, expand_animations=True):
    """The BMP, GIF, JPEG or PNG file ``contents``, whichever its first bytes say, as a ``dtype`` image: ``[height,
    width, channels]``, or ``[frames, height, width, channels]`` for a GIF when ``expand_animations`` (else its
    first frame). ``channels``: None or 0 for as stored. A ``dtype`` other than uint8 and uint16 is
    ``convert_image_dtype`` of the uint16 pixels (floats in [0, 1])."""
    if channels not in (None, 0, 1, 3, 4):
        raise ValueError("channels must be in (None, 0, 1, 3, 4)")
    dtype = as_dtype(dtype)
    graph = get_default_graph()
    with graph.name_scope(name or "decode_image"):
        pixels = uint8 if dtype == uint8 else uint16  # TF 1.15 too: the PNG at 16 bits for any other dtype
        shape = None if expand_animations else (None, None, None)
        image = _decode(DecodeImage, contents, channels or 0, pixels, shape, None,
                        expand_animations=bool(expand_animations))
        return image if dtype == pixels else convert_image_dtype(image, dtype)


def encode_png(image, compression=-1, name=None):
    """The PNG file (a string scalar) of ``image``: uint8 or uint16 ``[height, width, channels]``, channels 1 grey,
    2 grey + alpha, 3 RGB, 4 RGBA. ``compression``: zlib's level 0 to 9, -1 for its default."""
    image = convert_to_tensor(image, name="image")
    if image.dtype not in (uint8, uint16):
        raise TypeError(f"EncodePng: Value passed to parameter 'image' has DataType {image.dtype.name} not in list "
                        f"of allowed values: uint8, uint16")
    if image.shape.rank_known and (image.shape.rank != 3 or image.shape[2] not in (None, 1, 2, 3, 4)):
        raise ValueError(f"EncodePng: image must be [height, width, channels] with 1 to 4 channels, got shape "
                         f"{image.shape}")
    if not -1 <= compression <= 9:
        raise ValueError(f"EncodePng: compression should be in [-1,9], got {compression}")
    operation = get_default_graph().create_op(EncodePng, [image], {"compression": int(compression)},
                                              [Spec((), string)], name=name or "EncodePng")
    return operation.outputs[0]


io.decode_png, io.decode_bmp, io.decode_gif, io.decode_image = decode_png, decode_bmp, decode_gif, decode_image
io.decode_jpeg, io.decode_and_crop_jpeg, io.encode_png = decode_jpeg, decode_and_crop_jpeg, encode_png
