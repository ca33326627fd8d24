//! Heuristic models on 100 000 seeded synthetic paths × 12 channels: parsing
//! alone, each model on parsed journeys, and the whole job (parse + first,
//! last, linear in one streaming pass) as the command runs it.

use std::hint::black_box;

use attribution::Model;
use attribution::io::{ReaderBuilder, Shape};
use attribution::model::heuristic::Heuristic;
use attribution::simulate::PathsConfig;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn synthetic_paths() -> Vec<u8> {
    let mut csv = Vec::new();
    PathsConfig::new(100_000, 12, 42)
        .write_to(&mut csv)
        .expect("generating synthetic paths");
    csv
}

fn heuristics(c: &mut Criterion) {
    let csv = synthetic_paths();
    let (journeys, _) = ReaderBuilder::new(Shape::Paths)
        .from_reader(csv.as_slice())
        .and_then(attribution::JourneyReader::read_all)
        .expect("reading synthetic paths");

    let mut group = c.benchmark_group("heuristics_100k_x12");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(csv.len() as u64));
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            let mut reader = ReaderBuilder::new(Shape::Paths)
                .from_reader(black_box(csv.as_slice()))
                .expect("header");
            let mut touches = 0usize;
            for journey in &mut reader {
                touches += journey.expect("row").len();
            }
            touches
        });
    });
    for model in Heuristic::all()
        .into_iter()
        .filter(|m| !m.needs_timestamps())
    {
        let name = model
            .attribute(&journeys)
            .expect("model")
            .model()
            .to_owned();
        group.bench_function(format!("attribute/{name}"), |b| {
            b.iter(|| model.attribute(black_box(&journeys)).expect("model"));
        });
    }
    group.bench_function("parse_and_first_last_linear", |b| {
        let models: Vec<Heuristic> = ["first-touch", "last-touch", "linear"]
            .iter()
            .filter_map(|n| Heuristic::from_name(n))
            .collect();
        b.iter(|| {
            let mut reader = ReaderBuilder::new(Shape::Paths)
                .from_reader(black_box(csv.as_slice()))
                .expect("header");
            let mut states: Vec<_> = models.iter().map(Model::new_state).collect();
            while let Some(journey) = reader.next() {
                let journey = journey.expect("row");
                for (model, state) in models.iter().zip(&mut states) {
                    model
                        .observe(state, &journey, reader.channels())
                        .expect("observe");
                }
            }
            models
                .iter()
                .zip(&states)
                .map(|(m, s)| m.finish(s).expect("finish"))
                .collect::<Vec<_>>()
        });
    });
    group.finish();
}

criterion_group!(benches, heuristics);
criterion_main!(benches);
