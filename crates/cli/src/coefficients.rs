//! `--coefficients FILE`: the fitted terms of every `dda` model of the run,
//! `model,term,coefficient,odds_ratio` (the `model` cell as in the output's
//! `model` column).

use std::path::Path;

use attribution::model::dda::{Coefficient, DdaFit};
use attribution::model::{DynModel, DynState};
use attribution::{Attribution, ModelError};

use crate::error::{CliError, write_failed};

/// Finishes `state` through the fit when the model is a `dda` (its
/// coefficients come back too), else as [`crate::runner::finish`].
pub fn finish(
    model: &dyn DynModel,
    state: &dyn DynState,
) -> Result<(Attribution, Option<Vec<Coefficient>>), ModelError> {
    if model.name() != "dda" {
        return crate::runner::finish(model, state).map(|a| (a, None));
    }
    let fitted = model.fit(state)?;
    let Some(fit) = fitted.as_any().downcast_ref::<DdaFit>() else {
        return Ok((fitted.attribution().clone(), None));
    };
    Ok((
        attribution::Fitted::attribution(fit).clone(),
        Some(fit.coefficients().to_vec()),
    ))
}

/// Writes the coefficients of every labelled `dda` fit to `path`.
pub fn write(path: &Path, fits: &[(String, Vec<Coefficient>)]) -> Result<(), CliError> {
    let name = path.display().to_string();
    let failed = |e: csv::Error| crate::error::in_input(&name)(write_failed(e));
    let out = crate::open_output(Some(path))?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["model", "term", "coefficient", "odds_ratio"])
        .map_err(failed)?;
    for (label, coefficients) in fits {
        for c in coefficients {
            w.write_record([
                label.as_str(),
                c.term.as_str(),
                &c.coefficient.to_string(),
                &c.odds_ratio.to_string(),
            ])
            .map_err(failed)?;
        }
    }
    w.flush()
        .map_err(|e| crate::error::in_input(&name)(write_failed(e)))?;
    Ok(())
}
