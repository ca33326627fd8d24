//! The parallel reader agrees with the streaming one: channel table (order),
//! journeys (as a multiset), read reports, first errors and their lines, on
//! random inputs cut into many small blocks, with quoted newlines and
//! unclosed quotes (skipped or fatal at their line), LF, CRLF or bare-CR
//! line ends and a BOM; and Markov / heuristic states merge to the sequential credits.

use attribution::io::{FoldError, ReaderBuilder, Shape};
use attribution::{Channels, Journey, JourneySet, Linear, Markov, Merge, Model, ReadReport};
use proptest::prelude::*;

type Row = (Vec<String>, u64, u64, u64);

fn key(j: &Journey, channels: &Channels) -> Row {
    (
        j.channels()
            .map(|c| channels.name(c).unwrap().to_owned())
            .collect(),
        j.conversions(),
        j.non_conversions(),
        j.value().to_bits(),
    )
}

type Outcome = Result<(Vec<String>, Vec<Row>, ReadReport), String>;

fn names(channels: &Channels) -> Vec<String> {
    channels.iter().map(|(_, n)| n.to_owned()).collect()
}

fn sequential(csv: &[u8], lenient: bool) -> Outcome {
    let mut b = ReaderBuilder::new(Shape::Paths);
    b.lenient(lenient);
    let (set, report) = b
        .from_reader(csv)
        .and_then(attribution::JourneyReader::read_all)
        .map_err(|e| e.to_string())?;
    let mut rows: Vec<Row> = set.iter().map(|j| key(j, set.channels())).collect();
    rows.sort();
    Ok((names(set.channels()), rows, report))
}

fn parallel(csv: &[u8], lenient: bool, threads: usize, block: usize) -> Outcome {
    let mut b = ReaderBuilder::new(Shape::Paths);
    b.lenient(lenient).threads(threads).block_size(block);
    let reader = b.parallel_from_reader(csv).map_err(|e| e.to_string())?;
    let folded = reader
        .fold(
            Vec::new,
            |rows: &mut Vec<Row>, j, channels| {
                rows.push(key(j, channels));
                Ok::<(), String>(())
            },
            Vec::extend,
        )
        .map_err(|e| match e {
            FoldError::Read(e) => e.to_string(),
            other => format!("fold: {other}"),
        })?;
    let mut rows = folded.state;
    rows.sort();
    Ok((names(&folded.channels), rows, folded.report))
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::collection::vec("[A-F]|ch[0-9]|Paid Search", 1..5)
            .prop_map(|v| v.join(" > ")),
        1 => Just("\"Q\nuoted > A\"".to_owned()),
        1 => Just("\"B, \"\"x\"\" > C\"".to_owned()),
        1 => Just("\"Unclosed > A".to_owned()),
        1 => Just(" > ".to_owned()),
    ]
}

fn count() -> impl Strategy<Value = String> {
    prop_oneof![
        10 => (0u64..5).prop_map(|n| n.to_string()),
        1 => Just("1.5".to_owned()),
        1 => Just("-1".to_owned()),
        1 => Just("x".to_owned()),
    ]
}

fn input() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (
        proptest::collection::vec((field(), count(), count(), 0u32..100, 0u8..12), 0..60),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(rows, nl, bom, lenient)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str("path,total_conversions,total_null,total_conversion_value");
            s.push_str(nl);
            for (path, c, n, v, extra) in rows {
                match extra {
                    0 => s.push_str(nl),
                    1 => s.push_str(&format!("{path},{c}{nl}")),
                    _ => s.push_str(&format!("{path},{c},{n},{v}.25{nl}")),
                }
            }
            (s.into_bytes(), lenient)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parallel_equals_sequential((csv, lenient) in input(), threads in 1usize..5, block in 1usize..200) {
        let expected = sequential(&csv, lenient);
        let got = parallel(&csv, lenient, threads, block);
        prop_assert_eq!(got, expected);
    }
}

#[test]
fn first_error_in_file_order_with_its_line() {
    let mut csv = String::from("path,total_conversions,total_null\n");
    for i in 0..500 {
        csv.push_str(&format!("A > ch{},1,0\n", i % 7));
    }
    csv.push_str("\n\nB,1.5,0\n");
    for _ in 0..500 {
        csv.push_str("C,-1,0\n");
    }
    let expected = sequential(csv.as_bytes(), false).unwrap_err();
    assert_eq!(
        expected,
        "line 504, column `total_conversions`: fractional count: \"1.5\""
    );
    for block in [7, 100, 1000] {
        assert_eq!(
            parallel(csv.as_bytes(), false, 3, block).unwrap_err(),
            expected
        );
    }
    let lenient = sequential(csv.as_bytes(), true).unwrap();
    assert_eq!(lenient.2.rejected(), 501);
    assert_eq!(parallel(csv.as_bytes(), true, 2, 50).unwrap(), lenient);
}

#[test]
fn fold_errors_name_the_first_failing_row() {
    let mut csv = String::from("path,total_conversions,total_null\n");
    for i in 0..300 {
        let name = if i == 250 || i == 280 { "Bad" } else { "A" };
        csv.push_str(&format!("{name} > B,1,0\n"));
    }
    for block in [5, 64, 4096] {
        let mut b = ReaderBuilder::new(Shape::Paths);
        b.threads(2).block_size(block);
        let err = b
            .parallel_from_reader(csv.as_bytes())
            .unwrap()
            .fold(
                || (),
                |(), j, channels| {
                    if channels.name(j.first().unwrap().channel) == Some("Bad") {
                        Err("bad channel")
                    } else {
                        Ok(())
                    }
                },
                |(), ()| {},
            )
            .unwrap_err();
        assert_eq!(
            err,
            FoldError::Fold {
                error: "bad channel",
                line: 252,
                journey: 250
            }
        );
    }
}

#[test]
fn markov_and_linear_states_merge_to_the_sequential_credits() {
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/synthetic/paths_100000_12.csv"
    ))
    .unwrap();
    let (set, _) = ReaderBuilder::new(Shape::Paths)
        .from_reader(&csv[..])
        .unwrap()
        .read_all()
        .unwrap();
    let markov = Markov::new(1).unwrap();
    let linear = Linear::per_touch();
    check(&set, &csv, &markov);
    check(&set, &csv, &linear);
}

fn check<M: Model + Sync>(set: &JourneySet, csv: &[u8], model: &M) {
    let expected = model.attribute(set).unwrap();
    let mut b = ReaderBuilder::new(Shape::Paths);
    b.threads(3).block_size(64 * 1024);
    let folded = b
        .parallel_from_reader(csv)
        .unwrap()
        .fold(
            || model.new_state(),
            |s, j, c| model.observe(s, j, c),
            |a, b| a.merge(&b).unwrap(),
        )
        .unwrap();
    assert_eq!(&folded.channels, set.channels());
    let mut state = folded.state;
    state.extend_channels(&folded.channels).unwrap();
    assert_eq!(state.channels(), set.channels());
    let got = model.finish(&state).unwrap();
    let (e, g) = (expected.channels(), got.channels());
    assert_eq!(e.len(), g.len());
    for (e, g) in e.iter().zip(g) {
        assert_eq!(e.channel, g.channel);
        for (a, b) in [(e.conversions, g.conversions), (e.value, g.value)] {
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{e:?} vs {g:?}");
        }
    }
}
