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
# # Chapter 11 — Distributions, sampling and gradients through randomness
#
# Every network so far computed a *number* from its input: a class score, the next character's logits. Many
# models instead compute a **distribution** — a policy that picks actions at random, a generative model that
# draws new images — and train it by maximising an **expectation** over random draws. That raises a question
# the earlier chapters never met: how do you differentiate through a random number?
#
# This chapter answers it in three steps:
#
# 1. **Distributions as objects.** `minidl.eager.distributions` (PyTorch's `torch.distributions`) packs a
#    distribution's parameters with what you do with it: draw samples, score a value with `log_prob`, compute
#    its `entropy` and the `kl_divergence` to another distribution.
# 2. **Two ways to differentiate an expectation** $\nabla_\theta\, \mathbb{E}_{z \sim q_\theta}[f(z)]$: the
#    *score function* (REINFORCE) and the *reparameterization trick*, compared on an example whose exact
#    gradient we know — same answer on average, very different noise.
# 3. **A variational autoencoder** on the 8×8 digits, which needs all of it: a Normal over a latent code,
#    `rsample`, a Bernoulli likelihood and a closed-form KL, trained by maximising the ELBO and watched in
#    TensorBoard.

# %%
import os
import shutil
import struct
import time

import numpy as np

import minidl.eager as torchlike
from minidl.datasets import load_digits
from minidl.eager import nn, optim
from minidl.eager.distributions import Bernoulli, Categorical, Independent, Normal, kl_divergence
from minidl.eager.nn import functional as F
from minidl.eager.utils.tensorboard import SummaryWriter
from minidl.io.png import encode_png, image_grid

_tutorials = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
OUT = os.environ.get("MINIDL_TUTORIAL_OUT") or os.path.join(_tutorials, "figures")
os.makedirs(OUT, exist_ok=True)

torchlike.manual_seed(0)  # every draw below comes from minidl's generator: the whole chapter is reproducible

# %% [markdown]
# ## 1. Distributions as objects
#
# ### `Normal`: batch shape and event shape
#
# `Normal(loc, scale)` is the Gaussian $\mathcal{N}(\mu, \sigma^2)$ with density
#
# $$ q(z) = \frac{1}{\sigma\sqrt{2\pi}} \exp\!\Big(-\frac{(z-\mu)^2}{2\sigma^2}\Big), \qquad
#    \log q(z) = -\frac{(z-\mu)^2}{2\sigma^2} - \log\sigma - \tfrac12 \log 2\pi. $$
#
# Give it tensors of parameters and it becomes a **batch** of independent Normals, one per entry. Two shapes
# describe any distribution object:
#
# * `batch_shape` — how many independent distributions it holds (here 3);
# * `event_shape` — the shape of *one* draw from one of them (here `()`: a single number).
#
# `sample(sample_shape)` returns `sample_shape + batch_shape + event_shape`, and `log_prob` returns one number
# per event, so the event dims disappear.

# %%
loc = torchlike.tensor([0.0, 2.0, -1.0])
scale = torchlike.tensor([1.0, 0.5, 2.0])
normal = Normal(loc, scale)
draws = normal.sample((20000,))
print(normal, " batch_shape", tuple(normal.batch_shape), " event_shape", tuple(normal.event_shape))
print("sample((20000,)) ->", tuple(draws.shape), "  log_prob ->", tuple(normal.log_prob(draws).shape))
print("sample means", draws.mean(0).numpy().round(3), " sample stds", draws.std(0).numpy().round(3))

# log_prob is the formula above, nothing more
z_np, mu_np, sigma_np = draws.numpy()[:5], loc.numpy(), scale.numpy()
by_hand = -(z_np - mu_np) ** 2 / (2 * sigma_np ** 2) - np.log(sigma_np) - 0.5 * np.log(2 * np.pi)
log_prob_gap = float(np.abs(normal.log_prob(draws[:5]).numpy() - by_hand).max())

# the entropy H = -E[log q(z)] in closed form, and as an average over our draws
entropy_exact = normal.entropy().numpy()
entropy_mc = -normal.log_prob(draws).mean(0).numpy()
print("entropy: closed form", entropy_exact.round(4), " Monte Carlo", entropy_mc.round(4))

# %% [markdown]
# Often three numbers are not three separate things but **one vector** — the latent code of the autoencoder
# below is a 2-vector per image. `Independent(normal, 1)` moves the last batch dim into the event: one
# distribution over 3-vectors with independent coordinates, whose log-density is the **sum** of the three
# (the log of a product of independent densities). Same draws, different bookkeeping.

# %%
vector_normal = Independent(normal, 1)
print(vector_normal, " batch_shape", tuple(vector_normal.batch_shape), " event_shape",
      tuple(vector_normal.event_shape), "  log_prob ->", tuple(vector_normal.log_prob(draws).shape))
independent_gap = float(np.abs(vector_normal.log_prob(draws[:5]).numpy()
                               - normal.log_prob(draws[:5]).sum(-1).numpy()).max())

