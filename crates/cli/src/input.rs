//! Opening the input (a file or `-` for stdin) with a progress bar on stderr.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::CliError;

/// Files smaller than this are read without a progress bar.
const PROGRESS_MIN_BYTES: u64 = 16 * 1024 * 1024;

/// An opened input and its (possibly hidden) progress bar.
pub struct Input {
    pub reader: Box<dyn Read>,
    pub progress: ProgressBar,
}

impl Input {
    /// Opens `name` (`-` is stdin). The progress bar is drawn only when stderr
    /// is a terminal and the input is a large regular file.
    pub fn open(name: &str) -> Result<Self, CliError> {
        if name == "-" {
            return Ok(Self {
                reader: Box::new(io::stdin().lock()),
                progress: ProgressBar::hidden(),
            });
        }
        let file =
            File::open(name).map_err(|e| CliError::Input(format!("cannot open `{name}`: {e}")))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let progress = if io::stderr().is_terminal() && len >= PROGRESS_MIN_BYTES {
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} [{wide_bar}] {eta}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        let reader = Box::new(progress.wrap_read(io::BufReader::with_capacity(1 << 20, file)));
        Ok(Self { reader, progress })
    }
}
