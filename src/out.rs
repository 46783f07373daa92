//! Terminal output and prompts behind one trait, so the command logic can be
//! driven by a script in tests and by `dialoguer` on a real terminal.
//!
//! Text that came from outside (advisory summaries, package names) goes
//! through [`sanitize`] before it reaches a terminal: an advisory must not be
//! able to move the cursor, rewrite the screen, or hide a link.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::time::Duration;

use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Everything a command says to a person, and asks of one.
pub trait Out {
    /// True when a person can answer prompts.
    fn is_interactive(&self) -> bool;
    /// Prints a line of results to standard output.
    fn line(&mut self, text: &str);
    /// Prints a warning or hint to standard error.
    fn note(&mut self, text: &str);
    /// Says more about what is read and why, when `-v` asks for it.
    fn verbose(&mut self, text: &str);
    /// Shows how far a long task (a download) has come: `done` of `total` bytes.
    fn progress(&mut self, _task: &str, _done: u64, _total: Option<u64>) {}
    /// The long task is over: its progress display goes.
    fn progress_done(&mut self, _task: &str) {}
    /// Styles `text` as a heading, when colour is on.
    fn heading(&self, text: &str) -> String;
    /// Styles `text` as needing attention, when colour is on.
    fn alert(&self, text: &str) -> String;
    /// Styles `text` as fine, when colour is on.
    fn good(&self, text: &str) -> String;
    /// Prints a command's closing summary, styled as needing attention or as fine.
    fn summary(&mut self, attention: bool, text: &str) {
        let styled = match attention {
            true => self.alert(text),
            false => self.good(text),
        };
        self.line(&styled);
    }
    /// Asks a yes/no question; with no `default`, only an explicit answer counts.
    fn confirm(&mut self, question: &str, default: Option<bool>) -> io::Result<bool>;
    /// Asks to pick one of `items`; returns its index. With no `default`,
    /// no item is preselected: the engineer must pick one.
    fn select(
        &mut self,
        question: &str,
        items: &[&str],
        default: Option<usize>,
    ) -> io::Result<usize>;
    /// Asks for free text; `required` refuses an empty answer.
    fn input(&mut self, question: &str, required: bool) -> io::Result<String>;
    /// Asks for a secret (a key's passphrase) without echoing what is typed.
    fn password(&mut self, question: &str) -> io::Result<String>;
}

/// The real terminal: results to stdout, notes to stderr, prompts through `dialoguer`.
pub struct Terminal {
    color: bool,
    interactive: bool,
    quiet: bool,
    verbose: bool,
    /// The progress bar of the task under way, drawn only on a terminal.
    bar: Option<ProgressBar>,
}

impl Terminal {
    /// A terminal with colour, interactivity and verbosity as decided by the CLI.
    pub fn new(color: bool, interactive: bool, quiet: bool, verbose: bool) -> Self {
        Terminal {
            color,
            interactive,
            quiet,
            verbose,
            bar: None,
        }
    }

    fn style(&self, style: Style, text: &str) -> String {
        if self.color {
            style.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    }

    fn theme(&self) -> Box<dyn dialoguer::theme::Theme> {
        if self.color {
            Box::new(dialoguer::theme::ColorfulTheme::default())
        } else {
            Box::new(dialoguer::theme::SimpleTheme)
        }
    }
}

impl Out for Terminal {
    fn is_interactive(&self) -> bool {
        self.interactive
    }

    fn line(&mut self, text: &str) {
        let mut stdout = io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
    }

