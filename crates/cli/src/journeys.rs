//! `attribution journeys`: build journeys and write them in the `journeys` shape.

use attribution::io::write_journeys;
use attribution::{Channels, Journey, JourneySet};

use crate::args::JourneysArgs;
use crate::error::{CliError, in_input};
use crate::source::{JourneySink, for_each_journey};

#[derive(Default)]
struct Collect {
    journeys: Vec<Journey>,
}

impl JourneySink for Collect {
    fn start(&mut self, _headers: &[String]) -> Result<(), CliError> {
        Ok(())
    }

    fn journey(
        &mut self,
        journey: &Journey,
        _channels: &Channels,
        _line: Option<u64>,
    ) -> Result<(), CliError> {
        self.journeys.push(journey.clone());
        Ok(())
    }
}

pub fn run(args: &JourneysArgs) -> Result<(), CliError> {
    let mut collect = Collect::default();
    let (channels, summary) = for_each_journey(&args.input, &args.build, &mut collect)
        .map_err(in_input(&args.input.input))?;
    if let Some(text) = summary.to_stderr_text() {
        eprintln!("{}", text.trim_end());
    }
    let mut set = JourneySet::new(channels);
    for journey in collect.journeys {
        set.push(journey)
            .map_err(|e| CliError::Other(format!("internal: {e}")))?;
    }
    let mut out = crate::open_output(args.output.as_deref())?;
    write_journeys(&set, &mut out, &format!(" {} ", args.input.sep.trim()))
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Other(format!("cannot write output: {e}")))
}
