"""Same weights and data in the torch and JAX peers -> same loss (and for tsp the same tours).
Run: PJRT_NPROC=1 OMP_NUM_THREADS=1 $PEERS_PYTHON tools/peers/cross_check.py"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np, torch, jax, jax.numpy as jnp
import peer_bench as pb
torch.set_num_threads(1); torch.manual_seed(1)
F = torch.nn.functional
TCNN, TTr, TTSP = pb.torch_models(torch)
A = lambda t: jnp.asarray(t.detach().numpy())

def lin(l):  # torch Linear [out,in] -> JAX {"w": [in,out], "b"}
    return {"w": A(l.weight.t()), "b": A(l.bias)}
def ln(l):
    return {"g": A(l.weight), "b": A(l.bias)}
def blk(b):
    a = b.attention
    return {"n1": ln(b.norm1), "n2": ln(b.norm2),
            "att": {"q": lin(a.query), "k": lin(a.key), "v": lin(a.value), "o": lin(a.output)},
            "in": lin(b.mlp_in), "out": lin(b.mlp_out)}
def randomise(m):  # non-zero everything (zero-init residual convs would hide errors)
    with torch.no_grad():
        for p in m.parameters(): p.copy_(torch.randn_like(p) * 0.1)

# cnn
m = TCNN(); randomise(m)
x = torch.randn(8, 3, 32, 32); y = torch.randint(0, 10, (8,))
convs = [c for c in m.modules() if isinstance(c, torch.nn.Conv2d)]
jp = {"convs": [{"w": A(c.weight.permute(2, 3, 1, 0)), "b": A(c.bias)} for c in convs], "head": lin(m.head)}
_, jloss, _ = pb.jax_setup("cnn", 0)
print("cnn         torch %.6f  jax %.6f" % (F.cross_entropy(m(x), y).item(), float(jloss(jp, A(x.permute(0, 2, 3, 1)), A(y)))))

# transformer
m = TTr(); randomise(m)
tok = torch.randint(0, 16, (4, 65)); i, t = tok[:, :-1], tok[:, 1:]
jp = {"emb": A(m.embedding.weight), "pos": A(m.positions), "blocks": [blk(b) for b in m.blocks],
      "final": ln(m.final_norm), "head": lin(m.head)}
_, jloss, _ = pb.jax_setup("transformer", 0)
tl = F.cross_entropy(m(i).reshape(-1, 16), t.reshape(-1)).item()
print("transformer torch %.6f  jax %.6f" % (tl, float(jloss(jp, A(i).astype(jnp.int32), A(t).astype(jnp.int32)))))

# tsp
m = TTSP()
n, B = 20, 32
coords = torch.rand(B, n, 2); g = -torch.log(-torch.log(torch.rand(n - 2, B, n, n).clamp_min(1e-20)))
jp = {"embed": lin(m.embed), "layers": [blk(b) for b in m.layers], "final": ln(m.final_norm),
      "graph": A(m.graph.t()), "first": A(m.first.t()), "current": A(m.current.t()), "key": A(m.key.t())}
with torch.no_grad(): J, lp, L = m(coords, g)
_, jloss, _ = pb.jax_setup("tsp", 0)
# reach the inner rollouts via the closure of loss_fn
rollouts = dict(zip(jloss.__code__.co_freevars, (c.cell_contents for c in jloss.__closure__)))["rollouts"]
jJ, (jlp, jL) = rollouts(jp, A(coords), A(g))
print("tsp J       torch %.6f  jax %.6f   max|dlen| %.2e  max|dlogp| %.2e" % (
    J.item(), float(jJ), np.abs(L.numpy() - np.asarray(jL)).max(), np.abs(lp.numpy() - np.asarray(jlp)).max()))
