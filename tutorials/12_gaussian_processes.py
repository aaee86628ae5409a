# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 12 — Linear algebra with gradients: Gaussian-process regression
#
# So far the backward pass went through elementwise functions, sums and matrix products. This chapter sends it
# through a **matrix factorization**. The model is Gaussian-process (GP) regression: it predicts a function
# from a few noisy samples of it, says how sure it is, and has only three numbers to learn. Fitting them means
# linear algebra — build a kernel matrix, factorize it with Cholesky, solve triangular systems, take a
# log-determinant — and differentiating all of that with respect to the three numbers. At the end we do the
# same computation in graph mode.

# %%
import os
import struct
import zlib

import numpy as np

import minidl.eager as torchlike
import minidl.graph as tf
from minidl.io.png import encode_png

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")
os.makedirs(OUT, exist_ok=True)

torchlike.manual_seed(0)  # the posterior samples of section 5 come from minidl's generator

# %% [markdown]
# ## 1. The data and the kernel
#
# Forty noisy samples of $f(x) = \sin(1.5x)$ on $[-4, 4]$, with a stretch between 0.5 and 2 where we have
# none, and Gaussian noise of standard deviation $\sigma = 0.2$. Everything in this chapter is **float64**:
# kernel matrices are badly conditioned, and float32's seven digits run out quickly (numpy float64 arrays
# keep their dtype when they become tensors).

# %%
TRUE_NOISE = 0.2


def true_f(x):
    return np.sin(1.5 * x)


rng = np.random.default_rng(0)
x_np = np.sort(np.concatenate([rng.uniform(-4.0, 0.5, 28), rng.uniform(2.0, 4.0, 12)]))
y_np = true_f(x_np) + TRUE_NOISE * rng.standard_normal(len(x_np))
N = len(x_np)
x_train = torchlike.tensor(x_np[:, None])     # (N, 1): a column of 1-d input points
y_train = torchlike.tensor(y_np[:, None])     # (N, 1): the solvers want a matrix of right-hand sides
print(f"{N} points, x in [{x_np.min():.2f}, {x_np.max():.2f}], dtype {x_train.dtype}")

# %% [markdown]
# A GP says: the values of $f$ at any points are jointly Gaussian, with mean 0 and covariances given by a
# **kernel**. The squared-exponential (RBF) kernel makes nearby points strongly correlated and distant ones
# nearly independent:
#
# $$ k(x, x') = s^2 \exp\!\Big(-\frac{(x - x')^2}{2\ell^2}\Big). $$
#
# The **lengthscale** $\ell$ says how far apart two points may be and still be alike; the **signal variance**
# $s^2$ how far $f$ strays from 0. With the **noise variance** $\sigma^2$ the observations $y$ are Gaussian
# with covariance $K = k(X, X) + \sigma^2 I$. All three must be positive, so we learn their logarithms: any
# real number is a valid $\log \ell$, and a step in it is a *relative* change of $\ell$ — the natural scale for
# a length. (`softplus` of a raw parameter is the other common choice.) The squared distances come from
# `torchlike.cdist` on columns of points — or from broadcasting a column against a row, which we compare.

# %%
def kernel(a, b, log_params):
    """s^2 exp(-(a_i - b_j)^2 / (2 ell^2)) for the rows of a (n, 1) and b (m, 1): an (n, m) matrix."""
    ell, signal = log_params[0].exp(), log_params[1].exp()
    return signal ** 2 * torchlike.exp(-0.5 * torchlike.cdist(a, b) ** 2 / ell ** 2)


start = np.log([0.3, 0.5, 0.5])                 # log(ell), log(s), log(sigma): a deliberately poor guess
log_params = torchlike.tensor(start, requires_grad=True)

squared_cdist = torchlike.cdist(x_train, x_train) ** 2
squared_broadcast = (x_train - x_train.mT) ** 2  # (N, 1) - (1, N) -> (N, N)
distance_gap = (squared_cdist - squared_broadcast).abs().max().item()
K_f = kernel(x_train, x_train, log_params)
print("K_f:", tuple(K_f.shape), K_f.dtype, f"  cdist vs broadcasting: {distance_gap:.1e}")

