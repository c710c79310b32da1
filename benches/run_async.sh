#!/usr/bin/env bash
# Runs the Weft concurrency benchmarks against Python asyncio, Node and Go.
#
# spawn and pingpong are checked against benches/expected/NAME.out and timed with
# hyperfine; sleepers reports bytes per sleeping task from peak RSS (/usr/bin/time %M)
# minus the RSS of the same program run with no tasks; fairness reports the worst
# lateness of a 10 ms ticker while another task spins on the CPU for 2 s (worst of
# FAIR_RUNS runs). Go programs are built with `go build` into a temp dir and run with
# GOMAXPROCS=1 (exported by this script), on one thread like Weft's tasks.
#
# Usage: benches/run_async.sh [NAME...]   (or benches/run.sh async [NAME...])
# Environment:
#   WEFT=path     use this weft binary instead of building target/release/weft
#   PYTHON=cmd    Python interpreter (default python3)
#   NODE=cmd      Node (default node)
#   GO=cmd        Go toolchain used to build the Go programs (default go)
#   RUNS=n        timed runs per command for spawn/pingpong (default 5)
#   WARMUP=n      warm-up runs per command (default 1)
#   FAIR_RUNS=n   runs per runtime for fairness (default 3)
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
ALL=(spawn pingpong sleepers fairness)
LANGS=(weft python node go)

PYTHON=${PYTHON:-python3}
NODE=${NODE:-node}
GO=${GO:-go}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
FAIR_RUNS=${FAIR_RUNS:-3}
SLEEPERS=100000

die() {
    echo "run_async.sh: error: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
    echo "Benchmarks: ${ALL[*]}"
}

# --- arguments -------------------------------------------------------------
selected=()
for arg in "$@"; do
    case "$arg" in
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            usage >&2
            die "unknown option: $arg"
            ;;
        *)
            found=0
            for b in "${ALL[@]}"; do
                [[ "$b" == "$arg" ]] && found=1
            done
            [[ $found == 1 ]] || die "unknown benchmark '$arg' (known: ${ALL[*]})"
            selected+=("$arg")
            ;;
    esac
