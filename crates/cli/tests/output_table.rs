//! The table for people: headers that say what they are, each model's share
//! of its total, footnotes (Markov order and removal effects, a missing value
//! column, models left out); several Markov orders in one run; the
//! choose-order legend.

mod common;

use common::{assert_credit, fixture, parse_output, run, run_ok};

#[test]
fn tiny_paths_table_with_shares_headers_and_footnotes() {
    let table = run_ok(&[
        "attribute",
        &fixture("tiny/paths.csv"),
        "--model",
        "first-touch,markov",
    ]);
    let expected = "\
Attributed conversions per channel, and each channel's share (%) of the model's total
┌─────────────┬───────────────┬───────────────┐
│ channel     ┆   first-touch ┆        markov │
│             ┆ conversions % ┆ conversions % │
╞═════════════╪═══════════════╪═══════════════╡
│ PPC         ┆ 1.0000  25.0% ┆ 0.9524  23.8% │
│ LandingPage ┆ 0.0000   0.0% ┆ 0.4812  12.0% │
│ Email       ┆ 1.0000  25.0% ┆ 0.9624  24.1% │
│ LinkedIn    ┆ 2.0000  50.0% ┆ 1.6040  40.1% │
│ total       ┆ 4.0000 100.0% ┆ 4.0000 100.0% │
└─────────────┴───────────────┴───────────────┘

Attributed value per channel, and each channel's share (%) of the model's total
┌─────────────┬─────────────────┬─────────────────┐
│ channel     ┆     first-touch ┆          markov │
│             ┆         value % ┆         value % │
╞═════════════╪═════════════════╪═════════════════╡
│ PPC         ┆ 120.0000  33.3% ┆  90.2535  25.1% │
│ LandingPage ┆   0.0000   0.0% ┆  42.5915  11.8% │
│ Email       ┆  60.0000  16.7% ┆  85.1831  23.7% │
│ LinkedIn    ┆ 180.0000  50.0% ┆ 141.9718  39.4% │
│ total       ┆ 360.0000 100.0% ┆ 360.0000 100.0% │
└─────────────┴─────────────────┴─────────────────┘

Markov removal effect per channel (see the note below)
┌─────────────┬────────────────┐
│ channel     ┆         markov │
│             ┆ removal effect │
╞═════════════╪════════════════╡
│ PPC         ┆         0.4750 │
│ LandingPage ┆         0.2400 │
│ Email       ┆         0.4800 │
│ LinkedIn    ┆         0.8000 │
└─────────────┴────────────────┘

Markov order 1: removal effect = share of conversions lost when the channel is removed (not normalised; removal effects usually sum to more than 1).
parameters: markov: order=1
";
    assert_eq!(
        without_diagnostics(&table, "markov: 4 states, 4 transitions, solver auto"),
        expected
    );
}

/// `table` without its `diagnostics:` footnote, which must be `model:
/// facts, removal effects within BOUND` (a certified bound below 1e-12,
/// whose last digits depend on rounding).
fn without_diagnostics(table: &str, facts: &str) -> String {
    let prefix = format!("diagnostics: {facts}, removal effects within ");
    let line = table
        .lines()
        .find(|l| l.starts_with("diagnostics: "))
        .unwrap_or_else(|| panic!("no diagnostics in {table}"));
    // Other models' diagnostics (dda's fit) follow after `; `.
    let bound: f64 = line
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{line}"))
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.0..1e-12).contains(&bound), "{line}");
    table.replace(&format!("{line}\n"), "")
}

#[test]
fn model_all_on_paths_names_time_decay_in_the_table() {
    let table = run_ok(&["attribute", &fixture("tiny/paths.csv")]);
    let table = without_diagnostics(&table, "markov: 4 states, 4 transitions, solver auto");
    let tail: Vec<&str> = table.lines().rev().take(4).collect();
    assert_eq!(
        tail,
        [
            "parameters: last-non-direct: direct=Direct; linear: per=touch; \
             position-based: first=0.4, last=0.4; position-decay: ratio=0.5; markov: order=1; \
             shapley-rate: value=rate, max_channels=0, keep=recent; \
             shapley-ordered: max_position=0; shao-li: normalise=global; \
             markov-shapley: order=1, max_channels=20; \
             dda: value=logit, baseline=model, credit=realised, lambda=1, prior_weight=10, \
             max_channels=16",
            "not run: time-decay (the input has no touch timestamps)",
            "participation: overlapping credit, not a partition: every channel of a converting \
             journey gets all of its conversions and value, so the credits sum to more than the \
             total; a share is the fraction of conversions whose journey touched the channel.",
            "Markov order 1: removal effect = share of conversions lost when the channel is \
             removed (not normalised; removal effects usually sum to more than 1).",
        ]
    );
}

/// The first four tiny journeys, as a journeys file without a value column
/// (like a GA4 export).
const NO_VALUE: &[u8] = b"journey_id,path,converted
J1,PPC > LandingPage > Email > LinkedIn,1
J2,PPC > LandingPage,0
J3,LinkedIn,1
J4,Email > Email > LinkedIn,1
";

