//! The per-journey members of the Shapley family on 100 000 seeded synthetic
//! paths × 12 channels: `shapley-ordered` (uncapped and capped at 8
//! positions) and `shao-li` (global and per-journey normalisation) on parsed
//! journeys, observe and finish apart for Shao & Li (its finish walks the
//! distinct converting sets).

use std::hint::black_box;

use attribution::Model;
use attribution::io::{ReaderBuilder, Shape};
use attribution::model::ordered::ShapleyOrdered;
use attribution::model::shao_li::ShaoLi;
use attribution::simulate::PathsConfig;
use criterion::{Criterion, criterion_group, criterion_main};

fn shapley_family(c: &mut Criterion) {
    let mut csv = Vec::new();
    PathsConfig::new(100_000, 12, 42)
        .write_to(&mut csv)
        .expect("generating synthetic paths");
    let (journeys, _) = ReaderBuilder::new(Shape::Paths)
        .from_reader(csv.as_slice())
        .and_then(attribution::JourneyReader::read_all)
        .expect("reading synthetic paths");

    let mut group = c.benchmark_group("shapley_family_100k_x12");
    group.sample_size(20);
    for (name, model) in [
        ("shapley-ordered", ShapleyOrdered::new(0)),
        ("shapley-ordered:max_position=8", ShapleyOrdered::new(8)),
    ] {
        group.bench_function(format!("attribute/{name}"), |b| {
            b.iter(|| model.attribute(black_box(&journeys)).expect("model"));
        });
    }
    for (name, model) in [
        ("shao-li", ShaoLi::global()),
        ("shao-li:normalise=journey", ShaoLi::per_journey()),
    ] {
        group.bench_function(format!("attribute/{name}"), |b| {
            b.iter(|| model.attribute(black_box(&journeys)).expect("model"));
        });
    }
    let model = ShaoLi::global();
    let mut state = model.new_state();
    for journey in &journeys {
        model
            .observe(&mut state, journey, journeys.channels())
            .expect("observe");
    }
    group.bench_function("finish/shao-li", |b| {
        b.iter(|| model.finish(black_box(&state)).expect("finish"));
    });
    group.finish();
}

criterion_group!(benches, shapley_family);
criterion_main!(benches);
