//! The vocabulary shared by every Signet crate.
//!
//! Nothing here performs I/O. Time comes from a [`Clock`] and the network from a [`Fetch`] that the
//! caller passes in, so that the format and protocol crates stay pure and testable at any instant.
//!
//! - [`BaselineLevel`]: the ETSI baseline levels B-B, B-T, B-LT and B-LTA.
//! - [`Indication`] and [`SubIndication`]: the validation vocabulary of ETSI EN 319 102-1.
//! - [`Code`]: the closed set of error codes that cross to the UI and the CLI.
//! - [`Clock`], [`SystemClock`], [`FixedClock`]: where the current time comes from.
//! - [`Fetch`]: HTTP GET and POST of bytes, implemented by the binaries.
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod clock;
mod code;
mod fetch;
mod indication;
mod level;

pub use clock::{Clock, FixedClock, SystemClock};
pub use code::Code;
pub use fetch::{Fetch, FetchError, FetchResponse};
pub use indication::{Indication, SubIndication};
pub use level::{BaselineLevel, ParseLevelError};
