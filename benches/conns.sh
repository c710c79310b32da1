#!/usr/bin/env bash
# Measures what an open connection costs a line echo server, and checks that reset
# connections give their descriptors back: Weft (echo_conns.weft, a task per connection)
# against Python asyncio (echo_conns.py, a coroutine per connection).
#
# For each server: start it on 127.0.0.1 port 0 (its first line says `listening on ADDR`),
# then run conns_client.py, which opens CONNS connections (at most CONCURRENCY connecting at
# once), sends one line on each and checks the echo, keeps them all open, reads the server's
# VmRSS and descriptor count, and reports (RSS with the connections - RSS before) / CONNS
# bytes per connection (and, as a check, the slope of RSS over the connection count, read
# after each tenth of them). It then resets every connection (SO_LINGER 0 and close) and polls
# the server's descriptor count (/proc/PID/fd) until it is back at its count before the
# connections, for up to WAIT seconds. The servers take turns, RUNS rounds; the medians
# are reported. `ulimit -n` is raised for the servers and the client.
#
# Usage: benches/conns.sh
# Environment:
#   WEFT=path        use this weft binary instead of building target/release/weft
#   PYTHON=cmd       Python interpreter (default python3)
#   CONNS=n          connections held open at once (default 10000)
#   CONCURRENCY=n    connections being opened at once (default 200)
#   WAIT=s           seconds to wait for the descriptors to come back (default 10)
#   RUNS=n           rounds over the two servers (default 3)
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=benches/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
SERVERS=(weft asyncio)

PYTHON=${PYTHON:-python3}
CONNS=${CONNS:-10000}
CONCURRENCY=${CONCURRENCY:-200}
WAIT=${WAIT:-10}
RUNS=${RUNS:-3}

only_help "$@"
for v in CONNS CONCURRENCY WAIT RUNS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done

command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found (set PYTHON=...)"
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
    die "'$PYTHON' could not report its executable"

# --- descriptors: each side holds CONNS sockets at once ------------------------
need=$((CONNS + 256))
hard=$(ulimit -Hn)
if [[ "$hard" != unlimited && "$hard" -lt "$need" ]]; then
    ulimit -Hn "$need" 2>/dev/null ||
        die "the hard descriptor limit is $hard, below the $need needed, and cannot be raised here (lower CONNS)"
fi
soft=$(ulimit -Sn)
if [[ "$soft" != unlimited && "$soft" -lt "$need" ]]; then
    ulimit -Sn "$need" || die "cannot raise the descriptor limit to $need"
fi

# --- weft ---------------------------------------------------------------------
if [[ -z "${WEFT:-}" ]]; then
    echo "conns.sh: cargo build --release" >&2
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weft-conns-bench.XXXXXX")
server_pid=""
server_pin=()

# server_command NAME: the command line that starts server NAME.
server_command() {
    case "$1" in
        weft) echo "$WEFT $BENCH_DIR/echo_conns.weft" ;;
        asyncio) echo "$PYTHON $BENCH_DIR/echo_conns.py" ;;
    esac
}

cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf -- "$tmp"
}
trap cleanup EXIT

echo "== date: $(date -u +%Y-%m-%d)"
echo "== machine: $(nproc) cores, $(uname -srm)"
if [[ -r /proc/cpuinfo ]]; then
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fi
weft_version=$("$WEFT" --version 2>/dev/null </dev/null | head -n1) || weft_version=""
echo "== weft: $WEFT (${weft_version:-version unknown})"
echo "== python: $("$PYTHON" --version 2>&1)"
echo "== $CONNS connections ($CONCURRENCY connecting at once), ulimit -n $(ulimit -n), $RUNS rounds"

failed=0
for ((round = 1; round <= RUNS; round++)); do
    for name in "${SERVERS[@]}"; do
        echo
        echo "== $name, round $round"
        start_server "$name" || die "$name did not start"
        status=0
        "$PYTHON" "$BENCH_DIR/conns_client.py" "$server_addr" "$server_pid" "$CONNS" \
            "$CONCURRENCY" "$WAIT" >"$tmp/client.out" || status=$?
        grep -v '^result ' "$tmp/client.out" || true
        alive=yes
        kill -0 "$server_pid" 2>/dev/null || alive=no
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
        if [[ -s "$tmp/$name.err" ]]; then
            echo "NOTE $name wrote to stderr ($(wc -l <"$tmp/$name.err") lines; the first 20):" >&2
            head -n 20 "$tmp/$name.err" | sed 's/^/    /' >&2
        fi
        if [[ $alive == no ]]; then
            echo "FAIL $name: the server died during the run" >&2
            failed=1
        fi
        if [[ $status != 0 ]]; then
            echo "FAIL $name: the client reported a problem (status $status)" >&2
            failed=1
        fi
        result=$(sed -n 's/^result //p' "$tmp/client.out")
        [[ -n "$result" ]] && echo "$name $result" >>"$tmp/results.txt"
    done
done
[[ -s "$tmp/results.txt" ]] || die "no measurements"

echo
"$PYTHON" - "$tmp/results.txt" "$CONNS" <<'EOF'
import statistics
import sys

conns = int(sys.argv[2])
rows = {}
for line in open(sys.argv[1]):
    name, *fields = line.split()
    rows.setdefault(name, []).append([float(f) for f in fields])


def med(name, i):
    return statistics.median(r[i] for r in rows[name])


names = [n for n in ["weft", "asyncio"] if n in rows]
header = ["", *names]
table = [
    ["RSS before (KiB)"] + [f"{med(n, 0):,.0f}" for n in names],
    [f"RSS with {conns:,} conns (KiB)"] + [f"{med(n, 1):,.0f}" for n in names],
    ["bytes per connection"] + [f"{med(n, 2):,.0f}" for n in names],
    ["slope of RSS over the tenths (bytes/conn)"] + [f"{med(n, 8):,.0f}" for n in names],
    ["descriptors before / with / after reset"]
    + [f"{med(n, 3):.0f} / {med(n, 4):.0f} / {max(r[5] for r in rows[n]):.0f}" for n in names],
    ["seconds until back (worst)"] + [f"{max(r[6] for r in rows[n]):.2f}" for n in names],
    ["RSS after reset (KiB)"] + [f"{med(n, 7):,.0f}" for n in names],
]
widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
fmt = lambda cells: "| " + " | ".join(x.ljust(w) for x, w in zip(cells, widths)) + " |"
print(f"Medians of {len(rows[names[0]])} runs each.")
print(fmt(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in table:
    print(fmt(r))
print()
if "weft" in rows:
    per = med("weft", 2)
    print(f"floor (weft < 4096 bytes per connection): {'met' if per < 4096 else 'NOT met'}")
    print(f"aim (weft < 2048 bytes per connection): {'met' if per < 2048 else 'not met'}")
EOF
[[ $failed == 0 ]] || die "some runs failed (see above)"
