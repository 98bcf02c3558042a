//! The machine's pcscd, started as root without systemd, with vsmartcard's vpcd readers.
//!
//! pcscd has no private socket (`/run/pcscd/pcscd.comm` is fixed in 1.9.9), so there is one per
//! machine: tests that use it run one at a time (the nextest test group `pcsc`, and a lock here
//! for tests inside one process, and a file lock for test runs of several checkouts at once).
//! vpcd listens on every interface: a test dependency only. Its ports lie in Linux's ephemeral
//! range, so they are reserved from it before pcscd starts (see [`Pcscd::start`]).

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::TestkitError;

/// The lock file that lets one test process at a time on this machine own pcscd.
pub const PCSCD_LOCK: &str = "/tmp/signet-pcscd.lock";
/// The socket pcscd listens on.
pub const PCSCD_SOCKET: &str = "/run/pcscd/pcscd.comm";
/// vpcd's first slot port; the second slot is one more.
pub const VPCD_PORT: u16 = 35963;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A running pcscd with the vpcd readers "Virtual PCD 00 00" and "Virtual PCD 00 01".
/// Stopped (SIGTERM) when dropped.
#[derive(Debug)]
pub struct Pcscd {
    child: Option<Child>,
    _turn: MutexGuard<'static, ()>,
    // Dropped after `child` is stopped (fields drop in order; `Drop::drop` runs first).
    _machine_turn: std::fs::File,
}

impl Pcscd {
    /// Starts pcscd in the foreground and waits until its socket and vpcd's port are ready.
    /// Fails when pcscd or vpcd is not installed, or another pcscd already runs.
    pub fn start() -> Result<Self, TestkitError> {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
        // Other test processes (another checkout's run) wait here until the pcscd before them
        // has stopped; the lock goes with the process, also when it is killed.
        let machine_turn = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PCSCD_LOCK)
            .map_err(|e| TestkitError::io(PCSCD_LOCK, e))?;
        machine_turn
            .lock()
            .map_err(|e| TestkitError::io(PCSCD_LOCK, e))?;
        if !Path::new("/etc/reader.conf.d/vpcd").exists() {
            return Err(TestkitError::Key(
                "vsmartcard-vpcd is not installed (apt-get install pcscd vsmartcard-vpcd)".into(),
            ));
        }
        if vpcd_listening() {
            return Err(TestkitError::Key(
                "a pcscd with vpcd is already running; stop it first".into(),
            ));
        }
        reserve_vpcd_ports();
        wait_for_vpcd_ports_free();
        std::fs::create_dir_all("/run/pcscd").map_err(|e| TestkitError::io("/run/pcscd", e))?;
        let _ = std::fs::remove_file(PCSCD_SOCKET);
        // SIGNET_PCSCD_LOG=FILE keeps pcscd's debug log (never with --apdu: it shows PINs).
        let log = match std::env::var_os("SIGNET_PCSCD_LOG") {
            Some(path) => {
                Stdio::from(std::fs::File::create(&path).map_err(|e| TestkitError::io(&path, e))?)
            }
            None => Stdio::null(),
        };
        let debug = std::env::var_os("SIGNET_PCSCD_LOG").is_some();
        let child = Command::new("pcscd")
            .args(if debug {
                &["--foreground", "--debug"][..]
            } else {
                &["--foreground"][..]
            })
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| TestkitError::io("pcscd (apt-get install pcscd)", e))?;
        let pcscd = Self {
            child: Some(child),
            _turn: turn,
            _machine_turn: machine_turn,
        };
        let mut pcscd = pcscd;
        // Generous: on a loaded two-core machine (several test binaries and compilers at once)
        // pcscd once needed more than 10 s to open its socket and load vpcd.
        const READY_WITHIN: Duration = Duration::from_secs(30);
        let start = Instant::now();
        while !(Path::new(PCSCD_SOCKET).exists() && vpcd_listening()) {
            if let Some(Ok(Some(status))) = pcscd.child.as_mut().map(std::process::Child::try_wait)
            {
                return Err(TestkitError::Key(format!(
                    "pcscd ended before it was ready ({status}); is another pcscd running?"
                )));
            }
            if start.elapsed() > READY_WITHIN {
                let taken = vpcd_ports_taken();
                return Err(TestkitError::Key(if taken.is_empty() {
                    format!("pcscd did not start within {} s", READY_WITHIN.as_secs())
                } else {
                    format!(
                        "pcscd did not open vpcd's readers within {} s: port {taken:?} is held \
                         by another socket; keep it from being handed out to connections: \
                         sysctl -w net.ipv4.ip_local_reserved_ports={VPCD_PORT}-{}",
                        READY_WITHIN.as_secs(),
                        VPCD_PORT + 1
                    )
                }));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        tracing::debug!(elapsed = ?start.elapsed(), "pcscd ready");
        Ok(pcscd)
    }

    /// Where a virtual card connects to be in slot `slot` (0 or 1).
    pub fn slot(&self, slot: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], VPCD_PORT + slot))
    }

    /// The PC/SC reader name of slot `slot`.
    pub fn reader_name(&self, slot: u16) -> String {
        format!("Virtual PCD 00 {slot:02}")
    }

    /// Stops pcscd (SIGTERM, then waits), as a person's service would stop.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The sysctl of the ports the kernel never gives a connection as its local (ephemeral) port.
