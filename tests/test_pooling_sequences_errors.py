"""Bad input to the pooling-sequence ops (``minidl/ops/pooling_sequences.py``): a clear error naming the op or
the sequence, never a numpy failure."""
import numpy as np
import pytest

import minidl.eager as torch
from minidl import ops
from minidl.ops.base import OpError

X = torch.zeros(1, 2, 5, 4)
ROWS, COLS = torch.tensor(np.array([0, 2, 5])), torch.tensor(np.array([0, 1, 4]))


@pytest.mark.parametrize("pool", [ops.sequence_max_pool2d, ops.sequence_avg_pool2d])
@pytest.mark.parametrize("rows,problem", [([1, 2, 5], "start"), ([0, 2, 6], "end"), ([0, 3, 3, 5], "repeat"),
                                          ([0], "one entry")])
def test_sequences_must_increase_from_0_to_the_size(pool, rows, problem):
    with pytest.raises(OpError, match=r"row_pooling_sequence must increase from 0 to the input's size 5"):
        pool(X, torch.tensor(np.array(rows)), COLS)


def test_shapes_and_dtypes():
    with pytest.raises(OpError, match=r"sequence_max_pool2d: expected a 4-D input \(N, C, H, W\)"):
        ops.sequence_max_pool2d(torch.zeros(2, 5, 4), ROWS, COLS)
    with pytest.raises(OpError, match="sequence_avg_pool2d: expected a floating point input"):
        ops.sequence_avg_pool2d(torch.zeros(1, 2, 5, 4, dtype=torch.int64), ROWS, COLS)
    with pytest.raises(OpError, match="expected col_pooling_sequence to be a 1-D integer tensor"):
        ops.sequence_max_pool2d(X, ROWS, torch.tensor([0.0, 4.0]))
    with pytest.raises(OpError, match="expected row_pooling_sequence to be a 1-D integer tensor"):
        ops.sequence_avg_pool2d(X, ROWS.reshape(1, 3), COLS)
