//! `dda` properties on random journey sets (spec §6): brute-force Shapley
//! over all orderings of the fitted v (n ≤ 6), the gradient of F at the
//! optimum computed independently, efficiency per set and in total, the
//! sign rule, the zero-baseline identity, the λ → ∞ limit, the null player
//! and the clone symmetry. Invariance under merges is in `contract_props`.

use attribution::model::ModelSpec;
use attribution::model::dda::{Dda, DdaFit};
use attribution::model::heuristic::Linear;
use attribution::{ChannelId, Channels, Fitted, Journey, JourneySet, Model};
use proptest::prelude::*;

const NAMES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

/// (channel indices, conversions, non-conversions, value) rows.
type Rows = Vec<(Vec<usize>, u64, u64, f64)>;

fn rows() -> impl Strategy<Value = Rows> {
    prop::collection::vec(
        (
            prop::collection::vec(0..NAMES.len(), 1..5),
            0u64..4,
            0u64..4,
            0u32..100,
        ),
        2..12,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(p, c, n, v)| (p, c, n, if c > 0 { f64::from(v) } else { 0.0 }))
            .collect()
    })
    .prop_filter("both outcome classes", |rows: &Rows| {
        rows.iter().any(|r| r.1 > 0) && rows.iter().any(|r| r.2 > 0)
    })
}

fn set_of(rows: &Rows, names: &[&str]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for (path, c, n, v) in rows {
        if c + n == 0 {
            continue;
        }
        let ids: Vec<ChannelId> = path
            .iter()
            .map(|&i| set.channels_mut().intern(names[i]).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, *c, *n, *v).unwrap())
            .unwrap();
    }
    set
}

fn fit(spec: &str, set: &JourneySet) -> DdaFit {
    let model = Dda::from_spec(&spec.parse::<ModelSpec>().unwrap()).unwrap();
    let mut state = model.new_state();
    for j in set {
        model.observe(&mut state, j, set.channels()).unwrap();
    }
    model.fit(&state).unwrap()
}

/// Distinct sets with (R, N, V), ids of `set`'s table, sorted.
fn table(set: &JourneySet) -> Vec<(Vec<ChannelId>, f64, f64, f64)> {
    let mut out: Vec<(Vec<ChannelId>, f64, f64, f64)> = Vec::new();
    for j in set {
        let mut s: Vec<ChannelId> = j.channels().collect();
        s.sort_unstable();
        s.dedup();
        let (c, n) = (j.conversions() as f64, j.non_conversions() as f64);
        let v = if c > 0.0 { j.value() } else { 0.0 };
        match out.iter_mut().find(|r| r.0 == s) {
            Some(r) => {
                r.1 += c;
                r.2 += c + n;
                r.3 += v;
            }
            None => out.push((s, c, c + n, v)),
        }
    }
    out
}

