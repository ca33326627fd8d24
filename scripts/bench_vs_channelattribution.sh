#!/usr/bin/env bash
# Side-by-side benchmark of the `attribution` command against ChannelAttribution 2.2.5
# (the reference peer) on seeded synthetic aggregated paths.
#
#   scripts/bench_vs_channelattribution.sh                  # all cases, 1M paths
#   CASES=heuristics,markov1 PATHS=100000 scripts/bench_vs_channelattribution.sh
#   SIDES=peer scripts/bench_vs_channelattribution.sh       # only the peer (and floor)
#
# Environment:
#   CASES     comma list of heuristics, markov1, markov3 (default: all three)
#   PATHS     distinct paths per file (default 1000000)
#   SEED      generator seed (default 7)
#   SIDES     comma list of peer, ours (default: peer,ours)
#   REPEAT    runs per measurement, the fastest is kept (default 1)
#   WRITE     1 = write the table into BENCHMARKS.md (default 1 when PATHS=1000000)
#   VENV      virtualenv of the peer (default .venv-bench)
#   DATA_DIR  where the generated files go (default bench-data)
#   OURS_BIN  an already built `attribution` binary to use (default: build
#             attribution-cli in release and use target/release/attribution)
#
# Each case runs, one after the other in the same run: the peer (a Python process
# that loads the CSV with pandas and calls ChannelAttribution, see
# scripts/peer_channelattribution.py), our release binary, and the floor: the time to
# read the file and split every line on `>` with awk (`cat FILE > /dev/null` is shown
# too, for the bare I/O). Wall time, CPU time and peak RSS come from
# `/usr/bin/time -f '%e %M %U %S'`. Both sides write their (small) result CSV to a
# temporary file, which scripts/compare_with_peer.py then checks.
# Nothing else heavy should run meanwhile: the machine has 2 cores.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
CASES=${CASES:-heuristics,markov1,markov3}
PATHS=${PATHS:-1000000}
SEED=${SEED:-7}
SIDES=${SIDES:-peer,ours}
REPEAT=${REPEAT:-1}
VENV=${VENV:-.venv-bench}
DATA_DIR=${DATA_DIR:-bench-data}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [[ -z ${WRITE:-} ]]; then
    if [[ $PATHS == 1000000 ]]; then WRITE=1; else WRITE=0; fi
fi
PEER_VERSION=2.2.5
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { printf '[bench] %s\n' "$*" >&2; }
has_side() { [[ ",$SIDES," == *",$1,"* ]]; }

# ---------------------------------------------------------------- tools
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (/usr/bin/time)"
    if [[ $(id -u) -ne 0 ]]; then
        log "need root for apt-get install time"; exit 1
    fi
    apt-get install -y -qq time >/dev/null 2>&1 || {
        apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
    }
fi

if has_side peer; then
    if ! "$VENV/bin/python" - "$PEER_VERSION" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
import pandas, matplotlib  # matplotlib: ChannelAttribution imports it at load time
assert version("channelattribution") == sys.argv[1]
PY
    then
        log "creating $VENV and installing channelattribution==$PEER_VERSION"
        log "(it builds its C++ core from source: about 30 s on 2 cores)"
        python3 -m venv "$VENV"
        start=$(date +%s)
        "$VENV/bin/pip" install -q --disable-pip-version-check \
            "channelattribution==$PEER_VERSION" pandas matplotlib
        log "peer installed in $(( $(date +%s) - start )) s"
    fi
fi

# ---------------------------------------------------------------- data
log "building the data generator"
cargo build --release --quiet --example gen_paths
GEN="$TARGET_DIR/release/examples/gen_paths"
mkdir -p "$DATA_DIR"

case_channels() { case $1 in heuristics | markov1) echo 12 ;; markov3) echo 50 ;; *) return 1 ;; esac; }
data_file() { echo "$DATA_DIR/paths_${PATHS}_$1_s$SEED.csv"; }

IFS=, read -r -a CASE_LIST <<<"$CASES"
for c in "${CASE_LIST[@]}"; do
    ch=$(case_channels "$c") || { log "unknown case '$c' (heuristics, markov1, markov3)"; exit 1; }
    f=$(data_file "$ch")
    if [[ ! -s $f ]]; then
        log "generating $f"
        "$GEN" --paths "$PATHS" --channels "$ch" --seed "$SEED" --output "$f.tmp"
        mv "$f.tmp" "$f"
    fi
