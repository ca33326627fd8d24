//! `dda` on the tiny fixture: the ten variants of
//! `tests/data/tiny/expected_counterfactual.csv`, the coefficients of
//! `expected_dda_coefficients.csv` and the per-set shares of
//! `expected_dda_per_set.csv`, to 1e-9, from every input shape; the worked
//! numbers of the spec (§5.9).

use attribution::io::Shape;
use attribution::model::dda::{Dda, DdaFit};
use attribution::model::{ModelSpec, Registry};
use attribution::{Channels, Journey, JourneySet, Model, ModelError};

mod tiny_shapes;
use tiny_shapes::{TINY, read, shapes};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn rows(file: &str) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(format!("{TINY}/{file}")).unwrap();
    reader.records().map(Result::unwrap).collect()
}

fn model(spec: &str) -> Dda {
    Dda::from_spec(&spec.parse::<ModelSpec>().unwrap()).unwrap()
}

fn fit(spec: &str, set: &JourneySet) -> DdaFit {
    let model = model(spec);
    let mut state = model.new_state();
    for journey in set {
        model.observe(&mut state, journey, set.channels()).unwrap();
    }
    model.fit(&state).unwrap()
}

/// The distinct variants of a fixture, in file order.
fn variants(rows: &[csv::StringRecord]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| &r[0] == "dda") {
        if !out.iter().any(|s| s == &row[1]) {
            out.push(row[1].to_owned());
        }
    }
    out
}

#[test]
fn the_ten_variants_of_expected_counterfactual_csv_from_every_shape() {
    let rows = rows("expected_counterfactual.csv");
    let variants = variants(&rows);
    assert_eq!(variants.len(), 10);
    for (shape, set) in shapes() {
        for spec in &variants {
            let fit = fit(spec, &set);
            let result = attribution::Fitted::attribution(&fit);
            let expected: Vec<&csv::StringRecord> = rows
                .iter()
                .filter(|r| &r[0] == "dda" && &r[1] == spec)
                .collect();
            assert_eq!(expected.len(), 5, "{spec}");
            let mut checked = 0;
            for row in expected {
                let conversions: f64 = row[4].parse().unwrap();
                let value: Option<f64> = (!row[5].is_empty()).then(|| row[5].parse().unwrap());
                let (got_c, got_v) = if &row[3] == "(baseline)" {
                    let b = result.baseline().unwrap();
                    (b.conversions, b.value)
                } else {
                    let c = result.get(&row[3]).unwrap();
                    (c.conversions, c.value)
                };
                assert!(
                    close(got_c, conversions),
                    "{shape} {spec} {}: {got_c} vs {conversions}",
                    &row[3]
                );
                match value {
                    Some(v) => {
                        assert!(result.has_value());
                        assert!(
                            close(got_v, v),
                            "{shape} {spec} {}: {got_v} vs {v}",
                            &row[3]
                        );
                    }
                    None => assert!(!result.has_value(), "{spec}"),
                }
                checked += 1;
            }
            assert_eq!(checked, 5);
            // Channels plus baseline: the totals.
            let b = result.baseline().unwrap();
            let total_c: f64 =
                result.channels().iter().map(|c| c.conversions).sum::<f64>() + b.conversions;
            assert!(close(total_c, 4.0), "{spec}: {total_c}");
            if result.has_value() {
                let total_v: f64 = result.channels().iter().map(|c| c.value).sum::<f64>() + b.value;
                assert!(close(total_v, 360.0), "{spec}: {total_v}");
            }
        }
    }
}

#[test]
fn the_coefficients_of_expected_dda_coefficients_csv() {
    let rows = rows("expected_dda_coefficients.csv");
    let set = read(Shape::Paths, "paths.csv");
    let variants = variants(&rows);
    assert_eq!(
        variants,
        ["dda", "dda:value=logit-pairwise", "dda:lambda=0.25"]
    );
    for spec in variants {
        let fit = fit(&spec, &set);
        let expected: Vec<&csv::StringRecord> = rows.iter().filter(|r| r[1] == *spec).collect();
        let got = fit.coefficients();
        assert_eq!(got.len(), expected.len(), "{spec}");
        for (g, row) in got.iter().zip(expected) {
            assert_eq!(g.term, &row[2], "{spec}");
            let (coefficient, odds): (f64, f64) =
                (row[3].parse().unwrap(), row[4].parse().unwrap());
            assert!(
                close(g.coefficient, coefficient),
                "{spec} {}: {} vs {coefficient}",
                g.term,
                g.coefficient
            );
            assert!(close(g.odds_ratio, odds), "{spec} {}", g.term);
        }
        let d = fit.fit_diagnostics();
        assert!(d.iterations >= 1 && d.iterations <= 20, "{d:?}");
        assert!(d.max_gradient <= 1e-12, "{d:?}");
        assert!(d.intercept_residual.abs() <= 1e-12, "{d:?}");
        assert!(d.log_likelihood < 0.0 && d.log_likelihood.is_finite());
    }
}

