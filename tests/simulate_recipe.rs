//! The per-journey simulator with the recipe law: an independent re-draw of
//! the whole ChaCha8 stream (effects, then paths, then outcomes), the effects
//! draw order with pair terms, determinism, and the CSV round trip.
#![cfg(feature = "simulate")]

use attribution::io::{ReaderBuilder, Shape};
use attribution::simulate::{SimulationConfig, TouchLaw, simulate};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Geometric, LogNormal, Normal};

fn config(journeys: u64, channels: usize, seed: u64) -> SimulationConfig {
    SimulationConfig {
        journeys,
        channels,
        seed,
        ..SimulationConfig::default()
    }
}

fn csv(config: &SimulationConfig) -> String {
    let simulated = simulate(config, &TouchLaw::recipe(config.channels).unwrap()).unwrap();
    let mut out = Vec::new();
    simulated.write_paths_csv(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Rows as (path names, conversions, nulls, value).
type Rows = Vec<(Vec<String>, u64, u64, f64)>;

/// §5 steps (1)–(6) written out independently with the same stream.
fn oracle(journeys: u64, channels: usize, seed: u64) -> (Vec<f64>, Rows) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0, 0.35).unwrap();
    let beta: Vec<f64> = (0..channels).map(|_| normal.sample(&mut rng)).collect();
    let weights: Vec<f64> = (1..=channels).map(|r| 1.0 / (r as f64).powf(0.9)).collect();
    let popularity = WeightedIndex::new(&weights).unwrap();
    let geometric = Geometric::new(0.3).unwrap();
    let mut paths: Vec<(Vec<usize>, u64)> = Vec::new();
    for _ in 0..journeys {
        let len = (geometric.sample(&mut rng) as usize + 1).min(20);
        let mut path: Vec<usize> = Vec::new();
        for i in 0..len {
            let c = if i > 0 && rng.random_bool(0.25) {
                *path.last().unwrap()
            } else {
                popularity.sample(&mut rng)
            };
            path.push(c);
        }
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, n)) => *n += 1,
            None => paths.push((path, 1)),
        }
    }
    let value = LogNormal::new(3.0, 0.6).unwrap();
    let rows = paths
        .into_iter()
        .map(|(path, n)| {
            let mut z = -2.2 + 0.15 * ((path.len() - 1).min(6) as f64);
            let mut seen = Vec::new();
            for &c in &path {
                if !seen.contains(&c) {
                    seen.push(c);
                    z += beta[c];
                }
            }
            let p = 1.0 / (1.0 + (-z).exp());
            let conversions = Binomial::new(n, p).unwrap().sample(&mut rng);
            let v = (0..conversions).fold(0.0f64, |acc, _| acc + value.sample(&mut rng));
            let names = path.iter().map(|c| format!("ch{c:02}")).collect();
            (
                names,
                conversions,
                n - conversions,
                (v * 1000.0).round() / 1000.0,
            )
        })
        .collect();
    (beta, rows)
}

#[test]
fn the_whole_stream_matches_an_independent_redraw() {
    for (journeys, channels, seed) in [(3_000, 12, 42), (500, 3, 7), (1, 1, 0)] {
        let simulated = simulate(
            &config(journeys, channels, seed),
            &TouchLaw::recipe(channels).unwrap(),
        )
        .unwrap();
        let (beta, rows) = oracle(journeys, channels, seed);
        let drawn: Vec<f64> = simulated.effects.channels().iter().map(|c| c.1).collect();
        assert_eq!(drawn, beta);
        assert!(simulated.effects.pairs().is_empty());
        assert_eq!(simulated.effects.intercept(), -2.2);
        assert_eq!(simulated.effects.length(), 0.15);
        assert_eq!(simulated.effects.length_cap(), 6);
        assert_eq!(simulated.effects.half_life(), None);
        let got: Rows = simulated
            .rows
            .iter()
            .map(|r| {
                let names = r
                    .path
                    .iter()
                    .map(|&c| simulated.channels.name(c).unwrap().to_owned())
                    .collect();
                (names, r.conversions, r.nulls, r.value)
            })
            .collect();
        assert_eq!(
            got, rows,
            "journeys {journeys}, channels {channels}, seed {seed}"
        );
        assert_eq!(simulated.total_journeys(), journeys);
    }
}

