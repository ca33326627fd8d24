//! A reader-side cache in front of [`Channels::intern`] for short names.

use rustc_hash::FxHashMap;

use crate::channel::{ChannelId, Channels};
use crate::error::ChannelError;

/// Names of up to 15 bytes are packed with their length into a `u128`, so a
/// lookup is one multiply-hash and one integer compare instead of a byte hash
/// and a `memcmp`: on the 1M-row benchmark file interning was the largest
/// cost of reading. Longer names go straight to the table.
///
/// The cache only ever holds ids handed out by the table it fronts, and ids
/// never change, so it cannot disagree with the table.
#[derive(Debug, Default)]
pub(crate) struct InternCache {
    short: FxHashMap<u128, ChannelId>,
}

impl InternCache {
    /// The id of `name` (already trimmed and non-empty) in `channels`.
    #[inline]
    pub(crate) fn intern(
        &mut self,
        channels: &mut Channels,
        name: &str,
    ) -> Result<ChannelId, ChannelError> {
        let Some(key) = pack(name.as_bytes()) else {
            return channels.intern(name);
        };
        if let Some(&id) = self.short.get(&key) {
            return Ok(id);
        }
        let id = channels.intern(name)?;
        self.short.insert(key, id);
        Ok(id)
    }

    /// Forgets every id from `len` on (ids a piece-local table handed out
    /// that a merge is about to renumber).
    pub(crate) fn forget_from(&mut self, len: usize) {
        self.short.retain(|_, id| id.index() < len);
    }
}

/// An injective key for names of 1 to 15 bytes: the bytes, read with
/// overlapping unaligned loads (no copy, so no store-forwarding stall), in
/// the low 15 bytes and the length in the top byte.
#[inline]
fn pack(b: &[u8]) -> Option<u128> {
    let len = b.len();
    let word = |at: usize| -> Option<u64> {
        Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
    };
    let half = |at: usize| -> Option<u64> {
        Some(u64::from(u32::from_le_bytes(
            b.get(at..at + 4)?.try_into().ok()?,
        )))
    };
    // Bits to drop for `n` overlapping bytes (n <= 8; 64 drops everything).
    let shift = |n: usize| u32::try_from(n * 8).unwrap_or(u32::MAX);
    let byte = |at: usize| -> Option<u128> { b.get(at).map(|&x| u128::from(x)) };
    let bytes = match len {
        0 => return None,
        // Three bytes at 0, len/2 and len-1 cover every byte of 1 to 3.
        1..=3 => byte(0)? | byte(len / 2)? << 8 | byte(len - 1)? << 16,
        // Bytes 0..4 and len-4..len; the overlap (8-len bytes at the bottom
        // of the second load) is shifted out.
        4..=7 => {
            u128::from(half(0)? | half(len - 4)?.checked_shr(shift(8 - len)).unwrap_or(0) << 32)
        }
        8..=15 => {
            u128::from(word(0)?)
                | u128::from(word(len - 8)?.checked_shr(shift(16 - len)).unwrap_or(0)) << 64
        }
        _ => return None,
    };
    Some(bytes | (len as u128) << 120)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_agrees_with_the_table() {
        let mut channels = Channels::new();
        let mut cache = InternCache::default();
        let names = [
            "a",
            "a\0",
            "ab",
            "exactly15bytes!",
            "sixteen_bytes_!!",
            "広告",
            "a",
        ];
        let ids: Vec<u32> = names
            .iter()
            .map(|n| cache.intern(&mut channels, n).unwrap().get())
            .collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 0]);
        for n in names {
            assert_eq!(
                cache.intern(&mut channels, n).unwrap(),
                channels.get(n).unwrap()
            );
        }
        assert_eq!(channels.len(), 6);
    }

    #[test]
    fn pack_is_injective_on_short_names() {
        use std::collections::HashMap;
        let mut seen: HashMap<u128, Vec<u8>> = HashMap::new();
        let alphabet = [0u8, 1, b'a', 0xff];
        // Every string of length 1..=7 over a 4-letter alphabet, plus shifted
        // variants of longer ones.
        let mut all: Vec<Vec<u8>> = vec![vec![]];
        for _ in 0..7 {
            let next: Vec<Vec<u8>> = all
                .iter()
                .flat_map(|s| alphabet.iter().map(move |&c| [s.as_slice(), &[c]].concat()))
                .collect();
            all.extend(
                next.iter()
                    .filter(|s| !all.contains(s))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            all.sort();
            all.dedup();
        }
        for s in &all {
            for pad in [0usize, 8] {
                let long: Vec<u8> = std::iter::repeat_n(b'x', pad)
                    .chain(s.iter().copied())
                    .collect();
                if let Some(k) = pack(&long) {
                    if let Some(prev) = seen.insert(k, long.clone()) {
                        assert_eq!(prev, long);
                    }
                }
            }
        }
        assert!(pack(b"").is_none());
        assert!(pack(&[b'a'; 16]).is_none());
        assert!(seen.len() > 10_000);
    }
}
