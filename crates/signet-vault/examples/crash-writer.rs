//! The writer and checker of `cargo xtask crash-test vault` (not a usage example).
//!
//! ```text
//! crash-writer write  DIR   open the vault in DIR, then write and report, until killed
//! crash-writer rotate DIR   the same, rotating the key between every two writes
//! crash-writer verify DIR EXPECTED
//!                           after a kill: check that the file opens with exactly one of the keys
//!                           the passphrase file names, that it is intact, and that every write
//!                           listed in EXPECTED is in it; prints `lost N` and `corrupt N` (and
//!                           `rotation interrupted` when the store held both keys)
//! ```
//!
//! The writer prints `ready` once the vault is open, `committed F <n>` after each durable
//! (signing history) write returns, `committed N <n>` after each normal (notification) write, and
//! `rotating` / `rotated` around each key rotation. The key lives in the passphrase store (the
//! path without a keyring), with the cheapest Argon2id cost so that hundreds of reopens are quick.
#![allow(clippy::print_stdout, reason = "the output is the protocol with xtask")]

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use signet_core::{BaselineLevel, SystemClock};
use signet_vault::{
    AgencyId, Argon2Cost, KeyStore as _, Passphrase, PassphraseStore, SignatureFormat,
    SigningOutcome, Vault, VaultKey,
};

const PASSPHRASE: &str = "crash-test passphrase";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["write", dir] => write(Path::new(dir), false),
        ["rotate", dir] => write(Path::new(dir), true),
        ["verify", dir, expected] => verify(Path::new(dir), Path::new(expected)),
        _ => Err("usage: crash-writer write|rotate DIR | verify DIR EXPECTED".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("crash-writer: {err}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn store(dir: &Path) -> Result<PassphraseStore> {
    Ok(PassphraseStore::new(
        Passphrase::new(PASSPHRASE)?,
        PassphraseStore::file_beside(&vault_path(dir)),
        Argon2Cost::TESTS_ONLY,
    ))
}

fn vault_path(dir: &Path) -> PathBuf {
    dir.join("vault.db")
}

fn open(dir: &Path) -> Result<Vault> {
    Ok(Vault::open(
        vault_path(dir),
        Box::new(store(dir)?),
        Arc::new(SystemClock),
    )?)
}

fn report(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn write(dir: &Path, rotate_often: bool) -> Result<()> {
    let mut vault = open(dir)?;
    // About a megabyte of holdings, so that a rekey takes long enough to be killed in.
    if vault.all_holdings()?.is_empty() {
        for n in 0..64 {
            let document: Vec<u8> = (0..16 * 1024)
                .map(|i| ((i * 31 + n * 7) % 251) as u8)
                .collect();
            vault.put_holdings(&AgencyId::new(format!("agency-{n}"))?, &document)?;
        }
    }
    let mut next = vault
        .signing_history()?
        .iter()
        .filter_map(|record| {
            record
                .document_name
                .strip_prefix("doc-")?
                .parse::<u64>()
                .ok()
        })
        .max()
        .map_or(0, |n| n + 1);
    report("ready")?;
    loop {
        vault.record_signing(
            &format!("doc-{next}"),
            &[(next % 256) as u8; 32],
            SignatureFormat::Pades,
            BaselineLevel::B_LT,
            SigningOutcome::Signed,
        )?;
        report(&format!("committed F {next}"))?;
        if next % 3 == 0 {
            vault.add_notification("usage", &format!("n-{next}"), "crash test")?;
            report(&format!("committed N {next}"))?;
        }
        if rotate_often || next % 25 == 24 {
            report("rotating")?;
            vault.rotate_key()?;
            report("rotated")?;
        }
        next += 1;
    }
}

fn verify(dir: &Path, expected: &Path) -> Result<()> {
    let expected: BTreeSet<String> = std::fs::read_to_string(expected)?
        .lines()
        .map(str::to_owned)
        .collect();
    let mut corrupt = Vec::new();

    // Before the vault reconciles anything: exactly one of the stored keys opens the file (when
    // there is a file: a kill during the very first open may come before it is created).
    let has_file = std::fs::metadata(vault_path(dir)).is_ok_and(|meta| meta.len() > 0);
    if let Some(slots) = store(dir)?.load()?.filter(|_| has_file) {
        if slots.pending.is_some() {
            println!("rotation interrupted: both keys stored");
        }
        let current = opens_with(&vault_path(dir), &slots.current);
        let pending = slots
            .pending
            .as_ref()
            .map(|key| opens_with(&vault_path(dir), key));
        match (current, pending) {
            (true, Some(false)) => println!("opened with the old key"),
            (false, Some(true)) => println!("opened with the new key"),
            (true, None) => {}
            (false, None) => corrupt.push("the current key does not open the file".to_owned()),
            (false, Some(false)) => {
                corrupt.push("neither the current nor the pending key opens the file".to_owned())
            }
            (true, Some(true)) => corrupt.push("both keys open the file".to_owned()),
        }
    }

    let mut lost = 0usize;
    match open(dir) {
        Err(err) => corrupt.push(format!("the vault does not open: {err}")),
        Ok(vault) => {
            if let Err(err) = vault.check_integrity() {
                corrupt.push(err.to_string());
            }
            let mut present: BTreeSet<String> = vault
                .signing_history()?
                .into_iter()
                .filter_map(|record| {
                    Some(format!("F {}", record.document_name.strip_prefix("doc-")?))
                })
                .collect();
            present.extend(
                vault
                    .notifications()?
                    .into_iter()
                    .filter_map(|n| Some(format!("N {}", n.title.strip_prefix("n-")?))),
            );
            for write in expected.difference(&present) {
                println!("missing {write}");
                lost += 1;
            }
        }
    }
    for detail in &corrupt {
        println!("corrupt: {detail}");
    }
    println!("lost {lost}");
    println!("corrupt {}", usize::from(!corrupt.is_empty()));
    Ok(())
}

/// Whether `key` opens the file, through a read-only connection that changes nothing.
fn opens_with(path: &Path, key: &VaultKey) -> bool {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    let hex: zeroize::Zeroizing<String> =
        zeroize::Zeroizing::new(key.expose().iter().map(|b| format!("{b:02x}")).collect());
    let sql = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex.as_str()));
    conn.execute_batch(&sql).is_ok()
        && conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| {
                row.get::<_, i64>(0)
            })
            .is_ok()
}
