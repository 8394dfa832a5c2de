#!/bin/bash
# Times OptBench's cnn, transformer and tsp steps against the PyTorch and JAX peers of
# peer_bench.py: ROUNDS rounds, each contender a fresh process per round, interleaved.
# OptBench runs twice per round: as the environment sets OPENBLAS_CORETYPE, and with it
# unset (its own kernel choice). Run from the repository root after `make build`:
#   PEERS_PYTHON=/path/to/venv/bin/python tools/peers/interleave.sh 5 /tmp/peer-runs
#   python3 tools/peers/table.py /tmp/peer-runs
set -eu
ROUNDS=$1; OUT=$2; mkdir -p "$OUT"
PY=${PEERS_PYTHON:?set PEERS_PYTHON to the peers virtual environment python}
HERE=$(cd "$(dirname "$0")" && pwd)
OB=.build/release/optbench
for r in $(seq 1 "$ROUNDS"); do
  for t in 1 2; do
    echo "### round $r threads $t optbench-env-kernels $(date -u +%T)" >> "$OUT/optbench.txt"
    "$OB" perf --steps-only --threads "$t" --workloads cnn,transformer,tsp >> "$OUT/optbench.txt" 2>&1
    echo "### round $r threads $t optbench-own-choice $(date -u +%T)" >> "$OUT/optbench.txt"
    env -u OPENBLAS_CORETYPE "$OB" perf --steps-only --threads "$t" --workloads cnn,transformer,tsp >> "$OUT/optbench.txt" 2>&1
    for m in cnn transformer tsp; do
      fws="torch_eager torch_compiled jax"; [ "$m" = cnn ] && fws="torch_eager torch_channels_last torch_compiled jax"
      for fw in $fws; do for mode in train forward; do
        "$PY" "$HERE/peer_bench.py" --framework "$fw" --model "$m" --mode "$mode" --threads "$t" --calls 10 \
          2>> "$OUT/peers.err" | grep RESULT >> "$OUT/peers.txt" || echo "failed: $fw $m $mode $t" >> "$OUT/peers.err"
      done; done
    done
  done
done
