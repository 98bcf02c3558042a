//! Exit statuses, as documented in `signet --help` and the README.
//!
//! 0, 1 and 2 are verdicts; 64 and up follow BSD's `sysexits.h` for usage, input and environment
//! errors, so that scripts can tell "the signature is bad" from "the command could not run".

use signet_api::verification::Verdict;
use signet_core::Code;

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

/// The status for a command that judged several files: the worst verdict wins (1 over 2 over 0).
/// A file that cannot be opened as a signed document, or that carries no signature, is not
/// valid (the engine's verdict): nothing in it is valid.
pub(crate) fn for_verdicts(verdicts: impl IntoIterator<Item = Verdict>) -> Status {
    match verdicts.into_iter().max() {
        Some(Verdict::Valid | Verdict::ValidWithWarnings) => Status::Success,
        Some(Verdict::CannotTell) => Status::Indeterminate,
        Some(Verdict::NotValid) => Status::Failed,
        None => Status::Usage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn worst_verdict_sets_the_status() {
        assert_eq!(for_verdicts([Valid]), Status::Success);
        assert_eq!(for_verdicts([Valid, ValidWithWarnings]), Status::Success);
        assert_eq!(for_verdicts([Valid, CannotTell]), Status::Indeterminate);
        assert_eq!(for_verdicts([CannotTell, NotValid, Valid]), Status::Failed);
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
