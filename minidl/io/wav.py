"""WAV encoding of audio as 16-bit PCM, with the standard library only (TensorBoard's audio summaries).

A WAV file is a RIFF file: the 12-byte header ``"RIFF" | file size - 8 | "WAVE"``, then chunks, each
``id (4 ASCII letters) | size (4 bytes) | data``, all numbers little-endian. Two chunks make a complete file:

* ``"fmt "`` (16 bytes): format 1 (PCM), channels, sample rate, bytes per second (rate · block), bytes per
  frame ("block": 2 · channels), bits per sample (16);
* ``"data"``: the frames one after another, each holding one 16-bit sample per channel (interleaved).

A sample is the float in [-1, 1] scaled by 2¹⁵, rounded half away from zero and clamped to [-32768, 32767]:
TensorFlow's conversion, so 1.0 clips to 32767 and -1.0 becomes -32768.
"""
import struct

import numpy

_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")  # RIFF header, "fmt " chunk, "data" chunk header: 44 bytes


def _to_int16(samples):
    """Floats in [-1, 1] as 16-bit samples (see the module docstring); NaN becomes silence (0)."""
    scaled = numpy.nan_to_num(numpy.asarray(samples, numpy.float32) * numpy.float32(1 << 15)).astype(numpy.float64)
    rounded = numpy.sign(scaled) * numpy.floor(numpy.abs(scaled) + 0.5)  # half away from zero, as C's roundf
    return rounded.clip(-(1 << 15), (1 << 15) - 1).astype(numpy.int16)


def encode_wav(samples, sample_rate):
    """The WAV file of ``samples``, a float array (frames, channels) in [-1, 1], played at ``sample_rate``
    frames per second (a positive int)."""
    samples = numpy.asarray(samples)
    if samples.ndim != 2 or samples.shape[0] == 0 or not 0 < samples.shape[1] < 1 << 16:
        raise ValueError(f"encode_wav: expected audio of shape (frames, channels) with at least one frame and 1 to "
                         f"65535 channels, got shape {samples.shape}")
    if not 0 < sample_rate < 1 << 32:
        raise ValueError(f"encode_wav: sample_rate must be in (0, 2^32), got {sample_rate}")
    data = _to_int16(samples).astype("<i2").tobytes()
    if _HEADER.size + len(data) >= 1 << 32:
        raise ValueError(f"encode_wav: {samples.shape[0]} frames of {samples.shape[1]} channels do not fit in a WAV "
                         f"file (at most 4 GiB)")
    channels = samples.shape[1]
    header = _HEADER.pack(b"RIFF", _HEADER.size - 8 + len(data), b"WAVE",
                          b"fmt ", 16, 1, channels, sample_rate, sample_rate * 2 * channels, 2 * channels, 16,
                          b"data", len(data))
    return header + data