const RESERVED_PORTS: &str = "/proc/sys/net/ipv4/ip_local_reserved_ports";

/// vpcd's ports lie in Linux's ephemeral range (32768–60999): any outgoing connection of the
/// machine (a test's HTTP client, the OCSP responder's) may be given one as its local port, and
/// while it lives vpcd cannot listen there; pcscd then runs without its readers. Reserving them
/// keeps the kernel from handing them out. A machine-wide setting, left in place (until the next
/// boot): it only keeps these two ports from outgoing connections. As root; otherwise the wait
/// below still helps.
fn reserve_vpcd_ports() {
    let wanted = format!("{VPCD_PORT}-{}", VPCD_PORT + 1);
    let Ok(current) = std::fs::read_to_string(RESERVED_PORTS) else {
        return;
    };
    let current = current.trim();
    if current.split(',').any(|range| range == wanted) {
        return;
    }
    let list = if current.is_empty() {
        wanted
    } else {
        format!("{current},{wanted}")
    };
    if let Err(err) = std::fs::write(RESERVED_PORTS, &list) {
        tracing::warn!(%err, "could not reserve vpcd's ports from the ephemeral range");
    }
}

/// Waits (up to 30 s) until vpcd could listen on its ports, so that pcscd finds them free; after
/// that pcscd is started anyway and, when its readers do not come, the error names the port.
fn wait_for_vpcd_ports_free() {
    let start = Instant::now();
    while !vpcd_ports_taken().is_empty() {
        if start.elapsed() > Duration::from_secs(30) {
            tracing::warn!("one of vpcd's ports is still taken by another socket");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// vpcd's ports where nothing listens and a listener cannot be bound: another socket holds them
/// (a connection given one as its local port, live or still closing). Bound the way vpcd binds
/// (every interface, SO_REUSEADDR, as the standard library's listener does), and let go at once.
fn vpcd_ports_taken() -> Vec<u16> {
    [VPCD_PORT, VPCD_PORT + 1]
        .into_iter()
        .filter(|port| {
            std::net::TcpListener::bind(("0.0.0.0", *port)).is_err()
                && TcpStream::connect_timeout(
                    &SocketAddr::from(([127, 0, 0, 1], *port)),
                    Duration::from_millis(200),
                )
                .is_err()
        })
        .collect()
}

fn vpcd_listening() -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], VPCD_PORT + 1)),
        Duration::from_millis(200),
    )
    .is_ok()
}
