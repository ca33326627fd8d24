//! Path transforms: every case of `tests/data/tiny/transform_examples.csv`
//! through the transform function, parsing and its errors, spec round
//! trips, states that carry the transforms, and the properties of the
//! spec (idempotence, `first` after `exposure`, no empty paths).

use attribution::model::{ModelSpec, Registry};
use attribution::transform::{PathTransform, Transformer, Transforms};
use attribution::{Channels, Journey, ModelError, Touchpoint};
use proptest::prelude::*;

const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny");

/// Parses `D > A(2) > B` style paths into touches over `channels`.
fn touches(path: &str, channels: &mut Channels) -> Vec<Touchpoint> {
    path.split('>')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Touchpoint::new(channels.intern(t).unwrap()))
        .collect()
}

/// Writes a transformed path as the fixture does: `Name(count)` for tokens.
fn show(channels: &Channels, touches: &[Touchpoint], tags: Option<&[u32]>) -> String {
    touches
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let name = channels.name(t.channel).unwrap();
            match tags {
                Some(tags) => format!("{name}({})", tags[i]),
                None => name.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" > ")
}

#[test]
fn every_fixture_case() {
    let mut reader = csv::Reader::from_path(format!("{TINY}/transform_examples.csv")).unwrap();
    let mut cases = 0;
    let mut transformer = Transformer::new();
    for row in reader.records() {
        let row = row.unwrap();
        let (list, path, expected) = (&row[0], &row[1], &row[2]);
        let transforms = Transforms::from_spec_value(list).unwrap();
        let mut channels = Channels::new();
        // Intern the transform's channel first (as `A` in the examples),
        // so that the path's ids do not depend on it.
        let input = touches(path, &mut channels);
        let (out, tags) = transformer.path(&transforms, &input, None, &channels);
        assert_eq!(show(&channels, out, tags), expected, "{list} on {path}");
        // The journey form agrees (non-empty paths).
        if !input.is_empty() {
            let journey = Journey::new(input.clone(), 1, 2, 3.0).unwrap();
            let j = transforms.apply(&journey, &channels);
            assert_eq!(
                show(&channels, j.touches(), j.tags()),
                expected,
                "{list} on {path}"
            );
            assert_eq!(
                (j.conversions(), j.non_conversions(), j.value()),
                (1, 2, 3.0)
            );
        }
        cases += 1;
    }
    assert_eq!(cases, 49);
}

#[test]
fn the_spec_table_for_the_remove_transforms_with_c() {
    let mut channels = Channels::new();
    let input = touches("D > A > B > B > C > D > C > C", &mut channels);
    let mut t = Transformer::new();
    let list = Transforms::parse(["remove-if-last-and-not-all:C"]).unwrap();
    let (out, _) = t.path(&list, &input, None, &channels);
    assert_eq!(show(&channels, out, None), "D > A > B > B > C > D");
    // A channel the table lacks: a no-op.
    let list = Transforms::parse(["remove-if-not-all:Z"]).unwrap();
    let (out, _) = t.path(&list, &input, None, &channels);
    assert_eq!(out.len(), 8);
}

#[test]
fn timestamps_follow_the_kept_touches() {
    let mut channels = Channels::new();
    let (a, b) = (channels.intern("A").unwrap(), channels.intern("B").unwrap());
    let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap();
    let journey = Journey::new(
        vec![
            Touchpoint::at(a, at(1)),
            Touchpoint::at(a, at(2)),
            Touchpoint::at(b, at(3)),
            Touchpoint::at(a, at(4)),
        ],
        1,
        0,
        1.0,
    )
    .unwrap()
    .with_conversion_time(at(9));
    let times = |list: &[&str]| -> Vec<i64> {
        Transforms::parse(list)
            .unwrap()
            .apply(&journey, &channels)
            .touches()
            .iter()
            .map(|t| t.time.unwrap().timestamp())
            .collect()
    };
    assert_eq!(times(&["exposure"]), [1, 3, 4]);
    assert_eq!(times(&["first"]), [1, 3]);
    assert_eq!(times(&["frequency"]), [1, 3]);
    assert_eq!(times(&["trim-last:2"]), [3, 4]);
    let out = Transforms::parse(["first"])
        .unwrap()
        .apply(&journey, &channels);
    assert_eq!(out.conversion_time(), Some(at(9)));
}