# %% [markdown]
# A kernel matrix is symmetric positive **semi**-definite, and in practice barely that: rows of nearby points
# are almost equal, so many eigenvalues are tiny. Sixty evenly spaced points with $\ell = 1$ give eigenvalues
# down at the rounding level of float64 — some come out *negative* — and the Cholesky factorization, which
# needs a strictly positive-definite matrix, gives up. The cure is **jitter**: add a small $\varepsilon$ to
# the diagonal, which lifts every eigenvalue by $\varepsilon$. The observation noise $\sigma^2 I$ does the
# same job in the likelihood below.
#
# We add it in place, through the diagonal *view*. That is safe only on a tensor whose old value the tape does
# not need: `exp`, for instance, keeps its output for the backward pass ($\frac{d}{dx}e^x = e^x$), and minidl,
# like PyTorch, counts versions and refuses at `backward()` time if that output was changed.

# %%
grid = torchlike.tensor(np.linspace(-4, 4, 60)[:, None])
K_grid = kernel(grid, grid, torchlike.tensor(np.zeros(2)))       # log ell = log s = 0
eigenvalues = torchlike.linalg.eigvalsh(K_grid)
print(f"eigenvalues from {eigenvalues[0].item():.1e} to {eigenvalues[-1].item():.1f}")
cholesky_refused = False
try:
    torchlike.linalg.cholesky(K_grid)
except torchlike.linalg.LinAlgError as error:     # a RuntimeError, as in PyTorch
    cholesky_refused = "not positive-definite" in str(error)
    print("cholesky(K):", str(error)[:100], "...")

JITTER = 1e-6
K_jittered = K_grid.clone()                     # (we keep K_grid as it was, for the comparison)
K_jittered.diagonal().add_(JITTER)              # diagonal() is a view: add_ writes into K_jittered itself
L_grid = torchlike.linalg.cholesky(K_jittered)
jitter_error = (L_grid @ L_grid.mT - K_grid).abs().max().item()
print(f"with jitter {JITTER:g}: largest entry of L L^T - K is {jitter_error:.2e}")

saved = torchlike.tensor(np.zeros((2, 2)), requires_grad=True).exp()
saved.diagonal().add_(1.0)
inplace_refused = False
try:
    saved.sum().backward()
except RuntimeError as error:
    inplace_refused = "modified by an inplace operation" in str(error)
    print(str(error)[:118], "...")

# %% [markdown]
# Our `kernel` ends with a multiplication, which keeps its *inputs*, not its output: the fresh matrix it
# returns may be changed in place, and below we add $\sigma^2$ to its diagonal that way.
#
# ## 2. The log marginal likelihood, without an inverse
#
# How well do hyperparameters $\theta$ explain the data? The GP gives the probability of $y$ with $f$
# integrated out — the **marginal likelihood** — a multivariate Gaussian density:
#
# $$ \log p(y \mid X, \theta) = -\tfrac12\, y^\top K^{-1} y \;-\; \tfrac12 \log\det K \;-\; \tfrac n2 \log 2\pi . $$
#
# Nobody computes $K^{-1}$ for this. Factorize $K = L L^\top$ once, with $L$ lower triangular (Cholesky: about
# $n^3/3$ operations, several times fewer than an inverse, and stable for positive-definite matrices). Then
#
# * $y^\top K^{-1} y = y^\top L^{-\top} L^{-1} y = \lVert z \rVert^2$ with $z = L^{-1} y$: one **triangular
#   solve**, $O(n^2)$ — forward substitution, row by row;
# * $\det K = \det L \cdot \det L^\top = \prod_i L_{ii}^2$, so $\tfrac12 \log\det K = \sum_i \log L_{ii}$:
#   free, and never overflowing the way $\det K$ itself would for large $n$.

# %%
K = kernel(x_train, x_train, log_params)
K.diagonal().add_(log_params[2].exp() ** 2)                  # K + sigma^2 I
L = torchlike.linalg.cholesky(K)
z = torchlike.linalg.solve_triangular(L, y_train, upper=False)
nll_cholesky = 0.5 * (z ** 2).sum() + L.diagonal().log().sum() + 0.5 * N * np.log(2 * np.pi)

# the same two terms with other tools: alpha = K^-1 y from the factor, and slogdet for the determinant
alpha = torchlike.cholesky_solve(y_train, L)
half_logdet = 0.5 * torchlike.linalg.slogdet(K).logabsdet
nll_slogdet = 0.5 * (y_train * alpha).sum() + half_logdet + 0.5 * N * np.log(2 * np.pi)


