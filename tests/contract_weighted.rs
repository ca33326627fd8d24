//! Issue 10: `observe_weighted` for every model. Weight 1 reproduces
//! `observe` exactly, weight 2 equals observing twice, weight 0 equals not
//! observing, fractional weights scale; weighted and exact states merge.

use attribution::model::{DynModel, DynState, Registry};
use attribution::{Attribution, JourneySet, ModelError};

mod contract_common;
use contract_common::tiny;

/// Every registered model with its default spec, plus Markov orders 1–3
/// and a step-capped Markov.
fn models() -> Vec<Box<dyn DynModel>> {
    let registry = Registry::builtin();
    let mut specs: Vec<String> = registry
        .names()
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    specs.extend(
        [
            "markov:order=2",
            "markov:order=3",
            "markov:order=2,max_steps=3",
            "shapley-ordered:max_position=2",
            "shao-li:normalise=journey",
        ]
        .map(String::from),
    );
    specs.iter().map(|s| registry.parse(s).unwrap()).collect()
}

/// A state of `model` over `set`, each journey observed with `weight(i)`
/// (`None`: plain `observe`).
fn state(
    model: &dyn DynModel,
    set: &JourneySet,
    weight: impl Fn(usize) -> Option<f64>,
) -> Box<dyn DynState> {
    let mut state = model.new_state();
    state.extend_channels(set.channels()).unwrap();
    for (i, journey) in set.iter().enumerate() {
        match weight(i) {
            None => model.observe(state.as_mut(), journey, set.channels()),
            Some(w) => model.observe_weighted(state.as_mut(), journey, set.channels(), w),
        }
        .unwrap();
    }
    state
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

/// `got` equals `want` scaled by `scale` (credits and totals; removal
/// effects unscaled), to `tol`.
fn assert_scaled(got: &Attribution, want: &Attribution, scale: f64, tol: f64, context: &str) {
    assert_eq!(got.channels().len(), want.channels().len(), "{context}");
    for (g, w) in got.channels().iter().zip(want.channels()) {
        assert_eq!(g.name, w.name, "{context}");
        assert!(
            close(g.conversions, scale * w.conversions, tol)
                && close(g.value, scale * w.value, tol),
            "{context}: {g:?} vs {w:?} × {scale}"
        );
        match (g.removal_effect, w.removal_effect) {
            (Some(a), Some(b)) => assert!(close(a, b, tol), "{context}: {g:?} vs {w:?}"),
            (a, b) => assert_eq!(a, b, "{context}"),
        }
    }
    assert!(
        close(
            got.total_conversions(),
            scale * want.total_conversions(),
            tol
        ),
        "{context}"
    );
    assert!(
        close(got.total_value(), scale * want.total_value(), tol),
        "{context}"
    );
}

#[test]
fn weight_one_is_observe_bit_for_bit() {
    let set = tiny();
    for model in models() {
        let plain = model
            .finish(state(model.as_ref(), &set, |_| None).as_ref())
            .unwrap();
        let weighted = model
            .finish(state(model.as_ref(), &set, |_| Some(1.0)).as_ref())
            .unwrap();
        assert_eq!(weighted, plain, "{}", model.spec());
    }
}

#[test]
fn weight_two_is_observing_twice_and_zero_is_not_observing() {
    let set = tiny();
    for model in models() {
        let context = model.spec().to_string();
        // Journey 0 twice, journey 3 weighted 0, the rest once.
        let mut twice = model.new_state();
        twice.extend_channels(set.channels()).unwrap();
        for (i, journey) in set.iter().enumerate() {
            let times = match i {
                0 => 2,
                3 => 0,
                _ => 1,
            };
            for _ in 0..times {
                model
                    .observe(twice.as_mut(), journey, set.channels())
                    .unwrap();
            }
        }
        let weights = |i| match i {
            0 => Some(2.0),
            3 => Some(0.0),
            _ => None,
        };
        let weighted = state(model.as_ref(), &set, weights);
        let want = model.finish(twice.as_ref()).unwrap();
        let got = model.finish(weighted.as_ref()).unwrap();
        assert_scaled(&got, &want, 1.0, 1e-12, &context);
    }
}

#[test]
fn fractional_weights_scale_and_merge_with_exact_states() {
    let set = tiny();
    for model in models() {
        let context = model.spec().to_string();
        let plain = model
            .finish(state(model.as_ref(), &set, |_| None).as_ref())
            .unwrap();
        // Every journey weighted 0.3: credits scale by 0.3, and Markov's
        // probabilities (ratios of counts) do not change.
        let scaled = model
            .finish(state(model.as_ref(), &set, |_| Some(0.3)).as_ref())
            .unwrap();
        // dda's penalised fit is not scale-free (λ stays while the counts
        // scale), so its credits do not scale with a common weight.
        let scale_free = model.name() != "dda";
        if scale_free {
            assert_scaled(&scaled, &plain, 0.3, 1e-12, &context);
        }
        // 2.5 = 2 + 0.5, merging an exact state into a weighted one and back.
        let mut exact = state(model.as_ref(), &set, |_| Some(2.0));
        let half = state(model.as_ref(), &set, |_| Some(0.5));
        let mut weighted = half.clone();
        model.merge(weighted.as_mut(), exact.as_ref()).unwrap();
        model.merge(exact.as_mut(), half.as_ref()).unwrap();
        let direct = model
            .finish(state(model.as_ref(), &set, |_| Some(2.5)).as_ref())
            .unwrap();
        for merged in [&weighted, &exact] {
            let got = model.finish(merged.as_ref()).unwrap();
            if scale_free {
                assert_scaled(&got, &plain, 2.5, 1e-12, &context);
            }
            assert_scaled(&got, &direct, 1.0, 1e-12, &context);
        }
        // Weighted states serialise and read back to the same result.
        let bytes = model.state_to_bytes(weighted.as_ref()).unwrap();
        let back = model.state_from_bytes(&bytes).unwrap();
        assert_eq!(
            model.finish(back.as_ref()).unwrap(),
            model.finish(weighted.as_ref()).unwrap()
        );
        let json = model.state_to_json(weighted.as_ref()).unwrap();
        let back = model.state_from_json(&json).unwrap();
        assert_eq!(
            model.finish(back.as_ref()).unwrap(),
            model.finish(weighted.as_ref()).unwrap()
        );
    }
}

#[test]
fn invalid_weights_are_refused() {
    let set = tiny();
    for model in models() {
        let mut state = model.new_state();
        for bad in [f64::NAN, -1.0, f64::INFINITY, -0.5] {
            let err = model
                .observe_weighted(state.as_mut(), &set.journeys()[0], set.channels(), bad)
                .unwrap_err();
            assert!(
                matches!(err, ModelError::InvalidParameter { name: "weight", .. }),
                "{}: {err}",
                model.spec()
            );
        }
    }
}
