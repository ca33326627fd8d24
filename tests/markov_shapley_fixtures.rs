//! `markov-shapley` on the tiny fixture: the rows of
//! `tests/data/tiny/expected_counterfactual.csv` (orders 1 to 3, conversions
//! and value) to 1e-9 from the paths, the journeys and the events; the
//! coalition values of the spec's worked example; removal effects equal to
//! `markov`'s; the typed errors.

use attribution::io::Shape;
use attribution::model::Registry;
use attribution::model::markov_shapley::MarkovShapley;
use attribution::{Channels, Journey, JourneySet, Model, ModelError};

mod tiny_shapes;
use tiny_shapes::{TINY, read, shapes};

/// `(spec, channel, conversions, value)` of the markov-shapley rows.
fn expected() -> Vec<(String, String, f64, f64)> {
    let mut reader = csv::Reader::from_path(format!("{TINY}/expected_counterfactual.csv")).unwrap();
    let rows: Vec<(String, String, f64, f64)> = reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[0] == "markov-shapley")
        .map(|r| {
            assert_eq!(&r[2], "", "no transforms");
            (
                r[1].to_owned(),
                r[3].to_owned(),
                r[4].parse().unwrap(),
                r[5].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows.len(), 12);
    rows
}

#[test]
fn fixture_rows_at_orders_one_to_three() {
    let registry = Registry::builtin();
    let rows = expected();
    for (shape, set) in shapes() {
        for spec in [
            "markov-shapley",
            "markov-shapley:order=2",
            "markov-shapley:order=3",
        ] {
            let model = registry.parse(spec).unwrap();
            let result = model.attribute(&set).unwrap();
            let mine: Vec<_> = rows.iter().filter(|r| r.0 == spec).collect();
            assert_eq!(mine.len(), 4);
            assert_eq!(result.channels().len(), 4, "{shape} {spec}");
            for (_, channel, conversions, value) in mine {
                let got = result.get(channel).unwrap();
                assert!(
                    (got.conversions - conversions).abs() <= 1e-9,
                    "{shape} {spec} {channel}: {} vs {conversions}",
                    got.conversions
                );
                assert!(
                    (got.value - value).abs() <= 1e-9 * value.max(1.0),
                    "{shape} {spec} {channel}: {} vs {value}",
                    got.value
                );
            }
            let total: f64 = result.channels().iter().map(|c| c.conversions).sum();
            let total_value: f64 = result.channels().iter().map(|c| c.value).sum();
            assert!((total - 4.0).abs() < 1e-12 && (total_value - 360.0).abs() < 1e-10);
        }
    }
}

#[test]
fn coalition_values_of_the_worked_example() {
    let set = read(Shape::Paths, "paths.csv");
    let model = MarkovShapley::new(1).unwrap();
    let mut state = model.new_state();
    for journey in &set {
        model.observe(&mut state, journey, set.channels()).unwrap();
    }
    let fit = model.fit(&state).unwrap();
    let names = ["PPC", "LandingPage", "Email", "LinkedIn"];
    // The non-zero values of the table; "±X" expanded.
    let table: [(&[&str], f64, f64); 12] = [
        (&["PPC"], 0.1, 10.0),
        (&["PPC", "LandingPage"], 0.1, 10.0),
        (&["PPC", "Email"], 0.1, 10.0),
        (&["PPC", "LandingPage", "Email"], 0.1, 10.0),
        (&["LinkedIn"], 3.0 / 20.0, 13.0),
        (&["LinkedIn", "LandingPage"], 3.0 / 20.0, 13.0),
        (&["PPC", "LinkedIn"], 13.0 / 50.0, 24.0),
        (&["PPC", "LinkedIn", "LandingPage"], 13.0 / 50.0, 24.0),
        (&["Email", "LinkedIn"], 21.0 / 80.0, 91.0 / 4.0),
        (
            &["Email", "LinkedIn", "LandingPage"],
            21.0 / 80.0,
            91.0 / 4.0,
        ),
        (&["PPC", "Email", "LinkedIn"], 19.0 / 50.0, 69.0 / 2.0),
        (&names, 0.5, 45.0),
    ];
    for mask in 0u32..16 {
        let members: Vec<&str> = (0..4)
            .filter(|b| mask & (1 << b) != 0)
            .map(|b| names[b])
            .collect();
        let mut sorted = members.clone();
        sorted.sort_unstable();
        let want = table
            .iter()
            .find(|(t, _, _)| {
                let mut t = t.to_vec();
                t.sort_unstable();
                t == sorted
            })
            .map_or((0.0, 0.0), |&(_, v, vv)| (v, vv));
        let (v, value) = fit.coalition_value(&members).unwrap();
        assert!((v - want.0).abs() < 1e-15, "{members:?}: {v} vs {}", want.0);
        assert!(
            (value - want.1).abs() < 1e-12,
            "{members:?}: {value} vs {}",
            want.1
        );
    }
    // φ and the removal effects.
    for (name, phi, re) in [
        ("PPC", 11.0 / 80.0, 19.0 / 40.0),
        ("LandingPage", 3.0 / 100.0, 6.0 / 25.0),
        ("Email", 71.0 / 800.0, 12.0 / 25.0),
        ("LinkedIn", 39.0 / 160.0, 4.0 / 5.0),
    ] {
        let (p, _) = fit.shapley_value(name).unwrap();
        assert!((p - phi).abs() < 1e-15, "{name}: {p}");
        let got = attribution::Fitted::attribution(&fit)
            .get(name)
            .unwrap()
            .removal_effect
            .unwrap();
        assert!((got - re).abs() < 1e-15, "{name}: {got}");
    }
    let phis: f64 = names.iter().map(|n| fit.shapley_value(n).unwrap().1).sum();
    assert!((phis - 45.0).abs() < 1e-12);
}

#[test]
fn removal_effects_equal_markov_at_every_order() {
    let set = read(Shape::Paths, "paths.csv");
    let registry = Registry::builtin();
    for order in 1..=4 {
        let ms = registry
            .parse(&format!("markov-shapley:order={order}"))
            .unwrap()
            .attribute(&set)
            .unwrap();
        let markov = registry
            .parse(&format!("markov:order={order}"))
            .unwrap()
            .attribute(&set)
            .unwrap();
        for (a, b) in ms.channels().iter().zip(markov.channels()) {
            assert_eq!(a.name, b.name);
            let (x, y) = (a.removal_effect.unwrap(), b.removal_effect.unwrap());
            assert!(
                (x - y).abs() < 1e-12,
                "order {order} {}: {x} vs {y}",
                a.name
            );
        }
    }
}

fn journeys(paths: &[(&[&str], u64, u64, f64)]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for (path, c, n, v) in paths {
        let ids: Vec<_> = path
            .iter()
            .map(|p| set.channels_mut().intern(p).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, *c, *n, *v).unwrap())
            .unwrap();
    }
    set
}

