//! Usage errors as scripts and terminals get them: with `--json`, one JSON document on standard
//! output and exit 64 from every subcommand; no colour codes where nobody asked for them.

use std::process::Command;

use crate::terminal::signet_on_terminal_with_env;

fn signet(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env("TERM", "xterm-256color")
        .output()
        .unwrap()
}

/// The subcommands listed under "Commands:" in a help text (`help` left out).
fn commands_in_help(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command path, `signet` itself first, found by reading each level's help.
fn every_command() -> Vec<Vec<String>> {
    let mut found = vec![Vec::new()];
    let mut next = 0;
    while next < found.len() {
        let path = found[next].clone();
        next += 1;
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = signet(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        for sub in commands_in_help(&String::from_utf8(out.stdout).unwrap()) {
            let mut longer = path.clone();
            longer.push(sub);
            found.push(longer);
        }
    }
    found
}

/// Asserts that `out` is exactly one JSON error document on stdout, nothing on stderr, exit 64.
fn assert_one_json_usage_error(args: &[&str], out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(64), "{args:?}: {stdout}");
    assert!(
        out.stderr.is_empty(),
        "{args:?}: stderr {:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut documents =
        serde_json::Deserializer::from_str(&stdout).into_iter::<serde_json::Value>();
    let document = documents.next().unwrap().unwrap();
    assert!(
        documents.next().is_none(),
        "{args:?}: more than one document: {stdout}"
    );
    let error = &document["error"];
    assert_eq!(error["code"], "INVALID_INPUT", "{args:?}: {stdout}");
    for field in ["message", "recommendation"] {
        assert!(
            error[field].as_str().is_some_and(|text| !text.is_empty()),
            "{args:?}: no {field}: {stdout}"
        );
    }
    assert_eq!(document.as_object().unwrap().len(), 1, "{stdout}");
    assert!(
        !stdout.contains('\x1b'),
        "{args:?}: colour codes: {stdout:?}"
    );
}

#[test]
fn every_subcommand_with_json_and_an_unknown_flag_prints_one_json_error_and_exits_64() {
    let commands = every_command();
    let names: Vec<String> = commands.iter().map(|path| path.join(" ")).collect();
    // The walk found them all (a help text that changed shape would find none).
    for expected in [
        "sign",
        "verify",
        "extend",
        "batch",
        "asice list",
        "asice extract",
        "asice add",
        "card status",
        "card certs",
        "card sign-digest",
        "card pin change",
        "card pin unblock",
        "cert",
        "cert verify",
        "data login",
        "data holdings",
        "data usage",
        "data verify",
        "info",
    ] {
        assert!(
            names.iter().any(|name| name == expected),
            "{expected} not in {names:?}"
        );
    }
    for path in &commands {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.extend(["--json", "--no-such-flag"]);
        let out = signet(&args);
        assert_one_json_usage_error(&args, &out);
        let document: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let message = document["error"]["message"].as_str().unwrap();
        assert!(message.contains("'--no-such-flag'"), "{args:?}: {message}");
        let recommendation = document["error"]["recommendation"].as_str().unwrap();
        let name: Vec<&str> = std::iter::once("signet")
            .chain(path.iter().map(String::as_str))
            .collect();
        let help = format!("See `{} --help`.", name.join(" "));
        assert!(
            recommendation.ends_with(&help),
            "{args:?}: {recommendation}"
        );
    }
}

#[test]
fn with_json_a_bad_value_an_unknown_subcommand_or_a_missing_argument_is_one_json_error() {
    for args in [
        &["--json", "sign", "a.pdf", "--level", "B-X"][..],
        &["--json", "card", "pin", "change", "pin3"],
        &["--json", "frobnicate"],
        &["card", "frobnicate", "--json"],
        &["--json", "verify"],
        &["--json", "data", "login"],
        &["--json"],
        &["--json", "card"],
        &["--json", "asice"],
    ] {
        assert_one_json_usage_error(args, &signet(args));
    }
}

#[test]
fn without_json_a_usage_error_stays_text_on_stderr() {
    let out = signet(&["info", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: unexpected argument '--no-such-flag' found"),
        "{stderr}"
    );
    // Not a terminal: no colour codes.
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}

#[test]
fn on_a_terminal_colour_only_when_neither_no_color_nor_clicolor_0_asks_for_none() {
    let term = ("TERM", "xterm-256color");
    // An empty NO_COLOR counts as not set (no-color.org).
    let colour = [term, ("NO_COLOR", ""), ("CLICOLOR", "1")];
    let (code, screen) =
        signet_on_terminal_with_env(&["info", "--no-such-flag"], &colour, None, &[]);
    assert_eq!(code, 64, "{screen}");
    assert!(
        screen.contains('\x1b'),
        "a terminal gets colour: {screen:?}"
    );
    for env in [
        [term, ("NO_COLOR", "1"), ("CLICOLOR", "1")],
        [term, ("NO_COLOR", ""), ("CLICOLOR", "0")],
    ] {
        let (code, screen) =
            signet_on_terminal_with_env(&["info", "--no-such-flag"], &env, None, &[]);
        assert_eq!(code, 64, "{screen}");
        assert!(screen.contains("unexpected argument"), "{screen}");
        assert!(!screen.contains('\x1b'), "{env:?}: {screen:?}");
    }
    // With --json the one document has no colour, on a terminal too.
    let (code, screen) =
        signet_on_terminal_with_env(&["--json", "info", "--no-such-flag"], &colour, None, &[]);
    assert_eq!(code, 64, "{screen}");
    assert!(screen.contains("\"error\""), "{screen}");
    assert!(!screen.contains('\x1b'), "{screen:?}");
}
