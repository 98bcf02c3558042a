//! Corrections and misuse reports at a demo node, run as the demo's console prints them (split
//! from demo.rs).

use super::*;

/// A console line as arguments: words, and text in single quotes as one argument.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let (word, after) = quoted.split_once('\'').unwrap();
            words.push(word.to_owned());
            rest = after.trim_start();
        } else {
            let (word, after) = rest.split_once(' ').unwrap_or((rest, ""));
            words.push(word.to_owned());
            rest = after.trim_start();
        }
    }
    words
}

#[test]
fn the_demo_nodes_take_corrections_and_misuse_reports_as_the_console_says() {
    let demo = Demo::start();
    let line = |start: &str| -> Vec<String> {
        let found = demo
            .console
            .iter()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no `{start}` line: {:#?}", demo.console));
        shell_words(found)
    };
    let p12 = format!("p12:{}", demo.profile().join("identity.p12").display());
    // No keyring in these tests: each data command's first line is the vault's passphrase.
    let pin = format!("{}\n{}\n", super::VAULT_PASSPHRASE, demo.password);
    let signet = |words: Vec<String>, extra: &[&str]| {
        let mut args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        args.extend_from_slice(&["--token", &p12, "--pin-stdin", "--json"]);
        args.extend_from_slice(extra);
        demo.signet(&args, &pin)
    };
    let node = signet_binary().with_file_name("signet-node");
    let operator = |words: Vec<String>, id: Option<&str>| {
        let mut args: Vec<String> = words.into_iter().skip(1).collect();
        if let Some(id) = id {
            let at = args.iter().position(|a| a == "CORRECTION-ID").unwrap();
            args[at] = id.to_owned();
        }
        let out = Command::new(&node)
            .args(&args)
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        json(&out)
    };

    // Mari asks the Population Register to correct her address, as the console shows.
    let filed = signet(line("signet data correct "), &[]);
    assert!(filed.status.success(), "{}", text(&filed));
    assert_eq!(json(&filed)["verified"], true, "{}", text(&filed));
    // The operator sees it and accepts it.
    let listed = operator(line("signet-node correction list "), None);
    let id = listed["corrections"][0]["id"].as_str().unwrap().to_owned();
    let accepted = operator(line("signet-node correction accept "), Some(&id));
    assert_eq!(accepted["status"], "accepted", "{accepted}");
    // Mari's Signet gets the decision with its verified receipt.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let list = signet(line("signet data corrections "), &[]);
        assert!(list.status.success(), "{}", text(&list));
        let body = json(&list);
        if body["receipts"].as_array().unwrap().len() == 2 {
            assert_eq!(body["corrections"][0]["acceptedValue"], "Tähe 5, Tartu");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{body}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // She reports her own first entry (the correction request) to try the report path, and
    // the data protection officer's list shows it.
    let mut report = line("signet data report ");
    let at = report.iter().position(|a| a == "INDEX").unwrap();
    report[at] = "0".into();
    let reported = signet(report, &[]);
    assert!(reported.status.success(), "{}", text(&reported));
    let reports = operator(line("signet-node report list "), None);
    assert_eq!(reports["reports"].as_array().unwrap().len(), 1, "{reports}");
    let (status, _) = demo.stop();
    assert!(status.success(), "{status}");
}
