//! Properties of the Markov model (proptest).

#![allow(clippy::needless_range_loop)]

use attribution::model::markov::{Markov, TransitionCounts};
use attribution::{Attribution, Channels, Journey, JourneySet, Merge, Model};
use proptest::prelude::*;

type Row = (Vec<usize>, u64, u64, f64);

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
        1..30,
    )
}

/// Interns channels `names[i]` in the order of `intern_order`, then pushes rows.
fn set_with(rows: &[Row], names: &[String], intern_order: &[usize]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    let mut ids = vec![None; names.len()];
    for &i in intern_order {
        ids[i] = Some(set.channels_mut().intern(&names[i]).unwrap());
    }
    for (path, c, m, v) in rows {
        let p: Vec<_> = path.iter().map(|&i| ids[i].unwrap()).collect();
        set.push(Journey::from_channels(&p, *c, *m, *v).unwrap())
            .unwrap();
    }
    set
}

fn set_of(rows: &[Row], channels: usize) -> JourneySet {
    let names: Vec<String> = (0..channels).map(|c| format!("ch{c}")).collect();
    let order: Vec<usize> = (0..channels).collect();
    set_with(rows, &names, &order)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-11 * a.abs().max(b.abs()).max(1.0)
}

fn same(a: &Attribution, b: &Attribution) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.channels().len(), b.channels().len());
    for ca in a.channels() {
        let cb = b.get(&ca.name).unwrap();
        prop_assert!(
            close(ca.conversions, cb.conversions),
            "{} conversions",
            ca.name
        );
        prop_assert!(close(ca.value, cb.value), "{} value", ca.name);
        prop_assert!(close(
            ca.removal_effect.unwrap(),
            cb.removal_effect.unwrap()
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn removal_effects_are_probabilities_and_totals_are_preserved(
        data in rows(5, 8),
        order in 1usize..=4,
    ) {
        let set = set_of(&data, 5);
        let result = Markov::new(order).unwrap().attribute(&set).unwrap();
        let conv: f64 = result.channels().iter().map(|c| c.conversions).sum();
        let value: f64 = result.channels().iter().map(|c| c.value).sum();
        for c in result.channels() {
            let re = c.removal_effect.unwrap();
            prop_assert!((0.0..=1.0).contains(&re));
            prop_assert!(c.conversions >= 0.0 && c.value >= 0.0);
        }
        prop_assert_eq!(result.total_conversions(), set.total_conversions() as f64);
        prop_assert!(close(conv, result.total_conversions()));
        prop_assert!(close(value, result.total_value()));
        prop_assert!(close(result.total_value(), set.total_value()));
    }

    #[test]
    fn merging_split_counts_equals_one_pass(
        data in rows(4, 7),
        order in 1usize..=3,
        cut in 0usize..30,
    ) {
        let set = set_of(&data, 4);
        let model = Markov::new(order).unwrap();
        let cut = cut.min(set.len());
        let (mut left, mut right) = (model.counts(), model.counts());
        for (i, j) in set.iter().enumerate() {
            let part = if i < cut { &mut left } else { &mut right };
            model.observe(part, j, set.channels()).unwrap();
        }
        // through serde, as a distributed engine would ship them
        let right: TransitionCounts =
            serde_json::from_str(&serde_json::to_string(&right).unwrap()).unwrap();
        let mut merged = model.counts();
        merged.merge(&right).unwrap();
        merged.merge(&left).unwrap();
        let mut one = model.counts();
        for j in &set {
            model.observe(&mut one, j, set.channels()).unwrap();
        }
        merged.extend_channels(set.channels()).unwrap();
        one.extend_channels(set.channels()).unwrap();
        prop_assert_eq!(&merged, &one);
        let a = model.finish(&merged).unwrap();
        let b = model.finish(&one).unwrap();
        same(&a, &b)?;
    }

    #[test]
    fn permuting_journeys_and_renaming_channels_change_nothing(
        data in rows(4, 7),
        order in 1usize..=3,
        perm in Just((0..4usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let model = Markov::new(order).unwrap();
        let base = model.attribute(&set_of(&data, 4)).unwrap();
        let mut reversed = data.clone();
        reversed.reverse();
        same(&model.attribute(&set_of(&reversed, 4)).unwrap(), &base)?;
        // rename ch{i} -> "x{perm[i]}", interned in the permuted order
        let names: Vec<String> = (0..4).map(|i| format!("x{}", perm[i])).collect();
        let renamed = model.attribute(&set_with(&data, &names, &perm)).unwrap();
        for i in 0..4 {
            let a = base.get(&format!("ch{i}")).unwrap();
            let b = renamed.get(&names[i]).unwrap();
            prop_assert!(close(a.conversions, b.conversions));
            prop_assert!(close(a.value, b.value));
            prop_assert!(close(a.removal_effect.unwrap(), b.removal_effect.unwrap()));
        }
    }

    #[test]
    fn order_above_every_path_length_is_the_path_level_model(
        data in rows(4, 3),
        order in 4usize..=6,
    ) {
        let set = set_of(&data, 4);
        let result = Markov::new(order).unwrap().attribute(&set).unwrap();
        let total_c: u64 = data.iter().map(|r| r.1).sum();
        let total_v: f64 = data.iter().filter(|r| r.1 > 0).map(|r| r.3).sum();
        for c in 0..4 {
            let with_c = data.iter().filter(|r| r.0.contains(&c));
            let conv: u64 = with_c.clone().map(|r| r.1).sum();
            let value: f64 = with_c.filter(|r| r.1 > 0).map(|r| r.3).sum();
            let credit = result.get(&format!("ch{c}")).unwrap();
            let re = if total_c > 0 { conv as f64 / total_c as f64 } else { 0.0 };
            prop_assert!(close(credit.removal_effect.unwrap(), re));
            let rev = if total_v > 0.0 { value / total_v } else { 0.0 };
            let rev_sum: f64 = (0..4).map(|d| {
                data.iter().filter(|r| r.1 > 0 && r.0.contains(&d)).map(|r| r.3).sum::<f64>()
            }).sum::<f64>() / total_v.max(f64::MIN_POSITIVE);
            if rev_sum > 0.0 {
                prop_assert!(close(credit.value, total_v * rev / rev_sum));
            }
        }
    }

    #[test]
    fn a_large_step_cap_equals_the_uncapped_chain(
        data in rows(4, 6),
        order in 1usize..=3,
        self_loops in any::<bool>(),
    ) {
        let set = set_of(&data, 4);
        let exact = Markov::new(order).unwrap().keep_self_loops(self_loops);
        let capped = exact.max_steps(Some(4000)).unwrap();
        same(&exact.attribute(&set).unwrap(), &capped.attribute(&set).unwrap())?;
    }

    #[test]
    fn keeping_self_loops_never_changes_the_result(
        data in rows(3, 8),
        order in 1usize..=3,
    ) {
        let set = set_of(&data, 3);
        let merged = Markov::new(order).unwrap().attribute(&set).unwrap();
        let kept = Markov::new(order).unwrap().keep_self_loops(true).attribute(&set).unwrap();
        same(&merged, &kept)?;
    }
}

#[cfg(feature = "parallel")]
#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let data: Vec<Row> = (0..400)
        .map(|i: usize| {
            let path: Vec<usize> = (0..=(i % 7)).map(|j| (i * 7 + j * 3 + i / 5) % 6).collect();
            (path, (i % 3) as u64, (i % 4) as u64, (i % 3) as f64 * 2.5)
        })
        .collect();
    let set = set_of(&data, 6);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| Markov::new(3).unwrap().attribute(&set).unwrap())
    };
    let one = run(1);
    let two = run(2);
    let four = run(4);
    assert_eq!(one, two);
    assert_eq!(one, four);
}

#[test]
fn a_step_cap_is_exact_on_a_hand_checked_chain() {
    // a > b converts once; b alone fails once. From b, conversion w.p. 1/2.
    // Cap 1: only a journey starting at b can convert: 1/2 · 1/2 = 1/4.
    // Cap 2: a journey starting at a also reaches b: 1/2.
    let rows: Vec<Row> = vec![(vec![0, 1], 1, 0, 10.0), (vec![1], 0, 1, 0.0)];
    let set = set_of(&rows, 2);
    let model = Markov::new(1).unwrap();
    let chain = model
        .chain(&{
            let mut c = model.counts();
            for j in &set {
                model.observe(&mut c, j, set.channels()).unwrap();
            }
            c
        })
        .unwrap();
    let cap1 = model
        .max_steps(Some(1))
        .unwrap()
        .removal_effects(&chain)
        .unwrap();
    assert_eq!(cap1.conversion_probability, 0.25);
    let cap2 = model
        .max_steps(Some(2))
        .unwrap()
        .removal_effects(&chain)
        .unwrap();
    assert_eq!(cap2.conversion_probability, 0.5);
    // cap 1: removing a changes nothing (RE 0); removing b loses all.
    assert_eq!(cap1.removal_effects, vec![0.0, 1.0]);
    assert_eq!(cap2.removal_effects, vec![0.5, 1.0]);
    // A cap of 0 is refused when the model is configured (issue 10: validated
    // configurations), no longer only when removal effects are computed.
    assert!(model.max_steps(Some(0)).is_err());
}
