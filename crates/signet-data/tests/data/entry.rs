//! Usage entries: JSON shape and the salted commitment.

use signet_data::entry::{
    InitiatorPerson, OrgType, Organization, Outcome, PersonCode, ProcessingType, ReleasedData,
    Salt, UsageEntry, commitment,
};

/// An entry as the node writes it for an official's query.
pub fn sample(subject: &str, query_id: &str) -> UsageEntry {
    UsageEntry {
        subject: PersonCode::new(subject).unwrap(),
        log_time: "2026-11-27T19:00:00Z".parse().unwrap(),
        action: "Isiku ees- ja perenime päring".into(),
        purpose: "Liiklusjärelevalve".into(),
        receiver: Organization {
            org_type: OrgType::Gov,
            code: "70008747".into(),
            name: "Politsei- ja Piirivalveamet".into(),
            system_name: Some("POLIS".into()),
        },
        initiator_org: None,
        initiator_person: Some(InitiatorPerson {
            code: Some("EE47101010033".into()),
            alternative_code: None,
            name: Some("Viive Vooras".into()),
        }),
        legal_basis: Some("Liiklusseadus § 200".into()),
        consent_reference: None,
        query_id: Some(query_id.into()),
        query_group_id: None,
        bulk_processing: false,
        processing_type: ProcessingType::DataResponse,
        log_source_system: None,
        hidden_reason: None,
        hidden_until: None,
        released: vec![ReleasedData {
            data_set: "driving-licence".into(),
            fields: vec!["categories".into()],
        }],
        outcome: Outcome::Served,
    }
}

#[test]
fn json_uses_data_tracker_v3_names() {
    let json = serde_json::to_value(sample("EE38001085718", "q-1")).unwrap();
    for key in [
        "logTime",
        "purpose",
        "initiatorPerson",
        "legalBasis",
        "queryId",
        "bulkProcessing",
        "processingType",
        "released",
        "outcome",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["processingType"], "DATA_RESPONSE");
    assert_eq!(json["receiver"]["type"], "GOV");
    assert_eq!(json["outcome"]["result"], "served");
    let back: UsageEntry = serde_json::from_value(json).unwrap();
    assert_eq!(back, sample("EE38001085718", "q-1"));
}

#[test]
fn the_commitment_depends_on_every_byte_and_the_salt() {
    let e = sample("EE38001085718", "q-1");
    let bytes = e.canonical_bytes().unwrap();
    let c = commitment(&bytes, &Salt([1; 32]));
    assert_ne!(c, commitment(&bytes, &Salt([2; 32])));
    let other = sample("EE38001085718", "q-2").canonical_bytes().unwrap();
    assert_ne!(c, commitment(&other, &Salt([1; 32])));
    // Canonical: the same entry always gives the same bytes, whatever the JSON key order read.
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("{\"action\":"));
    let reread: UsageEntry = serde_json::from_str(&text).unwrap();
    assert_eq!(reread.canonical_bytes().unwrap(), bytes);
}

#[test]
fn refused_entries_name_the_rule() {
    let mut e = sample("EE38001085718", "q-1");
    e.outcome = Outcome::RefusedByConsent {
        rule: "deny-police".into(),
    };
    e.released.clear();
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(
        json["outcome"],
        serde_json::json!({"result": "refusedByConsent", "rule": "deny-police"})
    );
}
