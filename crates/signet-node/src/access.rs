//! Who may query what: the node's authorization per data set, the relations its rules need,
//! and the decision on a person's consents.
//!
//! An official query is decided in three steps, before any data leaves:
//!
//! 1. **Authorization** ([`AccessPolicy::authorize`]): the data set's rules in the node's
//!    configuration. A member is its organisation, `INSTANCE/CLASS/CODE` from the mutual-TLS
//!    certificate: rules name organisations (or member categories), never subsystems, so no
//!    subsystem escapes a rule written for its organisation. A `deny` rule that names the
//!    organisation refuses; otherwise some `permit` rule must admit it with every condition met
//!    (purpose, legal basis, a proceeding number in `X-Road-Issue`, a relation such as "treats
//!    this person"). A data set without rules is queried by no one.
//! 2. **Consents** ([`decide_consent`]): the person's records in force for this data set,
//!    recipient and purpose: a deny refuses, a permit serves.
//! 3. **The data set's default** from its law: `open` (served unless the person closed it) or
//!    `closed` (refused unless the person opened it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signet_data::Timestamp;
use signet_data::consent::{ConsentRecord, Decision, Recipient};
use signet_data::entry::PersonCode;
use signet_data::holdings::DataSet;

use crate::NodeError;

/// The node's authorization configuration (`"access"` in the configuration file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessPolicy {
    /// Member categories: a name (`health-care provider`) and its organisations
    /// (`INSTANCE/CLASS/CODE`).
    #[serde(default)]
    pub categories: BTreeMap<String, Vec<String>>,
    /// Who treats whom and who represents whom.
    #[serde(default)]
    pub relations: Relations,
    /// Each data set's rules and default, by data set id.
    #[serde(default)]
    pub data_sets: BTreeMap<String, DataSetAccess>,
}

/// The relations rules need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Relations {
    /// A provider (organisation) treating a person.
    #[serde(default)]
    pub treats: Vec<Treatment>,
    /// A person authorised to act for another (a parent for a child).
    #[serde(default)]
    pub represents: Vec<Representation>,
}

/// `provider` treats `person`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Treatment {
    /// The organisation, `EE/COM/10137319`.
    pub provider: String,
    /// The patient.
    pub person: PersonCode,
}

/// `representative` may act for `person`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Representation {
    /// The parent or guardian.
    pub representative: PersonCode,
    /// The child or ward.
    pub person: PersonCode,
}

/// One data set's authorization and consent default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataSetAccess {
    /// The rules, deny rules first in effect.
    #[serde(default)]
    pub rules: Vec<AccessRule>,
    /// What holds when no consent of the person decides.
    #[serde(default)]
    pub default: ConsentDefault,
    /// Whether a change of a consent about it must carry the person's qualified signature.
    #[serde(default)]
    pub consent_requires_signature: bool,
}

/// The default of a data set's law.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConsentDefault {
    /// Served to authorized members unless the person closed it.
    #[default]
    Open,
    /// Refused unless the person opened it.
    Closed,
}

/// Permit or deny.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Effect {
    /// The rule admits the members it names, when its conditions hold.
    #[default]
    Permit,
    /// The rule refuses the members it names (for its purposes, when it lists any).
    Deny,
}

/// A relation a rule can require between the querying organisation and the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Relation {
    /// The organisation treats the person ([`Relations::treats`]).
    Treats,
}

/// One authorization rule of a data set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessRule {
    /// Named in the usage entries of the queries it refuses.
    pub id: String,
    /// Permit (the default) or deny.
    #[serde(default)]
    pub effect: Effect,
    /// Organisations, `INSTANCE/CLASS/CODE`.
    #[serde(default)]
    pub members: Vec<String>,
    /// Member categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// The purposes (`X-Road-PDU-Purpose`, exactly) it allows; any when empty.
    #[serde(default)]
    pub purposes: Vec<String>,
    /// The legal basis (`X-Road-PDU-Legal-Basis`, exactly) the query must give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    /// Whether the query must name a proceeding (`X-Road-Issue`).
    #[serde(default)]
    pub require_issue: bool,
    /// A relation the organisation must have with the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
}

