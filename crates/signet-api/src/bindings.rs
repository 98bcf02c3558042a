//! The TypeScript declarations of every type that crosses to the UI, generated from the Rust
//! types with ts-rs and committed at [`BINDINGS_PATH`].
//!
//! Only the roots are named (the payloads at the top: commands' results and arguments, events,
//! `--json` reports); every type they contain is found by walking ts-rs's dependency graph
//! from them, so a field's type cannot be forgotten.
//!
//! The test below fails when the committed file differs from what the Rust types generate now:
//! change a payload type, run `cargo xtask bindings`, and commit both. Another fails when a
//! serialisable public type of this crate is neither declared (reachable from a root) nor named
//! in [`NOT_DECLARED`] with the reason: a new wire type cannot be left out of the file unnoticed.

use std::any::TypeId;
use std::collections::HashSet;

use signet_core::SubIndication;
use ts_rs::{TS, TypeVisitor};

use crate::ApiError;
use crate::alarms::AlarmView;
use crate::asice::AsiceListing;
use crate::batch::BatchPlan;
use crate::batching::BatchOutcome;
use crate::cases_screen::{CasesView, FiledCaseView};
use crate::cert::CertReport;
use crate::consent_screen::{ConsentsView, ReceiptView};
use crate::dashboard::{AccessEntryView, AccessLogView, AccessProblem, DashboardView};
use crate::data::{
    ConsentList, ConsentReceipt, ConsentReceipts, CorrectionList, FiledCase, KeptReceipts,
    LogProblem, LoginSummary, MisuseReportList, UsageReport, VerifiedEntry,
};
use crate::extending::ExtendOutcome;
use crate::input::Routed;
use crate::job::{JobEvent, SecretKind};
use crate::json::{AppInfo, CardCertificate, CardEvent, CardSignature, CardStatus, PinChange};
use crate::listening::{ListeningAgency, NotifyMode};
use crate::settings::PersonSettings;
use crate::signing::{SignFormat, SignOutcome, SignProposal};
use crate::trust::{TrustStatus, TrustUpdate};
use crate::vault::{PassphraseProblem, PassphrasePrompt};
use crate::vault_transfer::VaultImported;
use crate::verification::VerifiedFiles;
use crate::verification_export::{ReportFormat, ReportLanguage};

/// Where the generated file lives, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/lib/backend/bindings.ts";

/// The environment variable that makes the bindings test rewrite the file instead of comparing.
pub const UPDATE_ENV: &str = "SIGNET_UPDATE_BINDINGS";

const HEADER: &str = "// This file is generated from the Rust types by `cargo xtask bindings`. Do not edit it by hand.\n";

/// The whole generated file: a header, then one exported declaration per type, sorted by name.
pub fn typescript() -> String {
    let mut declarations = Declarations::default();
    roots(&mut declarations);
    let mut declarations = declarations.found;
    declarations.sort();
    let mut text = HEADER.to_owned();
    for declaration in declarations {
        text.push_str("export ");
        for line in declaration.trim().lines() {
            text.push_str(line.trim_end());
            text.push('\n');
        }
    }
    text
}

/// The top of every payload that crosses to the UI or to `--json`. What they contain is found
/// from them (see [`Declarations`]), so a type reachable from one of these cannot be left out of
/// the file; a root that another root already contains costs nothing. A new command, event or
/// `--json` report whose own type is new adds that type here.
fn roots(v: &mut impl TypeVisitor) {
    // The error of every command and operation.
    v.visit::<ApiError>();
    // What the desktop's commands return (src-tauri/src/commands.rs).
    v.visit::<AppInfo>();
    v.visit::<SignProposal>();
    v.visit::<SignOutcome>();
    v.visit::<VerifiedFiles>();
    v.visit::<BatchPlan>();
    v.visit::<BatchOutcome>();
    v.visit::<DashboardView>();
    v.visit::<AccessLogView>();
    v.visit::<ConsentsView>();
    v.visit::<ReceiptView>();
    v.visit::<FiledCaseView>();
    v.visit::<CasesView>();
    v.visit::<AlarmView>();
    v.visit::<VaultImported>();
    v.visit::<ListeningAgency>();
    v.visit::<CardStatus>();
    v.visit::<CardCertificate>();
    v.visit::<PinChange>();
    v.visit::<PersonSettings>();
    v.visit::<Routed>();
    // What they take.
    v.visit::<SignFormat>();
    v.visit::<NotifyMode>();
    v.visit::<SecretKind>();
    v.visit::<ReportFormat>();
    v.visit::<ReportLanguage>();
    // The vault's passphrase request to the window, and why it was asked again.
    v.visit::<PassphrasePrompt>();
    v.visit::<PassphraseProblem>();
    // Events: a job's progress (and a batch's, also `signet batch --json`), the access log's
    // listener.
    v.visit::<JobEvent>();
    v.visit::<AccessEntryView>();
    v.visit::<AccessProblem>();
    // The card's events and signatures (`signet card … --json`).
    v.visit::<CardEvent>();
    v.visit::<CardSignature>();
    // The command line's own `--json` reports: `cert verify`, `trust status|update`, `extend`,
    // `asice list` (`verify`, `sign`, `batch` and `card` print types named above).
    v.visit::<CertReport>();
    v.visit::<TrustStatus>();
    v.visit::<TrustUpdate>();
    v.visit::<ExtendOutcome>();
    v.visit::<AsiceListing>();
    // A log that failed its proofs (`signet data follow|usage`).
    v.visit::<LogProblem>();
    // The data protocol's `--json` reports: `signet data login|holdings|usage|follow`,
    // `consents`, `cases`, and the receipts kept in the vault.
    v.visit::<LoginSummary>();
    v.visit::<signet_data::holdings::Holdings>();
    v.visit::<UsageReport>();
    v.visit::<VerifiedEntry>();
    v.visit::<ConsentList>();
    v.visit::<ConsentReceipt>();
    v.visit::<ConsentReceipts>();
    v.visit::<FiledCase>();
    v.visit::<CorrectionList>();
    v.visit::<MisuseReportList>();
    v.visit::<KeptReceipts>();
    v.visit::<SubIndication>();
}

