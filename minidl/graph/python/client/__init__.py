"""``tensorflow.python.client``: see ``device_lib``."""
