"""The losses added for beginner PyTorch programs: the legacy ``size_average`` / ``reduce`` arguments of every loss
(module and function), the margin and embedding losses, and the cosine / pairwise distances — against PyTorch
(values, gradients, reprs, warnings), with central-difference gradient checks and errors."""
import warnings

import numpy
import pytest

import minidl.eager as torchlike
from minidl.eager import nn
from minidl.eager.autograd import gradcheck
from minidl.eager.nn import functional as F
from tests.nn.torch_compare import run_both, torch_or_skip

rng = numpy.random.default_rng(7)
N, D = 5, 4
X1, X2, X3 = (rng.standard_normal((N, D)) for _ in range(3))
S1, S2 = rng.standard_normal(N), rng.standard_normal(N)
SIGNS = numpy.array([1.0, -1.0, -1.0, 1.0, -1.0])
LABELS = SIGNS.astype(numpy.int64)  # hinge and cosine-embedding targets only select: no gradient reaches them
DIST = numpy.abs(rng.standard_normal(N)) * 2
LOGITS, CLASSES = rng.standard_normal((N, 3)), numpy.array([0, 2, 1, 2, 0])
P = rng.uniform(0.05, 0.95, (N, D))

LEGACY = [(None, None), (False, None), (True, None), (None, False), (False, False), (True, True), (None, True)]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.mark.parametrize("size_average, reduce", LEGACY)
@pytest.mark.parametrize("name", ["L1Loss", "MSELoss", "SmoothL1Loss", "NLLLoss", "CrossEntropyLoss", "BCELoss",
                                  "BCEWithLogitsLoss", "KLDivLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
                                  "CosineEmbeddingLoss", "TripletMarginLoss"])
def test_legacy_arguments_map_to_reduction_like_pytorch(name, size_average, reduce):
    torch = torch_or_skip()
    theirs = _quiet(getattr(torch.nn, name), size_average=size_average, reduce=reduce, reduction="sum")
    if size_average is None and reduce is None:
        mine = getattr(nn, name)(size_average=size_average, reduce=reduce, reduction="sum")
    else:
        with pytest.warns(UserWarning, match=f"please use reduction='{theirs.reduction}' instead") as record:
            mine = getattr(nn, name)(size_average=size_average, reduce=reduce, reduction="sum")
        assert record[0].filename == __file__  # the warning points at the line that built the loss
    assert mine.reduction == theirs.reduction


def test_legacy_arguments_keep_pytorch_positions():
    """``NLLLoss(weight, size_average, ignore_index, reduce, reduction)``: positional calls as in PyTorch."""
    loss = nn.CrossEntropyLoss(None, None, 2)
    assert loss.ignore_index == 2 and loss.reduction == "mean"
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.NLLLoss(None, False).reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.MSELoss(True, False).reduction == "none"
    assert nn.TripletMarginLoss(0.5, 1.0).p == 1.0


@pytest.mark.filterwarnings("ignore:kl_div")
@pytest.mark.parametrize("size_average, reduce", LEGACY[1:])
def test_functional_legacy_arguments_match_pytorch(size_average, reduce):
    torch = torch_or_skip()
    tF = torch.nn.functional
    legacy = dict(size_average=size_average, reduce=reduce)
    calls = [
        ("mse_loss", (X1, X2), {}), ("l1_loss", (X1, X2), {}), ("smooth_l1_loss", (X1, X2), {}),
        ("binary_cross_entropy", (P, P[::-1].copy()), {}), ("binary_cross_entropy_with_logits", (X1, P), {}),
        ("kl_div", (numpy.log(P), P), {}), ("cross_entropy", (LOGITS, CLASSES), {}),
        ("nll_loss", (LOGITS, CLASSES), {"ignore_index": 1}), ("margin_ranking_loss", (S1, S2, SIGNS), {}),
        ("hinge_embedding_loss", (DIST, SIGNS), {}), ("cosine_embedding_loss", (X1, X2, SIGNS), {}),
        ("triplet_margin_loss", (X1, X2, X3), {}),
    ]
    for name, arrays, kwargs in calls:
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated") as record:
            ours = getattr(F, name)(*(torchlike.tensor(a) for a in arrays), **legacy, **kwargs)
        assert record[0].filename == __file__, name
        theirs = _quiet(getattr(tF, name), *(torch.tensor(a) for a in arrays), **legacy, **kwargs)
        numpy.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=name)


# ----------------------------------------------------------------------------------- the new loss modules

