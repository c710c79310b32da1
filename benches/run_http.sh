#!/usr/bin/env bash
# Load-tests four keep-alive hello-world HTTP/1.1 servers with wrk: Weft on raw `net`
# (http_raw.weft), Python asyncio as a Protocol (http_asyncio.py) and, written the way the
# Weft server is, on streams (http_asyncio_streams.py), and a single-threaded Rust server on
# the `polling` crate (http_ceiling/, the ceiling of what one core serves here).
#
# Each server is started on 127.0.0.1 port 0 (its first line says `listening on ADDR`),
# checked with two pipelined requests (the second with `Connection: close`), warmed up with
# a short wrk run, then loaded with `wrk -t1 -c50 -d10s`. The server's CPU time (utime +
# stime from /proc/PID/stat) is read before and after the measured run. With taskset and two
# or more cores, the server runs on CPU 0 and wrk on CPU 1. The servers take turns, RUNS
# rounds; the medians are reported: requests/sec, requests per server CPU-second, CPU time
# per request, the server's CPU use, and the ratios of Weft to each of the others.
#
# Usage: benches/run_http.sh
# Environment:
#   WEFT=path       use this weft binary instead of building target/release/weft
#   PYTHON=cmd      Python interpreter (default python3)
#   DURATION=s      seconds of each measured wrk run (default 10)
#   WARMUP=s        seconds of the wrk warm-up before each measured run (default 2; 0: none)
#   CONNS=n         wrk connections (default 50)
#   RUNS=n          rounds over the four servers (default 3)
#   SERVER_CPU=n    CPU for the servers, WRK_CPU=n CPU for wrk (defaults 0 and 1)
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=benches/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
SERVERS=(weft asyncio asyncio-streams ceiling)

PYTHON=${PYTHON:-python3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNS=${CONNS:-50}
RUNS=${RUNS:-3}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}

only_help "$@"
for v in DURATION CONNS RUNS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
for v in WARMUP SERVER_CPU WRK_CPU; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done

# --- tools: python3 and cargo must exist; wrk comes from Debian ----------------
command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found (set PYTHON=...)"
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
    die "'$PYTHON' could not report its executable"
command -v cargo >/dev/null || die "cargo not found"
if ! command -v wrk >/dev/null; then
    command -v apt-get >/dev/null || die "wrk is missing and there is no apt-get to install it"
    sudo=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || die "wrk is missing: run as root or install sudo"
        sudo=(sudo)
    fi
    echo "run_http.sh: installing wrk" >&2
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y wrk
    command -v wrk >/dev/null || die "wrk still missing after apt-get install"
fi

# Pin the server and wrk to different cores when there are two and taskset exists.
server_pin=()
wrk_pin=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
    server_pin=(taskset -c "$SERVER_CPU")
    wrk_pin=(taskset -c "$WRK_CPU")
fi

# --- builds --------------------------------------------------------------------
if [[ -z "${WEFT:-}" ]]; then
    echo "run_http.sh: cargo build --release" >&2
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
echo "run_http.sh: building benches/http_ceiling" >&2
CEILING_TARGET="$BENCH_DIR/http_ceiling/target"
cargo build --release --quiet --manifest-path "$BENCH_DIR/http_ceiling/Cargo.toml" \
    --target-dir "$CEILING_TARGET"
CEILING="$CEILING_TARGET/release/http_ceiling"
[[ -x "$CEILING" ]] || die "cargo build succeeded but $CEILING is not an executable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weft-http-bench.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf -- "$tmp"
}
trap cleanup EXIT

server_command() {
    case "$1" in
        weft) echo "$WEFT" "$BENCH_DIR/http_raw.weft" ;;
        asyncio) echo "$PYTHON" "$BENCH_DIR/http_asyncio.py" ;;
        asyncio-streams) echo "$PYTHON" "$BENCH_DIR/http_asyncio_streams.py" ;;
        ceiling) echo "$CEILING" ;;
    esac
}


# check_server NAME: two pipelined requests, the second with `Connection: close`; the server
# must answer both and then close the connection.
check_server() {
    "$PYTHON" - "$server_addr" <<'EOF'
import socket
import sys

host, _, port = sys.argv[1].rpartition(":")
body = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n"
want = body + b"\r\nHello, world!" + body + b"Connection: close\r\n\r\nHello, world!"
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
got = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
if got != want:
    sys.exit(f"unexpected answer: {got!r}")
EOF
}

