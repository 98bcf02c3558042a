//! When a batch stops: which errors stop it (the token's, or a service every file needs), and
//! the error it ends with.

use signet_core::Code;

use crate::ApiError;

/// Errors that are the token's or a shared service's, not the file's: the batch stops.
pub(super) fn stops_the_batch(code: Code) -> bool {
    matches!(
        code,
        Code::CardUnavailable
            | Code::CardRemoved
            | Code::CardUnsupported
            | Code::CardNotActivated
            | Code::PinIncorrect
            | Code::PinBlocked
            | Code::Cancelled
            | Code::Network
            | Code::Io
    )
}

/// The error a stopped batch ends with: what happened, after how many files, and that running
/// the same command again finishes it.
pub(super) fn stopped_error(
    err: ApiError,
    done: usize,
    total: usize,
    left: usize,
    journal: &str,
) -> ApiError {
    // A PKCS#12 file's password is no PIN (signet-api's message for it names the password).
    let password = err.code == Code::PinIncorrect && err.message.contains("password");
    let what = match err.code {
        Code::PinIncorrect if password => "the password was incorrect".to_owned(),
        Code::CardRemoved => "the card was removed".to_owned(),
        Code::CardUnavailable => "the card could not be reached".to_owned(),
        Code::PinBlocked => "the PIN is blocked".to_owned(),
        Code::PinIncorrect => "the PIN was incorrect".to_owned(),
        Code::Network => "a network service did not answer".to_owned(),
        Code::Cancelled => "the batch was cancelled".to_owned(),
        Code::Io => "the batch could not write in its folder".to_owned(),
        _ => "signing stopped".to_owned(),
    };
    let first = match err.code {
        Code::CardRemoved => "Insert the card",
        Code::CardUnavailable => "Check the reader, the card and the smart card service (pcscd)",
        Code::PinBlocked => "Unblock the PIN with the PUK (signet card pin unblock pin2)",
        Code::PinIncorrect if password => "Check the file's password",
        Code::PinIncorrect => "Check the PIN",
        Code::Network => "Check the network and the time-stamping service",
        _ => err.recommendation.trim_end_matches('.'),
    };
    let kept = match done {
        0 => "no file was signed".to_owned(),
        1 => "the 1 signed file is kept".to_owned(),
        n => format!("the {n} signed files are kept"),
    };
    ApiError::new(
        err.code,
        format!(
            "{what} after {done} of {total} {} ({}); {kept}",
            if total == 1 { "file" } else { "files" },
            err.message.trim_end_matches('.')
        ),
    )
    .recommend(format!(
        "{first} and run the same command again to sign the {left} left; the files already signed are skipped (journal {journal})."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_batch_says_what_happened_and_how_many_are_left() {
        let err = stopped_error(
            ApiError::new(Code::CardRemoved, "The card was removed."),
            36,
            100,
            64,
            "out/.signet-batch.jsonl",
        );
        assert_eq!(err.code, Code::CardRemoved);
        assert!(
            err.message
                .starts_with("the card was removed after 36 of 100 files"),
            "{}",
            err.message
        );
        assert!(err.message.contains("the 36 signed files are kept"));
        assert!(
            err.recommendation
                .starts_with("Insert the card and run the same command again to sign the 64 left"),
            "{}",
            err.recommendation
        );
    }

    #[test]
    fn a_wrong_password_is_no_pin_and_one_file_is_one_file() {
        let err = stopped_error(
            ApiError::from(signet_token::TokenError::WrongPassword),
            0,
            1,
            1,
            "out/.signet-batch.jsonl",
        );
        assert!(
            err.message
                .starts_with("the password was incorrect after 0 of 1 file ("),
            "{}",
            err.message
        );
        assert!(
            err.recommendation
                .starts_with("Check the file's password and"),
            "{}",
            err.recommendation
        );
    }

    #[test]
    fn token_and_service_trouble_stops_the_batch_but_a_bad_file_does_not() {
        for code in [
            Code::CardRemoved,
            Code::CardUnavailable,
            Code::PinBlocked,
            Code::Network,
            Code::Io,
        ] {
            assert!(stops_the_batch(code), "{code}");
        }
        for code in [
            Code::InvalidInput,
            Code::FileNotFound,
            Code::Internal,
            Code::InputChanged,
        ] {
            assert!(!stops_the_batch(code), "{code}");
        }
    }
}
