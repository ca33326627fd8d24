#!/usr/bin/env bash
# Side-by-side benchmark of the Shapley family (issue 13) and the counterfactual models
# (issue 18) against the Python peers, on
# seeded synthetic aggregated paths (12 channels).
#
#   scripts/bench_shapley_peers.sh                          # every variant, 100 000 paths
#   SIZES=100000,1000000 scripts/bench_shapley_peers.sh     # and 1M where the peer can
#   VARIANTS=mta-shapley,do-exact-set SIDES=peer scripts/bench_shapley_peers.sh
#   OURS_BIN=target/release/attribution scripts/bench_shapley_peers.sh
#
# Environment:
#   VARIANTS  comma list (default: the Shapley family): mam-rate, mam-rate-k4,
#             sa-simplified, sa-ordered, mta-shapley, mta-shao, do-exact-set; the
#             counterfactual peers fractribution, sa-montecarlo, sa-path, mta-logistic
#             (VARIANTS=counterfactual for these four; see the table below)
#   SIZES     comma list of distinct paths per file (default 100000). A variant that
#             fails or times out at one size is not run at the larger ones.
#   CHANNELS  channels (default 12)
#   SEED      generator seed (default 7)
#   SIDES     comma list of peer, ours, reference (default peer,ours,reference)
#   TIMEOUT   seconds allowed to each peer run (default 600)
#   REPEAT    runs per measurement, the fastest is kept (default 1)
#   WRITE     1 = write the table into BENCHMARKS.md between the markers
#             <!-- MARKER:begin --> and <!-- MARKER:end --> (default 0)
#   MARKER    the BENCHMARKS.md markers WRITE uses (default shapley-peers; with
#             VARIANTS=counterfactual: counterfactual-peers)
#   VENV      virtualenv of the peers (default .venv-shapley)
#   DATA_DIR  where the generated files go (default bench-data)
#   OURS_BIN  an `attribution` binary with the Shapley models; our side is skipped
#             when unset (this script never builds it), and per model when the
#             binary does not reproduce tests/data/tiny/expected_shapley.csv.
#
# The unit. examples/gen_paths writes one *distinct* path per row with Geometric(0.35)
# journeys behind it (≈ 2.86 per row): SIZES counts rows of the aggregated file, as
# scripts/bench_vs_channelattribution.sh does and as the shared fixture
# synthetic/paths_100000_12.csv does. The peers that need one row per journey
# (shapley-attribution, do-attribution) get the rows expanded, ≈ 286 000 journeys for
# 100 000 paths; the table gives both counts.
#
# Variants (peer call → our model; scripts/peer_shapley.py has the details):
#   mam-rate       marketing-attribution-models 2.1.1 run_shapley(max_size=None,
#                  value_column="conv_rate")          → shapley-rate
#   mam-rate-k4    the same with the package default max_size=4 (alphabetically last
#                  4 channels) → shapley-rate --shapley-max-channels 4
#                  --shapley-keep alphabetical
#   sa-simplified  shapley-attribution 2.1.0 SimplifiedShapleyAttribution → shapley
#   sa-ordered     shapley-attribution 2.1.0 OrderedShapleyAttribution → shapley-ordered
#                  (and its position table against --positions)
#   mta-shapley    mta 0.0.9 MTA.shapley()            → shapley
#   mta-shao       mta 0.0.9 MTA.shao()               → shao-li
#   do-exact-set   do-attribution 0.0.2 ShapleyAttribution → shapley-exact-set
#   fractribution  Google Fractribution run_shapley_attribution (vendored in
#                  scripts/third_party, not on the registry) → leave-one-out
#   sa-montecarlo  shapley-attribution 2.1.0 MonteCarloShapleyAttribution → dda
#   sa-path        shapley-attribution 2.1.0 PathShapleyAttribution → dda
#   mta-logistic   mta 0.0.9 MTA.logistic_regression() → dda
#   The last three learn another model than ours on purpose (a GBM; |coefficients| of
#   random no-intercept fits): timed side by side, their credits not compared.
#
# Each peer run: `/usr/bin/time -f '%e %M %U %S' timeout $TIMEOUT python
# scripts/peer_shapley.py ...` (whole process: interpreter, imports, CSV, reshaping,
# the peer, writing); the peer's own calls are timed inside (`model=` on its stderr).
# *reference*: scripts/shapley_reference.py, our pinned definitions in plain Python
# (not timed), which the peer's numbers are checked against (1e-6 absolute, with
# scripts/compare_shapley.py); ours is checked against the peer the same way.
#
# The venv (created when missing or when a pin does not match):
#   python3 -m venv .venv-shapley
#   .venv-shapley/bin/pip install -c scripts/peer_shapley_constraints.txt \
#       marketing-attribution-models==2.1.1 shapley-attribution==2.1.0 mta==0.0.9 \
#       do-attribution==0.0.2 matplotlib
# matplotlib: shapley-attribution 2.1.0 imports it at load time but declares it only
# in its `benchmarks` extra. The constraints file pins every dependency to the
# versions of the recorded runs (Python 3.11).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
ALL_VARIANTS=mam-rate,mam-rate-k4,sa-simplified,sa-ordered,mta-shapley,mta-shao,do-exact-set
COUNTERFACTUAL_VARIANTS=fractribution,sa-montecarlo,sa-path,mta-logistic
VARIANTS=${VARIANTS:-$ALL_VARIANTS}
MARKER=${MARKER:-shapley-peers}
if [[ $VARIANTS == counterfactual ]]; then
    VARIANTS=$COUNTERFACTUAL_VARIANTS
    MARKER=${MARKER/#shapley-peers/counterfactual-peers}
fi
SIZES=${SIZES:-100000}
CHANNELS=${CHANNELS:-12}
SEED=${SEED:-7}
SIDES=${SIDES:-peer,ours,reference}
TIMEOUT=${TIMEOUT:-600}
REPEAT=${REPEAT:-1}
WRITE=${WRITE:-0}
VENV=${VENV:-.venv-shapley}
DATA_DIR=${DATA_DIR:-bench-data}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PINS=(marketing-attribution-models==2.1.1 shapley-attribution==2.1.0 mta==0.0.9 do-attribution==0.0.2)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { printf '[shapley-bench] %s\n' "$*" >&2; }
has_side() { [[ ",$SIDES," == *",$1,"* ]]; }

# ---------------------------------------------------------------- tools
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (/usr/bin/time)"
    if [[ $(id -u) -ne 0 ]]; then log "need root for apt-get install time"; exit 1; fi
    apt-get install -y -qq time >/dev/null 2>&1 || {
        apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
    }
fi

PY="$VENV/bin/python"
if has_side peer; then
    if ! "$PY" - "${PINS[@]}" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    assert version(name) == want, pin
import mam.core, shapley_attribution, mta, do_attribution  # noqa: F401 (imports work)
PY
    then
        log "creating $VENV with ${PINS[*]}"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check \
            -c scripts/peer_shapley_constraints.txt "${PINS[@]}" matplotlib
    fi
fi

# ---------------------------------------------------------------- data
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a VARIANT_LIST <<<"$VARIANTS"
data_file() { echo "$DATA_DIR/paths_$1_${CHANNELS}_s$SEED.csv"; }
GEN="$TARGET_DIR/release/examples/gen_paths"
for n in "${SIZE_LIST[@]}"; do
    f=$(data_file "$n")
    if [[ ! -s $f ]]; then
        if [[ ! -x $GEN ]]; then
            log "building the data generator (cargo build --release --example gen_paths)"
            cargo build --release --quiet --example gen_paths
        fi
        log "generating $f"
        mkdir -p "$DATA_DIR"
        "$GEN" --paths "$n" --channels "$CHANNELS" --seed "$SEED" --output "$f.tmp"
        mv "$f.tmp" "$f"
    fi
done

# ---------------------------------------------------------------- variants
peer_args() { # variant -> arguments of peer_shapley.py (before INPUT)
    case $1 in
        mam-rate-k4) echo "mam-rate --max-size 4" ;;
        mam-rate | sa-simplified | sa-ordered | mta-shapley | mta-shao | do-exact-set) echo "$1" ;;
        fractribution | sa-montecarlo | sa-path | mta-logistic) echo "$1" ;;
        *) return 1 ;;
    esac
}
our_model() {
    case $1 in
        mam-rate | mam-rate-k4) echo shapley-rate ;;
        sa-simplified | mta-shapley) echo shapley ;;
        sa-ordered) echo shapley-ordered ;;
        mta-shao) echo shao-li ;;
        do-exact-set) echo shapley-exact-set ;;
        fractribution) echo leave-one-out ;;
        sa-montecarlo | sa-path | mta-logistic) echo dda ;;
    esac
}
# Peers of another model than ours: timed, not compared.
different_model() { [[ $1 == sa-montecarlo || $1 == sa-path || $1 == mta-logistic ]]; }
# Models scripts/shapley_reference.py does not define (the peer or ours is the check).
no_reference() { [[ $1 == leave-one-out || $1 == dda ]]; }
our_options() {
    case $1 in
        mam-rate-k4) echo "--shapley-max-channels 4 --shapley-keep alphabetical" ;;
        *) echo "" ;;
    esac
}
ref_options() {
    case $1 in
        mam-rate-k4) echo "--max-channels 4 --keep alphabetical" ;;
        *) echo "" ;;
    esac
}
peer_label() {
    case $1 in
        mam-rate) echo "marketing-attribution-models \`attribution_shapley\` conv_rate, max_size=None" ;;
        mam-rate-k4) echo "marketing-attribution-models \`attribution_shapley\` conv_rate, max_size=4 (default)" ;;
        sa-simplified) echo "shapley-attribution Simplified" ;;
        sa-ordered) echo "shapley-attribution Ordered" ;;
        mta-shapley) echo "mta \`shapley\`" ;;
        mta-shao) echo "mta \`shao\`" ;;
        do-exact-set) echo "do-attribution ShapleyAttribution" ;;
        fractribution) echo "Google Fractribution \`run_shapley_attribution\`" ;;
        sa-montecarlo) echo "shapley-attribution MonteCarlo (GBM, 2000 permutations)" ;;
        sa-path) echo "shapley-attribution PathShapley (GBM)" ;;
        mta-logistic) echo "mta \`logistic_regression\` (2000 fits)" ;;
    esac
}
for v in "${VARIANT_LIST[@]}"; do
    peer_args "$v" >/dev/null || { log "unknown variant '$v' ($ALL_VARIANTS)"; exit 1; }
