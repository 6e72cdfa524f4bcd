use super::*;

fn row(name: &str, uid: &str, rv: &str, status: &str) -> Row {
    Row {
        tenant: "t".into(),
        namespace: "a".into(),
        name: name.into(),
        uid: uid.into(),
        resource_version: rv.into(),
        cells: vec![name.into(), status.into()],
        ..Row::default()
    }
}

fn known(rows: &[Row]) -> Known {
    rows.iter().map(|r| (r.name.clone(), r.clone())).collect()
}

fn lines(events: &[(Change, Row)]) -> Vec<String> {
    events
        .iter()
        .map(|(c, r)| format!("{} {} {}", c.as_str(), r.name, r.cells[1]))
        .collect()
}

#[test]
fn a_relist_after_410_prints_each_change_once_and_nothing_unchanged() {
    let mut k = known(&[
        row("same", "u1", "10", "Running"),
        row("changed", "u2", "11", "Pending"),
        row("gone", "u3", "12", "Running"),
        row("remade", "u4", "13", "Running"),
    ]);
    let fresh = vec![
        row("same", "u1", "10", "Running"),
        row("changed", "u2", "20", "Running"),
        row("remade", "u9", "21", "Pending"),
        row("new", "u5", "22", "Pending"),
    ];
    let events = relist_diff(&mut k, fresh.clone());
    assert_eq!(
        lines(&events),
        [
            "DELETED gone Running",
            "MODIFIED changed Running",
            "DELETED remade Running",
            "ADDED remade Pending",
            "ADDED new Pending",
        ]
    );
    // Nothing was lost: what is known now is exactly the fresh list.
    assert_eq!(k, known(&fresh));
    // A second relist of the same state prints nothing: no duplicated line.
    assert!(relist_diff(&mut k, fresh).is_empty());
}

#[test]
fn a_watch_event_already_printed_is_not_printed_again() {
    let mut k = known(&[row("web", "u1", "10", "Running")]);
    assert_eq!(
        apply(&mut k, Change::Added, row("web", "u1", "10", "Running")),
        None
    );
    assert_eq!(
        apply(&mut k, Change::Modified, row("web", "u1", "11", "Running")).map(|e| e.0),
        Some(Change::Modified)
    );
    assert_eq!(
        apply(&mut k, Change::Modified, row("web", "u1", "11", "Running")),
        None
    );
    assert_eq!(
        apply(&mut k, Change::Deleted, row("web", "u1", "12", "Running")).map(|e| e.0),
        Some(Change::Deleted)
    );
    // A delete of what was never printed (or already deleted) is not printed.
    assert_eq!(
        apply(&mut k, Change::Deleted, row("web", "u1", "12", "Running")),
        None
    );
    assert!(k.is_empty());
}

#[test]
fn the_backoff_doubles_to_two_seconds_with_jitter() {
    let mut b = Backoff::default();
    let waits: Vec<Duration> = (0..8).map(|_| b.next()).collect();
    assert!(waits[0] >= Duration::from_millis(80) && waits[0] <= Duration::from_millis(120));
    assert!(waits[7] >= Duration::from_millis(1600) && waits[7] <= Duration::from_millis(2400));
}
