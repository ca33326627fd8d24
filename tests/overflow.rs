//! Totals beyond what `f64` carries (counts above 2^53, values above
//! `f64::MAX`) are typed errors naming the journey, never NaN, 0 or a
//! silently rounded or saturated count.

use attribution::model::heuristic::{FirstTouch, Linear};
use attribution::model::markov::{Markov, MarkovChain, TransitionCounts};
use attribution::numeric::MAX_EXACT_COUNT;
use attribution::{ChannelId, Channels, Journey, JourneySet, Merge, Model, ModelError};

/// Journeys over channels `A`, `B` (paths of channel names, conversions,
/// non-conversions, value).
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

const VALUE: &str =
    "the total conversion value exceeds the largest finite number (1.7976931348623157e308)";
const CONVERSIONS: &str = "the total of conversions exceeds 2^53 = 9007199254740992, above which counts are not exactly representable";
const TRANSITIONS: &str = "the Markov transition counts sum to more than 2^53 = 9007199254740992, above which counts are not exactly representable";

fn overflow(index: Option<usize>, what: &str) -> ModelError {
    ModelError::Overflow {
        index,
        what: what.to_owned(),
    }
}

#[test]
fn value_sums_beyond_f64_max_name_the_journey() {
    let journeys = set(&[
        (&["A"], 1, 0, 1.0),
        (&["A", "B"], 1, 0, 1e308),
        (&["B"], 1, 0, 1e308),
    ]);
    let expected = overflow(Some(2), VALUE);
    assert_eq!(FirstTouch.attribute(&journeys), Err(expected.clone()));
    assert_eq!(
        Linear::per_touch().attribute(&journeys),
        Err(expected.clone())
    );
    assert_eq!(Markov::new(1).unwrap().attribute(&journeys), Err(expected));
    assert_eq!(
        overflow(Some(2), VALUE).to_string(),
        format!("numeric overflow at journey #2: {VALUE}")
    );
}

