#!/usr/bin/env python3
"""Runs one Python peer of the Shapley family on an aggregated `paths` CSV, for
scripts/bench_shapley_peers.sh, and writes its credits under our model names.

    peer_shapley.py VARIANT INPUT [--output OUT.csv] [--positions POS.csv]
                    [--max-size K]

INPUT has the columns path,total_conversions,total_null,total_conversion_value (any
order; touches joined by " > "). OUT.csv gets `model,channel,conversions,value`, an
empty `value` where the peer has no notion of value. The venv is .venv-shapley
(scripts/bench_shapley_peers.sh creates it; see there for the pins).

VARIANT    package and call                                     our model
---------  ---------------------------------------------------  -----------------
mam-rate   marketing-attribution-models 2.1.1:                   shapley-rate
           MAM(df, "grouped_journey", ...).run_shapley(
               max_size=K, value_column="conv_rate")
           K = --max-size (default: none, every channel; the package's own
           default is 4, kept as the *alphabetically last* 4 distinct channels,
           i.e. ours with --shapley-max-channels 4 --shapley-keep alphabetical).
           Run twice: once without a value column (conversions) and once with
           conversion_value_colname (value); the model time is the sum.
           --value-column conversions|conversion_value: the package's other games
           (not rescaled; ours --shapley-value count|value). The conversions
           column then comes from the run without revenue, where the package's
           conversion_value is the conversion count, so it is the game on R(T);
           the value column from the run with revenue (R(T) for `conversions`,
           V(T) for `conversion_value`).
sa-simplified  shapley-attribution 2.1.0:                        shapley
           SimplifiedShapleyAttribution().fit(journeys, y); get_attribution()
           (raw, not the normalised array). One row per journey (expanded).
           No value (no weights): value left empty.
sa-ordered shapley-attribution 2.1.0:                            shapley-ordered
           OrderedShapleyAttribution().fit(converting journeys);
           position_attribution_ -> --positions. Only converting journeys are
           passed: this model ignores y and would credit non-converting journeys.
           No value.
mta-shapley  mta 0.0.9: MTA(data=df).shapley(normalize=False)     shapley
           Aggregated rows as they are. No value.
mta-shao   mta 0.0.9: MTA(data=df).shao(normalize=False),         shao-li
           then rescaled here by total conversions / sum of credits (the peer's
           normalize=True does the same but rounds the shares to 6 decimals).
           No value.
do-exact-set  do-attribution 0.0.2:                              shapley-exact-set
           ShapleyAttribution().fit(paths, conversions), one row per journey
           (it accepts only 0/1 conversions). conversions = total conversions x
           the peer's share; where the peer refuses to normalise (negative share,
           share above one) they are computed from its raw `shapley_values` as
           total x phi_i / sum(phi), and stderr says so; where it refuses a
           near-zero sum (the usual case: sum(phi) = R(all channels) = 0) no credit
           is written, as ours refuses with an error. No value.

fractribution  Google Fractribution (py/fractribution.py, vendored in
           scripts/third_party at commit 72ad8a4; not on the package registry):
           Fractribution(rows).run_shapley_attribution() on the paths as they are
           (its SQL's default `exposure` transform is not applied: ours runs
           without transforms too).                              leave-one-out
           conversions/value = sum over paths of conversions (revenue) x the
           path's channel attribution, as its _get_channel_to_attribution and
           _get_channel_to_revenue do.
sa-montecarlo  shapley-attribution 2.1.0:                        dda (timing)
           MonteCarloShapleyAttribution(random_state=0, normalize=False)
           .fit(journeys, y): a GBM presence model, 2000 sampled permutations.
           A different model from ours on purpose: timed, not compared.
sa-path    shapley-attribution 2.1.0 PathShapleyAttribution(random_state=0,
           normalize=False).fit(journeys, y).                    dda (timing)
mta-logistic  mta 0.0.9: MTA(data=df).logistic_regression(normalize=False):
           |coefficients| of 2000 random no-intercept fits.      dda (timing)

Timing: stderr gets one line `peer: VARIANT ... load=Xs convert=Ys model=Zs ...`:
load = pandas.read_csv, convert = our reshaping into the peer's input (expanding
rows into journeys, building frames), model = the peer's own calls (constructors
included: mta and MAM preprocess there). Everything else (interpreter start,
imports, writing) is only in the whole-process time the caller measures.
cpu_after_start = CPU seconds of load + convert + model (process_time): on a busy
machine the steadier figure.
"""

