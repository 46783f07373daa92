//! Terminal output and prompts behind one trait, so the command logic can be
//! driven by a script in tests and by `dialoguer` on a real terminal.
//!
//! Text that came from outside (advisory summaries, package names) goes
//! through [`sanitize`] before it reaches a terminal: an advisory must not be
//! able to move the cursor, rewrite the screen, or hide a link.

use std::collections::VecDeque;
use std::io::{self, Write};

use console::Style;

/// Everything a command says to a person, and asks of one.
pub trait Out {
    /// True when a person can answer prompts.
    fn is_interactive(&self) -> bool;
    /// Prints a line of results to standard output.
    fn line(&mut self, text: &str);
    /// Prints a warning or hint to standard error.
    fn note(&mut self, text: &str);
    /// Styles `text` as a heading, when colour is on.
    fn heading(&self, text: &str) -> String;
    /// Styles `text` as needing attention, when colour is on.
    fn alert(&self, text: &str) -> String;
    /// Styles `text` as fine, when colour is on.
    fn good(&self, text: &str) -> String;
    /// Asks a yes/no question.
    fn confirm(&mut self, question: &str, default: bool) -> io::Result<bool>;
    /// Asks to pick one of `items`; returns its index.
    fn select(&mut self, question: &str, items: &[&str], default: usize) -> io::Result<usize>;
    /// Asks for free text; `required` refuses an empty answer.
    fn input(&mut self, question: &str, required: bool) -> io::Result<String>;
}

/// The real terminal: results to stdout, notes to stderr, prompts through `dialoguer`.
pub struct Terminal {
    color: bool,
    interactive: bool,
    quiet: bool,
}

impl Terminal {
    /// A terminal with colour and interactivity as decided by the CLI.
    pub fn new(color: bool, interactive: bool, quiet: bool) -> Self {
        Terminal {
            color,
            interactive,
            quiet,
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

    fn heading(&self, text: &str) -> String {
        self.style(Style::new().bold(), text)
    }

    fn alert(&self, text: &str) -> String {
        self.style(Style::new().red().bold(), text)
    }

    fn good(&self, text: &str) -> String {
        self.style(Style::new().green(), text)
    }

    fn confirm(&mut self, question: &str, default: bool) -> io::Result<bool> {
        dialoguer::Confirm::with_theme(&*self.theme())
            .with_prompt(question)
            .default(default)
            .interact()
            .map_err(dialoguer_error)
    }

    fn select(&mut self, question: &str, items: &[&str], default: usize) -> io::Result<usize> {
        dialoguer::Select::with_theme(&*self.theme())
            .with_prompt(question)
            .items(items)
            .default(default)
            .interact()
            .map_err(dialoguer_error)
    }

    fn input(&mut self, question: &str, required: bool) -> io::Result<String> {
        dialoguer::Input::<String>::with_theme(&*self.theme())
            .with_prompt(question)
            .allow_empty(!required)
            .interact_text()
            .map(|s| s.trim().to_string())
            .map_err(dialoguer_error)
    }
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
    fn heading(&self, text: &str) -> String {
        text.to_string()
    }
    fn alert(&self, text: &str) -> String {
        text.to_string()
    }
    fn good(&self, text: &str) -> String {
        text.to_string()
    }
    fn confirm(&mut self, question: &str, _default: bool) -> io::Result<bool> {
        Ok(self.next(question)? == "y")
    }
    fn select(&mut self, question: &str, items: &[&str], _default: usize) -> io::Result<usize> {
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
}

/// Makes outside text harmless on a terminal: escape sequences (CSI, OSC such
/// as hyperlinks, and the rest) are removed, as are control characters other
/// than newline and tab, and the bidirectional overrides that can make text
/// read differently from what it is.
pub fn sanitize(text: &str) -> String {
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
        assert!(out.confirm("hazard?", false).unwrap());
        assert_eq!(out.select("action", &["none", "update"], 0).unwrap(), 1);
        assert_eq!(out.input("why", true).unwrap(), "because");
        assert!(out.input("more", true).is_err());
    }
}
