//! `markov-shapley` against independent oracles and the properties of its
//! spec (§6): every coalition value against a dense absorbing-chain solve
//! built in this file (Gauss–Jordan on I − Q), the Shapley values against
//! a brute force over all C! join orders, efficiency, symmetry, the null
//! player, the order limit (= `shapley`), removal effects equal to
//! `markov`'s, and invariance to row order, split rows and threads.

#![allow(clippy::needless_range_loop)] // dense textbook loops read best with indices

use std::collections::BTreeMap;

use attribution::model::Registry;
use attribution::model::markov_shapley::{MarkovShapley, MarkovShapleyFit};
use attribution::{Attribution, Channels, Journey, JourneySet, Model};
use proptest::prelude::*;

/// One aggregated path: channel indices, conversions, non-conversions, value.
type Row = (Vec<usize>, u64, u64, f64);

const NAMES: [&str; 7] = ["A", "B", "C", "D", "E", "F", "G"];

fn set_of(rows: &[Row]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for (path, c, n, v) in rows {
        let ids: Vec<_> = path
            .iter()
            .map(|&i| set.channels_mut().intern(NAMES[i]).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, *c, *n, if *c > 0 { *v } else { 0.0 }).unwrap())
            .unwrap();
    }
    set
}

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

/// Solves `a x = b` by Gauss–Jordan elimination with partial pivoting.
fn gauss_jordan(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, piv);
        b.swap(col, piv);
        let p = a[col][col];
        for k in 0..n {
            a[col][k] /= p;
        }
        b[col] /= p;
        for row in 0..n {
            if row != col && a[row][col] != 0.0 {
                let f = a[row][col];
                for k in 0..n {
                    a[row][k] -= f * a[col][k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    b
}

/// `[v(T), v^V(T)]` for every coalition mask over channels `0..c` by the
/// textbook method: transition probabilities, states outside T sent to
/// null, (I − Q) x = r solved densely, v = Σ start-probability · x.
fn oracle_values(rows: &[Row], k: usize, c: usize) -> Vec<[f64; 2]> {
    let mut index: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
    let mut trans: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut start: BTreeMap<usize, f64> = BTreeMap::new();
    let mut conv: BTreeMap<usize, f64> = BTreeMap::new();
    let mut out: BTreeMap<usize, f64> = BTreeMap::new();
    let mut value: BTreeMap<usize, f64> = BTreeMap::new();
    let mut journeys = 0.0;
    for (path, cv, nv, v) in rows {
        let w = (*cv + *nv) as f64;
        if w == 0.0 {
            continue;
        }
        journeys += w;
        let states = states_of(path, k);
        let ids: Vec<usize> = states
            .iter()
            .map(|s| {
                let len = index.len();
                *index.entry(s.clone()).or_insert(len)
            })
            .collect();
        *start.entry(ids[0]).or_default() += w;
        for pair in ids.windows(2) {
            *trans.entry((pair[0], pair[1])).or_default() += w;
            *out.entry(pair[0]).or_default() += w;
        }
        let last = *ids.last().unwrap();
        *out.entry(last).or_default() += w;
        *conv.entry(last).or_default() += *cv as f64;
        if *cv > 0 {
            *value.entry(last).or_default() += v;
        }
    }
    let keys: Vec<Vec<usize>> = {
        let mut k: Vec<(usize, Vec<usize>)> = index.iter().map(|(s, &i)| (i, s.clone())).collect();
        k.sort();
        k.into_iter().map(|(_, s)| s).collect()
    };
    let n = keys.len();
    (0..1usize << c)
        .map(|t| {
            if journeys == 0.0 {
                return [0.0; 2];
            }
            let inside: Vec<bool> = keys
                .iter()
                .map(|s| s.iter().all(|&ch| t & (1 << ch) != 0))
                .collect();
            let mut a = vec![vec![0.0; n]; n];
            let mut r = vec![0.0; n];
            let mut rv = vec![0.0; n];
            for s in 0..n {
                a[s][s] = 1.0;
                if !inside[s] {
                    continue;
                }
                let o = out[&s];
                r[s] = conv.get(&s).copied().unwrap_or(0.0) / o;
                rv[s] = value.get(&s).copied().unwrap_or(0.0) / o;
                for (&(f, to), &cnt) in &trans {
                    if f == s && inside[to] {
                        a[s][to] -= cnt / o;
                    }
                }
            }
            let x = gauss_jordan(a.clone(), r);
            let xv = gauss_jordan(a, rv);
            let mut v = [0.0; 2];
            for (&s, &w) in &start {
                v[0] += w / journeys * x[s];
                v[1] += w / journeys * xv[s];
            }
            v
        })
        .collect()
}

/// Calls `f` with every permutation of `perm[k..]` after `perm[..k]`.
fn permute(k: usize, perm: &mut Vec<usize>, f: &mut dyn FnMut(&[usize])) {
    if k == perm.len() {
        f(perm);
        return;
    }
    for i in k..perm.len() {
        perm.swap(k, i);
        permute(k + 1, perm, f);
        perm.swap(k, i);
    }
}

/// The Shapley value of game `v` over `c` players by brute force over all
/// c! join orders.
fn brute_shapley(v: &[[f64; 2]], c: usize) -> Vec<[f64; 2]> {
    let mut phi = vec![[0.0; 2]; c];
    let mut perm: Vec<usize> = (0..c).collect();
    let mut count = 0.0;
    permute(0, &mut perm, &mut |order| {
        count += 1.0;
        let mut t = 0usize;
        for &p in order {
            let with = t | (1 << p);
            for j in 0..2 {
                phi[p][j] += v[with][j] - v[t][j];
            }
            t = with;
        }
    });
    phi.iter().map(|p| [p[0] / count, p[1] / count]).collect()
}

fn fit(rows: &[Row], order: usize) -> (JourneySet, MarkovShapleyFit) {
    let set = set_of(rows);
    let model = MarkovShapley::new(order).unwrap();
    let mut state = model.new_state();
    for j in &set {
        model.observe(&mut state, j, set.channels()).unwrap();
    }
    let fit = model.fit(&state).unwrap();
    (set, fit)
}

fn rows(channels: usize, max_len: usize) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            prop::collection::vec(0..channels, 1..=max_len),
            0u64..3,
            0u64..3,
            1u32..200,
        )
            .prop_map(|(p, c, n, v)| (p, c, n, f64::from(v))),
        1..14,
    )
}

