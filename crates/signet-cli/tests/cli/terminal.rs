//! `signet` on a pseudo-terminal (Python's `pty`), for the prompts that only a terminal gets.

use std::process::Command;

/// Runs `signet args` on a pseudo-terminal. With `confirm`, the question ending in "[y/N] " is
/// answered with it first; then each prompt ending in ": " is answered with the next of `secrets`,
/// typed only once the program has switched echo off (after 2 s it is typed anyway, and the
/// test's check of the screen fails). Returns (exit code, what the terminal showed).
pub(crate) fn signet_on_terminal(
    args: &[&str],
    confirm: Option<&str>,
    secrets: &[&str],
) -> (i32, String) {
    signet_on_terminal_with_env(args, &[], confirm, secrets)
}

/// [`signet_on_terminal`] with `env` added to its environment.
pub(crate) fn signet_on_terminal_with_env(
    args: &[&str],
    env: &[(&str, &str)],
    confirm: Option<&str>,
    secrets: &[&str],
) -> (i32, String) {
    const DRIVER: &str = r#"
import os, pty, sys, json, termios, time
argv = json.loads(sys.argv[1]); confirm = json.loads(sys.argv[2]); secrets = json.loads(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen = b""; answered = confirm is None; given = 0; asked = 0
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not answered and seen.endswith(b"[y/N] "):
        os.write(fd, confirm.encode() + b"\n"); answered = True; asked = seen.count(b": ")
    elif answered and given < len(secrets) and seen.rstrip(b"\r\n").endswith(b": ") and seen.count(b": ") > asked + given:
        for _ in range(200):
            if not termios.tcgetattr(fd)[3] & termios.ECHO:
                break
            time.sleep(0.01)
        os.write(fd, secrets[given].encode() + b"\n"); given += 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let mut argv = vec![env!("CARGO_BIN_EXE_signet")];
    argv.extend_from_slice(args);
    let out = Command::new("python3")
        .envs(env.iter().copied())
        .args(["-c", DRIVER])
        .arg(serde_json::to_string(&argv).unwrap())
        .arg(serde_json::to_string(&confirm).unwrap())
        .arg(serde_json::to_string(secrets).unwrap())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
