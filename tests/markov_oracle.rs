//! An independent oracle: the chain built from the paths in this file and
//! solved by plain dense Gaussian elimination (no faer, no SCCs), against the
//! library's solvers, on small random journeys at orders 1–3.

#![allow(clippy::needless_range_loop)] // dense textbook loops read best with indices

use std::collections::BTreeMap;

use attribution::model::markov::{Markov, Solver};
use attribution::{Channels, Journey, JourneySet, Model};
use proptest::prelude::*;

/// One aggregated path: channel indices, conversions, non-conversions, value.
type Row = (Vec<usize>, u64, u64, f64);

fn states_of(path: &[usize], k: usize) -> Vec<Vec<usize>> {
    let windows: Vec<Vec<usize>> = if path.len() < k {
        vec![path.to_vec()]
    } else {
        path.windows(k).map(<[usize]>::to_vec).collect()
    };
    let mut out: Vec<Vec<usize>> = Vec::new();
    for w in windows {
        if out.last() != Some(&w) {
            out.push(w);
        }
    }
    out
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn gauss(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            if f != 0.0 {
                for k in col..n {
                    a[row][k] -= f * a[col][k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    x
}

/// `(P(conv), RE per channel, RE^v per channel)` by the textbook method.
fn oracle(rows: &[Row], k: usize, channels: usize) -> (f64, Vec<f64>, Vec<f64>) {
    let mut index: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
    let mut seqs = Vec::new();
    for (path, ..) in rows {
        let s = states_of(path, k);
        for st in &s {
            let len = index.len();
            index.entry(st.clone()).or_insert(len);
        }
        seqs.push(s);
    }
    let n = index.len();
    let mut trans = vec![vec![0.0; n]; n];
    let mut conv = vec![0.0; n];
    let mut null = vec![0.0; n];
    let mut value = vec![0.0; n];
    let mut start = vec![0.0; n];
    for ((_, c, m, v), seq) in rows.iter().zip(&seqs) {
        let w = (*c + *m) as f64;
        if w == 0.0 {
            continue;
        }
        let ids: Vec<usize> = seq.iter().map(|s| index[s]).collect();
        start[ids[0]] += w;
        for p in ids.windows(2) {
            trans[p[0]][p[1]] += w;
        }
        let last = *ids.last().unwrap();
        conv[last] += *c as f64;
        null[last] += *m as f64;
        if *c > 0 {
            value[last] += v;
        }
    }
    let total: f64 = start.iter().sum();
    let out: Vec<f64> = (0..n)
        .map(|i| trans[i].iter().sum::<f64>() + conv[i] + null[i])
        .collect();
    let keys: Vec<&Vec<usize>> = {
        let mut v: Vec<(&Vec<usize>, &usize)> = index.iter().collect();
        v.sort_by_key(|e| *e.1);
        v.into_iter().map(|e| e.0).collect()
    };
    // removed[i]: x_i forced to 0.
    let solve = |removed: &dyn Fn(usize) -> bool, rhs: &[f64]| -> f64 {
        if total == 0.0 {
            return 0.0;
        }
        let mut a = vec![vec![0.0; n]; n];
        let mut b = vec![0.0; n];
        for i in 0..n {
            a[i][i] = 1.0;
            if removed(i) || out[i] == 0.0 {
                continue;
            }
            for j in 0..n {
                if !removed(j) {
                    a[i][j] -= trans[i][j] / out[i];
                }
            }
            b[i] = rhs[i] / out[i];
        }
        let x = gauss(a, b);
        (0..n).map(|i| start[i] * x[i]).sum::<f64>() / total
    };
    let p = solve(&|_| false, &conv);
    let y = solve(&|_| false, &value);
    let mut re = vec![0.0; channels];
    let mut re_v = vec![0.0; channels];
    for c in 0..channels {
        let removed = |i: usize| keys[i].contains(&c);
        if p > 0.0 {
            re[c] = 1.0 - solve(&removed, &conv) / p;
        }
        if y > 0.0 {
            re_v[c] = 1.0 - solve(&removed, &value) / y;
        }
    }
    (p, re, re_v)
}

fn journey_set(rows: &[Row], channels: usize) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    let ids: Vec<_> = (0..channels)
        .map(|c| set.channels_mut().intern(&format!("ch{c}")).unwrap())
        .collect();
    for (path, c, m, v) in rows {
        let p: Vec<_> = path.iter().map(|&i| ids[i]).collect();
        set.push(Journey::from_channels(&p, *c, *m, *v).unwrap())
            .unwrap();
    }
    set
}

fn rows(channels: usize, max_len: usize) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            prop::collection::vec(0..channels, 1..=max_len),
            0u64..4,
            0u64..4,
            0u32..1000,
        )
            .prop_map(|(p, c, m, v)| {
                let value = if c > 0 { f64::from(v) / 8.0 } else { 0.0 };
                (p, c, m, value)
            }),
        1..25,
    )
}

fn agree(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-10 * expected.abs() + 1e-12
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn solvers_agree_with_dense_gaussian_elimination(
        data in rows(4, 7),
        order in 1usize..=3,
    ) {
        let channels = 4;
        let (p, re, re_v) = oracle(&data, order, channels);
        let set = journey_set(&data, channels);
        for solver in [Solver::Auto, Solver::Dense, Solver::Iterative] {
            let model = Markov::new(order).unwrap().solver(solver);
            let mut counts = model.counts();
            for j in &set {
                model.observe(&mut counts, j, set.channels()).unwrap();
            }
            let chain = model.chain(&counts).unwrap();
            let effects = model.removal_effects(&chain).unwrap();
            prop_assert!(agree(effects.conversion_probability, p));
            for c in 0..channels {
                prop_assert!(
                    agree(effects.removal_effects[c], re[c]),
                    "{solver:?} order {order} channel {c}: {} vs {}",
                    effects.removal_effects[c], re[c]
                );
                prop_assert!(
                    agree(effects.value_removal_effects[c], re_v[c]),
                    "{solver:?} order {order} channel {c}: value {} vs {}",
                    effects.value_removal_effects[c], re_v[c]
                );
                prop_assert!(effects.error_bounds[c] <= 1e-10 * re[c] + 1e-13);
            }
        }
    }
}

