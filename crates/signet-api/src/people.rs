//! People, not DNs: a certificate's subject as a person reads it — "Mari Tamm (38001085718)";
//! a signer with the device and the qualification — "Mari Tamm (38001085718), ID card,
//! qualified"; a PDF date as RFC 3339; a text in the person's language.

/// The attributes of an RFC 4514 name (`CN=TAMM\,MARI,SN=TAMM,…`), in order, unescaped. A `\,`
/// or `\+` inside a value does not split it; a multi-valued RDN (`a=1+b=2`) gives both.
pub fn attributes(subject: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut key = String::new();
    let mut value = String::new();
    let mut in_value = false;
    let mut chars = subject.chars();
    let push = |key: &mut String, value: &mut String, out: &mut Vec<(String, String)>| {
        if !key.trim().is_empty() {
            out.push((key.trim().to_owned(), value.trim().to_owned()));
        }
        key.clear();
        value.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    if in_value {
                        value.push(next)
                    } else {
                        key.push(next)
                    }
                }
            }
            '=' if !in_value => in_value = true,
            ',' | '+' => {
                push(&mut key, &mut value, &mut out);
                in_value = false;
            }
            c if in_value => value.push(c),
            c => key.push(c),
        }
    }
    push(&mut key, &mut value, &mut out);
    out
}

fn first<'a>(attrs: &'a [(String, String)], keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| {
        attrs
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    })
}

