#!/usr/bin/env bash
# Load-tests three keep-alive hello-world HTTP/1.1 servers with wrk: Weft's `http.serve`
# (http_serve.weft), Node's `http` module (http_node.js) and Go's `net/http` run with
# GOMAXPROCS=1 (http_go/), at 64 and at 1,000 connections.
#
# Each server is started on 127.0.0.1 port 0 (its first line says `listening on ADDR`),
# checked with two pipelined requests (the second with `Connection: close`), warmed up with
# a short wrk run, then loaded with `wrk -t1 -cN -d10s --latency` for each N in CONNS. The
# server's CPU time (utime + stime of all its threads, from /proc/PID/stat) is read before
# and after the measured run. With taskset and two or more cores, the server runs on CPU 0
# and wrk on CPU 1. The servers take turns, RUNS rounds; the medians are reported for each
# connection count: requests/s, requests per server CPU-second, CPU time per request, the
# server's CPU use, wrk's p99 latency and errors, and the ratios of Weft to Node and to Go.
#
# Usage: benches/run_http_serve.sh
# Environment:
#   WEFT=path       use this weft binary instead of building target/release/weft
#   PYTHON=cmd      Python interpreter for the checks and the tables (default python3)
#   NODE=cmd        Node (default node; installed from Debian's nodejs when missing)
#   GO=cmd          Go toolchain that builds http_go/ (default go; Debian's golang-go)
#   SERVERS="..."   servers to run, from: weft node go weft-raw (default "weft node go";
#                   weft-raw is http_raw.weft, Weft on raw `net`, for reference)
#   DURATION=s      seconds of each measured wrk run (default 10)
#   WARMUP=s        seconds of the wrk warm-up before each measured run (default 2; 0: none)
#   CONNS="n ..."   wrk connection counts (default "64 1000")
#   RUNS=n          rounds over the servers and connection counts (default 3)
#   SERVER_CPU=n    CPU for the servers, WRK_CPU=n CPU for wrk (defaults 0 and 1)
# A server whose runtime is missing and cannot be installed is skipped with the reason.
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=benches/lib.sh
source "$BENCH_DIR/lib.sh"
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
KNOWN=(weft node go weft-raw)

PYTHON=${PYTHON:-python3}
NODE=${NODE:-node}
GO=${GO:-go}
read -r -a SERVERS <<<"${SERVERS:-weft node go}"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
read -r -a CONNS <<<"${CONNS:-64 1000}"
RUNS=${RUNS:-3}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}

