//! The canonical order of a record (STYLE.md habit 6): sections, entries and keys
//! sorted, comments kept with what they precede, the header kept at the top.

use std::cmp::Ordering;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Key, Table};

use super::types::*;
use super::validate::SECTIONS;

/// Puts a valid document (whose entries are those of `record`, in file order)
/// into canonical order.
pub(crate) fn canonicalize(document: &mut DocumentMut, record: &Record) {
    let first_before = first_table_position(document.as_table());
    let root = document.as_table_mut();
    sort_sections(root);
    sort_section(root, "system", SYSTEM_KEYS);
    sort_section(root, "policy", POLICY_KEYS);
    sort_section(root, "report", REPORT_KEYS);
    if let Some(sources) = root.get_mut("sources") {
        sort_keys(sources, SOURCE_NAMES);
        for name in SOURCE_NAMES {
            sort_section_like(sources, name, SOURCE_KEYS);
        }
    }
    if let Some(soup) = root.get_mut("soup") {
        sort_soup(soup);
    }
    // By date only, stably: the history reads in the order it was recorded,
    // so an evaluation recorded today always lands after every earlier one.
    let evaluations = order_by(&record.evaluations, |a, b| a.date.cmp(&b.date));
    sort_entries(root, "evaluation", &evaluations, EVALUATION_KEYS);
    let releases = order_by(&record.releases, |a, b| {
        (a.date, &a.version).cmp(&(b.date, &b.version))
    });
    sort_entries(root, "release", &releases, RELEASE_KEYS);
    let reviews = order_by(&record.reviews, |a, b| a.date.cmp(&b.date));
    sort_entries(root, "review", &reviews, REVIEW_KEYS);
    // Inputs stay in the order the team listed the device's parts.
    let inputs: Vec<usize> = (0..record.inputs.len()).collect();
    sort_entries(root, "input", &inputs, INPUT_KEYS);
    // Approvals stay in the order recorded, so approval N keeps its number.
    let approvals: Vec<usize> = (0..record.approvals.len()).collect();
    sort_entries(root, "approval", &approvals, APPROVAL_KEYS);
    let first_after = first_displayed(root).and_then(Table::position);
    if let (Some(before), Some(after)) = (first_before, first_after)
        && before != after
    {
        move_header(root, before, after);
    }
    let mut next = 0;
    for_each_table_mut(root, &mut |table| {
        next += 1;
        table.set_position(Some(next));
    });
}

/// The indices of `entries` in stably sorted order.
fn order_by<T>(entries: &[T], compare: impl Fn(&T, &T) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| match (entries.get(a), entries.get(b)) {
        (Some(a), Some(b)) => compare(a, b),
        _ => Ordering::Equal,
    });
    order
}

fn rank(order: &[&str], key: &Key) -> usize {
    order
        .iter()
        .position(|known| *known == key.get())
        .unwrap_or(order.len())
}

/// Puts the top-level sections in canonical order (tables keep their positions).
pub(crate) fn sort_sections(root: &mut Table) {
    sort_keys_in(root, SECTIONS);
}

fn sort_keys_in(table: &mut Table, order: &[&str]) {
    table.sort_values_by(|a, _, b, _| rank(order, a).cmp(&rank(order, b)));
}

/// Sorts the keys of a table or inline table by their place in `order`.
fn sort_keys(item: &mut Item, order: &[&str]) {
    match item {
        Item::Table(table) => sort_keys_in(table, order),
        Item::Value(toml_edit::Value::InlineTable(table)) => {
            table.sort_values_by(|a, _, b, _| rank(order, a).cmp(&rank(order, b)));
        }
        _ => {}
    }
}

fn sort_section(root: &mut Table, name: &str, order: &[&str]) {
    if let Some(item) = root.get_mut(name) {
        sort_keys(item, order);
    }
}

fn sort_section_like(parent: &mut Item, name: &str, order: &[&str]) {
    if let Some(item) = parent
        .as_table_like_mut()
        .and_then(|table| table.get_mut(name))
    {
        sort_keys(item, order);
    }
}

fn sort_soup(soup: &mut Item) {
    match soup {
        Item::Table(table) => table.sort_values_by(|a, _, b, _| a.get().cmp(b.get())),
        Item::Value(toml_edit::Value::InlineTable(table)) => {
            table.sort_values_by(|a, _, b, _| a.get().cmp(b.get()))
        }
        _ => {}
    }
    if let Some(table) = soup.as_table_like_mut() {
        for (_, specification) in table.iter_mut() {
            sort_keys(specification, SPECIFICATION_KEYS);
        }
    }
}