# --- versions --------------------------------------------------------------------
echo "== date: $(date -u +%Y-%m-%d)"
echo "== machine: $(nproc) cores, $(uname -srm)"
if [[ -r /proc/cpuinfo ]]; then
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fi
weft_version=$("$WEFT" --version 2>/dev/null </dev/null | head -n1) || weft_version=""
echo "== weft: $WEFT (${weft_version:-version unknown})"
echo "== python: $("$PYTHON" --version 2>&1)"
echo "== $(wrk --version 2>&1 | head -n1)"
if [[ ${#server_pin[@]} -gt 0 ]]; then
    echo "== pinning: servers on CPU $SERVER_CPU, wrk on CPU $WRK_CPU (taskset)"
else
    echo "== pinning: none (no taskset, or a single core)"
fi
echo "== load: wrk -t1 -c$CONNS -d${DURATION}s (warm-up ${WARMUP}s), $RUNS rounds"

# --- correctness -------------------------------------------------------------------
for name in "${SERVERS[@]}"; do
    start_server "$name" || die "$name did not start"
    if ! check_server; then
        stop_server
        die "$name answered the check requests wrongly"
    fi
    stop_server
    echo "ok   $name"
done

# --- load --------------------------------------------------------------------------
url_of() { echo "http://$server_addr/"; }
for ((round = 1; round <= RUNS; round++)); do
    for name in "${SERVERS[@]}"; do
        start_server "$name" || die "$name did not start"
        if [[ "$WARMUP" != 0 ]]; then
            "${wrk_pin[@]}" wrk -t1 -c"$CONNS" -d"${WARMUP}s" "$(url_of)" >/dev/null
        fi
        before=$(cpu_ticks "$server_pid") || die "$name died during the warm-up"
        "${wrk_pin[@]}" wrk -t1 -c"$CONNS" -d"${DURATION}s" "$(url_of)" >"$tmp/wrk.out"
        after=$(cpu_ticks "$server_pid") || die "$name died during the run"
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status")
        stop_server
        if [[ -s "$tmp/$name.err" ]]; then
            echo "NOTE $name wrote to stderr:" >&2
            sed 's/^/    /' "$tmp/$name.err" | head -n 20 >&2
        fi
        # "  123456 requests in 10.01s, 9.18MB read"
        requests=$(awk '/ requests in / { print $1 }' "$tmp/wrk.out")
        seconds=$(awk '/ requests in / { sub(/s,$/, "", $4); print $4 }' "$tmp/wrk.out")
        rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
        errors=$(awk '/Socket errors|Non-2xx/ { printf "%s; ", $0 }' "$tmp/wrk.out")
        [[ -n "$requests" && -n "$rps" ]] || {
            cat "$tmp/wrk.out" >&2
            die "could not read wrk's output for $name"
        }
        read -r user sys < <(awk -v b="$before" -v a="$after" -v hz="$HZ" 'BEGIN {
            split(b, x, " "); split(a, y, " ")
            printf "%.2f %.2f\n", (y[1] - x[1]) / hz, (y[2] - x[2]) / hz }')
        echo "$name $round $requests $seconds $rps $user $sys $rss" >>"$tmp/results.txt"
        printf '%-15s round %d: %9s req/s, %8s requests in %ss, server CPU user %ss + sys %ss, RSS %s KiB%s\n' \
            "$name" "$round" "$rps" "$requests" "$seconds" "$user" "$sys" "$rss" \
            "${errors:+, wrk: $errors}"
    done
done

# --- table -------------------------------------------------------------------------
echo
"$PYTHON" - "$tmp/results.txt" <<'EOF'
import statistics
import sys

rows = {}
for line in open(sys.argv[1]):
    name, _round, requests, seconds, rps, user, sys_, rss = line.split()
    r = (int(requests), float(seconds), float(rps), float(user) + float(sys_), int(rss), float(user), float(sys_))
    rows.setdefault(name, []).append(r)

med = {}
for name, runs in rows.items():
    rps = statistics.median(r[2] for r in runs)
    per_cpu = statistics.median(r[0] / r[3] if r[3] > 0 else float("inf") for r in runs)
    use = statistics.median(r[3] / r[1] for r in runs)
    rss = max(r[4] for r in runs)
    user_us = statistics.median(r[5] * 1e6 / r[0] for r in runs)
    sys_us = statistics.median(r[6] * 1e6 / r[0] for r in runs)
    med[name] = (rps, per_cpu, use, rss, user_us, sys_us)

names = ["weft", "asyncio", "asyncio-streams", "ceiling"]
header = [
    "server", "requests/s", "requests per CPU-second", "CPU µs per request (user + sys)",
    "server CPU use", "RSS after (KiB)",
]
table = [
    [
        n, f"{med[n][0]:,.0f}", f"{med[n][1]:,.0f}",
        f"{med[n][4]:.2f} + {med[n][5]:.2f}", f"{med[n][2] * 100:.0f}%", f"{med[n][3]:,}",
    ]
    for n in names
]
w, a, c = med["weft"], med["asyncio"], med["ceiling"]  # floor and aim below
for other in names[1:]:
    o = med[other]
    table.append([f"weft/{other}", f"{w[0] / o[0]:.2f}", f"{w[1] / o[1]:.2f}", "", "", ""])
widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
fmt = lambda cells: "| " + " | ".join(x.ljust(n) for x, n in zip(cells, widths)) + " |"
print(f"Medians of {len(rows['weft'])} runs each.")
print(fmt(header))
print("|" + "|".join("-" * (n + 2) for n in widths) + "|")
for r in table:
    print(fmt(r))
print()
floor = "met" if w[1] >= a[1] else "NOT met"
aim = "met" if w[1] >= c[1] / 2 else "not met"
print(f"floor (weft requests per CPU-second >= asyncio's): {floor}")
print(f"aim (weft requests per CPU-second >= half the ceiling's): {aim}")
EOF