# %% [markdown]
# ### `Bernoulli` and `Categorical`: the losses you already know
#
# A `Bernoulli` is a coin: 1 with probability $p$, else 0, so $\log P(x) = x\log p + (1-x)\log(1-p)$. Built
# from a **logit** $\ell$ (with $p = \mathrm{sigmoid}(\ell)$), that is exactly minus the binary cross-entropy
# with logits — the loss of every yes/no classifier is the negative log-likelihood of a Bernoulli.
#
# A `Categorical` picks one of $K$ classes with probabilities $\mathrm{softmax}(\ell)$; its $\log P(k)$ is the
# log-softmax at $k$, and the mean of $-\log P(y)$ over a batch is the `cross_entropy` loss of chapter 7.

# %%
coin = Bernoulli(logits=torchlike.tensor([-1.0, 0.0, 2.0]))
flips = coin.sample((20000,))
print("Bernoulli probs", coin.probs.numpy().round(4), " frequency of 1s", flips.mean(0).numpy().round(4))
outcomes = torchlike.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])     # two rows of three coin results
bernoulli_gap = (coin.log_prob(outcomes)
                 + F.binary_cross_entropy_with_logits(coin.logits.expand(2, 3), outcomes, reduction="none"))
bernoulli_gap = float(bernoulli_gap.abs().max())
print("log_prob + BCE-with-logits:", bernoulli_gap, "(zero: the same formula)")

die = Categorical(logits=torchlike.tensor([2.0, 0.5, -1.0, 0.0]))   # one distribution over 4 categories
rolls = die.sample((40000,))                                          # int64 category indices
frequencies = np.bincount(rolls.numpy(), minlength=4) / rolls.numel()
print("Categorical probs", die.probs.numpy().round(4), " frequencies", frequencies.round(4), " batch_shape",
      tuple(die.batch_shape), " event_shape", tuple(die.event_shape))

# a classifier's logits for three images: a batch of three Categoricals, scored at the true labels
scores = torchlike.tensor([[2.0, 0.5, -1.0, 0.0], [0.1, 0.2, 0.3, 0.4], [-1.0, 3.0, 0.0, 1.0]])
classifier = Categorical(logits=scores)
labels = torchlike.tensor([0, 3, 1])
categorical_gap = abs(-classifier.log_prob(labels).mean().item() - F.cross_entropy(scores, labels).item())
print(f"-mean log_prob vs cross_entropy: difference {categorical_gap:.1e}")

# %% [markdown]
# ### KL divergence: closed form against Monte Carlo
#
# The **Kullback–Leibler divergence** measures how far a distribution $q$ is from $p$, from $p$'s point of view:
#
# $$ \mathrm{KL}(p\,\|\,q) = \mathbb{E}_{x\sim p}\big[\log p(x) - \log q(x)\big] \;\ge 0, $$
#
# zero only when $p = q$, and not symmetric. For two Normals the expectation has a closed form,
#
# $$ \mathrm{KL}\big(\mathcal N(\mu_p,\sigma_p^2)\,\|\,\mathcal N(\mu_q,\sigma_q^2)\big)
#    = \log\frac{\sigma_q}{\sigma_p} + \frac{\sigma_p^2 + (\mu_p-\mu_q)^2}{2\sigma_q^2} - \frac12, $$
#
# which is what `kl_divergence(p, q)` returns. The definition itself gives a second way to compute it: draw
# many $x \sim p$ and average $\log p(x) - \log q(x)$. The average is itself random; its **standard error**
# (the standard deviation of the terms divided by $\sqrt{n}$) says how far from the truth it may wander, and a
# correct formula lies within a few standard errors of it.

# %%
p = Normal(torchlike.tensor(0.0), torchlike.tensor(1.0))
q = Normal(torchlike.tensor(1.0), torchlike.tensor(2.0))
kl_closed = kl_divergence(p, q).item()
by_formula = np.log(2.0 / 1.0) + (1.0 ** 2 + (0.0 - 1.0) ** 2) / (2 * 2.0 ** 2) - 0.5

N_KL = 200_000
x = p.sample((N_KL,))
terms = (p.log_prob(x) - q.log_prob(x)).numpy()
kl_mc, kl_se = terms.mean(), terms.std() / np.sqrt(N_KL)
print(f"KL(p||q): closed form {kl_closed:.5f} (by hand {by_formula:.5f}), Monte Carlo {kl_mc:.5f} "
      f"± {kl_se:.5f}  ->  {abs(kl_closed - kl_mc) / kl_se:.1f} standard errors apart")
print(f"KL(q||p) = {kl_divergence(q, p).item():.5f}: not the same — KL is not a distance")

# for Categoricals the expectation is a finite sum, so "Monte Carlo" can be exact
p_cat = Categorical(probs=torchlike.tensor([0.5, 0.3, 0.2]))
q_cat = Categorical(probs=torchlike.tensor([0.2, 0.2, 0.6]))
kl_cat_sum = float(np.sum(p_cat.probs.numpy() * (np.log(p_cat.probs.numpy()) - np.log(q_cat.probs.numpy()))))
kl_cat_gap = abs(kl_divergence(p_cat, q_cat).item() - kl_cat_sum)
print(f"KL of two Categoricals: {kl_divergence(p_cat, q_cat).item():.6f}, the sum by hand {kl_cat_sum:.6f}")

