"""``utils``: data loading (``utils.data``)."""
from . import data
