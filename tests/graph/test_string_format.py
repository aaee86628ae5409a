"""``tf.strings.format``: placeholders replaced in order by the tensors' values as ``tf.print`` writes them."""
import numpy as np
import pytest

import minidl.graph as tf

from .helpers import run


def test_format_writes_each_tensor_in_its_placeholder():
    step, loss = tf.constant(3), tf.placeholder(tf.float32, [])
    line = tf.strings.format("step {}: loss {}", (step, loss))
    assert line.dtype == tf.string and line.shape == ()
    assert run(line, {loss: 0.25}) == b"step 3: loss 0.25"


def test_format_summarizes_long_dims_like_tf_print():
    m = tf.constant(np.arange(20).reshape(2, 10))
    assert run(tf.strings.format("m={}", m)) == b"m=[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]]"
    assert run(tf.strings.format("m={}", m, summarize=1)) == b"m=[[0 ... 9]\n [10 ... 19]]"
    assert run(tf.strings.format("v=%s!", tf.range(8), placeholder="%s", summarize=-1)) == b"v=[0 1 2 3 4 5 6 7]!"


def test_placeholders_and_inputs_must_match():
    with pytest.raises(ValueError, match="2 placeholder.*for 1 input"):
        tf.strings.format("{} and {}", tf.constant(1))
    with pytest.raises(ValueError, match="placeholder must not be empty"):
        tf.strings.format("x", [], placeholder="")
