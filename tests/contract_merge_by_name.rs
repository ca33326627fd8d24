//! Issue 10, W1: states of inputs read with separate channel tables merge by
//! channel name. Two files whose channels first appear in different orders
//! (and where each has a channel the other lacks), each read with its own
//! reader, merged, equal one pass over the concatenated input — for every
//! model.

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::heuristic::Heuristic;
use attribution::model::markov::Markov;
use attribution::model::ordered::ShapleyOrdered;
use attribution::model::shao_li::ShaoLi;
use attribution::{Attribution, Merge, Model};

const HEADER: &str = "journey_id,path,converted,value,touch_times,conversion_time\n";

/// The tiny fixture's J1–J4, plus a Display touch only here.
const MONDAY: &str = "\
J1,PPC > LandingPage > Email > LinkedIn,1,120,2024-03-01T09:00:00Z > 2024-03-01T09:02:00Z > 2024-03-02T09:00:00Z > 2024-03-09T09:00:00Z,2024-03-09T09:30:00Z
J2,PPC > LandingPage,0,0,2024-03-01T12:00:00Z > 2024-03-01T12:01:00Z,
J3,LinkedIn,1,80,2024-03-03T09:00:00Z,2024-03-03T09:10:00Z
J4,Email > Email > LinkedIn > Display,1,60,2024-03-01T09:00:00Z > 2024-03-04T09:00:00Z > 2024-03-11T09:00:00Z > 2024-03-11T09:30:00Z,2024-03-11T10:00:00Z
";

/// J5–J8 reordered so that channels first appear as Email, LinkedIn, PPC,
/// LandingPage, then Direct (only here).
const TUESDAY: &str = "\
J8,Email > LinkedIn,0,0,2024-03-03T09:00:00Z > 2024-03-07T09:00:00Z,
J6,LinkedIn > PPC > Direct,1,100,2024-03-01T09:00:00Z > 2024-03-15T09:00:00Z > 2024-03-15T09:01:00Z,2024-03-15T09:05:00Z
J5,PPC > LandingPage > Email,0,0,2024-03-02T09:00:00Z > 2024-03-02T09:01:00Z > 2024-03-05T09:00:00Z,
J7,PPC,0,0,2024-03-06T09:00:00Z,
";

/// The state of one file, read with its own reader (and channel table).
fn state_of<M: Model>(model: &M, rows: &str) -> M::State {
    let csv = format!("{HEADER}{rows}");
    let mut reader = ReaderBuilder::new(Shape::Journeys)
        .from_reader(csv.as_bytes())
        .unwrap();
    let mut state = model.new_state();
    while let Some(journey) = reader.next() {
        model
            .observe(&mut state, &journey.unwrap(), reader.channels())
            .unwrap();
    }
    state
}