#[test]
fn effects_are_drawn_beta_then_gamma_in_pair_order() {
    let config = SimulationConfig {
        journeys: 10,
        channels: 4,
        seed: 9,
        effect_sd: 0.5,
        synergy_sd: 0.2,
        half_life: Some(3.0),
        length_effect: -0.1,
        length_cap: 2,
    };
    let simulated = simulate(&config, &TouchLaw::recipe(4).unwrap()).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let beta = Normal::new(0.0, 0.5).unwrap();
    let gamma = Normal::new(0.0, 0.2).unwrap();
    let names = ["ch00", "ch01", "ch02", "ch03"];
    let expected_beta: Vec<(String, f64)> = names
        .iter()
        .map(|n| ((*n).to_owned(), beta.sample(&mut rng)))
        .collect();
    let mut expected_pairs = Vec::new();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            expected_pairs.push(((*a).to_owned(), (*b).to_owned(), gamma.sample(&mut rng)));
        }
    }
    assert_eq!(simulated.effects.channels(), expected_beta.as_slice());
    assert_eq!(simulated.effects.pairs(), expected_pairs.as_slice());
    assert_eq!(expected_pairs.len(), 6);
    assert_eq!(simulated.effects.half_life(), Some(3.0));
    assert_eq!(simulated.effects.length(), -0.1);
    assert_eq!(simulated.effects.length_cap(), 2);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = csv(&config(20_000, 12, 7));
    let b = csv(&config(20_000, 12, 7));
    let c = csv(&config(20_000, 12, 8));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.starts_with("path,total_conversions,total_null,total_conversion_value\n"));
}

#[test]
fn rows_are_distinct_well_formed_and_read_back_as_the_journeys() {
    let simulated = simulate(&config(20_000, 12, 3), &TouchLaw::recipe(12).unwrap()).unwrap();
    let mut out = Vec::new();
    simulated.write_paths_csv(&mut out).unwrap();
    let (set, report) = ReaderBuilder::new(Shape::Paths)
        .from_reader(out.as_slice())
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(report.rejected(), 0);
    assert_eq!(set.len(), simulated.rows.len());
    let mut distinct = std::collections::HashSet::new();
    for (read, journey) in set.iter().zip(simulated.journeys()) {
        let journey = journey.unwrap();
        let a: Vec<&str> = read
            .channels()
            .map(|c| set.channels().name(c).unwrap())
            .collect();
        let b: Vec<&str> = journey
            .channels()
            .map(|c| simulated.channels.name(c).unwrap())
            .collect();
        assert_eq!(a, b);
        assert!((1..=20).contains(&a.len()));
        assert!(distinct.insert(a.join(">")), "duplicate path {a:?}");
        assert_eq!(read.conversions(), journey.conversions());
        assert_eq!(read.non_conversions(), journey.non_conversions());
        assert_eq!(read.value().to_bits(), journey.value().to_bits());
        assert!(journey.conversions() + journey.non_conversions() >= 1);
        assert_eq!(journey.value() == 0.0, journey.conversions() == 0);
    }
    assert_eq!(
        set.total_conversions() + set.total_non_conversions(),
        20_000
    );
}

#[test]
fn invalid_settings_are_rejected() {
    let law = TouchLaw::recipe(12).unwrap();
    let cases: Vec<(SimulationConfig, &str)> = vec![
        (config(0, 12, 1), "journeys"),
        (
            (SimulationConfig {
                effect_sd: -0.1,
                ..config(5, 12, 1)
            }),
            "effect_sd",
        ),
        (
            (SimulationConfig {
                synergy_sd: f64::NAN,
                ..config(5, 12, 1)
            }),
            "synergy_sd",
        ),
        (
            (SimulationConfig {
                half_life: Some(0.0),
                ..config(5, 12, 1)
            }),
            "half_life",
        ),
        (
            (SimulationConfig {
                length_effect: f64::INFINITY,
                ..config(5, 12, 1)
            }),
            "length_effect",
        ),
        (config(5, 11, 1), "channels"),
    ];
    for (config, field) in cases {
        let err = simulate(&config, &law).unwrap_err();
        assert!(
            matches!(err, attribution::error::SimulateError::InvalidConfig { field: f, .. } if f == field),
            "{field}: {err}"
        );
    }
    assert!(TouchLaw::recipe(0).is_err());
}

/// The property: a simulation whose effects and length term are all
/// 0 gives every channel exactly 0 true credit (every coalition has the
/// baseline probability), and its baseline is all the expected conversions.
#[test]
fn zero_effects_and_no_length_term_give_zero_true_credit() {
    for half_life in [None, Some(1.5)] {
        let config = SimulationConfig {
            effect_sd: 0.0,
            length_effect: 0.0,
            half_life,
            ..config(20_000, 8, 9)
        };
        let simulated = simulate(&config, &TouchLaw::recipe(8).unwrap()).unwrap();
        let mut paths = attribution::truth::TruthPaths::new();
        for journey in simulated.journeys() {
            paths
                .observe(&journey.unwrap(), &simulated.channels)
                .unwrap();
        }
        let truth =
            attribution::truth::true_credit(&simulated.effects, &paths, &simulated.channels)
                .unwrap();
        assert_eq!(truth.channels().len(), 8);
        for (channel, credit) in truth.channels() {
            assert_eq!(*credit, 0.0, "{channel}");
        }
        let sigma = 1.0 / (1.0 + 2.2f64.exp());
        let baseline = truth.baseline().unwrap();
        assert!(
            (baseline - 20_000.0 * sigma).abs() <= 1e-9 * baseline,
            "{baseline}"
        );
    }
}
