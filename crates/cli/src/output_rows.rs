//! The CSV and JSON output: one row per model and channel, the extras a
//! model fills (removal-effect error bound, interval, per-position credit,
//! model diagnostics) as columns or keys of the rows that have them.

use std::io::Write;

use attribution::ChannelCredit;
use attribution::attribution::{Baseline, CreditInterval, Diagnostics, FitDiagnostics};
use serde::Serialize;

use crate::error::{CliError, write_failed};
use crate::output::Labelled;

/// The columns every CSV has.
const BASE: [&str; 5] = ["model", "channel", "conversions", "value", "removal_effect"];
/// The columns of an interval, after `interval_level`.
const INTERVAL: [&str; 7] = [
    "interval_level",
    "conversions_lo",
    "conversions_hi",
    "value_lo",
    "value_hi",
    "share_lo",
    "share_hi",
];
/// The columns of a fitted conversion model's diagnostics (dda).
const FIT: [&str; 4] = [
    "fit_iterations",
    "fit_max_gradient",
    "fit_log_likelihood",
    "fit_intercept_residual",
];

/// One output row (a JSON object; the CSV writes its fields as text).
#[derive(Serialize)]
struct Row<'a> {
    model: &'a str,
    channel: &'a str,
    conversions: f64,
    /// `None` (JSON `null`, an empty CSV cell) for a model without value
    /// (`dda:credit=expected`).
    value: Option<f64>,
    removal_effect: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    removal_effect_error: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<&'a CreditInterval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    positions: Option<&'a [f64]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position_values: Option<&'a [f64]>,
    /// Whether the last position pools every later one (`P+`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    positions_pooled: bool,
    /// The model's diagnostics, on every row of the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<&'a Diagnostics>,
    /// The model's credits overlap (participation): on every row of it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    overlapping: bool,
    /// How the model's fit converged (dda), on every row of the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    fit_diagnostics: Option<&'a FitDiagnostics>,
}

fn rows(results: &[Labelled]) -> impl Iterator<Item = Row<'_>> {
    results.iter().flat_map(|r| {
        let a = &r.attribution;
        let diagnostics = a.diagnostics();
        let fit_diagnostics = a.fit_diagnostics();
        let overlapping = !a.is_partition();
        let has_value = a.has_value();
        let channels = a.channels().iter().map(move |c| Row {
            model: &r.label,
            channel: &c.name,
            conversions: c.conversions,
            value: has_value.then_some(c.value),
            removal_effect: c.removal_effect,
            removal_effect_error: c.removal_effect_error,
            interval: c.interval.as_ref(),
            positions: c.positions.as_deref(),
            position_values: c.position_values.as_deref(),
            positions_pooled: c.positions_pooled,
            diagnostics,
            overlapping,
            fit_diagnostics,
        });
        // The baseline row follows the channels, written even when 0.
        let baseline = a.baseline().map(move |b| Row {
            model: &r.label,
            channel: Baseline::NAME,
            conversions: b.conversions,
            value: has_value.then_some(b.value),
            removal_effect: None,
            removal_effect_error: None,
            interval: None,
            positions: None,
            position_values: None,
            positions_pooled: false,
            diagnostics,
            overlapping,
            fit_diagnostics,
        });
        channels.chain(baseline)
    })
}

/// Writes the rows as a pretty JSON array.
pub fn write_json(results: &[Labelled], out: &mut dyn Write) -> Result<(), CliError> {
    let all: Vec<Row<'_>> = rows(results).collect();
    serde_json::to_writer_pretty(&mut *out, &all).map_err(write_failed)?;
    writeln!(out).map_err(write_failed)
}

/// Which extra column groups some row needs.
struct Extras {
    error: bool,
    interval: bool,
    positions: bool,
    fit: bool,
}

impl Extras {
    fn of(results: &[Labelled]) -> Self {
        let any = |f: fn(&ChannelCredit) -> bool| {
            results
                .iter()
                .any(|r| r.attribution.channels().iter().any(f))
        };
        Self {
            error: any(|c| c.removal_effect_error.is_some()),
            interval: any(|c| c.interval.is_some()),
            positions: any(|c| c.positions.is_some()),
            fit: results
                .iter()
                .any(|r| r.attribution.fit_diagnostics().is_some()),
        }
    }

    fn header(&self) -> Vec<&'static str> {
        let mut header = BASE.to_vec();
        if self.error {
            header.push("removal_effect_error");
        }
        if self.interval {
            header.extend(INTERVAL);
        }
        if self.positions {
            header.push("positions");
        }
        if self.fit {
            header.extend(FIT);
        }
        header
    }
}

