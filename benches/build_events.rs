//! Read + build journeys from a seeded synthetic event log (default 10 million
//! rows, 1 million users, 12 channels + Direct), in the default (sort) mode on
//! rows shuffled within blocks of users, and in sorted streaming mode.
//!
//! `BUILD_EVENTS_N` sets the number of rows (e.g. `BUILD_EVENTS_N=1000000` for
//! a quick run). The files are generated once per run under the target
//! directory (`$CARGO_TARGET_DIR/bench-data`, else `target/bench-data`).

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use attribution::assemble::JourneyBuilder;
use attribution::io::events::EventReaderBuilder;
use attribution_synthetic::{EventOrder, EventsConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn generate(events: usize, order: EventOrder, name: &str) -> (PathBuf, u64) {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("events_{name}_{events}.csv"));
    let mut config = EventsConfig::new((events / 10).max(1), events, 12, 7);
    config.order = order;
    let summary = config
        .write_to(BufWriter::new(File::create(&path).unwrap()))
        .unwrap();
    (path, summary.rows as u64)
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("BUILD_EVENTS_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let mut group = c.benchmark_group("build_events");
    group.sample_size(10);
    for (order, name, sorted) in [
        (EventOrder::ShuffledInBlocks, "shuffled", false),
        (EventOrder::SortedByUserTime, "sorted", true),
    ] {
        let (path, rows) = generate(n, order, name);
        group.throughput(Throughput::Elements(rows));
        group.bench_function(format!("{name}/{n}"), |b| {
            b.iter(|| {
                let reader = EventReaderBuilder::new().from_path(&path).unwrap();
                let (set, _) = JourneyBuilder::new().sorted(sorted).build(reader).unwrap();
                set.len()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
