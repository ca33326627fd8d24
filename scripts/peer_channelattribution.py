#!/usr/bin/env python3
"""Runs the reference peer, ChannelAttribution (PyPI `channelattribution`), on a
`paths` CSV (path,total_conversions,total_null,total_conversion_value) for
scripts/bench_vs_channelattribution.sh.

    peer_channelattribution.py heuristics FILE [--output OUT.csv]
    peer_channelattribution.py markov FILE --order K [--out-more] [--output OUT.csv]

The calls are the package's defaults except for the column names, `order`,
`ncore=1` (Markov) and `flg_pro=False` (only silences an advertising banner):

    heuristic_models(Data, var_path="path", var_conv="total_conversions",
                     var_value="total_conversion_value")
    markov_model(Data, var_path="path", var_conv="total_conversions",
                 var_value="total_conversion_value", var_null="total_null",
                 order=K, ncore=1)

(`heuristic_models` has no `var_null` parameter.) Load and model times are printed
on stderr; the result table goes to --output (default: nowhere).
"""

import argparse
import contextlib
import sys
import time
from importlib.metadata import version

import pandas as pd
import ChannelAttribution as ca


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=["heuristics", "markov"])
    parser.add_argument("input")
    parser.add_argument("--order", type=int, default=1)
    parser.add_argument("--out-more", action="store_true",
                        help="markov: also return transition matrix and removal effects")
    parser.add_argument("--output", default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    data = pd.read_csv(args.input, sep=",")
    loaded = time.perf_counter()
    # The package prints progress on stdout; keep stdout for nothing else.
    with contextlib.redirect_stdout(sys.stderr):
        if args.model == "heuristics":
            result = ca.heuristic_models(
                data,
                var_path="path",
                var_conv="total_conversions",
                var_value="total_conversion_value",
                flg_pro=False,
            )
        else:
            result = ca.markov_model(
                data,
                var_path="path",
                var_conv="total_conversions",
                var_value="total_conversion_value",
                var_null="total_null",
                order=args.order,
                ncore=1,
                out_more=args.out_more,
                flg_pro=False,
            )
    done = time.perf_counter()
    print(
        f"peer: {args.model} order={args.order} rows={len(data)} "
        f"load={loaded - started:.2f}s model={done - loaded:.2f}s "
        f"channelattribution={version('channelattribution')}",
        file=sys.stderr,
    )
    if args.output:
        if isinstance(result, dict):
            for name, frame in result.items():
                frame.to_csv(f"{args.output}.{name}.csv", index=False)
        elif isinstance(result, (list, tuple)):
            for i, frame in enumerate(result):
                frame.to_csv(f"{args.output}.{i}.csv", index=False)
        else:
            result.to_csv(args.output, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
