//! The printed SOUP list: the HTML reports of two large corpus lockfiles
//! (tikv, 299 SOUP items, many of them with anomalies; deno, 923 SOUP items)
//! printed to PDF by headless Chromium stay within a page bound, and a
//! screenshot of the first page can be looked at.

use std::path::Path;
use std::process::Command;

use super::report::chromium;
use super::support::scene::Project;

/// At most this many pages (Chromium's default paper, US Letter) for tikv's
/// 299 SOUP items with 89 anomalies: the one-row-per-item list takes about 70
/// items a page, and most pages are the details of the items with anomalies.
/// It printed 26 pages on US Letter and 23 on A4 when the bound was set (63
/// and 56 before the print layout was tightened).
const TIKV_PAGE_BOUND: usize = 28;

/// At most this many pages (US Letter) for deno's 923 SOUP items: it printed
/// 19 pages on US Letter and 17 on A4 when the bound was set (46 and 41 before).
const DENO_PAGE_BOUND: usize = 22;

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

/// The pages the HTML report of the corpus lockfile `lockfile` prints to;
/// `None` when no Chromium is installed. With `SOUP_PRINT_DIR` set, the PDF
/// and a screenshot of the first page are kept there, named after `name`.
fn printed_pages(name: &str, lockfile: &str) -> Option<usize> {
    let Some(browser) = chromium() else {
        println!("skipped: chromium not installed (run tests/browser/check-html.sh --install)");
        return None;
    };
    let project = Project::empty();
    std::fs::copy(
        super::support::fixture(&format!("lockfiles/{lockfile}")),
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
    if let Ok(dir) = std::env::var("SOUP_PRINT_DIR") {
        // For a person to look at: the PDF and a screenshot of the first page.
        std::fs::copy(&pdf, Path::new(&dir).join(format!("{name}.pdf"))).unwrap();
        let shot = Path::new(&dir).join(format!("{name}-first-page.png"));
        chromium_run(
            browser,
            profile.path(),
            &page,
            &format!("--screenshot={}", shot.display()),
        );
        println!("{name}: {pages} pages");
    }
    Some(pages)
}

#[test]
fn a_lockfile_with_many_anomalies_prints_within_the_page_bound() {
    let Some(pages) = printed_pages("tikv", "tikv-92cf4709fd.Cargo.lock") else {
        return;
    };
    assert!(pages > 1, "the PDF has pages");
    assert!(
        pages <= TIKV_PAGE_BOUND,
        "{pages} pages, bound {TIKV_PAGE_BOUND}"
    );
}

#[test]
fn the_largest_lockfile_prints_within_the_page_bound() {
    let Some(pages) = printed_pages("deno", "deno-f74b15c304.Cargo.lock") else {
        return;
    };
    assert!(pages > 1, "the PDF has pages");
    assert!(
        pages <= DENO_PAGE_BOUND,
        "{pages} pages, bound {DENO_PAGE_BOUND}"
    );
}

#[test]
fn page_objects_are_counted_without_the_page_tree() {
    let pdf = b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page /Parent 1 0 R >>";
    assert_eq!(page_count(pdf), 2);
}
