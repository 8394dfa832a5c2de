#!/usr/bin/env python3
"""PyTorch / JAX peers of OptBench's `cnn`, `transformer` and `tsp` workloads.

Usage:
  python peer_bench.py --framework {torch_eager,torch_channels_last,torch_compiled,jax} \
      --model {cnn,transformer,tsp} --mode {train,forward} --threads N --calls 10

Prints one line:
  RESULT <framework> <model> <mode> <threads> <min_ms> <median_ms> <params>

train   = loss and gradient of one fixed batch (no optimizer update);
forward = the loss alone, no gradient (for tsp: the sampled rollouts, tour lengths and
          REINFORCE surrogate), as OptBench's `optbench perf` "fwd ms" column times
          `workload.loss`.
The batch is random, drawn once and reused for every call. See README.md beside this file.
"""

import argparse
import os
import statistics
import sys
import time

FRAMEWORKS = ("torch_eager", "torch_channels_last", "torch_compiled", "jax")
MODELS = ("cnn", "transformer", "tsp")
MODES = ("train", "forward")

# Shapes of the OptBench workloads (workloads/{cnn,transformer,tsp}.json, base specs).
CNN = dict(batch=128, image=32, width=32, stem_stride=2, stages=3, blocks=1, classes=10)
TRANSFORMER = dict(batch=16, length=64, vocab=16, d=64, heads=4, layers=2, mlp_ratio=4)
TSP = dict(batch=32, cities=20, d=64, heads=4, layers=2, ff=128, clip=10.0)
EXPECTED_PARAMS = dict(cnn=482_058, transformer=106_256, tsp=83_648)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--framework", required=True, choices=FRAMEWORKS)
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--mode", required=True, choices=MODES)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--calls", type=int, default=10, help="timed calls (default 10)")
    p.add_argument("--warmup", type=int, default=3, help="untimed calls after compilation (default 3)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--compile-mode", default="default", help="torch.compile mode (torch_compiled only)")
    p.add_argument("--show-threads", action="store_true",
                   help="print the process's thread names (to stderr) after timing")
    a = p.parse_args()
    if a.threads < 1 or a.calls < 1 or a.warmup < 0:
        p.error("--threads and --calls must be >= 1, --warmup >= 0")
    if a.framework == "torch_channels_last" and a.model != "cnn":
        p.error("torch_channels_last applies to the cnn only (use torch_eager for %s)" % a.model)
    return a


def set_thread_env(n):
    """Environment read at import time by OpenMP / MKL / OpenBLAS / XLA: must run first."""
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
              "NUMEXPR_NUM_THREADS"):
        os.environ[k] = str(n)
    # XLA:CPU sizes its intra-op (Eigen) and client thread pools from PJRT_NPROC/NPROC when set,
    # else from the number of schedulable CPUs (xla/pjrt/cpu: DefaultThreadPoolSize).
    os.environ["PJRT_NPROC"] = str(n)
    os.environ["NPROC"] = str(n)
    flags = os.environ.get("XLA_FLAGS", "")
    if n == 1 and "xla_cpu_multi_thread_eigen" not in flags:
        # One thread: keep Eigen's matmuls and convolutions on the calling thread.
        flags = (flags + " --xla_cpu_multi_thread_eigen=false").strip()
    os.environ["XLA_FLAGS"] = flags
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    # Inductor's compile workers only matter while compiling (untimed); keep them off the cores.
    os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")


def thread_names():
    names = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open("/proc/self/task/%s/comm" % tid) as f:
                name = f.read().strip()
        except OSError:
            continue
        names[name] = names.get(name, 0) + 1
    return names


def time_calls(fn, calls, warmup, sync=lambda r: r):
    for _ in range(warmup):
        sync(fn())
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        sync(fn())
        times.append((time.perf_counter() - t0) * 1e3)
    return min(times), statistics.median(times)


# --------------------------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------------------------

