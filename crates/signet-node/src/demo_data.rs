//! The demo federation's data: each agency's data sets and records about the demo people,
//! its authorization rules and consent defaults, the health-care providers that are members
//! of the Health Information System (a dentist and a cardiology clinic), and the demo people's
//! consents.

use signet_data::consent::{ConsentRecord, ConsentStatus, Decision, Recipient, Scope};
use signet_data::demo::{DEMO_PEOPLE, DemoPerson};
use signet_data::entry::{OrgType, Organization, PersonCode};
use signet_data::holdings::{DataSet, Field, FieldKind, FieldValue, Localized, Record};

use crate::Seed;
use crate::access::{AccessPolicy, AccessRule, ConsentDefault, DataSetAccess, Relation, Treatment};
use crate::demo::{AGENCIES, DemoAgency};

/// A health-care provider of the demo: a member of the Health Information System's node (and
/// of no other), with a member certificate but no node of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoProvider {
    /// Short name: `dentist`, `cardiology`.
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Registry code.
    pub code: &'static str,
    /// Its X-Road subsystem, `EE/COM/10137319/hambaravi`.
    pub xroad: &'static str,
}

/// The demo's health-care providers.
pub const PROVIDERS: [DemoProvider; 2] = [
    DemoProvider {
        id: "dentist",
        name: "Tähe Hambakliinik OÜ",
        code: "10137319",
        xroad: "EE/COM/10137319/hambaravi",
    },
    DemoProvider {
        id: "cardiology",
        name: "Südamekliinik AS",
        code: "10876543",
        xroad: "EE/COM/10876543/kardio",
    },
];

/// The member category of the health-care providers.
pub const HEALTH_CARE_PROVIDER: &str = "health-care provider";
/// The member category of the five agencies.
pub const STATE_AGENCY: &str = "state agency";

/// A provider's organisation, as written into usage entries.
pub fn provider_organization(p: &DemoProvider) -> Organization {
    Organization {
        org_type: OrgType::Com,
        code: p.code.into(),
        name: p.name.into(),
        system_name: p.xroad.rsplit('/').next().map(str::to_owned),
    }
}

fn org_of(xroad: &str) -> String {
    crate::access::organization_of(xroad)
}

fn permit(id: &str, categories: &[&str]) -> AccessRule {
    AccessRule {
        id: id.into(),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        ..AccessRule::default()
    }
}

/// Who may query the data sets of `agency`: every agency may query the others' registers
/// (open by default); at the Health Information System, health-care providers treating the
/// person may read prescriptions (open unless the person closes them) and cardiology records
/// (closed unless the person opens them; a change needs the person's signature), and the tax
/// board prescriptions only in a proceeding.
/// The dentist and the cardiology clinic treat Mari Tamm; the dentist Liisa Liht too.
pub fn demo_access(agency: &DemoAgency) -> AccessPolicy {
    let mut policy = AccessPolicy::default();
    policy.categories.insert(
        STATE_AGENCY.into(),
        AGENCIES.iter().map(|a| org_of(a.xroad)).collect(),
    );
    policy.categories.insert(
        HEALTH_CARE_PROVIDER.into(),
        PROVIDERS.iter().map(|p| org_of(p.xroad)).collect(),
    );
    let open = |rules: Vec<AccessRule>| DataSetAccess {
        rules,
        default: ConsentDefault::Open,
        consent_requires_signature: false,
    };
    match agency.id {
        "tis" => {
            let treating = AccessRule {
                relation: Some(Relation::Treats),
                ..permit("tis-treating-providers", &[HEALTH_CARE_PROVIDER])
            };
            let tax = AccessRule {
                members: vec![org_of("EE/GOV/70000349/emta")],
                require_issue: true,
                ..AccessRule {
                    id: "tis-tax-proceedings".into(),
                    ..AccessRule::default()
                }
            };
            policy
                .data_sets
                .insert("prescriptions".into(), open(vec![treating.clone(), tax]));
            // Cardiology records are special-category health data: opening or closing them
            // to someone takes the person's qualified signature (PIN2), not only a login.
            policy.data_sets.insert(
                "cardiology".into(),
                DataSetAccess {
                    rules: vec![treating],
                    default: ConsentDefault::Closed,
                    consent_requires_signature: true,
                },
            );
            let people: Vec<PersonCode> = DEMO_PEOPLE
                .iter()
                .filter_map(|p| PersonCode::new(p.code).ok())
                .collect();
            for (provider, person) in [(0, 0), (1, 0), (0, 1)] {
                if let (Some(p), Some(person)) = (PROVIDERS.get(provider), people.get(person)) {
                    policy.relations.treats.push(Treatment {
                        provider: org_of(p.xroad),
                        person: person.clone(),
                    });
                }
            }
        }
        _ => {
            let rule = format!("{}-state-agencies", agency.id);
            for set in demo_seed(agency).data_sets {
                policy
                    .data_sets
                    .insert(set.id, open(vec![permit(&rule, &[STATE_AGENCY])]));
            }
        }
    }
    policy
}

