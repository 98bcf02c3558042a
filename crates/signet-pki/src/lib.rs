//! Trust for Signet: certificate path validation at a given time, OCSP and RFC 3161 clients.
