//! Transition tables, the chain as a petgraph graph, and DOT export.

use std::fmt;

use petgraph::dot::Dot;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use super::chain::MarkovChain;
use super::filter::EdgeFilter;
use crate::channel::Channels;

/// The reserved name of the start state (no channel may have it).
pub const START: &str = Channels::RESERVED[0];
/// The reserved name of the conversion state.
pub const CONVERSION: &str = Channels::RESERVED[1];
/// The reserved name of the null (no conversion) state.
pub const NULL: &str = Channels::RESERVED[2];

/// One row of the transition matrix: `from,to,probability,count`.
///
/// States are written as their channel names joined by ` > `; `(start)`,
/// `(conversion)` and `(null)` are reserved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionRow {
    /// The state left.
    pub from: String,
    /// The state entered.
    pub to: String,
    /// `count / (total count leaving from)`.
    pub probability: f64,
    /// Journeys (weighted by their counts) making this transition.
    pub count: u64,
}

/// The weight of an edge of [`MarkovChain::graph`]; displays as
/// `probability (count)`, the DOT edge label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TransitionEdge {
    /// Transition probability.
    pub probability: f64,
    /// Transition count.
    pub count: u64,
}

impl fmt::Display for TransitionEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.4} ({})", self.probability, self.count)
    }
}

fn ratio(count: f64, total: f64) -> f64 {
    if total > 0.0 { count / total } else { 0.0 }
}

impl MarkovChain {
    /// The transition matrix as rows: `(start)` to every first state, then
    /// for every state (in canonical order) its transitions to states,
    /// `(conversion)` and `(null)`. Zero-count transitions are omitted.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    /// use attribution::model::markov::{MarkovChain, TransitionCounts};
    ///
    /// let mut channels = Channels::new();
    /// let a = channels.intern("a")?;
    /// let b = channels.intern("b")?;
    /// let mut counts = TransitionCounts::new(2)?;
    /// counts.observe_path(&[a, b, a], 1, 3, 0.0);
    /// let chain = MarkovChain::new(&counts, &channels)?;
    /// let rows = chain.transitions();
    /// let text: Vec<String> = rows
    ///     .iter()
    ///     .map(|r| format!("{},{},{},{}", r.from, r.to, r.probability, r.count))
    ///     .collect();
    /// assert_eq!(text, [
    ///     "(start),a > b,1,4",
    ///     "a > b,b > a,1,4",
    ///     "b > a,(conversion),0.25,1",
    ///     "b > a,(null),0.75,3",
    /// ]);
    /// # Ok::<(), attribution::Error>(())
    /// ```
    #[must_use]
    pub fn transitions(&self) -> Vec<TransitionRow> {
        self.transitions_indexed()
            .iter()
            .map(|r| self.labelled(r))
            .collect()
    }

    /// An indexed row with its states named.
    fn labelled(&self, row: &IndexedRow) -> TransitionRow {
        let name = |s: usize| self.state_label(s).unwrap_or_default();
        TransitionRow {
            from: row.from.map_or_else(|| START.to_owned(), name),
            to: match row.to {
                Target::State(t) => name(t),
                Target::Conversion => CONVERSION.to_owned(),
                Target::Null => NULL.to_owned(),
            },
            probability: row.probability,
            count: row.count,
        }
    }

