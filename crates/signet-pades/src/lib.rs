//! PAdES.