/// Puts the `[[name]]` tables in `order` and sorts the keys of each.
fn sort_entries(root: &mut Table, name: &str, order: &[usize], keys: &[&str]) {
    let Some(array) = root.get_mut(name).and_then(Item::as_array_of_tables_mut) else {
        return;
    };
    if array.len() == order.len() {
        let tables: Vec<Table> = array.iter().cloned().collect();
        let mut sorted = ArrayOfTables::new();
        for table in order.iter().filter_map(|&index| tables.get(index)) {
            sorted.push(table.clone());
        }
        *array = sorted;
    }
    for table in array.iter_mut() {
        sort_keys_in(table, keys);
    }
}

/// Calls `visit` on every table that has a header, in document order (the order
/// `toml_edit` writes tables of equal position in).
fn for_each_table_mut(table: &mut Table, visit: &mut impl FnMut(&mut Table)) {
    if !table.is_dotted() {
        visit(table);
    }
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(child) => for_each_table_mut(child, visit),
            Item::ArrayOfTables(array) => {
                for child in array.iter_mut() {
                    for_each_table_mut(child, visit);
                }
            }
            _ => {}
        }
    }
}

fn for_each_table<'t>(table: &'t Table, visit: &mut impl FnMut(&'t Table)) {
    if !table.is_dotted() {
        visit(table);
    }
    for (_, item) in table.iter() {
        match item {
            Item::Table(child) => for_each_table(child, visit),
            Item::ArrayOfTables(array) => {
                array.iter().for_each(|child| for_each_table(child, visit))
            }
            _ => {}
        }
    }
}

/// True for a table `toml_edit` writes with a header line.
fn is_displayed(table: &Table) -> bool {
    !(table.is_implicit() && table.iter().all(|(_, item)| !item.is_value()))
}

/// The original position of the table written first after the root, as the
/// document stands (tables are written by position, a table without one after its predecessor).
fn first_table_position(root: &Table) -> Option<isize> {
    let mut last = 0;
    let mut tables = Vec::new();
    for_each_table(root, &mut |table| {
        if let Some(position) = table.position() {
            last = position;
        }
        if !std::ptr::eq(table, root) && is_displayed(table) {
            tables.push((last, table.position()));
        }
    });
    tables
        .iter()
        .min_by_key(|(effective, _)| *effective)
        .and_then(|(_, position)| *position)
}

/// The first displayed table after the root in document order.
fn first_displayed(root: &Table) -> Option<&Table> {
    let mut first = None;
    for_each_table(root, &mut |table| {
        if first.is_none() && !std::ptr::eq(table, root) && is_displayed(table) {
            first = Some(table);
        }
    });
    first
}

fn prefix_of(table: &Table) -> String {
    table
        .decor()
        .prefix()
        .and_then(|prefix| prefix.as_str())
        .unwrap_or_default()
        .to_string()
}

/// Splits the comments before the first table into the file's header (up to and
/// including their last blank line; all of them when there is none) and the
/// table's own comment.
fn split_header(prefix: &str) -> (&str, &str) {
    let mut end = 0;
    let mut offset = 0;
    for line in prefix.split_inclusive('\n') {
        offset += line.len();
        if line.trim().is_empty() && line.ends_with('\n') {
            end = offset;
        }
    }
    if end == 0 {
        (prefix, "")
    } else {
        prefix.split_at(end)
    }
}

fn strip_leading_blank_lines(prefix: &str) -> &str {
    let mut rest = prefix;
    while let Some(newline) = rest.find('\n') {
        if !rest[..newline].trim().is_empty() {
            break;
        }
        rest = &rest[newline + 1..];
    }
    rest
}

/// Moves the header comment from the table that was first to the one that now is.
fn move_header(root: &mut Table, was_first: isize, now_first: isize) {
    let mut header = String::new();
    for_each_table_mut(root, &mut |table| {
        if table.position() == Some(was_first) {
            let prefix = prefix_of(table);
            let (head, own) = split_header(&prefix);
            header = head.to_string();
            table.decor_mut().set_prefix(format!("\n{own}"));
        }
    });
    for_each_table_mut(root, &mut |table| {
        if table.position() == Some(now_first) {
            let prefix = prefix_of(table);
            table
                .decor_mut()
                .set_prefix(format!("{header}{}", strip_leading_blank_lines(&prefix)));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_ends_at_the_last_blank_line() {
        assert_eq!(split_header("# a\n\n# b\n"), ("# a\n\n", "# b\n"));
        assert_eq!(split_header("# a\n# b\n"), ("# a\n# b\n", ""));
        assert_eq!(split_header(""), ("", ""));
    }

    #[test]
    fn blank_lines_before_a_comment_are_dropped() {
        assert_eq!(strip_leading_blank_lines("\n  \n# c\n"), "# c\n");
        assert_eq!(strip_leading_blank_lines("# c\n"), "# c\n");
    }
}
