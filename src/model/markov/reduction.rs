//! State reduction: exact elimination of a component's states, the direct
//! method for components too large for dense LU on which Gauss–Seidel
//! stalls (long journeys whose states form a long, barely branching path).
//!
//! Eliminating state `s` redirects every transition `p → s` along the
//! transitions leaving `s` (`p → t` gains `n_ps · n_st / d_s`, `p`'s flow
//! to absorption gains `n_ps · leak_s / d_s`, and its right-hand side
//! `n_ps · b_s / d_s`); back-substitution in reverse order then gives every
//! `x_s = (b_s + Σ_t n_st x_t) / d_s`. Diagonals are recomputed as
//! `leak_s + Σ_{t≠s} n_st`, a sum of non-negative terms, instead of
//! subtracting the returning flow (Grassmann, Taksar & Heyman 1985): no
//! cancellation, so the result is accurate entry by entry. States are
//! eliminated in order of least fill (in-degree × out-degree, lazily
//! updated), and the elimination gives up beyond a work budget, where
//! fill-in would make it slower than useful (well-mixed chains, on which
//! Gauss–Seidel converges fast anyway).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Two right-hand sides solved together: conversions and value.
pub(crate) type Pair = [f64; 2];

use super::index::{Slot, to_u32};

/// Most multiply–adds (and edge look-ups) an elimination may spend.
const WORK_BUDGET: u64 = 400_000_000;

/// A component's system: `diag_i x_i − Σ_j w_ij x_j = rhs_i` over local
/// states, rows `row_ptr[i]..row_ptr[i + 1]` of `cols`/`w` (off-diagonal,
/// in-component entries), every row leaking at least `diag_i − Σ_j w_ij`.
pub(crate) struct Component<'a> {
    pub row_ptr: &'a [usize],
    pub cols: &'a [u32],
    pub w: &'a [f64],
    pub diag: &'a [f64],
    pub rhs: &'a [Pair],
}

/// A row: `(target, count)` pairs.
type Row = Vec<(u32, f64)>;

/// An eliminated state: (state, its row at elimination, diagonal,
/// right-hand side).
type Eliminated = (u32, Row, f64, Pair);

/// A component after eliminating its cheap states: the system left on the
/// other states, and what back-substitution needs.
pub(crate) struct Reduced {
    /// The states left, in the component's numbering.
    pub left: Vec<u32>,
    /// Their rows, renumbered to positions in `left`.
    pub rows: Vec<Vec<(u32, f64)>>,
    /// Their diagonals (`leak + Σ row`).
    pub diag: Vec<f64>,
    /// Their right-hand sides.
    pub rhs: Vec<Pair>,
    /// Eliminated states, in order.
    eliminated: Vec<Eliminated>,
    size: usize,
}

impl Reduced {
    /// The component's solution from that of the states left.
    pub fn back_substitute(&self, x_left: &[Pair]) -> Vec<Pair> {
        let mut x: Vec<Pair> = vec![[0.0; 2]; self.size];
        for (&s, v) in self.left.iter().zip(x_left) {
            if let Some(xs) = x.get_mut(s as usize) {
                *xs = *v;
            }
        }
        for (s, row, d, b) in self.eliminated.iter().rev() {
            let mut acc = *b;
            for &(t, w) in row {
                if let Some(xt) = x.get(t as usize) {
                    acc[0] += w * xt[0];
                    acc[1] += w * xt[1];
                }
            }
            if let Some(xs) = x.get_mut(*s as usize) {
                *xs = [acc[0] / d, acc[1] / d];
            }
        }
        x
    }
}