#[test]
fn no_value_column_leaves_out_the_value_table_with_a_note() {
    let out = run(
        &[
            "attribute",
            "-",
            "--shape",
            "journeys",
            "--model",
            "last-touch,linear",
        ],
        NO_VALUE,
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
    let expected = "\
Attributed conversions per channel, and each channel's share (%) of the model's total
┌─────────────┬───────────────┬───────────────┐
│ channel     ┆    last-touch ┆        linear │
│             ┆ conversions % ┆ conversions % │
╞═════════════╪═══════════════╪═══════════════╡
│ PPC         ┆ 0.0000   0.0% ┆ 0.2500   8.3% │
│ LandingPage ┆ 0.0000   0.0% ┆ 0.2500   8.3% │
│ Email       ┆ 0.0000   0.0% ┆ 0.9167  30.6% │
│ LinkedIn    ┆ 3.0000 100.0% ┆ 1.5833  52.8% │
│ total       ┆ 3.0000 100.0% ┆ 3.0000 100.0% │
└─────────────┴───────────────┴───────────────┘

value: not shown; the input has no value column, so there is no value to attribute.
parameters: linear: per=touch
";
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    // CSV keeps its columns: value 0 throughout.
    let csv = run(
        &[
            "attribute",
            "-",
            "--shape",
            "journeys",
            "--model",
            "last-touch",
            "--format",
            "csv",
        ],
        NO_VALUE,
    );
    assert_eq!(
        String::from_utf8(csv.stdout).unwrap(),
        "model,channel,conversions,value,removal_effect\n\
         last-touch,PPC,0,0,\nlast-touch,LandingPage,0,0,\nlast-touch,Email,0,0,\nlast-touch,LinkedIn,3,0,\n"
    );
}

#[test]
fn an_event_log_without_a_value_column_gets_the_note_too() {
    let out = run(
        &["attribute", "-", "--shape", "events", "--model", "first-touch"],
        b"user_id,timestamp,channel,conversion\n\
          u1,2024-03-01T09:00:00Z,PPC,0\nu1,2024-03-02T09:00:00Z,,1\nu2,2024-03-01T09:00:00Z,Email,0\n",
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("Attributed value"), "{stdout}");
    assert!(
        stdout.contains(
            "\nvalue: not shown; the input has no value column, so there is no value to attribute.\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("│ PPC     ┆ 1.0000 100.0% │"), "{stdout}");
}

#[test]
fn no_conversions_show_no_share() {
    let out = run(
        &["attribute", "-", "--model", "first-touch"],
        b"path,total_conversions,total_null\nA,0,2\n",
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("│ A       ┆ 0.0000      - │"), "{stdout}");
    assert!(stdout.contains("│ total   ┆ 0.0000      - │"), "{stdout}");
}

#[test]
fn several_markov_orders_in_one_run() {
    let text = run_ok(&[
        "attribute",
        &fixture("tiny/journeys.csv"),
        "--shape",
        "journeys",
        "--model",
        "markov",
        "--order",
        "1,2,3",
        "--format",
        "csv",
    ]);
    let out = parse_output(&text);
    assert_eq!(out.len(), 12);
    let expected = std::fs::read_to_string(fixture("tiny/expected.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(expected.as_bytes());
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let Some(order) = row[1].strip_prefix("order_") else {
            continue;
        };
        let re = Some(row[5].parse().unwrap());
        let expected = (row[3].parse().unwrap(), row[4].parse().unwrap(), re);
        assert_credit(
            &out,
            &format!("markov:order={order}"),
            &row[2],
            expected,
            "orders",
        );
        checked += 1;
    }
    assert_eq!(checked, 12);
    // One order names itself when it is not the default.
    let one = run_ok(&[
        "attribute",
        &fixture("tiny/paths.csv"),
        "--model",
        "markov",
        "--order",
        "2",
        "--format",
        "csv",
    ]);
    assert!(
        one.lines()
            .skip(1)
            .all(|l| l.starts_with("markov:order=2,")),
        "{one}"
    );
    // The table's footnote names every order.
    let table = run_ok(&[
        "attribute",
        &fixture("tiny/paths.csv"),
        "--model",
        "markov",
        "--order",
        "1,3",
    ]);
    assert!(
        table.contains("│ channel     ┆ markov:order=1 ┆ markov:order=3 │"),
        "{table}"
    );
    assert!(
        table.contains("\nMarkov orders 1, 3: removal effect = share of conversions lost"),
        "{table}"
    );
}

#[test]
fn choose_order_explains_its_columns_and_suggestion() {
    let text = run_ok(&[
        "choose-order",
        &fixture("tiny/paths.csv"),
        "--max-order",
        "3",
    ]);
    let expected_tail = "\
columns:
  order           Markov order K: each state is a window of K consecutive touches
  states          states of the chain (distinct windows seen)
  transitions     distinct transitions seen, from (start) and into (conversion)/(null) included
  parameters      free parameters: for (start) and each state, its distinct next states - 1
  log_likelihood  in-sample log-likelihood of the transitions (higher fits better, but it grows with the order)
  bic             -2 log_likelihood + parameters x ln(transitions observed): fit penalised by size (lower is better)
  cv_log_loss     mean log-loss of P(conversion | last state) on held-out journeys (lower is better)
  cv_auc          ROC AUC of the same prediction on held-out journeys (0.5 = chance, 1 = perfect; empty without both outcomes)
suggested order: 3 (lowest 5-fold cross-validated log-loss of P(conversion | last state); lower order on ties)
why: order 3 has the lowest cv_log_loss (0.934417), so it best predicts whether journeys it was not fitted on convert; a higher order's extra states only help if they predict better out of sample.
";
    assert!(text.ends_with(expected_tail), "{text}");
    assert!(
        text.contains("│     3 ┆      8 ┆          16 ┆          7 ┆         -16.64 ┆ 53.10 ┆    0.934417 ┆ 0.0312 │"),
        "{text}"
    );
}