# %% [markdown]
# ## 2. Two ways to differentiate an expectation
#
# Take a distribution $q_\theta$ with parameters $\theta$ and a function $f$, and ask for
#
# $$ \nabla_\theta\; \mathbb{E}_{z\sim q_\theta}\big[f(z)\big]. $$
#
# We cannot backpropagate through `sample()`: a draw is not a differentiable function of $\theta$ (minidl's
# `sample` records nothing, as PyTorch's). There are two standard ways out.
#
# **The score function (REINFORCE, likelihood ratio).** Move the gradient onto the density:
#
# $$ \nabla_\theta \int q_\theta(z) f(z)\,dz = \int q_\theta(z)\, \nabla_\theta \log q_\theta(z)\, f(z)\,dz
#    = \mathbb{E}_{z\sim q_\theta}\big[f(z)\,\nabla_\theta \log q_\theta(z)\big], $$
#
# using $\nabla q = q\,\nabla \log q$. Draw $z$, *detach* it, and backpropagate $f(z)\cdot\log q_\theta(z)$ —
# autograd computes $\nabla_\theta \log q_\theta(z)$, the "score". It needs only `log_prob`, so it works for
# *any* distribution, discrete ones included, and $f$ need not be differentiable (a reward from a game).
#
# **The reparameterization trick (pathwise).** Write the draw as a differentiable function of $\theta$ and of
# noise that does not depend on $\theta$: $z = \mu + \sigma\,\varepsilon$ with $\varepsilon\sim\mathcal N(0,1)$.
# Then $\mathbb{E}_q[f(z)] = \mathbb{E}_\varepsilon[f(\mu+\sigma\varepsilon)]$ and the gradient moves inside:
#
# $$ \nabla_{\mu,\sigma}\, \mathbb{E}[f(z)]
#    = \mathbb{E}_\varepsilon\big[f'(\mu+\sigma\varepsilon)\cdot(1,\ \varepsilon)\big]. $$
#
# That is `rsample()`: the draw is recorded on the tape as `loc + ε·scale`, so `backward()` goes through it.
# It needs $f$ differentiable and a distribution that can be reparameterized (`has_rsample`).
#
# ### An example with a known answer
#
# $f(z) = z^2$ and $q = \mathcal N(\mu, \sigma^2)$: $\mathbb{E}[z^2] = \mu^2 + \sigma^2$, so the exact gradient
# is $(2\mu,\ 2\sigma)$. Each estimator turns **one** draw into one gradient estimate:
#
# * reparameterization, for $\mu$: $g = f'(z) = 2(\mu + \sigma\varepsilon)$, whose variance is $4\sigma^2$
#   (and for $\sigma$: $g = f'(z)\,\varepsilon = 2(\mu\varepsilon + \sigma\varepsilon^2)$, variance
#   $4\mu^2 + 8\sigma^2$);
# * score function, for $\mu$: $g = z^2\,\partial_\mu \log q(z) = z^2\,\varepsilon/\sigma
#   = \frac{\mu^2}{\sigma}\varepsilon + 2\mu\varepsilon^2 + \sigma\varepsilon^3$. With the Gaussian moments
#   $\mathbb{E}\varepsilon^2 = 1$, $\mathbb{E}\varepsilon^4 = 3$, $\mathbb{E}\varepsilon^6 = 15$ (odd ones
#   vanish), its mean is $2\mu$ and its variance $\mu^4/\sigma^2 + 14\mu^2 + 15\sigma^2$.
#
# To get many independent one-draw estimates from a single `backward()`, we give the distribution a
# **batch** of N copies of each parameter: draw $i$ depends only on copy $i$, so the gradient of the summed
# objective with respect to copy $i$ is exactly the estimate from draw $i$.

# %%
MU, SIGMA, N_DRAWS = 1.5, 0.5, 100_000


def f(z):
    return z ** 2


def one_draw_estimates(estimator, baseline=0.0):
    """N_DRAWS independent single-draw estimates of the gradient of E[f(z)] w.r.t. (mu, sigma)."""
    mu = torchlike.full((N_DRAWS,), MU, requires_grad=True)       # N copies of the same parameter
    sigma = torchlike.full((N_DRAWS,), SIGMA, requires_grad=True)
    q_theta = Normal(mu, sigma)
    if estimator == "reparameterization":
        surrogate = f(q_theta.rsample())                          # the tape runs through z = mu + sigma * eps
    else:
        z = q_theta.sample()                                      # no tape behind z
        surrogate = (f(z) - baseline).detach() * q_theta.log_prob(z)  # gradient = (f - b) * score
    surrogate.sum().backward()
    return mu.grad.numpy(), sigma.grad.numpy()


exact = np.array([2 * MU, 2 * SIGMA])
# a baseline b changes nothing on average (E[score] = 0) but can cut the noise: b ~ E[f], from separate draws
baseline = f(Normal(MU, SIGMA).sample((1000,))).mean().item()
estimates = {"score function": one_draw_estimates("score"),
             "score - baseline": one_draw_estimates("score", baseline),
             "reparameterization": one_draw_estimates("reparameterization")}

