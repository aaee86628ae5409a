"""Neural-network ops (normalization, dropout, embedding, linear, losses): each class of mistake raises a clear
error naming the op and the shapes/dtypes involved, with PyTorch's wording where it has one."""
import sys

import numpy as np
import pytest

import minidl.eager as torchlike
import minidl.ops as ops
from minidl.ops import OpError


def t(values, dtype=None):
    return torchlike.tensor(values, dtype=dtype)


def logits(*shape):
    return torchlike.zeros(*shape)


def long(values):
    return t(values, dtype=torchlike.int64)


# ------------------------------------------------------------------------------------------ cross_entropy

def test_float_target_where_class_indices_are_expected():
    with pytest.raises(TypeError, match=r"cross_entropy: expected an integer \(int64\) target of class indices, "
                                        r"but found float32\[3\] for input float32\[3, 4\]"):
        ops.cross_entropy(logits(3, 4), t([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match=r"nll_loss: expected an integer .* found float32\[3\]"):
        ops.nll_loss(logits(3, 4), t([0.0, 1.0, 2.0]))


def test_integer_target_shaped_like_the_input_is_not_probabilities():
    with pytest.raises(TypeError, match=r"cross_entropy: 0D or 1D target tensor expected, multi-target not "
                                        r"supported: integer target int64\[3, 4\] for input float32\[3, 4\].*class "
                                        r"probabilities, floating point"):
        ops.cross_entropy(logits(3, 4), torchlike.zeros(3, 4, dtype=torchlike.int64))


def test_probability_target_of_another_shape():
    with pytest.raises(OpError, match=r"cross_entropy: a target of class probabilities must have the input's "
                                      r"shape, got target float32\[3, 2, 5\] and input float32\[3, 4, 5\]"):
        ops.cross_entropy(logits(3, 4, 5), torchlike.zeros(3, 2, 5))


@pytest.mark.parametrize("bad", [5, -3])
def test_target_out_of_range_is_an_index_error_naming_the_class_count(bad):
    with pytest.raises(IndexError, match=rf"Target {bad} is out of bounds \(the input has 4 classes"):
        ops.cross_entropy(logits(3, 4), long([0, bad, 1]))
    with pytest.raises(IndexError, match=rf"Target {bad} is out of bounds \(the input has 4 classes"):
        ops.nll_loss(logits(3, 4), long([0, 1, bad]))


def test_target_out_of_range_in_graph_mode_is_reported_when_run():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (None, 4))
        y = tf.placeholder(tf.int64, (None,))
        loss = ops.cross_entropy(x, y)
    with tf.Session(graph=graph) as session:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Target 7 is out of bounds"):
            session.run(loss, {x: np.zeros((2, 4), np.float32), y: np.array([1, 7])})


def test_mismatched_batch_sizes_use_pytorchs_words():
    with pytest.raises(OpError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)"):
        ops.cross_entropy(logits(3, 4), long([0, 1]))
    with pytest.raises(OpError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)"):
        ops.nll_loss(logits(3, 4), long([0, 1]))


def test_target_with_wrong_extra_dims():
    with pytest.raises(OpError, match=r"cross_entropy: expected target size \[2, 5\] .* got target int64\[2, 4\]"):
        ops.cross_entropy(logits(2, 3, 5), torchlike.zeros(2, 4, dtype=torchlike.int64))
    with pytest.raises(TypeError, match=r"integer target int64\[1\] for input float32\[4\]; class indices have "
                                        r"one dim fewer than the input"):
        ops.cross_entropy(logits(4), long([1]))


def test_bad_weight_reduction_and_smoothing():
    with pytest.raises(OpError, match=r"weight tensor should be defined either for all 4 classes or no classes "
                                      r"but got weight float32\[3\]"):
        ops.cross_entropy(logits(3, 4), long([0, 1, 2]), weight=torchlike.ones(3))
    with pytest.raises(ValueError, match=r"foo is not a valid value for reduction"):
        ops.cross_entropy(logits(3, 4), long([0, 1, 2]), reduction="foo")
    with pytest.raises(OpError, match=r"label_smoothing must be between 0.0 and 1.0. Got: 1.5"):
        ops.cross_entropy(logits(3, 4), long([0, 1, 2]), label_smoothing=1.5)


def test_input_must_be_a_float_tensor_with_a_class_dim():
    with pytest.raises(TypeError, match=r"cross_entropy: expected a floating point input, got int64\[3, 4\]"):
        ops.cross_entropy(torchlike.zeros(3, 4, dtype=torchlike.int64), long([0, 1, 2]))
    with pytest.raises(OpError, match=r"cross_entropy: expected an input of shape \(C,\) or \(N, C, d1, ...\), "
                                      r"got float32\[\]"):
        ops.cross_entropy(logits(), long(0))
    with pytest.raises(TypeError, match=r"cross_entropy\(\): argument 'input' must be a tensor, not ndarray"):
        ops.cross_entropy(np.zeros((3, 4)), long([0, 1, 2]))


# ------------------------------------------------------------------------------------ elementwise losses

def test_bce_input_must_be_probabilities():
    with pytest.raises(OpError, match=r"BinaryCrossEntropy: all elements of input should be between 0 and 1"):
        ops.binary_cross_entropy(t([0.5, 1.5]), t([0.0, 1.0]))


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_binary_losses_insist_on_equal_shapes(name):
    with pytest.raises(OpError, match=rf"{name}: using a target size float32\[3, 1\] that is different to the "
                                      rf"input size float32\[3\]"):
        getattr(ops, name)(t([0.5, 0.5, 0.5]), torchlike.zeros(3, 1))


def test_regression_losses_warn_when_shapes_broadcast():
    with pytest.warns(UserWarning, match=r"mse_loss: using a target size float32\[3, 1\] that is different to "
                                         r"the input size float32\[3\]"):
        ops.mse_loss(torchlike.zeros(3), torchlike.zeros(3, 1))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                                  "kl_div"])