import argparse
import contextlib
import math
import sys
import time
import warnings
from importlib.metadata import version

import pandas as pd

SEP = " > "
PACKAGES = {
    "mam-rate": "marketing-attribution-models",
    "sa-simplified": "shapley-attribution",
    "sa-ordered": "shapley-attribution",
    "mta-shapley": "mta",
    "mta-shao": "mta",
    "do-exact-set": "do-attribution",
    "fractribution": "fractribution",
    "sa-montecarlo": "shapley-attribution",
    "sa-path": "shapley-attribution",
    "mta-logistic": "mta",
}
OUR_MODEL = {
    "mam-rate": "shapley-rate",
    "sa-simplified": "shapley",
    "sa-ordered": "shapley-ordered",
    "mta-shapley": "shapley",
    "mta-shao": "shao-li",
    "do-exact-set": "shapley-exact-set",
    "fractribution": "leave-one-out",
    "sa-montecarlo": "dda",
    "sa-path": "dda",
    "mta-logistic": "dda",
}
# The peers whose numbers measure something else than our model on purpose (a
# learned GBM or |coefficients| averaged over random fits): timed side by side,
# their credits written for the record but not expected to agree.
DIFFERENT_MODEL = {"sa-montecarlo", "sa-path", "mta-logistic"}


def journeys(data, converting_only=False):
    """Expands aggregated rows into one entry per journey: (touches, converted)."""
    out_paths, out_y = [], []
    for path, conv, null in zip(data["path"], data["total_conversions"], data["total_null"]):
        touches = [t.strip() for t in str(path).split(">")]
        c, n = int(conv), int(null)
        if c != conv or n != null or c < 0 or n < 0:
            raise SystemExit(f"non-integer or negative counts on path {path!r}: the peer needs journeys")
        out_paths.extend([touches] * c)
        out_y.extend([1] * c)
        if not converting_only:
            out_paths.extend([touches] * n)
            out_y.extend([0] * n)
    return out_paths, out_y


def run_mam(data, max_size, value_column):
    from mam.core import MAM

    started = time.perf_counter()
    # Format 3 (grouped journeys): one row per (path, converted) with its count.
    conv = data[data["total_conversions"] > 0]
    null = data[data["total_null"] > 0]
    grouped = pd.concat(
        [
            pd.DataFrame({"journey": conv["path"], "has_conversion": True,
                          "occurrences": conv["total_conversions"].astype("int64"),
                          "revenue": conv["total_conversion_value"].astype("float64")}),
            pd.DataFrame({"journey": null["path"], "has_conversion": False,
                          "occurrences": null["total_null"].astype("int64"),
                          "revenue": 0.0}),
        ],
        ignore_index=True,
    )
    converted = time.perf_counter()
    credits = {}
    for column in ("conversions", "value"):
        mam = MAM(
            df=grouped,
            format_type="grouped_journey",
            channels_colname="journey",
            journey_with_conv_colname="has_conversion",
            occurrences_colname="occurrences",
            path_separator=SEP,
            conversion_value_colname="revenue" if column == "value" else None,
        )
        result = mam.run_shapley(max_size=max_size, value_column=value_column)
        agg = result.to_polars()  # the per-channel table: channels, attribution
        for channel, credit in zip(agg["channels"].to_list(), agg["attribution"].to_list()):
            credits.setdefault(str(channel), {})[column] = float(credit)
    done = time.perf_counter()
    rows = [(ch, c.get("conversions", 0.0), c.get("value", 0.0)) for ch, c in credits.items()]
    return rows, None, converted - started, done - converted, len(grouped)


