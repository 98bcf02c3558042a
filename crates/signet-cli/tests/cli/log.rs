//! A log to attach (issue 18, point 7): the command line writes the same rotating log file as
//! the app, in the same folder, and `signet info` prints where it is.

use std::process::Command;

#[test]
fn the_cli_writes_the_apps_rotating_log_and_info_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let logs = home.join("ee.signet.Signet/logs");
    let signet = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_signet"))
            .args(args)
            .current_dir(dir.path())
            .env("XDG_DATA_HOME", &home)
            .env_remove("SIGNET_LOG")
            .output()
            .unwrap()
    };
    let info = signet(&["info"]);
    assert!(info.status.success());
    let text = String::from_utf8(info.stdout).unwrap();
    assert!(
        text.contains(&format!("log folder: {}\n", logs.display())),
        "{text}"
    );

    let out = signet(&["verify", "missing.pdf"]);
    assert_eq!(out.status.code(), Some(66));
    let files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].starts_with("signet.") && files[0].ends_with(".log"),
        "{files:?}"
    );
    let log = std::fs::read_to_string(logs.join(&files[0])).unwrap();
    assert!(log.contains("signet started"), "{log}");
    assert!(log.contains("command=\"verify\""), "{log}");
    assert!(log.contains("exit=66"), "{log}");
    // No colour codes in the file.
    assert!(!log.contains('\x1b'), "{log:?}");
}