print(f"exact gradient: d/dmu = {exact[0]:.3f}, d/dsigma = {exact[1]:.3f}   (baseline b = {baseline:.3f})")
print(f"{'estimator':>20} {'mean d/dmu':>11} {'var d/dmu':>10} {'mean d/dsig':>12} {'var d/dsig':>10}")
stats = {}
for name, (g_mu, g_sigma) in estimates.items():
    stats[name] = (g_mu.mean(), g_mu.var(), g_sigma.mean(), g_sigma.var())
    print(f"{name:>20} {stats[name][0]:11.4f} {stats[name][1]:10.3f} {stats[name][2]:12.4f} {stats[name][3]:10.3f}")

var_score_theory = MU ** 4 / SIGMA ** 2 + 14 * MU ** 2 + 15 * SIGMA ** 2
var_reparam_theory = 4 * SIGMA ** 2
var_reparam_sigma_theory = 4 * MU ** 2 + 8 * SIGMA ** 2
ratio = stats["score function"][1] / stats["reparameterization"][1]
print(f"variance of the d/dmu estimates, theory: score {var_score_theory:.2f}, reparameterization "
      f"{var_reparam_theory:.2f}; measured ratio {ratio:.0f}x")

# %% [markdown]
# All three are **unbiased**: their means agree with $(2\mu, 2\sigma) = (3, 1)$ to within the sampling noise.
# They differ in **variance** — for $\mu$ the score function's is about fifty times the reparameterization's,
# and variance is what costs: to average the noise down to the same level, an estimator with 50× the variance
# needs 50× the draws (the standard error shrinks like $\sqrt{\text{variance}/n}$). The reparameterized
# estimate uses $f'$, *how* $f$ changes near the draw; the score function only sees the value $f(z)$ and must
# work out the direction from which draws happened to score well. A baseline $b \approx \mathbb{E}[f]$ helps
# (it is subtracted from $f$ before multiplying by the score, which has mean zero, so the average is
# unchanged), but here it still leaves the score function far behind.
#
# The picture: histograms of the 100 000 one-draw estimates of $\partial/\partial\mu$, on one common x-axis,
# each scaled to its own tallest bar, from -5 to 30 with a light grey line every 5 units (the few estimates
# beyond the ends are piled into the end bars). Orange: score function; green: score function with baseline;
# blue: reparameterization. The black line is the exact gradient, 3.
#
# The shapes tell more than the variances. The reparameterized estimates are a narrow bell around 3. The
# score function's are lopsided: most single draws give a small value *below* 3, and a long tail of rare,
# large ones pulls the average up to the right answer — a few lucky draws carry the estimate, which is exactly
# what makes it noisy.

# %%
def histogram_panels(samples_per_panel, colors, lo, hi, truth, width=600, panel_height=90, bins=150):
    """One histogram per panel, stacked, on the common range [lo, hi]; a black line at x = truth."""
    canvas = np.full((len(samples_per_panel) * (panel_height + 10) + 10, width, 3), 255, np.uint8)
    edges = np.linspace(lo, hi, bins + 1)
    bar_width = width // bins

    def column(value):                                                  # x in data units -> pixel column
        return min(int(round((value - lo) / (hi - lo) * bins * bar_width)), width - 1)

    for tick in np.arange(np.ceil(lo / 5) * 5, hi + 1e-9, 5):          # a light grey line every 5 units
        canvas[:, column(tick)] = 200
    for k, (values, color) in enumerate(zip(samples_per_panel, colors)):
        counts, _ = np.histogram(np.clip(values, lo, hi), edges)       # out-of-range values pile up at the ends
        bottom = (k + 1) * (panel_height + 10)                          # the bars stand on this row
        heights = np.round(counts / counts.max() * (panel_height - 5)).astype(int)
        for b, h in enumerate(heights):
            canvas[bottom - h:bottom, b * bar_width:(b + 1) * bar_width - 1] = color
        canvas[bottom, :] = 0                                           # the panel's baseline
    canvas[:, column(truth) - 1:column(truth) + 1] = 0
    return canvas


estimator_png = os.path.join(OUT, "11_gradient_estimators.png")
with open(estimator_png, "wb") as file:
    file.write(encode_png(histogram_panels([estimates[name][0] for name in estimates],
                                           [(255, 127, 14), (44, 160, 44), (31, 119, 180)],
                                           lo=-5.0, hi=30.0, truth=exact[0])))
print("wrote", estimator_png, os.path.getsize(estimator_png), "bytes")

# %% [markdown]
# ### When there is no `rsample`: discrete choices
#
# A coin flip cannot be written as a smooth function of its probability — the draw jumps from 0 to 1. So
# `Bernoulli` and `Categorical` have no `rsample` (`has_rsample` is `False`), and the score function is the
# general tool: it is the policy gradient of reinforcement learning,
# `loss = -(dist.log_prob(action) * reward).mean()`. Here the expectation is a sum of two terms, so we can check
# it exactly: for $b \sim \mathrm{Bernoulli}(\mathrm{sigmoid}(\ell))$,
# $\partial_\ell\, \mathbb{E}[f(b)] = \partial_\ell\big(p f(1) + (1-p) f(0)\big) = p(1-p)\big(f(1) - f(0)\big)$.

