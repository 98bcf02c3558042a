//! The demo profile end to end: the `signet-demo` binary (what `cargo xtask run|demo` starts)
//! brings up the local PKI's responders and the demo agency nodes; then the `signet` binary,
//! given only `SIGNET_PROFILE_DIR`, signs a PDF and an ASiC-E container at B-LT with the demo
//! identity, verifies both, and logs in to a demo node. pyHanko and libdigidocpp judge the
//! signatures. Stopping the launcher stops everything it started.
//!
//! The `signet` binary is the one built next to `signet-demo` (target/debug): `cargo xtask test`
//! builds the whole workspace before running the tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on broken fixtures"
)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "demo/cases.rs"]
mod cases;

/// A running `signet-demo`.
struct Demo {
    child: Child,
    dir: tempfile::TempDir,
    password: String,
    console: Vec<String>,
    lines: mpsc::Receiver<String>,
}

fn demo_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_signet-demo"))
}

fn signet_binary() -> PathBuf {
    let path = demo_binary().with_file_name("signet");
    assert!(
        path.is_file(),
        "{} is missing: build it first (`cargo build -p signet-cli`; `cargo xtask test` does)",
        path.display()
    );
    path
}

/// Reads `reader`'s lines into a channel, from a thread.
fn lines_of(reader: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// Reads console lines until `signet-demo: ready`.
fn until_ready(lines: &mpsc::Receiver<String>) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut console = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let ready = line == "signet-demo: ready";
                console.push(line);
                if ready {
                    return console;
                }
            }
            Err(e) => panic!("signet-demo did not get ready ({e}): {console:#?}"),
        }
    }
}

fn password_of(console: &[String]) -> String {
    console
        .iter()
        .find_map(|l| l.strip_prefix("identity password: "))
        .expect("the password is printed")
        .to_owned()
}

impl Demo {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(demo_binary())
            .arg("--dir")
            .arg(dir.path().join("profile"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let console = until_ready(&lines);
        let password = password_of(&console);
        Self {
            child,
            dir,
            password,
            console,
            lines,
        }
    }

    fn profile(&self) -> PathBuf {
        self.dir.path().join("profile")
    }

    fn profile_json(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.profile().join("profile.json")).unwrap())
            .unwrap()
    }

    fn nodes(&self) -> Vec<String> {
        let list: serde_json::Value =
            serde_json::from_slice(&std::fs::read(self.profile().join("data/nodes.json")).unwrap())
                .unwrap();
        list["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["url"].as_str().unwrap().to_owned())
            .collect()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `signet ARGS` in the demo profile, with `stdin`.
    fn signet(&self, args: &[&str], stdin: &str) -> Output {
        signet_with(
            Some(&self.profile()),
            &self.dir.path().join("home"),
            args,
            stdin,
        )
    }

    /// SIGTERM, then the exit status and the rest of the console.
    fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        terminate(self.child.id());
        let status = wait_for(&mut self.child, Duration::from_secs(30));
        // Its output ends when it has exited.
        let rest: Vec<String> = self.lines.iter().collect();
        (status, rest)
    }
}

fn terminate(pid: u32) {
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

fn wait_for(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the process did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A session bus address that leads nowhere: no keyring (a headless machine, and never the
/// developer's own keyring), so Signet's vault is kept with a passphrase.
const NO_BUS: &str = "unix:path=/nonexistent/signet-test-bus";

/// The passphrase of that vault: with `--pin-stdin`, a data command's first line.
const VAULT_PASSPHRASE: &str = "the demo's vault, seven horses strong";

fn signet_with(profile: Option<&Path>, home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(signet_binary());
    command
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .env("XDG_DATA_HOME", home)
        .env_remove("SIGNET_PROFILE")
        .env_remove("SIGNET_PROFILE_DIR")
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(profile) = profile {
        command.env("SIGNET_PROFILE_DIR", profile);
    }
    let mut child = command.spawn().unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: not one JSON document: {}", text(o)))
}

fn blank_pdf(dir: &Path) -> PathBuf {
    let src = dir.join("document.src");
    std::fs::write(&src, "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\ntrailer << /Size 4 /Root 1 0 R >>\n%%EOF\n").unwrap();
    let out = dir.join("document.pdf");
    let status = Command::new("qpdf")
        .arg(&src)
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(matches!(status.code(), Some(0 | 3)));
    out
}

/// Every process whose parent chain leads to `pid`.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(p) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|s| s.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parent_of.push((p, ppid));
        }
    }
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parent_of
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

fn alive(pid: u32) -> bool {
    // A zombie has exited; only its parent's wait is missing.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
    })
}

