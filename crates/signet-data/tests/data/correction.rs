//! Corrections and misuse reports: their JSON, and case receipts verified offline.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use signet_data::consent::ReceiptError;
use signet_data::correction::{
    Case, CaseChange, CaseEvent, CaseReceipt, Correction, CorrectionRequest, CorrectionStatus,
    MisuseReport, MisuseReportRequest, SignedCaseReceipt,
};
use signet_data::entry::{Outcome, PersonCode, Salt};
use signet_data::holdings::FieldValue;
use signet_data::{Checkpoint, NoteSigner, PinnedLog, Tree, commitment};

use crate::entry::sample;

const ORIGIN: &str = "rr.example/usage";
const MARI: &str = "EE38001085718";

fn correction(status: CorrectionStatus) -> Correction {
    Correction {
        id: "k-1".into(),
        subject: PersonCode::new(MARI).unwrap(),
        provider: "EE/GOV/70000562/rr".into(),
        data_set: "population".into(),
        record: "rr-1".into(),
        field: "address".into(),
        current_value: Some(FieldValue::Text("Tähe 4, Tartu".into())),
        proposed_value: "Tähe 5, Tartu".into(),
        explanation: "I moved in March".into(),
        status,
        accepted_value: None,
        record_updated: false,
        reason: None,
        history: vec![CaseEvent {
            time: "2026-03-02T10:00:00Z".parse().unwrap(),
            change: CaseChange::Filed,
            request_hash: Some("aGFzaA==".into()),
            log_index: 2,
        }],
    }
}

#[test]
fn requests_and_records_have_the_documented_json() {
    let request: CorrectionRequest = serde_json::from_value(serde_json::json!({
        "dataSet": "population", "record": "rr-1", "field": "address",
        "proposedValue": "Tähe 5, Tartu", "explanation": "I moved",
    }))
    .unwrap();
    assert_eq!(request.field, "address");
    assert!(
        serde_json::from_value::<CorrectionRequest>(serde_json::json!({
            "dataSet": "population", "record": "rr-1", "field": "address",
            "proposedValue": "x", "explanation": "y", "status": "accepted",
        }))
        .is_err(),
        "unknown members are refused"
    );
    let report: MisuseReportRequest =
        serde_json::from_value(serde_json::json!({"usageIndex": 7, "comment": "Not my case"}))
            .unwrap();
    assert_eq!(report.usage_index, 7);

    let json = serde_json::to_value(correction(CorrectionStatus::Pending)).unwrap();
    assert_eq!(json["status"], "pending");
    assert_eq!(
        json["currentValue"],
        serde_json::json!({"kind": "text", "value": "Tähe 4, Tartu"})
    );
    assert!(json.get("recordUpdated").is_none() && json.get("acceptedValue").is_none());
    assert_eq!(json["history"][0]["change"], "filed");
    let case =
        serde_json::to_value(Case::Correction(correction(CorrectionStatus::Pending))).unwrap();
    assert_eq!(case["correction"]["id"], "k-1");
}

/// A node's log of `n` sample entries with the case entry `entry` at `index`; the receipt for it.
fn signed(
    change: CaseChange,
    case: Case,
    request_hash: Option<&str>,
    outcome: Outcome,
) -> (SignedCaseReceipt, PinnedLog, SigningKey) {
    let log_key = SigningKey::from_bytes(&[9; 32]);
    let receipt_key = SigningKey::from_bytes(&[10; 32]);
    let log = NoteSigner::new(ORIGIN, log_key).unwrap();
    let receipts = NoteSigner::new("rr.example/receipts", receipt_key.clone()).unwrap();
    let mut tree = Tree::new();
    let mut entry = sample(MARI, "case");
    entry.outcome = outcome;
    for i in 0..5u8 {
        let (e, salt) = if i == 2 {
            (entry.clone(), Salt([2; 32]))
        } else {
            (sample(MARI, &format!("q-{i}")), Salt([i; 32]))
        };
        tree.push(&commitment(&e.canonical_bytes().unwrap(), &salt).0);
    }
    let checkpoint = log
        .sign(
            &Checkpoint {
                origin: ORIGIN.into(),
                size: 5,
                root: tree.root(5).unwrap(),
            }
            .to_text(),
        )
        .unwrap();
    let receipt = CaseReceipt {
        id: "r-1".into(),
        node: ORIGIN.into(),
        time: entry.log_time,
        subject: PersonCode::new(MARI).unwrap(),
        change,
        case,
        request_hash: request_hash.map(str::to_owned),
        log_index: 2,
        entry,
        salt: STANDARD.encode([2; 32]),
        checkpoint,
        inclusion_proof: tree.inclusion_proof(2, 5).unwrap(),
    };
    let pinned = PinnedLog {
        origin: ORIGIN.into(),
        verifier: log.verifier().clone(),
    };
    (
        SignedCaseReceipt::sign(receipt, &receipts).unwrap(),
        pinned,
        receipt_key,
    )
}

