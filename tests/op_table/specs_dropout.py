"""Op table entries for dropout, with the keep-mask given as an input so that every check is deterministic (the
random draw itself is tested in tests/test_nn_ops_errors.py and tests/test_nn_ops.py)."""
import numpy as np
from hypothesis.extra import numpy as hnp

from .spec import OpSpec, floats_array, shapes, unary


def with_mask(mask_shape=lambda s: s):
    """``(x, keep)``: a float array and a bool keep-mask of ``mask_shape(x.shape)`` (broadcast to x)."""
    return shapes().flatmap(lambda s: hnp.arrays(np.bool_, mask_shape(s)).flatmap(
        lambda keep: floats_array(s).map(lambda x: (x, keep))))


def channel_mask(shape):
    """One keep decision per (sample, channel), as Dropout2d draws them."""
    return shape[:2] + (1,) * (len(shape) - 2)


SPECS = [
    OpSpec("dropout_given_mask", lambda m, x, keep: m.dropout(x, 0.3, mask=keep),
           lambda a, keep: (a * keep / a.dtype.type(0.7)).astype(a.dtype), with_mask(), raw_inputs=(1,),
           torch_fn=lambda torch, x, keep: x * keep / 0.7),
    OpSpec("dropout_mask_per_channel", lambda m, x, keep: m.dropout(x, 0.5, mask=keep),
           lambda a, keep: (a * keep * a.dtype.type(2)).astype(a.dtype), with_mask(channel_mask), raw_inputs=(1,),
           torch_fn=lambda torch, x, keep: x * keep * 2, notes="a mask broadcast over the spatial dims"),
    OpSpec("dropout_eval", lambda m, x: m.dropout(x, 0.5, training=False), lambda a: a, unary(),
           torch_fn=lambda torch, x: torch.nn.functional.dropout(x, 0.5, training=False)),
    OpSpec("dropout_p0", lambda m, x: m.dropout(x, 0.0), lambda a: a, unary(),
           torch_fn=lambda torch, x: torch.nn.functional.dropout(x, 0.0)),
    OpSpec("dropout_p1", lambda m, x: m.dropout(x, 1.0), lambda a: np.zeros_like(a), unary(),
           torch_fn=lambda torch, x: torch.nn.functional.dropout(x, 1.0)),
]
