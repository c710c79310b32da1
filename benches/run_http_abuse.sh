#!/usr/bin/env bash
# Latency of a light endpoint under abuse: Weft's `http.serve` (http_abuse.weft) against
# Node's `http` module (http_abuse_node.js) and a plain Python asyncio server on streams
# (http_abuse_asyncio.py). Each server answers `/` with "Hello, world!" and `/compute` after
# computing for COMPUTE_MS (a counting loop on the monotonic clock that never awaits).
#
# The client, http_abuse_client.py, probes `/` at RATE requests per second for DURATION
# seconds (open loop: requests start on schedule on idle keep-alive connections or new
# ones, so a stalled server cannot slow the probe down) and reports p50, p99 and max of the
# time from sending a request to reading its answer. Scenarios:
#   idle            the probe alone (the baseline);
#   compute         one connection requests /compute again and again, each as soon as the
#                   last is answered;
#   compute-paused  the same with PAUSE_MS between an answer and the next /compute;
#   slowloris       SLOWLORIS connections each send a request line and then one header
#                   byte every TRICKLE_MS, never finishing the head (reopened when the
#                   server closes them).
# A probe request not answered with 200 within GRACE seconds of the last one sent counts as
# infinitely slow. Each server is started afresh on 127.0.0.1 port 0 for every scenario
# (its first line says `listening on ADDR`) and checked first (`/` and `/compute` answer
# 200). With taskset and two cores the server runs on CPU 0 and the client on CPU 1.
#
# Usage: benches/run_http_abuse.sh
# Environment:
#   WEFT=path         use this weft binary instead of building target/release/weft
#   PYTHON=cmd        Python for the client and the asyncio server (default python3)
#   NODE=cmd          Node (default node; installed from Debian's nodejs when missing)
#   SERVERS="..."     servers to run, from: weft node asyncio (default all three)
#   SCENARIOS="..."   from: idle compute compute-paused slowloris (default all four)
#   DURATION=s        seconds of probing per scenario (default 15)
#   RATE=n            probe requests per second (default 200)
#   COMPUTE_MS=n      how long /compute computes (default 2000)
#   PAUSE_MS=n        pause between computes in compute-paused (default 500)
#   SLOWLORIS=n       slowloris connections (default 1000)
#   TRICKLE_MS=n      milliseconds between trickled bytes (default 1000)
#   GRACE=s           seconds to wait for the last answers (default 30)
#   RUNS=n            rounds; medians are reported (default 1)
#   SERVER_CPU=n      CPU for the servers, CLIENT_CPU=n CPU for the client (defaults 0 and 1)
# A server whose runtime is missing and cannot be installed is skipped with the reason.
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=benches/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
KNOWN_SERVERS=(weft node asyncio)
KNOWN_SCENARIOS=(idle compute compute-paused slowloris)

PYTHON=${PYTHON:-python3}
NODE=${NODE:-node}
read -r -a SERVERS <<<"${SERVERS:-weft node asyncio}"
read -r -a SCENARIOS <<<"${SCENARIOS:-idle compute compute-paused slowloris}"
DURATION=${DURATION:-15}
RATE=${RATE:-200}
COMPUTE_MS=${COMPUTE_MS:-2000}
PAUSE_MS=${PAUSE_MS:-500}
SLOWLORIS=${SLOWLORIS:-1000}
TRICKLE_MS=${TRICKLE_MS:-1000}
GRACE=${GRACE:-30}
RUNS=${RUNS:-1}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

