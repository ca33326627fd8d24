//! Issue 10 acceptance: serialised states. Another magic, another version,
//! truncated or corrupt bytes and JSON are typed errors, never panics; a
//! damaged state that still reads can be merged and finished.

use attribution::ModelError;
use attribution::model::{DynModel, DynState, Registry, STATE_MAGIC, StateError};
use proptest::prelude::*;

mod contract_common;
use contract_common::tiny;

/// Every model with a state of the tiny fixture; one Markov state weighted.
fn states() -> Vec<(Box<dyn DynModel>, Box<dyn DynState>)> {
    let registry = Registry::builtin();
    let set = tiny();
    let mut specs: Vec<String> = registry
        .names()
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    specs.push("markov:order=3,self_loops=true".to_owned());
    specs.push("shapley-ordered:max_position=2".to_owned());
    specs.push("shao-li:normalise=journey".to_owned());
    let mut out: Vec<_> = specs
        .iter()
        .map(|s| {
            let model = registry.parse(s).unwrap();
            let mut state = model.new_state();
            for j in &set {
                model.observe(state.as_mut(), j, set.channels()).unwrap();
            }
            (model, state)
        })
        .collect();
    let model = registry.parse("markov:order=2").unwrap();
    let mut state = model.new_state();
    for j in &set {
        model
            .observe_weighted(state.as_mut(), j, set.channels(), 0.7)
            .unwrap();
    }
    out.push((model, state));
    out
}

/// Reading `data` must not panic; when it reads, merging and finishing
/// must not panic either.
fn read_does_not_panic(registry: &Registry, data: &[u8]) -> bool {
    match registry.read_state(data) {
        Err(_) => false,
        Ok((model, state)) => {
            let mut copy = state.clone();
            let _ = model.merge(copy.as_mut(), state.as_ref());
            let _ = model.finish(copy.as_ref());
            true
        }
    }
}

#[test]
fn valid_states_read_back_and_every_truncation_fails() {
    let registry = Registry::builtin();
    for (model, state) in states() {
        let context = model.spec().to_string();
        let bytes = model.state_to_bytes(state.as_ref()).unwrap();
        let json = model.state_to_json(state.as_ref()).unwrap();
        for data in [&bytes[..], json.as_bytes()] {
            let (read_model, read_state) = registry.read_state(data).unwrap();
            assert_eq!(read_model.spec(), model.spec(), "{context}");
            assert_eq!(
                read_model.finish(read_state.as_ref()).unwrap(),
                model.finish(state.as_ref()).unwrap(),
                "{context}"
            );
            for len in 0..data.len() {
                let cut = &data[..len];
                let err = registry.read_state(cut).unwrap_err();
                assert!(
                    matches!(err, ModelError::State(_)),
                    "{context}, {len} of {} bytes: {err}",
                    data.len()
                );
            }
        }
        // Trailing bytes are refused too.
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            registry.read_state(&longer).unwrap_err().to_string(),
            "corrupt state: 1 bytes after the state"
        );
    }
}

#[test]
fn other_magic_and_versions_are_named() {
    let registry = Registry::builtin();
    let (model, state) = states().swap_remove(0);
    let bytes = model.state_to_bytes(state.as_ref()).unwrap();
    let mut v7 = bytes.clone();
    v7[8..12].copy_from_slice(&7u32.to_le_bytes());
    assert_eq!(
        registry.read_state(&v7).unwrap_err(),
        ModelError::State(StateError::Version {
            found: 7,
            supported: 1
        })
    );
    assert_eq!(
        registry.read_state(&v7).unwrap_err().to_string(),
        "state format version 7, this build reads 1"
    );
    let mut other = bytes.clone();
    other[0] = b'X';
    assert_eq!(
        registry.read_state(&other).unwrap_err().to_string(),
        "not an attribution state file"
    );
    let json = model.state_to_json(state.as_ref()).unwrap();
    let v2 = json.replacen("\"version\": 1", "\"version\": 2", 1);
    assert_eq!(
        registry.read_state(v2.as_bytes()).unwrap_err().to_string(),
        "state format version 2, this build reads 1"
    );
    let foreign = json.replacen("attribution-state", "something-else", 1);
    assert_eq!(
        registry
            .read_state(foreign.as_bytes())
            .unwrap_err()
            .to_string(),
        "not an attribution state file"
    );
    // A state whose invariants do not hold names what is wrong, in JSON...
    let markov = registry.parse("markov").unwrap();
    let set = tiny();
    let mut counts = markov.new_state();
    for j in &set {
        markov.observe(counts.as_mut(), j, set.channels()).unwrap();
    }
    let json = markov.state_to_json(counts.as_ref()).unwrap();
    let doubled = json.replacen("\"PPC\"", "\"Email\"", 1);
    assert_eq!(
        registry
            .read_state(doubled.as_bytes())
            .unwrap_err()
            .to_string(),
        "corrupt state: channel `Email` is listed twice at line 12 column 5"
    );
    // ...and in bytes (the reason survives postcard).
    let mut bytes = markov.state_to_bytes(counts.as_ref()).unwrap();
    let at = bytes.windows(3).position(|w| w == b"PPC").unwrap();
    bytes[at..at + 3].copy_from_slice(b"   ");
    assert_eq!(
        registry.read_state(&bytes).unwrap_err().to_string(),
        "corrupt state: empty channel name"
    );
    // An unknown model in a well-formed file.
    let unknown = json.replacen("\"spec\": \"markov:", "\"spec\": \"markow:", 1);
    assert!(
        registry
            .read_state(unknown.as_bytes())
            .unwrap_err()
            .to_string()
            .starts_with("unknown model `markow`"),
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(
        tail in prop::collection::vec(any::<u8>(), 0..200),
        with_header in any::<bool>(),
    ) {
        let registry = Registry::builtin();
        let mut data = Vec::new();
        if with_header {
            data.extend_from_slice(&STATE_MAGIC);
            data.extend_from_slice(&1u32.to_le_bytes());
        }
        data.extend_from_slice(&tail);
        read_does_not_panic(&registry, &data);
    }

    #[test]
    fn corrupted_states_never_panic(
        which in 0usize..10,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        json in any::<bool>(),
    ) {
        let registry = Registry::builtin();
        let all = states();
        let (model, state) = &all[which % all.len()];
        let mut data = if json {
            model.state_to_json(state.as_ref()).unwrap().into_bytes()
        } else {
            model.state_to_bytes(state.as_ref()).unwrap()
        };
        for (at, byte) in flips {
            let i = at.index(data.len());
            data[i] = byte;
        }
        read_does_not_panic(&registry, &data);
    }
}
