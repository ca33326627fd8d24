//! Valid journeys of 100 000 touches solve, with certified results: the
//! chain of one long journey is nearly closed (its only exit is at the
//! end), which makes the residual of a rounded solution large and
//! Gauss–Seidel slow; the solver refines the solution and falls back on
//! direct methods instead of failing.

use attribution::model::markov::{Markov, Solver};
use attribution::{ChannelId, Channels, Journey, JourneySet, Model};

/// One journey cycling through `channels` for `touches` touches.
fn cycling(channels: &[&str], touches: usize, conversions: u64, value: f64) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    let ids: Vec<ChannelId> = channels
        .iter()
        .map(|c| set.channels_mut().intern(c).unwrap())
        .collect();
    let path: Vec<ChannelId> = ids.iter().copied().cycle().take(touches).collect();
    set.push(Journey::from_channels(&path, conversions, 0, value).unwrap())
        .unwrap();
    set
}

#[test]
fn a_journey_of_100_000_touches_through_every_channel_has_removal_effects_1() {
    // a > b > c > d repeated: every walk from (start) to (conversion) visits
    // all four channels (the path starts at a and ends at d), so every
    // removal effect is exactly 1 and credit is split equally.
    let journeys = cycling(&["a", "b", "c", "d"], 100_000, 1, 5.0);
    for order in 1..=3 {
        for solver in [Solver::Auto, Solver::Dense, Solver::Iterative] {
            let model = Markov::new(order).unwrap().solver(solver);
            let chain = model.fit_chain(&journeys).unwrap();
            let effects = model.removal_effects(&chain).unwrap();
            let context = format!("order {order}, {solver:?}: {effects:?}");
            assert!(
                (effects.conversion_probability - 1.0).abs() < 1e-12,
                "{context}"
            );
            for c in 0..4 {
                let bound = effects.error_bounds[c];
                assert!(bound <= 1e-10, "{context}");
                assert!(
                    (effects.removal_effects[c] - 1.0).abs() <= bound,
                    "{context}"
                );
                assert!(
                    (effects.value_removal_effects[c] - 1.0).abs() <= 1e-10,
                    "{context}"
                );
            }
            let result = model.attribution(&chain, &effects);
            for name in ["a", "b", "c", "d"] {
                let credit = result.get(name).unwrap();
                assert!((credit.conversions - 0.25).abs() < 1e-10, "{context}");
                assert!((credit.value - 1.25).abs() < 1e-10, "{context}");
            }
        }
    }
}

#[test]
fn ending_where_it_started_leaves_a_shortcut() {
    // a > b > c repeated 33 333 times, then a: the walk can convert at its
    // first visit of a (1 conversion in 33 334 exits of a), so removing b
    // or c keeps exactly that 1/33 334 of P(conversion) = 1.
    let journeys = cycling(&["a", "b", "c"], 100_000, 1, 1.0);
    let model = Markov::new(1).unwrap();
    let effects = model
        .removal_effects(&model.fit_chain(&journeys).unwrap())
        .unwrap();
    let expected = [1.0, 1.0 - 1.0 / 33_334.0, 1.0 - 1.0 / 33_334.0];
    for (c, e) in expected.iter().enumerate() {
        let bound = effects.error_bounds[c];
        assert!(bound <= 1e-10 * e + 1e-12, "{effects:?}");
        // 1e-15 for the rounding of `expected` itself.
        assert!(
            (effects.removal_effects[c] - e).abs() <= bound + 1e-15,
            "{c}: {effects:?}"
        );
    }
}

#[test]
fn a_long_cycle_of_distinct_channels_solves_exactly() {
    // 600 channels in a cycle, 20 times round and ending at the last:
    // a component of 600 states on which Gauss–Seidel crawls one state per
    // sweep; every removal effect is 1.
    let names: Vec<String> = (0..600).map(|i| format!("c{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let journeys = cycling(&names, 12_000, 2, 10.0);
    let result = Markov::new(1).unwrap().attribute(&journeys).unwrap();
    for name in &names {
        let credit = result.get(name).unwrap();
        let re = credit.removal_effect.unwrap();
        assert!((re - 1.0).abs() <= 1e-10, "{name}: {re}");
        assert!((credit.conversions - 2.0 / 600.0).abs() <= 1e-12, "{name}");
    }
}