/// The loopback ports the demo serves on: the PKI's responders and every node.
fn ports(demo: &Demo) -> Vec<u16> {
    let tsa = demo.profile_json()["tsaUrl"].as_str().unwrap().to_owned();
    std::iter::once(tsa)
        .chain(demo.nodes())
        .map(|url| {
            let authority = url.split("//").nth(1).unwrap().split('/').next().unwrap();
            authority.rsplit_once(':').unwrap().1.parse().unwrap()
        })
        .collect()
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(1),
    )
    .is_ok()
}

#[test]
fn the_cli_signs_verifies_and_reads_data_with_the_demo_profile_alone() {
    let demo = Demo::start();
    let profile = demo.profile();
    let p12 = format!("p12:{}", profile.join("identity.p12").display());
    // One file with both keys, as a card: the signing key signs, the authentication key logs in.
    let auth = p12.clone();
    let pin = format!("{}\n", demo.password);
    // No keyring here: the data commands' vault is kept with a passphrase, their first line.
    let data_pin = format!("{VAULT_PASSPHRASE}\n{}\n", demo.password);
    // The password is on the console only: in no file of the profile, nor in a file name.
    for entry in walk(&profile) {
        assert!(!entry.display().to_string().contains(&demo.password));
        if entry.is_file() {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(
                !bytes
                    .windows(demo.password.len())
                    .any(|w| w == demo.password.as_bytes()),
                "{} holds the password",
                entry.display()
            );
        }
    }

    let pdf = blank_pdf(demo.dir.path());
    let pdf_arg = pdf.to_str().unwrap();
    // Without the profile, B-LT has no TSA: the profile is where it comes from.
    let bare = signet_with(
        None,
        &demo.dir.path().join("home"),
        &["sign", pdf_arg, "--token", &p12, "--pin-stdin"],
        &pin,
    );
    assert_eq!(bare.status.code(), Some(65), "{}", text(&bare));
    assert!(text(&bare).contains("--tsa"), "{}", text(&bare));

    // A PDF at B-LT: no --tsa, --trust or --tsl.
    let signed = demo.signet(
        &["sign", pdf_arg, "--token", &p12, "--pin-stdin", "--json"],
        &pin,
    );
    assert!(signed.status.success(), "{}", text(&signed));
    let out = demo.file("document.signed.pdf");
    assert_eq!(
        json(&signed)["outputs"][0]["level"],
        "B-LT",
        "{}",
        text(&signed)
    );
    let verified = demo.signet(&["verify", out.to_str().unwrap(), "--json"], "");
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let report = &json(&verified)["files"][0]["signatures"][0];
    assert_eq!(report["indication"], "TOTAL-PASSED", "{report:#}");
    assert_eq!(report["level"], "B-LT", "{report:#}");

    // B-LTA as well: the archive time-stamp comes from the profile's TSA too.
    let lta = demo.file("document-lta.pdf");
    let signed = demo.signet(
        &[
            "sign",
            pdf_arg,
            "--level",
            "B-LTA",
            "--token",
            &p12,
            "--pin-stdin",
            "--out",
            lta.to_str().unwrap(),
        ],
        &pin,
    );
    assert!(signed.status.success(), "{}", text(&signed));
    let verified = demo.signet(&["verify", lta.to_str().unwrap(), "--json"], "");
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let report = &json(&verified)["files"][0]["signatures"][0];
    assert_eq!(report["indication"], "TOTAL-PASSED", "{report:#}");
    assert_eq!(report["level"], "B-LTA", "{report:#}");

    // An ASiC-E container at B-LT.
    let notes = demo.file("notes.txt");
    std::fs::write(&notes, "Demo notes\n").unwrap();
    let container = demo.file("notes.asice");
    let signed = demo.signet(
        &[
            "sign",
            notes.to_str().unwrap(),
            "--token",
            &p12,
            "--pin-stdin",
            "--container",
            container.to_str().unwrap(),
            "--json",
        ],
        &pin,
    );
    assert!(signed.status.success(), "{}", text(&signed));
    let verified = demo.signet(&["verify", container.to_str().unwrap(), "--json"], "");
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let report = &json(&verified)["files"][0];
    assert_eq!(report["format"], "container", "{report:#}");
    assert_eq!(report["indication"], "TOTAL-PASSED", "{report:#}");
    assert_eq!(report["signatures"][0]["level"], "B-LT", "{report:#}");

    // The peers agree: pyHanko on the PDF (trusting the demo root), libdigidocpp on the
    // container (with the demo trusted list).
    let root = profile.join("trust/root.pem");
    let pyhanko = Command::new(signet_testkit::peers::venv_program("pyhanko").unwrap())
        .args(["sign", "validate", "--no-revocation-check", "--trust"])
        .arg(&root)
        .arg("--trust-replace")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        pyhanko.status.success() && text(&pyhanko).contains("INTACT:TRUSTED"),
        "{}",
        text(&pyhanko)
    );
    let digidoc = Command::new(signet_testkit::peers::venv_program("python").unwrap())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/digidoc.py"))
        .args(["validate", "--tsl"])
        .arg(profile.join("trust/tsl.xml"))
        .arg("--tslcert")
        .arg(profile.join("trust/tsl-signer.der"))
        .arg(&container)
        .output()
        .unwrap();
    assert!(digidoc.status.success(), "{}", text(&digidoc));
    let peer: serde_json::Value = serde_json::from_slice(&digidoc.stdout).unwrap();
    let key = container.to_str().unwrap();
    assert_eq!(peer[key]["signatures"][0]["status"], "Valid", "{peer:#}");

    // The data commands against the Population Register's node, from the profile's nodes.json
    // (pinned log key, TLS CA), with the demo identity's authentication key.
    let nodes = demo.nodes();
    assert_eq!(nodes.len(), 5, "{nodes:?}");
    let node = &nodes[0];
    let login = demo.signet(
        &[
            "data",
            "login",
            "--node",
            node,
            "--token",
            &auth,
            "--pin-stdin",
            "--json",
        ],
        &data_pin,
    );
    assert!(login.status.success(), "{}", text(&login));
    assert_eq!(json(&login)["name"], "MARI TAMM", "{}", text(&login));
    let holdings = demo.signet(
        &[
            "data",
            "holdings",
            "--node",
            node,
            "--token",
            &auth,
            "--pin-stdin",
            "--json",
        ],
        &data_pin,
    );
    assert!(holdings.status.success(), "{}", text(&holdings));
    let h = json(&holdings);
    assert_eq!(h["dataSets"][0]["id"], "population", "{h:#}");
    assert_eq!(
        h["records"][0]["values"]["name"]["value"], "Mari Tamm",
        "{h:#}"
    );
    let verify = demo.signet(
        &[
            "data",
            "verify",
            "--node",
            node,
            "--token",
            &auth,
            "--pin-stdin",
            "--json",
        ],
        &data_pin,
    );
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert_eq!(json(&verify)["verified"], true, "{}", text(&verify));
    // The session and the checkpoint went to the profile's data folder, into its vault.
    assert!(profile.join("data/vault.db").is_file());
    assert!(profile.join("data/vault.db.passphrase").is_file());
    assert!(!profile.join("data/data/checkpoints.json").exists());
    assert!(
        !demo
            .dir
            .path()
            .join("home/ee.signet.Signet/nodes.json")
            .exists()
    );

    let console = demo.console.join("\n");
    let (status, rest) = demo.stop();
    assert!(status.success(), "{status}: {rest:?}\n{console}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}

/// The commands of the README's block marked `<!-- readme-test: NAME -->` (the next ```sh
/// block): one per line, comments and empty lines left out.
fn readme_block(name: &str) -> Vec<String> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    let marker = format!("<!-- readme-test: {name} ");
    let after = text
        .split_once(&marker)
        .unwrap_or_else(|| panic!("README.md has no {marker}"))
        .1;
    let block = after
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .unwrap()
        .0;
    block
        .lines()
        .map(|l| {
            l.split_once(" #")
                .map_or(l, |(cmd, _)| cmd)
                .trim()
                .to_owned()
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The README's demo block, run as written against the demo profile: `$PWD/target/demo` is the
/// profile, `$PWD/target/debug` the folder of the built binaries, `URL` the first node; a
/// command that asks for the identity's password gets it on standard input (`--pin-stdin`
/// added: a test has no terminal). Every command must succeed.
#[test]
fn the_readmes_demo_commands_work_as_written() {
    let demo = Demo::start();
    let work = demo.file("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::rename(blank_pdf(demo.dir.path()), work.join("contract.pdf")).unwrap();
    std::fs::write(work.join("notes.txt"), "Demo notes\n").unwrap();
    let bin_dir = signet_binary().parent().unwrap().to_owned();
    let url = demo.nodes()[0].clone();
    let mut env: Vec<(String, String)> = vec![("PATH".into(), std::env::var("PATH").unwrap())];
    let expand = |word: &str, env: &[(String, String)]| {
        let mut word = word
            .replace("$PWD/target/demo", demo.profile().to_str().unwrap())
            .replace("$PWD/target/debug", bin_dir.to_str().unwrap());
        for (name, value) in env {
            word = word.replace(&format!("${name}"), value);
        }
        if word == "URL" { url.clone() } else { word }
    };
    let commands = readme_block("demo");
    assert!(commands.len() >= 5, "{commands:?}");
    let mut ran = 0;
    for line in &commands {
        let words: Vec<String> = line.split_whitespace().map(|w| expand(w, &env)).collect();
        match words[0].as_str() {
            "cargo" => continue, // the demo is already running
            "export" => {
                let (name, value) = words[1].split_once('=').unwrap();
                env.retain(|(n, _)| n != name);
                env.push((name.to_owned(), value.to_owned()));
                continue;
            }
            _ => {}
        }
        let mut args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let asks = matches!(args.first(), Some(&"sign" | &"data"));
        if asks {
            args.push("--pin-stdin");
        }
        // Without a keyring a data command opens the vault with its passphrase, the first line.
        let stdin = if args.first() == Some(&"data") {
            format!("{VAULT_PASSPHRASE}\n{}\n", demo.password)
        } else {
            format!("{}\n", demo.password)
        };
        let mut command = Command::new(&words[0]);
        command
            .args(&args)
            .current_dir(&work)
            .env_remove("SIGNET_PROFILE")
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .env("XDG_DATA_HOME", demo.file("home"))
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in &env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap_or_else(|e| panic!("{line}: {e}"));
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "`{line}`: {}", text(&out));
        ran += 1;
    }
    assert!(ran >= 5, "{commands:?}");
    assert!(work.join("contract.signed.pdf").exists());
    // The container has two signatures: one made with it, one added with --add-to.
    let listed = demo.signet(
        &["asice", "list", work.join("notes.asice").to_str().unwrap()],
        "",
    );
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout)
            .matches("(signature)")
            .count(),
        2,
        "{}",
        text(&listed)
    );
    let (status, _) = demo.stop();
    assert!(status.success(), "{status}");
}

/// The demo explains itself: for each agency a `signet data usage` line and an official's query
/// with the federation file's path and a data set the node holds; the query works as printed,
/// and an unknown data set is answered with the valid ones.
#[test]
fn the_demo_prints_ready_lines_for_each_agency_that_work() {
    let demo = Demo::start();
    let federation = demo.profile().join("nodes/federation.json");
    let queries: Vec<String> = demo
        .console
        .iter()
        .filter(|l| l.trim_start().starts_with("signet-node official query "))
        .cloned()
        .collect();
    let usages = demo
        .console
        .iter()
        .filter(|l| {
            l.trim_start()
                .starts_with("signet data usage --node https://")
        })
        .count();
    assert_eq!(queries.len(), 5, "{:#?}", demo.console);
    assert_eq!(usages, 5, "{:#?}", demo.console);
    assert!(
        queries
            .iter()
            .all(|q| q.contains(&format!("--federation {} ", federation.display()))),
        "{queries:#?}"
    );
    let node = signet_binary().with_file_name("signet-node");
    assert!(
        node.is_file(),
        "{} is missing: build it first",
        node.display()
    );
    let run = |line: &str| {
        // The purpose is quoted for the shell: one argument.
        let (head, purpose) = line.trim().split_once(" --purpose ").unwrap();
        let mut args: Vec<String> = head.split_whitespace().skip(1).map(str::to_owned).collect();
        args.push("--purpose".into());
        args.push(purpose.trim_matches('\'').to_owned());
        Command::new(&node)
            .args(&args)
            .env("RUST_LOG", "off")
            .output()
            .unwrap()
    };
    for query in &queries {
        let out = run(query);
        assert!(out.status.success(), "`{query}`: {}", text(&out));
    }
    let wrong = queries[0].replace("--data-set population", "--data-set nosuch");
    assert_ne!(
        wrong, queries[0],
        "the Population Register's line names `population`"
    );
    let out = run(&wrong);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no data set `nosuch`") && text(&out).contains("population"),
        "{}",
        text(&out)
    );
    let (status, _) = demo.stop();
    assert!(status.success(), "{status}");
}

