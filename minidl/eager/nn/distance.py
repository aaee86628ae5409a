"""Distances between pairs of vectors as modules: ``CosineSimilarity`` and ``PairwiseDistance`` (the functions
are in ``loss_functions.py``)."""
from . import functional as F
from .module import Module


class CosineSimilarity(Module):
    """``Σ x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps))`` along ``dim``: 1 for vectors pointing the same way, 0 for
    orthogonal ones, -1 for opposite ones."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``‖x1 - x2 + eps‖_p`` along the last dim."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
