"""``torch.utils.model_zoo``: the old home of ``load_url``, which is ``torch.hub.load_state_dict_from_url`` (a
checkpoint from the hub's cache or a ``file://`` URL; minidl downloads nothing — see ``hub.py``)."""
from ..hub import load_state_dict_from_url as load_url

__all__ = ["load_url"]
