//! Maps over independent work items: on rayon's thread pool with the
//! `parallel` feature, else one after the other on the calling thread.
//!
//! Each item is computed by the same sequential code either way and the
//! results come back in item order, so they do not depend on the feature or
//! on the number of threads.

#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// `f` of every item, in item order.
#[cfg(feature = "parallel")]
pub(crate) fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    items.par_iter().map(f).collect()
}

/// `f` of every item, in item order.
#[cfg(not(feature = "parallel"))]
pub(crate) fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    F: Fn(&T) -> R,
{
    items.iter().map(f).collect()
}

/// `f` of every item, in item order, with scratch state made by `init` and
/// reused from item to item (one per worker thread; rayon makes one per
/// split of the items, which are few).
#[cfg(feature = "parallel")]
pub(crate) fn map_init<T, S, R, I, F>(items: &[T], init: I, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, &T) -> R + Sync + Send,
{
    items.par_iter().map_init(init, f).collect()
}

/// `f` of every item, in item order, with scratch state made by `init` and
/// reused from item to item.
#[cfg(not(feature = "parallel"))]
pub(crate) fn map_init<T, S, R, I, F>(items: &[T], init: I, f: F) -> Vec<R>
where
    I: Fn() -> S,
    F: Fn(&mut S, &T) -> R,
{
    let mut scratch = init();
    items.iter().map(|item| f(&mut scratch, item)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_item_order() {
        let items: Vec<u64> = (0..1000).collect();
        let squares = map(&items, |&i| i * i);
        assert_eq!(squares, items.iter().map(|&i| i * i).collect::<Vec<_>>());
        // The scratch state only carries buffers: results are per item.
        let sums = map_init(&items, Vec::new, |buffer: &mut Vec<u64>, &i| {
            buffer.clear();
            buffer.extend(0..=i);
            buffer.iter().sum::<u64>()
        });
        assert_eq!(
            sums,
            items.iter().map(|&i| i * (i + 1) / 2).collect::<Vec<_>>()
        );
    }
}
