//! `signet-demo`: Signet's demo services on loopback, and the demo profile that points Signet at
//! them. `cargo xtask run` and `cargo xtask demo` start it; the acceptance tests start the same
//! binary.
//!
//! ```text
//! signet-demo [--dir DIR] [--port-base PORT] [--virtual-card]
//! ```
//!
//! With `--virtual-card` it also starts pcscd with vsmartcard's vpcd readers (as root; vpcd
//! listens on a local port, 35963) and plugs in a virtual ID card holding Mari Tamm's keys (PIN1
//! 1234, PIN2 12345, PUK 17258403); the profile then signs with the card. Lines `remove` and
//! `insert` on standard input pull the card out and put it back.
//!
//! It starts the test PKI's responders (signet-testkit: OpenSSL's own OCSP responder and
//! time-stamping authority and the root's CRL, on one free 127.0.0.1 port) and the five demo
//! agency nodes (signet-node's demo federation, HTTPS on 127.0.0.1, free ports or from
//! `--port-base`), then writes the profile folder (default `target/demo`, emptied first):
//!
//! ```text
//! profile.json          what Signet reads (signet_api::profile): TSA URL, trusted list, data folder
//! identity.p12          Mari Tamm's signing and authentication keys and certificates, as on
//!                       her ID card (the local PKI's): signing, and logging in to the nodes
//! trust/                root.pem, issuing-ca.pem, tsl.xml (signed trusted list), tsl-signer.pem/.der
//! data/nodes.json       Signet's list of nodes with each node's pinned log key and TLS CA
//! nodes/                the nodes' databases, log keys and federation files
//! ```
//!
//! The identity's password is made at random at every start and printed on the console only.
//! The last line `signet-demo: ready` says everything is up. Ctrl-C or SIGTERM stops every
//! service, and so does the end of the process that started it (no orphans).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a console program: its output is for the person who started it"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use signet_data::demo::DEMO_PEOPLE;
use signet_node::demo::{DemoOptions, start_demo};
use signet_pki::Cert;
use signet_testkit::{Role, TestPki, pem};
use signet_vcard::{CardSpec, Holder, VirtualCard};
use zeroize::Zeroizing;

const USAGE: &str = "\
usage: signet-demo [--dir DIR] [--port-base PORT] [--virtual-card]

Starts Signet's demo services on 127.0.0.1 (OCSP, TSA and CRL of a local test PKI; five demo
agency nodes) and writes the demo profile into DIR (default target/demo; emptied first).
With --virtual-card, also pcscd (as root) with a virtual ID card holding the demo identity's keys
(PIN1 1234, PIN2 12345, PUK 17258403); `remove` and `insert` on standard input pull it and put it
back. Ctrl-C or SIGTERM stops them.";

/// The virtual card's codes (printed; the demo's card is a test device).
const CARD_PIN1: &str = "1234";
const CARD_PIN2: &str = "12345";
const CARD_PUK: &str = "17258403";

/// The marker of a folder this program owns (and may empty).
const MARKER: &str = ".signet-demo";

#[derive(Debug)]
struct Options {
    dir: PathBuf,
    port_base: Option<u16>,
    virtual_card: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "signet-demo: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = std::ffi::OsString>) -> anyhow::Result<Options> {
    let mut options = Options {
        dir: PathBuf::from("target/demo"),
        port_base: None,
        virtual_card: false,
    };
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--dir") => {
                options.dir = args.next().context("--dir needs a folder")?.into();
            }
            Some("--port-base") => {
                let port = args.next().context("--port-base needs a port")?;
                options.port_base = Some(
                    port.to_string_lossy()
                        .parse()
                        .ok()
                        .filter(|p| *p >= 1024)
                        .context("--port-base is a port number from 1024")?,
                );
            }
            Some("--virtual-card") => options.virtual_card = true,
            Some("--help" | "-h") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => bail!("unknown argument {arg:?}\n\n{USAGE}"),
        }
    }
    Ok(options)
}