/// Channel index of each name of the set's table (first-appearance order).
fn names_in(set: &JourneySet) -> Vec<(usize, String)> {
    set.channels()
        .iter()
        .map(|(_, name)| {
            let i = NAMES.iter().position(|n| *n == name).unwrap();
            (i, name.to_owned())
        })
        .collect()
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.max(1.0)
}

fn credits(a: &Attribution) -> BTreeMap<String, (f64, f64)> {
    a.channels()
        .iter()
        .map(|c| (c.name.clone(), (c.conversions, c.value)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_coalition_value_and_shapley_value_match_the_oracles(
        rows in rows(6, 5),
        order in 1usize..=3,
    ) {
        let c = 6;
        let (set, fit) = fit(&rows, order);
        let oracle = oracle_values(&rows, order, c);
        let names = names_in(&set);
        let total_value: f64 = rows.iter().filter(|r| r.1 > 0).map(|r| r.3).sum();
        let journeys: f64 = rows.iter().map(|r| (r.1 + r.2) as f64).sum();
        let value_scale = total_value / journeys;
        for t in 0..1usize << c {
            let members: Vec<&str> = names
                .iter()
                .filter(|(i, _)| t & (1 << i) != 0)
                .map(|(_, n)| n.as_str())
                .collect();
            // Channels absent from the input are null players.
            let present: usize = names.iter().map(|(i, _)| 1 << i).sum();
            let want = oracle[t & present];
            let (v, value) = fit.coalition_value(&members).unwrap();
            prop_assert!(close(v, want[0], 1.0), "T {t:b}: {v} vs {}", want[0]);
            prop_assert!(close(value, want[1], value_scale), "T {t:b}: {value} vs {}", want[1]);
        }
        let brute = brute_shapley(&oracle, c);
        for (i, name) in &names {
            let (p, pv) = fit.shapley_value(name).unwrap();
            prop_assert!(close(p, brute[*i][0], 1.0), "{name}: {p} vs {}", brute[*i][0]);
            prop_assert!(close(pv, brute[*i][1], value_scale), "{name}: {pv} vs {}", brute[*i][1]);
        }
    }

    #[test]
    fn efficiency_and_removal_effects_equal_markov(rows in rows(7, 6), order in 1usize..=4) {
        let (set, fit) = fit(&rows, order);
        let result = attribution::Fitted::attribution(&fit);
        let conversions: f64 = rows.iter().map(|r| r.1 as f64).sum();
        let journeys: f64 = rows.iter().map(|r| (r.1 + r.2) as f64).sum();
        let value: f64 = rows.iter().filter(|r| r.1 > 0).map(|r| r.3).sum();
        let phi: f64 = set.channels().iter().map(|(_, n)| fit.shapley_value(n).unwrap().0).sum();
        // No journey at all (rows of zero counts): v(all) = 0, no 0/0.
        let rate = if journeys > 0.0 { conversions / journeys } else { 0.0 };
        prop_assert!(close(phi, rate, 1.0), "{phi} vs {rate}");
        let total: f64 = result.channels().iter().map(|c| c.conversions).sum();
        let total_value: f64 = result.channels().iter().map(|c| c.value).sum();
        prop_assert!(close(total, conversions, conversions));
        prop_assert!(close(total_value, value, value));
        prop_assert!(result.channels().iter().all(|c| c.conversions.is_finite() && c.value.is_finite()));
        let markov = Registry::builtin()
            .parse(&format!("markov:order={order}"))
            .unwrap()
            .attribute(&set)
            .unwrap();
        for (a, b) in result.channels().iter().zip(markov.channels()) {
            prop_assert_eq!(&a.name, &b.name);
            let (x, y) = (a.removal_effect.unwrap(), b.removal_effect.unwrap());
            prop_assert!((x - y).abs() <= 1e-9, "{}: {x} vs {y}", a.name);
        }
    }

    #[test]
    fn mirrored_journeys_give_a_and_b_equal_credit(rows in rows(5, 5), order in 1usize..=3) {
        // Every journey and its mirror with A (0) and B (1) swapped.
        let swap = |i: usize| match i { 0 => 1, 1 => 0, x => x };
        let mut both = rows.clone();
        both.extend(rows.iter().map(|(p, c, n, v)| (p.iter().map(|&i| swap(i)).collect(), *c, *n, *v)));
        let (_, fit) = fit(&both, order);
        let r = attribution::Fitted::attribution(&fit);
        if let (Some(a), Some(b)) = (r.get("A"), r.get("B")) {
            prop_assert!(close(a.conversions, b.conversions, 1.0), "{} vs {}", a.conversions, b.conversions);
            prop_assert!(close(a.value, b.value, a.value.abs()), "{} vs {}", a.value, b.value);
        }
    }

    #[test]
    fn a_channel_that_only_ends_failures_gets_exactly_zero(
        rows in rows(5, 4),
        order in 1usize..=3,
        tagged in prop::collection::vec(any::<bool>(), 14),
    ) {
        // G (6) appended to some non-converting journeys (as new rows).
        let mut with = rows.clone();
        for ((p, _, n, _), t) in rows.iter().zip(&tagged) {
            if *t && *n > 0 {
                let mut q = p.clone();
                q.push(6);
                with.push((q, 0, *n, 0.0));
            }
        }
        let (_, fit) = fit(&with, order);
        let r = attribution::Fitted::attribution(&fit);
        if let Some(g) = r.get("G") {
            prop_assert_eq!((g.conversions, g.value), (0.0, 0.0));
        }
    }

    #[test]
    fn at_the_longest_path_order_it_equals_shapley(rows in rows(6, 5)) {
        let longest = rows.iter().map(|r| r.0.len()).max().unwrap_or(1);
        let set = set_of(&rows);
        let registry = Registry::builtin();
        for order in [longest, longest + 2] {
            let ms = registry.parse(&format!("markov-shapley:order={order}")).unwrap().attribute(&set).unwrap();
            let sh = registry.parse("shapley").unwrap().attribute(&set).unwrap();
            for (a, b) in ms.channels().iter().zip(sh.channels()) {
                prop_assert_eq!(&a.name, &b.name);
                prop_assert!(close(a.conversions, b.conversions, 1.0), "{}: {} vs {}", a.name, a.conversions, b.conversions);
                prop_assert!(close(a.value, b.value, b.value.abs()), "{}: {} vs {}", a.name, a.value, b.value);
            }
        }
    }

    #[test]
    fn row_order_and_split_rows_change_nothing(
        rows in rows(6, 5),
        order in 1usize..=3,
        seed in any::<u64>(),
    ) {
        let (_, one) = fit(&rows, order);
        // Reversed and rotated rows, each row with c + n > 1 split in two.
        let mut other: Vec<Row> = Vec::new();
        for (p, c, n, v) in rows.iter().rev() {
            if *c >= 2 {
                other.push((p.clone(), 1, 0, v / 2.0));
                other.push((p.clone(), c - 1, *n, v / 2.0));
            } else {
                other.push((p.clone(), *c, *n, *v));
            }
        }
        let k = usize::try_from(seed % other.len() as u64).unwrap();
        other.rotate_left(k);
        let (_, two) = fit(&other, order);
        let (a, b) = (credits(attribution::Fitted::attribution(&one)), credits(attribution::Fitted::attribution(&two)));
        prop_assert_eq!(a.len(), b.len());
        for (name, (c, v)) in &a {
            let (c2, v2) = b[name];
            prop_assert!((c - c2).abs() <= 1e-12 * c.abs().max(1.0), "{name}: {c} vs {c2}");
            prop_assert!((v - v2).abs() <= 1e-12 * v.abs().max(1.0), "{name}: {v} vs {v2}");
        }
    }
}

#[test]
fn the_sparse_path_gives_the_dense_numbers_on_a_large_chain() {
    // Order 3 on 7 channels: more than 64 live states, so every coalition
    // goes through the sparse component solver; checked against the
    // oracle on a few hundred journeys.
    let mut x = 12_345u64;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(x >> 33).unwrap()
    };
    let data: Vec<Row> = (0..300)
        .map(|i: usize| {
            let path: Vec<usize> = (0..=(i % 6)).map(|_| next() % 7).collect();
            (
                path,
                (i % 3) as u64,
                (i % 4) as u64,
                (i % 5) as f64 * 3.5 + 1.0,
            )
        })
        .collect();
    let (set, fit) = fit(&data, 3);
    assert!(fit.chain().n_states() > 64, "{}", fit.chain().n_states());
    let oracle = oracle_values(&data, 3, 7);
    let names = names_in(&set);
    for t in (0..128usize).step_by(5) {
        let members: Vec<&str> = names
            .iter()
            .filter(|(i, _)| t & (1 << i) != 0)
            .map(|(_, n)| n.as_str())
            .collect();
        let (v, value) = fit.coalition_value(&members).unwrap();
        assert!(
            close(v, oracle[t][0], 1.0),
            "{t:b}: {v} vs {}",
            oracle[t][0]
        );
        assert!(
            close(value, oracle[t][1], 10.0),
            "{t:b}: {value} vs {}",
            oracle[t][1]
        );
    }
}

#[cfg(feature = "parallel")]
#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let data: Vec<Row> = (0..400)
        .map(|i: usize| {
            let path: Vec<usize> = (0..=(i % 7)).map(|j| (i * 7 + j * 3 + i / 5) % 7).collect();
            (path, (i % 3) as u64, (i % 4) as u64, (i % 3) as f64 * 2.5)
        })
        .collect();
    let set = set_of(&data);
    for order in [1, 2] {
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| MarkovShapley::new(order).unwrap().attribute(&set).unwrap())
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(8));
    }
}