#[test]
fn parse_errors_name_the_position_and_the_text() {
    for (list, message) in [
        (
            &["exposure", "sorted"][..],
            "invalid path transform #2 `sorted`: unknown transform (known: unique, exposure, \
             first, frequency, trim-last:N, remove-if-not-all:CHANNEL, \
             remove-if-last-and-not-all:CHANNEL)",
        ),
        (
            &["trim-last"],
            "invalid path transform #1 `trim-last`: missing N: write `trim-last:N` with an integer N >= 1",
        ),
        (
            &["trim-last:"],
            "invalid path transform #1 `trim-last:`: missing N: write `trim-last:N` with an integer N >= 1",
        ),
        (
            &["trim-last:x"],
            "invalid path transform #1 `trim-last:x`: N must be an integer >= 1, not `x`",
        ),
        (
            &["trim-last:-1"],
            "invalid path transform #1 `trim-last:-1`: N must be an integer >= 1, not `-1`",
        ),
        (
            &["unique", "trim-last:0"],
            "invalid path transform #2 `trim-last:0`: N must be an integer >= 1 \
             (`trim-last:0` would mean no limit: leave the transform out)",
        ),
        (
            &["remove-if-not-all"],
            "invalid path transform #1 `remove-if-not-all`: missing the channel: write `remove-if-not-all:CHANNEL`",
        ),
        (
            &["remove-if-last-and-not-all: "],
            "invalid path transform #1 `remove-if-last-and-not-all:`: missing the channel: write \
             `remove-if-last-and-not-all:CHANNEL`",
        ),
        (
            &["exposure:3"],
            "invalid path transform #1 `exposure:3`: `exposure` takes no argument",
        ),
        (
            &["first", "frequency", "exposure"],
            "invalid path transform #2 `frequency`: `frequency` must be the last transform of the list",
        ),
    ] {
        let err = Transforms::parse(list).unwrap_err();
        assert!(matches!(err, ModelError::InvalidTransform { .. }));
        assert_eq!(err.to_string(), message, "{list:?}");
    }
}

#[test]
fn display_and_spec_values_round_trip() {
    let list = Transforms::parse([
        " Trim-Last: 2 ",
        "remove-if-not-all:  Brand, search|x ",
        "frequency",
    ])
    .unwrap();
    assert_eq!(
        list.as_slice(),
        [
            PathTransform::TrimLast(2),
            PathTransform::RemoveIfNotAll("Brand, search|x".to_owned()),
            PathTransform::Frequency
        ]
    );
    assert_eq!(
        list.to_string(),
        "trim-last:2 | remove-if-not-all:Brand, search|x | frequency"
    );
    assert_eq!(
        Transforms::from_spec_value(&list.spec_value()).unwrap(),
        list
    );
    // Through a model spec: `,` `:` `|` and spaces survive printing and parsing.
    let registry = Registry::builtin();
    let model = list.wrap(registry.parse("leave-one-out").unwrap());
    let text = model.spec().to_string();
    assert_eq!(
        text,
        r"leave-one-out:transform=trim-last:2|remove-if-not-all:Brand\, search\\|x|frequency"
    );
    let again = registry.parse(&text).unwrap();
    assert_eq!(again.spec(), model.spec());
    let (_, back) = Transforms::split_spec(&text.parse::<ModelSpec>().unwrap()).unwrap();
    assert_eq!(back, list);
}

#[test]
fn identity_lists_build_the_plain_model() {
    let registry = Registry::builtin();
    for text in [
        "markov:transform=",
        "markov:transform=unique",
        "markov:transform=unique|unique",
    ] {
        let model = registry.parse(text).unwrap();
        assert_eq!(
            model.spec().to_string(),
            "markov:order=1,max_steps=none,self_loops=false",
            "{text}"
        );
    }
    let model = registry.parse("markov:transform=unique|exposure").unwrap();
    assert_eq!(
        model.spec().to_string(),
        "markov:order=1,max_steps=none,self_loops=false,transform=exposure"
    );
    assert!(matches!(
        registry.parse("markov:transform=frequency|first"),
        Err(ModelError::InvalidTransform { position: 1, .. })
    ));
}

fn tiny_set(channels_first: &[&str]) -> attribution::JourneySet {
    let mut set = attribution::JourneySet::new(Channels::new());
    for n in channels_first {
        set.channels_mut().intern(n).unwrap();
    }
    let rows: [(&str, u64, u64, f64); 3] = [
        ("A > B > B", 1, 0, 10.0),
        ("B > A", 0, 1, 0.0),
        ("C > B", 2, 0, 4.0),
    ];
    for (path, c, n, v) in rows {
        let t = touches(path, set.channels_mut());
        set.push(Journey::new(t, c, n, v).unwrap()).unwrap();
    }
    set
}