#[test]
fn value_sums_just_below_f64_max_are_attributed_exactly() {
    // P(conv) = 2/3, RE_A = 1/3, RE_B = 1; the value of B's conversions
    // (1.7e308 over 2 conversions) is shared 1/4 : 3/4.
    let journeys = set(&[(&["A", "B"], 1, 0, 1e308), (&["B"], 1, 1, 7e307)]);
    let result = Markov::new(1).unwrap().attribute(&journeys).unwrap();
    let a = result.get("A").unwrap();
    let b = result.get("B").unwrap();
    assert!((a.removal_effect.unwrap() - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(b.removal_effect, Some(1.0));
    assert!((a.value / 4.25e307 - 1.0).abs() < 1e-12, "{}", a.value);
    assert!((b.value / 1.275e308 - 1.0).abs() < 1e-12, "{}", b.value);
    let linear = Linear::per_touch().attribute(&journeys).unwrap();
    assert_eq!(linear.get("A").unwrap().value, 5e307);
    assert_eq!(linear.get("B").unwrap().value, 1.2e308);
}

#[test]
fn conversion_totals_beyond_2_pow_53_name_the_journey() {
    let half = MAX_EXACT_COUNT / 2;
    let journeys = set(&[(&["A"], half, 0, 0.0), (&["B"], half + 1, 0, 0.0)]);
    assert_eq!(
        FirstTouch.attribute(&journeys),
        Err(overflow(Some(1), CONVERSIONS))
    );
    // Exactly 2^53 is still exact.
    let journeys = set(&[(&["A"], half, 0, 0.0), (&["B"], half, 0, 0.0)]);
    let result = FirstTouch.attribute(&journeys).unwrap();
    assert_eq!(result.total_conversions(), 9_007_199_254_740_992.0);
    assert_eq!(
        result.get("B").unwrap().conversions,
        4_503_599_627_370_496.0
    );
}

#[test]
fn markov_counts_beyond_2_pow_53_name_the_journey() {
    // Σ out = Σ weight × states visited: 2^52 · 1 + 2^51 · 2 = 2^53, then one more.
    let journeys = set(&[
        (&["A"], 1 << 52, 0, 0.0),
        (&["A", "B"], 1 << 50, 1 << 50, 0.0),
        (&["B"], 0, 1, 0.0),
        (&["B"], 1, 0, 0.0),
    ]);
    let model = Markov::new(1).unwrap();
    assert_eq!(
        model.attribute(&journeys),
        Err(overflow(Some(2), TRANSITIONS))
    );
    assert_eq!(
        model.fit_chain(&journeys).unwrap_err(),
        overflow(Some(2), TRANSITIONS)
    );
}

#[test]
fn saturated_counts_are_rejected_not_used() {
    let a = ChannelId::from_index(0).unwrap();
    let mut channels = Channels::new();
    channels.intern("A").unwrap();
    let mut counts = TransitionCounts::new(1).unwrap();
    counts.extend_channels(&channels).unwrap();
    counts.observe_path(&[a], u64::MAX, 0, 0.0);
    counts.observe_path(&[a], u64::MAX, 0, 0.0);
    assert_eq!(counts.check_exact(), Err(overflow(None, TRANSITIONS)));
    assert_eq!(
        MarkovChain::new(&counts, &channels).unwrap_err(),
        overflow(None, TRANSITIONS)
    );
    assert_eq!(
        Markov::new(1).unwrap().finish(&counts),
        Err(overflow(None, TRANSITIONS))
    );
    // Serialised, such counts are refused when read (issue 10: deserialised
    // states are validated, totals included), no longer read back.
    let err = serde_json::from_str::<TransitionCounts>(&serde_json::to_string(&counts).unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("more than 2^53"), "{err}");
}

#[test]
fn merged_states_that_overflow_fail_at_finish() {
    let journeys = set(&[
        (&["A"], 1 << 52, 0, 1e308),
        (&["B"], (1 << 52) + 1, 0, 1e308),
    ]);
    let channels = journeys.channels();
    // Heuristics: each half is fine, the merge is not.
    let model = FirstTouch;
    let (mut left, mut right) = (model.new_state(), model.new_state());
    model
        .observe(&mut left, &journeys.journeys()[0], channels)
        .unwrap();
    model
        .observe(&mut right, &journeys.journeys()[1], channels)
        .unwrap();
    left.merge(&right).unwrap();
    assert_eq!(model.finish(&left), Err(overflow(None, CONVERSIONS)));
    // Markov likewise.
    let markov = Markov::new(1).unwrap();
    let (mut left, mut right) = (markov.counts(), markov.counts());
    markov
        .observe(&mut left, &journeys.journeys()[0], channels)
        .unwrap();
    markov
        .observe(&mut right, &journeys.journeys()[1], channels)
        .unwrap();
    left.merge(&right).unwrap();
    assert_eq!(markov.finish(&left), Err(overflow(None, TRANSITIONS)));
    // Values alone.
    let journeys = set(&[(&["A"], 1, 0, 1e308), (&["B"], 1, 0, 1e308)]);
    let (mut left, mut right) = (markov.counts(), markov.counts());
    markov
        .observe(&mut left, &journeys.journeys()[0], channels)
        .unwrap();
    markov
        .observe(&mut right, &journeys.journeys()[1], channels)
        .unwrap();
    left.merge(&right).unwrap();
    assert_eq!(markov.finish(&left), Err(overflow(None, VALUE)));
}

#[test]
fn select_order_names_the_journey_too() {
    let journeys = set(&[(&["A"], 1 << 53, 0, 0.0), (&["B"], 0, 1, 0.0)]);
    assert_eq!(
        attribution::model::markov::select_order(&journeys, 1, 2),
        Err(overflow(Some(1), TRANSITIONS))
    );
}
