//! The `first_purchase` example computes what its story promises.

#[allow(dead_code)]
#[path = "../examples/first_purchase.rs"]
mod example;

#[test]
fn the_example_runs_every_model_on_the_tiny_journeys() {
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/first_purchase_journeys.csv"
    );
    let (journeys, results) = example::every_model(data).unwrap();
    assert_eq!(journeys.len(), 8);
    let names: Vec<&str> = results
        .iter()
        .map(attribution::Attribution::model)
        .collect();
    assert_eq!(
        names,
        [
            "first-touch",
            "last-touch",
            "last-non-direct",
            "linear",
            "position-based",
            "time-decay",
            "position-decay",
            "markov-1",
            "markov-2",
            "markov-3"
        ]
    );
    let credit = |model: &str, channel: &str| {
        let a = results.iter().find(|a| a.model() == model).unwrap();
        let c = a.get(channel).unwrap();
        (c.conversions, c.value)
    };
    // Values of tests/data/tiny/expected.csv.
    assert_eq!(credit("first-touch", "LinkedIn"), (2.0, 180.0));
    assert_eq!(credit("last-touch", "LinkedIn"), (3.0, 260.0));
    assert_eq!(credit("linear", "Email").1, 70.0);
    assert!((credit("linear", "Email").0 - 0.9166666666666666).abs() < 1e-15);
    let (conv, value) = credit("markov-1", "LinkedIn");
    assert!((conv - 1.6040100250626566).abs() < 1e-12, "{conv}");
    assert!((value - 141.9718309859155).abs() < 1e-10, "{value}");
    for a in &results {
        let total: f64 = a.channels().iter().map(|c| c.conversions).sum();
        assert!((total - 4.0).abs() < 1e-12, "{}: {total}", a.model());
    }
}
