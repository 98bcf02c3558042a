//! The demo people: who `signet-node demo` seeds records for and who the test PKI issues
//! certificates to (signet-testkit's Mari Tamm; the node tests' Liisa Liht). Made-up people with
//! valid Estonian personal codes (check digit included) and names with õ, ä, ö, ü, š, ž and
//! Cyrillic, so every screen and log line meets them.

/// One demo person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPerson {
    /// The personal code with its country prefix, `EE38001085718`.
    pub code: &'static str,
    /// Given name(s) as in the population register (Latin script).
    pub given_name: &'static str,
    /// Surname (Latin script).
    pub surname: &'static str,
    /// The name in the person's own script, when it is not Latin.
    pub native_name: Option<&'static str>,
    /// Date of birth, `YYYY-MM-DD` (agrees with the personal code).
    pub birth_date: &'static str,
    /// Registered address.
    pub address: &'static str,
}

impl DemoPerson {
    /// `Given Surname`.
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.surname)
    }
}

/// The demo people. The first is the test PKI's certificate holder.
pub const DEMO_PEOPLE: [DemoPerson; 7] = [
    DemoPerson {
        code: "EE38001085718",
        given_name: "Mari",
        surname: "Tamm",
        native_name: None,
        birth_date: "1980-01-08",
        address: "Tähe 4, 50103 Tartu",
    },
    DemoPerson {
        code: "EE49403136526",
        given_name: "Liisa",
        surname: "Liht",
        native_name: None,
        birth_date: "1994-03-13",
        address: "Õie 2, 80010 Pärnu",
    },
    DemoPerson {
        code: "EE37605030299",
        given_name: "Jüri",
        surname: "Õunapuu",
        native_name: None,
        birth_date: "1976-05-03",
        address: "Tööstuse 12-3, 71014 Viljandi",
    },
    DemoPerson {
        code: "EE48512240012",
        given_name: "Žanna",
        surname: "Šiškina",
        native_name: Some("Жанна Шишкина"),
        birth_date: "1985-12-24",
        address: "Järveküla tee 7, 30322 Kohtla-Järve",
    },
    DemoPerson {
        code: "EE46002290210",
        given_name: "Ülle",
        surname: "Ääremaa",
        native_name: None,
        birth_date: "1960-02-29",
        address: "Pikk 33, 10133 Tallinn",
    },
    DemoPerson {
        code: "EE38807120337",
        given_name: "Sergei",
        surname: "Ivanov",
        native_name: Some("Сергей Иванов"),
        birth_date: "1988-07-12",
        address: "Kreenholmi 14, 20104 Narva",
    },
    DemoPerson {
        code: "EE60506150026",
        given_name: "Anu",
        surname: "Põder",
        native_name: None,
        birth_date: "2005-06-15",
        address: "Sõpruse pst 200, 13424 Tallinn",
    },
];

/// The demo person with `code` (`EE…`).
pub fn demo_person(code: &str) -> Option<&'static DemoPerson> {
    DEMO_PEOPLE.iter().find(|p| p.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::PersonCode;

    /// The Estonian check digit (weights 1…9,1, then 3…9,1,2,3; 10 twice gives 0).
    fn check_digit(digits: &[u8]) -> u8 {
        let sum = |w: [u8; 10]| {
            digits
                .iter()
                .zip(w)
                .map(|(d, w)| u32::from(*d) * u32::from(w))
                .sum::<u32>()
                % 11
        };
        match sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 1]) {
            10 => match sum([3, 4, 5, 6, 7, 8, 9, 1, 2, 3]) {
                10 => 0,
                s => u8::try_from(s).unwrap(),
            },
            s => u8::try_from(s).unwrap(),
        }
    }

    #[test]
    fn demo_codes_are_valid_and_agree_with_the_birth_dates() {
        for p in DEMO_PEOPLE {
            PersonCode::new(p.code).unwrap();
            let digits: Vec<u8> = p.code[2..].bytes().map(|b| b - b'0').collect();
            assert_eq!(check_digit(&digits[..10]), digits[10], "{}", p.code);
            let century = match digits[0] {
                3 | 4 => "19",
                5 | 6 => "20",
                _ => panic!("{}", p.code),
            };
            let date = format!(
                "{century}{}{}-{}{}-{}{}",
                digits[1], digits[2], digits[3], digits[4], digits[5], digits[6]
            );
            assert_eq!(date, p.birth_date, "{}", p.code);
        }
    }

    #[test]
    fn the_names_carry_the_letters_signet_must_handle() {
        let all = DEMO_PEOPLE
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p.name(),
                    p.native_name.unwrap_or_default(),
                    p.address
                )
            })
            .collect::<String>()
            .to_lowercase();
        for c in ['õ', 'ä', 'ö', 'ü', 'š', 'ž', 'ж', 'и'] {
            assert!(all.contains(c), "{c}");
        }
    }
}
