"""The README's speed table from interleave.sh's output folder: per step and thread
count, min / median over the rounds of OptBench's `perf` figure and of each peer's
minimum of its calls. A contender with no figure shows "—" (and no ratio).

Usage: python3 tools/peers/table.py OUT"""
import collections
import re
import statistics
import sys

MODELS = (("cnn", "cnn training, batch 128"),
          ("transformer", "transformer training, 16 × 64"),
          ("tsp", "tsp training, 32 × 20 rollouts"))
TORCH = {"torch_eager": "eager", "torch_channels_last": "channels_last", "torch_compiled": "compiled"}


def optbench_figures(path):
    """(run, threads, model, mode) -> ms per round, from `optbench perf --steps-only` output
    under interleave.sh's "### round R threads T RUN" headers."""
    figures, run = collections.defaultdict(list), None
    for line in open(path):
        header = re.match(r"### round \d+ threads (\d+) (\S+)", line)
        if header:
            run = (header.group(2), int(header.group(1)))
            continue
        cells = line.split()
        if run and len(cells) >= 5 and cells[0] in dict(MODELS) and cells[1].isdigit():
            figures[run + (cells[0], "train")].append(float(cells[3]))
            figures[run + (cells[0], "forward")].append(float(cells[4]))
    return figures


def peer_figures(path):
    """(framework, threads, model, mode) -> each round's minimum, from peer_bench.py's RESULT lines."""
    figures = collections.defaultdict(list)
    for line in open(path):
        _, framework, model, mode, threads, minimum, _median, _params = line.split()
        figures[(framework, int(threads), model, mode)].append(float(minimum))
    return figures


def min_median(values):
    return f"{min(values):.2f} / {statistics.median(values):.2f}" if values else "—"


def row(label, threads, ours_env, ours_own, torch, jax):
    """One table row; `torch` maps a PyTorch mode's name to its figures."""
    best_torch = min(((name, v) for name, v in torch.items() if v), key=lambda x: min(x[1]), default=None)
    peers = [min(v) for v in list(torch.values()) + [jax] if v]
    ratio = f"{min(ours_own) / min(peers):.2f}" if ours_own and peers else "—"
    torch_cell = f"{min_median(best_torch[1])} ({best_torch[0]})" if best_torch else "—"
    return (f"| {label} | {threads} | {min_median(ours_env)} | {min_median(ours_own)} | {torch_cell} "
            f"| {min_median(jax)} | {ratio} | {len(ours_own)} |")


def main(folder):
    ours, peers = optbench_figures(f"{folder}/optbench.txt"), peer_figures(f"{folder}/peers.txt")
    print("| step | threads | OptBench (environment's kernels) | OptBench (own kernel choice) | best PyTorch | JAX "
          "| own choice ÷ best peer (min) | rounds |")
    print("|---|---|---|---|---|---|---|---|")
    for model, label in MODELS:
        for mode in ("train", "forward"):
            for threads in (1, 2):
                key = (threads, model, mode)
                torch = {name: peers[(framework,) + key] for framework, name in TORCH.items()}
                print(row(label if mode == "train" else label.replace("training", "forward"), threads,
                          ours[("optbench-env-kernels",) + key], ours[("optbench-own-choice",) + key],
                          torch, peers[("jax",) + key]))


if __name__ == "__main__":
    main(sys.argv[1])