def run_sa(data, ordered):
    import shapley_attribution as sa

    started = time.perf_counter()
    x, y = journeys(data, converting_only=ordered)
    converted = time.perf_counter()
    if ordered:
        model = sa.OrderedShapleyAttribution()
        model.fit(x)
    else:
        model = sa.SimplifiedShapleyAttribution()
        model.fit(x, y)
    credits = model.get_attribution()
    done = time.perf_counter()
    rows = [(str(ch), float(v), None) for ch, v in credits.items()]
    positions = None
    if ordered:
        positions = [
            (str(ch), t + 1, float(v))
            for ch, scores in model.position_attribution_.items()
            for t, v in enumerate(scores)
        ]
    return rows, positions, converted - started, done - converted, len(x)


def run_mta(data, method):
    from mta import MTA

    started = time.perf_counter()
    frame = data[["path", "total_conversions", "total_null"]].copy()
    converted = time.perf_counter()
    model = MTA(data=frame)
    built = time.perf_counter()
    getattr(model, method)(normalize=False)
    # logistic_regression stores its result under "linreg".
    credits = dict(model.attribution["linreg" if method == "logistic_regression" else method])
    done = time.perf_counter()
    # The constructor's preprocessing (synthetic exposure times with arrow, loop
    # removal with iterrows) is part of every mta call; shown apart for the record.
    print(f"peer: mta constructor {built - converted:.2f}s, {method}() {done - built:.2f}s",
          file=sys.stderr)
    if method == "shao":
        total = float(data["total_conversions"].sum())
        s = sum(credits.values())
        credits = {ch: v * total / s for ch, v in credits.items()}
    rows = [(str(ch), float(v), None) for ch, v in credits.items()]
    return rows, None, converted - started, done - converted, len(frame)


def run_do(data):
    from do_attribution import ShapleyAttribution

    started = time.perf_counter()
    x, y = journeys(data)
    paths = [SEP.join(touches) for touches in x]
    converted = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = ShapleyAttribution(separator=SEP).fit(paths, y)
    done = time.perf_counter()
    total = float(sum(y))
    raw = result["shapley_values"]
    share = result["attribution"]
    if share is None:
        # The peer refuses shares of a near-zero sum (|sum(phi)| <= 1e-12 sum|phi|) and
        # of signed shares. Ours refuses only the first (at 1e-9), so for signed shares
        # the conversions are rebuilt from the peer's raw values.
        reason = result["normalization_reason"]
        s = sum(raw.values())
        degenerate = reason in ("near_cancellation", "zero_raw_magnitude") or s == 0
        print(
            f"peer: do-attribution refused to normalise ({reason}, sum(phi)={s!r}, "
            f"cancellation ratio={result['cancellation_ratio']!r}); "
            + ("degenerate game: no credits written" if degenerate else
               "conversions below are total x phi_i / sum(phi) from its raw values"),
            file=sys.stderr,
        )
        share = {} if degenerate else {ch: v / s for ch, v in raw.items()}
    for w in caught:
        print(f"peer: warning: {w.message}", file=sys.stderr)
    rows = [(str(ch), total * float(v), None) for ch, v in share.items()]
    return rows, None, converted - started, done - converted, len(x)


