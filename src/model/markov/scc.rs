//! Strongly connected components of a CSR graph restricted to a node subset.
//!
//! Tarjan's algorithm, iterative (an explicit call stack, so chains of 10⁵–10⁶
//! states cannot overflow the thread stack), with buffers reused across the
//! per-channel removals. Written here rather than taken from petgraph because
//! petgraph's `tarjan_scc` recurses once per node along a DFS path and its
//! `kosaraju_scc` needs the reversed graph and one allocation per component:
//! measured on 100 000 paths × 50 channels at order 3 (52 000 live states),
//! it took 8 ms of the 35 ms of each removal.

use super::index::{Slot, to_u32};

/// Reusable buffers; [`Components::run`] fills `order` and `bounds`.
#[derive(Debug, Default)]
pub(crate) struct Components {
    /// The DFS number of each node; `None` until visited.
    index: Vec<Option<Slot>>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    call: Vec<(u32, usize)>,
    /// Nodes, component after component, in reverse topological order of the
    /// components (every component's successors come before it).
    pub order: Vec<u32>,
    /// `order[bounds[i]..bounds[i + 1]]` is component `i`.
    pub bounds: Vec<usize>,
}

impl Components {
    /// Finds the components of the graph `row_ptr`/`cols` on the nodes with
    /// `skip[v] == false`.
    pub fn run(&mut self, row_ptr: &[usize], cols: &[u32], skip: &[bool]) {
        let n = skip.len();
        self.index.clear();
        self.index.resize(n, None);
        self.low.clear();
        self.low.resize(n, 0);
        self.on_stack.clear();
        self.on_stack.resize(n, false);
        self.stack.clear();
        self.call.clear();
        self.order.clear();
        self.bounds.clear();
        self.bounds.push(0);
        let mut counter: u32 = 0;
        let edges = |v: usize| {
            let lo = row_ptr.get(v).copied().unwrap_or(0);
            let hi = row_ptr.get(v + 1).copied().unwrap_or(lo);
            (lo, hi)
        };
        for root in 0..n {
            if skip.get(root).copied().unwrap_or(true)
                || self.index.get(root).copied().flatten().is_some()
            {
                continue;
            }
            self.open(to_u32(root), &mut counter, edges(root).0);
            while let Some(&(v, pos)) = self.call.last() {
                let vi = v as usize;
                let (_, hi) = edges(vi);
                if pos < hi {
                    if let Some(top) = self.call.last_mut() {
                        top.1 += 1;
                    }
                    let Some(&w) = cols.get(pos) else {
                        continue;
                    };
                    let wi = w as usize;
                    if skip.get(wi).copied().unwrap_or(true) {
                        continue;
                    }
                    match self.index.get(wi).copied().flatten() {
                        None => self.open(w, &mut counter, edges(wi).0),
                        Some(iw) => {
                            if self.on_stack.get(wi).copied().unwrap_or(false) {
                                if let Some(l) = self.low.get_mut(vi) {
                                    *l = (*l).min(iw.get());
                                }
                            }
                        }
                    }
                    continue;
                }
                self.call.pop();
                let low_v = self.low.get(vi).copied().unwrap_or(0);
                if let Some(&(u, _)) = self.call.last() {
                    if let Some(l) = self.low.get_mut(u as usize) {
                        *l = (*l).min(low_v);
                    }
                }
                if Some(low_v) == self.index.get(vi).copied().flatten().map(Slot::get) {
                    while let Some(w) = self.stack.pop() {
                        if let Some(f) = self.on_stack.get_mut(w as usize) {
                            *f = false;
                        }
                        self.order.push(w);
                        if w == v {
                            break;
                        }
                    }
                    self.bounds.push(self.order.len());
                }
            }
        }
    }

    fn open(&mut self, v: u32, counter: &mut u32, first_edge: usize) {
        let vi = v as usize;
        if let Some(i) = self.index.get_mut(vi) {
            *i = Slot::new(*counter);
        }
        if let Some(l) = self.low.get_mut(vi) {
            *l = *counter;
        }
        *counter = counter.saturating_add(1);
        if let Some(f) = self.on_stack.get_mut(vi) {
            *f = true;
        }
        self.stack.push(v);
        self.call.push((v, first_edge));
    }

    /// The number of components found.
    pub fn len(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// Component `i`.
    pub fn get(&self, i: usize) -> &[u32] {
        let lo = self.bounds.get(i).copied().unwrap_or(0);
        let hi = self.bounds.get(i + 1).copied().unwrap_or(lo);
        self.order.get(lo..hi).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(n: usize, edges: &[(u32, u32)]) -> (Vec<usize>, Vec<u32>) {
        let mut row_ptr = vec![0; n + 1];
        let mut sorted = edges.to_vec();
        sorted.sort_unstable();
        for &(f, _) in &sorted {
            row_ptr[f as usize + 1] += 1;
        }
        for i in 0..n {
            row_ptr[i + 1] += row_ptr[i];
        }
        (row_ptr, sorted.iter().map(|e| e.1).collect())
    }

    fn sets(c: &Components) -> Vec<Vec<u32>> {
        (0..c.len())
            .map(|i| {
                let mut v = c.get(i).to_vec();
                v.sort_unstable();
                v
            })
            .collect()
    }

    #[test]
    fn components_come_successors_first() {
        // 0 -> 1 -> 2 -> 0 (cycle), 2 -> 3, 3 -> 4 -> 3 (cycle), 5 -> 0
        let (rp, cols) = csr(6, &[(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 3), (5, 0)]);
        let mut c = Components::default();
        c.run(&rp, &cols, &[false; 6]);
        assert_eq!(sets(&c), vec![vec![3, 4], vec![0, 1, 2], vec![5]]);
        // removing node 1 breaks the first cycle: 0 becomes a sink
        let mut skip = [false; 6];
        skip[1] = true;
        c.run(&rp, &cols, &skip);
        assert_eq!(sets(&c), vec![vec![0], vec![3, 4], vec![2], vec![5]]);
        // every edge goes to the same or an earlier component
        let mut comp = [None; 6];
        for i in 0..c.len() {
            for &v in c.get(i) {
                comp[v as usize] = Some(i);
            }
        }
        for u in 0..6 {
            assert_eq!(comp[u].is_none(), skip[u]);
            for &v in &cols[rp[u]..rp[u + 1]] {
                if !skip[u] && !skip[v as usize] {
                    assert!(comp[v as usize] <= comp[u]);
                }
            }
        }
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 1_000_000u32;
        let edges: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).chain([(n - 1, 0)]).collect();
        let (rp, cols) = csr(n as usize, &edges);
        let mut c = Components::default();
        c.run(&rp, &cols, &vec![false; n as usize]);
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(0).len(), n as usize);
    }
}
