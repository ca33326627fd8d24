#!/usr/bin/env python3
"""A slow, plain reference for the pinned definitions of issue 13 (the Shapley family
and Shao & Li), written straight from the issue's formulas, standard library only.
It is what scripts/bench_shapley_peers.sh checks the Python peers against until our
models can be run, and a second opinion after that.

    shapley_reference.py MODEL INPUT [--output OUT.csv] [--positions POS.csv]
                         [--max-channels K] [--keep recent|alphabetical]

MODEL: shapley, shapley-rate, shapley-ordered, shao-li, shapley-exact-set.
INPUT: the aggregated paths CSV (path,total_conversions,total_null,
total_conversion_value, any column order, touches joined by ">").
Writes `model,channel,conversions,value` (value empty for shapley-exact-set, whose
value rule the issue does not pin). Notation: S_j distinct channels of row j, c_j, n_j,
v_j its conversions, nulls, value; R(S), N(S), V(S) the sums over rows with S_j = S;
w(s, n) = s!(n-s-1)!/n!.

* shapley: phi_i = sum over S containing i of R(S)/|S| (value: V).
* shapley-rate: for every C with R(C) > 0, the game v_C(T) = R(T)/N(T) on the observed
  T subset of C with R(T) > 0; phi^C_i = sum_T v_C(T) (w(|T|-1,|C|) if i in T else
  -w(|T|,|C|)); channel i gets R(C) phi^C_i / v_C(C) conversions, V(C) phi^C_i / v_C(C)
  value. --max-channels K keeps K distinct channels of each row: the most recent
  (default) or the alphabetically last (--keep alphabetical, marketing-attribution-
  models' rule).
* shapley-ordered: the touch at position t of channel i in a converting row with k
  distinct channels gets c_j/(k count_j(i)) (value v_j/(...)); --positions writes the
  per-(channel, position) table.
* shao-li: P(a), P(a,b) conversion rates of the rows containing a (a and b), weighted
  by c + n; contribution P(a) + sum_b (P(a,b) - P(a) - P(b)) / (2(|S|-1)); credits
  sum_j c_j contrib rescaled to the total conversions (value: v_j, to the total value).
* shapley-exact-set: v(T) = R(T) over all channels; phi by the point-mass formula;
  conversions = total conversions x phi_i / sum(phi); refuses (exit 3) when
  |sum(phi)| <= 1e-9 sum|phi|.
"""

import argparse
import csv
import sys
from collections import defaultdict
from itertools import combinations
from math import factorial


