"""Bitwise ops (bitwise.py) and the Tensor operators ``& | ^ ~ << >>`` built on them: integer tensors act on their
bits, bool tensors logically, floats are refused with PyTorch's error."""
import pytest

import minidl.eager as md


def t(values, dtype=None):
    return md.tensor(values, dtype=dtype)


def test_operators_act_on_the_bits_of_integers():
    a, b = t([6, -5]), t([3, 1])
    assert (a & b).tolist() == [2, 1] and (a | b).tolist() == [7, -5] and (a ^ b).tolist() == [5, -6]
    assert (~a).tolist() == [-7, 4] and (a << 2).tolist() == [24, -20] and (a >> 1).tolist() == [3, -3]
    assert (3 & a).tolist() == [2, 3] and (1 | a).tolist() == [7, -5] and (2 ^ a).tolist() == [4, -7]
    assert (1 << b).tolist() == [8, 2] and (64 >> b).tolist() == [8, 32]


def test_operators_are_logical_on_bools():
    p, q = t([True, True, False]), t([True, False, False])
    assert (p & q).tolist() == [True, False, False] and (p | q).tolist() == [True, True, False]
    assert (p ^ q).tolist() == [False, True, False] and (~p).tolist() == [False, False, True]
    assert (p & q).dtype == md.bool and (p & True).dtype == md.bool


def test_in_place_operators_and_methods():
    a = t([6, 5])
    a &= t([3, 3])
    a |= 8
    a ^= t([1, 1])
    a <<= 1
    a >>= t([2, 0])
    assert a.tolist() == [5, 16]  # [2, 1] -> [10, 9] -> [11, 8] -> [22, 16] -> [5, 16]
    assert t([12]).bitwise_right_shift_(2).tolist() == [3]
    with pytest.raises(RuntimeError, match="result type int64 can't be cast to the desired output type bool"):
        mask = t([True])
        mask &= t([3])


def test_promotion_follows_pytorch():
    assert (t([1], md.int32) & t([3], md.int64)).dtype == md.int64
    assert (t([1], md.int32) & 3).dtype == md.int32
    assert (t([1], md.uint8) << t([1], md.int8)).dtype == md.int16
    assert (t([True]) | t([2])).tolist() == [3]


def test_shifts_out_of_range_are_defined():
    assert (t([5]) << t([-1])).tolist() == [0] and (t([5]) << 64).tolist() == [0]
    assert (t([-5]) >> 70).tolist() == [-1] and (t([5]) >> 64).tolist() == [0] and (t([-5]) >> -1).tolist() == [-1]
    assert (t([1], md.int8) << 7).tolist() == [-128] and (t([1], md.int8) << 9).tolist() == [0]
    assert (t([200], md.uint8) >> 9).tolist() == [0]


@pytest.mark.parametrize("call, message", [
    (lambda: t([1.0]) & t([3]), r"bitwise_and: \"bitwise_and_cpu\" not implemented for 'Float' \(got float32\[1\], "
                                r"float32\[1\]\)"),
    (lambda: t([1]) | 2.0, r"bitwise_or: \"bitwise_or_cpu\" not implemented for 'Float'"),
    (lambda: t([1.0], md.float64) ^ t([1.0], md.float64), r"\"bitwise_xor_cpu\" not implemented for 'Double'"),
    (lambda: ~t([1.0]), r"bitwise_not: \"bitwise_not_cpu\" not implemented for 'Float' \(got float32\[1\]\)"),
    (lambda: t([1.0]) << 2, r"bitwise_left_shift: \"lshift_cpu\" not implemented for 'Float'"),
    (lambda: t([True]) >> t([True]), r"bitwise_right_shift: \"rshift_cpu\" not implemented for 'Bool' .*integer "
                                     r"tensors"),
    (lambda: md.bitwise_and(t([1 + 1j]), t([1])), r"not implemented for 'ComplexFloat'"),
])
def test_floats_are_refused_with_pytorchs_error(call, message):
    with pytest.raises(NotImplementedError, match=message):
        call()


def test_non_tensor_arguments():
    with pytest.raises(TypeError, match=r"bitwise_not\(\): argument 'input' must be a tensor, not int"):
        md.bitwise_not(3)
    with pytest.raises(TypeError, match=r"bitwise_and: expected a tensor or a number, got str"):
        md.bitwise_and(t([1]), "1")


def test_graph_tensors_get_the_same_operators():
    import minidl.graph as tf
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.int64, [None])
        both = (a & 3) | (a << 4)
        mask = ~tf.placeholder(tf.bool, [2])
    with tf.Session(graph=graph) as session:
        assert session.run(both, {a: [6, 1]}).tolist() == [98, 17]
        assert session.run(mask, {mask.op.inputs[0]: [True, False]}).tolist() == [False, True]
