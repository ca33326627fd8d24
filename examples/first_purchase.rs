//! The seed story (PPC ad, landing page, e-mail, LinkedIn, purchase), on eight hand-made journeys.
//!
//! A lead sees a PPC ad, lands on the landing page and leaves an e-mail
//! address, gets a newsletter with the catalogue, sees a LinkedIn retargeting
//! ad a week later and pays. Seven other leads take other routes; four of the
//! eight buy, for 360 in total. Which channel deserved the sales? Every model
//! gives its answer, side by side.
//!
//! Run it with `cargo run --example first_purchase`.

use std::error::Error;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::heuristic::Heuristic;
use attribution::model::markov::Markov;
use attribution::{Attribution, JourneySet, Model};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/first_purchase_journeys.csv"
);

fn main() -> Result<(), Box<dyn Error>> {
    let (journeys, results) = every_model(DATA)?;
    println!(
        "{} journeys, {} converting, value {} — channels: {}\n",
        journeys.len(),
        journeys.iter().filter(|j| j.conversions() > 0).count(),
        journeys.total_value(),
        journeys
            .channels()
            .iter()
            .map(|(_, name)| name)
            .collect::<Vec<_>>()
            .join(", ")
    );

    print_table("conversions", &results, |c| c.conversions);
    print_table("value", &results, |c| c.value);
    Ok(())
}

/// Reads the journeys at `path` and runs every heuristic and the Markov
/// models of orders 1 to 3 (named `markov-1` … `markov-3`) on them.
///
/// # Errors
///
/// When the file cannot be read or a model fails.
pub fn every_model(path: &str) -> Result<(JourneySet, Vec<Attribution>), Box<dyn Error>> {
    let (journeys, _report) = ReaderBuilder::new(Shape::Journeys)
        .from_path(path)?
        .read_all()?;
    let mut results: Vec<Attribution> = Heuristic::all()
        .iter()
        .map(|model| model.attribute(&journeys))
        .collect::<Result<_, _>>()?;
    for order in 1..=3 {
        let markov = Markov::new(order)?.attribute(&journeys)?;
        results.push(Attribution::new(
            format!("markov-{order}"),
            markov.parameters().to_vec(),
            markov.channels().to_vec(),
            markov.total_conversions(),
            markov.total_value(),
        ));
    }
    Ok((journeys, results))
}

fn print_table(
    title: &str,
    results: &[Attribution],
    get: impl Fn(&attribution::ChannelCredit) -> f64,
) {
    let names: Vec<&str> = results.iter().map(Attribution::model).collect();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(8).max(8);
    print!("{title:<12}");
    for name in &names {
        print!(" {name:>width$}");
    }
    println!();
    let Some(first) = results.first() else {
        return;
    };
    for (i, credit) in first.channels().iter().enumerate() {
        print!("{:<12}", credit.name);
        for result in results {
            let x = result.channels().get(i).map_or(f64::NAN, &get);
            print!(" {x:>width$.2}");
        }
        println!();
    }
    println!();
}
