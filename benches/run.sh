#!/usr/bin/env bash
# Runs the Weft benchmarks against CPython, Lua 5.4, LuaJIT (its interpreter
# alone with -joff, and with its JIT) and Node.
#
# For each benchmark it first checks that every implementation prints the
# expected output (benches/expected/NAME.out), then times them with hyperfine
# and prints a table of mean times and ratios.
#
# Usage: benches/run.sh [NAME...]        (default: every benchmark)
#        benches/run.sh async [NAME...]  the concurrency benchmarks against Python
#                                        asyncio, Node and Go (see run_async.sh)
# Environment:
#   WEFT=path     use this weft binary instead of building target/release/weft;
#                 WEFT=none skips Weft (only the other languages are checked and timed)
#   PYTHON=cmd    Python interpreter (default python3)
#   LUA=cmd       Lua interpreter (default lua5.4)
#   LUAJIT=cmd    LuaJIT, run on the same .lua files as `cmd -joff` and `cmd`
#                 (default luajit); LUAJIT=none skips both
#   NODE=cmd      Node, run on NAME.js (default node); NODE=none skips it
#   RUNS=n        timed runs per command (default 5)
#   WARMUP=n      warm-up runs per command (default 1)
# lua5.4 and hyperfine are installed from Debian's packages when missing (the
# script stops if that fails); luajit and nodejs are installed too, and skipped
# with the reason printed if they cannot be.
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=benches/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
ALL=(fib loop script_loop mandelbrot sieve strmap binary_trees list_trees richards closures)

PYTHON=${PYTHON:-python3}
LUA=${LUA:-lua5.4}
LUAJIT=${LUAJIT:-luajit}
NODE=${NODE:-node}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}

# lib.sh's usage (the comment block above) and the list of benchmarks.
bench_usage() {
    usage
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
            bench_usage
            exit 0
            ;;
        -*)
            bench_usage >&2
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

# --- peers -----------------------------------------------------------------
# python3 must exist; lua5.4 and hyperfine come from Debian or the script
# stops; luajit and nodejs come from Debian or are skipped with the reason.
command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found (set PYTHON=...)"
# Time the interpreter itself, not a wrapper such as a pyenv shim (a shell
# script that would add its own start-up time to every run).
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
    die "'$PYTHON' could not report its executable"
[[ -x "$PYTHON" ]] || die "python executable '$PYTHON' is not runnable"

required=()
if ! command -v "$LUA" >/dev/null; then
    [[ "$LUA" == lua5.4 ]] || die "'$LUA' not found (unset LUA to install lua5.4)"
    required+=(lua5.4)
fi
command -v hyperfine >/dev/null || required+=(hyperfine)
if [[ ${#required[@]} -gt 0 ]]; then
    apt_install "${required[@]}" || die "missing ${required[*]}, and apt-get could not install them"
    for tool in "$LUA" hyperfine; do
        command -v "$tool" >/dev/null || die "'$tool' still missing after apt-get install"
    done
fi

# optional_peer VAR DEFAULT PACKAGE: keeps the command in VAR when it exists,
# else installs PACKAGE (only when VAR has its default); when that fails too,
# prints why and sets VAR to none. The reasons are repeated under the table.
skipped=()
optional_peer() {
    local var=$1 default=$2 package=$3 reason
    local cmd=${!var}
    [[ "$cmd" == none ]] && return 0
    command -v "$cmd" >/dev/null && return 0
    if [[ "$cmd" != "$default" ]]; then
        reason="'$cmd' not found (unset $var to install Debian's $package)"
    elif ! apt_install "$package"; then
        reason="not found, and Debian's $package could not be installed"
    elif ! command -v "$cmd" >/dev/null; then
        reason="'$cmd' still missing after apt-get install $package"
    else
        return 0
    fi
    note "skipping $cmd: $reason"
    skipped+=("$cmd: $reason")
    printf -v "$var" none
}
optional_peer LUAJIT luajit luajit
optional_peer NODE node nodejs

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
[[ "$LUAJIT" != none ]] && langs+=(luajit-joff luajit)
[[ "$NODE" != none ]] && langs+=(node)

# command_for LANG NAME: the shell command that runs benchmark NAME in LANG.
command_for() {
    case "$1" in
        weft) printf '%q %q' "$WEFT" "$BENCH_DIR/$2.weft" ;;
        python) printf '%q %q' "$PYTHON" "$BENCH_DIR/$2.py" ;;
        lua) printf '%q %q' "$LUA" "$BENCH_DIR/$2.lua" ;;
        # The .lua files keep to Lua 5.1 (LuaJIT's dialect), so both Luas run them.
        luajit-joff) printf '%q -joff %q' "$LUAJIT" "$BENCH_DIR/$2.lua" ;;
        luajit) printf '%q %q' "$LUAJIT" "$BENCH_DIR/$2.lua" ;;
        node) printf '%q %q' "$NODE" "$BENCH_DIR/$2.js" ;;
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
[[ "$LUAJIT" != none ]] && echo "== luajit: $("$LUAJIT" -v 2>&1)"
[[ "$NODE" != none ]] && echo "== node: $("$NODE" --version 2>&1)"
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
peers = ["python", "lua", "luajit-joff", "luajit", "node"]


def fmt(seconds):
    return "-" if seconds is None else f"{seconds:.3f}"


def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}"


header = ["benchmark", "weft (s)"] + [f"{p} (s)" for p in peers] + [f"weft/{p}" for p in peers]
rows = []
for name in names:
    with open(os.path.join(tmp, f"{name}.json")) as f:
        results = json.load(f)["results"]
    mean = {r["command"]: r["mean"] for r in results}
    w = mean.get("weft")
    rows.append(
        [name, fmt(w)]
        + [fmt(mean.get(p)) for p in peers]
        + [ratio(w, mean.get(p)) for p in peers]
    )

widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]


def line(cells):
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"


print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print(line(row))
EOF
for reason in "${skipped[@]}"; do
    echo "skipped $reason"
done
