//! Several first openings at once (the window's screens each open the vault as the app starts):
//! one key is made and kept, and every opening, then and later, opens the same vault.

use crate::support::Scene;

#[test]
fn first_openings_at_once_make_one_key_and_the_vault_opens_ever_after() {
    for _ in 0..20 {
        let scene = Scene::new();
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| scene.open().map(|_| ())))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for result in &results {
            assert!(result.is_ok(), "{result:?}");
        }
        let mut vault = scene.open().unwrap();
        vault.put_setting("x", "y").unwrap();
        drop(vault);
        assert_eq!(
            scene.open().unwrap().setting("x").unwrap().as_deref(),
            Some("y")
        );
    }
}