/// Eliminates the component's states in order of least fill while the
/// cheapest costs at most `max_cost` (in-degree × out-degree); `None`
/// beyond the work budget.
pub(crate) fn reduce(c: &Component<'_>, max_cost: u64) -> Option<Reduced> {
    let m = c.diag.len();
    let mut out: Vec<Vec<(u32, f64)>> = Vec::with_capacity(m);
    let mut preds: Vec<Vec<u32>> = vec![Vec::new(); m];
    let mut leak: Vec<f64> = Vec::with_capacity(m);
    for i in 0..m {
        let lo = c.row_ptr.get(i).copied().unwrap_or(0);
        let hi = c.row_ptr.get(i + 1).copied().unwrap_or(lo);
        let row: Vec<(u32, f64)> = c
            .cols
            .get(lo..hi)
            .unwrap_or(&[])
            .iter()
            .copied()
            .zip(c.w.get(lo..hi).unwrap_or(&[]).iter().copied())
            .collect();
        let inside: f64 = row.iter().map(|e| e.1).sum();
        // Counts are exact integers in f64, so this difference is exact.
        leak.push((c.diag.get(i).copied().unwrap_or(0.0) - inside).max(0.0));
        for &(j, _) in &row {
            if let Some(p) = preds.get_mut(j as usize) {
                p.push(to_u32(i));
            }
        }
        out.push(row);
    }
    let mut rhs: Vec<Pair> = c.rhs.to_vec();
    rhs.resize(m, [0.0; 2]);
    let mut done = vec![false; m];
    let cost = |i: usize, out: &[Vec<(u32, f64)>], preds: &[Vec<u32>]| {
        let o = out.get(i).map_or(0, Vec::len);
        let p = preds.get(i).map_or(0, Vec::len);
        u64::try_from(o.saturating_mul(p)).unwrap_or(u64::MAX)
    };
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = (0..m)
        .map(|i| Reverse((cost(i, &out, &preds), to_u32(i))))
        .collect();
    let mut eliminated: Vec<Eliminated> = Vec::new();
    let mut work: u64 = 0;
    // The state whose elimination last updated each row.
    let mut seen: Vec<Option<Slot>> = vec![None; m];
    while let Some(Reverse((recorded, s32))) = heap.pop() {
        let s = s32 as usize;
        if done.get(s).copied().unwrap_or(true) {
            continue;
        }
        // Stale predecessor lists only overestimate; re-queue when the
        // state got more expensive since it was queued.
        if let Some(p) = preds.get_mut(s) {
            p.retain(|&q| !done.get(q as usize).copied().unwrap_or(true));
            p.sort_unstable();
            p.dedup();
        }
        let now = cost(s, &out, &preds);
        if now > recorded {
            heap.push(Reverse((now, s32)));
            continue;
        }
        if now > max_cost {
            break;
        }
        let row = out.get_mut(s).map(std::mem::take).unwrap_or_default();
        let leak_s = leak.get(s).copied().unwrap_or(0.0);
        let d_s = leak_s + row.iter().map(|e| e.1).sum::<f64>();
        if d_s <= 0.0 {
            return None;
        }
        let rhs_s = rhs.get(s).copied().unwrap_or([0.0; 2]);
        if let Some(f) = done.get_mut(s) {
            *f = true;
        }
        let ps = preds.get_mut(s).map(std::mem::take).unwrap_or_default();
        for &p in &ps {
            let pi = p as usize;
            if let Some(mark) = seen.get_mut(pi) {
                if mark.map(Slot::get) == Some(s32) {
                    continue;
                }
                *mark = Slot::new(s32);
            }
            let Some(prow) = out.get_mut(pi) else {
                continue;
            };
            let Some(at) = prow.iter().position(|e| e.0 == s32) else {
                continue;
            };
            let a = prow.swap_remove(at).1;
            let f = a / d_s;
            if let Some(r) = rhs.get_mut(pi) {
                r[0] += f * rhs_s[0];
                r[1] += f * rhs_s[1];
            }
            if let Some(l) = leak.get_mut(pi) {
                *l += f * leak_s;
            }
            let (prow_len, row_len) = (prow.len(), row.len());
            work = work.saturating_add(
                u64::try_from(prow_len.saturating_mul(row_len) + row_len).unwrap_or(u64::MAX),
            );
            if work > WORK_BUDGET {
                return None;
            }
            for &(t, b) in &row {
                if t == p {
                    continue; // p → s → p returns to p: not an outflow
                }
                match prow.iter_mut().find(|e| e.0 == t) {
                    Some(e) => e.1 += f * b,
                    None => {
                        prow.push((t, f * b));
                        if let Some(tp) = preds.get_mut(t as usize) {
                            tp.push(p);
                        }
                    }
                }
            }
        }
        for &(t, _) in &row {
            let ti = t as usize;
            if !done.get(ti).copied().unwrap_or(true) {
                heap.push(Reverse((cost(ti, &out, &preds), t)));
            }
        }
        for &p in &ps {
            let pi = p as usize;
            if !done.get(pi).copied().unwrap_or(true) {
                heap.push(Reverse((cost(pi, &out, &preds), p)));
            }
        }
        eliminated.push((s32, row, d_s, rhs_s));
    }
    let left: Vec<u32> = (0..m)
        .filter(|&i| !done.get(i).copied().unwrap_or(true))
        .map(to_u32)
        .collect();
    // Position of each state left in `left` (`None`: eliminated).
    let mut position: Vec<Option<Slot>> = vec![None; m];
    for (k, &s) in left.iter().enumerate() {
        if let Some(p) = position.get_mut(s as usize) {
            *p = Slot::new(to_u32(k));
        }
    }
    let mut rows = Vec::with_capacity(left.len());
    let mut diag = Vec::with_capacity(left.len());
    let mut left_rhs = Vec::with_capacity(left.len());
    for &s in &left {
        let s = s as usize;
        let row: Vec<(u32, f64)> = out
            .get(s)
            .map(|r| {
                // Eliminations redirected every transition into an
                // eliminated state: the targets are states left.
                r.iter()
                    .filter_map(|&(t, w)| {
                        let p = position.get(t as usize).copied().flatten()?;
                        Some((p.get(), w))
                    })
                    .collect()
            })
            .unwrap_or_default();
        diag.push(leak.get(s).copied().unwrap_or(0.0) + row.iter().map(|e| e.1).sum::<f64>());
        left_rhs.push(rhs.get(s).copied().unwrap_or([0.0; 2]));
        rows.push(row);
    }
    Some(Reduced {
        left,
        rows,
        diag,
        rhs: left_rhs,
        eliminated,
        size: m,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cycle_with_one_exit_is_solved_exactly() {
        // 0 → 1 → 2 → 0 (count 9 each), 2 also exits with 1 conversion:
        // every state converts with probability 1.
        let row_ptr = [0, 1, 2, 3];
        let cols = [1, 2, 0];
        let w = [9.0, 9.0, 9.0];
        let diag = [9.0, 9.0, 10.0];
        let rhs = [[0.0, 0.0], [0.0, 0.0], [1.0, 2.0]];
        let reduced = reduce(
            &Component {
                row_ptr: &row_ptr,
                cols: &cols,
                w: &w,
                diag: &diag,
                rhs: &rhs,
            },
            u64::MAX,
        )
        .unwrap();
        assert!(reduced.left.is_empty());
        let x = reduced.back_substitute(&[]);
        assert_eq!(x, vec![[1.0, 2.0]; 3]);
    }

    #[test]
    fn a_branching_component_matches_the_hand_solution() {
        // 0 → 1 (2), 0 → 2 (2), 0 leaks 1 (rhs 1); 1 → 0 (1), 1 leaks 1;
        // 2 → 0 (3), 2 leaks 1 (rhs 1).
        // x0 = (1 + 2 x1 + 2 x2) / 5, x1 = x0 / 2, x2 = (1 + 3 x0) / 4
        // → x0 = (1 + x0 + 0.5 + 1.5 x0) / 5 → 2.5 x0 = 1.5 → x0 = 0.6.
        let row_ptr = [0, 2, 3, 4];
        let cols = [1, 2, 0, 0];
        let w = [2.0, 2.0, 1.0, 3.0];
        let diag = [5.0, 2.0, 4.0];
        let rhs = [[1.0, 0.0], [0.0, 0.0], [1.0, 0.0]];
        let reduced = reduce(
            &Component {
                row_ptr: &row_ptr,
                cols: &cols,
                w: &w,
                diag: &diag,
                rhs: &rhs,
            },
            u64::MAX,
        )
        .unwrap();
        assert!(reduced.left.is_empty());
        let x = reduced.back_substitute(&[]);
        let expected = [0.6, 0.3, 0.7];
        for (xi, e) in x.iter().zip(expected) {
            assert!((xi[0] - e).abs() < 1e-15, "{x:?}");
            assert_eq!(xi[1], 0.0);
        }
    }
}

#[cfg(test)]
mod partial_tests {
    use super::*;

    #[test]
    fn cheap_states_go_first_and_expensive_ones_stay() {
        // A hub 0 with two 2-cycles through it: 0 → 1 → 0, 0 → 2 → 0; the
        // hub converts. The spokes (cost 1) go; the hub's flow through them
        // returns to it, which leaves it costless, so it goes too.
        let reduced = reduce(
            &Component {
                row_ptr: &[0, 2, 3, 4],
                cols: &[1, 2, 0, 0],
                w: &[3.0, 3.0, 3.0, 3.0],
                diag: &[7.0, 3.0, 3.0],
                rhs: &[[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]],
            },
            1,
        )
        .unwrap();
        assert!(reduced.left.is_empty());
        assert_eq!(reduced.back_substitute(&[]), vec![[1.0, 1.0]; 3]);
        // Four states all linked to each other (cost 9 each): none is cheap.
        let row_ptr = [0, 3, 6, 9, 12];
        let cols = [1, 2, 3, 0, 2, 3, 0, 1, 3, 0, 1, 2];
        let w = [1.0; 12];
        let diag = [4.0; 4];
        let rhs = [[1.0, 0.0]; 4];
        let reduced = reduce(
            &Component {
                row_ptr: &row_ptr,
                cols: &cols,
                w: &w,
                diag: &diag,
                rhs: &rhs,
            },
            4,
        )
        .unwrap();
        assert_eq!(reduced.left, vec![0, 1, 2, 3]);
        assert_eq!(reduced.diag, vec![4.0; 4]);
        assert_eq!(reduced.rows[0], vec![(1, 1.0), (2, 1.0), (3, 1.0)]);
        // Every state: x = (1 + 3x) / 4, so x = 1.
        assert_eq!(
            reduced.back_substitute(&[[1.0, 0.0]; 4]),
            vec![[1.0, 0.0]; 4]
        );
    }
}
