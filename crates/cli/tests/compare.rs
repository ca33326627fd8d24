//! `attribution compare` on the tiny fixture: the table for people, the
//! long CSV and the τ-b matrix file, the JSON comparison, and its errors.
//! Shares, ranks and τ-b are the hand values of the library's
//! tests/compare.rs.

mod common;

use common::{fixture, run, run_ok};

const MODELS: &str = "first-touch,linear,markov";

#[test]
fn table_shares_ranks_tau_and_verdict() {
    let table = run_ok(&["compare", &fixture("tiny/paths.csv"), "--model", MODELS]);
    let expected = "\
Share of each model's attributed conversions per channel, and the channel's rank under the model (1 = most credit; ties share the best rank)
┌─────────────┬─────────────┬─────────────┬─────────────┐
│ channel     ┆ first-touch ┆      linear ┆      markov │
│             ┆  share rank ┆  share rank ┆  share rank │
╞═════════════╪═════════════╪═════════════╪═════════════╡
│ PPC         ┆  25.0%    2 ┆  18.8%    3 ┆  23.8%    3 │
│ LandingPage ┆   0.0%    4 ┆   6.2%    4 ┆  12.0%    4 │
│ Email       ┆  25.0%    2 ┆  22.9%    2 ┆  24.1%    2 │
│ LinkedIn    ┆  50.0%    1 ┆  52.1%    1 ┆  40.1%    1 │
└─────────────┴─────────────┴─────────────┴─────────────┘

Kendall's tau-b between the models' rankings (1 = same order, -1 = reversed, - = undefined: every channel tied)
┌─────────────┬─────────────┬────────┬────────┐
│             ┆ first-touch ┆ linear ┆ markov │
╞═════════════╪═════════════╪════════╪════════╡
│ first-touch ┆       1.000 ┆  0.913 ┆  0.913 │
│ linear      ┆       0.913 ┆  1.000 ┆  1.000 │
│ markov      ┆       0.913 ┆  1.000 ┆  1.000 │
└─────────────┴─────────────┴────────┴────────┘

LinkedIn ranks first under 3 of 3 models.
They disagree most on PPC (rank 2 under first-touch; 3 under linear and markov).
";
    assert_eq!(table, expected);
}