/// What an official query says about itself, for the rules.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The member's organisation, `INSTANCE/CLASS/CODE`.
    pub organization: &'a str,
    /// The person.
    pub person: &'a PersonCode,
    /// `X-Road-PDU-Purpose`.
    pub purpose: &'a str,
    /// `X-Road-PDU-Legal-Basis`.
    pub legal_basis: Option<&'a str>,
    /// `X-Road-Issue`.
    pub issue: Option<&'a str>,
}

/// The organisation of an X-Road client or member identifier, `INSTANCE/CLASS/CODE` (its first
/// three parts: a subsystem is its organisation's).
pub fn organization_of(client: &str) -> String {
    client.split('/').take(3).collect::<Vec<_>>().join("/")
}

fn is_organization(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty())
}

impl AccessRule {
    fn names(&self, policy: &AccessPolicy, organization: &str) -> bool {
        (self.members.is_empty() && self.categories.is_empty())
            || self.members.iter().any(|m| m == organization)
            || self
                .categories
                .iter()
                .any(|c| policy.in_category(organization, c))
    }

    fn allows_purpose(&self, purpose: &str) -> bool {
        self.purposes.is_empty() || self.purposes.iter().any(|p| p == purpose)
    }

    /// Why a permit rule that names the member does not admit the query, if it does not.
    fn unmet(&self, policy: &AccessPolicy, q: &Query<'_>) -> Option<&'static str> {
        if !self.allows_purpose(q.purpose) {
            return Some("the purpose is not one the rule allows");
        }
        if let Some(basis) = &self.legal_basis
            && q.legal_basis != Some(basis.as_str())
        {
            return Some("the legal basis is not the one the rule requires");
        }
        if self.require_issue && q.issue.is_none_or(|i| i.trim().is_empty()) {
            return Some("the rule requires a proceeding number (X-Road-Issue)");
        }
        if self.relation == Some(Relation::Treats) && !policy.treats(q.organization, q.person) {
            return Some("the organisation does not treat the person");
        }
        None
    }
}

/// A refusal: the rule and, for the node's log, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The rule's id (or the data set's default).
    pub rule: String,
    /// Why, for the node's own log (never shown to the querying member).
    pub reason: &'static str,
}

/// What the consents decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentOutcome {
    /// Served; by the consent named, or by the data set's open default.
    Served {
        /// The permitting consent record.
        consent: Option<String>,
    },
    /// Refused by a deny record, or by the data set's closed default.
    Refused {
        /// The record's id, or `{dataSet}:closed-by-default`.
        rule: String,
    },
}

impl AccessPolicy {
    /// Whether `organization` is in `category`.
    pub fn in_category(&self, organization: &str, category: &str) -> bool {
        self.categories
            .get(category)
            .is_some_and(|orgs| orgs.iter().any(|o| o == organization))
    }

    /// The categories `organization` is in.
    pub fn categories_of(&self, organization: &str) -> Vec<&str> {
        self.categories
            .iter()
            .filter(|(_, orgs)| orgs.iter().any(|o| o == organization))
            .map(|(c, _)| c.as_str())
            .collect()
    }

    /// Whether `organization` treats `person`.
    pub fn treats(&self, organization: &str, person: &PersonCode) -> bool {
        self.relations
            .treats
            .iter()
            .any(|t| t.provider == organization && &t.person == person)
    }

    /// Whether `actor` may see and change the consents of `person`: themself, or their
    /// authorised representative.
    pub fn may_act_for(&self, actor: &PersonCode, person: &PersonCode) -> bool {
        actor == person
            || self
                .relations
                .represents
                .iter()
                .any(|r| &r.representative == actor && &r.person == person)
    }

