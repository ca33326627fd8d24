//! The states a block of channel removals sweeps: those that can reach a
//! removed state.
//!
//! With the removed states `C` clamped to the full chain's solution, a
//! state that cannot reach `C` has `e = 0` exactly (every walk from it
//! avoids `C`) and a zero residual, so a block only needs the ancestors of
//! its removed states. Sweeping the whole chain for every block made the
//! removals quadratic in the number of channels when each channel is
//! reached from few states (100 000 channels seen once each: 9.4 s, and a
//! million did not finish); on a strongly connected chain the ancestors are
//! every state and the block sweeps the chain as before.

use super::index::to_u32;
use super::scc::Components;
use super::system::System;

/// What every block shares: the sweep order and the predecessor lists.
pub(crate) struct Plan {
    /// Live states in sweep order: components in reverse topological
    /// order, the states of a cyclic component by
    /// [`System::sweep_rank`].
    order: Vec<u32>,
    /// `order[bounds[i]..bounds[i + 1]]` is component `i`.
    bounds: Vec<usize>,
    /// Position of each state in `order`.
    position: Vec<u32>,
    /// Component of each state.
    component: Vec<u32>,
    /// Rows plus transitions of each cyclic component (0 for a single
    /// state, which a sweep settles in one update).
    cyclic_work: Vec<u64>,
    /// Predecessors of each state (CSR over the live states).
    pred_ptr: Vec<usize>,
    preds: Vec<u32>,
}

impl Plan {
    pub fn new(sys: &System) -> Self {
        let n = sys.n;
        let mut components = Components::default();
        components.run(&sys.row_ptr, &sys.cols, &vec![false; n]);
        let mut order = Vec::with_capacity(n);
        let mut bounds = Vec::with_capacity(components.len() + 1);
        bounds.push(0);
        let mut component = vec![0u32; n];
        for c in 0..components.len() {
            let scc = components.get(c);
            let start = order.len();
            order.extend_from_slice(scc);
            if scc.len() > 1 {
                // Sweep states sharing successors together (see
                // `System::sweep_rank`): 30% faster at order 3 than Tarjan's
                // order, measured on 100 000 paths × 50 channels.
                if let Some(part) = order.get_mut(start..) {
                    part.sort_unstable_by_key(|&v| {
                        sys.sweep_rank.get(v as usize).copied().unwrap_or(0)
                    });
                }
            }
            for &v in scc {
                if let Some(x) = component.get_mut(v as usize) {
                    *x = to_u32(c);
                }
            }
            bounds.push(order.len());
        }
        let mut position = vec![0u32; n];
        for (p, &v) in order.iter().enumerate() {
            if let Some(x) = position.get_mut(v as usize) {
                *x = to_u32(p);
            }
        }
        let mut pred_ptr = vec![0usize; n + 1];
        for &t in &sys.cols {
            if let Some(x) = pred_ptr.get_mut(t as usize + 1) {
                *x += 1;
            }
        }
        for i in 0..n {
            let prev = pred_ptr.get(i).copied().unwrap_or(0);
            if let Some(x) = pred_ptr.get_mut(i + 1) {
                *x += prev;
            }
        }
        let mut fill = pred_ptr.clone();
        let mut preds = vec![0u32; sys.cols.len()];
        for s in 0..n {
            let (cols, _) = sys.row(s);
            for &t in cols {
                if let Some(at) = fill.get_mut(t as usize) {
                    if let Some(p) = preds.get_mut(*at) {
                        *p = to_u32(s);
                    }
                    *at += 1;
                }
            }
        }
        let mut cyclic_work = vec![0u64; components.len()];
        for (c, work) in cyclic_work.iter_mut().enumerate() {
            let scc = components.get(c);
            if scc.len() > 1 {
                let edges: usize = scc.iter().map(|&v| sys.row(v as usize).0.len()).sum();
                *work = u64::try_from(scc.len() + edges).unwrap_or(u64::MAX);
            }
        }
        Self {
            order,
            bounds,
            position,
            component,
            cyclic_work,
            pred_ptr,
            preds,
        }
    }

    /// A lower bound on the work of one sweep of a block with the removed
    /// states `removed`: the rows and transitions of the cyclic components
    /// holding them (which the block sweeps until they converge).
    pub fn cyclic_work(&self, removed: impl Iterator<Item = u32>) -> u64 {
        let mut seen: Vec<u32> = removed
            .filter_map(|s| self.component.get(s as usize).copied())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.iter()
            .filter_map(|&c| self.cyclic_work.get(c as usize))
            .fold(0u64, |a, &w| a.saturating_add(w))
    }

    /// The predecessors of state `s`.
    pub fn preds(&self, s: usize) -> &[u32] {
        let lo = self.pred_ptr.get(s).copied().unwrap_or(0);
        let hi = self.pred_ptr.get(s + 1).copied().unwrap_or(lo);
        self.preds.get(lo..hi).unwrap_or(&[])
    }
}