#[test]
fn the_verdict_names_the_models_that_rank_another_channel_first() {
    let input = "path,total_conversions,total_null\nA > B,1,0\nB,1,0\nA,2,0\nB > A,0,1\n";
    // first-touch: A 3, B 1; last-touch: A 2, B 2 (tied first).
    // markov: B is on every converting path through A's.
    let out = run(
        &["compare", "-", "--model", "first-touch,last-touch"],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let verdict: Vec<&str> = text.lines().rev().take(2).collect();
    assert_eq!(
        verdict,
        [
            "They disagree most on B (rank 1 under last-touch; 2 under first-touch).",
            "A ranks first under 2 of 2 models.",
        ]
    );
    let input = "path,total_conversions,total_null\nA > B,1,0\nB,1,0\n";
    // first-touch: A 1, B 1 (tied); last-touch: B 2.
    let out = run(
        &[
            "compare",
            "-",
            "--model",
            "first-touch,last-touch",
            "--format",
            "json",
        ],
        input.as_bytes(),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["leader"]["channel"], "B");
    assert_eq!(json["leader"]["first_under"], 2);
    assert_eq!(json["dissents"], serde_json::json!([]));
    let out = run(
        &["compare", "-", "--model", "last-touch,first-touch"],
        "path,total_conversions,total_null\nA > B,2,0\nB,1,0\n".as_bytes(),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // Each channel first once, mean rank 1.5 both: input order decides.
    assert!(
        text.ends_with(
            "A ranks first under 1 of 2 models. B ranks first as often; A comes first in the \
             input (same mean rank).\nlast-touch ranks B first.\n\
             They disagree most on A (rank 1 under first-touch; 2 under last-touch); \
             B (rank 1 under last-touch; 2 under first-touch).\n"
        ),
        "{text}"
    );
}

/// `(model, channel) -> (share, rank)` of the long CSV.
fn shares_and_ranks(csv_text: &str) -> Vec<(String, String, f64, usize)> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["model", "channel", "conversions", "value", "share", "rank"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_owned(),
                r[1].to_owned(),
                r[4].parse().unwrap(),
                r[5].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn csv_long_format_and_the_kendall_file() {
    let dir = std::env::temp_dir().join(format!("attribution-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tau_file = dir.join("tau.csv");
    let text = run_ok(&[
        "compare",
        &fixture("tiny/paths.csv"),
        "--model",
        MODELS,
        "--format",
        "csv",
        "--kendall",
        tau_file.to_str().unwrap(),
    ]);
    let rows = shares_and_ranks(&text);
    let expected: [(&str, &str, f64, usize); 12] = [
        ("first-touch", "PPC", 0.25, 2),
        ("first-touch", "LandingPage", 0.0, 4),
        ("first-touch", "Email", 0.25, 2),
        ("first-touch", "LinkedIn", 0.5, 1),
        ("linear", "PPC", 3.0 / 16.0, 3),
        ("linear", "LandingPage", 1.0 / 16.0, 4),
        ("linear", "Email", 11.0 / 48.0, 2),
        ("linear", "LinkedIn", 25.0 / 48.0, 1),
        ("markov", "PPC", 95.0 / 399.0, 3),
        ("markov", "LandingPage", 48.0 / 399.0, 4),
        ("markov", "Email", 96.0 / 399.0, 2),
        ("markov", "LinkedIn", 160.0 / 399.0, 1),
    ];
    assert_eq!(rows.len(), expected.len());
    for ((model, channel, share, rank), want) in rows.iter().zip(expected) {
        assert_eq!(
            (model.as_str(), channel.as_str(), *rank),
            (want.0, want.1, want.3)
        );
        assert!(
            (share - want.2).abs() <= 1e-12,
            "{model} {channel}: {share}"
        );
    }
    // Credits at full precision, as `attribute` writes them.
    assert!(
        text.contains("\nlinear,Email,0.9166666666666666,70,"),
        "{text}"
    );
    let tau = std::fs::read_to_string(&tau_file).unwrap();
    let b = 5.0 / 30.0_f64.sqrt();
    assert_eq!(
        tau,
        format!(
            "model,first-touch,linear,markov\n\
             first-touch,1,{b},{b}\n\
             linear,{b},1,1\n\
             markov,{b},1,1\n"
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_is_the_comparison() {
    let text = run_ok(&[
        "compare",
        &fixture("tiny/paths.csv"),
        "--model",
        MODELS,
        "--format",
        "json",
        "--by",
        "value",
    ]);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["metric"], "value");
    let labels: Vec<&str> = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["first-touch", "linear", "markov"]);
    assert_eq!(json["models"][0]["total"], 360.0);
    assert_eq!(json["models"][0]["share_basis"], "credit_sum");
    // first-touch value: PPC 120, LandingPage 0, Email 60, LinkedIn 180.
    let ppc = &json["channels"][0];
    assert_eq!(ppc["channel"], "PPC");
    assert_eq!(ppc["cells"][0]["value"], 120.0);
    assert_eq!(ppc["cells"][0]["share"], 120.0 / 360.0);
    assert_eq!(ppc["cells"][0]["rank"], 2);
    assert_eq!(json["leader"]["channel"], "LinkedIn");
    assert_eq!(json["kendall"][1][2], 1.0);
}

#[test]
fn all_models_and_the_note_of_those_left_out() {
    let out = run(
        &["compare", &fixture("tiny/paths.csv"), "--format", "csv"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "note: participation: its credits sum to 9 against 4 conversions (it does not share \
         out each conversion); its shares are of the conversions and need not sum to 100%.\n\
         note: dda: its channels' credits sum to 1.3702448561033223 against 4 conversions; the \
         rest is its (baseline), what channel presence does not explain; its shares are of the \
         conversions.\n\
         note: negative shares (shapley-rate, dda): the model credits the channel with lowering \
         conversions; it ranks below every channel with more credit.\n\
         note: not run: time-decay (the input has no touch timestamps)\n"
    );
    let rows = shares_and_ranks(&String::from_utf8(out.stdout).unwrap());
    let models: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert!(models.contains("markov") && models.contains("linear"));
    assert!(!models.contains("time-decay"));
    // One row per model and channel.
    assert_eq!(rows.len(), models.len() * 4);
}

#[test]
fn errors_exit_with_2() {
    let out = run(
        &["compare", "-", "--by", "value", "--model", "linear"],
        b"path,total_conversions,total_null\nA,1,0\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: -: --by value needs a value column, and the input has none\n"
    );
    let out = run(
        &["compare", &fixture("tiny/paths.csv"), "--model", "u-shaped"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("error: unknown model `u-shaped`")
    );
    let out = run(&["compare", "no/such/file.csv"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        &["compare", "-", "--model", "linear"],
        b"path,total_conversions,total_null\nA,-1,0\n",
    );
    assert_eq!(out.status.code(), Some(2));
}