fn run() -> anyhow::Result<()> {
    let options = parse_args(std::env::args_os().skip(1))?;
    let dir = std::path::absolute(&options.dir)
        .with_context(|| format!("{}: not a usable folder", options.dir.display()))?;
    prepare(&dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    let pki = TestPki::start().context("cannot start the local PKI's responders")?;
    let trust = dir.join("trust");
    std::fs::create_dir_all(&trust)?;
    write(
        &trust.join("root.pem"),
        pem("CERTIFICATE", pki.der(Role::Root))?,
    )?;
    write(
        &trust.join("issuing-ca.pem"),
        pem("CERTIFICATE", pki.der(Role::IssuingCa))?,
    )?;
    let list = pki.trusted_list()?;
    write(&trust.join("tsl.xml"), &list.xml)?;
    write(
        &trust.join("tsl-signer.pem"),
        pem("CERTIFICATE", &list.signer)?,
    )?;
    // DER too, for peers that read only DER (libdigidocpp's --tslcert).
    write(&trust.join("tsl-signer.der"), &list.signer)?;

    let password = password()?;
    let identity = signet_testkit::pkcs12(
        &[pki.get(Role::Signing), pki.get(Role::Authentication)],
        &[pki.get(Role::IssuingCa)],
        &password,
        pki.dir(),
    )
    .context("cannot make the demo identity's PKCS#12 file")?;
    write(&dir.join("identity.p12"), identity)?;

    // The virtual card, plugged in before anything says "ready".
    let card = if options.virtual_card {
        Some(virtual_card(&pki)?)
    } else {
        None
    };

    let nodes_dir = dir.join("nodes");
    let demo = DemoOptions {
        dir: nodes_dir.clone(),
        person_anchors: vec![Cert::from_der(pki.der(Role::Root))?],
        person_intermediates: vec![Cert::from_der(pki.der(Role::IssuingCa))?],
        person_tls: true,
        port_base: options.port_base,
        clock: Arc::new(signet_core::SystemClock),
        checkpoint_interval: Duration::from_millis(200),
    };
    let federation = runtime
        .block_on(start_demo(demo))
        .context("cannot start the demo agency nodes")?;
    let written = federation
        .write_files(&nodes_dir)
        .context("cannot write the nodes' files");
    let result = written.and_then(|()| {
        let data = dir.join("data");
        std::fs::create_dir_all(&data)?;
        std::fs::copy(nodes_dir.join("nodes.json"), data.join("nodes.json"))
            .context("cannot copy nodes.json into the profile's data folder")?;
        let profile = serde_json::json!({
            "name": "demo",
            "tsaUrl": pki.tsa_url(),
            "trust": [],
            "trustedList": "trust/tsl.xml",
            "trustedListSigners": ["trust/tsl-signer.pem"],
            "dataDir": "data",
            "identity": "identity.p12",
            "token": if card.is_some() { "pcsc" } else { "p12:identity.p12" },
        });
        write(
            &dir.join("profile.json"),
            serde_json::to_string_pretty(&profile)?,
        )?;
        print_summary(&dir, &pki, &federation, &password);
        if card.is_some() {
            say(&format!(
                "virtual ID card: Mari Tamm's keys in the reader \"Virtual PCD 00 00\" (PIN1 {CARD_PIN1}, PIN2 {CARD_PIN2}, PUK {CARD_PUK}); type `remove` or `insert` to pull it or put it back"
            ));
        }
        let why = runtime.block_on(wait_for_stop())?;
        say(&format!("signet-demo: stopping ({why})"));
        Ok(())
    });
    runtime.block_on(federation.stop());
    drop(card);
    drop(pki);
    runtime.shutdown_timeout(Duration::from_secs(5));
    say("signet-demo: stopped");
    result
}

/// Creates `dir`, or empties it when it is a demo profile of an earlier start (or empty).
fn prepare(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none();
        if !empty && !dir.join(MARKER).exists() {
            bail!(
                "{} is not empty and not a demo profile folder: choose another with --dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write(
        &dir.join(MARKER),
        "signet-demo's profile folder: emptied at every start\n",
    )
}

/// Writes a file atomically and durably, as every Signet writer does ([`signet_fs`]).
fn write(path: &Path, contents: impl AsRef<[u8]>) -> anyhow::Result<()> {
    signet_fs::write_atomically(path, signet_fs::Placement::Replace, contents.as_ref())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A fresh password: four groups of four letters and digits (without look-alikes).
fn password() -> anyhow::Result<Zeroizing<String>> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = Zeroizing::new([0_u8; 16]);
    getrandom::fill(bytes.as_mut_slice()).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let mut text = Zeroizing::new(String::with_capacity(19));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            text.push('-');
        }
        text.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    Ok(text)
}

fn print_summary(
    dir: &Path,
    pki: &TestPki,
    federation: &signet_node::demo::DemoFederation,
    password: &str,
) {
    let mari = &DEMO_PEOPLE[0];
    let d = dir.display();
    let mut out = String::new();
    out.push_str("Signet demo services (Ctrl-C stops them):\n");
    out.push_str(&format!("  time-stamping authority  {}\n", pki.tsa_url()));
    out.push_str(&format!("  OCSP responder           {}\n", pki.ocsp_url()));
    out.push_str(&format!(
        "  root CRL                 {}\n",
        pki.root_crl_url()
    ));
    for n in &federation.nodes {
        out.push_str(&format!("  {:<32} {}\n", n.agency.name_en, n.url));
    }
    out.push_str(&format!("profile folder: {d}\n"));
    out.push_str(&format!(
        "demo identity: {} ({}): {d}/identity.p12 (signing and authentication keys)\n",
        mari.name(),
        mari.code
    ));
    out.push_str(&format!("identity password: {password}\n"));
    out.push_str(&format!(
        "with the command line (`signet` and `signet-node` are in target/debug after `cargo build`):\n  \
         export SIGNET_PROFILE_DIR={d}\n  \
         signet sign document.pdf\n  \
         signet sign notes.txt --container notes.asice\n  \
         signet verify document.signed.pdf\n"
    ));
    out.push_str(&agency_lines(dir, federation));
    out.push_str(&case_lines(dir, federation));
    out.push_str("signet-demo: ready\n");
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
}

/// A line on the console. Whoever read it may be gone (the terminal closed, the starting
/// process ended): that must not stop the shutdown, so write errors are ignored.
/// For each agency: who used the demo person's data there (`signet data usage`), and an
/// official's query that appears in it (`signet-node official query`, with the federation file's
/// path and a data set the node holds).
fn agency_lines(dir: &Path, federation: &signet_node::demo::DemoFederation) -> String {
    let mari = &DEMO_PEOPLE[0];
    let file = dir.join("nodes").join("federation.json");
    let mut out = format!(
        "each agency: what it logged about {}, and an official's query to see appear there:\n",
        mari.name()
    );
    for n in &federation.nodes {
        let (client, data_set) = n.example_query();
        out.push_str(&format!(
            "  {} ({}), data sets: {}\n    signet data usage --node {}\n    \
             signet-node official query --federation {} --as {client} --at {} --person {} --data-set {data_set} --purpose 'Demo query'\n",
            n.agency.name_en,
            n.agency.id,
            n.data_sets().join(", "),
            n.url,
            file.display(),
            n.agency.id,
            mari.code,
        ));
    }
    out
}

/// Corrections and misuse reports, at the Population Register's node (every demo node takes
/// them): the person's requests, and the operator's commands on the node's database.
fn case_lines(dir: &Path, federation: &signet_node::demo::DemoFederation) -> String {
    let mari = &DEMO_PEOPLE[0];
    let Some(rr) = federation.node("rr") else {
        return String::new();
    };
    let db = dir.join("nodes").join("rr.db");
    format!(
        "corrections and misuse reports (every agency takes them; the Population Register's here):\n    \
         signet data correct --node {url} --data-set population --record rr-{record} --field address --value 'Tähe 5, Tartu' --explanation 'I moved in March'\n    \
         signet-node correction list --database {db}\n    \
         signet-node correction accept CORRECTION-ID --database {db}\n    \
         signet data corrections --node {url}\n    \
         signet data report --node {url} --entry INDEX --comment 'I do not know why they looked'\n    \
         signet-node report list --database {db}\n    \
         signet data receipts\n",
        url = rr.url,
        record = &mari.code[2..],
        db = db.display(),
    )
}

fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// Waits for Ctrl-C, SIGTERM, or the end of the process that started this one.
async fn wait_for_stop() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot catch SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot catch SIGINT")?;
    let mut hangup = signal(SignalKind::hangup()).context("cannot catch SIGHUP")?;
    let parent = std::os::unix::process::parent_id();
    let orphaned = async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if std::os::unix::process::parent_id() != parent {
                return;
            }
        }
    };
    Ok(tokio::select! {
        _ = interrupt.recv() => "interrupted",
        _ = terminate.recv() => "terminated",
        _ = hangup.recv() => "hung up",
        () = orphaned => "the process that started it has ended",
    })
}

