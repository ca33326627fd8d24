//! State indices in the solver's arrays: `u32`, checked once per chain.
//!
//! The solver stores states, live states, components and positions within
//! components as `u32` (half the memory of `usize` in its sparse rows and
//! maps). [`MarkovChain::new`](super::MarkovChain::new) refuses a chain of
//! more than [`MAX_STATES`] states ([`check_states`]), so every such index,
//! always below the number of states, is below `u32::MAX`: [`to_u32`]
//! converts one exactly, and [`Slot`] stores one where "none" must be told
//! apart, in 4 bytes as `Option<Slot>`.

use std::num::NonZeroU32;

use crate::error::ModelError;

/// The most states a chain may have, so that every state index is below
/// `u32::MAX` (4 294 967 295).
pub(crate) const MAX_STATES: usize = u32::MAX as usize;

/// [`ModelError::Overflow`] when a chain of `n` states exceeds
/// [`MAX_STATES`].
pub(crate) fn check_states(n: usize) -> Result<(), ModelError> {
    if n > MAX_STATES {
        return Err(ModelError::Overflow {
            index: None,
            what: format!(
                "the chain has {n} states, above the {MAX_STATES} its state indices can number"
            ),
        });
    }
    Ok(())
}

/// An index `i` of the solver (a state, live state, component or position
/// in one) as `u32`. Such indices are below the number of states, which
/// [`check_states`] bounds, so the conversion is exact; were that invariant
/// ever broken, the result would be `u32::MAX`, past the end of every array,
/// which the solver's checked accesses (`get`) skip.
#[inline]
pub(crate) fn to_u32(i: usize) -> u32 {
    debug_assert!(i < MAX_STATES, "index {i} beyond the checked state count");
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// An index below `u32::MAX`, where the solver needs "no index" too:
/// `Option<Slot>` takes 4 bytes (the niche of [`NonZeroU32`]), as the
/// `u32::MAX` sentinel it replaces did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot(NonZeroU32);

// The point of the type: no memory over a plain `u32`.
const _: () = assert!(size_of::<Option<Slot>>() == size_of::<u32>());

impl Slot {
    /// `i`, or `None` for `u32::MAX` (never an index: see [`MAX_STATES`]).
    #[inline]
    pub fn new(i: u32) -> Option<Self> {
        // Stored complemented, so that index 0 is not the niche.
        NonZeroU32::new(!i).map(Self)
    }

    /// The index.
    #[inline]
    pub fn get(self) -> u32 {
        !self.0.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip_every_index_up_to_the_limit() {
        for i in [0, 1, 2, 1 << 20, u32::MAX - 1] {
            assert_eq!(Slot::new(i).map(Slot::get), Some(i));
        }
        assert_eq!(Slot::new(u32::MAX), None);
        assert_eq!(size_of::<Option<Slot>>(), 4);
    }

    #[test]
    fn state_counts_are_checked_against_the_index_width() {
        assert!(check_states(0).is_ok());
        assert!(check_states(MAX_STATES).is_ok());
        assert_eq!(to_u32(MAX_STATES - 1), u32::MAX - 1);
        #[cfg(target_pointer_width = "64")]
        {
            let err = check_states(MAX_STATES + 1).unwrap_err();
            assert_eq!(
                err.to_string(),
                "numeric overflow: the chain has 4294967296 states, above the 4294967295 its \
                 state indices can number"
            );
        }
    }
}
