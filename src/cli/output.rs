//! The one owner of the terminal: data to stdout, progress to stderr (hidden when stderr is
//! not a terminal or `--no-progress`). Program text is passed through
//! [`printable`](crate::judge::printable) before it gets here.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::GlobalArgs;

/// Set (to anything) to turn colours off on a terminal too (<https://no-color.org>).
const ENV_NO_COLOR: &str = "NO_COLOR";

#[derive(Debug)]
pub struct Output {
    progress: bool,
}

impl Output {
    pub fn new(global: &GlobalArgs) -> Self {
        Self {
            progress: !global.no_progress && !global.quiet && std::io::stderr().is_terminal(),
        }
    }

    /// A progress bar on stderr, or a hidden one.
    pub fn bar(&self, total: usize, what: &str) -> ProgressBar {
        self.styled_bar(total, what, "")
    }

    /// A progress bar with a status line under it (set with `set_message`).
    pub fn bar_with_status(&self, total: usize, what: &str) -> ProgressBar {
        self.styled_bar(total, what, "\n{wide_msg}")
    }

    fn styled_bar(&self, total: usize, what: &str, below: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(&format!(
            "{{prefix}} [{{bar:30}}] {{pos}}/{{len}} {{elapsed_precise}} eta {{eta}}{below}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(what.to_owned());
        bar
    }

    /// Whether data may be coloured: stdout is a terminal and `NO_COLOR` is unset, so pipes,
    /// files and snapshots get plain text.
    pub fn color(&self) -> bool {
        std::io::stdout().is_terminal() && std::env::var_os(ENV_NO_COLOR).is_none()
    }

    /// Writes data a program or model wrote (a patch) to stdout: verbatim into a pipe or a
    /// file, where it must stay usable, with its control characters shown, not obeyed, on a
    /// terminal.
    pub fn untrusted_data(&self, text: &str) {
        if std::io::stdout().is_terminal() {
            self.data(&crate::judge::printable(text));
        } else {
            self.data(text);
        }
    }

    /// Writes data to stdout; a closed pipe (e.g. `| head`) is not an error worth a panic.
    pub fn data(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
    }
}
