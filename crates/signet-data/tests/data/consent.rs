//! Consent records: their JSON, their status over time, and the requests a person sends.

use signet_data::Timestamp;
use signet_data::consent::{
    ConsentRecord, ConsentRequest, ConsentStatus, Decision, Recipient, Scope,
};
use signet_data::entry::PersonCode;

fn record(until: Option<u64>) -> ConsentRecord {
    ConsentRecord {
        id: "c-1".into(),
        subject: PersonCode::new("EE38001085718").unwrap(),
        provider: "EE/GOV/70009770/tis".into(),
        scope: Scope::DataSet("cardiology".into()),
        recipient: Recipient::Category("health-care provider".into()),
        purpose: None,
        legal_basis: None,
        valid_from: Timestamp::from_unix(1_000),
        valid_until: until.map(Timestamp::from_unix),
        decision: Decision::Permit,
        status: ConsentStatus::Active,
        history: Vec::new(),
    }
}

#[test]
fn a_record_is_in_force_within_its_validity_and_expires_after_it() {
    let r = record(Some(2_000));
    assert!(!r.in_force_at(Timestamp::from_unix(999)), "not yet");
    assert!(r.in_force_at(Timestamp::from_unix(1_000)));
    assert!(r.in_force_at(Timestamp::from_unix(1_999)));
    assert!(!r.in_force_at(Timestamp::from_unix(2_000)));
    assert_eq!(
        r.status_at(Timestamp::from_unix(2_000)),
        ConsentStatus::Expired
    );
    let mut withdrawn = record(None);
    withdrawn.status = ConsentStatus::Withdrawn;
    assert!(!withdrawn.in_force_at(Timestamp::from_unix(1_500)));
    assert_eq!(
        withdrawn.status_at(Timestamp::from_unix(5_000)),
        ConsentStatus::Withdrawn
    );
    assert!(record(None).in_force_at(Timestamp::from_unix(u64::from(u32::MAX))));
}

#[test]
fn records_and_requests_have_the_documented_json() {
    let json = serde_json::to_value(record(None)).unwrap();
    assert_eq!(json["scope"], serde_json::json!({"dataSet": "cardiology"}));
    assert_eq!(
        json["recipient"],
        serde_json::json!({"category": "health-care provider"})
    );
    assert_eq!(json["decision"], "permit");
    assert_eq!(json["status"], "active");
    assert!(json.get("validUntil").is_none());

    let grant: ConsentRequest = serde_json::from_value(serde_json::json!({
        "action": "grant",
        "scope": {"category": "health"},
        "recipient": {"member": "EE/COM/10137319"},
        "purpose": "Ravi",
        "validUntil": "2027-01-01T00:00:00Z",
    }))
    .unwrap();
    let ConsentRequest::Grant(terms) = &grant else {
        panic!("{grant:?}")
    };
    assert!(terms.scope.covers("anything", &["health".to_owned()]));
    assert!(!terms.scope.covers("anything", &["identity".to_owned()]));
    let withdraw: ConsentRequest = serde_json::from_value(
        serde_json::json!({"action": "withdraw", "consent": "c-1", "subject": "EE60506150026"}),
    )
    .unwrap();
    assert_eq!(withdraw.subject().unwrap().as_str(), "EE60506150026");
    // Unknown members and actions are refused, not ignored.
    for bad in [
        serde_json::json!({"action": "grant", "scope": {"dataSet": "x"}, "recipient": {"member": "EE/COM/1"}, "decision": "deny"}),
        serde_json::json!({"action": "extend", "consent": "c-1"}),
        serde_json::json!({"action": "withdraw", "consent": "c-1", "subject": "EE123"}),
    ] {
        assert!(
            serde_json::from_value::<ConsentRequest>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}
