//! Issue 10, item 4: `Model::fit` (HeuristicFit, MarkovFit with absorption
//! probabilities) and `Model::journey_credit` for every model.

use attribution::model::Registry;
use attribution::model::markov::{Markov, MarkovFit};
use attribution::{Fitted, JourneySet, Merge, Model, ModelError};

mod contract_common;
use contract_common::tiny;

fn counts(model: &Markov, set: &JourneySet) -> <Markov as Model>::State {
    let mut state = model.new_state();
    state.extend_channels(set.channels()).unwrap();
    for journey in set {
        model.observe(&mut state, journey, set.channels()).unwrap();
    }
    state
}

#[test]
fn markov_fit_exposes_absorption_probabilities() {
    let set = tiny();
    for order in 1..=3 {
        for model in [
            Markov::new(order).unwrap(),
            Markov::new(order).unwrap().max_steps(Some(3)).unwrap(),
        ] {
            let state = counts(&model, &set);
            let fit = model.fit(&state).unwrap();
            // h(start) = P(conversion) = conversions / journeys = 4 / 8.
            let h_start = fit.conversion_probability(&[]).unwrap();
            assert!((h_start - 0.5).abs() < 1e-12, "order {order}: {h_start}");
            assert_eq!(fit.absorption().len(), fit.chain().n_states());
            assert!(fit.absorption().iter().all(|h| (0.0..=1.0).contains(h)));
            // The fit's attribution is finish's.
            assert_eq!(fit.attribution(), &model.finish(&state).unwrap());
            assert_eq!(
                fit.clone().into_attribution(),
                model.finish(&state).unwrap()
            );
            // A state that always converts next: `LinkedIn` alone (J3) at order 3
            // is its own state, converting once out of once.
            if order == 3 {
                assert_eq!(fit.conversion_probability(&["LinkedIn"]), Some(1.0));
                assert_eq!(
                    fit.conversion_probability(&["PPC", "LandingPage"]),
                    Some(0.0)
                );
            }
            assert_eq!(fit.conversion_probability(&["TV"]), None);
        }
    }
    // Order 1 by hand: h(LinkedIn) = (3 + h(PPC)) / 5,
    // h(PPC) = (1 + 3 · h(LandingPage)) / 5, h(LandingPage) = 2/3 · h(Email),
    // h(Email) = 3/4 · h(LinkedIn): h(LinkedIn) = 32/47.
    let model = Markov::new(1).unwrap();
    let fit = model.fit(&counts(&model, &set)).unwrap();
    let h = |name: &str| fit.conversion_probability(&[name]).unwrap();
    assert!((h("LinkedIn") - 32.0 / 47.0).abs() < 1e-14);
    assert!((h("Email") - 24.0 / 47.0).abs() < 1e-14);
    assert!((h("LandingPage") - 16.0 / 47.0).abs() < 1e-14);
    assert!((h("PPC") - (1.0 + 48.0 / 47.0) / 5.0).abs() < 1e-14);
    let removal = fit.removal_effects();
    assert!((removal.removal_effects[0] - 0.475).abs() < 1e-12);
    assert!((removal.conversion_probability - 0.5).abs() < 1e-12);
}

#[test]
fn journey_credit_sums_to_the_attribution_for_every_heuristic() {
    let set = tiny();
    let registry = Registry::builtin();
    for factory in registry.factories() {
        let model = factory.build(&factory.name().parse().unwrap()).unwrap();
        let context = model.spec().to_string();
        let mut state = model.new_state();
        state.extend_channels(set.channels()).unwrap();
        for journey in &set {
            model
                .observe(state.as_mut(), journey, set.channels())
                .unwrap();
        }
        let fitted = model.fit(state.as_ref()).unwrap();
        let attribution = fitted.attribution().clone();
        let mut sums = vec![(0.0, 0.0); set.channels().len()];
        let mut refused = false;
        for journey in &set {
            let credit = match model.journey_credit(journey, set.channels(), Some(fitted.as_ref()))
            {
                // Set-level games (shapley-rate, shapley-exact-set) and the
                // global chain game (markov-shapley) refuse.
                Err(ModelError::NoJourneyCredit { .. }) => {
                    assert!(
                        model.name().starts_with("shapley-") || model.name() == "markov-shapley",
                        "{context}"
                    );
                    refused = true;
                    break;
                }
                other => other.unwrap(),
            };
            let Some(credit) = credit else {
                assert_eq!(journey.conversions(), 0, "{context}");
                continue;
            };
            assert_eq!(credit.journey, 0);
            // With dda's baseline share, the shares sum to 1 too.
            let total: f64 = credit.shares.iter().map(|&(_, s)| s).sum::<f64>() + credit.baseline;
            // Overlapping credit (participation): share 1 per distinct channel.
            let whole = if attribution.is_partition() {
                1.0
            } else {
                credit.shares.len() as f64
            };
            assert!((total - whole).abs() < 1e-12, "{context}: {credit:?}");
            for (channel, share) in credit.shares {
                let sum = &mut sums[channel.index()];
                sum.0 += share * journey.conversions() as f64;
                sum.1 += share * journey.value();
            }
        }
        if refused {
            continue;
        }
        if model.name() == "shao-li" {
            // The global variant weights each journey's contributions by one
            // global factor, its shares normalise them per journey: the sums
            // differ but cover every conversion.
            let total: f64 = sums.iter().map(|s| s.0).sum();
            assert!((total - 4.0).abs() < 1e-12, "{context}");
            let first = &set.journeys()[0];
            assert_eq!(model.journey_credit(first, set.channels(), None), Ok(None));
            continue;
        }
        if model.name() == "markov" {
            // Markov shares journeys by removal effect: the sums differ from
            // its global normalisation but cover every conversion.
            let total: f64 = sums.iter().map(|s| s.0).sum();
            assert!((total - 4.0).abs() < 1e-12, "{context}");
            // Without a fit there is no per-journey credit.
            let first = &set.journeys()[0];
            assert_eq!(model.journey_credit(first, set.channels(), None), Ok(None));
            let fit = fitted.as_any().downcast_ref::<MarkovFit>().unwrap();
            assert_eq!(fit.chain().order(), 1);
            continue;
        }
        for credit in attribution.channels() {
            let (c, v) = sums[credit.channel.index()];
            assert!(
                (c - credit.conversions).abs() < 1e-12,
                "{context}: {credit:?}"
            );
            assert!((v - credit.value).abs() < 1e-9, "{context}: {credit:?}");
        }
    }
}

