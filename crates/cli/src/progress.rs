//! Progress on stderr: drawn only when stderr is a terminal, cleared when
//! done, never an error.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a visible bar is redrawn (spinner, elapsed time).
const TICK: Duration = Duration::from_millis(200);

/// A progress bar or spinner on stderr, hidden unless stderr is a terminal.
/// Dropping it clears it.
pub struct Progress {
    bar: ProgressBar,
    ticker: Option<Ticker>,
}

impl Progress {
    /// Nothing drawn.
    pub fn hidden() -> Self {
        Self {
            bar: ProgressBar::hidden(),
            ticker: None,
        }
    }

    /// Bytes read of `len` (a spinner with the bytes read when the length is
    /// unknown).
    pub fn bytes(len: Option<u64>) -> Self {
        let template = match len {
            Some(_) => "{spinner} {msg} {bytes}/{total_bytes} [{wide_bar}] {eta}",
            None => "{spinner} {msg} {bytes} ({elapsed})",
        };
        Self::new(len, template, "reading", stderr_is_terminal())
    }

    /// A spinner naming what is being done, with the elapsed time.
    pub fn phase(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(None, PHASE_TEMPLATE, message, stderr_is_terminal())
    }

    /// `len` steps: `{message} {position}/{len}`, with the elapsed time.
    pub fn steps(len: u64, message: impl Into<Cow<'static, str>>) -> Self {
        Self::steps_after(len, message, Duration::ZERO)
    }

    /// As [`Progress::steps`], drawn only once `delay` has passed (work
    /// that ends sooner leaves stderr untouched).
    pub fn steps_after(len: u64, message: impl Into<Cow<'static, str>>, delay: Duration) -> Self {
        Self::delayed(
            Some(len),
            "{spinner} {msg} {pos}/{len} ({elapsed})",
            message,
            stderr_is_terminal(),
            delay,
        )
    }

    fn new(
        len: Option<u64>,
        template: &str,
        message: impl Into<Cow<'static, str>>,
        visible: bool,
    ) -> Self {
        Self::delayed(len, template, message, visible, Duration::ZERO)
    }

    fn delayed(
        len: Option<u64>,
        template: &str,
        message: impl Into<Cow<'static, str>>,
        visible: bool,
        delay: Duration,
    ) -> Self {
        if !visible {
            return Self::hidden();
        }
        let target = if delay.is_zero() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(len, target);
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.set_message(message);
        bar.tick();
        let ticker = Ticker::start(bar.clone(), delay);
        Self { bar, ticker }
    }

    /// The bar, to advance or relabel.
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }

    /// Whether anything is drawn.
    #[cfg(test)]
    pub fn is_visible(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// Turns the bar into a spinner showing `message` (e.g. once the input
    /// is read and the work after it starts).
    pub fn switch_to_phase(bar: &ProgressBar, message: &'static str) {
        if let Ok(style) = ProgressStyle::with_template(PHASE_TEMPLATE) {
            bar.set_style(style);
        }
        bar.set_message(message);
    }
}

const PHASE_TEMPLATE: &str = "{spinner} {msg} ({elapsed})";

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.stop();
        }
        self.bar.finish_and_clear();
    }
}

fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Redraws a bar every [`TICK`] on a thread of its own (a thread that
/// cannot be started only means no redraws).
struct Ticker {
    stop: Arc<(Mutex<bool>, Condvar)>,
    handle: JoinHandle<()>,
}

impl Ticker {
    /// Starts redrawing `bar`; after `delay` (if not zero) it first shows
    /// the bar, which was created hidden.
    fn start(bar: ProgressBar, delay: Duration) -> Option<Self> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("progress".to_owned())
            .spawn(move || {
                let (lock, wake) = &*flag;
                let Ok(mut stopped) = lock.lock() else {
                    return;
                };
                if !delay.is_zero() {
                    let deadline = std::time::Instant::now() + delay;
                    while !*stopped {
                        let left = deadline.saturating_duration_since(std::time::Instant::now());
                        if left.is_zero() {
                            break;
                        }
                        match wake.wait_timeout(stopped, left) {
                            Ok((guard, _)) => stopped = guard,
                            Err(_) => return,
                        }
                    }
                    if *stopped {
                        return;
                    }
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                }
                while !*stopped {
                    bar.tick();
                    match wake.wait_timeout(stopped, TICK) {
                        Ok((guard, _)) => stopped = guard,
                        Err(_) => return,
                    }
                }
            })
            .ok()?;
        Some(Self { stop, handle })
    }

    fn stop(self) {
        let (lock, wake) = &*self.stop;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
        }
        wake.notify_all();
        let _ = self.handle.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_when_stderr_is_not_a_terminal() {
        let hidden = Progress::new(Some(3), PHASE_TEMPLATE, "x", false);
        assert!(!hidden.is_visible());
        assert!(hidden.ticker.is_none());
    }
}