# %%
LOGIT, REWARD = 0.3, {0: 1.0, 1: 4.0}
ell = torchlike.full((N_DRAWS,), LOGIT, requires_grad=True)
policy = Bernoulli(logits=ell)
actions = policy.sample()
rewards = torchlike.where(actions > 0.5, REWARD[1], REWARD[0])
(rewards * policy.log_prob(actions)).sum().backward()
p_one = 1 / (1 + np.exp(-LOGIT))
bernoulli_exact = p_one * (1 - p_one) * (REWARD[1] - REWARD[0])
bernoulli_estimate, bernoulli_se = ell.grad.numpy().mean(), ell.grad.numpy().std() / np.sqrt(N_DRAWS)
print(f"Bernoulli: exact gradient {bernoulli_exact:.4f}, score-function estimate {bernoulli_estimate:.4f} "
      f"± {bernoulli_se:.4f};  has_rsample = {policy.has_rsample}")

# %% [markdown]
# ## 3. A variational autoencoder on the digits
#
# A **variational autoencoder** (VAE; Kingma & Welling, 2013) is a generative model: it learns to *draw new
# images*. It imagines each image $x$ made in two steps — first a **latent code** $z$ from a fixed prior
# $p(z) = \mathcal N(0, I)$, here a 2-vector, then the pixels from a **decoder** network, $p_\phi(x\,|\,z)$.
# Our pixels are in $[0, 1]$, and the decoder outputs one logit per pixel: a Bernoulli per pixel, whose
# log-likelihood is minus the binary cross-entropy with logits (section 1). (Grey pixels are not coin flips,
# so this "likelihood" is not normalized over $[0, 1]$; it is nevertheless the usual simple choice, and its
# best possible value for a pixel $x$ is $-H(x) = x\log x + (1-x)\log(1-x)$, reached when the decoder predicts
# exactly $x$.)
#
# Training should make $\log p(x) = \log \int p(z)\, p_\phi(x\,|\,z)\, dz$ large, but that integral is out of
# reach. An **encoder** network proposes, for each image, a distribution over the codes that could have made
# it, $q_\psi(z\,|\,x) = \mathcal N(\mu_\psi(x), \mathrm{diag}\,\sigma_\psi^2(x))$, and gives a lower bound, the
# **evidence lower bound**:
#
# $$ \log p(x) \;\ge\; \mathrm{ELBO}(x)
#    = \underbrace{\mathbb{E}_{z\sim q_\psi(z|x)}\big[\log p_\phi(x\,|\,z)\big]}_{\text{reconstruction}}
#    \;-\; \underbrace{\mathrm{KL}\big(q_\psi(z\,|\,x)\,\|\,p(z)\big)}_{\text{in closed form}}. $$
#
# The reconstruction term wants codes that let the decoder redraw $x$; the KL term keeps the codes close to
# the prior, so that codes drawn from $\mathcal N(0, I)$ later decode to plausible digits. The gap between the
# two sides is $\mathrm{KL}(q_\psi(z|x)\,\|\,p(z|x))$: maximising the ELBO also makes the encoder a good guess
# of the true posterior. We estimate the reconstruction term with **one reparameterized draw** per image —
# section 2 is why `rsample`, not the score function.
#
# ### The data and the model
#
# Both networks are small MLPs with one hidden layer of 64 ReLU units: the encoder maps 64 pixels to 4 numbers,
# $\mu$ and $\log\sigma$ for each of the 2 latent coordinates; the decoder maps a 2-vector to 64 logits.

# %%
x_train, y_train, x_test, y_test = load_digits()          # pixels already scaled from 0..16 to [0, 1]
print("train", x_train.shape, "test", x_test.shape, f"pixel range [{x_train.min()}, {x_train.max()}]")

LATENT, HIDDEN = 2, 64


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        # the encoder outputs mu and log(sigma) for each latent coordinate: log so that sigma = exp(.) > 0
        self.encoder = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2 * LATENT))
        self.decoder = nn.Sequential(nn.Linear(LATENT, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 64))

    def posterior(self, x):
        """q(z | x): a batch of Normals, batch_shape (B, LATENT)."""
        h = self.encoder(x)
        return Normal(h[:, :LATENT], h[:, LATENT:].exp())

    def forward(self, x, draws=()):
        """Per image: the one-draw reconstruction term and the KL, each of shape draws + (B,)."""
        q_z = self.posterior(x)
        z = q_z.rsample(draws)                                   # (draws..., B, LATENT), on the tape
        logits = self.decoder(z)                                 # one logit per pixel
        reconstruction = -F.binary_cross_entropy_with_logits(logits, x.expand(logits.shape),
                                                             reduction="none").sum(-1)
        kl = kl_divergence(q_z, prior).sum(-1)                   # coordinates are independent: KLs add up
        return reconstruction, kl


prior = Normal(0.0, 1.0)          # one standard Normal, broadcast against every (B, LATENT) posterior
model = VAE()
print(model)

# the KL to the prior, from the library and from the textbook formula -1/2 sum(1 + log s^2 - m^2 - s^2)
with torchlike.no_grad():
    q_check = model.posterior(torchlike.tensor(x_test[:8]))
    kl_library = kl_divergence(q_check, prior).sum(-1).numpy()
    m, s = q_check.loc.numpy(), q_check.scale.numpy()
    kl_textbook = -0.5 * np.sum(1 + np.log(s ** 2) - m ** 2 - s ** 2, axis=-1)
