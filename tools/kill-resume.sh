#!/usr/bin/env bash
# Random kills of `optbench run`, each followed by a check, then one rerun to completion:
# counts orphaned trial processes, temporary files left, corrupt trial files, and trials
# lost or duplicated after resuming. Usage: tools/kill-resume.sh [OPTBENCH] [KILLS] [SEED]
# (default: .build/release/optbench, 30 kills, seed 1). Works in a temporary folder.
set -uo pipefail
BIN=$(realpath "${1:-.build/release/optbench}")
KILLS=${2:-30}
RANDOM=${3:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/optbench-kill-resume.XXXXXX)
trap 'pkill -KILL -f "$WORK/" 2>/dev/null; rm -rf "$WORK"' EXIT
cp -r "$ROOT/workloads" "$WORK/workloads"
cd "$WORK"
RUN=(run --profile smoke --workloads regression,maxcut,tsp,transformer --submissions adamw,nesterov,lion,sgd
     --jobs 2 --run k --no-plots --workloads-dir workloads --results-dir results --plots-dir plots)
signals=(KILL TERM INT HUP)
printf '| kill | signal | after s | run exit | orphaned trial processes | temporaries left | unreadable trial files |\n|---|---|---|---|---|---|---|\n'
total_orphans=0; total_temps=0; total_corrupt=0
for ((i = 1; i <= KILLS; i++)); do
    "$BIN" "${RUN[@]}" > "run-$i.log" 2>&1 &
    pid=$!
    delay=$(printf '%d.%d' $((RANDOM % 6)) $((RANDOM % 10)))
    sleep "$delay"
    signal=${signals[$((RANDOM % 4))]}
    kill -"$signal" "$pid" 2>/dev/null
    wait "$pid"; status=$?
    sleep 0.5
    orphans=$(pgrep -f "$WORK/results" | wc -l)
    pkill -KILL -f "$WORK/results" 2>/dev/null
    temps=$(find results -name '*.tmp-*' 2>/dev/null | wc -l)
    corrupt=0
    if [ -d results/runs/k/trials ]; then
        corrupt=$("$BIN" show results/runs/k/trials 2>&1 | grep -c '^skipped ')
    fi
    total_orphans=$((total_orphans + orphans)); total_temps=$((total_temps + temps)); total_corrupt=$((total_corrupt + corrupt))
    printf '| %d | SIG%s | %s | %d | %d | %d | %d |\n' "$i" "$signal" "$delay" "$status" "$orphans" "$temps" "$corrupt"
    find results -name '*.tmp-*' -delete 2>/dev/null
done
"$BIN" "${RUN[@]}" > final.log 2>&1; final=$?
expected=$(grep -o '[0-9]* trials (' final.log | head -1 | grep -o '^[0-9]*')
complete=$(find results/runs/k/trials -name '*.h5' | wc -l)
unreadable=$("$BIN" show results/runs/k/trials 2>&1 | grep -c '^skipped ')
merged=$("$BIN" show results/k.h5 2>/dev/null | sed -n 's/^\([0-9]*\) trial(s)$/\1/p')
keys=$("$BIN" show results/k.h5 2>/dev/null | awk 'NR>3 && $1 ~ /^(external|self)$/ {print $1,$2,$3,$4,$5}' | sort | uniq -d | wc -l)
echo
echo "kills: $KILLS; orphaned trial processes: $total_orphans; temporaries left: $total_temps; unreadable trial files seen: $total_corrupt"
echo "final rerun: exit $final; trials planned $expected, trial files $complete, unreadable $unreadable, merged $merged, duplicated keys $keys, lost $((expected - merged))"