#[test]
fn the_per_set_shares_of_expected_dda_per_set_csv_through_journey_credit() {
    let rows = rows("expected_dda_per_set.csv");
    let set = read(Shape::Paths, "paths.csv");
    let variants = variants(&rows);
    assert_eq!(variants.len(), 4);
    for spec in &variants {
        let model = model(spec);
        let fit = fit(spec, &set);
        let mut sets: Vec<&str> = Vec::new();
        for row in rows.iter().filter(|r| &r[1] == spec) {
            if !sets.contains(&&row[2]) {
                sets.push(&row[2]);
            }
        }
        assert_eq!(sets.len(), 4, "{spec}");
        for set_name in sets {
            let mut channels = Channels::new();
            let ids: Vec<_> = set_name
                .split(" + ")
                .map(|n| channels.intern(n).unwrap())
                .collect();
            let journey = Journey::from_channels(&ids, 1, 0, 1.0).unwrap();
            let credit = model
                .journey_credit(&journey, &channels, Some(&fit))
                .unwrap()
                .unwrap();
            let fit_ids: Vec<_> = set_name
                .split(" + ")
                .map(|n| fit.channels().get(n).unwrap())
                .collect();
            let mut total = credit.baseline;
            for row in rows.iter().filter(|r| &r[1] == spec && &r[2] == set_name) {
                let share: f64 = row[4].parse().unwrap();
                let (v_set, v_empty): (f64, f64) =
                    (row[5].parse().unwrap(), row[6].parse().unwrap());
                assert!(
                    close(fit.conversion_probability(&fit_ids), v_set),
                    "{spec} {set_name}"
                );
                let model_empty = if spec.contains("baseline=zero") {
                    0.0
                } else {
                    fit.empty_probability()
                };
                assert!(close(model_empty, v_empty), "{spec}");
                let got = if &row[3] == "(baseline)" {
                    credit.baseline
                } else {
                    let id = channels.get(&row[3]).unwrap();
                    credit.shares.iter().find(|(c, _)| *c == id).unwrap().1
                };
                assert!(
                    close(got, share),
                    "{spec} {set_name} {}: {got} vs {share}",
                    &row[3]
                );
            }
            total += credit.shares.iter().map(|s| s.1).sum::<f64>();
            assert!((total - 1.0).abs() <= 1e-12, "{spec} {set_name}: {total}");
        }
    }
}

#[test]
fn the_worked_numbers_of_the_spec() {
    let set = read(Shape::Paths, "paths.csv");
    let fit = fit("dda", &set);
    assert!(close(fit.empty_probability(), 0.39226840365207133));
    let ids = |names: &[&str]| -> Vec<_> {
        names
            .iter()
            .map(|n| fit.channels().get(n).unwrap())
            .collect()
    };
    let j1 = ids(&["PPC", "LandingPage", "Email", "LinkedIn"]);
    assert!(close(fit.conversion_probability(&j1), 0.5419245250743369));
    // Σ N(S)·v(S) = ΣR = 4 over the seven observed sets.
    let observed: [(&[&str], f64); 7] = [
        (&["PPC", "LandingPage", "Email", "LinkedIn"], 1.0),
        (&["PPC", "LandingPage"], 1.0),
        (&["LinkedIn"], 1.0),
        (&["Email", "LinkedIn"], 2.0),
        (&["PPC", "LandingPage", "Email"], 1.0),
        (&["LinkedIn", "PPC"], 1.0),
        (&["PPC"], 1.0),
    ];
    let fitted: f64 = observed
        .iter()
        .map(|(s, n)| n * fit.conversion_probability(&ids(s)))
        .sum();
    assert!((fitted - 4.0).abs() <= 1e-12, "{fitted}");
    let smoothed = self::fit("dda:value=smoothed-set", &set);
    let v = smoothed.conversion_probability(&ids(&["Email", "LinkedIn"]));
    let p0 = fit.conversion_probability(&ids(&["Email", "LinkedIn"]));
    assert!(close(v, (1.0 + 10.0 * p0) / 12.0));
    assert!((v - 0.59656).abs() < 5e-6, "{v}");
    let expected = self::fit("dda:credit=expected", &set);
    let b = attribution::Fitted::attribution(&expected)
        .baseline()
        .unwrap()
        .conversions;
    assert!(close(b, 8.0 * fit.empty_probability()));
    assert!(close(b, 3.1381472292165706));
}