/// Shapley by brute force over every ordering of `players`.
fn brute_shapley(players: &[ChannelId], v: &dyn Fn(&[ChannelId]) -> f64) -> Vec<f64> {
    fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
        if items.len() <= 1 {
            return vec![items.to_vec()];
        }
        let mut out = Vec::new();
        for i in 0..items.len() {
            let mut rest = items.to_vec();
            let x = rest.remove(i);
            for mut p in permutations(&rest) {
                p.insert(0, x);
                out.push(p);
            }
        }
        out
    }
    let k = players.len();
    let mut phi = vec![0.0; k];
    let orders = permutations(&(0..k).collect::<Vec<_>>());
    for order in &orders {
        let mut coalition: Vec<ChannelId> = Vec::new();
        let mut before = v(&coalition);
        for &i in order {
            coalition.push(players[i]);
            let after = v(&coalition);
            phi[i] += after - before;
            before = after;
        }
    }
    phi.iter().map(|x| x / orders.len() as f64).collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn per_set_shares_match_brute_force_shapley_and_are_efficient(rows in rows(), variant in 0usize..4) {
        let spec = ["dda", "dda:baseline=zero", "dda:value=logit-pairwise", "dda:value=smoothed-set,prior-weight=2"][variant];
        let set = set_of(&rows, &NAMES);
        let f = fit(spec, &set);
        let model = Dda::from_spec(&spec.parse::<ModelSpec>().unwrap()).unwrap();
        let zero = spec.contains("zero");
        for j in set.iter().filter(|j| j.conversions() > 0) {
            let credit = model.journey_credit(j, set.channels(), Some(&f)).unwrap().unwrap();
            let total: f64 = credit.shares.iter().map(|s| s.1).sum::<f64>() + credit.baseline;
            prop_assert!((total - 1.0).abs() <= 1e-9, "{}", total);
            let mut players: Vec<ChannelId> = j.channels().collect();
            players.sort_unstable();
            players.dedup();
            let v = |t: &[ChannelId]| if t.is_empty() && zero { 0.0 } else if t.is_empty() { f.empty_probability() } else { f.conversion_probability(t) };
            let phi = brute_shapley(&players, &v);
            let v_set = f.conversion_probability(&players);
            for (p, x) in players.iter().zip(&phi) {
                let share = credit.shares.iter().find(|s| s.0 == *p).unwrap().1;
                prop_assert!(close(share, x / v_set, 1e-9), "{} vs {}", share, x / v_set);
                // Sign rule: logit, baseline=model.
                if variant == 0 {
                    let beta = f.coefficients().iter().find(|c| c.term == set.channels().name(*p).unwrap()).unwrap().coefficient;
                    prop_assert!(share * beta >= 0.0 || share.abs() < 1e-15, "{} {}", share, beta);
                }
            }
        }
        // Efficiency in total.
        let a = f.attribution();
        let b = a.baseline().unwrap();
        let total_c: f64 = a.channels().iter().map(|c| c.conversions).sum::<f64>() + b.conversions;
        let total_v: f64 = a.channels().iter().map(|c| c.value).sum::<f64>() + b.value;
        prop_assert!(close(total_c, a.total_conversions(), 1e-9));
        prop_assert!(close(total_v, a.total_value(), 1e-9));
        if zero {
            prop_assert_eq!(b.conversions, 0.0);
        }
    }

    #[test]
    fn the_fit_is_the_optimum(rows in rows(), pairwise in any::<bool>(), lambda in 0.1f64..4.0) {
        let set = set_of(&rows, &NAMES);
        let spec = format!("dda:lambda={lambda}{}", if pairwise { ",value=logit-pairwise" } else { "" });
        let f = fit(&spec, &set);
        let t = table(&set);
        let coef = |term: &str| f.coefficients().iter().find(|c| c.term == term).map_or(0.0, |c| c.coefficient);
        let name = |c: ChannelId| set.channels().name(c).unwrap().to_owned();
        // Gradient of F, written here from the definition.
        let residual = |s: &Vec<ChannelId>, r: f64, n: f64| n * f.conversion_probability(s) - r;
        let g0: f64 = t.iter().map(|(s, r, n, _)| residual(s, *r, *n)).sum();
        prop_assert!(g0.abs() <= 1e-9, "intercept {}", g0);
        for (c, cname) in set.channels().iter() {
            let g: f64 = t.iter().filter(|row| row.0.contains(&c)).map(|(s, r, n, _)| residual(s, *r, *n)).sum::<f64>() + lambda * coef(cname);
            prop_assert!(g.abs() <= 1e-9, "{} {}", cname, g);
        }
        if pairwise {
            for term in f.coefficients().iter().filter(|c| c.term.contains(" * ")) {
                let (a, b) = term.term.split_once(" * ").unwrap();
                let g: f64 = t.iter()
                    .filter(|row| row.0.iter().any(|&c| name(c) == a) && row.0.iter().any(|&c| name(c) == b))
                    .map(|(s, r, n, _)| residual(s, *r, *n)).sum::<f64>() + lambda * term.coefficient;
                prop_assert!(g.abs() <= 1e-9, "{} {}", term.term, g);
            }
        }
        // Expected credit sums to ΣR through the intercept identity.
        let e = fit(&format!("{spec},credit=expected"), &set);
        let a = e.attribution();
        let sum: f64 = a.channels().iter().map(|c| c.conversions).sum::<f64>() + a.baseline().unwrap().conversions;
        prop_assert!(close(sum, a.total_conversions(), 1e-9));
    }

    #[test]
    fn zero_baseline_adds_each_sets_baseline_share_equally(rows in rows(), variant in 0usize..3) {
        let value = ["logit", "logit-pairwise", "smoothed-set"][variant];
        let set = set_of(&rows, &NAMES);
        let model = fit(&format!("dda:value={value}"), &set);
        let zero = fit(&format!("dda:value={value},baseline=zero"), &set);
        let mut want = vec![0.0; set.channels().len()];
        for (s, r, _, _) in table(&set).iter().filter(|row| row.1 > 0.0) {
            let share = r * model.empty_probability() / model.conversion_probability(s) / s.len() as f64;
            for c in s {
                want[c.index()] += share;
            }
        }
        for (m, z) in model.attribution().channels().iter().zip(zero.attribution().channels()) {
            prop_assert!(close(z.conversions, m.conversions + want[m.channel.index()], 1e-9));
        }
    }

    #[test]
    fn a_huge_penalty_gives_linear_per_distinct_channel(rows in rows()) {
        let set = set_of(&rows, &NAMES);
        let f = fit("dda:lambda=1e12,baseline=zero", &set);
        let linear = Linear::per_channel().attribute(&set).unwrap();
        let a = f.attribution();
        for (d, l) in a.channels().iter().zip(linear.channels()) {
            prop_assert!((d.conversions - l.conversions).abs() <= 1e-6 * a.total_conversions().max(1.0));
            prop_assert!((d.value - l.value).abs() <= 1e-6 * a.total_value().max(1.0));
        }
        let m = fit("dda:lambda=1e12", &set);
        let b = m.attribution().baseline().unwrap().conversions;
        prop_assert!((b - a.total_conversions()).abs() <= 1e-6 * a.total_conversions());
    }

    #[test]
    fn a_clone_shares_equally_and_a_null_player_gets_nothing(rows in rows()) {
        // Z' present exactly where Z = A is: equal coefficients and credit.
        let cloned: Rows = rows.iter().map(|(p, c, n, v)| {
            let mut p = p.clone();
            if p.contains(&0) { p.push(6); }
            (p, *c, *n, *v)
        }).collect();
        let names = ["A", "B", "C", "D", "E", "F", "A2"];
        let set = set_of(&cloned, &names);
        let f = fit("dda", &set);
        let coef = |t: &str| f.coefficients().iter().find(|c| c.term == t).map(|c| c.coefficient);
        prop_assert!(close(coef("A").unwrap_or(0.0), coef("A2").unwrap_or(0.0), 1e-9));
        let a = f.attribution();
        let (x, y) = (a.get("A").map_or(0.0, |c| c.conversions), a.get("A2").map_or(0.0, |c| c.conversions));
        prop_assert!(close(x, y, 1e-9), "{} vs {}", x, y);
        // Z added to a copy of every journey, with the same counts: Z does
        // not change the conversion rate, so β_Z = 0 and Z gets 0.
        let mut null = rows.clone();
        null.extend(rows.iter().map(|(p, c, n, v)| {
            let mut p = p.clone();
            p.push(6);
            (p, *c, *n, *v)
        }));
        let names = ["A", "B", "C", "D", "E", "F", "Z"];
        let set = set_of(&null, &names);
        let f = fit("dda", &set);
        let beta = f.coefficients().iter().find(|c| c.term == "Z").unwrap().coefficient;
        prop_assert!(beta.abs() <= 1e-9, "{}", beta);
        let z = f.attribution().get("Z").unwrap();
        prop_assert!(z.conversions.abs() <= 1e-9 && z.value.abs() <= 1e-7, "{:?}", z);
    }

    /// Spec property 4 (b): with every non-empty subset of every converting
    /// set observed, `smoothed-set` at prior weight 0 with a zero baseline is
    /// the local conversion-rate game of `shapley-rate`.
    #[test]
    fn zero_prior_weight_with_every_subset_seen_is_shapley_rate(rows in rows()) {
        let mut rows = rows;
        let converting: Vec<Vec<usize>> = rows
            .iter()
            .filter(|r| r.1 > 0)
            .map(|r| {
                let mut s = r.0.clone();
                s.sort_unstable();
                s.dedup();
                s
            })
            .collect();
        for s in converting {
            for mask in 1usize..(1 << s.len()) {
                let subset: Vec<usize> = (0..s.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| s[i])
                    .collect();
                rows.push((subset, 0, 1, 0.0));
            }
        }
        let set = set_of(&rows, &NAMES);
        let dda = fit("dda:value=smoothed-set,prior-weight=0,baseline=zero", &set);
        let rate = attribution::model::Registry::builtin()
            .parse("shapley-rate")
            .unwrap()
            .attribute(&set)
            .unwrap();
        let a = dda.attribution();
        prop_assert!(a.baseline().is_none_or(|b| b.conversions.abs() <= 1e-12));
        for (d, r) in a.channels().iter().zip(rate.channels()) {
            prop_assert_eq!(&d.name, &r.name);
            prop_assert!(close(d.conversions, r.conversions, 1e-12), "{}: {} vs {}", d.name, d.conversions, r.conversions);
            prop_assert!(close(d.value, r.value, 1e-12), "{}: {} vs {}", d.name, d.value, r.value);
        }
    }

    /// Spec property 4 (c): a prior weight of 1e-9 is within 1e-6 of 0.
    #[test]
    fn a_tiny_prior_weight_is_the_zero_limit(rows in rows(), zero_baseline in any::<bool>()) {
        let set = set_of(&rows, &NAMES);
        let baseline = if zero_baseline { "zero" } else { "model" };
        let at = |m: &str| fit(&format!("dda:value=smoothed-set,prior-weight={m},baseline={baseline}"), &set);
        let (zero, tiny) = (at("0"), at("1e-9"));
        let (z, t) = (zero.attribution(), tiny.attribution());
        let scale = z.total_conversions().max(1.0);
        let value_scale = z.total_value().max(1.0);
        for (a, b) in z.channels().iter().zip(t.channels()) {
            prop_assert!((a.conversions - b.conversions).abs() <= 1e-6 * scale, "{}: {} vs {}", a.name, a.conversions, b.conversions);
            prop_assert!((a.value - b.value).abs() <= 1e-6 * value_scale, "{}: {} vs {}", a.name, a.value, b.value);
        }
        let (bz, bt) = (z.baseline().map_or(0.0, |b| b.conversions), t.baseline().map_or(0.0, |b| b.conversions));
        prop_assert!((bz - bt).abs() <= 1e-6 * scale);
    }
}
