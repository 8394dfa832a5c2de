# Shell functions shared by scripts/slurm-smoke-test and scripts/slurm-bench (sourced).

# Waits until the latest submission's merging job of run $1 (results folder $2) has left
# the queue; fails after $3 seconds (default 600).
wait_for_run() {
  local jobs finish i
  jobs=$(ls -d "$2/runs/$1/slurm/submission-"* | sort -t- -k2 -n | tail -n 1)/jobs.json
  finish=$(sed -e 's/.*"finish":"\([0-9]*\)".*/\1/' "$jobs")
  for i in $(seq 1 "${3:-600}"); do
    [ -z "$(squeue --noheader --jobs "$finish" 2>/dev/null)" ] && return 0
    sleep 1
  done
  echo "run $1: merging job $finish still queued after ${3:-600} s" >&2
  return 1
}