done
if [[ ${#selected[@]} == 0 ]]; then
    selected=("${ALL[@]}")
fi
for v in RUNS FAIR_RUNS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer, got '$WARMUP'"

# --- peers: python3 must exist; the rest come from Debian -------------------
command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found (set PYTHON=...)"
# Time the interpreter itself, not a wrapper such as a pyenv shim.
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
    die "'$PYTHON' could not report its executable"

missing=()
if ! command -v "$NODE" >/dev/null; then
    [[ "$NODE" == node ]] || die "'$NODE' not found (unset NODE to install nodejs)"
    missing+=(nodejs)
fi
if ! command -v "$GO" >/dev/null; then
    [[ "$GO" == go ]] || die "'$GO' not found (unset GO to install golang-go)"
    missing+=(golang-go)
fi
command -v hyperfine >/dev/null || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ ${#missing[@]} -gt 0 ]]; then
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    sudo=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || die "missing ${missing[*]}: run as root or install sudo"
        sudo=(sudo)
    fi
    echo "run_async.sh: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y "${missing[@]}"
    for tool in "$NODE" "$GO" hyperfine /usr/bin/time; do
        command -v "$tool" >/dev/null || die "'$tool' still missing after apt-get install"
    done
fi

# --- weft ------------------------------------------------------------------
if [[ -z "${WEFT:-}" ]]; then
    echo "run_async.sh: cargo build --release" >&2
    (cd "$ROOT" && cargo build --release)
    target_dir=$(cd "$ROOT" && cargo metadata --no-deps --format-version 1 |
        "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    WEFT="$target_dir/release/weft"
    [[ -x "$WEFT" ]] || die "cargo build succeeded but $WEFT is not an executable"
elif [[ "$WEFT" == */* ]]; then
    [[ -x "$WEFT" && ! -d "$WEFT" ]] || die "WEFT=$WEFT is not an executable file"
    WEFT="$(cd -- "$(dirname -- "$WEFT")" && pwd)/$(basename -- "$WEFT")"
else
    WEFT=$(command -v "$WEFT") || die "WEFT=$WEFT not found on PATH"
fi
NODE=$(command -v "$NODE")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weft-async-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# --- go: build every selected program into the temp dir --------------------
# Go's build cache needs a home; give it the temp dir when there is none.
[[ -n "${GOCACHE:-}${XDG_CACHE_HOME:-}${HOME:-}" ]] || export GOCACHE="$tmp/gocache"
for name in "${selected[@]}"; do
    # A lone file outside any module builds without a go.mod.
    (cd "$BENCH_DIR" && "$GO" build -o "$tmp/$name.go.bin" "$name.go") ||
        die "go build $name.go failed"
done
# Every Go program runs its goroutines on one thread, as Weft runs its tasks.
export GOMAXPROCS=1

# command_for LANG NAME [ARGS...]: the shell command that runs benchmark NAME in LANG.
command_for() {
    local lang=$1 name=$2
    shift 2
    local extra=""
    [[ $# -gt 0 ]] && extra=" $(printf '%q ' "$@")"
    case "$lang" in
        weft) printf '%q %q' "$WEFT" "$BENCH_DIR/$name.weft" ;;
        python) printf '%q %q' "$PYTHON" "$BENCH_DIR/$name.py" ;;
        node) printf '%q %q' "$NODE" "$BENCH_DIR/$name.js" ;;
        go) printf '%q' "$tmp/$name.go.bin" ;;
    esac
    printf '%s' "$extra"
}

# --- versions --------------------------------------------------------------
echo "== machine: $(nproc) cores, $(uname -srm)"
if [[ -r /proc/cpuinfo ]]; then
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fi
weft_version=$("$WEFT" --version 2>/dev/null </dev/null | head -n1) || weft_version=""
echo "== weft: $WEFT (${weft_version:-version unknown})"
echo "== python: $("$PYTHON" --version 2>&1)"
echo "== node: $("$NODE" --version 2>&1)"
echo "== go: $("$GO" version 2>&1)"
echo "== $(hyperfine --version)"

# --- correctness -----------------------------------------------------------
# spawn, pingpong and sleepers must print expected/NAME.out; fairness prints a
# measurement, so only its form is checked.
failed=0
for name in "${selected[@]}"; do
    for lang in "${LANGS[@]}"; do
        [[ "$name" == sleepers ]] && continue # checked while its memory is measured
        cmd=$(command_for "$lang" "$name")
        out="$tmp/$name.$lang.out"
        status=0
        bash -c "$cmd" </dev/null >"$out" 2>"$tmp/$name.$lang.err" || status=$?
        if [[ $status != 0 ]]; then
            echo "FAIL $name ($lang): exit status $status from: $cmd" >&2
            sed 's/^/    /' "$tmp/$name.$lang.err" >&2
            failed=1
        elif [[ "$name" == fairness ]]; then
            if grep -Eqx 'max lateness [0-9]+ ms' "$out"; then
                echo "ok   $name ($lang): $(cat "$out")"
                cp "$out" "$tmp/fairness.$lang.run0"
            else
                echo "FAIL $name ($lang): unexpected output:" >&2
                sed 's/^/    /' "$out" >&2
                failed=1
            fi
        elif ! diff -u --label "expected/$name.out" --label "$name ($lang)" \
            "$BENCH_DIR/expected/$name.out" "$out" >"$tmp/diff" 2>&1; then
            echo "FAIL $name ($lang): output differs from expected/$name.out" >&2
            cat "$tmp/diff" >&2
            failed=1
        else
            echo "ok   $name ($lang)"
        fi
    done
done
[[ $failed == 0 ]] || die "outputs do not match; not measuring anything"

# --- spawn, pingpong: hyperfine ---------------------------------------------
timed=()
for name in "${selected[@]}"; do
    case "$name" in spawn | pingpong) ;; *) continue ;; esac
    timed+=("$name")
    args=()
    for lang in "${LANGS[@]}"; do
        args+=(--command-name "$lang" "$(command_for "$lang" "$name")")
    done
    echo
    echo "== $name"
    hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$tmp/$name.json" "${args[@]}"
done

# --- sleepers: peak RSS with and without the tasks ---------------------------
# peak_kb LANG ARG: peak RSS in KiB of one run of sleepers with ARG tasks.
peak_kb() {
    local cmd out
    cmd=$(command_for "$1" sleepers "$2")
    out="$tmp/sleepers.$1.$2.out"
    if ! bash -c "/usr/bin/time -o $(printf %q "$tmp/rss") -f %M $cmd" \
        </dev/null >"$out" 2>"$tmp/sleepers.err"; then
        echo "FAIL sleepers ($1, $2 tasks): $cmd" >&2
        sed 's/^/    /' "$tmp/sleepers.err" >&2
        return 1
    fi
    if [[ "$(cat "$out")" != "sleepers $2 done" ]]; then
        echo "FAIL sleepers ($1, $2 tasks): unexpected output: $(cat "$out")" >&2
        return 1
    fi
    tail -n1 "$tmp/rss"
}
if [[ " ${selected[*]} " == *" sleepers "* ]]; then
    echo
    echo "== sleepers: $SLEEPERS tasks sleeping 2 s; bytes per task = (peak RSS - RSS with 0 tasks) / $SLEEPERS"
    for lang in "${LANGS[@]}"; do
        base=$(peak_kb "$lang" 0) || die "sleepers failed"
        full=$(peak_kb "$lang" "$SLEEPERS") || die "sleepers failed"
        echo "$lang $base $full" >>"$tmp/sleepers.txt"
        echo "$lang: empty ${base} KiB, with tasks ${full} KiB, $(((full - base) * 1024 / SLEEPERS)) bytes/task"
    done
fi

# --- fairness: worst of FAIR_RUNS runs ---------------------------------------
if [[ " ${selected[*]} " == *" fairness "* ]]; then
    echo
    echo "== fairness: worst lateness of a 10 ms ticker beside a 2 s CPU spinner ($FAIR_RUNS runs each)"
    for lang in "${LANGS[@]}"; do
        cmd=$(command_for "$lang" fairness)
        runs=("$(sed 's/[^0-9]//g' "$tmp/fairness.$lang.run0")")
        for ((i = 1; i < FAIR_RUNS; i++)); do
            out=$(bash -c "$cmd" </dev/null) || die "fairness ($lang) failed: $cmd"
            runs+=("$(sed 's/[^0-9]//g' <<<"$out")")
        done
        echo "$lang ${runs[*]}" >>"$tmp/fairness.txt"
        echo "$lang: ${runs[*]} ms"
    done
fi

# --- table -----------------------------------------------------------------
echo
"$PYTHON" - "$tmp" "${timed[@]}" <<'EOF'
import json
import os
import sys

tmp, timed = sys.argv[1], sys.argv[2:]
langs = ["weft", "python", "node", "go"]


def table(header, rows):
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print()


if timed:
    rows = []
    for name in timed:
        with open(os.path.join(tmp, f"{name}.json")) as f:
            mean = {r["command"]: r["mean"] for r in json.load(f)["results"]}
        w = mean["weft"]
        rows.append(
            [name]
            + [f"{mean[l]:.3f}" for l in langs]
            + [f"{mean['python'] / w:.1f}x", f"{w / mean['node']:.2f}", f"{w / mean['go']:.2f}"]
        )
    table(
        ["benchmark"] + [f"{l} (s)" for l in langs]
        + ["asyncio/weft (target >= 5x)", "weft/node", "weft/go"],
        rows,
    )

path = os.path.join(tmp, "sleepers.txt")
if os.path.exists(path):
    n = 100000
    per = {}
    for line in open(path):
        lang, base, full = line.split()
        per[lang] = (int(full) - int(base)) * 1024 / n
    table(
        ["sleepers: bytes/task"] + langs + ["target"],
        [["100,000 x sleep 2 s"] + [f"{per[l]:.0f}" for l in langs] + ["weft < 1024"]],
    )

path = os.path.join(tmp, "fairness.txt")
if os.path.exists(path):
    worst = {}
    for line in open(path):
        lang, *runs = line.split()
        worst[lang] = max(int(r) for r in runs)
    table(
        ["fairness: worst lateness (ms)"] + langs + ["target"],
        [["10 ms ticker, 2 s spinner"] + [str(worst[l]) for l in langs] + ["weft < 20"]],
    )
EOF