def nll_numpy(log_params, x=x_np, y=y_np):
    """A float64 reference that shares no code with minidl: a general solve and numpy's slogdet."""
    ell, s, sigma = np.exp(log_params)
    K = s ** 2 * np.exp(-0.5 * (x[:, None] - x[None, :]) ** 2 / ell ** 2) + sigma ** 2 * np.eye(len(x))
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1] + 0.5 * len(x) * np.log(2 * np.pi)


nll_reference = nll_numpy(start)
print(f"-log p(y): cholesky {nll_cholesky.item():.12f}   cholesky_solve + slogdet {nll_slogdet.item():.12f}   "
      f"numpy {nll_reference:.12f}")

# %% [markdown]
# The factor is also more accurate than the inverse. On the jittered 60-point matrix of section 1 (condition
# number about $10^7$), how well does each $\alpha$ solve $K\alpha = y$? Multiplying by a computed $K^{-1}$
# amplifies the rounding errors made while forming it; the two triangular solves do not. Then we package the
# likelihood as a function of the log-hyperparameters.

# %%
y_grid = torchlike.tensor(np.sin(np.linspace(-4, 4, 60))[:, None])
residuals = {}
for name, alpha_grid in (("inv(K) @ y", torchlike.linalg.inv(K_jittered) @ y_grid),
                         ("cholesky_solve", torchlike.cholesky_solve(y_grid, L_grid))):
    residuals[name] = ((K_jittered @ alpha_grid - y_grid).norm() / y_grid.norm()).item()
    print(f"{name:>15}: relative residual |K alpha - y| / |y| = {residuals[name]:.1e}")


def negative_log_likelihood(log_params, x=x_train, y=y_train):
    """-log p(y | x, theta) of a zero-mean GP with the RBF kernel; x and y are (n, 1) columns."""
    K = kernel(x, x, log_params)
    K.diagonal().add_(log_params[2].exp() ** 2)
    L = torchlike.linalg.cholesky(K)
    z = torchlike.linalg.solve_triangular(L, y, upper=False)
    return 0.5 * (z ** 2).sum() + L.diagonal().log().sum() + 0.5 * len(y) * np.log(2 * np.pi)


# %% [markdown]
# ## 3. Gradients through the factorization
#
# `backward()` must now pass a gradient through `cholesky`. If a loss $\mathcal{L}$ depends on $K$ only
# through $L$, and $\bar L = \partial \mathcal{L} / \partial L$ has arrived from the steps after it, the
# Cholesky VJP returns (Murray, 2016)
#
# $$ \bar K = L^{-\top}\, \mathrm{sym}\big(\Phi(L^\top \bar L)\big)\, L^{-1}, $$
#
# where $\Phi$ keeps the lower triangle with the diagonal halved and $\mathrm{sym}(A) = \tfrac12(A + A^\top)$.
# Where it comes from: differentiate $K = LL^\top$ to get $L^{-1} dK\, L^{-\top} = X + X^\top$ with
# $X = L^{-1}dL$ lower triangular, so $dL = L\,\Phi(L^{-1} dK\, L^{-\top})$; transposing that linear map
# gives $\bar K$. The $L^{-1}$ and $L^{-\top}$ are triangular solves, never inverses. (Only symmetric changes
# of $K$ make sense, so the gradient is a symmetric matrix.)
#
# For the log marginal likelihood the whole chain has a closed form. With $\alpha = K^{-1}y$,
# $d(y^\top K^{-1}y) = -\alpha^\top dK\,\alpha$ and $d \log\det K = \mathrm{tr}(K^{-1} dK)$, so
#
# $$ \frac{\partial (-\log p)}{\partial K} = \tfrac12\big(K^{-1} - \alpha\alpha^\top\big), \qquad
#    \frac{\partial \log p}{\partial \theta_j}
#    = \tfrac12\, \mathrm{tr}\Big( \big(\alpha\alpha^\top - K^{-1}\big) \frac{\partial K}{\partial \theta_j} \Big). $$
#
# For our log-parameters, $\partial K/\partial \log\ell = K_f \odot D^2/\ell^2$ ($D^2$ the squared
# distances), $\partial K/\partial \log s = 2K_f$ and $\partial K/\partial \log\sigma = 2\sigma^2 I$. We check
# autograd against that formula, against central differences of the numpy reference, and with `gradcheck`.