#[test]
fn sigterm_stops_every_service_and_leaves_no_process_behind() {
    let demo = Demo::start();
    let pid = demo.child.id();
    let ports = ports(&demo);
    assert_eq!(ports.len(), 6);
    for port in &ports {
        assert!(listening(*port), "port {port} is not served");
    }
    // While a responder works (OpenSSL answering a CRL request), note what runs under it.
    let pki_port = ports[0];
    let fetch = std::thread::spawn(move || {
        let mut tcp = std::net::TcpStream::connect(("127.0.0.1", pki_port)).unwrap();
        write!(
            tcp,
            "GET /root.crl HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = Vec::new();
        std::io::Read::read_to_end(&mut tcp, &mut answer).unwrap();
        answer
    });
    let mut seen = descendants(pid);
    for _ in 0..20 {
        seen.extend(descendants(pid));
        std::thread::sleep(Duration::from_millis(5));
    }
    let answer = fetch.join().unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "the CRL is served");
    let (status, rest) = demo.stop();
    assert!(status.success(), "{status}");
    assert!(rest.iter().any(|l| l == "signet-demo: stopped"), "{rest:?}");
    for p in seen {
        assert!(!alive(p), "process {p} outlived signet-demo");
    }
    for port in ports {
        assert!(!listening(port), "port {port} is still served");
    }
}

#[test]
fn the_end_of_the_starting_process_stops_the_services() {
    // A shell starts signet-demo and is then killed outright (no chance to pass a signal on):
    // signet-demo notices that its parent is gone and stops on its own.
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Command::new("sh")
        .arg("-c")
        .arg("\"$0\" --dir \"$1\" & wait")
        .arg(demo_binary())
        .arg(dir.path().join("profile"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = lines_of(shell.stdout.take().unwrap());
    let _ = until_ready(&lines);
    let launcher = descendants(shell.id());
    assert_eq!(launcher.len(), 1, "{launcher:?}");
    let launcher = launcher[0];
    let killed = Command::new("kill")
        .args(["-KILL", &shell.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let _ = shell.wait();
    let deadline = Instant::now() + Duration::from_secs(20);
    while alive(launcher) {
        assert!(
            Instant::now() < deadline,
            "signet-demo {launcher} outlived the process that started it"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let rest: Vec<String> = lines.iter().collect();
    assert!(
        rest.iter()
            .any(|l| l.contains("the process that started it has ended")),
        "{rest:?}"
    );
}