vae_kl_gap = float(np.abs(kl_library - kl_textbook).max())
print(f"KL to the prior, library vs textbook formula: largest difference {vae_kl_gap:.1e}")

# %% [markdown]
# Two reference numbers make the ELBO readable. The **best possible reconstruction** term,
# $-\sum_i H(x_i)$, is not 0 for grey pixels. And a **model without a code** — a decoder that ignores $z$ and
# outputs the average training image, with $q = p(z)$ so the KL is 0 — has an ELBO equal to its
# log-likelihood; a VAE whose code is worth its KL must beat it.

# %%
def bernoulli_log_likelihood(x, probs):
    probs = np.clip(probs, 1e-6, 1 - 1e-6)
    return np.sum(x * np.log(probs) + (1 - x) * np.log(1 - probs), axis=-1)


best_reconstruction = bernoulli_log_likelihood(x_test, x_test).mean()
no_code_elbo = bernoulli_log_likelihood(x_test, x_train.mean(0)).mean()
print(f"best possible reconstruction term {best_reconstruction:.2f} nats; model without a code "
      f"{no_code_elbo:.2f} nats per image")

# %% [markdown]
# ### Training, logged for TensorBoard
#
# The loss is the negative ELBO averaged over the batch, minimised with Adam. After every epoch we measure the
# ELBO on the test images, averaged over 10 draws per image so that the curve is not dominated by sampling
# noise.
#
# A `SummaryWriter` records each value with its step in an event file — the same format as chapter 7's
# `tf.summary.FileWriter`, now with PyTorch's interface (`add_scalar(tag, value, step)`). After running this
# chapter, install the viewer (`pip install tensorboard`; minidl needs it only to *view* logs) and start
#
#     tensorboard --logdir tutorials/figures/runs
#
# (or `$MINIDL_TUTORIAL_OUT/runs`), then open http://localhost:6006: the *Scalars* tab draws the curves, and
# the *Images* tab shows the reconstructions we add at the end.

# %%
EPOCHS, BATCH, LR = 40, 64, 3e-3
test_images = torchlike.tensor(x_test)


def test_elbo(draws=10):
    with torchlike.no_grad():
        reconstruction, kl = model(test_images, (draws,))
    return (reconstruction - kl).mean().item(), reconstruction.mean().item(), kl.mean().item()


run_dir = os.path.join(OUT, "runs", "11_vae")
shutil.rmtree(run_dir, ignore_errors=True)          # one event file per run of this notebook
writer = SummaryWriter(run_dir)