def torch_models(torch):
    nn = torch.nn
    F = torch.nn.functional

    class ResidualBlock(nn.Module):
        """x -> act(x + conv2(act(conv1(x)))), conv2 zero-initialised (no normalisation)."""

        def __init__(self, c):
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1)
            nn.init.kaiming_normal_(self.conv1.weight, nonlinearity="relu")
            nn.init.zeros_(self.conv1.bias)
            nn.init.zeros_(self.conv2.weight)
            nn.init.zeros_(self.conv2.bias)

        def forward(self, x):
            return F.relu(x + self.conv2(F.relu(self.conv1(x))))

    class TorchCNN(nn.Module):
        """OptBench CNNModel: stem conv3x3/2 (3->32), stage1 block(32), down conv3x3/2 (32->64),
        block(64), down conv3x3/2 (64->128), block(128), global average pool, linear(128->10)."""

        def __init__(self, s=CNN):
            super().__init__()
            layers = []
            c = s["width"]
            stem = nn.Conv2d(3, c, 3, stride=s["stem_stride"], padding=1)
            layers += [stem, nn.ReLU()]
            for stage in range(1, s["stages"] + 1):
                if stage > 1:
                    layers += [nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), nn.ReLU()]
                    c *= 2
                for _ in range(s["blocks"]):
                    layers.append(ResidualBlock(c))
            self.features = nn.Sequential(*layers)
            self.head = nn.Linear(c, s["classes"])
            for m in self.features:
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                    nn.init.zeros_(m.bias)
            nn.init.normal_(self.head.weight, std=c ** -0.5)
            nn.init.zeros_(self.head.bias)

        def forward(self, x):
            return self.head(self.features(x).mean(dim=(2, 3)))

    class SelfAttention(nn.Module):
        """Separate query/key/value/output projections with biases (as NN.SelfAttention)."""

        def __init__(self, d, heads, causal):
            super().__init__()
            self.heads, self.causal = heads, causal
            self.query, self.key, self.value, self.output = (nn.Linear(d, d) for _ in range(4))
            for lin in (self.query, self.key, self.value, self.output):
                nn.init.xavier_uniform_(lin.weight)
                nn.init.zeros_(lin.bias)

        def forward(self, x):
            b, t, d = x.shape
            h = self.heads

            def split(y):
                return y.view(b, t, h, d // h).transpose(1, 2)

            y = F.scaled_dot_product_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)),
                                               is_causal=self.causal)
            return self.output(y.transpose(1, 2).reshape(b, t, d))

    class PreLNBlock(nn.Module):
        """x += Attn(LN1(x)); x += W2 GELU_tanh(W1 LN2(x))."""

        def __init__(self, d, heads, hidden, causal):
            super().__init__()
            self.norm1 = nn.LayerNorm(d, eps=1e-5)
            self.attention = SelfAttention(d, heads, causal)
            self.norm2 = nn.LayerNorm(d, eps=1e-5)
            self.mlp_in = nn.Linear(d, hidden)
            self.mlp_out = nn.Linear(hidden, d)
            nn.init.kaiming_uniform_(self.mlp_in.weight, nonlinearity="relu")
            nn.init.zeros_(self.mlp_in.bias)
            nn.init.normal_(self.mlp_out.weight, std=hidden ** -0.5)
            nn.init.zeros_(self.mlp_out.bias)

        def forward(self, x):
            x = x + self.attention(self.norm1(x))
            return x + self.mlp_out(F.gelu(self.mlp_in(self.norm2(x)), approximate="tanh"))

    class TorchTransformer(nn.Module):
        """OptBench TransformerModel (pre-LN, gelu MLP): token embedding + learned positions,
        2 causal blocks, final LayerNorm, untied linear head to 16 logits."""

        def __init__(self, s=TRANSFORMER):
            super().__init__()
            d = s["d"]
            self.embedding = nn.Embedding(s["vocab"], d)
            self.positions = nn.Parameter(torch.randn(s["length"], d) * d ** -0.5)
            nn.init.normal_(self.embedding.weight, std=d ** -0.5)
            self.blocks = nn.ModuleList(
                PreLNBlock(d, s["heads"], s["mlp_ratio"] * d, causal=True) for _ in range(s["layers"]))
            self.final_norm = nn.LayerNorm(d, eps=1e-5)
            self.head = nn.Linear(d, s["vocab"])
            nn.init.normal_(self.head.weight, std=0.02)
            nn.init.zeros_(self.head.bias)

        def forward(self, tokens):
            x = self.embedding(tokens) + self.positions[: tokens.shape[1]]
            for block in self.blocks:
                x = block(x)
            return self.head(self.final_norm(x))

    class TorchTSPPolicy(nn.Module):
        """OptBench TSPPolicy: AttentionSetEncoder (embed 2->64, 2 pre-LN unmasked layers, FF 128,
        GELU, final LN) and a single-head pointer decoder q = Wg mean(h) + Wf h_first + Wc h_cur,
        u_j = C tanh(q.k_j / sqrt d) over unvisited cities; POMO rollouts from every start city."""

        def __init__(self, s=TSP):
            super().__init__()
            d = s["d"]
            self.d, self.clip = d, s["clip"]
            self.embed = nn.Linear(2, d)
            self.layers = nn.ModuleList(PreLNBlock(d, s["heads"], s["ff"], causal=False) for _ in range(s["layers"]))
            self.final_norm = nn.LayerNorm(d, eps=1e-5)
            self.graph, self.first, self.current, self.key = (
                nn.Parameter(torch.randn(d, d) * d ** -0.5) for _ in range(4))

        def forward(self, coords, gumbel):
            """coords [B, n, 2]; gumbel [n-2, B, n, n] fixed noise (Gumbel-max sampling).
            Returns (surrogate J, log-prob sum per rollout [B, n], tour lengths [B, n])."""
            B, n, _ = coords.shape
            d = self.d
            h = self.embed(coords)
            for layer in self.layers:
                h = layer(h)
            h = self.final_norm(h)  # [B, n, d]
            graph = h.mean(dim=1) @ self.graph.t()  # [B, d]
            keys = h @ self.key.t()
            firsts = h @ self.first.t()  # rollout s starts at city s
            currents = h @ self.current.t()
            base = graph[:, None, :] + firsts  # [B, n(rollouts), d]
            keys_t = keys.transpose(1, 2) * d ** -0.5  # [B, d, n]
            start = torch.arange(n, device=coords.device)
            visited = torch.eye(n, dtype=torch.bool, device=coords.device).expand(B, n, n)
            current = start.expand(B, n)
            cols = [current]
            logp = coords.new_zeros(B, n)
            for t in range(n - 2):
                cur = torch.gather(currents, 1, current[..., None].expand(B, n, d))
                scores = torch.bmm(base + cur, keys_t)  # [B, n, n]
                if self.clip > 0:
                    scores = self.clip * torch.tanh(scores)
                scores = scores.masked_fill(visited, float("-inf"))
                logprobs = torch.log_softmax(scores, dim=-1)
                action = torch.argmax(logprobs.detach() + gumbel[t], dim=-1)  # [B, n]
                logp = logp + torch.gather(logprobs, 2, action[..., None]).squeeze(-1)
                visited = visited | (start == action[..., None])
                current = action
                cols.append(action)
            # the last city is forced: the one city not yet in the tour
            cols.append(n * (n - 1) // 2 - torch.stack(cols, dim=-1).sum(-1))
            tours = torch.stack(cols, dim=-1)  # [B, n, n]
            with torch.no_grad():
                xy = torch.gather(coords[:, None].expand(B, n, n, 2), 2, tours[..., None].expand(B, n, n, 2))
                lengths = (xy - xy.roll(-1, dims=2)).norm(dim=-1).sum(-1)  # [B, n]
                coeff = (lengths - lengths.mean(dim=1, keepdim=True)) / (B * n)  # POMO shared baseline
            return (coeff * logp).sum(), logp, lengths

    return TorchCNN, TorchTransformer, TorchTSPPolicy


def run_torch(a):
    import torch
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    F = torch.nn.functional
    CNNm, Transformerm, TSPm = torch_models(torch)

    if a.model == "cnn":
        model = CNNm()
        x = torch.randn(CNN["batch"], 3, CNN["image"], CNN["image"])
        y = torch.randint(0, CNN["classes"], (CNN["batch"],))
        if a.framework == "torch_channels_last":
            model = model.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)

        def loss_fn():
            return F.cross_entropy(model(x), y)
    elif a.model == "transformer":
        model = Transformerm()
        tokens = torch.randint(0, TRANSFORMER["vocab"], (TRANSFORMER["batch"], TRANSFORMER["length"] + 1))
        inputs, targets = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()

        def loss_fn():
            logits = model(inputs)
            return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    else:
        model = TSPm()
        n = TSP["cities"]
        coords = torch.rand(TSP["batch"], n, 2)
        u = torch.rand(n - 2, TSP["batch"], n, n).clamp_min(1e-20)
        gumbel = -torch.log(-torch.log(u))

        def loss_fn():
            return model(coords, gumbel)[0]

    params = sum(p.numel() for p in model.parameters())
    if a.framework == "torch_compiled":
        loss_fn = torch.compile(loss_fn, mode=None if a.compile_mode == "default" else a.compile_mode)

    if a.mode == "train":
        plist = list(model.parameters())

        def call():
            for p in plist:
                p.grad = None
            loss = loss_fn()
            loss.backward()
            return loss
    else:
        def call():
            with torch.no_grad():
                return loss_fn()

    call()  # compiles (torch_compiled) / first-touch allocation, untimed
    mn, md = time_calls(call, a.calls, a.warmup)
    return mn, md, params


