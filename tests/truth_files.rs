//! The effects file (`term,value`, ground-truth spec §2) and the truth file
//! (`channel,true_conversions`, §3): reading, writing, round trips and every
//! error with its line and term.

use attribution::truth::{TrueCredit, TruthModel};
use attribution::{Channels, TruthError};
use proptest::prelude::*;

const TINY_EFFECTS: &str = include_str!("data/tiny/truth_effects.csv");
const TINY_TRUTH: &str = include_str!("data/tiny/expected_truth.csv");

const REQUIRED: &str = "term,value\n(intercept),-1\n(length),0\n(length-cap),0\n";

fn read(text: &str) -> Result<TruthModel, TruthError> {
    TruthModel::read(text.as_bytes())
}

fn write(model: &TruthModel) -> String {
    let mut out = Vec::new();
    model.write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The error of `rows` appended to the required terms.
fn error_of(rows: &str) -> TruthError {
    read(&format!("{REQUIRED}{rows}")).unwrap_err()
}

fn assert_invalid(rows: &str, line: u64, term: &str, reason_part: &str) {
    let err = error_of(rows);
    match &err {
        TruthError::InvalidTerm {
            line: l,
            term: t,
            reason,
        } => {
            assert_eq!((*l, t.as_str()), (Some(line), term), "{rows}: {err}");
            assert!(reason.contains(reason_part), "{rows}: {reason}");
        }
        other => panic!("{rows}: {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("line {line}: term `{term}`: ")),
        "{message}"
    );
}

#[test]
fn tiny_effects_read_and_written_back_byte_for_byte() {
    let model = read(TINY_EFFECTS).unwrap();
    assert_eq!(model.intercept(), -1.5);
    assert_eq!(model.length(), 0.25);
    assert_eq!(model.length_cap(), 2);
    assert_eq!(model.half_life(), Some(2.0));
    assert_eq!(
        model.channels(),
        [
            ("PPC".to_owned(), 0.2),
            ("LandingPage".to_owned(), 0.1),
            ("Email".to_owned(), -0.6),
            ("LinkedIn".to_owned(), 0.9)
        ]
    );
    assert_eq!(model.gamma("PPC", "LandingPage"), Some(0.5));
    assert_eq!(model.gamma("LandingPage", "PPC"), Some(0.5));
    assert_eq!(model.gamma("PPC", "Email"), None);
    assert_eq!(write(&model), TINY_EFFECTS);
}

#[test]
fn parsing_trims_tolerates_bom_quotes_and_crlf() {
    let text = "\u{feff} term , value \r\n (intercept) , -2 \r\n(length),0.5\r\n\
                (length-cap),3.0\r\n\"Paid, Search\",1\r\n Email ,-0.25\r\n\
                \"Email *  Paid, Search\",0.125\r\n";
    let model = read(text).unwrap();
    assert_eq!(model.intercept(), -2.0);
    assert_eq!(model.length_cap(), 3);
    assert_eq!(model.half_life(), None);
    assert_eq!(model.beta("Paid, Search"), Some(1.0));
    assert_eq!(model.beta("Email"), Some(-0.25));
    assert_eq!(model.gamma("Paid, Search", "Email"), Some(0.125));
    // Written back: pairs with the earlier channel first, the comma quoted.
    assert_eq!(
        write(&model),
        "term,value\n(intercept),-2\n(length),0.5\n(length-cap),3\n\
         \"Paid, Search\",1\nEmail,-0.25\n\"Paid, Search * Email\",0.125\n"
    );
    // A channel name with a star but not ` * ` is a channel.
    let model = read(&format!("{REQUIRED}A*B,1\nC* D,2\n")).unwrap();
    assert_eq!(model.beta("A*B"), Some(1.0));
    assert_eq!(model.beta("C* D"), Some(2.0));
}

#[test]
fn pairs_may_precede_their_channels_and_are_written_in_channel_order() {
    let text =
        format!("{REQUIRED}D * B,0.4\nA * C,0.3\nC * B,0.2\nA,1\nB,2\nC,3\nD,4\nB * A,0.1\n");
    let model = read(&text).unwrap();
    assert_eq!(model.pairs().len(), 4);
    assert_eq!(
        write(&model),
        "term,value\n(intercept),-1\n(length),0\n(length-cap),0\nA,1\nB,2\nC,3\nD,4\n\
         A * B,0.1\nA * C,0.3\nB * C,0.2\nB * D,0.4\n"
    );
}

#[test]
fn write_order_puts_half_life_after_the_cap_and_pairs_last() {
    let mut model = TruthModel::new(0.5, -0.125, 7)
        .unwrap()
        .with_half_life(1.5)
        .unwrap();
    model.add_channel("Z", 1.0).unwrap();
    model.add_channel("A", -1.0).unwrap();
    model.add_channel("M", 0.0).unwrap();
    model.add_pair("M", "Z", 2.0).unwrap();
    model.add_pair("A", "Z", 3.0).unwrap();
    model.add_pair("M", "A", 4.0).unwrap();
    let text = write(&model);
    assert_eq!(
        text,
        "term,value\n(intercept),0.5\n(length),-0.125\n(length-cap),7\n\
         (recency-half-life),1.5\nZ,1\nA,-1\nM,0\nZ * A,3\nZ * M,2\nA * M,4\n"
    );
    assert_eq!(read(&text).unwrap(), {
        // Read back, the pairs come in file order; the model is the same law.
        let mut again = TruthModel::new(0.5, -0.125, 7)
            .unwrap()
            .with_half_life(1.5)
            .unwrap();
        again.add_channel("Z", 1.0).unwrap();
        again.add_channel("A", -1.0).unwrap();
        again.add_channel("M", 0.0).unwrap();
        again.add_pair("Z", "A", 3.0).unwrap();
        again.add_pair("Z", "M", 2.0).unwrap();
        again.add_pair("A", "M", 4.0).unwrap();
        again
    });
}

#[test]
fn awkward_doubles_read_back_bit_identically() {
    let values = [
        -0.0,
        1e-7,
        1e300,
        -1e-300,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        0.1 + 0.2,
        1.0 / 3.0,
        -123456789.0,
    ];
    let mut model = TruthModel::new(-0.0, 1e-7, 0).unwrap();
    for (i, v) in values.iter().enumerate() {
        model.add_channel(&format!("c{i}"), *v).unwrap();
    }
    model.add_pair("c0", "c1", 1e300).unwrap();
    let text = write(&model);
    assert!(text.contains("(intercept),-0\n"));
    assert!(text.contains("(length),0.0000001\n"));
    assert!(text.contains("c9,-123456789\n"));
    let back = read(&text).unwrap();
    assert_eq!(back.intercept().to_bits(), (-0.0f64).to_bits());
    assert_eq!(back.length().to_bits(), 1e-7f64.to_bits());
    for ((_, a), b) in back.channels().iter().zip(values) {
        assert_eq!(a.to_bits(), b.to_bits(), "{b}");
    }
    assert_eq!(
        back.gamma("c1", "c0").unwrap().to_bits(),
        1e300f64.to_bits()
    );
    assert_eq!(write(&back), text);
}

#[test]
fn unknown_reserved_term() {
    assert_invalid("(lenght),1\n", 5, "(lenght)", "unknown reserved term");
    assert_invalid("(baseline),1\n", 5, "(baseline)", "unknown reserved term");
}

#[test]
fn duplicate_terms() {
    assert_invalid(
        "A,1\nB,2\nA,3\n",
        7,
        "A",
        "duplicate term (first on line 5)",
    );
    assert_invalid(
        "(intercept),0\n",
        5,
        "(intercept)",
        "duplicate term (first on line 2)",
    );
    assert_invalid(
        "A,1\nB,1\nA * B,1\nB * A,2\n",
        8,
        "B * A",
        "duplicate term (first on line 7)",
    );
    assert_invalid(
        "A,1\nB,1\nA * B,1\nA  *  B,2\n",
        8,
        "A  *  B",
        "duplicate term",
    );
}

#[test]
fn missing_required_terms() {
    let cases = [
        ("term,value\n(length),0\n(length-cap),0\n", "(intercept)"),
        ("term,value\n(intercept),0\n(length-cap),0\n", "(length)"),
        (
            "term,value\n(intercept),0\n(length),0\nA,1\n",
            "(length-cap)",
        ),
        ("term,value\n", "(intercept)"),
    ];
    for (text, term) in cases {
        let err = read(text).unwrap_err();
        assert_eq!(err, TruthError::MissingTerm(term));
        assert_eq!(
            err.to_string(),
            format!("the required term `{term}` is missing")
        );
    }
}

#[test]
fn values_not_numbers_or_not_finite() {
    assert_invalid("A,one\n", 5, "A", "the value `one` is not a number");
    assert_invalid("A,\n", 5, "A", "the value `` is not a number");
    assert_invalid("A,1.5.2\n", 5, "A", "the value `1.5.2` is not a number");
    assert_invalid("A,0x10\n", 5, "A", "not a number");
}

#[test]
fn non_finite_values() {
    for value in ["inf", "-inf", "NaN", "infinity", "1e999"] {
        assert_invalid(
            &format!("A,{value}\n"),
            5,
            "A",
            &format!("the value `{value}` is not finite"),
        );
    }
    let err = read("term,value\n(intercept),NaN\n").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("line 2: term `(intercept)`: the value `NaN` is not finite")
    );
}

#[test]
fn length_cap_must_be_a_non_negative_integer() {
    let base = "term,value\n(intercept),-1\n(length),0.1\n";
    for (cap, reason) in [
        ("2.5", "must be an integer"),
        ("-1", "non-negative"),
        ("-0.5", "non-negative"),
        ("1e10", "above the largest"),
    ] {
        let err = read(&format!("{base}(length-cap),{cap}\n")).unwrap_err();
        match err {
            TruthError::InvalidTerm {
                line,
                term,
                reason: r,
            } => {
                assert_eq!((line, term.as_str()), (Some(4), "(length-cap)"));
                assert!(r.contains(reason), "{cap}: {r}");
            }
            other => panic!("{cap}: {other:?}"),
        }
    }
    for (cap, k) in [
        ("0", 0),
        ("6", 6),
        ("2.0", 2),
        ("-0", 0),
        ("4294967295", u32::MAX),
    ] {
        let model = read(&format!("{base}(length-cap),{cap}\n")).unwrap();
        assert_eq!(model.length_cap(), k);
    }
}

#[test]
fn half_life_must_be_positive() {
    assert_invalid(
        "(recency-half-life),0\n",
        5,
        "(recency-half-life)",
        "must be > 0",
    );
    assert_invalid(
        "(recency-half-life),-2\n",
        5,
        "(recency-half-life)",
        "must be > 0",
    );
    assert_invalid(
        "(recency-half-life),inf\n",
        5,
        "(recency-half-life)",
        "not finite",
    );
}

#[test]
fn bad_pairs() {
    assert_invalid("A,1\nA * A,1\n", 6, "A * A", "two different channels");
    assert_invalid("A,1\nA *,1\n", 6, "A *", "empty");
    assert_invalid("A,1\n* A,1\n", 6, "* A", "empty");
    assert_invalid("A,1\nB,1\nC,1\nA * B * C,1\n", 8, "A * B * C", "two sides");
    // A side without a channel row, whether the pair comes first or last.
    assert_invalid(
        "A * B,1\nA,1\n",
        5,
        "A * B",
        "`B` has no channel row of its own",
    );
    assert_invalid(
        "B,1\nA,1\nC * A,1\n",
        7,
        "C * A",
        "`C` has no channel row of its own",
    );
    assert_invalid(
        "A,1\n(length) * A,1\n",
        6,
        "(length) * A",
        "`(length)` has no channel row",
    );
}

#[test]
fn format_errors() {
    for text in ["", "channel,value\nA,1\n", "term\n", "term,value,extra\n"] {
        let err = read(text).unwrap_err();
        assert!(matches!(err, TruthError::Format(_)), "{text:?}: {err:?}");
        assert!(err.to_string().contains("term,value"), "{err}");
    }
    let err = error_of("A,1,5\n");
    assert_eq!(
        err.to_string(),
        "line 5: a row of the effects file has two fields, `term,value`; found 3"
    );
    let err = error_of(",1\n");
    assert!(
        err.to_string()
            .starts_with("line 5: term ``: the term is empty")
    );
    // Bytes that are not UTF-8: a CSV format error, not a panic.
    let bad = [b"term,value\n".as_slice(), &[0xff, b',', b'1', b'\n']].concat();
    let err = TruthModel::read(bad.as_slice()).unwrap_err();
    assert!(matches!(err, TruthError::Format(_)), "{err:?}");
    assert!(err.to_string().contains("not valid CSV"), "{err}");
}

#[test]
fn truth_file_round_trip_and_input_order() {
    let mut input = Channels::new();
    for name in ["PPC", "LandingPage", "Email", "LinkedIn"] {
        input.intern(name).unwrap();
    }
    let truth = TrueCredit::read(TINY_TRUTH.as_bytes(), &input).unwrap();
    assert_eq!(truth.get("Email"), Some(-0.2206755004621552));
    assert_eq!(truth.baseline(), Some(1.4594041904508508));
    let mut out = Vec::new();
    truth.write(&mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), TINY_TRUTH);
    // Another file order, no baseline, spaces, a BOM: rows in input order.
    let text =
        "\u{feff}channel , true_conversions\n LinkedIn , 4\nEmail,-0\nPPC,1e-7\nLandingPage,2\n";
    let truth = TrueCredit::read(text.as_bytes(), &input).unwrap();
    assert_eq!(
        truth.channels(),
        [
            ("PPC".to_owned(), 1e-7),
            ("LandingPage".to_owned(), 2.0),
            ("Email".to_owned(), -0.0),
            ("LinkedIn".to_owned(), 4.0)
        ]
    );
    assert_eq!(truth.baseline(), None);
    let mut out = Vec::new();
    truth.write(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "channel,true_conversions\nPPC,0.0000001\nLandingPage,2\nEmail,-0\nLinkedIn,4\n"
    );
}