fn consent(
    id: &str,
    subject: PersonCode,
    provider: &str,
    data_set: &str,
    recipient: &str,
    decision: Decision,
) -> ConsentRecord {
    ConsentRecord {
        id: id.into(),
        subject,
        provider: provider.into(),
        scope: Scope::DataSet(data_set.into()),
        recipient: Recipient::Member(org_of(recipient)),
        purpose: None,
        legal_basis: Some("GDPR Art. 6(1)(a), Art. 9(2)(a): consent".into()),
        valid_from: signet_data::Timestamp::from_unix(1_767_225_600),
        valid_until: None,
        decision,
        status: ConsentStatus::Active,
        history: Vec::new(),
    }
}

fn text(et: &str, en: &str, ru: &str) -> Localized {
    Localized {
        et: et.into(),
        en: en.into(),
        ru: ru.into(),
    }
}

fn field(id: &str, et: &str, en: &str, ru: &str, kind: FieldKind) -> Field {
    Field {
        id: id.into(),
        title: text(et, en, ru),
        kind,
    }
}

fn record(set: &str, id: String, values: Vec<(&str, FieldValue)>) -> Record {
    Record {
        data_set: set.into(),
        id,
        updated: "2026-09-01T08:00:00Z"
            .parse()
            .unwrap_or(signet_data::Timestamp::from_unix(0)),
        values: values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    }
}

fn txt(s: impl Into<String>) -> FieldValue {
    FieldValue::Text(s.into())
}

fn digits(p: &DemoPerson) -> u64 {
    p.code[2..].parse().unwrap_or(0)
}

