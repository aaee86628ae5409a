"""``torch.utils.data._utils``: where PyTorch keeps the DataLoader's helpers, and where custom collate functions
import them from (``from torch.utils.data._utils.collate import default_collate``). ``collate`` here is minidl's
``utils/data/collate.py`` itself."""
import sys

from .. import collate

sys.modules[f"{__name__}.collate"] = collate