#[test]
fn degenerate_inputs_give_zeros_or_everything() {
    // No conversions: every credit and removal effect is 0.
    let set = journeys(&[(&["a", "b"], 0, 3, 0.0), (&["b"], 0, 1, 0.0)]);
    let result = MarkovShapley::new(1).unwrap().attribute(&set).unwrap();
    for c in result.channels() {
        assert_eq!(
            (c.conversions, c.value, c.removal_effect),
            (0.0, 0.0, Some(0.0))
        );
    }
    // One channel gets everything; conversions without value give value 0.
    let set = journeys(&[(&["a", "a"], 2, 3, 0.0)]);
    let result = MarkovShapley::new(2).unwrap().attribute(&set).unwrap();
    let a = result.get("a").unwrap();
    assert_eq!(
        (a.conversions, a.value, a.removal_effect),
        (2.0, 0.0, Some(1.0))
    );
    // Empty input.
    let empty = JourneySet::new(Channels::new());
    assert!(
        MarkovShapley::new(1)
            .unwrap()
            .attribute(&empty)
            .unwrap()
            .channels()
            .is_empty()
    );
}

#[test]
fn errors_are_typed() {
    let registry = Registry::builtin();
    for (spec, message) in [
        (
            "markov-shapley:order=0",
            "invalid parameter `order` = 0: the Markov order must be between 1 and 32",
        ),
        (
            "markov-shapley:order=x",
            "invalid parameter `order` = x: the Markov order must be an integer from 1 to 32",
        ),
        (
            "markov-shapley:max_channels=0",
            "invalid parameter `max_channels` = 0: max_channels must be an integer from 1 to 24 \
             (2^max_channels coalitions are solved)",
        ),
        (
            "markov-shapley:max-channels=two",
            "invalid parameter `max_channels` = two: max_channels must be an integer from 1 to 24 \
             (2^max_channels coalitions are solved)",
        ),
        (
            "markov-shapley:channels=3",
            "model `markov-shapley` has no parameter `channels` (its parameters: order, max_channels)",
        ),
    ] {
        assert_eq!(
            registry.parse(spec).unwrap_err().to_string(),
            message,
            "{spec}"
        );
    }
    // Three channels present, a cap of 2.
    let set = journeys(&[(&["a", "b"], 1, 0, 1.0), (&["c"], 0, 1, 0.0)]);
    let err = registry
        .parse("markov-shapley:max_channels=2")
        .unwrap()
        .attribute(&set)
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::TooManyChannels {
            model: "markov-shapley:order=1,max_channels=2".to_owned(),
            channels: 3,
            max: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "model `markov-shapley:order=1,max_channels=2` was given 3 channels, more than its \
         max_channels = 2 (it solves 2^channels coalitions): group channels, raise max_channels \
         (at most 24), or use `markov` (removal-effect shares) or `shapley`"
    );
    // Per-journey credit.
    let model = MarkovShapley::new(1).unwrap();
    let channels = set.channels();
    let converting = set.iter().next().unwrap();
    assert!(matches!(
        model.journey_credit(converting, channels, None),
        Err(ModelError::NoJourneyCredit { .. })
    ));
    let other = set.iter().nth(1).unwrap();
    assert_eq!(model.journey_credit(other, channels, None), Ok(None));
}
