//! `attribution attribute`: run models over an input and write the credits.

use attribution::{Attribution, Channels, Journey};

use crate::args::AttributeArgs;
use crate::error::{CliError, in_input};
use crate::models::runners;
use crate::output;
use crate::runner::Runner;
use crate::source::{JourneySink, for_each_journey, has_timestamps};

/// Configures the models once the header is known (for `all`: whether the
/// input has timestamps), then streams every journey through all of them.
struct Models<'a> {
    args: &'a AttributeArgs,
    runners: Vec<Box<dyn Runner>>,
    journeys: usize,
}

impl JourneySink for Models<'_> {
    fn start(&mut self, headers: &[String]) -> Result<(), CliError> {
        self.runners = runners(self.args, has_timestamps(&self.args.input, headers))?;
        Ok(())
    }

    fn journey(
        &mut self,
        journey: &Journey,
        channels: &Channels,
        line: Option<u64>,
    ) -> Result<(), CliError> {
        let position = self.journeys;
        self.journeys += 1;
        for m in &mut self.runners {
            m.observe(journey, channels).map_err(|e| {
                let e = CliError::from(e.at_journey(position));
                match line {
                    Some(line) => CliError::Input(format!("line {line}: {e}")),
                    None => e,
                }
            })?;
        }
        Ok(())
    }
}

pub fn run(args: &AttributeArgs) -> Result<(), CliError> {
    let mut models = Models {
        args,
        runners: Vec::new(),
        journeys: 0,
    };
    let (channels, summary) = for_each_journey(&args.input, &args.build, &mut models)
        .map_err(in_input(&args.input.input))?;
    summary.print();
    let results: Vec<Attribution> = models
        .runners
        .iter()
        .map(|m| m.finish(&channels))
        .collect::<Result<_, _>>()?;
    let mut out = crate::open_output(args.output.as_deref())?;
    output::write(&results, args.format, &mut out)?;
    out.flush()
        .map_err(|e| CliError::Other(format!("cannot write output: {e}")))
}
