//! OpenSSL's own OCSP responder and time-stamping logic behind a tiny HTTP/1.1 server bound to
//! 127.0.0.1 only.
//!
//! `openssl ocsp -port` would listen on every interface, and `openssl ts` has no server at all,
//! so each request is written to a file, answered by one `openssl ocsp -reqin … -respout …` or
//! `openssl ts -reply` process, and the answer is sent back. Requests are handled one at a time,
//! which also serialises `openssl ts -reply` (it increments a serial file).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use der::{Decode as _, Encode as _};

use crate::TestkitError;
use crate::openssl;

/// Who signs the OCSP responder's answers, and how it misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OcspMode {
    /// The delegated responder issued by the issuing CA (id-kp-OCSPSigning).
    #[default]
    Delegated,
    /// The issuing CA itself.
    IssuingCa,
    /// An OCSP-signing certificate issued by the root, not by the issuing CA: unauthorised.
    RogueResponder,
    /// The TSA's key: a certificate from another issuer without id-kp-OCSPSigning.
    TsaKey,
    /// The delegated responder, but the request's nonce is altered before OpenSSL sees it, so
    /// the answer echoes another nonce.
    WrongNonce,
    /// The delegated responder, with the nonce removed from the request.
    NoNonce,
    /// The delegated responder, naming itself by key hash (ResponderID byKey).
    ByKey,
    /// The delegated responder, without its certificate in the answer.
    WithoutCertificates,
}

/// How the time-stamping authority misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TsaMode {
    /// `openssl ts -reply` with the TSA certificate.
    #[default]
    Genuine,
    /// The request's message imprint is altered before OpenSSL sees it.
    AlterImprint,
    /// OpenSSL's TSTInfo, re-signed (`openssl cms -sign -cades`) by a certificate without the
    /// timeStamping EKU (OpenSSL's TSA refuses to sign with one).
    SignerWithoutEku,
    /// OpenSSL's TSTInfo with its `tsa` field changed to another name, re-signed by the genuine
    /// TSA certificate: a valid signature over a token that names another authority.
    OtherTsaName,
    /// A `rejection` status without a token.
    Reject,
}

/// The files the responders use.
#[derive(Debug, Clone)]
pub(crate) struct ResponderFiles {
    pub dir: PathBuf,
    pub index: PathBuf,
    pub issuing_ca: (PathBuf, PathBuf),
    pub root: (PathBuf, PathBuf),
    pub ocsp: (PathBuf, PathBuf),
    pub rogue: (PathBuf, PathBuf),
    pub tsa: (PathBuf, PathBuf),
    pub tsa_without_eku: (PathBuf, PathBuf),
    pub tsa_config: PathBuf,
}

#[derive(Debug, Default, Clone, Copy)]
struct Modes {
    ocsp: OcspMode,
    tsa: TsaMode,
}

#[derive(Debug)]
struct Shared {
    files: ResponderFiles,
    modes: Mutex<Modes>,
    counter: AtomicU64,
    requests: AtomicU64,
    /// Serialises the root CRL's database and generation.
    crl: Mutex<()>,
}

