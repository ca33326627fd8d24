//! Markov model benches on seeded synthetic aggregated paths
//! (`attribution::simulate::PathsConfig`, the fixture recipe): counting and solving,
//! 100 000 paths × 12 channels at orders 1 and 3, × 50 channels at order 3.

use std::hint::black_box;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::markov::{Markov, TransitionCounts};
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

fn count(model: &Markov, set: &JourneySet) -> TransitionCounts {
    let mut counts = model.counts();
    for j in set {
        model
            .observe(&mut counts, j, set.channels())
            .expect("observe");
    }
    counts
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("markov");
    group.sample_size(10);
    for (channels, order) in [(12, 1), (12, 3), (50, 3)] {
        let set = journeys(100_000, channels);
        let model = Markov::new(order).expect("order");
        let name = format!("100k_x{channels}_order{order}");
        group.bench_function(format!("{name}/count"), |b| {
            b.iter(|| black_box(count(&model, &set)));
        });
        let counts = count(&model, &set);
        group.bench_function(format!("{name}/solve"), |b| {
            b.iter(|| black_box(model.finish(&counts).expect("finish")));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
