//! An independent oracle for the Shapley games: each game written from the
//! journey list as a function of a coalition (a bit mask), its Shapley
//! value by the textbook formula over all 2^n coalitions (n ≤ 8 here), and
//! the library's closed forms agreeing to 1e-10 on random journey sets:
//! `shapley`, `shapley-rate` (rate, count and value) and `shapley-exact-set`
//! (degenerate draws must be errors). Efficiency, symmetry and null-player
//! axioms as properties; a 25-channel journey in closed form.

use attribution::model::Registry;
use attribution::{Attribution, Channels, Journey, JourneySet, ModelError};
use proptest::prelude::*;

/// One journey: channel indices touched, conversions, non-conversions, value.
#[derive(Debug, Clone)]
struct Row {
    touches: Vec<usize>,
    conversions: u64,
    nulls: u64,
    value: f64,
}

impl Row {
    fn mask(&self) -> u32 {
        self.touches.iter().fold(0, |m, &c| m | 1 << c)
    }
}

fn rows(channels: usize) -> impl Strategy<Value = Vec<Row>> {
    let row = (
        prop::collection::vec(0..channels, 1..6),
        0u64..4,
        0u64..3,
        1u32..10_000,
    )
        .prop_map(|(touches, conversions, nulls, cents)| Row {
            touches,
            conversions,
            nulls: if conversions + nulls == 0 { 1 } else { nulls },
            value: f64::from(cents) / 100.0,
        });
    prop::collection::vec(row, 1..14)
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ch{i}")).collect()
}

fn set_of(rows: &[Row], n: usize) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for name in names(n) {
        set.channels_mut().intern(&name).unwrap();
    }
    for r in rows {
        let ids: Vec<_> = r
            .touches
            .iter()
            .map(|&c| set.channels().get(&format!("ch{c}")).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, r.conversions, r.nulls, r.value).unwrap())
            .unwrap();
    }
    set
}

fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// The textbook Shapley value of `v` over the players of `players` (a mask):
/// φ_i = Σ_{T ⊆ P∖{i}} |T|!(n−|T|−1)!/n! · (v(T ∪ {i}) − v(T)).
fn shapley_value(players: u32, v: &dyn Fn(u32) -> f64) -> Vec<(usize, f64)> {
    let n = players.count_ones();
    let members: Vec<usize> = (0..32).filter(|b| players >> b & 1 == 1).collect();
    members
        .iter()
        .map(|&i| {
            let others = players & !(1 << i);
            let mut phi = 0.0;
            // Every subset T of `others`.
            let mut t = others;
            loop {
                let s = t.count_ones();
                let weight = factorial(s) * factorial(n - s - 1) / factorial(n);
                phi += weight * (v(t | 1 << i) - v(t));
                if t == 0 {
                    break;
                }
                t = (t - 1) & others;
            }
            (i, phi)
        })
        .collect()
}

/// R, N, V of the journeys whose set is exactly `t`.
fn exact(rows: &[Row], t: u32) -> (f64, f64, f64) {
    rows.iter()
        .filter(|r| r.mask() == t)
        .fold((0.0, 0.0, 0.0), |(c, n, v), r| {
            let conv = r.conversions as f64;
            (
                c + conv,
                n + conv + r.nulls as f64,
                v + if r.conversions > 0 { r.value } else { 0.0 },
            )
        })
}

/// Oracle credits (conversions, value) per channel of `shapley`.
fn oracle_cumulative(rows: &[Row], n: usize) -> Vec<(f64, f64)> {
    let players = (1u32 << n) - 1;
    let game = |pick: fn(&Row) -> f64| {
        move |t: u32| -> f64 {
            rows.iter()
                .filter(|r| r.conversions > 0 && r.mask() & !t == 0)
                .map(pick)
                .sum()
        }
    };
    let c = shapley_value(players, &game(|r| r.conversions as f64));
    let v = shapley_value(players, &game(|r| r.value));
    c.iter().zip(&v).map(|(a, b)| (a.1, b.1)).collect()
}

