//! `markov-shapley` benches on seeded synthetic aggregated paths
//! (`attribution::simulate::PathsConfig`, the recipe of the `gen_paths` example):
//! 100 000 paths × 12 channels at orders 1 and 2, i.e. 4096 coalitions,
//! each an absorbing solve (dense at order 1, the sparse component solver
//! at order 2). Counting is the `markov` bench's; this one fits.

use std::hint::black_box;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::markov_shapley::MarkovShapley;
use attribution::simulate::PathsConfig;
use attribution::{JourneySet, Model};
use criterion::{Criterion, criterion_group, criterion_main};

fn journeys(paths: usize, channels: usize) -> JourneySet {
    let mut csv = Vec::new();
    PathsConfig::new(paths, channels, 42)
        .write_to(&mut csv)
        .expect("generate");
    ReaderBuilder::new(Shape::Paths)
        .from_reader(csv.as_slice())
        .expect("reader")
        .read_all()
        .expect("read")
        .0
}

fn bench(c: &mut Criterion) {
    let set = journeys(100_000, 12);
    let mut group = c.benchmark_group("markov_shapley_100k_x12");
    group.sample_size(10);
    for order in [1, 2] {
        let model = MarkovShapley::new(order).expect("valid order");
        let mut state = model.new_state();
        for j in &set {
            model
                .observe(&mut state, j, set.channels())
                .expect("observe");
        }
        group.bench_function(format!("fit_order_{order}"), |b| {
            b.iter(|| model.finish(black_box(&state)).expect("finish"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