fn names(a: &Attribution) -> Vec<&str> {
    a.channels().iter().map(|c| c.name.as_str()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// `got` equals `want` channel by channel name (ids are the state's own).
fn assert_same_by_name(got: &Attribution, want: &Attribution, context: &str) {
    assert_eq!(got.channels().len(), want.channels().len(), "{context}");
    for w in want.channels() {
        let g = got
            .get(&w.name)
            .unwrap_or_else(|| panic!("{context}: no {}", w.name));
        assert!(
            close(g.conversions, w.conversions) && close(g.value, w.value),
            "{context}: {g:?} vs {w:?}"
        );
        match (g.removal_effect, w.removal_effect) {
            (Some(a), Some(b)) => assert!(close(a, b), "{context}: {g:?} vs {w:?}"),
            (a, b) => assert_eq!(a, b, "{context}"),
        }
        assert_eq!(got.channels()[g.channel.index()].name, g.name, "{context}");
    }
    assert!(
        close(got.total_conversions(), want.total_conversions()),
        "{context}"
    );
    assert!(close(got.total_value(), want.total_value()), "{context}");
}

fn check<M: Model>(model: &M) {
    let context = model.spec().to_string();
    let one_pass = model
        .finish(&state_of(model, &format!("{MONDAY}{TUESDAY}")))
        .unwrap();
    let monday = state_of(model, MONDAY);
    let tuesday = state_of(model, TUESDAY);
    // The tables really differ: Email is id 2 on Monday, id 0 on Tuesday.
    assert_eq!(
        monday
            .channels()
            .get("Email")
            .map(attribution::ChannelId::index),
        Some(2)
    );
    assert_eq!(
        tuesday
            .channels()
            .get("Email")
            .map(attribution::ChannelId::index),
        Some(0)
    );

    // Chronological merge: exactly one pass, channel order included.
    let mut merged = monday.clone();
    merged.merge(&tuesday).unwrap();
    let result = model.finish(&merged).unwrap();
    assert_eq!(
        names(&result),
        [
            "PPC",
            "LandingPage",
            "Email",
            "LinkedIn",
            "Display",
            "Direct"
        ],
        "{context}"
    );
    assert_eq!(names(&result), names(&one_pass), "{context}");
    assert_same_by_name(&result, &one_pass, &context);

    // The other way round: Tuesday's order first, same credit by name.
    let mut reversed = tuesday.clone();
    reversed.merge(&monday).unwrap();
    let result = model.finish(&reversed).unwrap();
    assert_eq!(
        names(&result),
        [
            "Email",
            "LinkedIn",
            "PPC",
            "Direct",
            "LandingPage",
            "Display"
        ],
        "{context}"
    );
    assert_same_by_name(&result, &one_pass, &context);
}

#[test]
fn every_heuristic_merges_by_channel_name() {
    for model in Heuristic::all() {
        check(&model);
    }
}

#[test]
fn markov_merges_by_channel_name() {
    for order in 1..=3 {
        check(&Markov::new(order).unwrap());
        check(&Markov::new(order).unwrap().keep_self_loops(true));
        check(&Markov::new(order).unwrap().max_steps(Some(3)).unwrap());
    }
}

#[test]
fn shapley_ordered_and_shao_li_merge_by_channel_name() {
    for cap in [0, 2] {
        check(&ShapleyOrdered::new(cap));
    }
    check(&ShaoLi::global());
    check(&ShaoLi::per_journey());
}

/// The tiny fixture's expected results (`tests/data/tiny/expected.csv`)
/// still hold, to 1e-9, when its journeys are read as two files with their
/// own tables and the states merged through the registry's models.
#[test]
fn tiny_fixture_reproduces_through_merged_states() {
    let root = env!("CARGO_MANIFEST_DIR");
    let journeys = std::fs::read_to_string(format!("{root}/tests/data/tiny/journeys.csv")).unwrap();
    let expected = std::fs::read_to_string(format!("{root}/tests/data/tiny/expected.csv")).unwrap();
    let mut lines = journeys.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    // Second half first: its table starts with other channels.
    let halves = [rows[4..].join("\n"), rows[..4].join("\n")];
    let registry = attribution::model::Registry::builtin();
    let mut checked = 0;
    for (model, variant) in [
        ("first_touch", ""),
        ("last_touch", ""),
        ("linear", "per_touch"),
        ("linear", "per_unique_channel"),
        ("position_based", "40_20_40"),
        ("time_decay", "half_life_7d"),
        ("markov", "order_1"),
        ("markov", "order_2"),
        ("markov", "order_3"),
    ] {
        let spec = match (model, variant) {
            ("linear", "per_unique_channel") => "linear:split=channel".to_owned(),
            ("markov", order) => format!("markov:order={}", &order[6..]),
            (m, _) => m.replace('_', "-"),
        };
        let dyn_model = registry.parse(&spec).unwrap();
        let mut merged: Option<Box<dyn attribution::model::DynState>> = None;
        for half in &halves {
            let csv = format!("{header}\n{half}\n");
            let mut reader = ReaderBuilder::new(Shape::Journeys)
                .from_reader(csv.as_bytes())
                .unwrap();
            let mut state = dyn_model.new_state();
            while let Some(journey) = reader.next() {
                dyn_model
                    .observe(state.as_mut(), &journey.unwrap(), reader.channels())
                    .unwrap();
            }
            match &mut merged {
                None => merged = Some(state),
                Some(m) => dyn_model.merge(m.as_mut(), state.as_ref()).unwrap(),
            }
        }
        let result = dyn_model.finish(merged.unwrap().as_ref()).unwrap();
        for line in expected.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if (f[0], f[1]) != (model, variant) {
                continue;
            }
            let credit = result.get(f[2]).unwrap();
            let near = |got: f64, want: &str| {
                let want: f64 = want.parse().unwrap();
                (got - want).abs() <= 1e-9 * want.abs().max(1.0)
            };
            assert!(
                near(credit.conversions, f[3]) && near(credit.value, f[4]),
                "{spec}: {line}"
            );
            if !f[5].is_empty() {
                assert!(near(credit.removal_effect.unwrap(), f[5]), "{spec}: {line}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 9 * 4);
}
