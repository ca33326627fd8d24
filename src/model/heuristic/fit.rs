//! [`HeuristicFit`]: what fitting a heuristic gives.

use crate::attribution::Attribution;
use crate::model::Fitted;

/// A fitted heuristic: its attribution (heuristics learn nothing else).
#[derive(Debug, Clone, PartialEq)]
pub struct HeuristicFit {
    attribution: Attribution,
}

impl HeuristicFit {
    pub(crate) fn new(attribution: Attribution) -> Self {
        Self { attribution }
    }
}

impl Fitted for HeuristicFit {
    fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    fn into_attribution(self) -> Attribution {
        self.attribution
    }
}