#[test]
fn truth_file_errors() {
    let mut input = Channels::new();
    input.intern("PPC").unwrap();
    input.intern("Email").unwrap();
    let read = |text: &str| TrueCredit::read(text.as_bytes(), &input).unwrap_err();
    let header = "channel,true_conversions\n";
    let row_error = |text: &str, line: u64, channel: &str, part: &str| {
        let err = read(&format!("{header}{text}"));
        match &err {
            TruthError::InvalidTruthRow {
                line: l,
                channel: c,
                reason,
            } => {
                assert_eq!((*l, c.as_str()), (Some(line), channel), "{err}");
                assert!(reason.contains(part), "{reason}");
            }
            other => panic!("{text}: {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with(&format!("line {line}: channel `{channel}`: ")),
            "{err}"
        );
    };
    row_error(
        "PPC,1\nEmail,2\nDirect,3\n",
        4,
        "Direct",
        "is not a channel of the input",
    );
    row_error(
        "PPC,1\nEmail,2\nPPC,3\n",
        4,
        "PPC",
        "duplicate row (first on line 2)",
    );
    row_error(
        "PPC,1\n(baseline),1\n(baseline),2\n",
        4,
        "(baseline)",
        "duplicate row",
    );
    row_error("PPC,NaN\n", 2, "PPC", "not finite");
    row_error("PPC,inf\n", 2, "PPC", "not finite");
    row_error("PPC,many\n", 2, "PPC", "not a number");
    row_error("(baseline),inf\n", 2, "(baseline)", "not finite");
    row_error(",1\n", 2, "", "is not a channel of the input");
    let err = read(&format!("{header}PPC,1\n(baseline),2\n"));
    assert_eq!(
        err,
        TruthError::MissingChannel {
            channel: "Email".into(),
            file: "truth"
        }
    );
    assert_eq!(
        err.to_string(),
        "channel `Email` of the input has no row in the truth file"
    );
    for text in ["", "channel,conversions\nPPC,1\n", "PPC,1\n"] {
        assert!(matches!(read(text), TruthError::Format(_)), "{text:?}");
    }
    assert!(matches!(
        read(&format!("{header}PPC\n")),
        TruthError::Format(_)
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any model written and read back is the same model, bit for bit.
    #[test]
    fn effects_round_trip(
        intercept in any::<f64>().prop_filter("finite", |x| x.is_finite()),
        length in any::<f64>().prop_filter("finite", |x| x.is_finite()),
        cap in any::<u32>(),
        half_life in proptest::option::of(any::<f64>().prop_filter("> 0", |x| x.is_finite() && *x > 0.0)),
        betas in proptest::collection::vec(any::<f64>().prop_filter("finite", |x| x.is_finite()), 0..6),
        pairs in proptest::collection::vec((0usize..6, 0usize..6, -5.0..5.0f64), 0..6),
    ) {
        let mut model = TruthModel::new(intercept, length, cap).unwrap();
        if let Some(h) = half_life {
            model = model.with_half_life(h).unwrap();
        }
        for (i, b) in betas.iter().enumerate() {
            model.add_channel(&format!("ch {i}, \"q\""), *b).unwrap();
        }
        for (a, b, g) in pairs {
            if a < betas.len() && b < betas.len() && a != b {
                let (x, y) = (format!("ch {a}, \"q\""), format!("ch {b}, \"q\""));
                if model.gamma(&x, &y).is_none() {
                    model.add_pair(&x, &y, g).unwrap();
                }
            }
        }
        let text = write(&model);
        let back = read(&text).unwrap();
        prop_assert_eq!(back.intercept().to_bits(), model.intercept().to_bits());
        prop_assert_eq!(back.length().to_bits(), model.length().to_bits());
        prop_assert_eq!(back.length_cap(), model.length_cap());
        prop_assert_eq!(back.half_life().map(f64::to_bits), model.half_life().map(f64::to_bits));
        for ((n, a), (m, b)) in back.channels().iter().zip(model.channels()) {
            prop_assert_eq!(n, m);
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
        for (a, b, g) in model.pairs() {
            prop_assert_eq!(back.gamma(a, b).map(f64::to_bits), Some(g.to_bits()));
        }
        prop_assert_eq!(back.pairs().len(), model.pairs().len());
        // Writing is a fixed point.
        prop_assert_eq!(write(&back), text);
    }
}
