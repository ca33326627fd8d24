//! Issue 10 acceptance: states of models that differ in any parameter do
//! not merge (ModelError::IncompatibleStates, the state unchanged); states
//! of other model types are ModelError::WrongState, never a panic.

use attribution::model::{ModelSpec, Registry};
use attribution::{Channels, Journey, ModelError};

/// A value other than the default, for every parameter of every model.
fn other_value(key: &str) -> &'static str {
    match key {
        "order" => "2",
        "max_steps" => "5",
        "self_loops" => "true",
        "direct" => "Direct|Email",
        "split" => "channel",
        "first" => "0.3",
        "last" => "0.3",
        "half_life" => "3d",
        "rate" => "0.25",
        "max_position" => "3",
        "normalise" => "journey",
        "value" => "count",
        "max_channels" => "3",
        "keep" => "alphabetical",
        other => panic!("no alternative value for `{other}`: add one"),
    }
}

/// The spec of `model` with `key` changed from its default.
fn changed(model: &str, key: &str) -> ModelSpec {
    let spec = ModelSpec::new(model);
    match (model, key) {
        ("dda", "value") => spec.with(key, "logit-pairwise"),
        ("dda", "baseline") => spec.with(key, "zero"),
        ("dda", "credit") => spec.with(key, "expected"),
        ("dda", "lambda") => spec.with(key, "2"),
        // prior_weight applies only with value=smoothed-set.
        ("dda", "prior_weight") => spec.with("value", "smoothed-set").with(key, "3"),
        _ => spec.with(key, other_value(key)),
    }
}

#[test]
fn every_changed_parameter_makes_states_incompatible() {
    let registry = Registry::builtin();
    let mut channels = Channels::new();
    let ids = [
        channels.intern("PPC").unwrap(),
        channels.intern("Email").unwrap(),
    ];
    let journey = Journey::from_channels(&ids, 1, 1, 10.0).unwrap();
    let mut pairs = 0;
    for factory in registry.factories() {
        let default = factory.build(&ModelSpec::new(factory.name())).unwrap();
        for param in factory.params() {
            let changed_spec = changed(factory.name(), param.key);
            let changed = factory.build(&changed_spec).unwrap();
            assert_ne!(changed.spec(), default.spec(), "{changed_spec}");
            let mut left = default.new_state();
            let mut right = changed.new_state();
            if !changed.requires_timestamps() {
                default.observe(left.as_mut(), &journey, &channels).unwrap();
                changed
                    .observe(right.as_mut(), &journey, &channels)
                    .unwrap();
            }
            let before = default.state_to_bytes(left.as_ref()).unwrap();
            let err = default.merge(left.as_mut(), right.as_ref()).unwrap_err();
            assert_eq!(
                err,
                ModelError::IncompatibleStates {
                    left: default.spec().to_string(),
                    right: changed.spec().to_string()
                }
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "cannot merge a state of `{}` into a state of `{}`",
                    changed.spec(),
                    default.spec()
                )
            );
            assert_eq!(default.state_to_bytes(left.as_ref()).unwrap(), before);
            assert!(matches!(
                changed.merge(right.as_mut(), left.as_ref()),
                Err(ModelError::IncompatibleStates { .. })
            ));
            // Finishing a state of the other spec is refused as well.
            assert!(matches!(
                default.finish(right.as_ref()),
                Err(ModelError::WrongState { state: Some(_), .. })
            ));
            pairs += 1;
        }
    }
    // direct, split, first, last, half_life, rate, order, max_steps, self_loops,
    // max_position, normalise and shapley-rate's value, max_channels, keep;
    // markov-shapley's order and max_channels
    // dda's value, baseline, credit, lambda, prior_weight, max_channels
    assert_eq!(pairs, 22);
}

#[test]
fn states_of_other_models_are_refused() {
    let registry = Registry::builtin();
    let models: Vec<_> = registry
        .names()
        .iter()
        .map(|n| registry.parse(n).unwrap())
        .collect();
    for a in &models {
        for b in &models {
            if a.spec() == b.spec() {
                continue;
            }
            let mut left = a.new_state();
            let right = b.new_state();
            let err = a.merge(left.as_mut(), right.as_ref()).unwrap_err();
            // Heuristics share one state type: their specs differ.
            assert!(
                matches!(
                    err,
                    ModelError::IncompatibleStates { .. } | ModelError::WrongState { .. }
                ),
                "{} / {}: {err}",
                a.spec(),
                b.spec()
            );
            assert!(a.finish(right.as_ref()).is_err());
        }
    }
    let markov = registry.parse("markov").unwrap();
    let linear = registry.parse("linear").unwrap();
    assert_eq!(
        markov
            .finish(linear.new_state().as_ref())
            .unwrap_err()
            .to_string(),
        "model `markov:order=1,max_steps=none,self_loops=false` was given a state of another model type"
    );
    assert_eq!(
        registry
            .parse("linear:split=channel")
            .unwrap()
            .finish(linear.new_state().as_ref())
            .unwrap_err()
            .to_string(),
        "model `linear:split=channel` was given a state of `linear:split=touch`"
    );
}
