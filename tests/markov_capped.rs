//! Step-capped Markov chains: a cap beyond convergence costs no more than
//! the convergence and gives the uncapped result; the share of conversion
//! probability a cap removes is reported.

use attribution::model::markov::Markov;
use attribution::{ChannelId, Channels, Journey, JourneySet};

fn set(rows: &[(&[&str], u64, u64, f64)]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for (path, conv, null, value) in rows {
        let ids: Vec<ChannelId> = path
            .iter()
            .map(|c| set.channels_mut().intern(c).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, *conv, *null, *value).unwrap())
            .unwrap();
    }
    set
}

fn tiny() -> JourneySet {
    set(&[
        (&["PPC", "LandingPage", "Email", "LinkedIn"], 1, 0, 120.0),
        (&["PPC", "LandingPage"], 0, 1, 0.0),
        (&["LinkedIn"], 1, 0, 80.0),
        (&["Email", "Email", "LinkedIn"], 1, 0, 60.0),
        (&["PPC", "LandingPage", "Email"], 0, 1, 0.0),
        (&["LinkedIn", "PPC"], 1, 0, 100.0),
        (&["PPC"], 0, 1, 0.0),
        (&["Email", "LinkedIn"], 0, 1, 0.0),
        // a cycle, so that the capped iteration never becomes exact
        (&["Email", "PPC", "Email", "PPC", "LinkedIn"], 2, 1, 30.0),
    ])
}

#[test]
fn a_cap_of_usize_max_is_the_uncapped_chain() {
    let journeys = tiny();
    for order in 1..=3 {
        for self_loops in [false, true] {
            let exact = Markov::new(order).unwrap().keep_self_loops(self_loops);
            let chain = exact.fit_chain(&journeys).unwrap();
            let uncapped = exact.removal_effects(&chain).unwrap();
            let capped = exact
                .max_steps(Some(usize::MAX))
                .unwrap()
                .removal_effects(&chain)
                .unwrap();
            assert_eq!(uncapped.cap_loss, None);
            let loss = capped.cap_loss.unwrap();
            assert!((0.0..1e-14).contains(&loss), "order {order}: {loss}");
            let context = format!("order {order}, self-loops {self_loops}");
            assert!(
                (capped.conversion_probability - uncapped.conversion_probability).abs() < 1e-14,
                "{context}"
            );
            for c in 0..4 {
                let (a, b) = (capped.removal_effects[c], uncapped.removal_effects[c]);
                assert!((a - b).abs() <= 1e-13, "{context}: channel {c}: {a} vs {b}");
                assert!(capped.error_bounds[c] <= 1e-13, "{context}");
                let (a, b) = (
                    capped.value_removal_effects[c],
                    uncapped.value_removal_effects[c],
                );
                assert!((a - b).abs() <= 1e-13, "{context}: channel {c}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn a_slowly_converging_chain_stops_at_convergence() {
    // One journey a > b > c > d repeated 25 000 times, converting once at the
    // end: every walk to conversion visits all four channels (RE = 1), and
    // the capped iteration needs ~10^6 steps to converge.
    let path: Vec<&str> = ["a", "b", "c", "d"]
        .iter()
        .copied()
        .cycle()
        .take(100_000)
        .collect();
    let journeys = set(&[(&path, 1, 0, 5.0)]);
    // 10^7 steps: iterated until converged; usize::MAX: beyond any walk's
    // length but for a probability below 10^-14, solved uncapped.
    for cap in [10_000_000, usize::MAX] {
        let model = Markov::new(1).unwrap().max_steps(Some(cap)).unwrap();
        let effects = model
            .removal_effects(&model.fit_chain(&journeys).unwrap())
            .unwrap();
        let context = format!("cap {cap}: {effects:?}");
        assert!(
            (effects.conversion_probability - 1.0).abs() < 1e-9,
            "{context}"
        );
        assert!(effects.cap_loss.unwrap() < 1e-9, "{context}");
        for c in 0..4 {
            assert!((effects.removal_effects[c] - 1.0).abs() < 1e-9, "{context}");
            assert!(effects.error_bounds[c] < 1e-9, "{context}");
        }
    }
}

#[test]
fn cap_loss_is_the_share_of_conversion_probability_removed() {
    // P = 0.8; within one step only journeys starting at b convert: 0.16.
    let journeys = set(&[(&["a", "b"], 3, 1, 3.0), (&["b"], 1, 0, 1.0)]);
    let model = Markov::new(1).unwrap();
    let chain = model.fit_chain(&journeys).unwrap();
    let one = model
        .max_steps(Some(1))
        .unwrap()
        .removal_effects(&chain)
        .unwrap();
    assert!((one.conversion_probability - 0.16).abs() < 1e-16);
    assert!((one.cap_loss.unwrap() - 0.8).abs() < 1e-15);
    assert_eq!(one.removal_effects, vec![0.0, 1.0]);
    let two = model
        .max_steps(Some(2))
        .unwrap()
        .removal_effects(&chain)
        .unwrap();
    assert!((two.conversion_probability - 0.8).abs() < 1e-15);
    assert!(two.cap_loss.unwrap() < 1e-15);
    assert_eq!(model.removal_effects(&chain).unwrap().cap_loss, None);
}
