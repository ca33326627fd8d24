//! The Shapley family on 100 000 seeded synthetic paths × 12 channels:
//! observing into the channel-set state, and finishing each game from it
//! (the cumulative game, the conversion-rate game in its three value
//! modes, the exact-set game, participation).

use std::hint::black_box;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::{DynModel, Registry};
use attribution::simulate::PathsConfig;
use criterion::{Criterion, criterion_group, criterion_main};

fn shapley(c: &mut Criterion) {
    let mut csv = Vec::new();
    PathsConfig::new(100_000, 12, 42)
        .write_to(&mut csv)
        .expect("generating synthetic paths");
    let (journeys, _) = ReaderBuilder::new(Shape::Paths)
        .from_reader(csv.as_slice())
        .and_then(attribution::JourneyReader::read_all)
        .expect("reading synthetic paths");
    let registry = Registry::builtin();
    let mut group = c.benchmark_group("shapley_100k_x12");
    group.sample_size(10);
    for spec in [
        "shapley",
        "shapley-rate",
        "shapley-rate:value=count",
        "shapley-rate:value=value",
        "shapley-exact-set",
        "participation",
    ] {
        let model: Box<dyn DynModel> = registry.parse(spec).expect("spec");
        let observe = || {
            let mut state = model.new_state();
            for journey in &journeys {
                model
                    .observe(state.as_mut(), journey, journeys.channels())
                    .expect("observe");
            }
            state
        };
        let state = observe();
        group.bench_function(format!("finish/{spec}"), |b| {
            // The exact-set game may be degenerate on this data: an error is a result too.
            b.iter(|| model.finish(black_box(state.as_ref())).is_ok());
        });
        if spec == "shapley" {
            group.bench_function("observe/set_table", |b| b.iter(observe));
        }
    }
    group.finish();
}

criterion_group!(benches, shapley);
criterion_main!(benches);