def test_losses_check_reduction_and_types(name):
    fn = getattr(ops, name)
    with pytest.raises(ValueError, match=r"bogus is not a valid value for reduction"):
        fn(torchlike.zeros(3), torchlike.zeros(3), reduction="bogus")
    integers = torchlike.zeros(3, dtype=torchlike.int64)
    if name in ("mse_loss", "l1_loss", "smooth_l1_loss"):  # an integer input promotes beside a float target
        with pytest.raises(TypeError, match=rf"{name}: expected a floating point target \(beside an integer input\), "
                                            rf"got int64\[3\]"):
            fn(integers, integers)
    else:
        with pytest.raises(TypeError, match=rf"{name}: expected a floating point input, got int64\[3\]"):
            fn(integers, torchlike.zeros(3))
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'target' must be a tensor, not list"):
        fn(torchlike.zeros(3), [0.0, 0.0, 0.0])


def test_smooth_l1_and_huber_parameters():
    with pytest.raises(OpError, match=r"smooth_l1_loss does not support negative values for beta"):
        ops.smooth_l1_loss(torchlike.zeros(3), torchlike.zeros(3), beta=-1.0)
    with pytest.raises(OpError, match=r"huber_loss does not support non-positive values for delta"):
        ops.huber_loss(torchlike.zeros(3), torchlike.zeros(3), delta=0.0)
    with pytest.raises(TypeError, match=r"huber_loss: delta must be a number, got '1'"):
        ops.huber_loss(torchlike.zeros(3), torchlike.zeros(3), delta="1")


# ------------------------------------------------------------------------------------------ normalization

def test_batch_norm_needs_running_statistics_in_evaluation():
    with pytest.raises(OpError, match=r"batch_norm: running_mean and running_var must be given in evaluation mode"):
        ops.batch_norm(torchlike.zeros(3, 4), None, None, training=False)


def test_batch_norm_per_channel_vectors_must_match_the_channels():
    x = torchlike.zeros(3, 4)
    with pytest.raises(OpError, match=r"batch_norm: running_mean should contain 4 elements \(one per channel\), "
                                      r"got float32\[3\]"):
        ops.batch_norm(x, torchlike.zeros(3), torchlike.ones(4))
    with pytest.raises(OpError, match=r"batch_norm: weight should contain 4 elements .* got float32\[2, 2\]"):
        ops.batch_norm(x, None, None, weight=torchlike.ones(2, 2), training=True)


def test_batch_norm_training_needs_more_than_one_value_per_channel():
    with pytest.raises(OpError, match=r"batch_norm: expected more than 1 value per channel when training, got "
                                      r"input size \[1, 4, 1\]"):
        ops.batch_norm(torchlike.zeros(1, 4, 1), None, None, training=True)