done

# ---------------------------------------------------------------- our binary
declare -A OURS_OK=()
if has_side ours && [[ -n ${OURS_BIN:-} ]]; then
    tiny="$ROOT/tests/data/tiny/paths.csv"
    for m in shapley shapley-rate shapley-ordered shao-li shapley-exact-set leave-one-out dda; do
        if "$OURS_BIN" attribute "$tiny" --model "$m" --format csv --output "$WORK/smoke-$m.csv" \
            >/dev/null 2>"$WORK/smoke-$m.err"; then
            if grep -q "^$m," "$ROOT/tests/data/tiny/expected_shapley.csv"; then
                if python3 scripts/compare_shapley.py "$WORK/smoke-$m.csv" \
                    "$ROOT/tests/data/tiny/expected_shapley.csv" --model "$m" --tol 1e-12 >/dev/null; then
                    OURS_OK[$m]=1
                else
                    log "WARNING: $OURS_BIN --model $m does not reproduce expected_shapley.csv; skipped"
                fi
            else
                OURS_OK[$m]=1
            fi
        else
            log "our side of $m skipped: $(tail -n 1 "$WORK/smoke-$m.err")"
        fi
    done
elif has_side ours; then
    log "OURS_BIN unset: our side is skipped (this script does not build it)"
fi