#[test]
fn markov_journey_credit_follows_removal_effects() {
    let set = tiny();
    let model = Markov::new(1).unwrap();
    let fit = model.fit(&counts(&model, &set)).unwrap();
    // J1: PPC > LandingPage > Email > LinkedIn, RE 0.475, 0.24, 0.48, 0.8.
    let credit = model
        .journey_credit(&set.journeys()[0], set.channels(), Some(&fit))
        .unwrap()
        .unwrap();
    let total = 0.475 + 0.24 + 0.48 + 0.8;
    let want = [0.475 / total, 0.24 / total, 0.48 / total, 0.8 / total];
    for ((_, got), want) in credit.shares.iter().zip(want) {
        assert!((got - want).abs() < 1e-12, "{credit:?}");
    }
    // A non-converting journey gets none.
    assert_eq!(
        model.journey_credit(&set.journeys()[1], set.channels(), Some(&fit)),
        Ok(None)
    );
}

#[test]
fn markov_fills_the_attribution_extras() {
    let set = tiny();
    let model = Markov::new(2).unwrap();
    let state = counts(&model, &set);
    let fit = model.fit(&state).unwrap();
    let result = fit.attribution();
    for credit in result.channels() {
        let re = credit.removal_effect.unwrap();
        let bound = credit.removal_effect_error.unwrap();
        assert!((0.0..=1e-10 * re + 1e-12).contains(&bound), "{credit:?}");
        assert_eq!((credit.interval, credit.positions.as_ref()), (None, None));
    }
    let diagnostics = result.diagnostics().unwrap();
    assert_eq!(diagnostics.states, fit.chain().n_states());
    assert_eq!(diagnostics.transitions, fit.chain().n_transitions());
    assert_eq!(diagnostics.solver, "auto");
    assert!(diagnostics.error_bound <= 1e-10);
    let capped = Markov::new(2).unwrap().max_steps(Some(4)).unwrap();
    let capped_result = capped.finish(&counts(&capped, &set)).unwrap();
    assert_eq!(capped_result.diagnostics().unwrap().solver, "capped");
    // Extras round-trip through serde and are absent where not filled.
    let json = serde_json::to_string(result).unwrap();
    assert!(json.contains("\"removal_effect_error\""), "{json}");
    assert!(json.contains("\"diagnostics\""), "{json}");
    assert!(!json.contains("\"interval\""), "{json}");
    let back: attribution::Attribution = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, result);
    let linear = Registry::builtin().parse("linear").unwrap();
    let plain = linear.attribute(&set).unwrap();
    assert_eq!(plain.diagnostics(), None);
    let json = serde_json::to_string(&plain).unwrap();
    assert!(
        !json.contains("diagnostics") && !json.contains("removal_effect"),
        "{json}"
    );
    // Extras set by a model through the builders.
    let credit = attribution::ChannelCredit::new(
        attribution::ChannelId::from_index(0).unwrap(),
        "A",
        1.0,
        2.0,
    )
    .with_interval(attribution::CreditInterval::new(
        0.95,
        (0.5, 1.5),
        (1.0, 3.0),
        (0.2, 0.6),
    ))
    .with_positions(vec![0.25, 0.75]);
    let json = serde_json::to_string(&credit).unwrap();
    assert_eq!(
        json,
        r#"{"channel":0,"name":"A","conversions":1.0,"value":2.0,"interval":{"level":0.95,"conversions_lo":0.5,"conversions_hi":1.5,"value_lo":1.0,"value_hi":3.0,"share_lo":0.2,"share_hi":0.6},"positions":[0.25,0.75]}"#
    );
}