def test_normalization_input_checks():
    with pytest.raises(OpError, match=r"batch_norm: expected an input with at least 2 dims \(N, C, ...\), got "
                                      r"float32\[4\]"):
        ops.batch_norm(torchlike.zeros(4), torchlike.zeros(4), torchlike.ones(4))
    with pytest.raises(TypeError, match=r"group_norm: expected a floating point input, got int64\[2, 4\]"):
        ops.group_norm(torchlike.zeros(2, 4, dtype=torchlike.int64), 2)


def test_layer_norm_shape_mistakes():
    with pytest.raises(OpError, match=r"layer_norm: given normalized_shape=\[3\], expected input with shape "
                                      r"\[\*, 3\], but got input float32\[3, 4\]"):
        ops.layer_norm(torchlike.zeros(3, 4), (3,))
    with pytest.raises(OpError, match=r"layer_norm: expected weight to be of same shape as normalized_shape, but "
                                      r"got weight float32\[3\] and normalized_shape=\[4\]"):
        ops.layer_norm(torchlike.zeros(3, 4), 4, weight=torchlike.ones(3))


def test_group_norm_shape_mistakes():
    with pytest.raises(OpError, match=r"group_norm: expected number of channels in input to be divisible by "
                                      r"num_groups, but got input float32\[2, 6, 3\] and num_groups=4"):
        ops.group_norm(torchlike.zeros(2, 6, 3), 4)
    with pytest.raises(OpError, match=r"group_norm: weight should contain 6 elements .* got float32\[5\]"):
        ops.group_norm(torchlike.zeros(2, 6, 3), 3, weight=torchlike.ones(5))
    with pytest.raises(OpError, match=r"group_norm: num_groups must be a positive int, got 0"):
        ops.group_norm(torchlike.zeros(2, 6, 3), 0)


# ------------------------------------------------------------------------------------------------ dropout

@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_outside_0_1(p):
    with pytest.raises(OpError, match=rf"dropout probability has to be between 0 and 1, but got {p}"):
        ops.dropout(torchlike.zeros(3), p)


def test_dropout_argument_types():
    with pytest.raises(TypeError, match=r"dropout: p must be a number, got '0.5'"):
        ops.dropout(torchlike.zeros(3), "0.5")
    with pytest.raises(TypeError, match=r"dropout: expected a floating point input, got int64\[3\]"):
        ops.dropout(torchlike.zeros(3, dtype=torchlike.int64), 0.5)
    with pytest.raises(TypeError, match=r"dropout: mask must be a bool tensor \(True = keep\), got float32\[3\]"):
        ops.dropout(torchlike.zeros(3), 0.5, mask=torchlike.ones(3))
    with pytest.raises(OpError, match=r"dropout: shapes \(4,\) and \(2, 3\) cannot be broadcast"):
        ops.dropout(torchlike.zeros(2, 3), 0.5, mask=torchlike.ones(4, dtype=torchlike.bool))
    with pytest.raises(OpError, match=r"dropout: mask bool\[2, 3\] does not broadcast to the input's shape"):
        ops.dropout(torchlike.zeros(3), 0.5, mask=torchlike.ones(2, 3, dtype=torchlike.bool))
    with pytest.raises(TypeError, match=r"dropout: generator must be a minidl Generator or a "
                                        r"numpy.random.Generator, got int"):
        ops.dropout(torchlike.zeros(3), 0.5, generator=3)


def test_dropout_without_any_generator_says_what_to_pass():
    module = sys.modules["minidl.ops.dropout"]  # ``ops.dropout`` is the function of the same name
    saved = module._default_generator
    module.set_default_generator(None)
    try:
        with pytest.raises(RuntimeError, match=r"dropout: no random generator: pass generator="):
            ops.dropout(torchlike.zeros(3), 0.5)
    finally:
        module.set_default_generator(saved)


# ---------------------------------------------------------------------------------------- embedding, linear

def test_embedding_indices_must_be_integers():
    with pytest.raises(TypeError, match=r"embedding: expected an integer \(int64\) tensor for indices \(input\), "
                                        r"got float32\[2\]"):
        ops.embedding(t([1.0, 2.0]), torchlike.zeros(5, 3))