# ---------------------------------------------------------------- measuring
# measure NAME CMD... -> "wall_s peak_kb cpu_s", "timeout" or "fail" (fastest of REPEAT).
measure() {
    local name=$1; shift
    local best="" out="$WORK/$name.time" err="$WORK/$name.stderr" rc
    for ((i = 0; i < REPEAT; i++)); do
        rc=0
        /usr/bin/time -f '%e %M %U %S' -o "$out" "$@" >/dev/null 2>"$err" || rc=$?
        if [[ $rc == 124 ]]; then
            log "$name: TIMEOUT after $TIMEOUT s"
            echo timeout; return 0
        elif [[ $rc != 0 ]]; then
            log "FAILED ($rc): $* (stderr tail below)"
            tail -n 5 "$err" >&2 || true
            echo fail; return 0
        fi
        local t
        t=$(tail -n 1 "$out" | awk '{ printf "%s %s %.2f", $1, $2, $3 + $4 }')
        if [[ -z $best ]] || awk -v a="${t%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$t
        fi
    done
    log "$name: $(field "$best" 1) s wall, $(field "$best" 3) s cpu, $(($(field "$best" 2) / 1024)) MB$(grep -h '^peer: [a-z]' "$err" | tail -n 1 | sed 's/^/  /' || true)"
    echo "$best"
}
field() { echo "$1" | awk -v i="$2" '{ print $i }'; }
missing() { [[ $1 == fail || $1 == - || $1 == timeout ]]; }
secs() { if missing "$1"; then [[ $1 == timeout ]] && echo "> $TIMEOUT" || echo "$1"; else field "$1" 1; fi; }
cpu() { if missing "$1"; then echo -; else field "$1" 3; fi; }
mb() { if missing "$1"; then echo -; else echo $(($(field "$1" 2) / 1024)); fi; }
ratio() {
    if missing "$1" || missing "$2"; then echo -; return; fi
    awk -v p="$(field "$1" 1)" -v o="$(field "$2" 1)" \
        'BEGIN { if (o > 0) printf "%.0f×", p / o; else print "∞" }'
}
compare() { # A B [extra] -> "max abs diff …" or the reason it is missing
    python3 scripts/compare_shapley.py "$@" 2>&1 | tail -n 1 | sed 's/ over [0-9]* cells//'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A GAVE_UP=()
ROWS=()
for n in "${SIZE_LIST[@]}"; do
    f=$(data_file "$n")
    cat "$f" >/dev/null
    journeys=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { s += $col["total_conversions"] + $col["total_null"] } END { printf "%d", s }' "$f")
    declare -A REF_DONE=()
    for v in "${VARIANT_LIST[@]}"; do
        model=$(our_model "$v")
        if [[ -n ${GAVE_UP[$v]:-} ]]; then
            log "$v: not run on $n paths (${GAVE_UP[$v]} at a smaller size)"
            ROWS+=("| $v | $(peer_label "$v") | $model | $n × $CHANNELS ($journeys) | not run (${GAVE_UP[$v]} on fewer paths) | - | - | - | - | - | - | - |")
            continue
        fi
        tag="$v-$n"
        peer_t=-; peer_call=-; ours_t=-; vs_ref=-; vs_ours=-
        pos_peer=(); pos_ours=(); pos_ref=()
        if [[ $v == sa-ordered ]]; then
            pos_peer=(--positions "$WORK/$tag-peer-pos.csv")
            pos_ours=(--positions "$WORK/$tag-ours-pos.csv")
            pos_ref=(--positions "$WORK/$model-$(ref_options "$v" | tr -d ' -')-$n-ref-pos.csv")
        fi
        if has_side reference && ! no_reference "$model"; then
            ref="$WORK/$model-$(ref_options "$v" | tr -d ' -')-$n-ref.csv"
            if [[ -z ${REF_DONE[$ref]:-} ]]; then
                # shellcheck disable=SC2046
                python3 scripts/shapley_reference.py "$model" "$f" $(ref_options "$v") \
                    --output "$ref" "${pos_ref[@]}" 2>"$ref.err" || true
                REF_DONE[$ref]=1
            fi
        fi
        if has_side peer; then
            # shellcheck disable=SC2046
            peer_t=$(measure "$tag-peer" timeout "$TIMEOUT" "$PY" scripts/peer_shapley.py \
                $(peer_args "$v") "$f" --output "$WORK/$tag-peer.csv" "${pos_peer[@]}")
            if missing "$peer_t"; then
                GAVE_UP[$v]=$peer_t
            else
                peer_call=$(sed -n 's/^peer: [a-z].* model=\([0-9.]*\)s.*/\1/p' "$WORK/$tag-peer.stderr" | tail -n 1)
                grep -h '^peer: do-attribution refused' "$WORK/$tag-peer.stderr" >&2 || true
                peer_rows=$(($(wc -l <"$WORK/$tag-peer.csv") - 1))
                if has_side reference && ! no_reference "$model"; then
                    if [[ $peer_rows == 0 && ! -s $ref ]]; then
                        vs_ref="both refuse: $(tail -n 1 "$ref.err" | cut -d: -f2- | sed 's/^ //')"
                    elif [[ -s $ref ]]; then
                        vs_ref=$(compare "$WORK/$tag-peer.csv" "$ref" --model "$model")
                        if [[ $v == sa-ordered ]]; then
                            vs_ref="$vs_ref; positions: $(compare "$WORK/$tag-peer-pos.csv" "${pos_ref[1]}" --model "$model")"
                        fi
                    else
                        vs_ref="reference refused: $(tail -n 1 "$ref.err")"
                    fi
                fi
            fi
        fi
        if has_side ours && [[ -n ${OURS_OK[$model]:-} ]]; then
            # shellcheck disable=SC2046
            ours_t=$(measure "$tag-ours" "$OURS_BIN" attribute "$f" --model "$model" $(our_options "$v") \
                --format csv --output "$WORK/$tag-ours.csv" "${pos_ours[@]}")
            if missing "$ours_t"; then
                vs_ours="ours: $(grep -v '^ *$' "$WORK/$tag-ours.stderr" | tail -n 1 | cut -c1-120)"
            elif different_model "$v"; then
                vs_ours="another model (not compared)"
            elif ! missing "$peer_t"; then
                vs_ours=$(compare "$WORK/$tag-peer.csv" "$WORK/$tag-ours.csv" --model "$model")
                if [[ $v == sa-ordered ]]; then
                    vs_ours="$vs_ours; positions: $(compare "$WORK/$tag-peer-pos.csv" "$WORK/$tag-ours-pos.csv" --model "$model")"
                fi
            fi
        fi
        ROWS+=("| $v | $(peer_label "$v") | $model | $n × $CHANNELS ($journeys) | $(secs "$peer_t") | ${peer_call:--} | $(cpu "$peer_t") | $(mb "$peer_t") | $(secs "$ours_t") | $(ratio "$peer_t" "$ours_t") | $vs_ours | $vs_ref |")
    done
    unset REF_DONE
done

# ---------------------------------------------------------------- report
cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
TABLE=$(
    echo "Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores (${cpu_model:-unknown CPU}), $mem RAM;"
    echo "Python $("$PY" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?'),"
    echo "peers ${PINS[*]}; data: \`gen_paths --channels $CHANNELS --seed $SEED\`."
    if [[ -n ${OURS_BIN:-} ]]; then echo "Ours: \`$OURS_BIN\`."; else echo "Ours: not run (OURS_BIN unset)."; fi
    echo "Load average before the run: $LOAD_BEFORE."
    echo
    echo "| variant | peer | our model | paths × channels (journeys) | peer s | peer call s | peer CPU s | peer MB | ours s | speed-up | peer vs ours | peer vs reference |"
    echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${ROWS[@]}"
)
echo
echo "$TABLE"

if [[ $WRITE == 1 ]]; then
    TABLE="$TABLE" MARKER="$MARKER" python3 - "$ROOT/BENCHMARKS.md" <<'PY'
import os, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
marker = os.environ["MARKER"]
begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
if begin not in text or end not in text:
    sys.exit(f"{path}: markers {begin} / {end} not found")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w", encoding="utf-8").write(head + begin + "\n" + os.environ["TABLE"] + "\n" + end + tail)
PY
    log "table written into BENCHMARKS.md"
fi