#[test]
fn states_carry_the_transforms_merge_and_round_trip() {
    let registry = Registry::builtin();
    let set = tiny_set(&[]);
    for spec in [
        "linear:transform=remove-if-not-all:A",
        "leave-one-out:transform=exposure|trim-last:1",
        "markov:order=2,transform=first",
        "shapley:transform=trim-last:1",
    ] {
        let model = registry.parse(spec).unwrap();
        let mut state = model.new_state();
        for j in &set {
            model.observe(state.as_mut(), j, set.channels()).unwrap();
        }
        let one_pass = model.finish(state.as_ref()).unwrap();
        assert_eq!(one_pass, model.attribute(&set).unwrap(), "{spec}");
        // The state lists every channel of the input, even one the
        // transforms leave without touches.
        let names: Vec<&str> = one_pass
            .channels()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["A", "B", "C"], "{spec}");
        assert_eq!(state.spec(), &model.spec());
        for bytes in [
            model.state_to_bytes(state.as_ref()).unwrap(),
            model.state_to_json(state.as_ref()).unwrap().into_bytes(),
        ] {
            let (read_model, read_state) = registry.read_state(&bytes).unwrap();
            assert_eq!(read_model.spec(), model.spec());
            assert_eq!(
                read_model.finish(read_state.as_ref()).unwrap(),
                one_pass,
                "{spec}"
            );
            // Merge with a state of the other half read back.
            let mut merged = read_model.new_state();
            read_model
                .merge(merged.as_mut(), read_state.as_ref())
                .unwrap();
            assert_eq!(read_model.finish(merged.as_ref()).unwrap(), one_pass);
        }
        // Damaged files are typed errors.
        let bytes = model.state_to_bytes(state.as_ref()).unwrap();
        assert!(registry.read_state(&bytes[..bytes.len() - 2]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(registry.read_state(&longer).is_err());
        // Another transform list, or none: the states do not merge.
        let (inner, _) = Transforms::split_spec(&model.spec()).unwrap();
        let plain = registry.build(&inner).unwrap();
        let other = registry
            .build(&inner.clone().with("transform", "unique|trim-last:3"))
            .unwrap();
        for foreign in [plain.new_state(), other.new_state()] {
            let mut mine = model.new_state();
            assert!(
                model.merge(mine.as_mut(), foreign.as_ref()).is_err(),
                "{spec}"
            );
        }
        let mut plain_state = plain.new_state();
        assert!(matches!(
            plain.merge(plain_state.as_mut(), state.as_ref()),
            Err(ModelError::WrongState { .. })
        ));
    }
}

#[test]
fn markov_refuses_frequency_tokens() {
    let registry = Registry::builtin();
    let set = tiny_set(&[]);
    for spec in [
        "markov:transform=frequency",
        "markov:order=2,transform=exposure|frequency",
        "markov-shapley:transform=frequency",
    ] {
        // The registry refuses to build it ...
        let err = registry.parse(spec).unwrap_err();
        assert!(matches!(err, ModelError::TokensUnsupported { .. }), "{err}");
        let name = spec.split(':').next().unwrap();
        assert_eq!(
            err.to_string(),
            format!(
                "model `{name}` does not support frequency tokens yet (the `frequency` path \
                 transform); use `exposure` or `first` instead"
            )
        );
        // ... and the model refuses tagged journeys put behind the list by hand.
        let model = registry.parse(name).unwrap();
        assert!(!model.supports_tokens());
        let wrapped = Transforms::parse(["frequency"]).unwrap().wrap(model);
        let err = wrapped.attribute(&set).unwrap_err();
        assert!(matches!(err, ModelError::TokensUnsupported { .. }), "{err}");
    }
    // Models crediting channels take tokens: frequency credits like first.
    let freq = registry
        .parse("linear:transform=frequency")
        .unwrap()
        .attribute(&set)
        .unwrap();
    let first = registry
        .parse("linear:transform=first")
        .unwrap()
        .attribute(&set)
        .unwrap();
    assert_eq!(freq.channels(), first.channels());
}

fn arb_path() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..4, 0..12)
}

fn arb_transform() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("unique".to_owned()),
        Just("exposure".to_owned()),
        Just("first".to_owned()),
        Just("frequency".to_owned()),
        (1usize..6).prop_map(|n| format!("trim-last:{n}")),
        (0u8..5).prop_map(|c| format!("remove-if-not-all:{c}")),
        (0u8..5).prop_map(|c| format!("remove-if-last-and-not-all:{c}")),
    ]
}

fn table() -> Channels {
    let mut channels = Channels::new();
    for c in 0..4 {
        channels.intern(&c.to_string()).unwrap();
    }
    channels
}

