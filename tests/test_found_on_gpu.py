"""What the GPU runs of 2026-12-01 (an H200, cupy 14.2) found, each checked on every device: a failed factorization
is an error on a GPU too, integer remainders beside numbers, views saved from the GPU load back there, and strings
in a session on the GPU."""
import numpy as np
import pytest

import minidl.eager as T
import minidl.graph as tf


@pytest.mark.parametrize("call, message", [
    (lambda A, b: T.linalg.inv(A), r"linalg.inv: \(Batch element 1\): The inversion could not be completed because "
                                   r"the input matrix is singular"),
    (lambda A, b: T.linalg.solve(A, b), r"linalg.solve: \(Batch element 1\): The solver failed because the input "
                                        r"matrix is singular"),
    (lambda A, b: T.linalg.cholesky(A), r"linalg.cholesky: \(Batch element 1\): The factorization could not be "
                                        r"completed because the input is not positive-definite \(the leading minor "
                                        r"of order 2"),
])
def test_a_failed_factorization_is_an_error_on_every_device(call, message, device):
    """PyTorch waits for the GPU to check these; cupy would hand back whatever its solver left."""
    A = T.tensor([[[2.0, 0.0], [0.0, 3.0]], [[1.0, 2.0], [2.0, 4.0]]], dtype=T.float64, device=device)
    with pytest.raises(T.linalg.LinAlgError, match=message):
        call(A, T.ones(2, 2, 1, dtype=T.float64, device=device))


def test_integer_remainder_and_floor_division_by_a_number(device):
    """A number (or 0-d CPU tensor) beside a GPU tensor: the zero-divisor check must take it as it comes."""
    x = T.tensor([[7, -7], [4, 9]], device=device)
    np.testing.assert_array_equal((x % T.tensor(3)).cpu().numpy(), [[1, 2], [1, 0]])
    np.testing.assert_array_equal((x // 2).cpu().numpy(), [[3, -4], [2, 4]])
    with pytest.raises(ZeroDivisionError, match="remainder: integer division by zero"):
        x % T.tensor(0)


def test_views_saved_without_their_base_load_on_the_base_device(tmp_path, device):
    base = T.arange(6.0, device=device)
    T.save([base[:4], base[2:]], tmp_path / "views.mdl")
    first, second = T.load(tmp_path / "views.mdl")
    assert first.device == base.device and second.device == base.device
    second.add_(10)  # the two overlap in one memory, as they did when saved
    np.testing.assert_array_equal(first.cpu().numpy(), [0, 1, 12, 13])


def test_strings_shuffled_in_a_session_stay_on_the_host():
    """A session computes on the GPU when there is one; strings stay on the host there (RandomShuffle handed
    them to cupy, which has no string type, and tutorial 17's file-name queue failed)."""
    with tf.Graph().as_default():
        shuffled = tf.random_shuffle(tf.constant([b"a", b"b", b"c"]), seed=1)
        doubled = tf.random_shuffle(tf.constant([1.0, 2.0]), seed=1) * 2  # numbers go on to the device
        with tf.Session() as sess:
            words, numbers = sess.run([shuffled, doubled])
    assert sorted(words.tolist()) == [b"a", b"b", b"c"] and sorted(numbers.tolist()) == [2.0, 4.0]
