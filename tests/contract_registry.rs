//! Issue 10 acceptance: model specs. Every model's canonical spec prints and
//! parses back to the same model; errors are typed and name what is wrong.

use attribution::model::{ModelSpec, Registry};
use attribution::{ModelError, ModelSpec as RootSpec};

#[test]
fn canonical_specs_round_trip() {
    let registry = Registry::builtin();
    let expected = [
        "first-touch",
        "last-touch",
        "last-non-direct:direct=Direct",
        "linear:split=touch",
        "position-based:first=0.4,last=0.4",
        "time-decay:half_life=7d",
        "position-decay:rate=0.5",
        "markov:order=1,max_steps=none,self_loops=false",
    ];
    for (factory, want) in registry.factories().zip(expected) {
        let model = registry.parse(factory.name()).unwrap();
        assert_eq!(model.spec().to_string(), want);
        assert_eq!(registry.parse(want).unwrap().spec(), model.spec());
        let spec: RootSpec = want.parse().unwrap();
        assert_eq!(spec, model.spec());
        // Serialised as its text.
        assert_eq!(serde_json::to_string(&spec).unwrap(), format!("\"{want}\""));
    }
    for (text, canonical) in [
        (
            "Markov: Order=3, Max-Steps=10, Keep-Self-Loops=TRUE",
            "markov:order=3,max_steps=10,self_loops=true",
        ),
        ("linear:per=channel", "linear:split=channel"),
        ("position-decay:ratio=0.25", "position-decay:rate=0.25"),
        (
            "position-based:last=0.3",
            "position-based:first=0.4,last=0.3",
        ),
        ("time-decay:half_life=1.5s", "time-decay:half_life=1.5s"),
        ("time-decay:half_life=2w", "time-decay:half_life=14d"),
        ("time-decay:half_life=0.5h", "time-decay:half_life=30m"),
        (
            r"last-non-direct:direct=Direct|Brand\, search|A\\|B",
            r"last-non-direct:direct=Direct|Brand\, search|A\\|B",
        ),
        ("last-non-direct:direct=", "last-non-direct:direct="),
        (
            "last-non-direct:direct=Direct|Direct",
            "last-non-direct:direct=Direct",
        ),
    ] {
        let model = Registry::builtin().parse(text).unwrap();
        assert_eq!(model.spec().to_string(), canonical, "{text}");
        let again = Registry::builtin().parse(canonical).unwrap();
        assert_eq!(again.spec(), model.spec(), "{text}");
    }
    let direct = Registry::builtin()
        .parse(r"last-non-direct:direct=Direct|Brand\, search|A\\|B")
        .unwrap();
    assert_eq!(
        direct.spec().get("direct"),
        Some(r"Direct|Brand, search|A\|B")
    );
}

#[test]
fn errors_name_what_is_wrong() {
    let registry = Registry::builtin();
    let err = |text: &str| registry.parse(text).unwrap_err().to_string();
    assert_eq!(
        err("u-shaped:first=0.3"),
        "unknown model `u-shaped` (known models: first-touch, last-touch, last-non-direct, \
         linear, position-based, time-decay, position-decay, markov, shapley, shapley-rate, \
         shapley-exact-set, shapley-ordered, shao-li, participation, markov-shapley, dda, leave-one-out)"
    );
    assert_eq!(
        err("first-touch:weight=1"),
        "model `first-touch` has no parameter `weight` (it has no parameters)"
    );
    assert_eq!(
        err("time-decay:halflife=3d"),
        "model `time-decay` has no parameter `halflife` (its parameters: half_life)"
    );
    assert_eq!(
        err("position-based:first=0.7"),
        "invalid parameter `first+last` = 1.1: the first and last weights must sum to at most 1"
    );
    assert_eq!(
        err("position-based:first=lots"),
        "invalid parameter `first` = lots: expected a number"
    );
    assert_eq!(
        err("linear:split=touches"),
        "invalid parameter `split` = touches: expected touch or channel"
    );
    assert_eq!(
        err("time-decay:half_life=7"),
        "invalid parameter `half_life` = 7: expected a positive duration: a number with unit \
         s, m, h, d or w (e.g. 7d, 36h, 1.5s)"
    );
    assert_eq!(
        err("time-decay:half_life=0s"),
        "invalid parameter `half_life` = 0s: the half-life must be positive"
    );
    assert_eq!(
        err("position-decay:rate=1.5"),
        "invalid parameter `rate` = 1.5: the decay ratio must be in (0, 1]"
    );
    assert_eq!(
        err("markov:order=33"),
        "invalid parameter `order` = 33: the Markov order must be between 1 and 32"
    );
    assert_eq!(
        err("markov:max_steps=-1"),
        "invalid parameter `max_steps` = -1: the step cap must be a positive integer or none"
    );
    assert_eq!(
        err("markov:self_loops=yes"),
        "invalid parameter `self_loops` = yes: expected true or false"
    );
    assert_eq!(
        err("last-non-direct:direct=Direct||Email"),
        "invalid parameter `direct` = \"\": direct channel names must not be empty"
    );
    assert_eq!(
        err("position-decay:rate=0.5,ratio=0.5"),
        "invalid model spec `position-decay:rate=0.5,ratio=0.5`: parameter `rate` is given twice"
    );
    assert_eq!(
        err("markov-shapley:order=0"),
        "invalid parameter `order` = 0: the Markov order must be between 1 and 32"
    );
    assert_eq!(
        err("markov-shapley:max-channels=25"),
        "invalid parameter `max_channels` = 25: max_channels must be an integer from 1 to 24 \
         (2^max_channels coalitions are solved)"
    );
    assert_eq!(
        err("markov-shapley:maxchannels=3"),
        "model `markov-shapley` has no parameter `maxchannels` (its parameters: order, max_channels)"
    );
    assert_eq!(
        err("markov:order"),
        "invalid model spec `markov:order`: parameter `order` has no `=value`"
    );
    assert!(matches!(
        registry.parse(""),
        Err(ModelError::InvalidSpec { .. })
    ));
    // Typed, for programs.
    assert_eq!(
        registry.parse("markov:ordr=2").unwrap_err(),
        ModelError::UnknownParameter {
            model: "markov".to_owned(),
            key: "ordr".to_owned(),
            known: vec!["order".into(), "max_steps".into(), "self_loops".into()],
        }
    );
    // A spec of one model given to another's constructor.
    let spec: ModelSpec = "linear".parse().unwrap();
    assert_eq!(
        attribution::model::markov::Markov::from_spec(&spec)
            .unwrap_err()
            .to_string(),
        "invalid model spec `linear`: a spec of `linear`, not of `markov`"
    );
}