only_help "$@"
for v in DURATION RUNS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
for v in WARMUP SERVER_CPU WRK_CPU; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[[ ${#CONNS[@]} -gt 0 ]] || die "CONNS is empty"
for c in "${CONNS[@]}"; do
    [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CONNS must hold positive integers, got '$c'"
done
[[ ${#SERVERS[@]} -gt 0 ]] || die "SERVERS is empty"
for s in "${SERVERS[@]}"; do
    [[ " ${KNOWN[*]} " == *" $s "* ]] || die "unknown server '$s' (known: ${KNOWN[*]})"
done

# --- tools -----------------------------------------------------------------------
command -v "$PYTHON" >/dev/null || die "'$PYTHON' not found (set PYTHON=...)"
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
    die "'$PYTHON' could not report its executable"

wants() { [[ " ${SERVERS[*]} " == *" $1 "* ]]; }
drop_server() {
    local keep=() s
    for s in "${SERVERS[@]}"; do
        [[ "$s" == "$1" ]] || keep+=("$s")
    done
    SERVERS=("${keep[@]}")
}

if ! command -v wrk >/dev/null; then
    apt_install wrk || die "wrk is missing and could not be installed"
    command -v wrk >/dev/null || die "wrk still missing after apt-get install"
fi
if wants node && ! command -v "$NODE" >/dev/null; then
    if [[ "$NODE" == node ]] && apt_install nodejs && command -v node >/dev/null; then
        :
    else
        if [[ "$NODE" == node ]]; then
            note "skipping node: not found, and Debian's nodejs could not be installed"
        else
            note "skipping node: '$NODE' not found (unset NODE to install Debian's nodejs)"
        fi
        drop_server node
    fi
fi
if wants go && ! command -v "$GO" >/dev/null; then
    if [[ "$GO" == go ]] && apt_install golang-go && command -v go >/dev/null; then
        :
    else
        if [[ "$GO" == go ]]; then
            note "skipping go: not found, and Debian's golang-go could not be installed"
        else
            note "skipping go: '$GO' not found (unset GO to install Debian's golang-go)"
        fi
        drop_server go
    fi
fi
[[ ${#SERVERS[@]} -gt 0 ]] || die "no server left to run"

# Pin the server and wrk to different cores when there are two and taskset exists.
server_pin=()
wrk_pin=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
    server_pin=(taskset -c "$SERVER_CPU")
    wrk_pin=(taskset -c "$WRK_CPU")
fi

# Each side holds one descriptor per connection, plus a few.
max_conns=0
for c in "${CONNS[@]}"; do
    ((c > max_conns)) && max_conns=$c
done
need_fds=$((max_conns + 256))
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $need_fds ]]; then
    if [[ $(ulimit -Hn) != unlimited && $(ulimit -Hn) -lt $need_fds ]]; then
        ulimit -Hn "$need_fds" 2>/dev/null ||
            die "need $need_fds descriptors; the hard limit is $(ulimit -Hn) (run as root, or lower CONNS)"
    fi
    ulimit -n "$need_fds"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weft-http-serve-bench.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf -- "$tmp"
}
trap cleanup EXIT

# --- builds ----------------------------------------------------------------------
if wants weft || wants weft-raw; then
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
if wants node; then
    NODE=$(command -v "$NODE")
fi
if wants go; then
    # Go's build cache needs a home; give it the temp dir when there is none.
    [[ -n "${GOCACHE:-}${XDG_CACHE_HOME:-}${HOME:-}" ]] || export GOCACHE="$tmp/gocache"
    note "building benches/http_go"
    if ! (cd "$BENCH_DIR/http_go" && "$GO" build -o "$tmp/http_go" .); then
        note "skipping go: go build failed"
        drop_server go
        [[ ${#SERVERS[@]} -gt 0 ]] || die "no server left to run"
    fi
fi

server_command() {
    case "$1" in
        weft) echo "$WEFT" "$BENCH_DIR/http_serve.weft" ;;
        weft-raw) echo "$WEFT" "$BENCH_DIR/http_raw.weft" ;;
        node) echo "$NODE" "$BENCH_DIR/http_node.js" ;;
        # env execs the server, so the pid stays the server's.
        go) echo env GOMAXPROCS=1 "$tmp/http_go" ;;
    esac
}


# check_server: two pipelined requests, the second with `Connection: close`; both must get
# 200 with the body "Hello, world!" and a content-length, then the server must close.
check_server() {
    "$PYTHON" - "$server_addr" <<'EOF'
import socket
import sys

host, _, port = sys.argv[1].rpartition(":")
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
got = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
rest = got
for i in range(2):
    head, sep, rest = rest.partition(b"\r\n\r\n")
    if not sep:
        sys.exit(f"response {i + 1}: no complete head in {got!r}")
    lines = head.split(b"\r\n")
    if not lines[0].startswith(b"HTTP/1.1 200 "):
        sys.exit(f"response {i + 1}: status line {lines[0]!r}")
    headers = dict(
        (k.strip().lower(), v.strip()) for k, _, v in (line.partition(b":") for line in lines[1:])
    )
    if headers.get(b"content-length") != b"13":
        sys.exit(f"response {i + 1}: content-length {headers.get(b'content-length')!r}")
    body, rest = rest[:13], rest[13:]
    if body != b"Hello, world!":
        sys.exit(f"response {i + 1}: body {body!r}")
if rest:
    sys.exit(f"bytes after the second response: {rest!r}")
EOF
}

# --- versions ----------------------------------------------------------------------
echo "== date: $(date -u +%Y-%m-%d)"
echo "== machine: $(nproc) cores, $(uname -srm)"
if [[ -r /proc/cpuinfo ]]; then
    echo "== cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
fi
if wants weft || wants weft-raw; then
    weft_version=$("$WEFT" --version 2>/dev/null </dev/null | head -n1) || weft_version=""
    echo "== weft: $WEFT (${weft_version:-version unknown})"
fi
wants node && echo "== node: $("$NODE" --version 2>&1)"
wants go && echo "== go: $("$GO" version 2>&1), GOMAXPROCS=1"
echo "== $(wrk --version 2>&1 | head -n1)"
if [[ ${#server_pin[@]} -gt 0 ]]; then
    echo "== pinning: servers on CPU $SERVER_CPU, wrk on CPU $WRK_CPU (taskset)"
else
    echo "== pinning: none (no taskset, or a single core)"
fi
echo "== servers: ${SERVERS[*]}"
echo "== load: wrk -t1 -c{${CONNS[*]}} -d${DURATION}s --latency (warm-up ${WARMUP}s), $RUNS rounds"

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

# parse_wrk FILE: "REQUESTS SECONDS RPS SOCKET_ERRORS NON_2XX P99" from the wrk report lines:
#   "  123456 requests in 10.01s, 9.18MB read"
#   "  Socket errors: connect 0, read 12, write 0, timeout 3"
#   "  Non-2xx or 3xx responses: 5"
#   "     99%    1.23ms"
parse_wrk() {
    awk '
        / requests in / { requests = $1; seconds = $4; sub(/s,$/, "", seconds) }
        /^Requests\/sec:/ { rps = $2 }
        /Socket errors:/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { n = $i; sub(/,/, "", n); sockerr += n }
        }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        $1 == "99%" { p99 = $2 }
        END { printf "%s %s %s %d %d %s\n", requests, seconds, rps, sockerr, non2xx, p99 }
    ' "$1"
}

# --- load --------------------------------------------------------------------------
problems=0
for ((round = 1; round <= RUNS; round++)); do
    for conns in "${CONNS[@]}"; do
        for name in "${SERVERS[@]}"; do
            start_server "$name" || die "$name did not start"
            url="http://$server_addr/"
            if [[ "$WARMUP" != 0 ]]; then
                "${wrk_pin[@]}" wrk -t1 -c"$conns" -d"${WARMUP}s" "$url" >/dev/null
            fi
            before=$(cpu_ticks "$server_pid") || die "$name died during the warm-up"
            "${wrk_pin[@]}" wrk -t1 -c"$conns" -d"${DURATION}s" --latency "$url" >"$tmp/wrk.out"
            after=$(cpu_ticks "$server_pid") || die "$name died during the run"
            rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status")
            stop_server
            read -r requests seconds rps sockerr non2xx p99 < <(parse_wrk "$tmp/wrk.out")
            [[ -n "$requests" && -n "$rps" && -n "$p99" ]] || {
                cat "$tmp/wrk.out" >&2
                die "could not read wrk's output for $name"
            }
            read -r user sys < <(awk -v b="$before" -v a="$after" -v hz="$HZ" 'BEGIN {
                split(b, x, " "); split(a, y, " ")
                printf "%.2f %.2f\n", (y[1] - x[1]) / hz, (y[2] - x[2]) / hz }')
            echo "$name $conns $round $requests $seconds $rps $user $sys $rss $p99 $sockerr $non2xx" \
                >>"$tmp/results.txt"
            printf '%-8s c=%-5s round %d: %9s req/s, %8s requests in %ss, CPU user %ss + sys %ss, RSS %s KiB, p99 %s' \
                "$name" "$conns" "$round" "$rps" "$requests" "$seconds" "$user" "$sys" "$rss" "$p99"
            if [[ "$sockerr" != 0 || "$non2xx" != 0 ]]; then
                printf ', wrk: %s' "$(awk '/Socket errors|Non-2xx/ { sub(/^ +/, ""); printf "%s; ", $0 }' "$tmp/wrk.out")"
                problems=1
            fi
            echo
            if [[ -s "$tmp/$name.err" ]]; then
                echo "NOTE $name wrote to stderr:" >&2
                sed 's/^/    /' "$tmp/$name.err" | head -n 20 >&2
                problems=1
            fi
        done
    done
done

# --- tables ------------------------------------------------------------------------
echo
"$PYTHON" - "$tmp/results.txt" <<'EOF'
import statistics
import sys

def seconds(latency):
    """wrk's latency ("812.00us", "1.23ms", "2.00s", "1.02m") in seconds."""
    for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)):
        if latency.endswith(unit):
            return float(latency[: -len(unit)]) * scale
    return float(latency)

rows = {}
order = []
for line in open(sys.argv[1]):
    name, conns, _round, requests, secs, rps, user, sys_, rss, p99, sockerr, non2xx = line.split()
    if name not in order:
        order.append(name)
    rows.setdefault((int(conns), name), []).append(
        dict(
            requests=int(requests), secs=float(secs), rps=float(rps), user=float(user),
            sys=float(sys_), rss=int(rss), p99=seconds(p99), errors=int(sockerr) + int(non2xx),
        )
    )

for conns in sorted({c for c, _ in rows}):
    med = {}
    for name in order:
        runs = rows[(conns, name)]
        cpu = [r["user"] + r["sys"] for r in runs]
        med[name] = dict(
            rps=statistics.median(r["rps"] for r in runs),
            per_cpu=statistics.median(
                r["requests"] / c if c > 0 else float("inf") for r, c in zip(runs, cpu)
            ),
            user_us=statistics.median(r["user"] * 1e6 / r["requests"] for r in runs),
            sys_us=statistics.median(r["sys"] * 1e6 / r["requests"] for r in runs),
            use=statistics.median(c / r["secs"] for r, c in zip(runs, cpu)),
            rss=max(r["rss"] for r in runs),
            p99=statistics.median(r["p99"] for r in runs),
            errors=sum(r["errors"] for r in runs),
        )
    header = [
        "server", "requests/s", "requests per CPU-second", "CPU µs per request (user + sys)",
        "server CPU use", "p99 latency (ms)", "wrk errors (all runs)", "RSS after (KiB)",
    ]
    table = [
        [
            n, f"{m['rps']:,.0f}", f"{m['per_cpu']:,.0f}",
            f"{m['user_us']:.2f} + {m['sys_us']:.2f}", f"{m['use'] * 100:.0f}%",
            f"{m['p99'] * 1000:.2f}", f"{m['errors']:,}", f"{m['rss']:,}",
        ]
        for n, m in med.items()
    ]
    for mine in [n for n in order if n.startswith("weft")]:
        for other in ("node", "go"):
            if other in med:
                w, o = med[mine], med[other]
                table.append(
                    [f"{mine}/{other}", f"{w['rps'] / o['rps']:.2f}", f"{w['per_cpu'] / o['per_cpu']:.2f}"]
                    + [""] * 5
                )
    widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
    fmt = lambda cells: "| " + " | ".join(x.ljust(n) for x, n in zip(cells, widths)) + " |"
    print(f"{conns} connections: medians of {len(rows[(conns, order[0])])} runs each.")
    print(fmt(header))
    print("|" + "|".join("-" * (n + 2) for n in widths) + "|")
    for r in table:
        print(fmt(r))
    if "weft" in med:
        w = med["weft"]["per_cpu"]
        if "node" in med:
            met = "met" if w >= med["node"]["per_cpu"] else "NOT met"
            print(f"floor (weft requests per CPU-second >= node's) at {conns} connections: {met}")
        if "go" in med:
            met = "met" if w >= med["go"]["per_cpu"] else "not met"
            print(f"aim (weft requests per CPU-second >= go's) at {conns} connections: {met}")
    print()
EOF
if [[ $problems != 0 ]]; then
    echo "NOTE: some runs had wrk errors or server stderr output (see above)"
fi