# --------------------------------------------------------------------------------------------
# JAX
# --------------------------------------------------------------------------------------------

def jax_setup(model, seed):
    """(params, loss_fn, data) of `model` in JAX; loss_fn(params, *data) -> scalar."""
    import numpy as np
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(seed)

    def normal(shape, std):
        return jnp.asarray(rng.standard_normal(shape, dtype=np.float32) * np.float32(std))

    def uniform(shape, limit):
        return jnp.asarray(rng.uniform(-limit, limit, size=shape).astype(np.float32))

    zeros = lambda *s: jnp.zeros(s, jnp.float32)
    ones = lambda *s: jnp.ones(s, jnp.float32)

    def linear_init(i, o, kind):
        if kind == "glorot":
            w = uniform((i, o), (6.0 / (i + o)) ** 0.5)
        elif kind == "he_uniform":
            w = uniform((i, o), (6.0 / i) ** 0.5)
        else:  # lecun normal
            w = normal((i, o), i ** -0.5)
        return {"w": w, "b": zeros(o)}  # stored [in, out]: y = x @ w + b

    def dense(p, x):
        return x @ p["w"] + p["b"]

    def layer_norm(p, x, eps=1e-5):
        mean = x.mean(-1, keepdims=True)
        var = jnp.square(x - mean).mean(-1, keepdims=True)
        return (x - mean) * jax.lax.rsqrt(var + eps) * p["g"] + p["b"]

    def ln_init(d):
        return {"g": ones(d), "b": zeros(d)}

    def attention(p, x, heads, causal):
        b, t, d = x.shape
        dh = d // heads
        split = lambda y: y.reshape(b, t, heads, dh)
        q, k, v = split(dense(p["q"], x)), split(dense(p["k"], x)), split(dense(p["v"], x))
        s = jnp.einsum("bqhc,bkhc->bhqk", q, k) * (dh ** -0.5)
        if causal:
            s = jnp.where(jnp.tril(jnp.ones((t, t), bool)), s, -jnp.inf)
        pr = jax.nn.softmax(s, axis=-1)
        y = jnp.einsum("bhqk,bkhc->bqhc", pr, v).reshape(b, t, d)
        return dense(p["o"], y)

    def block_init(d, hidden):
        return {"n1": ln_init(d), "n2": ln_init(d),
                "att": {k: linear_init(d, d, "glorot") for k in ("q", "k", "v", "o")},
                "in": linear_init(d, hidden, "he_uniform"), "out": linear_init(hidden, d, "lecun")}

    def block(p, x, heads, causal):
        x = x + attention(p["att"], layer_norm(p["n1"], x), heads, causal)
        return x + dense(p["out"], jax.nn.gelu(dense(p["in"], layer_norm(p["n2"], x)), approximate=True))

    if model == "cnn":
        # NHWC activations, HWIO kernels (XLA:CPU's preferred layout).
        s = CNN
        convs = []  # (name, cin, cout, stride)
        c = s["width"]
        convs.append(("stem", 3, c, s["stem_stride"]))
        plan = []  # sequence of ("conv", idx) / ("block", idx1, idx2)
        plan.append(("conv", 0))
        for stage in range(1, s["stages"] + 1):
            if stage > 1:
                convs.append(("down%d" % stage, c, 2 * c, 2))
                plan.append(("conv", len(convs) - 1))
                c *= 2
            for _ in range(s["blocks"]):
                convs.append(("b1", c, c, 1))
                convs.append(("b2", c, c, 1))
                plan.append(("block", len(convs) - 2, len(convs) - 1))
        params = {"convs": [], "head": {"w": normal((c, s["classes"]), c ** -0.5), "b": zeros(s["classes"])}}
        for name, ci, co, _ in convs:
            w = zeros(3, 3, ci, co) if name == "b2" else normal((3, 3, ci, co), (2.0 / (9 * ci)) ** 0.5)
            params["convs"].append({"w": w, "b": zeros(co)})
        strides = [st for _, _, _, st in convs]

        def conv(p, x, stride):
            y = jax.lax.conv_general_dilated(x, p["w"], (stride, stride), ((1, 1), (1, 1)),
                                             dimension_numbers=("NHWC", "HWIO", "NHWC"))
            return y + p["b"]

        def forward(p, x):
            for step in plan:
                if step[0] == "conv":
                    i = step[1]
                    x = jax.nn.relu(conv(p["convs"][i], x, strides[i]))
                else:
                    i, j = step[1], step[2]
                    x = jax.nn.relu(x + conv(p["convs"][j], jax.nn.relu(conv(p["convs"][i], x, 1)), 1))
            return dense(p["head"], x.mean(axis=(1, 2)))

        x = normal((s["batch"], s["image"], s["image"], 3), 1.0)
        y = jnp.asarray(rng.integers(0, s["classes"], s["batch"]))

        def loss_fn(p, x, y):
            logits = forward(p, x)
            return -jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1).mean()

        data = (x, y)
    elif model == "transformer":
        s = TRANSFORMER
        d = s["d"]
        params = {"emb": normal((s["vocab"], d), d ** -0.5), "pos": normal((s["length"], d), d ** -0.5),
                  "blocks": [block_init(d, s["mlp_ratio"] * d) for _ in range(s["layers"])],
                  "final": ln_init(d), "head": {"w": normal((d, s["vocab"]), 0.02), "b": zeros(s["vocab"])}}
        tokens = jnp.asarray(rng.integers(0, s["vocab"], (s["batch"], s["length"] + 1)), dtype=jnp.int32)
        inputs, targets = tokens[:, :-1], tokens[:, 1:]

        def loss_fn(p, inputs, targets):
            x = p["emb"][inputs] + p["pos"][: inputs.shape[1]]
            for bp in p["blocks"]:
                x = block(bp, x, s["heads"], True)
            logits = dense(p["head"], layer_norm(p["final"], x))
            lp = jax.nn.log_softmax(logits)
            return -jnp.take_along_axis(lp, targets[..., None], axis=-1).mean()

        data = (inputs, targets)
    else:
        s = TSP
        d, n, B = s["d"], s["cities"], s["batch"]
        params = {"embed": linear_init(2, d, "he_uniform"),
                  "layers": [block_init(d, s["ff"]) for _ in range(s["layers"])],
                  "final": ln_init(d),
                  # decoder matrices stored [in, out] (transposes of OptBench's [out, in])
                  "graph": normal((d, d), d ** -0.5), "first": normal((d, d), d ** -0.5),
                  "current": normal((d, d), d ** -0.5), "key": normal((d, d), d ** -0.5)}
        coords = jnp.asarray(rng.random((B, n, 2), dtype=np.float32))
        u = np.maximum(rng.random((n - 2, B, n, n), dtype=np.float32), np.float32(1e-20))
        gumbel = jnp.asarray(-np.log(-np.log(u)))
        clip = s["clip"]

        def rollouts(p, coords, gumbel):
            h = dense(p["embed"], coords)
            for lp in p["layers"]:
                h = block(lp, h, s["heads"], False)
            h = layer_norm(p["final"], h)  # [B, n, d]
            graph = h.mean(axis=1) @ p["graph"]
            keys = h @ p["key"]
            firsts = h @ p["first"]
            currents = h @ p["current"]
            base = graph[:, None, :] + firsts
            keys_t = jnp.swapaxes(keys, 1, 2) * (d ** -0.5)
            visited = jnp.broadcast_to(jnp.eye(n, dtype=bool), (B, n, n))
            current = jnp.broadcast_to(jnp.arange(n), (B, n))
            cols = [current]
            logp = jnp.zeros((B, n), jnp.float32)
            for t in range(n - 2):
                cur = jnp.take_along_axis(currents, current[..., None], axis=1)
                scores = jnp.matmul(base + cur, keys_t)
                if clip > 0:
                    scores = clip * jnp.tanh(scores)
                scores = jnp.where(visited, -jnp.inf, scores)
                logprobs = jax.nn.log_softmax(scores, axis=-1)
                action = jnp.argmax(jax.lax.stop_gradient(logprobs) + gumbel[t], axis=-1)
                logp = logp + jnp.take_along_axis(logprobs, action[..., None], axis=2)[..., 0]
                visited = visited | jax.nn.one_hot(action, n, dtype=bool)
                current = action
                cols.append(action)
            # the last city is forced: the one city not yet in the tour
            cols.append(n * (n - 1) // 2 - jnp.stack(cols, axis=-1).sum(-1))
            tours = jnp.stack(cols, axis=-1)  # [B, n, n]
            xy = jnp.take_along_axis(jnp.broadcast_to(coords[:, None], (B, n, n, 2)), tours[..., None], axis=2)
            lengths = jnp.sqrt(jnp.square(xy - jnp.roll(xy, -1, axis=2)).sum(-1)).sum(-1)
            lengths = jax.lax.stop_gradient(lengths)
            coeff = (lengths - lengths.mean(axis=1, keepdims=True)) / (B * n)  # POMO shared baseline
            return (coeff * logp).sum(), (logp, lengths)

        def loss_fn(p, coords, gumbel):
            return rollouts(p, coords, gumbel)[0]

        data = (coords, gumbel)

    return params, loss_fn, data


def run_jax(a):
    import numpy as np
    import jax

    params, loss_fn, data = jax_setup(a.model, a.seed)
    nparams = sum(int(np.prod(l.shape)) for l in jax.tree_util.tree_leaves(params))
    if a.mode == "train":
        fn = jax.jit(jax.value_and_grad(loss_fn))
    else:
        fn = jax.jit(loss_fn)

    def call():
        return fn(params, *data)

    jax.block_until_ready(call())  # compile, untimed
    mn, md = time_calls(call, a.calls, a.warmup, sync=jax.block_until_ready)
    return mn, md, nparams


def main():
    a = parse_args()
    set_thread_env(a.threads)
    if a.framework == "jax":
        mn, md, params = run_jax(a)
    else:
        mn, md, params = run_torch(a)
    if params != EXPECTED_PARAMS[a.model]:
        print("warning: %d parameters, OptBench's %s has %d" % (params, a.model, EXPECTED_PARAMS[a.model]),
              file=sys.stderr)
    if a.show_threads:
        print("threads: %s" % sorted(thread_names().items()), file=sys.stderr)
    print("RESULT %s %s %s %d %.3f %.3f %d" % (a.framework, a.model, a.mode, a.threads, mn, md, params))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
