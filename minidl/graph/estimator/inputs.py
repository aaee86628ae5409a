"""``tf.estimator.inputs.numpy_input_fn``: an ``input_fn`` over numpy arrays, for an Estimator."""
import numpy

from ..data import Dataset
from ..iterator_ops import make_one_shot_iterator

__all__ = ["numpy_input_fn"]


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000, num_threads=1):
    """An ``input_fn`` returning the tensors ``(features, labels)`` (just ``features`` without ``y``): each run
    gives the next ``batch_size`` rows of ``x`` (a dict of arrays, or one array) and ``y`` (an array or a dict),
    ``num_epochs`` times over (None: without end), in a new random order each epoch if ``shuffle`` (which must be
    said: True for training, False to keep the order); then ``OutOfRangeError``. The last batch may be smaller.
    ``queue_capacity`` is the shuffling buffer; ``num_threads`` is accepted (the rows come from a ``tf.data``
    pipeline, not from TF1's queue threads)."""
    if not isinstance(shuffle, bool):
        raise ValueError(f"shuffle must be provided and explicitly set as boolean (it is recommended to set it as "
                         f"True for training); got {shuffle}")
    if num_epochs is not None and num_epochs <= 0:
        raise ValueError(f"num_epochs must be None or positive, got {num_epochs}")
    features = {k: numpy.asarray(v) for k, v in x.items()} if isinstance(x, dict) else numpy.asarray(x)
    labels = None if y is None else ({k: numpy.asarray(v) for k, v in y.items()} if isinstance(y, dict)
                                     else numpy.asarray(y))
    if isinstance(features, dict) and isinstance(labels, dict) and set(features) & set(labels):
        raise ValueError(f"{len(set(features) & set(labels))} duplicate keys are found in both x and y: "
                         f"{sorted(set(features) & set(labels))}")
    lengths = {len(a) for a in (list(features.values()) if isinstance(features, dict) else [features])}
    if labels is not None:
        lengths |= {len(a) for a in (list(labels.values()) if isinstance(labels, dict) else [labels])}
    if len(lengths) != 1:
        raise ValueError(f"numpy_input_fn: x and y must have the same number of rows, got lengths {sorted(lengths)}")

    def input_fn():
        data = Dataset.from_tensor_slices(features if labels is None else (features, labels))
        if shuffle:
            data = data.shuffle(queue_capacity)
        return make_one_shot_iterator(data.repeat(num_epochs).batch(batch_size)).get_next()
    return input_fn