/// The data sets and records of `agency` about the demo people.
pub fn demo_seed(agency: &DemoAgency) -> Seed {
    let mut seed = Seed::default();
    let person = |p: &DemoPerson| PersonCode::new(p.code).ok();
    match agency.id {
        "rr" => {
            seed.data_sets.push(DataSet {
                id: "population".into(),
                title: text(
                    "Rahvastikuregistri andmed",
                    "Population register data",
                    "Данные регистра народонаселения",
                ),
                categories: vec!["identity".into(), "address".into()],
                fields: vec![
                    field("name", "Nimi", "Name", "Имя", FieldKind::Text),
                    field(
                        "nativeName",
                        "Nimi emakeeles",
                        "Name in own script",
                        "Имя на родном языке",
                        FieldKind::Text,
                    ),
                    field(
                        "birthDate",
                        "Sünniaeg",
                        "Date of birth",
                        "Дата рождения",
                        FieldKind::Date,
                    ),
                    field("address", "Elukoht", "Address", "Адрес", FieldKind::Text),
                    field(
                        "citizenship",
                        "Kodakondsus",
                        "Citizenship",
                        "Гражданство",
                        FieldKind::Code,
                    ),
                ],
                last_change: None,
                legal_basis: text(
                    "Rahvastikuregistri seadus § 21",
                    "Population Register Act § 21",
                    "Закон о регистре народонаселения § 21",
                ),
                retention: text(
                    "75 aastat pärast isiku surma",
                    "75 years after the person's death",
                    "75 лет после смерти человека",
                ),
            });
            for p in &DEMO_PEOPLE {
                let Some(code) = person(p) else { continue };
                let mut values = vec![
                    ("name", txt(p.name())),
                    ("birthDate", FieldValue::Date(p.birth_date.into())),
                    ("address", txt(p.address)),
                    (
                        "citizenship",
                        FieldValue::Code {
                            code: "EST".into(),
                            label: "Eesti".into(),
                        },
                    ),
                ];
                if let Some(n) = p.native_name {
                    values.push(("nativeName", txt(n)));
                }
                seed.records.push((
                    code,
                    record("population", format!("rr-{}", &p.code[2..]), values),
                ));
            }
        }
        "tis" => {
            seed.data_sets.push(DataSet {
                id: "prescriptions".into(),
                title: text("Retseptid", "Prescriptions", "Рецепты"),
                categories: vec!["health".into()],
                fields: vec![
                    field(
                        "medicine",
                        "Ravim",
                        "Medicine",
                        "Лекарство",
                        FieldKind::Text,
                    ),
                    field(
                        "prescribed",
                        "Välja kirjutatud",
                        "Prescribed",
                        "Выписан",
                        FieldKind::Date,
                    ),
                    field("prescriber", "Arst", "Doctor", "Врач", FieldKind::Text),
                ],
                last_change: None,
                legal_basis: text(
                    "Tervishoiuteenuste korraldamise seadus § 59¹",
                    "Health Services Organisation Act § 59¹",
                    "Закон об организации услуг здравоохранения § 59¹",
                ),
                retention: text("30 aastat", "30 years", "30 лет"),
            });
            let medicines = [
                "Ibuprofeen 400 mg",
                "Amoksitsilliin 500 mg",
                "Metformiin 850 mg",
            ];
            let doctors = ["dr Kärt Sööt", "dr Андрей Петров", "dr Tõnu Mägi"];
            for (i, p) in DEMO_PEOPLE.iter().enumerate() {
                let Some(code) = person(p) else { continue };
                seed.records.push((
                    code,
                    record(
                        "prescriptions",
                        format!("rx-{}-1", &p.code[2..]),
                        vec![
                            ("medicine", txt(medicines[i % medicines.len()])),
                            (
                                "prescribed",
                                FieldValue::Date(format!("2026-0{}-1{}", 1 + i % 8, i % 10)),
                            ),
                            ("prescriber", txt(doctors[i % doctors.len()])),
                        ],
                    ),
                ));
            }
            seed.data_sets.push(DataSet {
                id: "cardiology".into(),
                title: text(
                    "Kardioloogia",
                    "Cardiology records",
                    "Кардиологические записи",
                ),
                categories: vec!["health".into()],
                fields: vec![
                    field(
                        "diagnosis",
                        "Diagnoos",
                        "Diagnosis",
                        "Диагноз",
                        FieldKind::Text,
                    ),
                    field("visit", "Visiit", "Visit", "Визит", FieldKind::Date),
                ],
                last_change: None,
                legal_basis: text(
                    "Tervishoiuteenuste korraldamise seadus § 59¹",
                    "Health Services Organisation Act § 59¹",
                    "Закон об организации услуг здравоохранения § 59¹",
                ),
                retention: text("30 aastat", "30 years", "30 лет"),
            });
            for (i, p) in DEMO_PEOPLE.iter().enumerate().take(3) {
                let Some(code) = person(p) else { continue };
                seed.records.push((
                    code,
                    record(
                        "cardiology",
                        format!("kard-{}-1", &p.code[2..]),
                        vec![
                            (
                                "diagnosis",
                                txt([
                                    "I10 Essentsiaalne hüpertensioon",
                                    "I48 Kodade virvendus",
                                    "Z00.0 Tervisekontroll",
                                ][i]),
                            ),
                            (
                                "visit",
                                FieldValue::Date(format!("2026-0{}-0{}", 2 + i, 3 + i)),
                            ),
                        ],
                    ),
                ));
            }
            if let Some(code) = DEMO_PEOPLE.first().and_then(person) {
                // Mari Tamm has told the health system: the tax board gets none of her
                // prescriptions, and her dentist may see her cardiology records.
                seed.consents.push(consent(
                    "mari-keelab-emta-retseptid",
                    code.clone(),
                    agency.xroad,
                    "prescriptions",
                    "EE/GOV/70000349/emta",
                    Decision::Deny,
                ));
                seed.consents.push(consent(
                    "mari-lubab-hambaarstile-kardioloogia",
                    code,
                    agency.xroad,
                    "cardiology",
                    PROVIDERS[0].xroad,
                    Decision::Permit,
                ));
            }
        }
        "emta" => {
            seed.data_sets.push(DataSet {
                id: "income".into(),
                title: text(
                    "Tuludeklaratsioonid",
                    "Income tax returns",
                    "Налоговые декларации",
                ),
                categories: vec!["finance".into()],
                fields: vec![
                    field("year", "Aasta", "Year", "Год", FieldKind::Integer),
                    field(
                        "income",
                        "Tulu (eurodes)",
                        "Income (EUR)",
                        "Доход (евро)",
                        FieldKind::Integer,
                    ),
                    field(
                        "taxWithheld",
                        "Kinnipeetud tulumaks",
                        "Tax withheld",
                        "Удержанный налог",
                        FieldKind::Integer,
                    ),
                ],
                last_change: None,
                legal_basis: text(
                    "Maksukorralduse seadus § 26",
                    "Taxation Act § 26",
                    "Закон о налогообложении § 26",
                ),
                retention: text("7 aastat", "7 years", "7 лет"),
            });
            for p in &DEMO_PEOPLE {
                let Some(code) = person(p) else { continue };
                let income = i64::try_from(18_000 + digits(p) % 37_000).unwrap_or(0);
                seed.records.push((
                    code,
                    record(
                        "income",
                        format!("td-2025-{}", &p.code[2..]),
                        vec![
                            ("year", FieldValue::Integer(2025)),
                            ("income", FieldValue::Integer(income)),
                            ("taxWithheld", FieldValue::Integer(income * 22 / 100)),
                        ],
                    ),
                ));
            }
        }
        "transport" => {
            seed.data_sets.push(DataSet {
                id: "driving-licence".into(),
                title: text("Juhiluba", "Driving licence", "Водительское удостоверение"),
                categories: vec!["licences".into()],
                fields: vec![
                    field(
                        "categories",
                        "Kategooriad",
                        "Categories",
                        "Категории",
                        FieldKind::Text,
                    ),
                    field(
                        "validUntil",
                        "Kehtib kuni",
                        "Valid until",
                        "Действительно до",
                        FieldKind::Date,
                    ),
                ],
                last_change: None,
                legal_basis: text(
                    "Liiklusseadus § 190",
                    "Traffic Act § 190",
                    "Закон о дорожном движении § 190",
                ),
                retention: text(
                    "10 aastat pärast kehtivuse lõppu",
                    "10 years after it expires",
                    "10 лет после окончания срока действия",
                ),
            });
            seed.data_sets.push(DataSet {
                id: "vehicles".into(),
                title: text("Sõidukid", "Vehicles", "Транспортные средства"),
                categories: vec!["property".into()],
                fields: vec![
                    field(
                        "registration",
                        "Registreerimismärk",
                        "Registration",
                        "Номерной знак",
                        FieldKind::Text,
                    ),
                    field(
                        "make",
                        "Mark ja mudel",
                        "Make and model",
                        "Марка и модель",
                        FieldKind::Text,
                    ),
                ],
                last_change: None,
                legal_basis: text(
                    "Liiklusseadus § 191",
                    "Traffic Act § 191",
                    "Закон о дорожном движении § 191",
                ),
                retention: text(
                    "10 aastat pärast registrist kustutamist",
                    "10 years after removal from the register",
                    "10 лет после исключения из регистра",
                ),
            });
            let makes = ["Škoda Octavia", "Toyota Corolla", "Volvo V60", "Lada Niva"];
            for (i, p) in DEMO_PEOPLE.iter().enumerate() {
                let Some(code) = person(p) else { continue };
                let id = &p.code[2..];
                seed.records.push((
                    code.clone(),
                    record(
                        "driving-licence",
                        format!("jl-{id}"),
                        vec![
                            ("categories", txt(if i % 3 == 0 { "B, C" } else { "B" })),
                            (
                                "validUntil",
                                FieldValue::Date(format!("203{}-0{}-15", i % 10, 1 + i % 9)),
                            ),
                        ],
                    ),
                ));
                if i % 2 == 0 {
                    seed.records.push((
                        code,
                        record(
                            "vehicles",
                            format!("s-{id}"),
                            vec![
                                ("registration", txt(format!("{:03} ÕÄS", 100 + i * 37))),
                                ("make", txt(makes[i % makes.len()])),
                            ],
                        ),
                    ));
                }
            }
        }
        "ppa" => {
            seed.data_sets.push(DataSet {
                id: "documents".into(),
                title: text(
                    "Isikut tõendavad dokumendid",
                    "Identity documents",
                    "Документы, удостоверяющие личность",
                ),
                categories: vec!["identity".into()],
                fields: vec![
                    field(
                        "documentType",
                        "Dokument",
                        "Document",
                        "Документ",
                        FieldKind::Code,
                    ),
                    field(
                        "documentNumber",
                        "Number",
                        "Number",
                        "Номер",
                        FieldKind::Text,
                    ),
                    field(
                        "validUntil",
                        "Kehtib kuni",
                        "Valid until",
                        "Действительно до",
                        FieldKind::Date,
                    ),
                ],
                last_change: None,
                legal_basis: text(
                    "Isikut tõendavate dokumentide seadus § 15⁶",
                    "Identity Documents Act § 15⁶",
                    "Закон о документах, удостоверяющих личность, § 15⁶",
                ),
                retention: text("50 aastat", "50 years", "50 лет"),
            });
            for (i, p) in DEMO_PEOPLE.iter().enumerate() {
                let Some(code) = person(p) else { continue };
                seed.records.push((
                    code,
                    record(
                        "documents",
                        format!("doc-{}", &p.code[2..]),
                        vec![
                            (
                                "documentType",
                                FieldValue::Code {
                                    code: "ID".into(),
                                    label: "ID-kaart".into(),
                                },
                            ),
                            (
                                "documentNumber",
                                txt(format!("AC{:07}", digits(p) % 10_000_000)),
                            ),
                            (
                                "validUntil",
                                FieldValue::Date(format!("2030-0{}-2{}", 1 + i % 9, i % 8)),
                            ),
                        ],
                    ),
                ));
            }
        }
        _ => {}
    }
    seed
}