def run_fractribution(data):
    import importlib.util
    import os
    import types

    # fractribution.py imports google.cloud.bigquery for annotations and its upload
    # helpers only; a stub module stands in for it.
    google = sys.modules.setdefault("google", types.ModuleType("google"))
    cloud = sys.modules.setdefault("google.cloud", types.ModuleType("google.cloud"))
    bigquery = types.ModuleType("google.cloud.bigquery")
    bigquery.job = types.SimpleNamespace(QueryJob=object)
    bigquery.client = types.SimpleNamespace(Client=object)
    google.cloud = cloud
    cloud.bigquery = bigquery
    sys.modules["google.cloud.bigquery"] = bigquery
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "fractribution", os.path.join(here, "third_party", "fractribution.py"))
    fractribution = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fractribution)

    started = time.perf_counter()
    value = (data["total_conversion_value"] if "total_conversion_value" in data
             else [0.0] * len(data))
    rows_in = [
        (SEP.join(t.strip() for t in str(path).split(">")), int(c), int(n), float(v))
        for path, c, n, v in zip(data["path"], data["total_conversions"],
                                 data["total_null"], value)
    ]
    converted = time.perf_counter()
    model = fractribution.Fractribution(rows_in)
    model.run_fractribution("shapley")
    conversions = model._get_channel_to_attribution()
    revenue = model._get_channel_to_revenue()
    done = time.perf_counter()
    rows = [
        (str(ch), float(v), float(revenue.get(ch, 0.0)))
        for ch, v in conversions.items()
        # Non-converting paths add a zero "Unmatched_Channel" entry.
        if not (ch == fractribution.UNMATCHED_CHANNEL and v == 0)
    ]
    return rows, None, converted - started, done - converted, len(rows_in)


def run_sa_learned(data, variant):
    import shapley_attribution as sa

    started = time.perf_counter()
    x, y = journeys(data)
    converted = time.perf_counter()
    if variant == "sa-montecarlo":
        model = sa.MonteCarloShapleyAttribution(random_state=0, normalize=False)
    else:
        model = sa.PathShapleyAttribution(random_state=0, normalize=False)
    model.fit(x, y)
    credits = model.get_attribution()
    done = time.perf_counter()
    rows = [(str(ch), float(v), None) for ch, v in credits.items()]
    return rows, None, converted - started, done - converted, len(x)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variant", choices=sorted(PACKAGES))
    parser.add_argument("input")
    parser.add_argument("--output", default=None)
    parser.add_argument("--positions", default=None, help="sa-ordered: per-position credits")
    parser.add_argument("--max-size", type=int, default=None,
                        help="mam-rate: the package's max_size (default: none = all channels)")
    parser.add_argument("--value-column", default="conv_rate",
                        choices=["conv_rate", "conversions", "conversion_value"],
                        help="mam-rate: the package's value_column (default conv_rate)")
    args = parser.parse_args()

    started = time.perf_counter()
    cpu_started = time.process_time()
    data = pd.read_csv(args.input, sep=",")
    loaded = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # the peers print progress
        if args.variant == "mam-rate":
            out = run_mam(data, args.max_size, args.value_column)
        elif args.variant in ("sa-simplified", "sa-ordered"):
            out = run_sa(data, args.variant == "sa-ordered")
        elif args.variant in ("mta-shapley", "mta-shao", "mta-logistic"):
            method = args.variant.removeprefix("mta-")
            out = run_mta(data, "logistic_regression" if method == "logistic" else method)
        elif args.variant == "fractribution":
            out = run_fractribution(data)
        elif args.variant in ("sa-montecarlo", "sa-path"):
            out = run_sa_learned(data, args.variant)
        else:
            out = run_do(data)
    rows, positions, convert_s, model_s, units = out
    cpu_s = time.process_time() - cpu_started
    package = PACKAGES[args.variant]
    package_version = "72ad8a4" if package == "fractribution" else version(package)
    extra = (f" max_size={args.max_size} value_column={args.value_column}"
             if args.variant == "mam-rate" else "")
    print(
        f"peer: {args.variant}{extra} {package}={package_version} rows={len(data)} "
        f"peer_input_rows={units} load={loaded - started:.2f}s convert={convert_s:.2f}s "
        f"model={model_s:.2f}s cpu_after_start={cpu_s:.2f}s",
        file=sys.stderr,
    )
    model = OUR_MODEL[args.variant]
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("model,channel,conversions,value\n")
            for channel, conv, value in sorted(rows):
                v = "" if value is None or math.isnan(value) else repr(value)
                f.write(f"{model},{channel},{conv!r},{v}\n")
    if args.positions and positions is not None:
        with open(args.positions, "w", encoding="utf-8") as f:
            f.write("model,channel,position,conversions,value\n")
            for channel, position, conv in positions:
                f.write(f"{model},{channel},{position},{conv!r},\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
