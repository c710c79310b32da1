# Helpers shared by the benchmark scripts (sourced, not run): errors and
# --help, installing Debian packages, starting and stopping a server that
# prints `listening on ADDR` first, and a process's CPU time from /proc. The
# server helpers need the sourcing script to define `tmp` (a scratch folder),
# `server_command NAME` (the words that start a server), and `server_pin` (a
# command prefix such as `taskset -c 0`, or empty).

SCRIPT=$(basename -- "$0")

die() {
    echo "$SCRIPT: error: $*" >&2
    exit 1
}

note() {
    echo "$SCRIPT: $*" >&2
}

# The comment block at the top of the script, up to `set -euo`.
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

# only_help "$@": the scripts take no arguments but -h/--help.
only_help() {
    for arg in "$@"; do
        case "$arg" in
            -h | --help)
                usage
                exit 0
                ;;
            *)
                usage >&2
                die "unknown argument: $arg"
                ;;
        esac
    done
}

# apt_install PACKAGE...: installs with apt-get (through sudo when not root); fails quietly
# (status 1, the reason on stderr) when that is impossible.
apt_updated=0
apt_install() {
    local sudo=()
    command -v apt-get >/dev/null || {
        note "no apt-get to install $*"
        return 1
    }
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || {
            note "cannot install $*: not root and no sudo"
            return 1
        }
        sudo=(sudo)
    fi
    note "installing $*"
    if [[ $apt_updated == 0 ]]; then
        "${sudo[@]}" apt-get update >&2 || return 1
        apt_updated=1
    fi
    "${sudo[@]}" apt-get install -y "$@" >&2
}

# start_server NAME [ARGS...]: starts it in the background with ARGS after
# its command; sets server_pid and server_addr.
start_server() {
    local name=$1 i
    shift
    # A fresh file: the last run's `listening on` line must not be read for this one.
    rm -f -- "$tmp/$name.out" "$tmp/$name.err"
    # shellcheck disable=SC2046 # the command's words are paths without spaces
    "${server_pin[@]}" $(server_command "$name") "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    server_pid=$!
    server_addr=""
    for ((i = 0; i < 200; i++)); do
        if [[ -s "$tmp/$name.out" ]]; then
            server_addr=$(sed -n '1s/^listening on //p' "$tmp/$name.out")
            [[ -n "$server_addr" ]] && return 0
        fi
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "FAIL $name: no \`listening on ADDR\` line; stdout:" >&2
    sed 's/^/    /' "$tmp/$name.out" >&2
    echo "stderr:" >&2
    sed 's/^/    /' "$tmp/$name.err" >&2
    return 1
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# cpu_ticks PID: "UTIME STIME" of PID in clock ticks (fields 14 and 15 of
# /proc/PID/stat, counted after the parenthesised command name).
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat") || return 1
    stat=${stat##*) }
    awk '{ print $12, $13 }' <<<"$stat"
}
HZ=$(getconf CLK_TCK)