/// pcscd with the virtual ID card of the demo identity in its first reader, and a thread that
/// pulls the card out and puts it back on `remove` / `insert` lines of standard input.
fn virtual_card(
    pki: &TestPki,
) -> anyhow::Result<(
    signet_testkit::pcscd::Pcscd,
    Arc<std::sync::Mutex<VirtualCard>>,
)> {
    let pcscd = signet_testkit::pcscd::Pcscd::start()
        .map_err(|e| anyhow::anyhow!("cannot start pcscd with the virtual readers: {e}"))?;
    let key = |role: Role| match &pki.get(role).key {
        signet_testkit::TestKey::P384(key) => Ok(key.clone()),
        _ => Err(anyhow::anyhow!("the demo PKI's {role:?} key is not P-384")),
    };
    let mari = &DEMO_PEOPLE[0];
    let mut card = VirtualCard::new(CardSpec {
        holder: Holder::new(
            &mari.surname.to_uppercase(),
            &mari.given_name.to_uppercase(),
            mari.code.trim_start_matches("EE"),
        ),
        auth_key: key(Role::Authentication)?,
        auth_cert: pki.der(Role::Authentication).to_vec(),
        sign_key: key(Role::Signing)?,
        sign_cert: pki.der(Role::Signing).to_vec(),
        pin1: CARD_PIN1.into(),
        pin2: CARD_PIN2.into(),
        puk: CARD_PUK.into(),
    });
    let slot = pcscd.slot(0);
    card.insert(slot)
        .map_err(|e| anyhow::anyhow!("cannot plug in the virtual card: {e}"))?;
    let card = Arc::new(std::sync::Mutex::new(card));
    let control = Arc::clone(&card);
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let mut card = control
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match line.trim() {
                "remove" => {
                    card.remove();
                    say("virtual ID card removed");
                }
                "insert" => match card.insert(slot) {
                    Ok(()) => say("virtual ID card inserted"),
                    Err(e) => say(&format!("the virtual ID card could not be inserted: {e}")),
                },
                _ => {}
            }
        }
    });
    Ok((pcscd, card))
}
