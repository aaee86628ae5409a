"""``tensorflow.python``'s one module TF1 programs commonly import by that path: ``client.device_lib``, so that
``from tensorflow.python.client import device_lib`` becomes ``from minidl.graph.python.client import device_lib``."""