#[test]
fn oracle_reproduces_the_hand_checked_tiny_values() {
    // tiny fixture: PPC 0, LandingPage 1, Email 2, LinkedIn 3
    let data: Vec<Row> = vec![
        (vec![0, 1, 2, 3], 1, 0, 120.0),
        (vec![0, 1], 0, 1, 0.0),
        (vec![3], 1, 0, 80.0),
        (vec![2, 2, 3], 1, 0, 60.0),
        (vec![0, 1, 2], 0, 1, 0.0),
        (vec![3, 0], 1, 0, 100.0),
        (vec![0], 0, 1, 0.0),
        (vec![2, 3], 0, 1, 0.0),
    ];
    let (p, re, _) = oracle(&data, 1, 4);
    assert!((p - 0.5).abs() < 1e-15);
    for (got, want) in re.iter().zip([0.475, 0.24, 0.48, 0.8]) {
        assert!((got - want).abs() < 1e-14, "{got} vs {want}");
    }
}

/// Deterministic pseudo-random channel sequence (a 64-bit LCG).
fn random_path(len: usize, channels: usize, seed: u64) -> Vec<usize> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((s >> 33) % channels as u64) as usize
        })
        .collect()
}

#[test]
fn long_journeys_agree_with_dense_gaussian_elimination() {
    // Journeys of 20 000 and 15 000 touches make nearly closed chains
    // (conversion and null only at their ends): the residual of a rounded
    // solution is ~1e4 roundings, and at order 3 over 7 channels a
    // component of ~340 states converges slowly under Gauss–Seidel. Every
    // solver must still certify the oracle's values.
    let channels = 7;
    let data: Vec<Row> = vec![
        (random_path(20_000, channels, 1), 1, 1, 40.0),
        (random_path(15_000, channels, 2), 0, 2, 0.0),
        (random_path(12, channels, 3), 2, 1, 7.5),
        (vec![4], 1, 3, 2.0),
    ];
    let set = journey_set(&data, channels);
    for order in 1..=3 {
        let (p, re, re_v) = oracle(&data, order, channels);
        for solver in [Solver::Auto, Solver::Dense, Solver::Iterative] {
            let model = Markov::new(order).unwrap().solver(solver);
            let chain = model.fit_chain(&set).unwrap();
            let effects = model.removal_effects(&chain).unwrap();
            assert!(
                agree(effects.conversion_probability, p),
                "{solver:?} order {order}: P {} vs {p}",
                effects.conversion_probability
            );
            for c in 0..channels {
                assert!(
                    agree(effects.removal_effects[c], re[c]),
                    "{solver:?} order {order} channel {c}: {} vs {}",
                    effects.removal_effects[c],
                    re[c]
                );
                assert!(
                    agree(effects.value_removal_effects[c], re_v[c]),
                    "{solver:?} order {order} channel {c}: value {} vs {}",
                    effects.value_removal_effects[c],
                    re_v[c]
                );
                assert!(effects.error_bounds[c] <= 1e-10 * re[c] + 1e-12);
            }
        }
    }
}

#[test]
fn channels_reached_from_few_states_agree_with_the_oracle() {
    // Channels 0–3 form a strongly connected core; channels 4–39 are only
    // ever at the start of a path (alone, before another rare channel, or
    // before the core), so the states that can reach them are few and the
    // blocked solver sweeps only those.
    let channels = 40;
    let mut data: Vec<Row> = Vec::new();
    for i in 0..24u64 {
        let len = 2 + (i % 5) as usize;
        data.push((
            random_path(len, 4, i + 10),
            i % 3,
            (i + 1) % 2,
            (i % 3) as f64 * 3.5,
        ));
    }
    for r in 4..channels {
        let rare = r as u64;
        data.push((vec![r], rare % 2, 1, (rare % 2) as f64 * 4.0));
        data.push((vec![r, 4 + (r + 1) % 36], 1, rare % 3, 2.5));
        data.push((vec![r, r % 4, (r + 1) % 4], rare % 3, 1, (rare % 3) as f64));
    }
    let set = journey_set(&data, channels);
    for order in 1..=2 {
        let (p, re, re_v) = oracle(&data, order, channels);
        for solver in [Solver::Auto, Solver::Dense, Solver::Iterative] {
            for max_steps in [None, Some(10_000)] {
                let model = Markov::new(order)
                    .unwrap()
                    .solver(solver)
                    .max_steps(max_steps)
                    .unwrap();
                let effects = model
                    .removal_effects(&model.fit_chain(&set).unwrap())
                    .unwrap();
                let context = format!("{solver:?} order {order} cap {max_steps:?}");
                assert!(agree(effects.conversion_probability, p), "{context}");
                for c in 0..channels {
                    assert!(
                        agree(effects.removal_effects[c], re[c]),
                        "{context} channel {c}: {} vs {}",
                        effects.removal_effects[c],
                        re[c]
                    );
                    assert!(
                        agree(effects.value_removal_effects[c], re_v[c]),
                        "{context} channel {c}: value {} vs {}",
                        effects.value_removal_effects[c],
                        re_v[c]
                    );
                }
            }
        }
    }
}