/// The rows a block sweeps, numbered `0..diag.len()`.
pub(crate) struct View<'a> {
    pub row_ptr: &'a [usize],
    pub cols: &'a [u32],
    pub w: &'a [f64],
    pub diag: &'a [f64],
    pub start: &'a [f64],
    /// The rows in sweep order, component after component
    /// (`items[bounds[i]..bounds[i + 1]]`).
    pub items: &'a [u32],
    pub bounds: &'a [usize],
    /// The row of each of the chain's states, valid where `mark == stamp`
    /// (`None`: the identity).
    local: Option<(&'a [u32], &'a [u32], u32)>,
}

impl View<'_> {
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let lo = self.row_ptr.get(i).copied().unwrap_or(0);
        let hi = self.row_ptr.get(i + 1).copied().unwrap_or(lo);
        (
            self.cols.get(lo..hi).unwrap_or(&[]),
            self.w.get(lo..hi).unwrap_or(&[]),
        )
    }

    /// The row of the chain's state `s`, if the view holds it.
    pub fn row_of(&self, s: usize) -> Option<usize> {
        match self.local {
            None => Some(s),
            Some((mark, local, stamp)) => (mark.get(s) == Some(&stamp))
                .then(|| local.get(s).map(|&l| l as usize))
                .flatten(),
        }
    }
}

/// Buffers of one worker, reused from block to block.
#[derive(Default)]
pub(crate) struct Scratch {
    stamp: u32,
    mark: Vec<u32>,
    members: Vec<u32>,
    local: Vec<u32>,
    row_ptr: Vec<usize>,
    cols: Vec<u32>,
    w: Vec<f64>,
    diag: Vec<f64>,
    start: Vec<f64>,
    items: Vec<u32>,
    bounds: Vec<usize>,
}

impl Scratch {
    /// The rows to sweep for the removed states `removed`: the ancestors
    /// of `removed` (themselves included), renumbered in sweep order, or
    /// the whole chain when they are more than half of it.
    pub fn view<'a>(
        &'a mut self,
        sys: &'a System,
        plan: &'a Plan,
        removed: impl Iterator<Item = u32>,
    ) -> View<'a> {
        let n = sys.n;
        if self.mark.len() < n {
            self.mark.resize(n, 0);
            self.local.resize(n, 0);
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        self.members.clear();
        for r in removed {
            if let Some(m) = self.mark.get_mut(r as usize) {
                if *m != stamp {
                    *m = stamp;
                    self.members.push(r);
                }
            }
        }
        let mut i = 0;
        let mut whole = false;
        while let Some(&s) = self.members.get(i) {
            for &p in plan.preds(s as usize) {
                if let Some(m) = self.mark.get_mut(p as usize) {
                    if *m != stamp {
                        *m = stamp;
                        self.members.push(p);
                    }
                }
            }
            if 2 * self.members.len() > n {
                whole = true;
                break;
            }
            i += 1;
        }
        if whole {
            return View {
                row_ptr: &sys.row_ptr,
                cols: &sys.cols,
                w: &sys.w,
                diag: &sys.diag,
                start: &sys.start,
                items: &plan.order,
                bounds: &plan.bounds,
                local: None,
            };
        }
        self.members
            .sort_unstable_by_key(|&s| plan.position.get(s as usize).copied().unwrap_or(0));
        for (k, &s) in self.members.iter().enumerate() {
            if let Some(l) = self.local.get_mut(s as usize) {
                *l = to_u32(k);
            }
        }
        self.row_ptr.clear();
        self.cols.clear();
        self.w.clear();
        self.diag.clear();
        self.start.clear();
        self.items.clear();
        self.bounds.clear();
        self.row_ptr.push(0);
        self.bounds.push(0);
        let mut previous = None;
        for (k, &s) in self.members.iter().enumerate() {
            let s = s as usize;
            let (cols, w) = sys.row(s);
            for (&t, &wt) in cols.iter().zip(w) {
                // Successors outside the view cannot reach the removed
                // states: their e is 0 and drops out.
                if self.mark.get(t as usize) == Some(&stamp) {
                    if let Some(&l) = self.local.get(t as usize) {
                        self.cols.push(l);
                        self.w.push(wt);
                    }
                }
            }
            self.row_ptr.push(self.cols.len());
            self.diag.push(sys.diag.get(s).copied().unwrap_or(1.0));
            self.start.push(sys.start.get(s).copied().unwrap_or(0.0));
            self.items.push(to_u32(k));
            // The ancestors of a state include its whole component, so the
            // components come whole and contiguous in sweep order.
            let c = plan.component.get(s).copied();
            if previous.is_some() && previous != c {
                self.bounds.push(k);
            }
            previous = c;
        }
        if !self.members.is_empty() {
            self.bounds.push(self.members.len());
        }
        View {
            row_ptr: &self.row_ptr,
            cols: &self.cols,
            w: &self.w,
            diag: &self.diag,
            start: &self.start,
            items: &self.items,
            bounds: &self.bounds,
            local: Some((&self.mark, &self.local, stamp)),
        }
    }
}
