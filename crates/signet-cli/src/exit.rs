//! Exit statuses, as documented in `signet --help` and the README.
//!
//! 0, 1 and 2 are verdicts; 64 and up follow BSD's `sysexits.h` for usage, input and environment
//! errors, so that scripts can tell "the signature is bad" from "the command could not run".

use signet_core::{Code, Indication};

/// How `signet` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Success; every signature judged is TOTAL-PASSED.
    Success,
    /// A signature is TOTAL-FAILED, or a file could not be opened as a signed document at all.
    Failed,
    /// A signature is INDETERMINATE and none is TOTAL-FAILED.
    Indeterminate,
    /// The command line is wrong (EX_USAGE).
    Usage,
    /// An input file or value cannot be used (EX_DATAERR).
    DataError,
    /// An input file does not exist (EX_NOINPUT).
    NoInput,
    /// Not built yet, or a device or service is missing (EX_UNAVAILABLE).
    Unavailable,
    /// A bug in Signet (EX_SOFTWARE).
    Internal,
    /// A file could not be read or written (EX_IOERR).
    Io,
    /// A network service did not answer (EX_TEMPFAIL).
    TryAgain,
    /// The person cancelled (as for SIGINT).
    Cancelled,
}

impl Status {
    pub(crate) const fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failed => 1,
            Self::Indeterminate => 2,
            Self::Usage => 64,
            Self::DataError => 65,
            Self::NoInput => 66,
            Self::Unavailable => 69,
            Self::Internal => 70,
            Self::Io => 74,
            Self::TryAgain => 75,
            Self::Cancelled => 130,
        }
    }

    /// The status for an error that stopped the command.
    pub(crate) fn for_error(code: Code) -> Self {
        match code {
            Code::NotImplemented => Self::Unavailable,
            Code::InvalidInput => Self::DataError,
            Code::FileNotFound => Self::NoInput,
            Code::Io => Self::Io,
            Code::Network => Self::TryAgain,
            Code::Cancelled => Self::Cancelled,
            Code::CardUnavailable | Code::CardRemoved | Code::CardNotActivated => Self::Unavailable,
            Code::CardUnsupported | Code::PinIncorrect | Code::PinBlocked | Code::InputChanged => {
                Self::DataError
            }
            _ => Self::Internal,
        }
    }
}

/// The verdict on one file of a `verify` or `batch` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(
    dead_code,
    reason = "used by `signet verify`, which the PAdES and ASiC-E issues build"
)]
pub(crate) enum FileVerdict {
    /// The worst indication of the file's signatures; `None` when it has no signature.
    Judged(Option<Indication>),
    /// The file could not be opened as a signed document at all.
    Unreadable,
}

/// The status for a command that judged several files: the worst verdict wins (1 over 2 over 0).
/// A file that cannot be opened as a signed document, or that carries no signature, counts as
/// TOTAL-FAILED: nothing in it is valid.
#[allow(
    dead_code,
    reason = "used by `signet verify`, which the PAdES and ASiC-E issues build"
)]
pub(crate) fn for_verdicts(verdicts: impl IntoIterator<Item = FileVerdict>) -> Status {
    let worst = Indication::worst(verdicts.into_iter().map(|verdict| match verdict {
        FileVerdict::Judged(Some(indication)) => indication,
        FileVerdict::Judged(None) | FileVerdict::Unreadable => Indication::TotalFailed,
    }));
    match worst {
        Some(Indication::TotalPassed) => Status::Success,
        Some(Indication::Indeterminate) => Status::Indeterminate,
        Some(Indication::TotalFailed) => Status::Failed,
        None => Status::Usage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FileVerdict::*;
    use Indication::*;

    #[test]
    fn worst_verdict_sets_the_status() {
        assert_eq!(for_verdicts([Judged(Some(TotalPassed))]), Status::Success);
        assert_eq!(
            for_verdicts([Judged(Some(TotalPassed)), Judged(Some(Indeterminate))]),
            Status::Indeterminate
        );
        assert_eq!(
            for_verdicts([
                Judged(Some(Indeterminate)),
                Judged(Some(TotalFailed)),
                Judged(Some(TotalPassed))
            ]),
            Status::Failed
        );
    }

    #[test]
    fn an_unreadable_or_unsigned_file_is_a_failure_not_a_usage_error() {
        assert_eq!(
            for_verdicts([Judged(Some(TotalPassed)), Unreadable]),
            Status::Failed
        );
        assert_eq!(
            for_verdicts([Judged(Some(Indeterminate)), Unreadable]),
            Status::Failed
        );
        assert_eq!(for_verdicts([Judged(None)]), Status::Failed);
        assert_eq!(Status::Failed.code(), 1);
    }

    #[test]
    fn no_file_at_all_is_a_usage_error() {
        assert_eq!(for_verdicts([]), Status::Usage);
    }

    #[test]
    fn errors_map_to_sysexits() {
        assert_eq!(Status::for_error(Code::NotImplemented).code(), 69);
        assert_eq!(Status::for_error(Code::FileNotFound).code(), 66);
        assert_eq!(Status::for_error(Code::InvalidInput).code(), 65);
        assert_eq!(Status::for_error(Code::Io).code(), 74);
        assert_eq!(Status::for_error(Code::Network).code(), 75);
        assert_eq!(Status::for_error(Code::Internal).code(), 70);
        assert_eq!(Status::for_error(Code::Cancelled).code(), 130);
        assert_eq!(Status::for_error(Code::InputChanged).code(), 65);
    }
}
