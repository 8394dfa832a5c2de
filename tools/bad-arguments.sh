#!/usr/bin/env bash
# Bad-argument harness (issue 20): runs malformed invocations of an optbench binary —
# bad numbers, bad names, missing files, folders where files are expected, corrupt
# results files, and spec and profile files broken one field at a time — and classifies
# each outcome:
#
#   clean    exit status 1-64 with a message that is not a crash trace and carries no
#            'Fatal error', 'NSError' or 'could not be completed'
#   raw      exit status 1-64 (or another non-signal status) whose message is empty or
#            carries one of those raw texts
#   crash    killed by a signal (status >= 128 except the timeout's) or 'Fatal error'
#   hang     no answer within 20 s (timeout's status 124)
#   accepted exit status 0: a malformed input went through (a finding)
#
# Usage: tools/bad-arguments.sh OPTBENCH_BINARY   (e.g. .build/debug/optbench)
#
# Everything happens in a temporary folder (removed at the end): the commands run in an
# empty working folder inside it, with --workloads-dir, --results-dir and --plots-dir
# pointing into it, so nothing is written into the repository. Commands that would train
# if a bad argument were accepted use a tiny profile (regression only, a tenth of its
# half-second budget), so an accepted case ends within seconds.
set -u

if [[ $# -ne 1 || ! -x "$1" ]]; then
    echo "usage: $0 OPTBENCH_BINARY" >&2
    exit 2
fi
BIN=$(realpath "$1")
REPO=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/optbench-bad-arguments.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
TIMEOUT=20

WL="$TMP/workloads"          # a good copy of workloads/, with a tiny profile added
CWD="$TMP/cwd"               # the empty working folder every command runs in
OUT="$TMP/out"               # where commands may write results and figures
FIX="$TMP/fixtures"          # results files, corrupt files, folders
mkdir -p "$CWD" "$OUT" "$FIX"
cp -r "$REPO/workloads" "$WL"
sed -i '1s/^{/{\n  "tiny": {"description": "bad-arguments harness: regression only, a tenth of its budget", "ruleset": "external", "trials": 1, "studies": 1, "workloads": ["regression"], "include_variants": false, "submissions": ["adamw"], "budget_scale": 0.1},/' "$WL/profiles.json"

declare -A TRIED CLEAN RAW CRASH HANG ACCEPTED
COMMANDS=(list run trial merge show score plot calibrate spec profile)
for c in "${COMMANDS[@]}"; do TRIED[$c]=0 CLEAN[$c]=0 RAW[$c]=0 CRASH[$c]=0 HANG[$c]=0 ACCEPTED[$c]=0; done
CASE=0
ACCEPTED_LINES=()

# Prints text on one line with control characters made visible, at most 150 characters.
one_line() {
    printf '%s' "$1" | head -c 600 | tr '\n\t\r' '   ' | LC_ALL=C sed 's/[[:cntrl:]]/?/g' | cut -c1-150
}

# try GROUP LABEL ARGS...: runs the binary with ARGS in the working folder and records
# the outcome under GROUP (the command, or "spec"/"profile" for broken files).
try() {
    local group=$1 label=$2
    shift 2
    CASE=$((CASE + 1))
    local output status
    output=$(cd "$CWD" && timeout -k 5 "$TIMEOUT" "$BIN" "$@" </dev/null 2>&1)
    status=$?
    local message outcome
    message=$(printf '%s\n' "$output" | grep -m1 -E 'Error|Fatal' || printf '%s\n' "$output" | grep -m1 -v '^\s*$')
    if [[ $status -eq 124 ]]; then
        outcome=hang
    elif [[ $status -ge 128 ]] || grep -q 'Fatal error' <<<"$output"; then
        outcome=crash
    elif [[ $status -eq 0 ]]; then
        outcome=accepted
    elif [[ -z "$output" ]] || grep -qE 'NSError|could not be completed|Current stack trace|Stack dump' <<<"$output"; then
        outcome=raw
    elif [[ $status -le 64 ]]; then
        outcome=clean
    else
        outcome=raw
    fi
    TRIED[$group]=$((TRIED[$group] + 1))
    case $outcome in
        clean) CLEAN[$group]=$((CLEAN[$group] + 1)) ;;
        raw) RAW[$group]=$((RAW[$group] + 1)) ;;
        crash) CRASH[$group]=$((CRASH[$group] + 1)) ;;
        hang) HANG[$group]=$((HANG[$group] + 1)) ;;
        accepted) ACCEPTED[$group]=$((ACCEPTED[$group] + 1)); ACCEPTED_LINES+=("$CASE | $group $(one_line "$label")") ;;
    esac
    printf '%3d | %-9s %-44s | %-8s | %s\n' "$CASE" "$group" "$(one_line "$label")" "$outcome(${status})" "$(one_line "$message")"
    rm -rf "${CWD:?}"/* "${CWD:?}"/.[!.]* 2>/dev/null
}

# Bad values for numeric options, and bad names.
BAD_NUMBERS=(-1 0 1e300 NaN abc "" 99999999999999999999999)
LONG_NAME=$(printf 'x%.0s' {1..65})
BAD_NAMES=("" "../x" "a/b" "a'b" 'a"b' 'a`id`b' '$(id)' $'a\nb' "$LONG_NAME" "." ".." "-x")

# --- fixtures --------------------------------------------------------------------------
GOOD="$FIX/good.h5"
(cd "$CWD" && timeout 60 "$BIN" trial --workloads-dir "$WL" --workload regression --submission adamw --ruleset external \
    --study 0 --trial 0 --seed 1 --budget-scale 0.1 --output "$GOOD" \
    --hyperparameters '{"learning_rate": 0.003, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.0001, "warmup_fraction": 0.05}' \
    >/dev/null 2>&1) || echo "note: could not write the good trial fixture; cases using it test a missing file" >&2
mkdir -p "$FIX/trials" "$FIX/empty"
[[ -f "$GOOD" ]] && cp "$GOOD" "$FIX/trials/t0.h5"
printf 'not an HDF5 file\n' >"$FIX/text.h5"
: >"$FIX/zero.h5"
[[ -f "$GOOD" ]] && head -c 2048 "$GOOD" >"$FIX/truncated.h5"
[[ -f "$GOOD" ]] && { cp "$GOOD" "$FIX/flipped.h5"; printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$FIX/flipped.h5" bs=1 seek=1200 conv=notrunc 2>/dev/null; }
mkfifo "$FIX/fifo.h5"
printf 'x' >"$FIX/a-file"

# --- list -----------------------------------------------------------------------------
try list "--workloads-dir missing" list --workloads-dir "$TMP/none"
try list "--workloads-dir a file" list --workloads-dir "$FIX/a-file"
try list "--workloads-dir empty" list --workloads-dir ""
try list "--workloads-dir empty folder" list --workloads-dir "$FIX/empty"
try list "--workloads-dir /dev/null" list --workloads-dir /dev/null
try list "unknown option" list --bogus
try list "extra argument" list extra
try list "--workloads-dir no value" list --workloads-dir

# --- broken spec files (each a copy of workloads/ with one thing broken), via list -----
# spec_case LABEL FILE SED-EXPRESSION: breaks FILE of a fresh copy and runs list on it.
spec_case() {
    local label=$1 file=$2 expression=$3 dir="$TMP/wl-spec-$CASE"
    cp -r "$WL" "$dir"
    sed -i -E "$expression" "$dir/$file"
    if cmp -s "$dir/$file" "$WL/$file"; then
        echo "note: spec case '$label' did not change $file (its shape changed?); skipped" >&2
        rm -rf "$dir"
        return
    fi
    try spec "$label" list --workloads-dir "$dir"
    rm -rf "$dir"
}
V1='0,/^      "step_hint": [^,]*,/s//'           # the first variant's field (6-space indent)
spec_case "variant step_hint 1e300" regression.json "${V1}      \"step_hint\": 1e300,/"
spec_case "variant step_hint 2.5" regression.json "${V1}      \"step_hint\": 2.5,/"
spec_case "variant step_hint -1" regression.json "${V1}      \"step_hint\": -1,/"
spec_case "variant default_batch_size 1e300" regression.json "${V1}      \"default_batch_size\": 1e300, \"step_hint\": 10,/"
spec_case "variant default_batch_size 0" regression.json "${V1}      \"default_batch_size\": 0, \"step_hint\": 10,/"
spec_case "variant max_runtime_s 1e300" regression.json '0,/^      "max_runtime_s": [^,]*,/s//      "max_runtime_s": 1e300,/'
spec_case "variant eval_period_s -1" regression.json '0,/^      "eval_period_s": [^,]*,/s//      "eval_period_s": -1,/'
spec_case "variant validation_target string" regression.json '0,/^      "validation_target": [^,]*,/s//      "validation_target": "x",/'
spec_case "variant name a/b" regression.json 's/"name": "regression_cond1e4"/"name": "a\/b"/'
spec_case "variant name ../x" regression.json 's/"name": "regression_cond1e4"/"name": "..\/x"/'
spec_case "variant name empty" regression.json 's/"name": "regression_cond1e4"/"name": ""/'
spec_case "variant name with quotes" regression.json 's/"name": "regression_cond1e4"/"name": "a\\"b'"'"'c"/'
spec_case "variant name \$(id)" regression.json 's/"name": "regression_cond1e4"/"name": "$(id)"/'
spec_case "variant name backquotes" regression.json 's/"name": "regression_cond1e4"/"name": "a`id`"/'
spec_case "variant name newline" regression.json 's/"name": "regression_cond1e4"/"name": "a\\nb"/'
spec_case "variant name 65 chars" regression.json "s/\"name\": \"regression_cond1e4\"/\"name\": \"$LONG_NAME\"/"
spec_case "variant name = base" regression.json 's/"name": "regression_cond1e4"/"name": "regression"/'
spec_case "variant name = another spec" regression.json 's/"name": "regression_cond1e4"/"name": "cnn"/'
spec_case "variant unknown setting" regression.json 's/"condition_number": 10000$/"no_such_setting": 1/'
spec_case "base step_hint 1e300" regression.json 's/^  "step_hint": [^,]*,/  "step_hint": 1e300,/'
spec_case "base default_batch_size 1e300" regression.json 's/^  "default_batch_size": [^,]*,/  "default_batch_size": 1e300,/'
spec_case "base default_batch_size 0" regression.json 's/^  "default_batch_size": [^,]*,/  "default_batch_size": 0,/'
spec_case "base max_runtime_s -1" regression.json 's/^  "max_runtime_s": [^,]*,/  "max_runtime_s": -1,/'
spec_case "base max_runtime_s 1e300" regression.json 's/^  "max_runtime_s": [^,]*,/  "max_runtime_s": 1e300,/'
spec_case "base eval_period_s 0" regression.json 's/^  "eval_period_s": [^,]*,/  "eval_period_s": 0,/'
spec_case "base validation_target 1e400" regression.json 's/^  "validation_target": [^,]*,/  "validation_target": 1e400,/'
spec_case "base name ../x" regression.json 's/^  "name": "regression"/  "name": "..\/x"/'
spec_case "base name a/b" regression.json 's/^  "name": "regression"/  "name": "a\/b"/'
spec_case "base name not the file name" regression.json 's/^  "name": "regression"/  "name": "other"/'
spec_case "metric with a space" regression.json 's/^  "metric": "[^"]*"/  "metric": "m s e"/'
spec_case "metric with a quote" regression.json 's/^  "metric": "[^"]*"/  "metric": "m\\"se"/'
spec_case "direction sideways" regression.json 's/^  "direction": "[^"]*"/  "direction": "sideways"/'
spec_case "unknown top-level field" regression.json 's/^  "metric":/  "metrics":/'
spec_case "duplicate key" regression.json 's/^  "step_hint": ([^,]*),/  "step_hint": \1, "step_hint": 1e300,/'
spec_case "truncated JSON" regression.json '$d'
spec_case "empty file" regression.json '1,$d'
spec_case "array instead of object" regression.json '1s/^\{/[{/; $s/^\}/}]/'
spec_case "non-UTF-8 name" regression.json 's/"name": "regression_cond1e4"/"name": "a\xff\xfeb"/'
deep_dir="$TMP/wl-deep"; cp -r "$WL" "$deep_dir"
head -c 200000 /dev/zero | tr '\0' '[' >"$deep_dir/deep.json"
try spec "spec nested 200000 deep" list --workloads-dir "$deep_dir"; rm -rf "$deep_dir"
fifo_dir="$TMP/wl-fifo"; cp -r "$WL" "$fifo_dir"; mkfifo "$fifo_dir/pipe.json"
try spec "spec file is a fifo" list --workloads-dir "$fifo_dir"; rm -rf "$fifo_dir"
dir_dir="$TMP/wl-dir"; cp -r "$WL" "$dir_dir"; mkdir "$dir_dir/folder.json"
try spec "spec file is a folder" list --workloads-dir "$dir_dir"; rm -rf "$dir_dir"

# --- broken profiles.json, via list --------------------------------------------------
profile_case() {
    local label=$1 expression=$2 dir="$TMP/wl-profile-$CASE"
    cp -r "$WL" "$dir"
    sed -i -E "$expression" "$dir/profiles.json"
    if cmp -s "$dir/profiles.json" "$WL/profiles.json"; then
        echo "note: profile case '$label' did not change profiles.json; skipped" >&2
        rm -rf "$dir"
        return
    fi
    try profile "$label" list --workloads-dir "$dir"
    rm -rf "$dir"
}
profile_case "profile name a/b" 's/^  "smoke":/  "a\/b":/'
profile_case "profile name empty" 's/^  "smoke":/  "":/'
profile_case "profile name \$(id)" 's/^  "smoke":/  "$(id)":/'
profile_case "workloads ../x" 's/"workloads": \["regression"\]/"workloads": ["..\/x"]/'
profile_case "workloads empty name" 's/"workloads": \["regression"\]/"workloads": [""]/'
profile_case "workloads duplicate" 's/"workloads": \["regression"\]/"workloads": ["regression", "regression"]/'
profile_case "workloads a string" 's/"workloads": \["regression"\]/"workloads": "regression"/'
profile_case "submissions backquotes" 's/"submissions": \["adamw"\]/"submissions": ["a`id`"]/'
profile_case "submissions newline" 's/"submissions": \["adamw"\]/"submissions": ["a\\nb"]/'
profile_case "submissions duplicate" 's/"submissions": \["adamw"\]/"submissions": ["adamw", "adamw"]/'
profile_case "trials 1e300" '0,/"trials": [0-9]+/s//"trials": 1e300/'
profile_case "trials -1" '0,/"trials": [0-9]+/s//"trials": -1/'
profile_case "studies 0" '0,/"studies": [0-9]+/s//"studies": 0/'
profile_case "budget_scale 1e300" '0,/"budget_scale": [0-9.]+/s//"budget_scale": 1e300/'
profile_case "budget_scale -1" '0,/"budget_scale": [0-9.]+/s//"budget_scale": -1/'
profile_case "description with newline" '0,/"description": "/s//"description": "two\\nlines /'
profile_case "ruleset unknown" '0,/"ruleset": "[a-z]+"/s//"ruleset": "internal"/'
profile_case "truncated" '$d'
profile_case "empty object" $'1i{}\n1,$d'
missing_dir="$TMP/wl-noprofiles"; cp -r "$WL" "$missing_dir"; rm "$missing_dir/profiles.json"
try profile "profiles.json missing" list --workloads-dir "$missing_dir"
mkdir "$missing_dir/profiles.json"
try profile "profiles.json a folder" list --workloads-dir "$missing_dir"; rm -rf "$missing_dir"

# --- run (bad arguments fail before training; an accepted one runs the tiny profile) -
RUN=(run --profile tiny --workloads-dir "$WL" --results-dir "$OUT/results" --plots-dir "$OUT/plots" --no-plots --jobs 1)
for n in "${BAD_NUMBERS[@]}"; do try run "--jobs '$n'" "${RUN[@]}" --jobs "$n"; done
for n in -1 0 1e300 abc 100000; do try run "--threads '$n'" "${RUN[@]}" --threads "$n"; done
for n in 1e300 abc 99999999999999999999999; do try run "--seed '$n'" "${RUN[@]}" --seed "$n"; done
for name in "${BAD_NAMES[@]}" x.h5 "results/x"; do try run "--run '$name'" "${RUN[@]}" --run "$name"; done
for name in "" nope "../x" "a/b" '$(id)'; do try run "--profile '$name'" "${RUN[@]}" --profile "$name"; done
for name in "" nope '$(id)' "EXTERNAL"; do try run "--ruleset '$name'" "${RUN[@]}" --ruleset "$name"; done
for list in nope "a/b" "../x" "adamw,adamw" ",,," '$(id)' "adamw,a b"; do try run "--submissions '$list'" "${RUN[@]}" --submissions "$list"; done
for list in nope "a/b" "regression,regression" ",," "../x" '`id`'; do try run "--workloads '$list'" "${RUN[@]}" --workloads "$list"; done
try run "--workloads-dir missing" run --profile tiny --workloads-dir "$TMP/none" --results-dir "$OUT/results" --no-plots
try run "--workloads-dir a file" run --profile tiny --workloads-dir "$FIX/a-file" --results-dir "$OUT/results" --no-plots
try run "--results-dir a file" "${RUN[@]}" --results-dir "$FIX/a-file"
try run "--plots-dir a file" run --profile tiny --workloads-dir "$WL" --results-dir "$OUT/results" --plots-dir "$FIX/a-file" --jobs 1

# --- trial ----------------------------------------------------------------------------
HP='{"learning_rate": 0.003, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0.0001, "warmup_fraction": 0.05}'
# trial_with OPTION VALUE: the good trial with one option replaced.
trial_with() {
    local -A options=([--workloads-dir]="$WL" [--workload]=regression [--submission]=adamw [--ruleset]=external [--study]=0
        [--trial]=0 [--seed]=1 [--budget-scale]=0.1 [--output]="$OUT/trial.h5" [--hyperparameters]="$HP")
    options[$1]=$2
    local args=() key
    for key in "${!options[@]}"; do args+=("$key" "${options[$key]}"); done
    try trial "$1 '$2'" trial "${args[@]}"
    rm -f "$OUT/trial.h5"
}
for n in -1 1e300 abc ""; do trial_with --study "$n"; done
for n in -1 1e300; do trial_with --trial "$n"; done
for n in -1 1e300 abc 99999999999999999999999; do trial_with --seed "$n"; done
for n in 0 -1 NaN inf 1e300; do trial_with --budget-scale "$n"; done
for n in 0 -1 100000; do trial_with --threads "$n"; done
for n in 0 -1; do trial_with --eval-every-steps "$n"; done
for text in "" "[]" "{" "null" '{"learning_rate": "x"}' '{"a b": 1}' '{"learning_rate": 1e400}' '{"../x": 1}'; do trial_with --hyperparameters "$text"; done
for name in "" nope "../x" "a/b" '$(id)' $'a\nb'; do trial_with --workload "$name"; done
for name in "" nope "../x" '`id`'; do trial_with --submission "$name"; done
for name in "" "a/b" '$(id)' "../x"; do trial_with --ruleset "$name"; done
mkfifo "$FIX/output-fifo.h5"
for path in "" "$FIX/empty" "$FIX/a-file/deeper/t.h5" ".." "$FIX/output-fifo.h5"; do trial_with --output "$path"; done
trial_with --workloads-dir "$TMP/none"

# --- merge ----------------------------------------------------------------------------
try merge "no inputs" merge -o "$OUT/m.h5"
try merge "missing input" merge "$TMP/none.h5" -o "$OUT/m.h5"
try merge "empty input name" merge "" -o "$OUT/m.h5"
try merge "empty folder" merge "$FIX/empty" -o "$OUT/m.h5"
try merge "text file as .h5" merge "$FIX/text.h5" -o "$OUT/m.h5"
try merge "zero-byte file" merge "$FIX/zero.h5" -o "$OUT/m.h5"
try merge "truncated file" merge "$FIX/truncated.h5" -o "$OUT/m.h5"
try merge "corrupted bytes" merge "$FIX/flipped.h5" -o "$OUT/m.h5"
try merge "fifo input" merge "$FIX/fifo.h5" -o "$OUT/m.h5"
try merge "/dev/zero input" merge /dev/zero -o "$OUT/m.h5"
try merge "duplicate inputs" merge "$GOOD" "$GOOD" -o "$OUT/m.h5"
try merge "no -o" merge "$GOOD"
try merge "-o empty" merge "$GOOD" -o ""
try merge "-o a folder" merge "$GOOD" -o "$FIX/empty"
try merge "-o the input" merge "$GOOD" -o "$GOOD"
try merge "-o under a file" merge "$GOOD" -o "$FIX/a-file/m.h5"
try merge "-o .." merge "$GOOD" -o ".."
try merge "-o /dev/null" merge "$GOOD" -o /dev/null

# --- show and score: the same bad results paths ---------------------------------------
for command in show score; do
    try "$command" "missing file" "$command" "$TMP/none.h5"
    try "$command" "empty path" "$command" ""
    try "$command" "text file as .h5" "$command" "$FIX/text.h5"
    try "$command" "zero-byte file" "$command" "$FIX/zero.h5"
    try "$command" "truncated file" "$command" "$FIX/truncated.h5"
    try "$command" "corrupted bytes" "$command" "$FIX/flipped.h5"
    try "$command" "fifo" "$command" "$FIX/fifo.h5"
    try "$command" "/dev/zero" "$command" /dev/zero
    try "$command" "unknown option" "$command" "$GOOD" --bogus
    try "$command" "no path" "$command"
done

# --- plot -----------------------------------------------------------------------------
try plot "missing file" plot "$TMP/none.h5" -o "$OUT/plots"
try plot "text file as .h5" plot "$FIX/text.h5" -o "$OUT/plots"
try plot "truncated file" plot "$FIX/truncated.h5" -o "$OUT/plots"
try plot "fifo" plot "$FIX/fifo.h5" -o "$OUT/plots"
try plot "empty folder" plot "$FIX/empty" -o "$OUT/plots"
try plot "--output an existing file" plot "$GOOD" --output "$FIX/a-file"
try plot "--output empty" plot "$GOOD" --output ""
try plot "--output /dev/null" plot "$GOOD" --output /dev/null
try plot "--output under a file" plot "$GOOD" --output "$FIX/a-file/sub"
try plot "path . without --output" plot .
try plot "path .. without --output" plot ..
try plot "results named \$(id)" plot "$FIX/\$(id).h5"
cp "$GOOD" "$FIX/it's \`id\`.h5" 2>/dev/null; try plot "results named with quotes, no --output" plot "$FIX/it's \`id\`.h5"

# --- calibrate (an accepted case would calibrate regression with one tiny trial) -------
CAL=(calibrate --workloads-dir "$WL" --results-dir "$OUT/results" --workloads regression --baselines adamw --trials 1 --seeds 1 --budget-scale 0.1 --jobs 1)
for n in -1 0 1e300 abc; do try calibrate "--trials '$n'" "${CAL[@]}" --trials "$n"; done
for n in -1 0 1e300; do try calibrate "--seeds '$n'" "${CAL[@]}" --seeds "$n"; done
for n in -1 0 NaN inf 1e300; do try calibrate "--budget-scale '$n'" "${CAL[@]}" --budget-scale "$n"; done
for n in -1 0; do try calibrate "--jobs '$n'" "${CAL[@]}" --jobs "$n"; done
for list in nope "a/b" "" "adamw,adamw" '$(id)'; do try calibrate "--baselines '$list'" "${CAL[@]}" --baselines "$list"; done
for list in nope "../x" "regression,regression" ""; do try calibrate "--workloads '$list'" "${CAL[@]}" --workloads "$list"; done
try calibrate "--workloads-dir missing" "${CAL[@]}" --workloads-dir "$TMP/none"
try calibrate "--results-dir a file" "${CAL[@]}" --results-dir "$FIX/a-file"

# --- summary ----------------------------------------------------------------------------
echo
if [[ ${#ACCEPTED_LINES[@]} -gt 0 ]]; then
    echo "accepted (a malformed input went through):"
    printf '  %s\n' "${ACCEPTED_LINES[@]}"
    echo
fi
printf '%-10s %6s %6s %6s %6s %6s %9s\n' command tried clean raw crash hang accepted
total=(0 0 0 0 0 0)
for c in "${COMMANDS[@]}"; do
    printf '%-10s %6d %6d %6d %6d %6d %9d\n' "$c" "${TRIED[$c]}" "${CLEAN[$c]}" "${RAW[$c]}" "${CRASH[$c]}" "${HANG[$c]}" "${ACCEPTED[$c]}"
    total[0]=$((total[0] + TRIED[$c])); total[1]=$((total[1] + CLEAN[$c])); total[2]=$((total[2] + RAW[$c]))
    total[3]=$((total[3] + CRASH[$c])); total[4]=$((total[4] + HANG[$c])); total[5]=$((total[5] + ACCEPTED[$c]))
done
printf '%-10s %6d %6d %6d %6d %6d %9d\n' total "${total[@]}"
echo "(spec and profile: files broken one field at a time, loaded by list)"