#[test]
fn the_registry_builds_dda_and_its_canonical_spec_round_trips() {
    let registry = Registry::builtin();
    let model = registry
        .parse("dda:value=smoothed-set,prior-weight=0")
        .unwrap();
    assert_eq!(
        model.spec().to_string(),
        "dda:value=smoothed-set,baseline=model,credit=realised,lambda=1,prior_weight=0,max_channels=16"
    );
    assert_eq!(
        registry.parse(&model.spec().to_string()).unwrap().spec(),
        model.spec()
    );
    for (spec, message) in [
        (
            "dda:value=probit",
            "invalid parameter `value` = probit: expected logit, logit-pairwise or smoothed-set",
        ),
        (
            "dda:lambda=0",
            "invalid parameter `lambda` = 0: the penalty must be a finite number > 0",
        ),
        (
            "dda:lambda=inf",
            "invalid parameter `lambda` = inf: the penalty must be a finite number > 0",
        ),
        ("dda:lambda=-1", "invalid parameter `lambda` = -1"),
        (
            "dda:prior-weight=-1,value=smoothed-set",
            "invalid parameter `prior_weight` = -1",
        ),
        (
            "dda:prior-weight=3",
            "prior_weight applies only with value=smoothed-set",
        ),
        (
            "dda:value=smoothed-set,credit=expected",
            "credit=expected needs value=logit or logit-pairwise",
        ),
        (
            "dda:max-channels=25",
            "max_channels must be an integer from 1 to 24",
        ),
        (
            "dda:max-channels=0",
            "max_channels must be an integer from 1 to 24",
        ),
        ("dda:baseline=none", "expected model or zero"),
        ("dda:credit=all", "expected realised or expected"),
        ("dda:order=2", "model `dda` has no parameter `order`"),
    ] {
        let err = registry.parse(spec).err().unwrap().to_string();
        assert!(err.contains(message), "{spec}: {err}");
    }
}

fn journeys(rows: &[(&[&str], u64, u64, f64)]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for (path, c, n, v) in rows {
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
fn errors_name_their_cause() {
    let one_class = journeys(&[(&["A"], 2, 0, 1.0), (&["B"], 1, 0, 1.0)]);
    let err = model("dda").attribute(&one_class).unwrap_err();
    assert!(matches!(err, ModelError::OneOutcomeClass { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("needs at least one converting and one non-converting journey"),
        "{err}"
    );
    assert!(
        err.to_string().contains("3 conversions among 3 journeys"),
        "{err}"
    );
    let none = journeys(&[(&["A"], 0, 2, 0.0)]);
    assert!(matches!(
        model("dda").attribute(&none),
        Err(ModelError::OneOutcomeClass { .. })
    ));
    let empty = JourneySet::new(Channels::new());
    let err = model("dda").attribute(&empty).unwrap_err();
    assert!(
        err.to_string().contains("0 conversions among 0 journeys"),
        "{err}"
    );
    // A converting set of 12 channels above max_channels = 11.
    let names: Vec<String> = (0..12).map(|i| format!("C{i}")).collect();
    let long: Vec<&str> = names.iter().map(String::as_str).collect();
    let set = journeys(&[(&long, 1, 1, 5.0), (&["C0"], 0, 1, 0.0)]);
    let err = model("dda:max_channels=11").attribute(&set).unwrap_err();
    assert!(
        matches!(err, ModelError::SetTooLarge { k: 12, max: 11, .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("{C0 + C1 + C2 + C3 + C4 + C5 + C6 + C7 + C8 + C9 + …} has 12 channels"),
        "{text}"
    );
    assert!(
        text.contains(
            "raise max-channels (at most 24), group channels, or use markov-shapley or shapley"
        ),
        "{text}"
    );
    // Non-converting large sets are not credited (realised), but are for expected.
    let set = journeys(&[(&long, 0, 1, 0.0), (&["C0"], 1, 1, 5.0)]);
    assert!(model("dda:max_channels=11").attribute(&set).is_ok());
    assert!(matches!(
        model("dda:max_channels=11,credit=expected").attribute(&set),
        Err(ModelError::SetTooLarge { .. })
    ));
}
