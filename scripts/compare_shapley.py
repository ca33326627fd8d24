#!/usr/bin/env python3
"""Compares two `model,channel,conversions,value` credit tables (a Python peer's,
from peer_shapley.py, against ours or shapley_reference.py's), or two
`model,channel,position,conversions,value` position tables. Standard library only.

    compare_shapley.py A.csv B.csv [--model NAME] [--tol 1e-6]

Rows are matched on (channel[, position]) for the model NAME (default: the only one in
A); a channel or position missing on one side counts as credit 0 (some peers leave
out channels without credit). A `value` cell left empty (the peer has no value) is not
compared. Extra columns are ignored. Prints one line:
`max abs diff X (channel column) over N cells; ok|DIFF at tol T` and exits 0 when ok.
"""

import argparse
import csv
import math
import sys


def read(path, model):
    table, models = {}, set()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            models.add(row["model"])
            if model is not None and row["model"] != model:
                continue
            key = (row["channel"], row["position"]) if "position" in row else (row["channel"],)
            table[key] = {col: row.get(col, "") for col in ("conversions", "value")}
    return table, models


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--model", default=None)
    parser.add_argument("--tol", type=float, default=1e-6)
    args = parser.parse_args()
    model = args.model
    if model is None:
        _, models = read(args.a, None)
        if len(models) != 1:
            sys.exit(f"{args.a}: {len(models)} models, say which with --model")
        model = models.pop()
    a, _ = read(args.a, model)
    b, _ = read(args.b, model)
    if not a or not b:
        print(f"no rows for {model} in {args.a if not a else args.b}")
        return 1
    worst, where, cells = 0.0, "identical", 0
    for key in sorted(set(a) | set(b)):
        for col in ("conversions", "value"):
            x = a.get(key, {}).get(col)
            y = b.get(key, {}).get(col)
            # An empty cell on a side that has the row: that side has no such column.
            if (key in a and x == "") or (key in b and y == ""):
                continue
            x = float(x) if x not in (None, "") else 0.0
            y = float(y) if y not in (None, "") else 0.0
            cells += 1
            diff = abs(x - y) if math.isfinite(x) and math.isfinite(y) else math.inf
            if diff > worst:
                worst, where = diff, f"{' '.join(key)} {col}"
    verdict = "ok" if worst <= args.tol else "DIFF"
    print(f"max abs diff {worst:.3g} ({where}) over {cells} cells; {verdict} at tol {args.tol:g}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
