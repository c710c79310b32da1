#!/usr/bin/env bash
# Runs the Weft benchmarks against CPython and Lua 5.4.
#
# For each benchmark it first checks that all three implementations print the
# expected output (benches/expected/NAME.out), then times them with hyperfine
# and prints a table of mean times and ratios.
#
# Usage: benches/run.sh [NAME...]        (default: every benchmark)
#        benches/run.sh async [NAME...]  the concurrency benchmarks against Python
#                                        asyncio, Node and Go (see run_async.sh)
# Environment:
#   WEFT=path     use this weft binary instead of building target/release/weft;
#                 WEFT=none skips Weft (only Python and Lua are checked and timed)
#   PYTHON=cmd    Python interpreter (default python3)
#   LUA=cmd       Lua interpreter (default lua5.4)
#   RUNS=n        timed runs per command (default 5)
#   WARMUP=n      warm-up runs per command (default 1)
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
ALL=(fib loop strmap binary_trees)

PYTHON=${PYTHON:-python3}
LUA=${LUA:-lua5.4}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}

die() {
    echo "run.sh: error: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
    echo "Benchmarks: ${ALL[*]}"
}

# --- arguments -------------------------------------------------------------
if [[ "${1:-}" == async ]]; then
    shift
    exec "$BENCH_DIR/run_async.sh" "$@"
fi
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
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer, got '$WARMUP'"

# --- peers: python3 must exist; lua5.4 and hyperfine come from Debian -------
command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found (set PYTHON=...)"
# Time the interpreter itself, not a wrapper such as a pyenv shim (a shell
# script that would add its own start-up time to every run).
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
    die "'$PYTHON' could not report its executable"
[[ -x "$PYTHON" ]] || die "python executable '$PYTHON' is not runnable"

missing=()
if ! command -v "$LUA" >/dev/null; then
    [[ "$LUA" == lua5.4 ]] || die "'$LUA' not found (unset LUA to install lua5.4)"
    missing+=(lua5.4)
fi
command -v hyperfine >/dev/null || missing+=(hyperfine)
if [[ ${#missing[@]} -gt 0 ]]; then
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    sudo=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || die "missing ${missing[*]}: run as root or install sudo"
        sudo=(sudo)
    fi
    echo "run.sh: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y "${missing[@]}"
    for tool in "$LUA" hyperfine; do
        command -v "$tool" >/dev/null || die "'$tool' still missing after apt-get install"
    done
fi

# --- weft ------------------------------------------------------------------
if [[ -z "${WEFT:-}" ]]; then
    echo "run.sh: cargo build --release" >&2
    (cd "$ROOT" && cargo build --release)
    # Ask cargo where it builds, so CARGO_TARGET_DIR and .cargo/config are honoured.
    target_dir=$(cd "$ROOT" && cargo metadata --no-deps --format-version 1 |
        "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    WEFT="$target_dir/release/weft"
    [[ -x "$WEFT" ]] || die "cargo build succeeded but $WEFT is not an executable"
elif [[ "$WEFT" != none ]]; then
    if [[ "$WEFT" == */* ]]; then
        [[ -x "$WEFT" && ! -d "$WEFT" ]] || die "WEFT=$WEFT is not an executable file"
        WEFT="$(cd -- "$(dirname -- "$WEFT")" && pwd)/$(basename -- "$WEFT")"
    else
        WEFT=$(command -v "$WEFT") || die "WEFT=$WEFT not found on PATH"
    fi
fi

langs=()
[[ "$WEFT" != none ]] && langs+=(weft)
langs+=(python lua)

# command_for LANG NAME: the shell command that runs benchmark NAME in LANG.
command_for() {
    case "$1" in
        weft) printf '%q %q' "$WEFT" "$BENCH_DIR/$2.weft" ;;
        python) printf '%q %q' "$PYTHON" "$BENCH_DIR/$2.py" ;;
        lua) printf '%q %q' "$LUA" "$BENCH_DIR/$2.lua" ;;
    esac
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# --- versions --------------------------------------------------------------
echo "== machine: $(nproc) cores, $(uname -srm)"
if [[ -r /proc/cpuinfo ]]; then
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fi
if [[ "$WEFT" != none ]]; then
    weft_version=$("$WEFT" --version 2>/dev/null </dev/null | head -n1) || weft_version=""
    echo "== weft: $WEFT (${weft_version:-version unknown})"
fi
echo "== python: $("$PYTHON" --version 2>&1)"
echo "== lua: $("$LUA" -v 2>&1)"
echo "== $(hyperfine --version)"

# --- correctness: every language must print the expected output -------------
failed=0
for name in "${selected[@]}"; do
    expected="$BENCH_DIR/expected/$name.out"
    [[ -f "$expected" ]] || die "missing $expected"
    for lang in "${langs[@]}"; do
        cmd=$(command_for "$lang" "$name")
        out="$tmp/$name.$lang.out"
        status=0
        bash -c "$cmd" <"/dev/null" >"$out" 2>"$tmp/$name.$lang.err" || status=$?
        if [[ $status != 0 ]]; then
            echo "FAIL $name ($lang): exit status $status from: $cmd" >&2
            sed 's/^/    /' "$tmp/$name.$lang.err" >&2
            failed=1
        elif ! diff -u --label "expected/$name.out" --label "$name ($lang)" \
            "$expected" "$out" >"$tmp/diff" 2>&1; then
            echo "FAIL $name ($lang): output differs from expected/$name.out" >&2
            cat "$tmp/diff" >&2
            failed=1
        else
            echo "ok   $name ($lang)"
        fi
    done
done
[[ $failed == 0 ]] || die "outputs do not match; not timing anything"

# --- timing ----------------------------------------------------------------
for name in "${selected[@]}"; do
    args=()
    for lang in "${langs[@]}"; do
        args+=(--command-name "$lang" "$(command_for "$lang" "$name")")
    done
    echo
    echo "== $name"
    hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$tmp/$name.json" "${args[@]}"
done

# --- table -----------------------------------------------------------------
echo
"$PYTHON" - "$tmp" "${selected[@]}" <<'EOF'
import json
import os
import sys

tmp, names = sys.argv[1], sys.argv[2:]


def fmt(seconds):
    return "-" if seconds is None else f"{seconds:.3f}"


def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}"


header = ["benchmark", "weft (s)", "python (s)", "lua (s)", "weft/python", "weft/lua"]
rows = []
for name in names:
    with open(os.path.join(tmp, f"{name}.json")) as f:
        results = json.load(f)["results"]
    mean = {r["command"]: r["mean"] for r in results}
    w, p, l = mean.get("weft"), mean.get("python"), mean.get("lua")
    rows.append([name, fmt(w), fmt(p), fmt(l), ratio(w, p), ratio(w, l)])

widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]


def line(cells):
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"


print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print(line(row))
EOF