    /// Refuses a configuration whose rules name subsystems (rules are per organisation) or
    /// unknown categories.
    pub fn check(&self) -> Result<(), NodeError> {
        let bad = |what: String| Err(NodeError::Config(what));
        for (name, orgs) in &self.categories {
            if let Some(o) = orgs.iter().find(|o| !is_organization(o)) {
                return bad(format!(
                    "access.categories.{name}: {o} is not an organisation INSTANCE/CLASS/CODE \
                     (rules and categories name organisations, never subsystems)"
                ));
            }
        }
        if let Some(t) = self
            .relations
            .treats
            .iter()
            .find(|t| !is_organization(&t.provider))
        {
            return bad(format!(
                "access.relations.treats: {} is not an organisation INSTANCE/CLASS/CODE",
                t.provider
            ));
        }
        for (set, access) in &self.data_sets {
            for rule in &access.rules {
                if let Some(m) = rule.members.iter().find(|m| !is_organization(m)) {
                    return bad(format!(
                        "access.dataSets.{set}, rule {}: {m} is not an organisation \
                         INSTANCE/CLASS/CODE (a rule for an organisation covers all its \
                         subsystems; rules never name a subsystem)",
                        rule.id
                    ));
                }
                if let Some(c) = rule
                    .categories
                    .iter()
                    .find(|c| !self.categories.contains_key(*c))
                {
                    return bad(format!(
                        "access.dataSets.{set}, rule {}: no member category {c}",
                        rule.id
                    ));
                }
            }
        }
        Ok(())
    }

    /// Step 1: the id of the permit rule that admits `q` to `data_set`, or the refusal.
    pub fn authorize(&self, data_set: &str, q: &Query<'_>) -> Result<String, Refusal> {
        let Some(access) = self.data_sets.get(data_set) else {
            return Err(Refusal {
                rule: format!("{data_set}:no-authorization"),
                reason: "the data set has no authorization rules: no member may query it",
            });
        };
        if let Some(rule) = access.rules.iter().find(|r| {
            r.effect == Effect::Deny && r.names(self, q.organization) && r.allows_purpose(q.purpose)
        }) {
            return Err(Refusal {
                rule: rule.id.clone(),
                reason: "a deny rule names the organisation",
            });
        }
        let mut first_unmet = None;
        for rule in access
            .rules
            .iter()
            .filter(|r| r.effect == Effect::Permit && r.names(self, q.organization))
        {
            match rule.unmet(self, q) {
                None => return Ok(rule.id.clone()),
                Some(reason) => {
                    first_unmet.get_or_insert(Refusal {
                        rule: rule.id.clone(),
                        reason,
                    });
                }
            }
        }
        Err(first_unmet.unwrap_or_else(|| Refusal {
            rule: format!("{data_set}:no-rule-for-member"),
            reason: "no rule of the data set admits the organisation",
        }))
    }

    /// Adds a permit rule `id` admitting `organizations` (clients or organisations: a client
    /// stands for its organisation) to `data_set`, whose default stays what it was (open when
    /// new): for tests and small configurations.
    #[must_use]
    pub fn permit(mut self, data_set: &str, id: &str, organizations: &[&str]) -> Self {
        self.data_sets
            .entry(data_set.to_owned())
            .or_default()
            .rules
            .push(AccessRule {
                id: id.to_owned(),
                members: organizations.iter().map(|o| organization_of(o)).collect(),
                ..AccessRule::default()
            });
        self
    }

    /// The data set's access, when configured.
    pub fn data_set(&self, id: &str) -> Option<&DataSetAccess> {
        self.data_sets.get(id)
    }
}

fn recipient_matches(policy: &AccessPolicy, recipient: &Recipient, organization: &str) -> bool {
    match recipient {
        Recipient::Member(org) => org == organization,
        Recipient::Category(c) => policy.in_category(organization, c),
    }
}