/// Oracle credits of `shapley-rate` in `mode` (rate, count or value).
fn oracle_rate(rows: &[Row], n: usize, mode: &str) -> Vec<(f64, f64)> {
    let mut out = vec![(0.0, 0.0); n];
    let mut seen: Vec<u32> = rows.iter().map(Row::mask).collect();
    seen.sort_unstable();
    seen.dedup();
    for &c in &seen {
        let (rc, _, vc) = exact(rows, c);
        if rc == 0.0 {
            continue;
        }
        let worth = |t: u32| -> f64 {
            if t & !c != 0 || !seen.contains(&t) {
                return 0.0;
            }
            let (r, nn, v) = exact(rows, t);
            if r == 0.0 {
                return 0.0;
            }
            match mode {
                "rate" => r / nn,
                "count" => r,
                _ => v,
            }
        };
        let own = worth(c);
        for (i, phi) in shapley_value(c, &worth) {
            out[i].0 += rc * phi / own;
            out[i].1 += vc * phi / own;
        }
    }
    out
}

/// Oracle φ of `shapley-exact-set` over the channels of some journey.
fn oracle_exact_set(rows: &[Row], n: usize) -> Vec<f64> {
    let players = rows.iter().fold(0, |m, r| m | r.mask());
    let mut phi = vec![0.0; n];
    for (i, x) in shapley_value(players, &|t| exact(rows, t).0) {
        phi[i] = x;
    }
    phi
}

fn run(spec: &str, set: &JourneySet) -> Result<Attribution, ModelError> {
    Registry::builtin().parse(spec).unwrap().attribute(set)
}

fn credits(result: &Attribution, n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let c = result.get(&format!("ch{i}")).unwrap();
            (c.conversions, c.value)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-10 * a.abs().max(b.abs()).max(1.0)
}

fn agree(got: &[(f64, f64)], want: &[(f64, f64)], what: &str) -> Result<(), TestCaseError> {
    for (g, w) in got.iter().zip(want) {
        prop_assert!(
            close(g.0, w.0) && close(g.1, w.1),
            "{}: {:?} vs {:?}",
            what,
            got,
            want
        );
    }
    Ok(())
}

