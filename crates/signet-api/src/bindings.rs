//! The TypeScript declarations of every type that crosses to the UI, generated from the Rust
//! types with ts-rs and committed at [`BINDINGS_PATH`].
//!
//! Only the roots are named (the payloads at the top: commands' results and arguments, events,
//! `--json` reports); every type they contain is found by walking ts-rs's dependency graph
//! from them, so a field's type cannot be forgotten.
//!
//! The test below fails when the committed file differs from what the Rust types generate now:
//! change a payload type, run `cargo xtask bindings`, and commit both.

use std::any::TypeId;
use std::collections::HashSet;

use signet_core::SubIndication;
use ts_rs::{TS, TypeVisitor};

use crate::ApiError;
use crate::alarms::AlarmView;
use crate::batch::BatchPlan;
use crate::batching::BatchOutcome;
use crate::cases_screen::{CasesView, FiledCaseView};
use crate::consent_screen::{ConsentsView, ReceiptView};
use crate::dashboard::{AccessEntryView, AccessLogView, AccessProblem, DashboardView};
use crate::input::Routed;
use crate::job::{JobEvent, SecretKind};
use crate::json::{AppInfo, CardCertificate, CardEvent, CardSignature, CardStatus, PinChange};
use crate::listening::{ListeningAgency, NotifyMode};
use crate::settings::PersonSettings;
use crate::signing::{SignFormat, SignOutcome, SignProposal};
use crate::vault::{PassphraseProblem, PassphrasePrompt};
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
    // The card's events and signatures (`signet card … --json`), and the sub-indication of the
    // `--json` verification reports, whose own types are not declared yet.
    v.visit::<CardEvent>();
    v.visit::<CardSignature>();
    v.visit::<SubIndication>();
}

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