/// The running HTTP server; stops when dropped.
#[derive(Debug)]
pub(crate) struct Responders {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// The largest request body the server reads.
const MAX_BODY: usize = 64 * 1024;

impl Responders {
    /// Starts serving on `listener` (already bound to 127.0.0.1, so the certificates could name
    /// its port).
    pub fn start(listener: TcpListener, files: ResponderFiles) -> Result<Self, TestkitError> {
        let addr = listener
            .local_addr()
            .map_err(|e| TestkitError::io(&files.dir, e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            files,
            modes: Mutex::new(Modes::default()),
            counter: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            crl: Mutex::new(()),
        });
        let thread = {
            let stop = Arc::clone(&stop);
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("testkit-responders".into())
                .spawn(move || serve(&listener, &stop, &shared))
                .map_err(|e| TestkitError::io("responder thread", e))?
        };
        Ok(Self {
            addr,
            stop,
            shared,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set_ocsp_mode(&self, mode: OcspMode) {
        self.lock().ocsp = mode;
    }

    pub fn set_tsa_mode(&self, mode: TsaMode) {
        self.lock().tsa = mode;
    }

    pub fn requests_served(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Modes> {
        self.shared
            .modes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Responders {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; an error means it is already gone.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: &TcpListener, stop: &AtomicBool, shared: &Shared) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        if let Err(e) = handle(stream, shared) {
            tracing::warn!(error = %e, "test responder could not answer");
        }
    }
}

struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

fn read_request(stream: &mut TcpStream) -> std::io::Result<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    if length > MAX_BODY {
        return Err(std::io::Error::other("request body too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Request { method, path, body })
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn handle(mut stream: TcpStream, shared: &Shared) -> Result<(), TestkitError> {
    let request = read_request(&mut stream).map_err(|e| TestkitError::io(&shared.files.dir, e))?;
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let modes = *shared.modes.lock().unwrap_or_else(PoisonError::into_inner);
    let n = shared.counter.fetch_add(1, Ordering::SeqCst);
    let answer = match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/ocsp") => ocsp(shared, modes.ocsp, n, &request.body)
            .map(|body| (body, "application/ocsp-response")),
        ("POST", "/tsa") => tsa(shared, modes.tsa, n, &request.body)
            .map(|body| (body, "application/timestamp-reply")),
        ("GET", "/root.crl") => root_crl(shared).map(|body| (body, "application/pkix-crl")),
        _ => {
            respond(&mut stream, "404 Not Found", "text/plain", b"not here\n");
            return Ok(());
        }
    };
    match answer {
        Ok((body, content_type)) => respond(&mut stream, "200 OK", content_type, &body),
        Err(e) => {
            respond(
                &mut stream,
                "500 Internal Server Error",
                "text/plain",
                e.to_string().as_bytes(),
            );
            return Err(e);
        }
    }
    Ok(())
}

fn path_str(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn ocsp(shared: &Shared, mode: OcspMode, n: u64, body: &[u8]) -> Result<Vec<u8>, TestkitError> {
    let files = &shared.files;
    let body = match mode {
        OcspMode::WrongNonce => rewrite_nonce(body, NonceChange::Alter)?,
        OcspMode::NoNonce => rewrite_nonce(body, NonceChange::Remove)?,
        _ => body.to_vec(),
    };
    let req = files.dir.join(format!("ocsp-{n}.req"));
    let resp = files.dir.join(format!("ocsp-{n}.resp"));
    std::fs::write(&req, &body).map_err(|e| TestkitError::io(&req, e))?;
    let (signer, key) = match mode {
        OcspMode::Delegated
        | OcspMode::WrongNonce
        | OcspMode::NoNonce
        | OcspMode::ByKey
        | OcspMode::WithoutCertificates => &files.ocsp,
        OcspMode::IssuingCa => &files.issuing_ca,
        OcspMode::RogueResponder => &files.rogue,
        OcspMode::TsaKey => &files.tsa,
    };
    let args = [
        "ocsp".to_owned(),
        "-index".into(),
        path_str(&files.index),
        "-CA".into(),
        path_str(&files.issuing_ca.0),
        "-rsigner".into(),
        path_str(signer),
        "-rkey".into(),
        path_str(key),
        "-rmd".into(),
        "sha384".into(),
        "-nmin".into(),
        "10".into(),
        "-reqin".into(),
        path_str(&req),
        "-respout".into(),
        path_str(&resp),
    ];
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    match mode {
        OcspMode::ByKey => args.push("-resp_key_id"),
        OcspMode::WithoutCertificates => args.push("-resp_no_certs"),
        _ => {}
    }
    openssl::run(&files.dir, &args)?;
    std::fs::read(&resp).map_err(|e| TestkitError::io(&resp, e))
}

/// A fresh CRL of the root (`openssl ca -gencrl`, stamped with the real time, valid 7 days):
/// it lists what [`Responders::revoke_in_root_crl`] added, by default nothing.
fn root_crl(shared: &Shared) -> Result<Vec<u8>, TestkitError> {
    gen_root_crl(shared, None)
}

/// The root's OpenSSL CA directory (database, CRL number, configuration), created on first use.
fn root_ca_config(shared: &Shared) -> Result<std::path::PathBuf, TestkitError> {
    let dir = shared.files.dir.join("rootca");
    let write = |path: &std::path::Path, text: &str| {
        std::fs::write(path, text).map_err(|e| TestkitError::io(path, e))
    };
    let config = dir.join("ca.cnf");
    if !config.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| TestkitError::io(&dir, e))?;
        write(&dir.join("index.txt"), "")?;
        write(&dir.join("crlnumber"), "1000\n")?;
        write(
            &config,
            &format!(
                "[ca]\ndefault_ca = root\n[root]\ndatabase = {0}/index.txt\ncrlnumber = {0}/crlnumber\ndefault_md = sha384\ndefault_crl_days = 7\n",
                dir.display()
            ),
        )?;
    }
    Ok(config)
}

/// Generates a root CRL, with `times` = (lastUpdate, nextUpdate) in OpenSSL's format when
/// given, else now and 7 days later.
fn gen_root_crl(shared: &Shared, times: Option<(&str, &str)>) -> Result<Vec<u8>, TestkitError> {
    let _serial = shared.crl.lock().unwrap_or_else(PoisonError::into_inner);
    let config = root_ca_config(shared)?;
    let dir = shared.files.dir.join("rootca");
    let n = shared.counter.fetch_add(1, Ordering::SeqCst);
    let pem = dir.join(format!("root-{n}.crl.pem"));
    let der = dir.join(format!("root-{n}.crl.der"));
    let files = &shared.files;
    let (config, key, cert, out) = (
        path_str(&config),
        path_str(&files.root.1),
        path_str(&files.root.0),
        path_str(&pem),
    );
    let mut args = vec![
        "ca", "-batch", "-gencrl", "-config", &config, "-keyfile", &key, "-cert", &cert, "-out",
        &out,
    ];
    if let Some((last, next)) = times {
        args.extend(["-crl_lastupdate", last, "-crl_nextupdate", next]);
    }
    openssl::run(&files.dir, &args)?;
    openssl::run(
        &files.dir,
        &[
            "crl",
            "-in",
            &path_str(&pem),
            "-outform",
            "DER",
            "-out",
            &path_str(&der),
        ],
    )?;
    std::fs::read(&der).map_err(|e| TestkitError::io(&der, e))
}

impl Responders {
    /// Adds an OpenSSL database line (a revoked certificate) to the root's CRL database: every
    /// root CRL generated from now on lists it.
    pub fn revoke_in_root_crl(&self, line: &str) -> Result<(), TestkitError> {
        let _serial = self
            .shared
            .crl
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        root_ca_config(&self.shared)?;
        let index = self.shared.files.dir.join("rootca").join("index.txt");
        let mut text = std::fs::read_to_string(&index).map_err(|e| TestkitError::io(&index, e))?;
        text.push_str(line);
        text.push('\n');
        std::fs::write(&index, text).map_err(|e| TestkitError::io(&index, e))
    }

    /// A root CRL with the given lastUpdate and nextUpdate (OpenSSL's `YYMMDDHHMMSSZ`).
    pub fn root_crl_with_times(&self, last: &str, next: &str) -> Result<Vec<u8>, TestkitError> {
        gen_root_crl(&self.shared, Some((last, next)))
    }
}

enum NonceChange {
    Alter,
    Remove,
}

fn rewrite_nonce(body: &[u8], change: NonceChange) -> Result<Vec<u8>, TestkitError> {
    use x509_ocsp::OcspRequest;
    let mut request = OcspRequest::from_der(body)?;
    let nonce_oid = const_oid::db::rfc6960::ID_PKIX_OCSP_NONCE;
    if let Some(extensions) = request.tbs_request.request_extensions.as_mut() {
        match change {
            NonceChange::Remove => extensions.retain(|e| e.extn_id != nonce_oid),
            NonceChange::Alter => {
                for ext in extensions.iter_mut().filter(|e| e.extn_id == nonce_oid) {
                    let mut value = ext.extn_value.as_bytes().to_vec();
                    if let Some(last) = value.last_mut() {
                        *last ^= 0xff;
                    }
                    ext.extn_value = der::asn1::OctetString::new(value)?;
                }
            }
        }
        if extensions.is_empty() {
            request.tbs_request.request_extensions = None;
        }
    }
    Ok(request.to_der()?)
}

fn tsa(shared: &Shared, mode: TsaMode, n: u64, body: &[u8]) -> Result<Vec<u8>, TestkitError> {
    let files = &shared.files;
    if mode == TsaMode::Reject {
        // TimeStampResp { status PKIStatusInfo { status rejection(2) } }
        return Ok(vec![0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02]);
    }
    let body = if mode == TsaMode::AlterImprint {
        let mut request = x509_tsp::TimeStampReq::from_der(body)?;
        let mut hash = request.message_imprint.hashed_message.as_bytes().to_vec();
        if let Some(first) = hash.first_mut() {
            *first ^= 0xff;
        }
        request.message_imprint.hashed_message = der::asn1::OctetString::new(hash)?;
        request.to_der()?
    } else {
        body.to_vec()
    };
    let query = files.dir.join(format!("ts-{n}.tsq"));
    let reply = files.dir.join(format!("ts-{n}.tsr"));
    std::fs::write(&query, &body).map_err(|e| TestkitError::io(&query, e))?;
    openssl::run(
        &files.dir,
        &[
            "ts",
            "-reply",
            "-config",
            &path_str(&files.tsa_config),
            "-queryfile",
            &path_str(&query),
            "-out",
            &path_str(&reply),
        ],
    )?;
    let genuine = std::fs::read(&reply).map_err(|e| TestkitError::io(&reply, e))?;
    match mode {
        TsaMode::SignerWithoutEku => resign(files, n, &genuine, &files.tsa_without_eku, false),
        TsaMode::OtherTsaName => resign(files, n, &genuine, &files.tsa, true),
        _ => Ok(genuine),
    }
}

/// Takes the TSTInfo out of OpenSSL's genuine answer (optionally naming another TSA in it) and
/// has `openssl cms -sign -cades` sign it again with `signer`.
fn resign(
    files: &ResponderFiles,
    n: u64,
    genuine: &[u8],
    signer: &(PathBuf, PathBuf),
    rename: bool,
) -> Result<Vec<u8>, TestkitError> {
    let response = x509_tsp::TimeStampResp::from_der(genuine)?;
    let token = response
        .time_stamp_token
        .ok_or_else(|| TestkitError::Key("the genuine TSA answer has no token".into()))?;
    let signed: cms::signed_data::SignedData = token.content.decode_as()?;
    let tst_info = signed
        .encap_content_info
        .econtent
        .ok_or_else(|| TestkitError::Key("the genuine token has no TSTInfo".into()))?;
    let tst_path = files.dir.join(format!("ts-{n}.tstinfo"));
    let token_path = files.dir.join(format!("ts-{n}.badtoken"));
    let mut tst_info = tst_info.value().to_vec();
    if rename {
        let mut info = x509_tsp::TstInfo::from_der(&tst_info)?;
        let other = crate::x509::name(&[(crate::x509::oid::COMMON_NAME, "Somebody Else's TSA")])?;
        info.tsa = Some(x509_cert::ext::pkix::name::GeneralName::DirectoryName(
            other,
        ));
        tst_info = info.to_der()?;
    }
    std::fs::write(&tst_path, &tst_info).map_err(|e| TestkitError::io(&tst_path, e))?;
    openssl::run(
        &files.dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-cades",
            "-nosmimecap",
            "-md",
            "sha384",
            "-econtent_type",
            "1.2.840.113549.1.9.16.1.4",
            "-in",
            &path_str(&tst_path),
            "-signer",
            &path_str(&signer.0),
            "-inkey",
            &path_str(&signer.1),
            "-outform",
            "DER",
            "-out",
            &path_str(&token_path),
        ],
    )?;
    let token = std::fs::read(&token_path).map_err(|e| TestkitError::io(&token_path, e))?;
    // TimeStampResp ::= SEQUENCE { status PKIStatusInfo { granted(0) }, timeStampToken }
    let status = [0x30, 0x03, 0x02, 0x01, 0x00];
    let mut content = status.to_vec();
    content.extend_from_slice(&token);
    let mut out = vec![0x30];
    let len = der::Length::try_from(content.len())?;
    len.encode_to_vec(&mut out)?;
    out.extend_from_slice(&content);
    Ok(out)
}