/// Text of an optional number: empty when absent; f64's Display is the
/// shortest text that reads back to the same double.
fn number(x: Option<f64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// Writes `model,channel,conversions,value,removal_effect` and the extra
/// columns some row has, full precision.
pub fn write_csv(results: &[Labelled], out: &mut dyn Write) -> Result<(), CliError> {
    let extras = Extras::of(results);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(extras.header()).map_err(write_failed)?;
    for r in rows(results) {
        let mut record = vec![
            r.model.to_owned(),
            r.channel.to_owned(),
            r.conversions.to_string(),
            number(r.value),
            number(r.removal_effect),
        ];
        if extras.error {
            record.push(number(r.removal_effect_error));
        }
        if extras.interval {
            match r.interval {
                Some(i) => record.extend(
                    [
                        i.level,
                        i.conversions_lo,
                        i.conversions_hi,
                        i.value_lo,
                        i.value_hi,
                        i.share_lo,
                        i.share_hi,
                    ]
                    .map(|x| x.to_string()),
                ),
                None => record.extend(INTERVAL.map(|_| String::new())),
            }
        }
        if extras.positions {
            let positions: Vec<String> = r
                .positions
                .unwrap_or_default()
                .iter()
                .map(f64::to_string)
                .collect();
            record.push(positions.join("|"));
        }
        if extras.fit {
            match r.fit_diagnostics {
                Some(d) => record.extend([
                    d.iterations.to_string(),
                    d.max_gradient.to_string(),
                    d.log_likelihood.to_string(),
                    d.intercept_residual.to_string(),
                ]),
                None => record.extend(FIT.map(|_| String::new())),
            }
        }
        w.write_record(&record).map_err(write_failed)?;
    }
    w.flush().map_err(write_failed)
}

#[cfg(test)]
mod tests {
    use attribution::attribution::{CreditInterval, Diagnostics};
    use attribution::{Attribution, ChannelCredit, ChannelId};

    use super::*;

    fn labelled(label: &str, credits: Vec<ChannelCredit>) -> Labelled {
        Labelled {
            label: label.to_owned(),
            spec: label.parse().unwrap(),
            attribution: Attribution::new(label, Vec::new(), credits, 1.0, 10.0),
        }
    }

    fn id(i: usize) -> ChannelId {
        ChannelId::from_index(i).unwrap()
    }

    fn csv(results: &[Labelled]) -> String {
        let mut out = Vec::new();
        write_csv(results, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_adds_the_extra_columns_some_row_has() {
        let plain = labelled("linear", vec![ChannelCredit::new(id(0), "A", 1.0, 10.0)]);
        assert_eq!(
            csv(std::slice::from_ref(&plain)),
            "model,channel,conversions,value,removal_effect\nlinear,A,1,10,\n"
        );
        let extras = labelled(
            "shapley",
            vec![
                ChannelCredit::new(id(0), "A", 0.75, 7.5)
                    .with_interval(CreditInterval::new(
                        0.95,
                        (0.5, 1.0),
                        (5.0, 10.0),
                        (0.5, 1.0),
                    ))
                    .with_positions(vec![0.5, 0.25]),
                ChannelCredit::new(id(1), "B", 0.25, 2.5).with_removal_effect(0.5, Some(1e-3)),
            ],
        );
        assert_eq!(
            csv(&[plain, extras]),
            "model,channel,conversions,value,removal_effect,removal_effect_error,\
             interval_level,conversions_lo,conversions_hi,value_lo,value_hi,share_lo,share_hi,\
             positions\n\
             linear,A,1,10,,,,,,,,,,\n\
             shapley,A,0.75,7.5,,,0.95,0.5,1,5,10,0.5,1,0.5|0.25\n\
             shapley,B,0.25,2.5,0.5,0.001,,,,,,,,\n"
        );
    }

    #[test]
    fn json_rows_carry_the_extras_and_diagnostics_they_have() {
        let mut markov = labelled(
            "markov",
            vec![ChannelCredit::new(id(0), "A", 1.0, 10.0).with_removal_effect(1.0, Some(0.0))],
        );
        markov.attribution = markov
            .attribution
            .with_diagnostics(Diagnostics::new(2, 3, 0.0, "auto"));
        let plain = labelled(
            "first-touch",
            vec![ChannelCredit::new(id(0), "A", 1.0, 10.0).with_positions(vec![1.0])],
        );
        let mut out = Vec::new();
        write_json(&[plain, markov], &mut out).unwrap();
        let rows: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            rows,
            serde_json::json!([
                {"model": "first-touch", "channel": "A", "conversions": 1.0, "value": 10.0,
                 "removal_effect": null, "positions": [1.0]},
                {"model": "markov", "channel": "A", "conversions": 1.0, "value": 10.0,
                 "removal_effect": 1.0, "removal_effect_error": 0.0,
                 "diagnostics": {"states": 2, "transitions": 3, "error_bound": 0.0,
                                 "solver": "auto"}},
            ])
        );
    }
}