CASES = [
    ("MarginRankingLoss", {}, (S1, S2, SIGNS)),
    ("MarginRankingLoss", {"margin": 0.5}, (S1, S2, SIGNS)),
    ("MarginRankingLoss", {"margin": 0.3}, (X1, X2, numpy.sign(X3))),
    ("HingeEmbeddingLoss", {}, (DIST, LABELS)),
    ("HingeEmbeddingLoss", {"margin": 2.5}, (X1, numpy.sign(X2).astype(numpy.int64))),
    ("HingeEmbeddingLoss", {}, (DIST, numpy.array([1, -1, 0, 2, -1]))),  # other targets: both terms
    ("CosineEmbeddingLoss", {}, (X1, X2, LABELS)),
    ("CosineEmbeddingLoss", {"margin": 0.2}, (X1, X2, LABELS)),
    ("CosineEmbeddingLoss", {"margin": -0.5}, (X1[0], X2[0], numpy.array(-1))),
    ("TripletMarginLoss", {}, (X1, X2, X3)),
    ("TripletMarginLoss", {"margin": 2.0, "p": 1.0, "swap": True}, (X1, X2, X3)),
    ("TripletMarginLoss", {"p": 3.0, "eps": 1e-3}, (X1[0], X2[0], X3[0])),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs, inputs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_loss_matches_pytorch(name, kwargs, inputs, reduction):
    torch = torch_or_skip()
    mine = getattr(nn, name)(reduction=reduction, **kwargs)
    theirs = getattr(torch.nn, name)(reduction=reduction, **kwargs)
    run_both(mine, theirs, *inputs, rtol=1e-10, atol=1e-12)
    assert repr(mine) == repr(theirs)


@pytest.mark.parametrize("kwargs", [{}, {"dim": 0}, {"dim": -1, "eps": 0.5}])
def test_cosine_similarity_matches_pytorch(kwargs):
    torch = torch_or_skip()
    for a, b in ((X1, X2), (X1, X2[:1]), (X1[:, :1] * 1e-9, X2)):  # broadcasting; a norm below eps
        ours = [torchlike.tensor(v, requires_grad=True) for v in (a, b)]
        theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
        y, ty = F.cosine_similarity(*ours, **kwargs), torch.nn.functional.cosine_similarity(*theirs, **kwargs)
        numpy.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-14)
        if a[0, 0] > 1e-6:  # PyTorch clamps the norm outside autograd: below eps the gradients differ on purpose
            y.sum().backward()
            ty.sum().backward()
            for o, t in zip(ours, theirs):
                numpy.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kwargs", [{}, {"p": 1.0}, {"p": float("inf"), "keepdim": True}, {"eps": 0.0, "p": 3.0}])
def test_pairwise_distance_matches_pytorch(kwargs):
    torch = torch_or_skip()
    for a, b in ((X1, X2), (X1, X2[2]), (X1[0], X2[0])):
        numpy.testing.assert_allclose(F.pairwise_distance(torchlike.tensor(a), torchlike.tensor(b), **kwargs).numpy(),
                                      torch.nn.functional.pairwise_distance(torch.tensor(a), torch.tensor(b),
                                                                            **kwargs).numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn, arrays", [
    (lambda a, b: F.cosine_similarity(a, b), (X1, X2)),
    (lambda a, b: F.pairwise_distance(a, b, p=3.0), (X1, X2)),
    (lambda a, b: F.margin_ranking_loss(a, b, torchlike.tensor(SIGNS), margin=0.1), (S1, S2)),
    (lambda a: F.hinge_embedding_loss(a, torchlike.tensor(SIGNS), margin=1.5), (DIST,)),
    (lambda a, b: F.cosine_embedding_loss(a, b, torchlike.tensor(SIGNS), margin=-0.3), (X1, X2)),
    (lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, swap=True), (X1, X2, X3)),
])
def test_new_losses_pass_gradcheck(fn, arrays):
    """float64 central differences against the recorded gradients (no input near a hinge: the margins were
    checked to leave every term away from its kink)."""
    assert gradcheck(fn, tuple(torchlike.tensor(a, requires_grad=True) for a in arrays), atol=1e-6, rtol=1e-4)


def test_a_siamese_training_step_reduces_the_loss():
    torchlike.manual_seed(0)
    embed = nn.Sequential(nn.Linear(D, 8), nn.Tanh(), nn.Linear(8, 3))
    a, p, n = (torchlike.tensor(x, dtype=torchlike.float32) for x in (X1, X2, X3))
    loss_fn = nn.TripletMarginLoss(margin=1.0)
    optimizer = torchlike.optim.SGD(embed.parameters(), lr=0.1)
    before = float(loss_fn(embed(a), embed(p), embed(n)))
    for _ in range(20):
        optimizer.zero_grad()
        loss_fn(embed(a), embed(p), embed(n)).backward()
        optimizer.step()
    assert float(loss_fn(embed(a), embed(p), embed(n))) < before


def test_errors():
    x = torchlike.tensor(X1)
    with pytest.raises(ValueError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(x, x, torchlike.tensor(SIGNS))
    with pytest.raises(ValueError, match="1D target tensor expects 2D input tensors"):
        F.cosine_embedding_loss(x[0], x[1], torchlike.tensor(SIGNS))
    with pytest.raises(ValueError, match="0D or 1D target tensor expected"):
        F.cosine_embedding_loss(x, x, x)
    with pytest.raises(ValueError, match="same number of dimensions, but got: anchor 2D, positive 2D, and negative 1D"):
        F.triplet_margin_loss(x, x, x[0])
    with pytest.raises(ValueError, match="do not broadcast"):
        F.cosine_similarity(x, torchlike.tensor(X1[:, :3]))
    with pytest.raises(TypeError, match="floating point"):
        F.pairwise_distance(torchlike.ones(3, dtype=torchlike.int64), torchlike.ones(3, dtype=torchlike.int64))
    with pytest.raises(TypeError, match="argument 'target' must be a tensor"):
        F.hinge_embedding_loss(x, 1.0)
    with pytest.raises(ValueError, match="sum_all is not a valid value for reduction"):
        nn.MarginRankingLoss(reduction="sum_all")
    with pytest.raises(ValueError, match="batchmean is not a valid value"):
        F.triplet_margin_loss(x, x, x, reduction="batchmean")