# %%
loss = negative_log_likelihood(log_params)
loss.backward()
autograd_grad = log_params.grad.numpy().copy()

# the matrix gradient: K as a leaf, straight into the factorization
K_leaf = K.detach().requires_grad_()
L_leaf = torchlike.linalg.cholesky(K_leaf)
z_leaf = torchlike.linalg.solve_triangular(L_leaf, y_train, upper=False)
(0.5 * (z_leaf ** 2).sum() + L_leaf.diagonal().log().sum()).backward()
K_np, alpha_np = K.detach().numpy(), np.linalg.solve(K.detach().numpy(), y_np)
K_inverse = np.linalg.inv(K_np)
matrix_grad_gap = np.abs(K_leaf.grad.numpy() - 0.5 * (K_inverse - np.outer(alpha_np, alpha_np))).max()

# the closed form, d(-log p)/d theta_j = -1/2 tr((alpha alpha^T - K^-1) dK/d theta_j)
ell0, _, sigma0 = np.exp(start)
K_f_np = K_f.detach().numpy()
dK = [K_f_np * (x_np[:, None] - x_np[None, :]) ** 2 / ell0 ** 2, 2 * K_f_np, 2 * sigma0 ** 2 * np.eye(N)]
closed_form = np.array([-0.5 * np.sum((np.outer(alpha_np, alpha_np) - K_inverse) * d) for d in dK])

# central differences of the numpy reference
h = 1e-5
central = np.array([(nll_numpy(start + h * e) - nll_numpy(start - h * e)) / (2 * h) for e in np.eye(3)])
print("d(-log p)/d(log ell, log s, log sigma):")
for name, g in (("autograd", autograd_grad), ("closed form", closed_form), ("central diff.", central)):
    print(f"{name:>14}: {np.array2string(g, precision=8)}")
print(f"K.grad vs (K^-1 - alpha alpha^T) / 2: largest difference {matrix_grad_gap:.1e}")

# `gradcheck` does central differences for every input that requires grad, on a tiny problem (6 points):
# hyperparameters, inputs x (through cdist) and targets y
tiny = [torchlike.tensor(v, requires_grad=True) for v in
        (np.log([0.8, 1.2, 0.3]), x_np[:6, None].copy(), y_np[:6, None].copy())]
gradcheck_passed = torchlike.autograd.gradcheck(negative_log_likelihood, tuple(tiny))
print("gradcheck:", gradcheck_passed)

# %% [markdown]
# ## 4. Fitting the hyperparameters
#
# Maximizing $\log p(y \mid X, \theta)$ is called **type-II maximum likelihood** (or *evidence
# maximization*). The two terms pull against each other: $-\tfrac12 y^\top K^{-1}y$ rewards fitting the data,
# $-\tfrac12\log\det K$ punishes flexible models that could have explained many other data sets too — an
# Occam's razor built into the probability. There are only three parameters, so both of these optimizers do
# well: Adam, as for networks, and L-BFGS, a quasi-Newton method that builds a curvature estimate from past
# gradients. L-BFGS evaluates the loss several times per step (its line search), so `step` takes a
# **closure** that recomputes it.

# %%
log_params = torchlike.tensor(start, requires_grad=True)
adam = torchlike.optim.Adam([log_params], lr=0.05)
for step in range(300):
    adam.zero_grad()
    loss = negative_log_likelihood(log_params)
    loss.backward()
    if step % 60 == 0:
        print(f"Adam step {step:3}: -log p = {loss.item():8.4f}   ell, s, sigma = "
              f"{np.array2string(np.exp(log_params.detach().numpy()), precision=4)}")
    adam.step()
adam_params = log_params.detach().numpy().copy()

log_params = torchlike.tensor(start, requires_grad=True)
lbfgs = torchlike.optim.LBFGS([log_params], max_iter=100, line_search_fn="strong_wolfe")


def closure():
    lbfgs.zero_grad()
    loss = negative_log_likelihood(log_params)
    loss.backward()
    return loss


