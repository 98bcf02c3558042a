//! The TypeScript declarations of every type that crosses to the UI, generated from the Rust
//! types with ts-rs and committed at [`BINDINGS_PATH`].
//!
//! The test below fails when the committed file differs from what the Rust types generate now:
//! change a payload type, run `cargo xtask bindings`, and commit both.

use signet_core::{BaselineLevel, Code, Indication, SubIndication};
use ts_rs::TS;

use crate::ApiError;
use crate::batch::{
    BatchEvent, BatchFormat, BatchPlan, BatchSummary, FileState, PlannedFile, SignerInfo,
};
use crate::batching::BatchOutcome;
use crate::cases_screen::{CaseKind, CaseProblem, CaseState, CaseView, CasesView, FiledCaseView};
use crate::consent_screen::{
    AgencyConsents, ConsentView, ConsentsView, DataSetTermsView, ReceiptView,
};
use crate::dashboard::{
    AccessEntryView, AccessLogView, AccessProblem, AgencyState, AgencyView, DashboardView,
    DataSetView, EntryOutcome, FieldView, LocalizedText, RecordView,
};
use crate::job::{DocumentFacts, JobEvent, Phase, PinRequest, Position, SecretKind};
use crate::json::{
    AppInfo, BuildProfile, CardCertificate, CardEvent, CardSignature, CardStatus, OptionalBackend,
    PinAction, PinChange,
};
use crate::settings::PersonSettings;
use crate::signing::{
    FormatReason, InputKind, PageSize, ProposedFile, SignFormat, SignOutcome, SignProposal,
    SignedOutput,
};
use crate::vault::{PassphraseProblem, PassphrasePrompt};
use crate::verification::{
    ChangeView, DocumentFormat, SignatureView, TrustData, Verdict, VerifiedFile, VerifiedFiles,
};
use crate::verification_export::{ReportFormat, ReportLanguage};

/// Where the generated file lives, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/lib/backend/bindings.ts";

/// The environment variable that makes the bindings test rewrite the file instead of comparing.
pub const UPDATE_ENV: &str = "SIGNET_UPDATE_BINDINGS";

const HEADER: &str = "// This file is generated from the Rust types by `cargo xtask bindings`. Do not edit it by hand.\n";

/// The whole generated file: a header, then one exported declaration per type, sorted by name.
pub fn typescript() -> String {
    let mut declarations = [
        ApiError::decl(),
        AppInfo::decl(),
        BaselineLevel::decl(),
        BuildProfile::decl(),
        CardCertificate::decl(),
        CardEvent::decl(),
        CardSignature::decl(),
        CardStatus::decl(),
        Code::decl(),
        Indication::decl(),
        OptionalBackend::decl(),
        PinAction::decl(),
        PinChange::decl(),
        SubIndication::decl(),
        DocumentFacts::decl(),
        JobEvent::decl(),
        Phase::decl(),
        PinRequest::decl(),
        PassphrasePrompt::decl(),
        PassphraseProblem::decl(),
        Position::decl(),
        SecretKind::decl(),
        FormatReason::decl(),
        InputKind::decl(),
        PageSize::decl(),
        ProposedFile::decl(),
        SignFormat::decl(),
        SignOutcome::decl(),
        SignProposal::decl(),
        SignedOutput::decl(),
        ChangeView::decl(),
        DocumentFormat::decl(),
        SignatureView::decl(),
        Verdict::decl(),
        VerifiedFile::decl(),
        VerifiedFiles::decl(),
        TrustData::decl(),
        BatchEvent::decl(),
        BatchFormat::decl(),
        BatchOutcome::decl(),
        BatchPlan::decl(),
        BatchSummary::decl(),
        FileState::decl(),
        PlannedFile::decl(),
        SignerInfo::decl(),
        AccessEntryView::decl(),
        EntryOutcome::decl(),
        AccessLogView::decl(),
        AccessProblem::decl(),
        AgencyState::decl(),
        AgencyView::decl(),
        DashboardView::decl(),
        DataSetView::decl(),
        FieldView::decl(),
        LocalizedText::decl(),
        RecordView::decl(),
        AgencyConsents::decl(),
        ConsentView::decl(),
        ConsentsView::decl(),
        DataSetTermsView::decl(),
        ReceiptView::decl(),
        CaseKind::decl(),
        CaseState::decl(),
        CaseView::decl(),
        CaseProblem::decl(),
        CasesView::decl(),
        FiledCaseView::decl(),
        PersonSettings::decl(),
        ReportFormat::decl(),
        ReportLanguage::decl(),
    ];
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
