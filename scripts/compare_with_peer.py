#!/usr/bin/env python3
"""Checks one benchmark case: do our credits keep the totals, and how far are they
from ChannelAttribution's? Standard library only.

    compare_with_peer.py CASE INPUT OURS.csv [PEER.csv]

CASE is heuristics, markov1 or markov3; INPUT the paths CSV both ran on; OURS.csv the
`attribution attribute --format csv` output (model,channel,conversions,value,
removal_effect); PEER.csv the table written by peer_channelattribution.py --output.
Prints one line: `totals ok|BAD; vs peer max rel. diff X% (model channel)`, the
difference taken over the channels with at least 1% of the conversions. Heuristics
must agree to rounding; the peer's Markov credits are Monte-Carlo estimates, so a few
percent of difference is its noise, not ours.
"""

import csv
import sys


def input_totals(path):
    conversions = value = 0.0
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            conversions += float(row["total_conversions"])
            value += float(row.get("total_conversion_value") or 0)
    return conversions, value


def norm_model(name):
    name = name.strip().lower().replace("-", "_")
    return {"linear_touch": "linear"}.get(name, name)


def ours_credits(path):
    credits = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            credits[(norm_model(row["model"]), row["channel"])] = (
                float(row["conversions"]),
                float(row["value"]),
            )
    return credits


def peer_credits(case, path):
    credits = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            channel = row["channel_name"]
            if case == "heuristics":
                for model, prefix in (("first_touch", "first_touch"),
                                      ("last_touch", "last_touch"),
                                      ("linear", "linear_touch")):
                    credits[(model, channel)] = (
                        float(row[f"{prefix}_conversions"]),
                        float(row[f"{prefix}_value"]),
                    )
            else:
                credits[("markov", channel)] = (
                    float(row["total_conversions"]),
                    float(row["total_conversion_value"]),
                )
    return credits


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    case, input_path, ours_path = sys.argv[1:4]
    peer_path = sys.argv[4] if len(sys.argv) == 5 else None
    total_conv, total_value = input_totals(input_path)
    ours = ours_credits(ours_path)
    models = sorted({m for m, _ in ours})
    if not models:
        print("no rows in our output")
        return 1
    ok = True
    for model in models:
        conv = sum(c for (m, _), (c, _) in ours.items() if m == model)
        value = sum(v for (m, _), (_, v) in ours.items() if m == model)
        ok &= abs(conv - total_conv) <= 1e-9 * max(total_conv, 1)
        ok &= abs(value - total_value) <= 1e-9 * max(total_value, 1)
    message = "totals ok" if ok else "totals BAD"
    if peer_path:
        # Channels with at least 1% of the conversions: the peer's simulation noise
        # on tiny channels would say nothing.
        peer = peer_credits(case, peer_path)
        worst, where = 0.0, "identical"
        for key, (c, _) in peer.items():
            if key not in ours:
                worst, where = float("inf"), f"{key[0]} {key[1]} missing in ours"
                break
            if c < 0.01 * total_conv:
                continue
            diff = abs(ours[key][0] - c) / c
            if diff > worst:
                worst, where = diff, f"{key[0]} {key[1]}"
        message += f"; vs peer max rel. diff {100 * worst:.3g}% ({where})"
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