only_help "$@"
for v in DURATION RATE COMPUTE_MS SLOWLORIS TRICKLE_MS GRACE RUNS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
for v in PAUSE_MS SERVER_CPU CLIENT_CPU; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[[ ${#SERVERS[@]} -gt 0 ]] || die "SERVERS is empty"
for s in "${SERVERS[@]}"; do
    [[ " ${KNOWN_SERVERS[*]} " == *" $s "* ]] || die "unknown server '$s' (known: ${KNOWN_SERVERS[*]})"
done
[[ ${#SCENARIOS[@]} -gt 0 ]] || die "SCENARIOS is empty"
for s in "${SCENARIOS[@]}"; do
    [[ " ${KNOWN_SCENARIOS[*]} " == *" $s "* ]] ||
        die "unknown scenario '$s' (known: ${KNOWN_SCENARIOS[*]})"
done

# --- tools -----------------------------------------------------------------------
command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found (set PYTHON=...)"
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
    die "'$PYTHON' could not report its executable"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 8))' ||
    die "the client needs Python 3.8 or later"

wants() { [[ " ${SERVERS[*]} " == *" $1 "* ]]; }
drop_server() {
    local keep=() s
    for s in "${SERVERS[@]}"; do
        [[ "$s" == "$1" ]] || keep+=("$s")
    done
    SERVERS=("${keep[@]}")
}

if wants node && ! command -v "$NODE" >/dev/null; then
    installed=0
    if [[ "$NODE" == node ]] && command -v apt-get >/dev/null; then
        sudo=()
        if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null; then sudo=(sudo); fi
        if [[ $(id -u) == 0 || ${#sudo[@]} -gt 0 ]]; then
            note "installing nodejs"
            "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y nodejs >&2 &&
                command -v node >/dev/null && installed=1
        fi
    fi
    if [[ $installed == 0 ]]; then
        if [[ "$NODE" == node ]]; then
            note "skipping node: not found, and Debian's nodejs could not be installed"
        else
            note "skipping node: '$NODE' not found (unset NODE to install Debian's nodejs)"
        fi
        drop_server node
    fi
fi
[[ ${#SERVERS[@]} -gt 0 ]] || die "no server left to run"

# Pin the server and the client to different cores when there are two and taskset exists.
server_pin=()
client_pin=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
    server_pin=(taskset -c "$SERVER_CPU")
    client_pin=(taskset -c "$CLIENT_CPU")
fi

# Descriptors: the slowloris connections, and at worst one probe connection per request.
need_fds=$((SLOWLORIS + RATE * DURATION + 256))
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $need_fds ]]; then
    if [[ $(ulimit -Hn) != unlimited && $(ulimit -Hn) -lt $need_fds ]]; then
        ulimit -Hn "$need_fds" 2>/dev/null ||
            die "need $need_fds descriptors; the hard limit is $(ulimit -Hn) (run as root, or lower SLOWLORIS, RATE or DURATION)"
    fi
    ulimit -n "$need_fds"
fi

# --- builds ----------------------------------------------------------------------
if wants weft; then
    if [[ -z "${WEFT:-}" ]]; then
        note "cargo build --release"
        command -v cargo >/dev/null || die "cargo not found (or set WEFT=...)"
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
fi
wants node && NODE=$(command -v "$NODE")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weft-http-abuse-bench.XXXXXX")
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
        weft) echo "$WEFT" "$BENCH_DIR/http_abuse.weft" ;;
        node) echo "$NODE" "$BENCH_DIR/http_abuse_node.js" ;;
        asyncio) echo "$PYTHON" "$BENCH_DIR/http_abuse_asyncio.py" ;;
    esac
}

# check_server: `/` answers 200 "Hello, world!" and `/compute` answers 200 after computing
# about COMPUTE_MS, on one keep-alive connection.
check_server() {
    "$PYTHON" - "$server_addr" "$COMPUTE_MS" <<'EOF'
import socket
import sys
import time

host, _, port = sys.argv[1].rpartition(":")
compute_s = int(sys.argv[2]) / 1000
s = socket.create_connection((host, int(port)), timeout=compute_s + 10)
f = s.makefile("rb")

def get(path):
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    status = f.readline()
    length = None
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None:
        sys.exit(f"GET {path}: no content-length")
    return status, f.read(length)

status, body = get("/")
if not status.startswith(b"HTTP/1.1 200 ") or body != b"Hello, world!":
    sys.exit(f"GET /: {status!r} {body!r}")
start = time.monotonic()
status, body = get("/compute")
took = time.monotonic() - start
if not status.startswith(b"HTTP/1.1 200 ") or not body.startswith(b"computed "):
    sys.exit(f"GET /compute: {status!r} {body!r}")
if took < compute_s * 0.9:
    sys.exit(f"GET /compute took {took:.3f} s, less than {compute_s} s")
EOF
}

# --- versions ----------------------------------------------------------------------
echo "== date: $(date -u +%Y-%m-%d)"
echo "== machine: $(nproc) cores, $(uname -srm)"
if [[ -r /proc/cpuinfo ]]; then
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fi
if wants weft; then
    weft_version=$("$WEFT" --version 2>/dev/null </dev/null | head -n1) || weft_version=""
    echo "== weft: $WEFT (${weft_version:-version unknown})"
fi
wants node && echo "== node: $("$NODE" --version 2>&1)"
echo "== python: $("$PYTHON" --version 2>&1)"
if [[ ${#server_pin[@]} -gt 0 ]]; then
    echo "== pinning: servers on CPU $SERVER_CPU, client on CPU $CLIENT_CPU (taskset)"
else
    echo "== pinning: none (no taskset, or a single core)"
fi
echo "== servers: ${SERVERS[*]}; scenarios: ${SCENARIOS[*]}"
echo "== probe: GET / at $RATE/s for ${DURATION}s; /compute ${COMPUTE_MS} ms (pause ${PAUSE_MS} ms in compute-paused);" \
    "$SLOWLORIS slowloris connections, a byte every ${TRICKLE_MS} ms; $RUNS rounds"

# --- correctness -------------------------------------------------------------------
for name in "${SERVERS[@]}"; do
    start_server "$name" 127.0.0.1:0 "$COMPUTE_MS" || die "$name did not start"
    if ! check_server; then
        stop_server
        die "$name answered the check requests wrongly"
    fi
    stop_server
    echo "ok   $name"
done

# --- scenarios ---------------------------------------------------------------------
problems=0
for ((round = 1; round <= RUNS; round++)); do
    for scenario in "${SCENARIOS[@]}"; do
        common=(--duration "$DURATION" --rate "$RATE" --grace "$GRACE")
        case "$scenario" in
            compute) extra=(compute) ;;
            compute-paused)
                extra=(compute --pause "$(awk -v ms="$PAUSE_MS" 'BEGIN { print ms / 1000 }')")
                ;;
            slowloris)
                extra=(slowloris --slowloris "$SLOWLORIS"
                    --trickle "$(awk -v ms="$TRICKLE_MS" 'BEGIN { print ms / 1000 }')")
                ;;
            *) extra=(idle) ;;
        esac
        for name in "${SERVERS[@]}"; do
            start_server "$name" 127.0.0.1:0 "$COMPUTE_MS" || die "$name did not start"
            if ! "${client_pin[@]}" "$PYTHON" "$BENCH_DIR/http_abuse_client.py" "$server_addr" \
                "${extra[@]}" "${common[@]}" >"$tmp/client.out" 2>"$tmp/client.err"; then
                cat "$tmp/client.err" >&2
                die "the client failed against $name ($scenario)"
            fi
            alive=yes
            kill -0 "$server_pid" 2>/dev/null || alive=no
            stop_server
            "$PYTHON" - "$name" "$scenario" "$round" "$alive" "$tmp/client.out" >>"$tmp/results.jsonl" <<'EOF'
import json
import sys

name, scenario, round_, alive, path = sys.argv[1:]
r = json.load(open(path))
r.update(server=name, scenario_name=scenario, round=int(round_), alive=alive == "yes")
print(json.dumps(r))
EOF
            "$PYTHON" - "$tmp/results.jsonl" <<'EOF'
import json
import sys

r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
p = r["probe"]
ms = lambda x: "inf" if x is None or x == float("inf") else f"{x * 1000:.1f}"
line = (f"{r['server']:<8} {r['scenario_name']:<15} round {r['round']}: p50 {ms(p['p50'])} ms, "
        f"p99 {ms(p['p99'])} ms, max {ms(p['max'])} ms; {p['ok']}/{p['sent']} answered, "
        f"{p['connections_opened']} probe conns")
if "compute_seconds" in r:
    line += f"; computes {r['compute_seconds']}"
if "slowloris" in r:
    s = r["slowloris"]
    line += (f"; slowloris open {s['open_at_end']}/{s['connections']}, closed by server "
             f"{s['closed_by_server']}, answers {s['answers'] or '-'}")
bad = []
if p["errors"]:
    bad.append(f"probe errors {p['errors']}")
if p["unfinished"]:
    bad.append(f"{p['unfinished']} probe requests unanswered after the grace period")
if r.get("compute_errors"):
    bad.append(f"compute errors {r['compute_errors']}")
if r.get("slowloris", {}).get("connect_errors"):
    bad.append(f"slowloris connect errors {r['slowloris']['connect_errors']}")
if r.get("slowloris_setup"):
    bad.append(r["slowloris_setup"])
if not r["alive"]:
    bad.append("THE SERVER DIED")
print(line + ("; PROBLEMS: " + "; ".join(bad) if bad else ""))
EOF
            if [[ -s "$tmp/$name.err" ]]; then
                echo "NOTE $name wrote to stderr:" >&2
                sed 's/^/    /' "$tmp/$name.err" | head -n 20 >&2
                problems=1
            fi
        done
    done
done

# --- table -------------------------------------------------------------------------
echo
"$PYTHON" - "$tmp/results.jsonl" "$COMPUTE_MS" <<'EOF'
import json
import math
import statistics
import sys

runs = [json.loads(line) for line in open(sys.argv[1])]
compute_ms = int(sys.argv[2])
servers, scenarios = [], []
for r in runs:
    if r["server"] not in servers:
        servers.append(r["server"])
    if r["scenario_name"] not in scenarios:
        scenarios.append(r["scenario_name"])

def med(values):
    values = [math.inf if v is None else v for v in values]
    return statistics.median(values)

def ms(x):
    return "∞" if x == math.inf else f"{x * 1000:,.1f}"

header = ["scenario", "server", "p50 (ms)", "p99 (ms)", "max (ms)", "answered", "notes"]
table = []
p99 = {}
for scenario in scenarios:
    for server in servers:
        rs = [r for r in runs if r["server"] == server and r["scenario_name"] == scenario]
        if not rs:
            continue
        probes = [r["probe"] for r in rs]
        p99[(scenario, server)] = med(p["p99"] for p in probes)
        notes = []
        computes = [len(r.get("compute_seconds", [])) for r in rs]
        if "compute_seconds" in rs[0]:
            notes.append(f"{statistics.median(computes):g} computes")
        if "slowloris" in rs[0]:
            s = [r["slowloris"] for r in rs]
            notes.append(
                f"slowloris closed by server: {statistics.median(x['closed_by_server'] for x in s):g}"
            )
        failed = sum(p["sent"] - p["ok"] for p in probes)
        if failed:
            notes.append(f"{failed} probe requests failed or unanswered")
        if not all(r["alive"] for r in rs):
            notes.append("server died")
        table.append([
            scenario, server, ms(med(p["p50"] for p in probes)), ms(p99[(scenario, server)]),
            ms(max(math.inf if p["max"] is None else p["max"] for p in probes)),
            f"{sum(p['ok'] for p in probes)}/{sum(p['sent'] for p in probes)}", "; ".join(notes),
        ])
widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
fmt = lambda cells: "| " + " | ".join(x.ljust(n) for x, n in zip(cells, widths)) + " |"
print(f"Latency of GET / (medians of {max(r['round'] for r in runs)} rounds; max: the worst of all).")
print(fmt(header))
print("|" + "|".join("-" * (n + 2) for n in widths) + "|")
for r in table:
    print(fmt(r))
print()
for scenario in scenarios:
    if scenario.startswith("compute"):
        kept = ", ".join(
            f"{s} {'yes' if p99[(scenario, s)] < compute_ms / 1000 / 10 else 'no'}"
            for s in servers if (scenario, s) in p99
        )
        print(f"{scenario}: p99 of / below a tenth of the compute time ({compute_ms / 10:g} ms): {kept}")
EOF
if [[ $problems != 0 ]]; then
    echo "NOTE: some servers wrote to stderr (see above)"
fi
