//! Alarms are kept with their evidence until dismissed, raised once, and survive a reopen.

use std::time::Duration;

use signet_core::Clock as _;

use crate::support::Scene;

#[test]
fn an_alarm_is_kept_until_dismissed_and_raised_only_once() {
    let scene = Scene::new();
    let t0 = scene.clock.now();
    {
        let mut vault = scene.open().unwrap();
        assert!(
            vault
                .raise_alarm("a1", "http://rr", b"{\"kind\":\"entryRemoved\"}")
                .unwrap()
        );
        scene.clock.advance(Duration::from_secs(60));
        assert!(
            vault
                .raise_alarm("b2", "http://tis", b"{\"kind\":\"proofFailed\"}")
                .unwrap()
        );
        // The same problem with the same evidence, seen again: nothing new.
        assert!(
            !vault
                .raise_alarm("a1", "http://rr", b"{\"other\":1}")
                .unwrap()
        );
    }
    let mut vault = scene.open().unwrap();
    let open = vault.open_alarms().unwrap();
    assert_eq!(
        open.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["a1", "b2"]
    );
    assert_eq!(open[0].document, b"{\"kind\":\"entryRemoved\"}");
    assert_eq!(open[0].node, "http://rr");
    assert_eq!(open[0].raised_at, t0);
    assert!(vault.dismiss_alarm("a1").unwrap());
    assert!(!vault.dismiss_alarm("nope").unwrap());
    assert_eq!(vault.open_alarms().unwrap().len(), 1);
    // Dismissed, it is still there as evidence, and seeing it again does not raise it anew.
    assert!(vault.alarm("a1").unwrap().unwrap().dismissed_at.is_some());
    assert!(!vault.raise_alarm("a1", "http://rr", b"{}").unwrap());
    assert_eq!(vault.open_alarms().unwrap().len(), 1);
}

#[test]
fn an_alarm_id_is_checked() {
    let scene = Scene::new();
    let mut vault = scene.open().unwrap();
    for bad in ["", "a b", "../x", &"x".repeat(129)] {
        assert!(vault.raise_alarm(bad, "n", b"{}").is_err(), "{bad:?}");
    }
}