def test_embedding_index_out_of_range():
    with pytest.raises(IndexError, match=r"Embedding: index out of range in self: index 7, but the weight has 5 "
                                         r"rows"):
        ops.embedding(long([1, 7]), torchlike.zeros(5, 3))
    with pytest.raises(IndexError, match=r"index out of range in self: index -1"):
        ops.embedding(long([-1]), torchlike.zeros(5, 3))


def test_embedding_weight_and_padding_idx():
    with pytest.raises(OpError, match=r"embedding: 'weight' must be a 2-D tensor \(num_embeddings, "
                                      r"embedding_dim\), got float32\[5\]"):
        ops.embedding(long([1]), torchlike.zeros(5))
    with pytest.raises(OpError, match=r"embedding: padding_idx must be within num_embeddings \(5\), got 7"):
        ops.embedding(long([1]), torchlike.zeros(5, 3), padding_idx=7)


def test_linear_shape_and_dtype_mistakes():
    with pytest.raises(OpError, match=r"linear: mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x5\)"):
        ops.linear(torchlike.zeros(3, 4), torchlike.zeros(5, 3))
    with pytest.raises(OpError, match=r"linear: expected input \(..., in_features\) and a 2-D weight"):
        ops.linear(torchlike.zeros(3, 4), torchlike.zeros(1, 5, 4))
    with pytest.raises(TypeError, match=r"linear: expected floating point tensors, got input int64\[3, 4\]"):
        ops.linear(torchlike.zeros(3, 4, dtype=torchlike.int64), torchlike.zeros(5, 4, dtype=torchlike.int64))
    with pytest.raises(OpError, match=r"linear \(bias\): shapes \(4,\) and \(3, 5\) cannot be broadcast"):
        ops.linear(torchlike.zeros(3, 4), torchlike.zeros(5, 4), torchlike.zeros(4))
    with pytest.raises(OpError, match=r"linear: bias float32\[2, 3\] does not broadcast to the output's shape "
                                      r"\[1, 3\]"):
        ops.linear(torchlike.zeros(1, 4), torchlike.zeros(3, 4), torchlike.zeros(2, 3))


NORMALIZATIONS = {
    "layer_norm": lambda F, x, p: F.layer_norm(x, (3,), p, p),
    "batch_norm eval": lambda F, x, p: F.batch_norm(x, p, p + 1, p, p),
    "batch_norm train, statistics": lambda F, x, p: F.batch_norm(x, p.clone(), p.clone() + 1, training=True),
    "group_norm": lambda F, x, p: F.group_norm(x, 1, p, p),
    "instance_norm": lambda F, x, p: F.instance_norm(x.reshape(2, 3, 2), weight=p, bias=p),
    "prelu": lambda F, x, p: F.prelu(x, p[:1]),
}


@pytest.mark.parametrize("name", list(NORMALIZATIONS))
@pytest.mark.parametrize("lib_name", ["minidl", "torch"])
def test_normalization_parameters_of_another_dtype_are_refused_as_pytorch_refuses_them(name, lib_name):
    """float64 weights or running statistics beside float32 data: PyTorch refuses them (a RuntimeError) instead of
    promoting the output (or keeping the statistics in another precision); a float16 input takes float32 ones."""
    lib = torchlike if lib_name == "minidl" else pytest.importorskip("torch")
    call, F = NORMALIZATIONS[name], lib.nn.functional
    x = lib.tensor(np.arange(12.0).reshape(4, 3) % 5, dtype=lib.float32)
    with pytest.raises(RuntimeError, match="mixed dtype|Type promoting|same dtype|expected scalar type"):
        call(F, x, lib.ones(3, dtype=lib.float64))
    assert call(F, x, lib.ones(3, dtype=lib.float32)).dtype == lib.float32
    if name != "prelu":  # (PyTorch's prelu takes no mixed precision either)
        assert call(F, x.half(), lib.ones(3, dtype=lib.float32)).dtype == lib.float16


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weight_must_match_the_input(name):
    with pytest.raises(OpError, match=rf"{name}: weights and input must have the same size, got weight "
                                      r"float32\[2\] and input float32\[3\]"):
        getattr(ops, name)(torchlike.zeros(3), torchlike.zeros(3), weight=torchlike.ones(2))