fn run(
    list: &[&str],
    path: &[Touchpoint],
    channels: &Channels,
) -> (Vec<Touchpoint>, Option<Vec<u32>>) {
    let mut t = Transformer::new();
    let (out, tags) = t.path(&Transforms::parse(list).unwrap(), path, None, channels);
    (out.to_vec(), tags.map(<[u32]>::to_vec))
}

fn to_touches(path: &[u8], channels: &Channels) -> Vec<Touchpoint> {
    path.iter()
        .map(|c| Touchpoint::new(channels.get(&c.to_string()).unwrap()))
        .collect()
}

proptest! {
    #[test]
    fn idempotent_transforms(path in arb_path(), t in arb_transform()) {
        prop_assume!(t != "frequency");
        let channels = table();
        let path = to_touches(&path, &channels);
        let once = run(&[&t], &path, &channels);
        let twice = run(&[&t, &t], &path, &channels);
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn first_after_exposure_is_first(path in arb_path()) {
        let channels = table();
        let path = to_touches(&path, &channels);
        prop_assert_eq!(run(&["exposure", "first"], &path, &channels), run(&["first"], &path, &channels));
    }

    #[test]
    fn no_list_empties_a_path(path in arb_path(), list in prop::collection::vec(arb_transform(), 0..5)) {
        let channels = table();
        let path = to_touches(&path, &channels);
        let Ok(transforms) = Transforms::parse(&list) else {
            // Only `frequency` before the end is refused.
            prop_assert!(list[..list.len() - 1].iter().any(|t| t == "frequency"));
            return Ok(());
        };
        let mut t = Transformer::new();
        let (out, tags) = t.path(&transforms, &path, None, &channels);
        prop_assert_eq!(out.is_empty(), path.is_empty());
        prop_assert!(out.len() <= path.len());
        if let Some(tags) = tags {
            prop_assert_eq!(tags.len(), out.len());
            prop_assert_eq!(tags.iter().map(|&n| n as usize).sum::<usize>() <= path.len(), true);
        }
        // A reused transformer gives the same as a fresh one.
        let again = run(&list.iter().map(String::as_str).collect::<Vec<_>>(), &path, &channels);
        prop_assert_eq!((out.to_vec(), tags.map(<[u32]>::to_vec)), again);
    }
}

#[test]
fn every_registry_model_takes_transforms_and_refuses_other_lists() {
    let registry = Registry::builtin();
    let set = tiny_set(&["Z"]);
    for name in registry.names() {
        let plain = registry.parse(name).unwrap();
        if plain.requires_timestamps() {
            continue;
        }
        let spec = plain.spec().with("transform", "exposure|trim-last:3");
        let model = registry.build(&spec).unwrap();
        assert_eq!(model.spec(), spec, "{name}");
        let other = registry
            .build(&plain.spec().with("transform", "first"))
            .unwrap();
        let mut state = model.new_state();
        state.extend_channels(set.channels()).unwrap();
        for j in &set {
            model.observe(state.as_mut(), j, set.channels()).unwrap();
        }
        let bytes = model.state_to_bytes(state.as_ref()).unwrap();
        let (read_model, read_state) = registry.read_state(&bytes).unwrap();
        match model.finish(state.as_ref()) {
            Ok(result) => {
                let names: Vec<&str> = result.channels().iter().map(|c| c.name.as_str()).collect();
                assert_eq!(names, ["Z", "A", "B", "C"], "{name}");
                assert_eq!(
                    read_model.finish(read_state.as_ref()).unwrap(),
                    result,
                    "{name}"
                );
            }
            // No journey touches every channel: the exact-set game has no answer.
            Err(ModelError::DegenerateGame { .. }) => assert_eq!(name, "shapley-exact-set"),
            Err(e) => panic!("{name}: {e}"),
        }
        let mut mine = model.new_state();
        let err = model
            .merge(mine.as_mut(), other.new_state().as_ref())
            .unwrap_err();
        assert_eq!(
            err,
            ModelError::IncompatibleStates {
                left: model.spec().to_string(),
                right: other.spec().to_string()
            },
            "{name}"
        );
        assert!(
            model
                .merge(mine.as_mut(), plain.new_state().as_ref())
                .is_err()
        );
        // A state file of another list is refused by this model.
        let other_bytes = other.state_to_bytes(other.new_state().as_ref()).unwrap();
        assert!(matches!(
            model.state_from_bytes(&other_bytes),
            Err(ModelError::WrongState { .. })
        ));
    }
}