fn receipt_verifier(key: &SigningKey) -> signet_data::NoteVerifier {
    NoteSigner::new("rr.example/receipts", key.clone())
        .unwrap()
        .verifier()
        .clone()
}

#[test]
fn a_correction_receipt_verifies_offline_and_a_changed_one_does_not() {
    let (receipt, pinned, key) = signed(
        CaseChange::Filed,
        Case::Correction(correction(CorrectionStatus::Pending)),
        Some("aGFzaA=="),
        Outcome::CorrectionRequested {
            correction: "k-1".into(),
            request_hash: "aGFzaA==".into(),
        },
    );
    let verifier = receipt_verifier(&key);
    receipt.verify(&verifier, &pinned).unwrap();

    // Another value shown than the one signed.
    let mut shown = receipt.clone();
    let Case::Correction(c) = &mut shown.receipt.case else {
        unreachable!()
    };
    c.proposed_value = "Somewhere else".into();
    assert_eq!(
        shown.verify(&verifier, &pinned),
        Err(ReceiptError::Mismatch)
    );
    // Signed by another key.
    let other = receipt_verifier(&SigningKey::from_bytes(&[11; 32]));
    assert!(matches!(
        receipt.verify(&other, &pinned),
        Err(ReceiptError::Signature(_))
    ));
    // A receipt whose entry records another change is refused even when signed.
    let (lying, pinned, key) = signed(
        CaseChange::Filed,
        Case::Correction(correction(CorrectionStatus::Pending)),
        Some("b3RoZXI="),
        Outcome::CorrectionRequested {
            correction: "k-1".into(),
            request_hash: "aGFzaA==".into(),
        },
    );
    assert_eq!(
        lying.verify(&receipt_verifier(&key), &pinned),
        Err(ReceiptError::Entry("it records another change"))
    );
}

#[test]
fn decision_and_report_receipts_must_match_their_entries() {
    let mut accepted = correction(CorrectionStatus::Accepted);
    accepted.accepted_value = Some("Tähe 5, Tartu".into());
    let (receipt, pinned, key) = signed(
        CaseChange::Accepted,
        Case::Correction(accepted.clone()),
        None,
        Outcome::CorrectionAccepted {
            correction: "k-1".into(),
            value: "Tähe 5, Tartu".into(),
        },
    );
    receipt.verify(&receipt_verifier(&key), &pinned).unwrap();
    // Shown as rejected while the entry says accepted.
    let (wrong, pinned, key) = signed(
        CaseChange::Rejected,
        Case::Correction(accepted),
        None,
        Outcome::CorrectionAccepted {
            correction: "k-1".into(),
            value: "Tähe 5, Tartu".into(),
        },
    );
    assert!(wrong.verify(&receipt_verifier(&key), &pinned).is_err());

    let report = MisuseReport {
        id: "m-1".into(),
        subject: PersonCode::new(MARI).unwrap(),
        provider: "EE/GOV/70000562/rr".into(),
        usage_index: 1,
        comment: "I never dealt with them".into(),
        time: "2026-03-02T10:00:00Z".parse().unwrap(),
        history: Vec::new(),
    };
    let outcome = |index| Outcome::MisuseReported {
        report: "m-1".into(),
        usage_index: index,
        request_hash: "aGFzaA==".into(),
    };
    let (receipt, pinned, key) = signed(
        CaseChange::Filed,
        Case::MisuseReport(report.clone()),
        Some("aGFzaA=="),
        outcome(1),
    );
    receipt.verify(&receipt_verifier(&key), &pinned).unwrap();
    let (other_entry, pinned, key) = signed(
        CaseChange::Filed,
        Case::MisuseReport(report),
        Some("aGFzaA=="),
        outcome(4),
    );
    assert!(
        other_entry
            .verify(&receipt_verifier(&key), &pinned)
            .is_err()
    );
}
