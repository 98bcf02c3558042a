//! Slow clients for the benchmark: each opens a connection to the node and sends the headers of
//! a request one byte every [`BYTE_INTERVAL`], never finishing them (slowloris). When the node
//! cuts one off (header-read timeout, connection cap), it comes back at once, as an attacker
//! would, so the node carries them for the whole measurement.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::task::JoinHandle;

/// One header byte this often.
pub(crate) const BYTE_INTERVAL: Duration = Duration::from_secs(10);

/// What a slow client sends, a byte at a time, over and over: the start of a request whose
/// headers never end.
const REQUEST: &[u8] = b"GET /v1/usage/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

/// The running slow clients; they stop when this is dropped.
pub(crate) struct SlowClients {
    open: Arc<AtomicUsize>,
    cut_off: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    tasks: Vec<JoinHandle<()>>,
}

impl SlowClients {
    /// Starts `count` slow clients against `addr`; returns once each has connected once (or
    /// after 30 seconds). Their first bytes are spread over the first interval.
    pub(crate) async fn attach(addr: SocketAddr, count: usize) -> Self {
        let open = Arc::new(AtomicUsize::new(0));
        let cut_off = Arc::new(AtomicU64::new(0));
        let bytes = Arc::new(AtomicU64::new(0));
        let tasks = (0..count)
            .map(|i| {
                let first = BYTE_INTERVAL.mul_f64(i as f64 / count.max(1) as f64);
                tokio::spawn(slow_client(
                    addr,
                    first,
                    Arc::clone(&open),
                    Arc::clone(&cut_off),
                    Arc::clone(&bytes),
                ))
            })
            .collect();
        let clients = Self {
            open,
            cut_off,
            bytes,
            tasks,
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while clients.open() < count && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        clients
    }

    /// Connections open now.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Connections the node closed so far.
    pub(crate) fn cut_off(&self) -> u64 {
        self.cut_off.load(Ordering::Relaxed)
    }

    /// Header bytes sent so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl Drop for SlowClients {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn slow_client(
    addr: SocketAddr,
    first: Duration,
    open: Arc<AtomicUsize>,
    cut_off: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
) {
    let mut wait = first;
    loop {
        let Ok(mut tcp) = tokio::net::TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        open.fetch_add(1, Ordering::Relaxed);
        let mut answer = [0u8; 512];
        for byte in REQUEST.iter().cycle() {
            // Waiting for the next byte, but noticing the node closing (or answering 408).
            let closed = tokio::select! {
                () = tokio::time::sleep(wait) => false,
                _ = tcp.read(&mut answer) => true,
            };
            wait = BYTE_INTERVAL;
            if closed || tcp.write_all(&[*byte]).await.is_err() {
                break;
            }
            bytes.fetch_add(1, Ordering::Relaxed);
        }
        open.fetch_sub(1, Ordering::Relaxed);
        cut_off.fetch_add(1, Ordering::Relaxed);
        // Straight back, with its first byte at once.
        wait = Duration::ZERO;
    }
}