    /// Writes [`MarkovChain::transitions`] as CSV with the header
    /// `from,to,probability,count`, numbers in shortest round-trip form.
    ///
    /// # Errors
    ///
    /// When writing to `out` fails.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    /// use attribution::model::markov::{MarkovChain, TransitionCounts};
    ///
    /// let mut channels = Channels::new();
    /// let a = channels.intern("a")?;
    /// let mut counts = TransitionCounts::new(1)?;
    /// counts.observe_path(&[a], 1, 2, 0.0);
    /// let mut out = Vec::new();
    /// MarkovChain::new(&counts, &channels)?.write_transitions_csv(&mut out)?;
    /// assert_eq!(
    ///     String::from_utf8(out)?,
    ///     "from,to,probability,count\n(start),a,1.0,3\na,(conversion),0.3333333333333333,1\na,(null),0.6666666666666666,2\n"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_transitions_csv<W: std::io::Write>(&self, out: W) -> Result<(), csv::Error> {
        let mut writer = csv::Writer::from_writer(out);
        for row in self.transitions() {
            writer.serialize(row)?;
        }
        writer.flush()?;
        Ok(())
    }

    /// The chain as a petgraph graph: node 0 is `(start)`, nodes `1..=S` the
    /// states in canonical order, then `(conversion)` and `(null)`; node
    /// weights are the names, edge weights [`TransitionEdge`].
    #[must_use]
    pub fn graph(&self) -> DiGraph<String, TransitionEdge> {
        self.graph_filtered(&EdgeFilter::default())
    }

    /// [`MarkovChain::graph`] with only the edges `filter` keeps. With a
    /// filter that removes anything ([`EdgeFilter::is_empty`] is false),
    /// nodes left without any edge are left out too; the order of the
    /// remaining nodes is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    /// use attribution::model::markov::{EdgeFilter, MarkovChain, TransitionCounts};
    ///
    /// let mut channels = Channels::new();
    /// let a = channels.intern("a")?;
    /// let b = channels.intern("b")?;
    /// let mut counts = TransitionCounts::new(1)?;
    /// counts.observe_path(&[a], 1, 3, 0.0); // a: 1/4 conversion, 3/4 null
    /// counts.observe_path(&[b], 0, 1, 0.0); // b: only null
    /// let chain = MarkovChain::new(&counts, &channels)?;
    /// assert_eq!(chain.graph().edge_count(), 5);
    /// // The most probable edge of each node: (start)->a, a->(null), b->(null).
    /// let top = chain.graph_filtered(&EdgeFilter::new(0.0, Some(1))?);
    /// assert_eq!(top.edge_count(), 3);
    /// // No edge into (conversion) is left, so its node is dropped.
    /// assert_eq!(top.node_count(), 4);
    /// # Ok::<(), attribution::Error>(())
    /// ```
    #[must_use]
    pub fn graph_filtered(&self, filter: &EdgeFilter) -> DiGraph<String, TransitionEdge> {
        let rows = self.transitions_indexed();
        let keys: Vec<(Option<usize>, f64)> =
            rows.iter().map(|r| (r.from, r.probability)).collect();
        let keep = filter.keep(&keys);
        let kept = || {
            rows.iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(row, _)| row)
        };
        let ns = self.n_states();
        // Node keys: 0 = (start), 1..=ns the states, ns + 1 = (conversion), ns + 2 = (null).
        let key_of = |t: &Target| match *t {
            Target::State(s) => s + 1,
            Target::Conversion => ns + 1,
            Target::Null => ns + 2,
        };
        let mut used = vec![filter.is_empty(); ns + 3];
        for row in kept() {
            for key in [row.from.map_or(0, |s| s + 1), key_of(&row.to)] {
                if let Some(u) = used.get_mut(key) {
                    *u = true;
                }
            }
        }
        let mut g = DiGraph::with_capacity(ns + 3, rows.len());
        let nodes: Vec<Option<NodeIndex>> = used
            .iter()
            .enumerate()
            .map(|(key, &u)| {
                u.then(|| {
                    g.add_node(match key {
                        0 => START.to_owned(),
                        k if k == ns + 1 => CONVERSION.to_owned(),
                        k if k == ns + 2 => NULL.to_owned(),
                        k => self.state_label(k - 1).unwrap_or_default(),
                    })
                })
            })
            .collect();
        let node = |key: usize| nodes.get(key).copied().flatten();
        for row in kept() {
            if let (Some(from), Some(to)) =
                (node(row.from.map_or(0, |s| s + 1)), node(key_of(&row.to)))
            {
                g.add_edge(
                    from,
                    to,
                    TransitionEdge {
                        probability: row.probability,
                        count: row.count,
                    },
                );
            }
        }
        g
    }

    /// The chain in Graphviz DOT, edges labelled `probability (count)`
    /// (`dot -Tsvg chain.dot > chain.svg` draws it).
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    /// use attribution::model::markov::{MarkovChain, TransitionCounts};
    ///
    /// let mut channels = Channels::new();
    /// let a = channels.intern("a")?;
    /// let mut counts = TransitionCounts::new(1)?;
    /// counts.observe_path(&[a], 1, 1, 0.0);
    /// let dot = MarkovChain::new(&counts, &channels)?.to_dot();
    /// assert!(dot.starts_with("digraph {"));
    /// assert!(dot.contains("label = \"(start)\""));
    /// assert!(dot.contains("0 -> 1 [ label = \"1.0000 (2)\" ]"));
    /// assert!(dot.contains("1 -> 2 [ label = \"0.5000 (1)\" ]"));
    /// # Ok::<(), attribution::Error>(())
    /// ```
    #[must_use]
    pub fn to_dot(&self) -> String {
        format!("{}", Dot::new(&self.graph()))
    }

    /// [`MarkovChain::to_dot`] of [`MarkovChain::graph_filtered`]: only the
    /// edges `filter` keeps, and (when it removes any) only the nodes that
    /// still have an edge.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    /// use attribution::model::markov::{EdgeFilter, MarkovChain, TransitionCounts};
    ///
    /// let mut channels = Channels::new();
    /// let a = channels.intern("a")?;
    /// let mut counts = TransitionCounts::new(1)?;
    /// counts.observe_path(&[a], 1, 3, 0.0);
    /// let chain = MarkovChain::new(&counts, &channels)?;
    /// let dot = chain.to_dot_filtered(&EdgeFilter::new(0.5, None)?);
    /// assert!(dot.contains("0 -> 1 [ label = \"1.0000 (4)\" ]"));
    /// assert!(dot.contains("1 -> 2 [ label = \"0.7500 (3)\" ]"));
    /// assert!(dot.contains("2 [ label = \"(null)\" ]"));
    /// assert!(!dot.contains("(conversion)"));
    /// # Ok::<(), attribution::Error>(())
    /// ```
    #[must_use]
    pub fn to_dot_filtered(&self, filter: &EdgeFilter) -> String {
        format!("{}", Dot::new(&self.graph_filtered(filter)))
    }

    /// [`MarkovChain::transitions`] with only the rows `filter` keeps (each
    /// state's outgoing rows filtered separately; see [`EdgeFilter`]).
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    /// use attribution::model::markov::{EdgeFilter, MarkovChain, TransitionCounts};
    ///
    /// let mut channels = Channels::new();
    /// let a = channels.intern("a")?;
    /// let mut counts = TransitionCounts::new(1)?;
    /// counts.observe_path(&[a], 1, 3, 0.0);
    /// let chain = MarkovChain::new(&counts, &channels)?;
    /// let rows = chain.transitions_filtered(&EdgeFilter::new(0.0, Some(1))?);
    /// let text: Vec<String> = rows.iter().map(|r| format!("{} -> {}", r.from, r.to)).collect();
    /// assert_eq!(text, ["(start) -> a", "a -> (null)"]);
    /// # Ok::<(), attribution::Error>(())
    /// ```
    #[must_use]
    pub fn transitions_filtered(&self, filter: &EdgeFilter) -> Vec<TransitionRow> {
        let rows = self.transitions_indexed();
        let keys: Vec<(Option<usize>, f64)> =
            rows.iter().map(|r| (r.from, r.probability)).collect();
        rows.iter()
            .zip(filter.keep(&keys))
            .filter(|(_, k)| *k)
            .map(|(row, _)| self.labelled(row))
            .collect()
    }

    fn transitions_indexed(&self) -> Vec<IndexedRow> {
        // Probabilities from the f64 counts (exact below 2^53, or the
        // weights of a weighted chain); counts as the integers shown.
        let mut rows = Vec::new();
        let n = self.journeys_weight();
        for (s, &c) in self.start.iter().enumerate() {
            let w = self.start_weight(s);
            if w > 0.0 {
                rows.push(IndexedRow {
                    from: None,
                    to: Target::State(s),
                    probability: ratio(w, n),
                    count: c,
                });
            }
        }
        for s in 0..self.n_states() {
            let out = self.out_weight(s);
            for ((t, c), (_, w)) in self.row(s).zip(self.row_weights(s)) {
                rows.push(IndexedRow {
                    from: Some(s),
                    to: Target::State(t as usize),
                    probability: ratio(w, out),
                    count: c,
                });
            }
            for (to, c, w) in [
                (
                    Target::Conversion,
                    self.conversions.get(s).copied().unwrap_or(0),
                    self.conversion_weight(s),
                ),
                (
                    Target::Null,
                    self.nulls.get(s).copied().unwrap_or(0),
                    self.null_weight(s),
                ),
            ] {
                if w > 0.0 {
                    rows.push(IndexedRow {
                        from: Some(s),
                        to,
                        probability: ratio(w, out),
                        count: c,
                    });
                }
            }
        }
        rows
    }
}

enum Target {
    State(usize),
    Conversion,
    Null,
}

struct IndexedRow {
    from: Option<usize>,
    to: Target,
    probability: f64,
    count: u64,
}