lbfgs.step(closure)
fitted = log_params.detach()
final_nll, final_grad = closure().item(), log_params.grad.numpy().copy()
ell, s, sigma = np.exp(fitted.numpy())
print(f"L-BFGS: -log p = {final_nll:.6f} after {lbfgs.state[log_params]['func_evals']} evaluations "
      f"(Adam: {nll_numpy(adam_params):.6f} after 300 steps)")
print(f"learned ell = {ell:.3f}, s = {s:.3f}, sigma = {sigma:.3f}   (the data's noise: {TRUE_NOISE})")

# %% [markdown]
# Both reach the same optimum, L-BFGS in about a dozen evaluations instead of hundreds. The learned noise
# level is close to the 0.2 we used: the likelihood separated signal from noise without being told either.
#
# ## 5. Predictions with error bars
#
# Conditioning the joint Gaussian of $(y, f_*)$ on the observed $y$ gives the posterior at new points $X_*$.
# With $K_* = k(X, X_*)$ and the same factor $L$:
#
# $$ \mu_* = K_*^\top \alpha, \qquad
#    \Sigma_* = k(X_*, X_*) - K_*^\top K^{-1} K_* = k(X_*, X_*) - V^\top V, \quad V = L^{-1} K_* . $$
#
# The variance of $f$ at one point is $s^2 - \sum_i V_{i*}^2$: the prior's, less what the data explained
# (a new noisy *observation* would add $\sigma^2$). Cholesky has one more use here: with
# $\Sigma_* = L_* L_*^\top$, $\mu_* + L_*\varepsilon$ for $\varepsilon \sim \mathcal N(0, I)$ is a whole
# function drawn from the posterior. We take one test point per pixel column of the picture.

# %%
W, H, X_RANGE, Y_RANGE = 640, 320, (-5.0, 5.0), (-2.5, 2.5)
x_plot = X_RANGE[0] + (np.arange(W) + 0.5) / W * (X_RANGE[1] - X_RANGE[0])


def posterior(log_params, x_new):
    """Mean (m,) and covariance (m, m) of f at the points x_new (m, 1), given the training data."""
    with torchlike.no_grad():
        K = kernel(x_train, x_train, log_params)
        K.diagonal().add_(log_params[2].exp() ** 2)
        L = torchlike.linalg.cholesky(K)
        K_star = kernel(x_train, x_new, log_params)
        mean = K_star.mT @ torchlike.cholesky_solve(y_train, L)
        V = torchlike.linalg.solve_triangular(L, K_star, upper=False)
        return mean[:, 0], kernel(x_new, x_new, log_params) - V.mT @ V


mean, cov = posterior(fitted, torchlike.tensor(x_plot[:, None]))
mean, sd = mean.numpy(), cov.diagonal().clamp(min=0).sqrt().numpy()   # (rounding can leave a -1e-17)

# the same formulas with numpy's general solver
K_ref = s ** 2 * np.exp(-0.5 * (x_np[:, None] - x_np) ** 2 / ell ** 2) + sigma ** 2 * np.eye(N)
K_star_ref = s ** 2 * np.exp(-0.5 * (x_np[:, None] - x_plot) ** 2 / ell ** 2)
mean_ref = K_star_ref.T @ np.linalg.solve(K_ref, y_np)
var_ref = s ** 2 - np.sum(K_star_ref * np.linalg.solve(K_ref, K_star_ref), axis=0)
posterior_gap = max(np.abs(mean - mean_ref).max(), np.abs(sd ** 2 - var_ref).max())

# three draws from the posterior; Sigma_* is singular to rounding error, so it needs jitter too
cov_jittered = cov.clone()
cov_jittered.diagonal().add_(1e-8)
eps = torchlike.randn(W, 3, dtype=torchlike.float64)
draws = mean[:, None] + (torchlike.linalg.cholesky(cov_jittered) @ eps).numpy()

near_data = np.min(np.abs(x_plot[:, None] - x_np), axis=1) < 0.2
in_gap = (x_plot > 0.9) & (x_plot < 1.6)
print(f"posterior vs numpy: {posterior_gap:.1e};  |mean - f| near data: max "
      f"{np.abs(mean - true_f(x_plot))[near_data].max():.3f};  sd near data {sd[near_data].mean():.3f}, "
      f"in the gap {sd[in_gap].mean():.3f}")