    fn note(&mut self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    fn verbose(&mut self, text: &str) {
        if self.verbose {
            self.note(text);
        }
    }

    fn progress(&mut self, task: &str, done: u64, total: Option<u64>) {
        let bar = self.bar.get_or_insert_with(|| progress_bar(task));
        if let Some(total) = total {
            bar.set_length(total);
        }
        bar.set_position(done);
    }

    fn progress_done(&mut self, _task: &str) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn heading(&self, text: &str) -> String {
        self.style(Style::new().bold(), text)
    }

    fn alert(&self, text: &str) -> String {
        self.style(Style::new().red().bold(), text)
    }

    fn good(&self, text: &str) -> String {
        self.style(Style::new().green(), text)
    }

    fn confirm(&mut self, question: &str, default: Option<bool>) -> io::Result<bool> {
        let theme = self.theme();
        let mut confirm = dialoguer::Confirm::with_theme(&*theme).with_prompt(question);
        if let Some(default) = default {
            confirm = confirm.default(default);
        }
        confirm.interact().map_err(dialoguer_error)
    }

    fn select(
        &mut self,
        question: &str,
        items: &[&str],
        default: Option<usize>,
    ) -> io::Result<usize> {
        let theme = self.theme();
        match default {
            Some(default) => dialoguer::Select::with_theme(&*theme)
                .with_prompt(question)
                .items(items)
                .default(default)
                .interact()
                .map_err(dialoguer_error),
            None => pick_by_name(&*theme, question, items),
        }
    }

    fn input(&mut self, question: &str, required: bool) -> io::Result<String> {
        dialoguer::Input::<String>::with_theme(&*self.theme())
            .with_prompt(question)
            .allow_empty(!required)
            .interact_text()
            .map(|s| s.trim().to_string())
            .map_err(dialoguer_error)
    }

    fn password(&mut self, question: &str) -> io::Result<String> {
        dialoguer::Password::with_theme(&*self.theme())
            .with_prompt(question)
            .allow_empty_password(true)
            .interact()
            .map_err(dialoguer_error)
    }
}

/// Asks for one of `items` by typing it (or its number), with none preselected:
/// for the questions whose answer is a judgement, where a highlighted first
/// item would be a suggestion.
fn pick_by_name(
    theme: &dyn dialoguer::theme::Theme,
    question: &str,
    items: &[&str],
) -> io::Result<usize> {
    let listed: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, item)| format!("{}) {item}", i + 1))
        .collect();
    let prompt = format!("{question}\n  {}\n", listed.join("\n  "));
    let position = |answer: &str| {
        let answer = answer.trim();
        answer
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=items.len()).contains(n))
            .map(|n| n - 1)
            .or_else(|| {
                items
                    .iter()
                    .position(|item| item.split([' ', ':']).next() == Some(answer))
            })
    };
    let answer: String = dialoguer::Input::with_theme(theme)
        .with_prompt(prompt)
        .validate_with(|text: &String| match position(text) {
            Some(_) => Ok(()),
            None => Err("type one of the numbers or names above"),
        })
        .interact_text()
        .map_err(dialoguer_error)?;
    position(&answer).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no choice"))
}

/// A bar on standard error, drawn only when it is a terminal.
fn progress_bar(task: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>14} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(task.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn dialoguer_error(e: dialoguer::Error) -> io::Error {
    match e {
        dialoguer::Error::IO(e) => e,
    }
}

/// Scripted answers and captured output, for tests of command logic.
#[derive(Default)]
pub struct Scripted {
    answers: VecDeque<String>,
    /// Every line and note printed, and every question asked, in order.
    pub transcript: Vec<String>,
}

impl Scripted {
    /// A script that answers prompts with `answers`, in order: `y`/`n` for
    /// confirmations, the item text for selections, the text for inputs.
    pub fn new(answers: &[&str]) -> Self {
        Scripted {
            answers: answers.iter().map(|s| s.to_string()).collect(),
            transcript: Vec::new(),
        }
    }

    fn next(&mut self, question: &str) -> io::Result<String> {
        self.transcript.push(format!("? {question}"));
        self.answers.pop_front().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the script has no more answers",
            )
        })
    }
}

