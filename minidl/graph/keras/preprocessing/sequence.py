"""``tf.keras.preprocessing.sequence.pad_sequences``: lists of different lengths (word ids of sentences) as one
rectangular array, for an ``Embedding`` layer."""
import numpy


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """An array (len(sequences), maxlen): each sequence cut to ``maxlen`` (dropping its start with
    ``truncating="pre"``, its end with "post") and filled up with ``value`` before it (``padding="pre"``) or after
    it ("post"). ``maxlen`` defaults to the longest sequence."""
    for option, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ValueError(f'{option} type "{given}" not understood')
    sequences = [list(s) for s in sequences]
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    out = numpy.full((len(sequences), maxlen), value, dtype=dtype)
    for row, seq in zip(out, sequences):
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if not kept or not maxlen:
            continue
        if padding == "post":
            row[:len(kept)] = kept
        else:
            row[-len(kept):] = kept
    return out