/// The serialisable public types of signet-api that have no TypeScript declaration, each with
/// why. Everything else that derives `Serialize` here must be reachable from [`roots`].
pub const NOT_DECLARED: &[(&str, &str)] = &[
    // Results folded into the wire types above before they cross (SignOutcome, VerifiedFiles).
    ("AsiceSignReport", "internal: folded into SignOutcome"),
    ("AsiceVerifyReport", "internal: folded into VerifiedFiles"),
    ("SignedPdf", "internal: folded into SignOutcome"),
    // Stored, not sent: the data folder's `listening.json` (the window gets ListeningAgency).
    (
        "ListeningSettings",
        "stored: listening.json, sent as ListeningAgency",
    ),
    // Stored, not sent: the data folder's `nodes.json`.
    ("NodeListing", "stored in nodes.json, never sent"),
];

/// Every declarable type met, once: the type itself, then what it depends on (the fields'
/// types, generics included), the way ts-rs's own `export_all` walks them.
#[derive(Default)]
struct Declarations {
    seen: HashSet<TypeId>,
    found: Vec<String>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // A type without an output path (a primitive, `Option`, `Vec`…) has no declaration of its
        // own; what it wraps is reached through the field's generics.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        self.found.push(T::decl());
        T::visit_dependencies(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_bindings_match_the_rust_types() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(BINDINGS_PATH);
        let generated = typescript();
        if std::env::var_os(UPDATE_ENV).is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{BINDINGS_PATH} is stale: run `cargo xtask bindings` and commit the result.\n\
             --- committed\n{committed}\n--- generated\n{generated}"
        );
    }

    /// The names of the public types under `dir` that derive `Serialize`.
    fn serialisable_types(dir: &std::path::Path, names: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                serialisable_types(&path, names);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !(line.contains("derive(") && line.contains("Serialize")) {
                    continue;
                }
                let name = lines[i + 1..]
                    .iter()
                    .take(8)
                    .find_map(|l| {
                        let l = l.trim_start();
                        l.strip_prefix("pub struct ")
                            .or_else(|| l.strip_prefix("pub enum "))
                    })
                    .and_then(|rest| rest.split([' ', '<', '{', '(', ';']).next());
                if let Some(name) = name {
                    names.push(name.to_owned());
                }
            }
        }
    }

    #[test]
    fn every_serialisable_type_is_declared_or_says_why_not() {
        let text = typescript();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut names = Vec::new();
        serialisable_types(&src, &mut names);
        assert!(names.iter().any(|n| n == "CertReport"), "{names:?}");
        let missing: Vec<&String> = names
            .iter()
            .filter(|n| !text.contains(&format!("\nexport type {n} ")))
            .filter(|n| !NOT_DECLARED.iter().any(|(known, _)| known == n))
            .collect();
        assert!(
            missing.is_empty(),
            "serialisable types with no TypeScript declaration: {missing:?}. Make them reachable \
             from a root in bindings.rs (derive ts_rs::TS), or name them in NOT_DECLARED with why"
        );
        // And nothing is excused that is declared after all.
        for (name, _) in NOT_DECLARED {
            assert!(
                !text.contains(&format!("\nexport type {name} ")),
                "{name} is declared: take it off NOT_DECLARED"
            );
        }
    }

    #[test]
    fn types_deep_inside_a_root_are_declared_once_each() {
        let text = typescript();
        // DashboardView → AgencyView → DataSetView → RecordView → FieldView → LocalizedText.
        assert!(text.contains("\nexport type LocalizedText = "), "{text}");
        let mut names: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("export type "))
            .filter_map(|rest| rest.split([' ', '<']).next())
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "a TypeScript name is declared twice");
    }

    #[test]
    fn declarations_use_the_wire_names() {
        let text = typescript();
        assert!(
            text.contains(
                "export type Indication = \"TOTAL-PASSED\" | \"INDETERMINATE\" | \"TOTAL-FAILED\";"
            ),
            "{text}"
        );
        assert!(text.contains("logDir: string | null"), "{text}");
        assert!(text.contains("\"NOT_IMPLEMENTED\""), "{text}");
        assert!(text.contains("\"B-LTA\""), "{text}");
    }
}
