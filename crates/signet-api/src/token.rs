//! Which signing device an operation uses (`--token` on the command line, a choice in the app),
//! and opening it.
//!
//! `pcsc` (the Estonian ID card through PC/SC; `pcsc:READER` names the reader), `pkcs11:MODULE`
//! (any PKCS#11 module, by path), `p12:FILE` (a PKCS#12 file with a password).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use signet_core::Code;
use signet_token::{Pin, PinKind, PinState, SigningToken};

use crate::ApiError;

/// OpenSC's PKCS#11 module (Debian, Ubuntu): what `pkcs11` without a path loads.
pub const OPENSC_MODULE: &str = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";

/// A signing device, as a person names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSpec {
    /// The ID card through PC/SC; `reader` chooses the reader when several have a card.
    Pcsc {
        /// The PC/SC reader name, when given.
        reader: Option<String>,
        /// Use the reader's PIN pad when it has one (the person's setting; on by default).
        pin_pad: bool,
    },
    /// A PKCS#11 module, by the path of its shared library.
    Pkcs11 {
        /// The module (`/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so`, SoftHSM's, a vendor's).
        module: PathBuf,
        /// Let a token with a protected authentication path (a PIN pad) take the PIN.
        pin_pad: bool,
    },
    /// A PKCS#12 file with a password: a software token.
    P12 {
        /// The file.
        file: PathBuf,
    },
}

impl Default for TokenSpec {
    /// The ID card in whichever reader holds one.
    fn default() -> Self {
        Self::Pcsc {
            reader: None,
            pin_pad: true,
        }
    }
}

impl TokenSpec {
    /// The same device, using a reader's PIN pad (`true`, the default) or taking every PIN from
    /// the keyboard (`false`). A PKCS#12 file has no pad.
    #[must_use]
    pub fn with_pin_pad(mut self, on: bool) -> Self {
        match &mut self {
            Self::Pcsc { pin_pad, .. } | Self::Pkcs11 { pin_pad, .. } => *pin_pad = on,
            Self::P12 { .. } => {}
        }
        self
    }
}

impl FromStr for TokenSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, rest) = match text.split_once(':') {
            Some((kind, rest)) => (kind, Some(rest)),
            None => (text, None),
        };
        let non_empty = |rest: Option<&str>, what: &str| match rest {
            Some(rest) if !rest.is_empty() => Ok(rest.to_owned()),
            _ => Err(format!("`{kind}:` needs {what} after the colon")),
        };
        match kind {
            "pcsc" => Ok(Self::Pcsc {
                reader: rest.filter(|r| !r.is_empty()).map(str::to_owned),
                pin_pad: true,
            }),
            "pkcs11" => Ok(Self::Pkcs11 {
                module: match rest {
                    None | Some("") => OPENSC_MODULE.into(),
                    Some(module) => module.into(),
                },
                pin_pad: true,
            }),
            "p12" | "pkcs12" => Ok(Self::P12 {
                file: non_empty(rest, "the path of the PKCS#12 file")?.into(),
            }),
            other => Err(format!(
                "unknown token `{other}`: use pcsc[:READER], pkcs11:MODULE or p12:FILE"
            )),
        }
    }
}

impl fmt::Display for TokenSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pcsc { reader: None, .. } => f.write_str("pcsc"),
            Self::Pcsc {
                reader: Some(reader),
                ..
            } => write!(f, "pcsc:{reader}"),
            Self::Pkcs11 { module, .. } => write!(f, "pkcs11:{}", module.display()),
            Self::P12 { file } => write!(f, "p12:{}", file.display()),
        }
    }
}

/// Asks the person for a secret: the kind, and the card's count of tries left when it has one.
/// Called between device sessions, never while a card transaction is open.
pub type AskSecret<'a> = dyn FnMut(PinKind, Option<PinState>) -> Result<Pin, ApiError> + 'a;

