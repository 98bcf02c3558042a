//! The test PKI checked by OpenSSL itself: the certificates chain, the OCSP responder and the TSA
//! answer, and each misbehaviour does what it says.

mod openssl_agrees;
