"""``device_lib.list_local_devices()``: the devices of this machine, the usual TF1 check for a GPU::

    gpus = [d.name for d in device_lib.list_local_devices() if d.device_type == "GPU"]
"""
from ...config import local_devices


def list_local_devices(session_config=None):
    """The CPU and each GPU cupy sees (``name`` "/device:GPU:0", ``device_type``, ``memory_limit``,
    ``physical_device_desc``)."""
    return local_devices("/device")