# %% [markdown]
# ### The picture
#
# `12_gp_posterior.png`: the true function (grey, dashed), the data (black dots), the posterior mean (dark
# blue) inside a light-blue band of $\pm 2$ standard deviations, and three posterior draws (orange). Light grey
# lines mark every integer $x$ and $y = 0$. The helpers map data coordinates to pixel rows and columns and
# paint whole columns at a time — a plot is just an array.

# %%
def rows(values):
    """Data y -> pixel row (row 0 is the top), clipped to the picture."""
    r = (Y_RANGE[1] - np.asarray(values)) / (Y_RANGE[1] - Y_RANGE[0]) * (H - 1)
    return np.clip(np.round(r), 0, H - 1).astype(int)


def columns(values):
    c = (np.asarray(values) - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0]) * W - 0.5
    return np.clip(np.round(c), 0, W - 1).astype(int)


def draw_curve(canvas, values, color, dash=0):
    """One value per column, joined to the previous column so that steep parts leave no holes."""
    r = rows(values)
    for c in range(W):
        top, bottom = sorted((r[c], r[max(c - 1, 0)]))
        if not dash or (c // dash) % 2 == 0:
            canvas[top:bottom + 2, c] = color                 # at least 2 pixels thick


canvas = np.full((H, W, 3), 255, np.uint8)
pixel_rows = np.arange(H)[:, None]                            # the band: every pixel between its two edges
canvas[(pixel_rows >= rows(mean + 2 * sd)) & (pixel_rows <= rows(mean - 2 * sd))] = (198, 219, 239)
canvas[:, columns(np.arange(-4, 5))] = canvas[rows(0.0)] = 215
for draw in draws.T:
    draw_curve(canvas, draw, (253, 174, 107))
draw_curve(canvas, true_f(x_plot), (90, 90, 90), dash=6)
draw_curve(canvas, mean, (8, 69, 148))
for r, c in zip(rows(y_np), columns(x_np)):
    canvas[max(r - 2, 0):r + 3, max(c - 2, 0):c + 3] = 0

posterior_png = os.path.join(OUT, "12_gp_posterior.png")
with open(posterior_png, "wb") as file:
    file.write(encode_png(canvas))
print("wrote", posterior_png, canvas.shape, os.path.getsize(posterior_png), "bytes")

# %% [markdown]
# Where the data are dense the band is narrow and the mean follows the sine. In the gap, and beyond $|x| = 4$,
# the band widens towards the prior's $\pm 2s$ and the mean relaxes towards 0: the model knows where it is
# guessing. The posterior draws agree near the data and fan out elsewhere.
#
# ## 6. The same likelihood as a graph
#
# Graph mode (chapters 4–5) builds the same computation symbolically, with TensorFlow's names:
# `tf.linalg.cholesky`, `tf.linalg.triangular_solve` (`lower=True` by default) and `tf.linalg.diag_part`.
# `tf.gradients` adds the backward pass to the graph — through the same Cholesky VJP as eager mode, since both
# run minidl's op library. We feed the *starting* hyperparameters, where the gradient is far from zero.

# %%
tf.reset_default_graph()
theta = tf.placeholder(tf.float64, shape=(3,), name="log_params")
x_col, y_col = tf.constant(x_np[:, None]), tf.constant(y_np[:, None])
K_graph = (tf.exp(2 * theta[1]) * tf.exp(-0.5 * tf.square(x_col - tf.transpose(x_col)) / tf.exp(2 * theta[0]))
           + tf.exp(2 * theta[2]) * tf.eye(N, dtype=tf.float64))
L_graph = tf.linalg.cholesky(K_graph)
z_graph = tf.linalg.triangular_solve(L_graph, y_col, lower=True)
nll_graph = (0.5 * tf.reduce_sum(tf.square(z_graph)) + tf.reduce_sum(tf.log(tf.linalg.diag_part(L_graph)))
             + 0.5 * N * np.log(2 * np.pi))
(grad_graph,) = tf.gradients(nll_graph, [theta])
with tf.Session() as sess:
    graph_value, graph_grad = sess.run([nll_graph, grad_graph], {theta: start})
print(f"graph: -log p = {graph_value:.12f}  gradient {np.array2string(graph_grad, precision=8)}")
print(f"eager: -log p = {nll_cholesky.item():.12f}  gradient {np.array2string(autograd_grad, precision=8)}")

# %% [markdown]
# ## Summary
#
# * Kernel matrices are nearly singular; noise or jitter on the diagonal (`K.diagonal().add_(eps)` on a fresh
#   tensor, or `+ eps * eye`) lets the Cholesky factor exist.
# * Never invert: $K = LL^\top$ gives $y^\top K^{-1} y = \lVert L^{-1}y\rVert^2$ (`solve_triangular`),
#   $\log\det K = 2\sum_i \log L_{ii}$ for free, and $K^{-1}B$ (`cholesky_solve`) — faster and more accurate.
# * Gradients flow through `cholesky` and the solves like through any op, in eager and in graph mode; for the
#   log marginal likelihood they are
#   $\tfrac12\mathrm{tr}\big((\alpha\alpha^\top - K^{-1})\,\partial K/\partial\theta\big)$.
# * Positive hyperparameters are learned as logarithms, with Adam or with L-BFGS and a closure; the marginal
#   likelihood balanced fit against complexity and found the noise level by itself.
#
# ## Checks

# %%
# 1. the kernel: two ways to the distances, a matrix too singular for Cholesky, and what jitter changes
assert distance_gap < 1e-12
assert cholesky_refused and eigenvalues[0].item() < 1e-12 and inplace_refused
assert abs(jitter_error - JITTER) < 1e-9                      # L L^T is K + eps I, to rounding error
assert residuals["cholesky_solve"] < 1e-10, residuals

# 2. the log marginal likelihood three ways, and the log-determinant from the factor
assert abs(nll_cholesky.item() - nll_reference) < 1e-9 and abs(nll_slogdet.item() - nll_reference) < 1e-9
assert abs(2 * L.diagonal().log().sum().item() - np.linalg.slogdet(K_np)[1]) < 1e-9

# 3. gradients: autograd = closed form = central differences; the matrix gradient; gradcheck
assert np.allclose(autograd_grad, closed_form, rtol=1e-9, atol=1e-9), (autograd_grad, closed_form)
assert np.allclose(autograd_grad, central, rtol=1e-6, atol=1e-6), (autograd_grad, central)
assert matrix_grad_gap < 1e-10 and gradcheck_passed
assert np.abs(autograd_grad).min() > 0.1                      # the check was made where the gradient is large

# 4. the fit: a much better likelihood, a stationary point, both optimizers agree, the noise level recovered
assert final_nll < nll_reference - 15, (final_nll, nll_reference)
assert abs(final_nll - nll_numpy(fitted.numpy())) < 1e-9
assert np.abs(final_grad).max() < 1e-3, final_grad
assert abs(nll_numpy(adam_params) - final_nll) < 1e-5 and np.allclose(adam_params, fitted.numpy(), atol=1e-2)
assert abs(sigma - TRUE_NOISE) < 0.05, sigma
assert 0.5 < ell < 2.0 and 0.5 < s < 2.0, (ell, s)

# 5. the posterior: the numpy formulas, close to the truth where there is data, unsure where there is none
assert posterior_gap < 1e-8, posterior_gap
error = np.abs(mean - true_f(x_plot))[near_data]
assert error.mean() < 0.15 and error.max() < 0.35, (error.mean(), error.max())
assert sd[in_gap].mean() > 2 * sd[near_data].mean() and sd[np.abs(x_plot) > 4.8].min() > 0.5 * s
assert np.mean(np.abs(true_f(x_plot) - mean) < 2 * sd) > 0.85   # the band holds the truth nearly everywhere
assert np.abs(draws - mean[:, None])[near_data].max() < 5 * sd[near_data].max()   # the draws hug the data

# the PNG: its signature, its size in the header, and its pixels (zlib-decompress the one IDAT chunk)
with open(posterior_png, "rb") as file:
    png = file.read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (W, H)
idat_length = struct.unpack(">I", png[33:37])[0]
assert png[37:41] == b"IDAT"
decoded = np.frombuffer(zlib.decompress(png[41:41 + idat_length]), np.uint8).reshape(H, 1 + 3 * W)
assert np.array_equal(decoded[:, 1:].reshape(H, W, 3), canvas)

# 6. graph mode: the same value and the same gradient as eager mode
assert abs(graph_value - nll_cholesky.item()) < 1e-10
assert np.allclose(graph_grad, autograd_grad, rtol=1e-10, atol=1e-10)
print("chapter 12: all checks passed")