done

# ---------------------------------------------------------------- our binary
OURS=${OURS_BIN:-$TARGET_DIR/release/attribution}
OURS_OK=0
if has_side ours; then
    built=1
    if [[ -z ${OURS_BIN:-} ]]; then
        log "building attribution-cli (release)"
        cargo build --release --quiet -p attribution-cli || built=0
    fi
    if [[ $built == 1 ]]; then
        # Smoke test on the tiny fixture: the command must exist and print the
        # the command's CSV contract (header, first-touch credits summing to 4).
        tiny="$ROOT/tests/data/tiny/paths.csv"
        if [[ -f $tiny ]] && "$OURS" attribute "$tiny" --model first-touch --format csv \
            --output "$WORK/smoke.csv" >/dev/null 2>"$WORK/smoke.err" &&
            [[ $(head -n 1 "$WORK/smoke.csv") == model,channel,conversions,value,removal_effect* ]] &&
            awk -F, 'NR > 1 { s += $3 } END { exit !(s > 3.999999 && s < 4.000001) }' "$WORK/smoke.csv"; then
            OURS_OK=1
        elif [[ ! -f $tiny ]] && "$OURS" attribute --help >/dev/null 2>&1; then
            OURS_OK=1
        else
            log "WARNING: '$OURS attribute' does not (yet) follow the CSV output contract; our side is skipped"
            tail -n 3 "$WORK/smoke.err" >&2 2>/dev/null || true
        fi
    else
        log "WARNING: cargo build -p attribution-cli failed; our side is skipped"
    fi
fi

# ---------------------------------------------------------------- measuring
# measure NAME CMD... -> prints "wall_seconds peak_kb cpu_seconds" (the run with the
# least wall time of REPEAT runs) or "fail". cpu = user + system time: for a
# single-threaded process it is what the wall time would be on an idle machine.
measure() {
    local name=$1; shift
    local best="" out="$WORK/$name.time" err="$WORK/$name.stderr"
    for ((i = 0; i < REPEAT; i++)); do
        if /usr/bin/time -f '%e %M %U %S' -o "$out" "$@" >/dev/null 2>"$err"; then
            local t
            t=$(tail -n 1 "$out" | awk '{ printf "%s %s %.2f", $1, $2, $3 + $4 }')
            if [[ -z $best ]] || awk -v a="${t%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
                best=$t
            fi
        else
            log "FAILED: $* (stderr tail below)"
            tail -n 5 "$err" >&2 || true
            echo fail
            return 0
        fi
    done
    log "$name: $(field "$best" 1) s wall, $(field "$best" 3) s cpu, $(( $(field "$best" 2) / 1024 )) MB$(grep -h '^peer:' "$err" | sed 's/^/  /' || true)"
    echo "$best"
}

