//! Many channels: each channel's removal is solved on the states that can
//! reach it, so channels reached from few states cost little whatever
//! their number; many channels in one large strongly connected chain are
//! refused beyond the work limit with a typed error.

use attribution::model::markov::{Markov, Solver};
use attribution::{ChannelId, Channels, Journey, JourneySet, Model, ModelError};

fn set(rows: &[(Vec<String>, u64, u64, f64)]) -> JourneySet {
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

#[test]
fn thousands_of_channels_seen_once_get_exactly_their_own_conversions() {
    // Journey i is the single channel c_i with i mod 3 conversions and
    // 1 + i mod 2 non-conversions: every conversion passes through exactly
    // one channel, so RE_i = conv_i / Σ conv and channel i is credited with
    // exactly its own conversions and value.
    let n = 3_000;
    let rows: Vec<(Vec<String>, u64, u64, f64)> = (0..n)
        .map(|i| {
            let conv = (i % 3) as u64;
            (
                vec![format!("c{i}")],
                conv,
                1 + (i % 2) as u64,
                2.0 * conv as f64,
            )
        })
        .collect();
    let journeys = set(&rows);
    let total: u64 = rows.iter().map(|r| r.1).sum();
    for model in [
        Markov::new(1).unwrap(),
        Markov::new(1).unwrap().solver(Solver::Iterative),
        Markov::new(2).unwrap(),
        Markov::new(1).unwrap().max_steps(Some(3)).unwrap(),
    ] {
        let result = model.attribute(&journeys).unwrap();
        for (i, (path, conv, _, value)) in rows.iter().enumerate() {
            let credit = result.get(&path[0]).unwrap();
            let re = credit.removal_effect.unwrap();
            let expected = *conv as f64 / total as f64;
            assert!((re - expected).abs() <= 1e-12, "{model:?} c{i}: {re}");
            assert!(
                (credit.conversions - *conv as f64).abs() <= 1e-9,
                "{model:?} c{i}"
            );
            assert!((credit.value - value).abs() <= 1e-9, "{model:?} c{i}");
        }
    }
}

/// A hub `h` and `n` rare channels: journeys `h > r_i > h` (one conversion,
/// one non-conversion each). One strongly connected chain of n + 1 states
/// and 2n transitions, in which every channel is reached from every state.
fn hub(n: usize) -> JourneySet {
    let rows: Vec<(Vec<String>, u64, u64, f64)> = (0..n)
        .map(|i| {
            (
                vec!["h".to_owned(), format!("r{i}"), "h".to_owned()],
                1,
                1,
                1.0,
            )
        })
        .collect();
    set(&rows)
}

#[test]
fn channels_of_one_large_cycle_agree_with_the_per_channel_solver() {
    let journeys = hub(100);
    let blocked = Markov::new(1).unwrap().attribute(&journeys).unwrap();
    let dense = Markov::new(1)
        .unwrap()
        .solver(Solver::Dense)
        .attribute(&journeys)
        .unwrap();
    for (a, b) in blocked.channels().iter().zip(dense.channels()) {
        let (x, y) = (a.removal_effect.unwrap(), b.removal_effect.unwrap());
        assert!((x - y).abs() <= 1e-12, "{}: {x} vs {y}", a.name);
    }
    // Every walk to conversion passes the hub: RE_h = 1.
    assert!((blocked.get("h").unwrap().removal_effect.unwrap() - 1.0).abs() < 1e-12);
}

#[test]
fn the_work_limit_refuses_many_channels_in_one_large_cycle() {
    // 101 channels in blocks of at most 8: 14 blocks (an even number), each
    // sweeping the whole cycle of 101 states and 200 transitions: 14 × 301.
    let journeys = hub(100);
    let at = |limit| {
        Markov::new(1)
            .unwrap()
            .work_limit(limit)
            .attribute(&journeys)
    };
    assert_eq!(
        at(4213),
        Err(ModelError::TooComplex {
            channels: 101,
            work: 4214,
            limit: 4213
        })
    );
    assert!(at(4214).is_ok());
    // Step-capped: each channel iterates over the cycle, 101 × 301 / 8.
    let capped = |limit| {
        Markov::new(1)
            .unwrap()
            .max_steps(Some(50))
            .unwrap()
            .work_limit(limit)
            .attribute(&journeys)
    };
    assert_eq!(
        capped(3799),
        Err(ModelError::TooComplex {
            channels: 101,
            work: 3800,
            limit: 3799
        })
    );
    assert!(capped(3800).is_ok());
    assert_eq!(
        at(4213).unwrap_err().to_string(),
        "the exact removal effects of 101 channels need at least 4214 state updates per sweep, \
         above the limit of 4213: merge rare channels into groups, lower the order, or raise \
         the limit (Markov::work_limit)"
    );
}