/// Opens the device `spec` names. A PKCS#12 file asks for its password here; a card asks for
/// its PINs when a key is used.
#[cfg_attr(
    not(feature = "soft"),
    allow(unused_variables, reason = "only a PKCS#12 file asks here")
)]
pub fn open_token(
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<Box<dyn SigningToken + Send>, ApiError> {
    match spec {
        #[cfg(feature = "pcsc")]
        TokenSpec::Pcsc { reader, pin_pad } => {
            let mut token = signet_token::pcsc::PcscToken::open(reader.as_deref())?;
            token.use_pin_pad(*pin_pad);
            Ok(Box::new(token))
        }
        #[cfg(feature = "pkcs11")]
        TokenSpec::Pkcs11 { module, pin_pad } => {
            let mut token = signet_token::pkcs11::Pkcs11Token::open(Some(module))?;
            token.use_pin_pad(*pin_pad);
            Ok(Box::new(token))
        }
        #[cfg(feature = "soft")]
        TokenSpec::P12 { file } => {
            // The file is looked at before its password is asked: a missing file is not a
            // wrong password, nor a card's trouble.
            p12_file_readable(file)?;
            let password = ask(PinKind::Password, None)?;
            match signet_token::soft::SoftToken::open(file, &password) {
                Ok(token) => Ok(Box::new(token)),
                Err(signet_token::TokenError::Malformed(why)) => Err(ApiError::new(
                    Code::InvalidInput,
                    format!("{} cannot be used as a PKCS#12 file: {why}", file.display()),
                )
                .recommend("Check that --token p12:FILE names the PKCS#12 file (.p12, .pfx) holding your key and certificate.")),
                Err(err) => Err(err.into()),
            }
        }
        #[allow(
            unreachable_patterns,
            reason = "reached only in builds without some back end"
        )]
        other => Err(ApiError::new(
            Code::NotImplemented,
            format!("this build of Signet cannot use the token `{other}`"),
        )
        .recommend("Use another token (--token pcsc, pkcs11:MODULE or p12:FILE).")),
    }
}

/// Opens the token named by `spec` to sign with its signing key: as [`open_token`], and a card
/// that cannot sign yet (a Thales ID card whose PIN2 was never changed) is reported now, before
/// any PIN2 is asked.
pub fn open_signing_token(
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
) -> Result<Box<dyn SigningToken + Send>, ApiError> {
    let mut token = open_token(spec, ask)?;
    if token.needs_activation()? {
        return Err(crate::card::not_activated());
    }
    Ok(token)
}

/// A PKCS#12 file that does not exist is `FILE_NOT_FOUND` ("does not exist"); one that cannot
/// be read (a folder, no permission) is `IO`.
#[cfg_attr(not(feature = "soft"), allow(dead_code, reason = "used by p12:FILE"))]
fn p12_file_readable(file: &std::path::Path) -> Result<(), ApiError> {
    use std::io::Read as _;
    let mut first = [0u8; 1];
    match std::fs::File::open(file).and_then(|mut f| f.read(&mut first)) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(ApiError::new(
            Code::FileNotFound,
            format!("the PKCS#12 file {} does not exist", file.display()),
        )
        .recommend("Check the path given with --token p12:FILE.")),
        Err(err) => Err(ApiError::new(
            Code::Io,
            format!("the PKCS#12 file {} cannot be read: {err}", file.display()),
        )
        .recommend(
            "Check that --token p12:FILE names a file, not a folder, and that you may read it.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "soft")]
    #[test]
    fn a_p12_file_that_cannot_be_read_is_said_so_before_any_password_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let mut ask = |_: PinKind, _: Option<PinState>| -> Result<Pin, ApiError> {
            panic!("no password is asked for a file that cannot be read")
        };
        let missing = TokenSpec::P12 {
            file: dir.path().join("missing.p12"),
        };
        let err = open_token(&missing, &mut ask).err().unwrap();
        assert_eq!(err.code, Code::FileNotFound, "{err}");
        assert!(err.message.ends_with("missing.p12 does not exist"), "{err}");
        let folder = TokenSpec::P12 {
            file: dir.path().to_owned(),
        };
        let err = open_token(&folder, &mut ask).err().unwrap();
        assert_eq!(err.code, Code::Io, "{err}");
        assert!(err.message.contains("cannot be read"), "{err}");
    }

    #[test]
    fn token_specs_parse_and_print_back() {
        for text in [
            "pcsc",
            "pcsc:Virtual PCD 00 01",
            "pkcs11:/usr/lib/softhsm/libsofthsm2.so",
            "p12:demo.p12",
        ] {
            let spec: TokenSpec = text.parse().unwrap();
            assert_eq!(spec.to_string(), text);
        }
        assert_eq!(
            "pkcs12:a.p12".parse::<TokenSpec>().unwrap(),
            TokenSpec::P12 {
                file: "a.p12".into()
            }
        );
        assert!("p12:".parse::<TokenSpec>().is_err());
        assert_eq!(
            "pkcs11".parse::<TokenSpec>().unwrap(),
            TokenSpec::Pkcs11 {
                module: OPENSC_MODULE.into(),
                pin_pad: true,
            }
        );
        assert_eq!(
            "pcsc".parse::<TokenSpec>().unwrap().with_pin_pad(false),
            TokenSpec::Pcsc {
                reader: None,
                pin_pad: false
            }
        );
        assert!(
            "usb:x"
                .parse::<TokenSpec>()
                .unwrap_err()
                .contains("unknown token")
        );
    }
}