field() { echo "$1" | awk -v i="$2" '{ print $i }'; }
missing() { [[ $1 == fail || $1 == - ]]; }
secs() { if missing "$1"; then echo "$1"; else field "$1" 1; fi; }
cpu() { if missing "$1"; then echo "$1"; else field "$1" 3; fi; }
mb() { if missing "$1"; then echo "$1"; else echo $(( $(field "$1" 2) / 1024 )); fi; }
ratio() {
    if missing "$1" || missing "$2"; then echo -; return; fi
    awk -v p="$(field "$1" "$3")" -v o="$(field "$2" "$3")" \
        'BEGIN { if (o > 0) printf "%.1f×", p / o; else print "∞" }'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PY="$VENV/bin/python"
PEER="$ROOT/scripts/peer_channelattribution.py"
ROWS=()
for c in "${CASE_LIST[@]}"; do
    ch=$(case_channels "$c")
    f=$(data_file "$ch")
    cat "$f" >/dev/null # warm the page cache for every contender
    case $c in
        heuristics)
            label="heuristics (first, last, linear)"
            peer_args=(heuristics "$f")
            ours_args=(attribute "$f" --model first-touch,last-touch,linear --format csv --output "$WORK/$c-ours.csv") ;;
        markov1)
            label="Markov order 1"
            peer_args=(markov "$f" --order 1)
            ours_args=(attribute "$f" --model markov --order 1 --format csv --output "$WORK/$c-ours.csv") ;;
        markov3)
            label="Markov order 3"
            peer_args=(markov "$f" --order 3)
            ours_args=(attribute "$f" --model markov --order 3 --format csv --output "$WORK/$c-ours.csv") ;;
    esac
    log "case $c on $f"
    cat_t=$(measure "$c-cat" cat "$f")
    floor_t=$(measure "$c-floor" env LC_ALL=C awk -F'>' '{ n += NF } END { print n }' "$f")
    peer_t=-; ours_t=-; peer_call=-
    if has_side peer; then
        peer_t=$(measure "$c-peer" "$PY" "$PEER" "${peer_args[@]}" --output "$WORK/$c-peer.csv")
        if ! missing "$peer_t"; then
            peer_call=$(sed -n 's/^peer: .* model=\([0-9.]*\)s.*/\1/p' "$WORK/$c-peer.stderr" | tail -n 1)
        fi
    fi
    if has_side ours && [[ $OURS_OK == 1 ]]; then ours_t=$(measure "$c-ours" "$OURS" "${ours_args[@]}"); fi
    check=-
    if [[ $ours_t != - && $ours_t != fail ]]; then
        peer_csv=()
        [[ $peer_t != - && $peer_t != fail ]] && peer_csv=("$WORK/$c-peer.csv")
        check=$(python3 "$ROOT/scripts/compare_with_peer.py" "$c" "$f" "$WORK/$c-ours.csv" "${peer_csv[@]}" 2>&1 | tail -n 1) || true
        log "$c check: $check"
    fi
    ROWS+=("| $label | $PATHS × $ch | $(secs "$peer_t") | ${peer_call:--} | $(secs "$ours_t") | $(ratio "$peer_t" "$ours_t" 1) | $(cpu "$peer_t") | $(cpu "$ours_t") | $(ratio "$peer_t" "$ours_t" 3) | $(mb "$peer_t") | $(mb "$ours_t") | $(secs "$floor_t") | $(secs "$cat_t") | $check |")
done

# ---------------------------------------------------------------- report
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
TABLE=$(
    echo "Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores (${cpu:-unknown CPU}), $mem RAM;"
    echo "ChannelAttribution $PEER_VERSION (Python $("$PY" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?'), \`ncore=1\`),"
    if [[ -n ${OURS_BIN:-} ]]; then
        echo "\`attribution\`: \`$OURS_BIN\`. Seed $SEED."
    else
        echo "\`attribution\` $(git rev-parse --short HEAD 2>/dev/null || echo '?') built with \`--release\`. Seed $SEED."
    fi
    echo
    echo "| case | paths × channels | peer s | peer call s | ours s | speed-up | peer CPU s | ours CPU s | CPU ratio | peer MB | ours MB | floor s | cat s | check |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Times are wall-clock seconds of the whole process (CSV parsing included; for the"
    echo "peer also starting Python and importing pandas, ≈ 1 s); *peer call s*: the wall time"
    echo "of the ChannelAttribution call alone, inside the process (no import, no CSV); *CPU s*"
    echo "is user + system time (on a busy 2-core machine it is the steadier number for a"
    echo "single-threaded process); MB is peak resident memory; all from"
    echo "\`/usr/bin/time -f '%e %M %U %S'\`. Load average before the run: $LOAD_BEFORE. *floor*: \`awk -F'>'\`"
    echo "reading the file and splitting every line; *cat*: \`cat FILE > /dev/null\`."
    echo "*check*: our credits keep the input totals (1e-9 relative), and their largest"
    echo "relative difference from the peer's over the channels with ≥ 1 % of the conversions"
    echo "(heuristics: rounding only; Markov: the peer's Monte-Carlo noise). Both sides write"
    echo "their small result CSV to a temporary file."
    echo "\`-\`: not run; \`fail\`: the command failed."
)
echo
echo "$TABLE"

if [[ $WRITE == 1 ]]; then
    BENCH="$ROOT/BENCHMARKS.md"
    TABLE="$TABLE" python3 - "$BENCH" <<'PY'
import os, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
if begin not in text or end not in text:
    sys.exit(f"{path}: markers {begin} / {end} not found")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w", encoding="utf-8").write(head + begin + "\n" + os.environ["TABLE"] + "\n" + end + tail)
PY
    log "table written into BENCHMARKS.md"
fi
