"""tf.test.TestCase, tf.test.main and the gradient checker, used as a TF1 program's tests use them."""
import os
import unittest

import numpy as np
import pytest

import minidl.graph as tf


class SquareTest(tf.test.TestCase):
    """A TF1-style test class; the tests below run it with unittest and check what it reports."""

    def testSquare(self):
        with self.session():
            x = tf.square([2, 3])
            self.assertAllEqual(self.evaluate(x), [4, 9])

    def testCachedSessionIsKeptAndGraphIsFresh(self):
        assert tf.get_default_graph().get_operations() == []  # setUp gave this test a new graph
        v = tf.Variable(1.0)
        with self.cached_session() as first:
            first.run(v.initializer)
        with self.test_session() as again:
            assert again is first
            self.assertAllClose(v, 1.0)

    def testNestedAndTolerances(self):
        self.assertAllClose({"a": [1.0, 2.0], "b": (np.ones(2), 3.0)}, {"a": [1.0, 2.0 + 1e-8], "b": ([1, 1], 3)})
        self.assertAllClose([np.ones(2), np.zeros(3)], [np.ones(2), np.zeros(3)])  # ragged: item by item
        self.assertAllCloseAccordingToType(np.float16(1.0005), 1.0)
        self.assertAllInRange([0.1, 0.5], 0, 1)
        self.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
        with self.assertRaises(AssertionError):
            self.assertAllClose([1.0, 2.0], [1.0, 2.1])
        with self.assertRaises(AssertionError):
            self.assertAllEqual([[1, 2]], [1, 2])  # shapes differ

    def testRandomOpsAreSeeded(self):
        self.first = self.evaluate(tf.random_uniform([3]))

    def testOpErrors(self):
        with self.session():
            with self.assertRaisesOpError("must be positive"):
                self.evaluate(tf.debugging.assert_positive(tf.placeholder_with_default(-1.0, []),
                                                           message="must be positive"))

    def testTempDir(self):
        path = os.path.join(self.get_temp_dir(), "f.txt")
        with open(path, "w") as f:
            f.write("x")
        SquareTest.temp_dir = os.path.dirname(path)


def run_suite(*names):
    suite = unittest.TestSuite(SquareTest(name) for name in names)
    return unittest.TextTestRunner(stream=open(os.devnull, "w")).run(suite)


def test_a_tf1_test_class_runs_under_unittest():
    result = run_suite("testSquare", "testCachedSessionIsKeptAndGraphIsFresh", "testNestedAndTolerances",
                       "testOpErrors", "testTempDir")
    assert result.wasSuccessful(), result.failures + result.errors
    assert not os.path.exists(SquareTest.temp_dir)  # removed when the test ended


def test_a_failing_assertion_fails_the_test():
    class Failing(tf.test.TestCase):
        def testWrong(self):
            with self.session():
                self.assertAllClose(tf.constant([1.0, 2.0]), [1.0, 3.0])

    result = unittest.TextTestRunner(stream=open(os.devnull, "w")).run(Failing("testWrong"))
    assert len(result.failures) == 1 and "Mismatched elements: 1 / 2" in result.failures[0][1]


def test_random_numbers_repeat_from_test_to_test():
    draws = []
    for _ in range(2):
        case = SquareTest("testRandomOpsAreSeeded")
        case.setUp()
        case.testRandomOpsAreSeeded()
        case.tearDown()
        draws.append(case.first)
    np.testing.assert_array_equal(draws[0], draws[1])


def test_compute_gradient_agrees_for_a_correct_gradient_and_catches_a_wrong_one():
    with tf.Graph().as_default(), tf.Session():
        x = tf.placeholder(tf.float64, [2, 3])
        y = tf.reduce_sum(tf.sin(x) * x, axis=1)
        theoretical, numerical = tf.test.compute_gradient(x, [2, 3], y, [2])
        assert theoretical.shape == numerical.shape == (6, 2)
        np.testing.assert_allclose(theoretical, numerical, atol=1e-6)
        expected = np.zeros((6, 2))
        value = np.random.default_rng(0).random((2, 3))
        for i in range(6):
            expected[i, i // 3] = np.sin(value.flat[i]) + value.flat[i] * np.cos(value.flat[i])
        np.testing.assert_allclose(theoretical, expected, rtol=1e-12)

        name = "WrongSquareGradForTheChecker"
        tf.RegisterGradient(name)(lambda op, grad: grad * 3 * op.inputs[0])  # should be 2x
        with tf.get_default_graph().gradient_override_map({"Square": name}):
            z = tf.square(x)
        assert tf.test.compute_gradient_error(x, [2, 3], z, [2, 3]) > 0.1
        assert tf.test.compute_gradient_error(x, [2, 3], tf.square(x), [2, 3]) < 1e-6


def test_compute_gradient_needs_a_default_session():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2])
        with pytest.raises(ValueError, match="default session"):
            tf.test.compute_gradient(x, [2], x * 2, [2])