impl Out for Scripted {
    fn is_interactive(&self) -> bool {
        true
    }
    fn line(&mut self, text: &str) {
        self.transcript.push(text.to_string());
    }
    fn note(&mut self, text: &str) {
        self.transcript.push(text.to_string());
    }
    fn verbose(&mut self, text: &str) {
        self.transcript.push(text.to_string());
    }
    fn heading(&self, text: &str) -> String {
        text.to_string()
    }
    fn alert(&self, text: &str) -> String {
        text.to_string()
    }
    fn good(&self, text: &str) -> String {
        text.to_string()
    }
    fn confirm(&mut self, question: &str, _default: Option<bool>) -> io::Result<bool> {
        Ok(self.next(question)? == "y")
    }
    fn select(
        &mut self,
        question: &str,
        items: &[&str],
        _default: Option<usize>,
    ) -> io::Result<usize> {
        let answer = self.next(question)?;
        items.iter().position(|i| *i == answer).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{answer}` is not one of {items:?}"),
            )
        })
    }
    fn input(&mut self, question: &str, _required: bool) -> io::Result<String> {
        self.next(question)
    }
    fn password(&mut self, question: &str) -> io::Result<String> {
        self.next(question)
    }
}

/// Makes outside text harmless on a terminal: escape sequences (CSI, OSC such
/// as hyperlinks, and the rest) are removed, as are control characters other
/// than newline and tab, and the bidirectional overrides that can make text
/// read differently from what it is.
pub fn sanitize(text: &str) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_until_final(&mut chars),
            '\u{9d}' => skip_string(&mut chars),
            '\n' | '\t' => out.push(c),
            '\r' => {}
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// True when `text` is printable ASCII, newlines and tabs, which
/// [`sanitize`] leaves as it is: most text is, and a byte scan says so where
/// sanitising goes character by character.
pub fn is_plain(text: &str) -> bool {
    let plain = |b: &u8| (b' '..=b'~').contains(b) || matches!(b, b'\n' | b'\t');
    text.as_bytes().iter().all(plain)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Skips what follows an ESC: a CSI sequence, an OSC/DCS/APC/PM/SOS string, or one character.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_until_final(chars),
        Some(']' | 'P' | '_' | '^' | 'X') => skip_string(chars),
        _ => {}
    }
}

/// Skips CSI parameters up to and including the final byte (`@` to `~`).
fn skip_until_final(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// Skips a control string up to its terminator: BEL, ST (`ESC \`) or C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_colour_and_cursor_sequences() {
        assert_eq!(
            sanitize("a\u{1b}[31mred\u{1b}[0m b\u{1b}[2J\u{1b}[H"),
            "ared b"
        );
    }

    #[test]
    fn removes_hyperlinks_but_keeps_their_text() {
        let link = "click \u{1b}]8;;https://evil.example/\u{1b}\\here\u{1b}]8;;\u{1b}\\ now";
        assert_eq!(sanitize(link), "click here now");
        let bel = "x\u{1b}]0;title\u{7}y";
        assert_eq!(sanitize(bel), "xy");
    }

    #[test]
    fn removes_backspaces_carriage_returns_and_bidi_overrides() {
        assert_eq!(sanitize("safe\u{8}\u{8}\u{8}\u{8}evil"), "safeevil");
        assert_eq!(sanitize("ok\rfake line"), "okfake line");
        assert_eq!(sanitize("a\u{202e}cba\u{202c}"), "acba");
        assert_eq!(
            sanitize("keeps\nnewlines\tand tabs"),
            "keeps\nnewlines\tand tabs"
        );
        assert_eq!(sanitize("c1 csi \u{9b}31mred"), "c1 csi red");
    }

    #[test]
    fn scripted_answers_in_order() {
        let mut out = Scripted::new(&["y", "update", "because"]);
        assert!(out.confirm("hazard?", None).unwrap());
        assert_eq!(out.select("action", &["none", "update"], None).unwrap(), 1);
        assert_eq!(out.input("why", true).unwrap(), "because");
        assert!(out.input("more", true).is_err());
    }
}
