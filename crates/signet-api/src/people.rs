//! People, not DNs: a certificate's subject as a person reads it — "Mari Tamm (38001085718)".

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

#[cfg(test)]
mod tests {
    use super::*;

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
