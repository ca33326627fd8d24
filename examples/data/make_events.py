#!/usr/bin/env python3
"""Writes examples/data/events.csv: a deterministic multi-user event log built
from the seed story (PPC ad, landing page, e-mail, LinkedIn, purchase). Run from the repository root:

    python3 examples/data/make_events.py > examples/data/events.csv

A lead sees a PPC ad, lands on the landing page and leaves an e-mail address,
gets a newsletter with the catalogue the next day (Email), sees a LinkedIn
retargeting ad a week later and pays three days after that. Around that story:
leads who never convert, Direct visits, leads coming back after months, a
purchase made on a visit (a converting visit with a channel), a customer who
buys twice, two users who buy without any recorded touch (unattributed).
Rows are shuffled (the reader must not rely on order); the seed is fixed.
"""

import random
from datetime import datetime, timedelta, timezone

rng = random.Random(20240301)
START = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)
rows = []


def at(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def touch(user, t, channel):
    rows.append((user, at(t), channel, 0, "0"))


def buy(user, t, value, channel=""):
    rows.append((user, at(t), channel, 1, f"{value:.2f}"))


def minutes(a, b):
    return timedelta(minutes=rng.randint(a, b))


def story(user, t0, converts=True, value=None):
    """PPC > LandingPage > Email (next day) > LinkedIn (a week later) > purchase (3 days later)."""
    touch(user, t0, "PPC")
    t = t0 + minutes(1, 3)
    touch(user, t, "LandingPage")
    t = t + timedelta(days=1) + minutes(0, 120)
    touch(user, t, "Email")
    t = t + timedelta(days=7) + minutes(0, 240)
    touch(user, t, "LinkedIn")
    if converts:
        buy(user, t + timedelta(days=3) + minutes(0, 300), value or rng.choice([49.0, 89.0, 120.0, 240.0]))
    return t


n = 0


def new_user():
    global n
    n += 1
    return f"lead{n:03d}"


def day(k):
    return START + timedelta(days=k) + minutes(0, 600)


# 1. The full story, converting (12 leads).
for _ in range(12):
    story(new_user(), day(rng.randint(0, 60)))
# 2. The story stops before the purchase (8 leads never convert).
for _ in range(8):
    story(new_user(), day(rng.randint(0, 60)), converts=False)
# 3. Drop-offs after the landing page (6 leads): PPC > LandingPage only.
for _ in range(6):
    u, t = new_user(), day(rng.randint(0, 80))
    touch(u, t, "PPC")
    touch(u, t + minutes(1, 2), "LandingPage")
# 4. Direct visitors (6): some buy on the visit itself (a converting visit).
for i in range(6):
    u, t = new_user(), day(rng.randint(0, 80))
    touch(u, t, "Direct")
    if i % 2 == 0:
        buy(u, t + timedelta(days=2), rng.choice([35.0, 60.0]), channel="Direct")
# 5. Returning after months (5): the story, silence, then Organic + Email and a purchase.
for _ in range(5):
    u = new_user()
    t = story(u, day(rng.randint(0, 20)), converts=False)
    back = t + timedelta(days=rng.randint(90, 150))
    touch(u, back, "Organic")
    touch(u, back + timedelta(days=1), "Email")
    buy(u, back + timedelta(days=2), 180.0)
# 6. A customer who buys twice: the story, then a newsletter and a second order.
u = new_user()
t = story(u, day(3), value=120.0)
touch(u, t + timedelta(days=20), "Email")
touch(u, t + timedelta(days=22), "Direct")
buy(u, t + timedelta(days=22, minutes=5), 60.0, channel="Direct")
# 7. Buyers with no recorded touch (2): their conversions are unattributed.
for _ in range(2):
    buy(new_user(), day(rng.randint(10, 90)), 75.0)
# 8. LinkedIn-first leads (4): LinkedIn > PPC, half buy on a landing-page visit.
for i in range(4):
    u, t = new_user(), day(rng.randint(0, 70))
    touch(u, t, "LinkedIn")
    touch(u, t + timedelta(days=rng.randint(5, 14)), "PPC")
    if i % 2 == 0:
        buy(u, t + timedelta(days=15), 99.0, channel="LandingPage")

rng.shuffle(rows)
print("user_id,timestamp,channel,conversion,value")
for r in rows:
    print(",".join(str(x) for x in r))