/// "TAMM" → "Tamm", "MARI-LIIS" → "Mari-Liis"; a name in mixed case stays as written.
fn as_written(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut start = true;
    for c in name.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

/// The holder's name and personal code from a subject: given name and surname (or the common
/// name), and the serial number without its `PNOEE-` style prefix.
pub fn person(subject: &str) -> (String, Option<String>) {
    let attrs = attributes(subject);
    let name = match (
        first(&attrs, &["GN", "givenName", "2.5.4.42"]),
        first(&attrs, &["SN", "surname", "2.5.4.4"]),
    ) {
        (Some(given), Some(sur)) => format!("{} {}", as_written(given), as_written(sur)),
        _ => first(&attrs, &["CN", "commonName", "2.5.4.3", "O"])
            .map(as_written)
            .unwrap_or_else(|| subject.to_owned()),
    };
    let code = first(&attrs, &["serialNumber", "SERIALNUMBER", "2.5.4.5"]).map(|serial| {
        // ETSI EN 319 412-1 semantics: "PNOEE-38001085718" (type, country, '-', code).
        match serial.split_once('-') {
            Some((prefix, code)) if prefix.len() == 5 && prefix.is_ascii() => code.to_owned(),
            _ => serial.to_owned(),
        }
    });
    (name, code)
}

/// "Mari Tamm (38001085718)", or the name alone when the subject has no serial number.
pub fn display_name(subject: &str) -> String {
    match person(subject) {
        (name, Some(code)) => format!("{name} ({code})"),
        (name, None) => name,
    }
}

/// An issuer (a certification authority) by its name as written: its common name, else its
/// organisation, else the whole name. Unlike a person's, an authority's capitals are its own.
pub fn authority(issuer: &str) -> String {
    first(&attributes(issuer), &["CN", "commonName", "2.5.4.3", "O"])
        .map_or_else(|| issuer.to_owned(), str::to_owned)
}

/// An official as a person reads them: "Mari Maasikas (EE47101010033)", the name alone, the
/// code (or badge number) alone, or nothing when the entry names no one.
pub fn official(name: Option<&str>, code: Option<&str>) -> Option<String> {
    match (
        name.filter(|n| !n.is_empty()),
        code.filter(|c| !c.is_empty()),
    ) {
        (Some(name), Some(code)) => Some(format!("{name} ({code})")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

/// The device a certificate's issuer puts keys on, when the issuer's name says it: the Estonian
/// ID card's CAs are named ESTEID (ESTEID2018, ESTEID-SK 2015), Digi-ID's DIGI-ID.
pub fn device(issuer: &str) -> Option<&'static str> {
    let name = first(&attributes(issuer), &["CN", "commonName", "2.5.4.3"])
        .unwrap_or(issuer)
        .to_ascii_uppercase();
    if name.contains("ESTEID") {
        Some("ID card")
    } else if name.contains("DIGI-ID") {
        Some("Digi-ID")
    } else {
        None
    }
}

/// What a qualification code (`QES`, `AdES/QC`, `AdES`) means to a person.
pub fn qualification(code: &str) -> &'static str {
    match code {
        "QES" => "qualified",
        "AdES/QC" => "qualified certificate, not a qualified device",
        _ => "not qualified",
    }
}

/// "Mari Tamm (38001085718), ID card, qualified": the signer as a person reads them, with the
/// device (from the issuer) and the qualification code (`QES`…) when known.
pub fn signer_line(
    subject: &str,
    issuer: Option<&str>,
    qualification_code: Option<&str>,
) -> String {
    let mut line = display_name(subject);
    if let Some(device) = issuer.and_then(device) {
        line.push_str(", ");
        line.push_str(device);
    }
    if let Some(code) = qualification_code {
        line.push_str(", ");
        line.push_str(qualification(code));
    }
    line
}

/// A PDF date (`D:20261206143000+02'00'`, ISO 32000-1 §7.9.4) as RFC 3339
/// (`2026-12-06T14:30:00+02:00`); a text that is not one is given back as it is.
pub fn pdf_date_as_rfc3339(text: &str) -> String {
    let Some(rest) = text.strip_prefix("D:") else {
        return text.to_owned();
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return text.to_owned();
    }
    let part =
        |from: usize, default: &str| digits.get(from..from + 2).unwrap_or(default).to_owned();
    let date = format!("{}-{}-{}", &digits[..4], part(4, "01"), part(6, "01"));
    let time = format!("{}:{}:{}", part(8, "00"), part(10, "00"), part(12, "00"));
    let zone = rest[digits.len()..].replace('\'', "");
    let zone = match zone.chars().next() {
        Some('+' | '-') => {
            let sign = &zone[..1];
            let nums: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let h = nums.get(..2).unwrap_or("00");
            let m = nums.get(2..4).unwrap_or("00");
            format!("{sign}{h}:{m}")
        }
        _ => "Z".to_owned(),
    };
    format!("{date}T{time}{zone}")
}

/// A language Signet speaks to a person in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Estonian.
    Et,
    /// English.
    #[default]
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// The language a locale names (`et_EE.UTF-8`, `ru`, `en_GB`): Estonian or Russian when it
    /// says so, English otherwise.
    pub fn of_locale(locale: &str) -> Self {
        match locale.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("et") => Self::Et,
            Some("ru") => Self::Ru,
            _ => Self::En,
        }
    }

    /// The text of `localized` in this language.
    pub fn pick(self, localized: &signet_data::holdings::Localized) -> &str {
        match self {
            Self::Et => &localized.et,
            Self::En => &localized.en,
            Self::Ru => &localized.ru,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "et" => Ok(Self::Et),
            "en" => Ok(Self::En),
            "ru" => Ok(Self::Ru),
            other => Err(format!("unknown language `{other}`: use et, en or ru")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signer_reads_with_device_and_qualification() {
        let subject =
            "CN=TAMM\\,MARI\\,38001085718,SN=TAMM,GN=MARI,serialNumber=PNOEE-38001085718,C=EE";
        assert_eq!(
            signer_line(
                subject,
                Some("CN=ESTEID2018,O=SK ID Solutions AS,C=EE"),
                Some("QES")
            ),
            "Mari Tamm (38001085718), ID card, qualified"
        );
        assert_eq!(
            signer_line(subject, Some("CN=Other CA"), Some("AdES")),
            "Mari Tamm (38001085718), not qualified"
        );
        assert_eq!(signer_line(subject, None, None), "Mari Tamm (38001085718)");
    }

    #[test]
    fn an_authority_keeps_its_capitals() {
        assert_eq!(
            authority("CN=ESTEID2018,O=SK ID Solutions AS,C=EE"),
            "ESTEID2018"
        );
        assert_eq!(authority("O=SK ID Solutions AS,C=EE"), "SK ID Solutions AS");
    }

    #[test]
    fn an_official_reads_as_name_and_code() {
        assert_eq!(
            official(Some("Mari Maasikas"), Some("EE47101010033")).as_deref(),
            Some("Mari Maasikas (EE47101010033)")
        );
        assert_eq!(official(None, Some("B-17")).as_deref(), Some("B-17"));
        assert_eq!(official(Some(""), None), None);
    }

    #[test]
    fn pdf_dates_read_as_rfc3339() {
        assert_eq!(
            pdf_date_as_rfc3339("D:20261206143000+02'00'"),
            "2026-12-06T14:30:00+02:00"
        );
        assert_eq!(
            pdf_date_as_rfc3339("D:20261206143000Z"),
            "2026-12-06T14:30:00Z"
        );
        assert_eq!(pdf_date_as_rfc3339("D:2026"), "2026-01-01T00:00:00Z");
        assert_eq!(
            pdf_date_as_rfc3339("2026-12-06T14:30:00Z"),
            "2026-12-06T14:30:00Z"
        );
    }

    #[test]
    fn the_language_follows_the_locale_and_english_is_the_default() {
        assert_eq!(Lang::of_locale("et_EE.UTF-8"), Lang::Et);
        assert_eq!(Lang::of_locale("ru_RU"), Lang::Ru);
        assert_eq!(Lang::of_locale("C"), Lang::En);
        let text = signet_data::holdings::Localized {
            et: "Rahvastikuregister".into(),
            en: "Population register".into(),
            ru: "Регистр".into(),
        };
        assert_eq!(Lang::Ru.pick(&text), "Регистр");
        assert_eq!("et".parse::<Lang>().unwrap(), Lang::Et);
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn an_estonian_id_card_subject_reads_as_the_person() {
        let subject =
            r"CN=TAMM\,MARI\,38001085718,SN=TAMM,GN=MARI,serialNumber=PNOEE-38001085718,C=EE";
        assert_eq!(display_name(subject), "Mari Tamm (38001085718)");
        let attrs = attributes(subject);
        assert_eq!(attrs[0], ("CN".into(), "TAMM,MARI,38001085718".into()));
    }

    #[test]
    fn a_subject_without_names_or_code_falls_back_to_its_common_name() {
        assert_eq!(display_name("CN=Demo TSA,O=Signet,C=EE"), "Demo TSA");
        assert_eq!(display_name("O=Only Org"), "Only Org");
        assert_eq!(
            display_name("CN=MARI-LIIS MÄNNIK,serialNumber=12345"),
            "Mari-Liis Männik (12345)"
        );
    }
}