/// Steps 2 and 3: the person's records in force at `now` that cover `set`, name the querying
/// organisation (or a category it is in) and the query's purpose decide — a deny before a
/// permit; without one, the data set's default.
pub fn decide_consent(
    policy: &AccessPolicy,
    set: &DataSet,
    q: &Query<'_>,
    consents: &[ConsentRecord],
    now: Timestamp,
) -> ConsentOutcome {
    let applicable = consents.iter().filter(|c| {
        &c.subject == q.person
            && c.in_force_at(now)
            && c.scope.covers(&set.id, &set.categories)
            && recipient_matches(policy, &c.recipient, q.organization)
            && c.purpose.as_deref().is_none_or(|p| p == q.purpose)
    });
    let (mut permit, mut deny) = (None, None);
    for c in applicable {
        match c.decision {
            Decision::Deny => {
                deny.get_or_insert(c);
            }
            Decision::Permit => {
                permit.get_or_insert(c);
            }
        }
    }
    if let Some(c) = deny {
        return ConsentOutcome::Refused { rule: c.id.clone() };
    }
    if let Some(c) = permit {
        return ConsentOutcome::Served {
            consent: Some(c.id.clone()),
        };
    }
    match policy
        .data_set(&set.id)
        .map(|a| a.default)
        .unwrap_or_default()
    {
        ConsentDefault::Open => ConsentOutcome::Served { consent: None },
        ConsentDefault::Closed => ConsentOutcome::Refused {
            rule: format!("{}:closed-by-default", set.id),
        },
    }
}

#[cfg(test)]
mod tests {
    use signet_data::consent::ConsentStatus;
    use signet_data::holdings::Localized;

    use super::*;

    fn set() -> DataSet {
        let t = Localized {
            et: String::new(),
            en: String::new(),
            ru: String::new(),
        };
        DataSet {
            id: "cardiology".into(),
            title: t,
            categories: vec!["health".into()],
            fields: Vec::new(),
            last_change: None,
            legal_basis: Localized::same(""),
            retention: Localized::same(""),
        }
    }

    fn consent(id: &str, recipient: Recipient, decision: Decision) -> ConsentRecord {
        ConsentRecord {
            id: id.into(),
            subject: PersonCode::new("EE38001085718").unwrap_or_else(|_| unreachable!()),
            provider: String::new(),
            scope: signet_data::consent::Scope::Category("health".into()),
            recipient,
            purpose: None,
            legal_basis: None,
            valid_from: Timestamp::from_unix(0),
            valid_until: None,
            decision,
            status: ConsentStatus::Active,
            history: Vec::new(),
        }
    }

    #[test]
    fn a_deny_outweighs_a_permit_and_categories_name_their_members() {
        let mut policy = AccessPolicy::default();
        policy
            .categories
            .insert("health-care provider".into(), vec!["EE/COM/1".into()]);
        policy.data_sets.insert(
            "cardiology".into(),
            DataSetAccess {
                default: ConsentDefault::Closed,
                ..DataSetAccess::default()
            },
        );
        let person = PersonCode::new("EE38001085718").unwrap_or_else(|_| unreachable!());
        let q = Query {
            organization: "EE/COM/1",
            person: &person,
            purpose: "Ravi",
            legal_basis: None,
            issue: None,
        };
        let now = Timestamp::from_unix(10);
        let permit = consent(
            "p",
            Recipient::Category("health-care provider".into()),
            Decision::Permit,
        );
        let deny = consent("d", Recipient::Member("EE/COM/1".into()), Decision::Deny);
        let other = consent("o", Recipient::Member("EE/COM/2".into()), Decision::Deny);
        assert_eq!(
            decide_consent(&policy, &set(), &q, std::slice::from_ref(&permit), now),
            ConsentOutcome::Served {
                consent: Some("p".into())
            }
        );
        assert_eq!(
            decide_consent(&policy, &set(), &q, &[permit.clone(), deny], now),
            ConsentOutcome::Refused { rule: "d".into() }
        );
        assert_eq!(
            decide_consent(&policy, &set(), &q, &[other], now),
            ConsentOutcome::Refused {
                rule: "cardiology:closed-by-default".into()
            }
        );
        let mut later = permit;
        later.valid_from = Timestamp::from_unix(11);
        assert_eq!(
            decide_consent(&policy, &set(), &q, &[later], now),
            ConsentOutcome::Refused {
                rule: "cardiology:closed-by-default".into()
            },
            "not in force yet"
        );
    }
}