optimizer = optim.Adam(model.parameters(), lr=LR)
shuffle = np.random.default_rng(0)
history = [test_elbo()]                             # (ELBO, reconstruction, KL) before training
print(f"epoch  0: test ELBO {history[0][0]:7.2f} = reconstruction {history[0][1]:7.2f} - KL {history[0][2]:.2f}")
step, start = 0, time.perf_counter()
for epoch in range(1, EPOCHS + 1):
    for idx in np.array_split(shuffle.permutation(len(x_train)), len(x_train) // BATCH):
        reconstruction, kl = model(torchlike.tensor(x_train[idx]))
        loss = (kl - reconstruction).mean()         # the negative ELBO
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        writer.add_scalar("train/negative_elbo", loss.item(), step)
        step += 1
    history.append(test_elbo())
    for tag, value in zip(("elbo", "reconstruction", "kl"), history[-1]):
        writer.add_scalar(f"test/{tag}", value, epoch)
    if epoch % 10 == 0:
        print(f"epoch {epoch:2}: test ELBO {history[-1][0]:7.2f} = reconstruction {history[-1][1]:7.2f} "
              f"- KL {history[-1][2]:.2f}")
train_seconds = time.perf_counter() - start
print(f"{step} steps in {train_seconds:.1f} s")

# %% [markdown]
# The ELBO rose by about 20 nats per image, past the model without a code: the 2-D code is worth its KL cost of
# about 2 nats. Is each latent coordinate in use? A coordinate the model ignores collapses onto the prior,
# $q(z_j|x) = p(z_j)$ for every image, and then its KL is 0.

# %%
with torchlike.no_grad():
    q_test = model.posterior(test_images)
    kl_per_coordinate = kl_divergence(q_test, prior).mean(0).numpy()
print("average KL per latent coordinate:", kl_per_coordinate.round(3))

# %% [markdown]
# ### How tight is the bound?
#
# The ELBO is a lower bound on $\log p(x)$. A sharper estimate of $\log p(x)$ itself comes from **importance
# sampling**: draw $K$ codes $z_k$ from the encoder and average the ratios $p(z_k)\,p_\phi(x|z_k) /
# q_\psi(z_k|x)$, whose expectation is exactly $p(x)$:
#
# $$ \log p(x) \approx \log \frac1K \sum_{k=1}^{K}
#    \exp\big(\log p(z_k) + \log p_\phi(x\,|\,z_k) - \log q_\psi(z_k\,|\,x)\big). $$
#
# Its expected value is still a lower bound, but one that tightens as $K$ grows (Burda et al., 2015); with
# $K = 1$ it is the ELBO. Every term is a `log_prob` — of the prior, of the encoder's Normal (summed over the
# coordinates with `Independent`) and of the decoder's Bernoulli (summed over the 64 pixels). The Bernoulli
# needs `validate_args=False`: by default `log_prob` checks that each value lies in the support, $\{0, 1\}$,
# and refuses our grey pixels with a `ValueError` — a reminder that we stretched the model a little.

# %%
K = 200
with torchlike.no_grad():
    q_vector = Independent(q_test, 1)                        # one distribution over 2-vectors per image
    codes = q_vector.sample((K,))                            # (K, 359, 2)
    # validate_args=False: a Bernoulli checks that values are 0 or 1, and ours are grey (see above)
    decoded = Independent(Bernoulli(logits=model.decoder(codes), validate_args=False), 1)
    log_weights = (Independent(prior.expand((len(x_test), LATENT)), 1).log_prob(codes)
                   + decoded.log_prob(test_images.expand(K, len(x_test), 64)) - q_vector.log_prob(codes))
    log_px = (torchlike.logsumexp(log_weights, 0) - np.log(K)).mean().item()
    elbo_from_weights = log_weights.mean().item()            # the same draws, averaged instead: the ELBO
final_elbo = history[-1][0]
print(f"ELBO {final_elbo:.2f} (from the K draws: {elbo_from_weights:.2f}),  importance-sampled log p(x) "
      f"with K = {K}: {log_px:.2f} nats per image")

# %% [markdown]
# The importance-sampled estimate lies a few tenths of a nat above the ELBO. It is itself still a lower bound,
# so the true gap $\mathrm{KL}(q_\psi(z|x)\,\|\,p(z|x))$ may be somewhat larger — but as far as 200 draws per
# image can tell, it is small: the encoder's Normal describes well which codes could have produced each image.

# %% [markdown]
# ### Pictures: reconstructions, samples, and the latent plane
#
# Three pictures, laid out by `image_grid` (dark ink on white paper, each pixel drawn as a 4×4 block) and
# written as PNG files with `encode_png`. The decoder's output for a code is a Bernoulli per pixel; we draw its
# **mean**, the probabilities $\mathrm{sigmoid}(\text{logits})$, rather than random 0/1 pixels.
#
# * `11_vae_reconstructions.png`: test digits (odd rows) and their reconstructions (even rows), decoded from
#   the posterior mean $\mu_\psi(x)$;
# * `11_vae_samples.png`: new digits, decoded from codes drawn from the prior $\mathcal N(0, I)$;
# * `11_vae_latent_grid.png`: the whole latent plane, decoded on a 12×12 grid of codes. The grid is evenly
#   spaced in *probability*, not in $z$: each coordinate runs through the prior's quantiles 4 %, 12 %, …, 96 %
#   (`Normal.icdf`), so each cell covers the same share of the prior.

# %%
def decode(codes):
    with torchlike.no_grad():
        return torchlike.sigmoid(model.decoder(torchlike.tensor(np.asarray(codes, np.float32)))).numpy()


COLUMNS = 16
originals = x_test[:2 * COLUMNS]
reconstructed = decode(q_test.loc.numpy()[:2 * COLUMNS])
rows = [originals[:COLUMNS], reconstructed[:COLUMNS], originals[COLUMNS:], reconstructed[COLUMNS:]]
reconstruction_picture = image_grid(np.concatenate(rows), COLUMNS)

samples = decode(prior.sample((64, LATENT)).numpy())
samples_picture = image_grid(samples, 16)

quantiles = torchlike.tensor((np.arange(12) + 0.5) / 12)
grid_values = prior.icdf(quantiles).numpy()
plane = np.array([[z1, z2] for z2 in grid_values[::-1] for z1 in grid_values])   # z2 upwards, like a plot
latent_picture = image_grid(decode(plane), 12)

pictures = {}
for name, picture in (("11_vae_reconstructions", reconstruction_picture), ("11_vae_samples", samples_picture),
                      ("11_vae_latent_grid", latent_picture)):
    pictures[name] = os.path.join(OUT, name + ".png")
    with open(pictures[name], "wb") as file:
        file.write(encode_png(picture))
    print("wrote", pictures[name], picture.shape, os.path.getsize(pictures[name]), "bytes")

writer.add_image("reconstructions", reconstruction_picture, EPOCHS, dataformats="HWC")
writer.close()

# %% [markdown]
# With a 2-D code, the pictures are blurry prototypes rather than crisp digits: two numbers per image cannot
# hold much (the average KL, about 2 nats, bounds the information a code carries about its image: roughly that
# of picking one of $e^2 \approx 7$ equally likely options). The latent grid shows what the
# model did with them — neighbouring codes decode to similar shapes, and one digit morphs into the next across
# the plane. A larger `LATENT` gives sharper reconstructions at a higher KL, but no longer fits on a page.
#
# ## Summary
#
# * A distribution object bundles parameters with `sample`, `rsample`, `log_prob`, `entropy` and
#   `kl_divergence`; `batch_shape` counts independent distributions, `event_shape` is the shape of one draw, and
#   `Independent` turns batch dims into event dims (summing the log-densities).
# * The losses of earlier chapters were log-likelihoods all along: binary cross-entropy is a Bernoulli's, cross
#   entropy a Categorical's.
# * The gradient of an expectation has two unbiased estimators. The **score function**
#   $f(z)\,\nabla\log q(z)$ works for any distribution and any $f$, at the price of high variance (baselines
#   reduce it). The **reparameterization trick** (`rsample`) moves the randomness into parameter-free noise
#   and backpropagates through the draw — far lower variance, for continuous distributions and differentiable
#   $f$.
# * A VAE maximises the ELBO $= \mathbb{E}_q[\log p(x|z)] - \mathrm{KL}(q\,\|\,p)$: an encoder's Normal,
#   a reparameterized draw, a decoder's Bernoulli, and the KL in closed form. Importance sampling tightens the
#   bound into an estimate of $\log p(x)$.
# * `SummaryWriter` logs curves and images for TensorBoard (`tensorboard --logdir <folder>`).
#
# ## Checks

# %%
# 1. distributions: formulas, shapes and frequencies
assert tuple(draws.shape) == (20000, 3) and tuple(normal.batch_shape) == (3,) and tuple(normal.event_shape) == ()
assert log_prob_gap < 1e-5 and independent_gap < 1e-5
assert np.allclose(draws.mean(0).numpy(), loc.numpy(), atol=0.05)
assert np.allclose(draws.std(0).numpy(), scale.numpy(), rtol=0.03)
assert np.allclose(entropy_mc, entropy_exact, atol=0.03)
assert tuple(vector_normal.batch_shape) == () and tuple(vector_normal.event_shape) == (3,)
assert np.allclose(flips.mean(0).numpy(), coin.probs.numpy(), atol=0.015) and bernoulli_gap < 1e-6
assert np.allclose(frequencies, die.probs.numpy(), atol=0.01) and categorical_gap < 1e-6
assert tuple(classifier.batch_shape) == (3,) and tuple(rolls.shape) == (40000,)
# the KL formula agrees with its definition, estimated by Monte Carlo, to within 4 standard errors
assert abs(kl_closed - by_formula) < 1e-6 and abs(kl_closed - kl_mc) < 4 * kl_se, (kl_closed, kl_mc, kl_se)
assert kl_cat_gap < 1e-6 and abs(kl_divergence(q, p).item() - kl_closed) > 0.1

# 2. gradient estimators: all unbiased (within 4 standard errors of the exact gradient) ...
for name, (g_mu, g_sigma) in estimates.items():
    for values, truth in ((g_mu, exact[0]), (g_sigma, exact[1])):
        assert abs(values.mean() - truth) < 4 * values.std() / np.sqrt(N_DRAWS), (name, values.mean(), truth)
# ... with the variances the formulas predict, and the reparameterization trick far ahead
assert abs(stats["reparameterization"][1] / var_reparam_theory - 1) < 0.05
assert abs(stats["reparameterization"][3] / var_reparam_sigma_theory - 1) < 0.05
assert abs(stats["score function"][1] / var_score_theory - 1) < 0.15, (stats["score function"][1], var_score_theory)
assert ratio > 20
# a baseline lowers the score function's variance for both parameters, without reaching the reparameterization
assert stats["score - baseline"][1] < stats["score function"][1]
assert stats["score - baseline"][3] < stats["score function"][3]
assert stats["reparameterization"][3] < stats["score - baseline"][3]
assert abs(bernoulli_estimate - bernoulli_exact) < 4 * bernoulli_se and not policy.has_rsample

# 3. the VAE: the KL matches the textbook formula, the ELBO improved well past the model without a code
assert vae_kl_gap < 1e-4
assert history[0][0] < -40 and final_elbo > history[0][0] + 15, (history[0], history[-1])
assert final_elbo > no_code_elbo + 1.0, (final_elbo, no_code_elbo)
assert best_reconstruction > history[-1][1]            # no model beats the data's own entropy
assert np.all(kl_per_coordinate > 0.3), kl_per_coordinate   # both latent coordinates carry information
assert log_px > final_elbo and abs(elbo_from_weights - final_elbo) < 0.5   # importance sampling tightens it
assert log_px < best_reconstruction + 5

# the TensorBoard log: one event file holding the file version, one loss per step, three values per epoch and
# the image; the last test ELBO is in it as a protobuf float (field 2, wire type 5: the key byte 0x15)
(event_name,) = os.listdir(run_dir)
with open(os.path.join(run_dir, event_name), "rb") as file:
    events = file.read()
records, at = 0, 0
while at < len(events):
    at += 8 + 4 + struct.unpack("<Q", events[at:at + 8])[0] + 4
    records += 1
assert event_name.startswith("events.out.tfevents.") and records == 1 + step + 3 * EPOCHS + 1, records
assert b"test/elbo" in events and b"\x15" + struct.pack("<f", final_elbo) in events

# the pictures are PNG files of the sizes we drew
for name, picture in (("11_vae_reconstructions", reconstruction_picture), ("11_vae_samples", samples_picture),
                      ("11_vae_latent_grid", latent_picture)):
    with open(pictures[name], "rb") as file:
        png = file.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == picture.shape[1::-1]
assert os.path.getsize(estimator_png) > 100
print("chapter 11: all checks passed")
