"""Every graph-mode test builds in a fresh default graph: the autouse fixture ``graph``, also the value of a test's
``graph`` argument."""
import pytest

import minidl.graph as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as fresh:
        yield fresh