def read_rows(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            touches = [t.strip() for t in row["path"].split(">")]
            rows.append((
                touches,
                float(row["total_conversions"]),
                float(row.get("total_null") or 0),
                float(row.get("total_conversion_value") or 0),
            ))
    return rows


def w(s, n):
    return factorial(s) * factorial(n - s - 1) / factorial(n)


def kept(touches, k, keep):
    if k is None:
        return frozenset(touches)
    if keep == "alphabetical":
        return frozenset(sorted(set(touches))[-k:])
    recent = []
    for t in reversed(touches):
        if t not in recent:
            recent.append(t)
    return frozenset(recent[:k])


def shapley(rows):
    conv, value = defaultdict(float), defaultdict(float)
    for touches, c, _, v in rows:
        s = set(touches)
        for ch in s:
            conv[ch] += c / len(s)
            value[ch] += v / len(s)
    return conv, value


def shapley_ordered(rows):
    conv, value, pos = defaultdict(float), defaultdict(float), defaultdict(float)
    for touches, c, _, v in rows:
        if c == 0 and v == 0:
            continue
        k = len(set(touches))
        for t, ch in enumerate(touches, start=1):
            share = 1.0 / (k * touches.count(ch))
            conv[ch] += c * share
            value[ch] += v * share
            pos[(ch, t)] += c * share
    return conv, value, pos


def shapley_rate(rows, k, keep):
    r, n, val = defaultdict(float), defaultdict(float), defaultdict(float)
    for touches, c, nulls, v in rows:
        s = kept(touches, k, keep)
        r[s] += c
        n[s] += c + nulls
        val[s] += v
    observed = [s for s in r if r[s] > 0]
    conv, value = defaultdict(float), defaultdict(float)
    for big in observed:
        size = len(big)
        phi = dict.fromkeys(big, 0.0)
        for small in observed:
            if small <= big:
                game = r[small] / n[small]
                for ch in big:
                    if ch in small:
                        phi[ch] += game * w(len(small) - 1, size)
                    else:
                        phi[ch] -= game * w(len(small), size)
        whole = r[big] / n[big]
        for ch in big:
            conv[ch] += r[big] * phi[ch] / whole
            value[ch] += val[big] * phi[ch] / whole
    return conv, value


def shao_li(rows):
    conv_n, all_n = defaultdict(float), defaultdict(float)
    for touches, c, nulls, _ in rows:
        s = sorted(set(touches))
        for size in (1, 2):
            for key in combinations(s, size):
                conv_n[key] += c
                all_n[key] += c + nulls
    p = {key: conv_n[key] / all_n[key] for key in all_n}
    conv, value = defaultdict(float), defaultdict(float)
    for touches, c, _, v in rows:
        s = set(touches)
        for a in s:
            others = s - {a}
            contrib = p[(a,)]
            if others:
                contrib += sum(
                    p[tuple(sorted((a, b)))] - p[(a,)] - p[(b,)] for b in others
                ) / (2 * len(others))
            conv[a] += c * contrib
            value[a] += v * contrib
    total_c = sum(c for _, c, _, _ in rows)
    total_v = sum(v for _, _, _, v in rows)
    sc, sv = sum(conv.values()), sum(value.values())
    conv = {ch: x * total_c / sc for ch, x in conv.items()}
    value = {ch: x * total_v / sv for ch, x in value.items()} if sv else value
    return conv, value


def shapley_exact_set(rows):
    r = defaultdict(float)
    channels = set()
    for touches, c, _, _ in rows:
        s = frozenset(touches)
        channels |= s
        r[s] += c
    n = len(channels)
    phi = dict.fromkeys(channels, 0.0)
    for s, game in r.items():
        if game == 0:
            continue
        for ch in channels:
            if ch in s:
                phi[ch] += game * w(len(s) - 1, n)
            else:
                phi[ch] -= game * w(len(s), n)
    total = sum(phi.values())
    magnitude = sum(abs(x) for x in phi.values())
    if abs(total) <= 1e-9 * magnitude:
        print(f"shapley-exact-set: sum(phi) = {total!r} against sum|phi| = {magnitude!r}: "
              "degenerate, no shares", file=sys.stderr)
        return None, None
    total_c = sum(c for _, c, _, _ in rows)
    return {ch: total_c * x / total for ch, x in phi.items()}, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", choices=["shapley", "shapley-rate", "shapley-ordered",
                                          "shao-li", "shapley-exact-set"])
    parser.add_argument("input")
    parser.add_argument("--output", default="-")
    parser.add_argument("--positions", default=None)
    parser.add_argument("--max-channels", type=int, default=None)
    parser.add_argument("--keep", choices=["recent", "alphabetical"], default="recent")
    args = parser.parse_args()
    rows = read_rows(args.input)
    pos = None
    if args.model == "shapley":
        conv, value = shapley(rows)
    elif args.model == "shapley-rate":
        conv, value = shapley_rate(rows, args.max_channels, args.keep)
    elif args.model == "shapley-ordered":
        conv, value, pos = shapley_ordered(rows)
    elif args.model == "shao-li":
        conv, value = shao_li(rows)
    else:
        conv, value = shapley_exact_set(rows)
        if conv is None:
            return 3
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    out.write("model,channel,conversions,value\n")
    for ch in sorted(conv):
        v = "" if value is None else repr(value.get(ch, 0.0))
        out.write(f"{args.model},{ch},{conv[ch]!r},{v}\n")
    if out is not sys.stdout:
        out.close()
    if args.positions and pos is not None:
        with open(args.positions, "w", encoding="utf-8") as f:
            f.write("model,channel,position,conversions,value\n")
            for (ch, t), x in sorted(pos.items()):
                f.write(f"{args.model},{ch},{t},{x!r},\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