fn totals(rows: &[Row]) -> (f64, f64) {
    rows.iter()
        .filter(|r| r.conversions > 0)
        .fold((0.0, 0.0), |(c, v), r| {
            (c + r.conversions as f64, v + r.value)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn closed_forms_agree_with_enumeration(n in 1usize..=8, seed_rows in rows(8)) {
        let rows: Vec<Row> = seed_rows
            .into_iter()
            .map(|mut r| { r.touches.iter_mut().for_each(|c| *c %= n); r })
            .collect();
        let set = set_of(&rows, n);
        let (total_c, total_v) = totals(&rows);

        let shapley = credits(&run("shapley", &set).unwrap(), n);
        agree(&shapley, &oracle_cumulative(&rows, n), "shapley")?;
        for mode in ["rate", "count", "value"] {
            let got = credits(&run(&format!("shapley-rate:value={mode}"), &set).unwrap(), n);
            agree(&got, &oracle_rate(&rows, n, mode), mode)?;
            // Efficiency: every set's game shares exactly its conversions and value.
            let sum = got.iter().fold((0.0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1));
            prop_assert!(close(sum.0, total_c) && close(sum.1, total_v), "{mode} {sum:?}");
        }

        let phi = oracle_exact_set(&rows, n);
        let sum: f64 = phi.iter().sum();
        let abs: f64 = phi.iter().map(|x| x.abs()).sum();
        let exact_set = run("shapley-exact-set", &set);
        if total_c == 0.0 {
            let got = exact_set.unwrap();
            prop_assert!(got.channels().iter().all(|c| c.conversions == 0.0));
        } else if sum.abs() <= 1e-12 * abs.max(total_c) {
            // Σφ = R(all channels), a whole number: 0 here, up to rounding
            // (every φ may be 0 too, so the scale is the conversions).
            let degenerate = matches!(exact_set, Err(ModelError::DegenerateGame { .. }));
            prop_assert!(degenerate, "{:?}", exact_set);
        } else if sum.abs() > 1e-6 * abs {
            let want: Vec<(f64, f64)> =
                phi.iter().map(|x| (total_c * x / sum, total_v * x / sum)).collect();
            agree(&credits(&exact_set.unwrap(), n), &want, "exact-set")?;
        }
    }

    #[test]
    fn symmetry_and_null_players(n in 2usize..=6, seed_rows in rows(6)) {
        // ch{n} always follows ch0 (twins: symmetric in every game);
        // ch{n+1} only in non-converting journeys (a null player of the
        // cumulative and the rate games).
        let mut rows: Vec<Row> = seed_rows
            .into_iter()
            .map(|mut r| {
                r.touches.iter_mut().for_each(|c| *c %= n);
                if r.touches.contains(&0) {
                    r.touches.push(n);
                }
                r
            })
            .collect();
        rows.push(Row { touches: vec![n + 1, 1], conversions: 0, nulls: 2, value: 0.0 });
        let set = set_of(&rows, n + 2);
        for spec in ["shapley", "shapley-rate", "shapley-rate:value=count",
                     "shapley-rate:value=value", "shapley-exact-set"] {
            let Ok(result) = run(spec, &set) else {
                prop_assert_eq!(spec, "shapley-exact-set");
                continue;
            };
            let got = credits(&result, n + 2);
            prop_assert!(close(got[0].0, got[n].0) && close(got[0].1, got[n].1),
                "{}: twins {:?}", spec, got);
            if spec != "shapley-exact-set" {
                prop_assert_eq!(got[n + 1], (0.0, 0.0), "{}", spec);
            }
        }
    }
}

#[test]
fn a_journey_of_25_distinct_channels_is_exact() {
    let n = 25;
    let all: Vec<usize> = (0..n).collect();
    let rows = vec![
        Row {
            touches: all.clone(),
            conversions: 1,
            nulls: 1,
            value: 50.0,
        },
        Row {
            touches: vec![0],
            conversions: 1,
            nulls: 0,
            value: 10.0,
        },
    ];
    let set = set_of(&rows, n);
    let w0 = 1.0 / 25.0; // w(0, 25) = w(24, 25)
    let w1 = 1.0 / (25.0 * 24.0); // w(1, 25)
    let get = |r: &Attribution, i: usize| {
        let c = r.get(&format!("ch{i}")).unwrap();
        (c.conversions, c.value)
    };
    // shapley: 1/25 of the long journey each, ch0 also the short one.
    let shapley = run("shapley", &set).unwrap();
    assert!(close(get(&shapley, 0).0, 1.0 + w0));
    assert!(close(get(&shapley, 7).1, 2.0));
    // shapley-rate, C = all 25: masses {ch0} (rate 1) and C (rate ½);
    // φ_0 = w(0) + ½·w(24), φ_i = −w(1) + ½·w(24); scaled by R(C)/v(C) = 2
    // (value: 50/½ = 100); plus {ch0} alone: 1 conversion, 10.
    let rate = run("shapley-rate", &set).unwrap();
    let phi0 = w0 + 0.5 * w0;
    let phi = -w1 + 0.5 * w0;
    assert!(close(get(&rate, 0).0, 1.0 + 2.0 * phi0));
    assert!(close(get(&rate, 0).1, 10.0 + 100.0 * phi0));
    for i in 1..n {
        assert!(close(get(&rate, i).0, 2.0 * phi), "{i}");
        assert!(close(get(&rate, i).1, 100.0 * phi), "{i}");
    }
    // shapley-exact-set: masses {ch0} (1) and C (1): Σφ = R(C) = 1.
    let exact_set = run("shapley-exact-set", &set).unwrap();
    assert!(close(get(&exact_set, 0).0, 2.0 * (w0 + w0)));
    assert!(close(get(&exact_set, 3).0, 2.0 * (-w1 + w0)));
    assert!(close(get(&exact_set, 3).1, 60.0 * (-w1 + w0)));
    // participation: the whole journey to each.
    let participation = run("participation", &set).unwrap();
    assert_eq!(get(&participation, 0), (2.0, 60.0));
    assert_eq!(get(&participation, 24), (1.0, 50.0));
}

#[test]
fn a_thousand_channels_in_one_set_game() {
    // Two journeys over 1000 channels: {all} (1 conversion, 1 null) and {ch0}.
    let n = 1000;
    let rows = vec![
        Row {
            touches: (0..n).collect(),
            conversions: 1,
            nulls: 1,
            value: 0.0,
        },
        Row {
            touches: vec![0],
            conversions: 1,
            nulls: 0,
            value: 0.0,
        },
    ];
    let set = set_of(&rows, n);
    let rate = run("shapley-rate", &set).unwrap();
    let w0 = 1.0 / 1000.0;
    let w1 = 1.0 / (1000.0 * 999.0);
    let c = |i: usize| rate.get(&format!("ch{i}")).unwrap().conversions;
    assert!(close(c(0), 1.0 + 2.0 * (w0 + 0.5 * w0)));
    assert!(close(c(999), 2.0 * (-w1 + 0.5 * w0)));
    let sum: f64 = rate.channels().iter().map(|x| x.conversions).sum();
    assert!(close(sum, 2.0));
}
