//! The printed SOUP list: the HTML report of the largest corpus lockfile
//! (deno, 923 SOUP items) printed to PDF by headless Chromium stays within a
//! page bound, and a screenshot of its first page can be looked at.

use std::path::Path;
use std::process::Command;

use super::report::chromium;
use super::support::scene::Project;

/// At most this many A4 pages for 923 SOUP items: the one-row-per-item list
/// takes about 30 items a page, and only items with something to say get
/// details; it printed 46 pages (US Letter) when the bound was set.
const PAGE_BOUND: usize = 60;

/// Runs headless Chromium on `page` with one output flag.
fn chromium_run(browser: &str, profile: &Path, page: &Path, output: &str) {
    let status = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(output)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// The number of page objects in a PDF (`/Type /Page`, not `/Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .chain(text.match_indices("/Type/Page"))
        .filter(|(at, found)| text.as_bytes().get(at + found.len()) != Some(&b's'))
        .count()
}

#[test]
fn the_largest_lockfile_prints_within_the_page_bound() {
    let Some(browser) = chromium() else {
        println!("skipped: chromium not installed (run tests/browser/check-html.sh --install)");
        return;
    };
    let project = Project::empty();
    std::fs::copy(
        super::support::fixture("lockfiles/deno-f74b15c304.Cargo.lock"),
        project.path("Cargo.lock"),
    )
    .unwrap();
    project
        .run(&[
            "report",
            "--lockfile",
            "Cargo.lock",
            "--allow-stale",
            "--format",
            "html",
            "-o",
            "soup-list.html",
        ])
        .expect(0);
    let profile = tempfile::tempdir().unwrap();
    let page = project.path("soup-list.html");
    let pdf = project.path("soup-list.pdf");
    chromium_run(
        browser,
        profile.path(),
        &page,
        &format!("--print-to-pdf={}", pdf.display()),
    );
    let pages = page_count(&std::fs::read(&pdf).unwrap());
    assert!(pages > 1, "the PDF has pages");
    assert!(pages <= PAGE_BOUND, "{pages} pages, bound {PAGE_BOUND}");
    if let Ok(dir) = std::env::var("SOUP_PRINT_DIR") {
        // For a person to look at: the PDF and a screenshot of the first page.
        std::fs::copy(&pdf, Path::new(&dir).join("soup-list.pdf")).unwrap();
        let shot = Path::new(&dir).join("first-page.png");
        chromium_run(
            browser,
            profile.path(),
            &page,
            &format!("--screenshot={}", shot.display()),
        );
        println!("{pages} pages");
    }
}

#[test]
fn page_objects_are_counted_without_the_page_tree() {
    let pdf = b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page /Parent 1 0 R >>";
    assert_eq!(page_count(pdf), 2);
}
