//! Serving connections, plain or TLS, within fixed bounds: how many are open, how long one may
//! take to send a request's header, how long one may sit idle, and how many header bytes it may
//! send.
//!
//! A connection that never finishes its header (slowloris) is closed after the header-read
//! timeout; one with no request in flight is closed after the idle timeout (HTTP/1.1 keep-alive,
//! HTTP/2, and a TLS or HTTP/2 handshake that never finishes); a header larger than the limit is
//! answered 431 and closed. At most [`Limits::max_connections`] connections are open: when one more
//! arrives, the oldest connection with no request in flight is closed to make room (an attacker's
//! idle connections go first, so normal requests keep being answered), and only when every open
//! connection has a request in flight is the new one refused. Both events are logged at most once
//! every [`LOG_EVERY`] with the number of occurrences in between, as are failed accepts (a full
//! file-descriptor table used to log every 50 ms).
//!
//! So the memory all connections can hold is bounded by `max_connections` × (header limit + TLS
//! and HTTP/2 buffers), and for at most the header-read or idle timeout.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

/// How often a repeated warning (limit reached, accept failed) is logged at most.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

/// The bounds of every connection. `Default` gives the documented defaults (docs/guarantees.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most connections open at once (lowered to fit the open-file limit at start).
    pub max_connections: usize,
    /// Longest time a client may take to send a request's header (HTTP/1.1), including the wait
    /// for the next request on a keep-alive connection.
    pub header_read_timeout: Duration,
    /// Longest time a connection may stay open with no request in flight (both protocols, and
    /// the TLS and HTTP/2 handshakes).
    pub idle_timeout: Duration,
    /// Largest request header (request line and fields; HTTP/2: the header list), in bytes.
    pub max_header_bytes: usize,
    /// How long requests in flight get to finish when the server stops or a connection is
    /// closed for being idle or to make room.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            max_header_bytes: 32 * 1024,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// File descriptors kept for everything but client connections (database, files, logs).
const RESERVED_FDS: u64 = 64;

/// Raises the soft open-file limit to the hard limit and returns the new soft limit (`None`
/// where the platform has no such limit or it cannot be read).
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current < limit.maximum {
            let raised = Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            };
            if let Err(e) = setrlimit(Resource::Nofile, raised) {
                tracing::warn!(error.message = %e, "cannot raise the open-file limit");
            }
        }
        // `None` for "unlimited".
        getrlimit(Resource::Nofile).current.or(Some(u64::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap that fits an open-file limit: `wanted`, or fewer when the limit leaves
/// less room after the descriptors kept for the database, logs and certificates (64).
pub fn fit_connections(wanted: usize, open_file_limit: Option<u64>) -> usize {
    let Some(limit) = open_file_limit else {
        return wanted;
    };
    let room = usize::try_from(limit.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
    wanted.min(room).max(1)
}

/// Logs a repeated event at most once per [`LOG_EVERY`], counting the ones it kept quiet.
#[derive(Debug, Default)]
pub struct RateLimitedLog {
    state: Mutex<(Option<Instant>, u64)>,
}

impl RateLimitedLog {
    /// Records one event at `now`; returns `Some(n)` when it should be logged, `n` being the
    /// events since the last logged one that were not.
    pub fn record(&self, now: Instant) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (last, quiet) = &mut *state;
        match last {
            Some(at) if now.duration_since(*at) < LOG_EVERY => {
                *quiet += 1;
                None
            }
            _ => {
                *last = Some(now);
                Some(std::mem::take(quiet))
            }
        }
    }
}

/// One open connection, as the accept loop and the connection's task share it.
#[derive(Debug)]
struct Conn {
    /// Requests received and not answered yet.
    in_flight: AtomicUsize,
    /// When a request last ended (or the connection opened), in milliseconds since `epoch`.
    last_active_ms: AtomicU64,
    epoch: Instant,
    /// Told to close to make room for a new connection.
    evict: Notify,
    /// Chosen to make room: the next connection at the limit picks another.
    evicted: AtomicBool,
}

impl Conn {
    fn new(epoch: Instant) -> Conn {
        Conn {
            in_flight: AtomicUsize::new(0),
            last_active_ms: AtomicU64::new(millis(epoch, Instant::now())),
            epoch,
            evict: Notify::new(),
            evicted: AtomicBool::new(false),
        }
    }

    fn idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    fn last_active(&self) -> Instant {
        self.epoch + Duration::from_millis(self.last_active_ms.load(Ordering::Relaxed))
    }
}

fn millis(epoch: Instant, at: Instant) -> u64 {
    u64::try_from(at.duration_since(epoch).as_millis()).unwrap_or(u64::MAX)
}

/// Counts a request in flight on its connection until dropped.
struct InFlight(Arc<Conn>);

impl InFlight {
    fn enter(conn: &Arc<Conn>) -> InFlight {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(conn.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let c = &self.0;
        c.last_active_ms
            .store(millis(c.epoch, Instant::now()), Ordering::Relaxed);
        c.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The open connections, oldest first (ids only grow).
#[derive(Debug, Default)]
struct Registry {
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
    emptied: Notify,
}

impl Registry {
    fn len(&self) -> usize {
        self.lock().len()
    }

    /// Open connections not told to close yet: what counts against the limit.
    fn staying(&self) -> usize {
        self.lock()
            .values()
            .filter(|c| !c.evicted.load(Ordering::Relaxed))
            .count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Conn>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the oldest connection with no request in flight to close; false when there is none.
    fn evict_oldest_idle(&self) -> bool {
        let open = self.lock();
        match open
            .values()
            .find(|c| c.idle() && !c.evicted.load(Ordering::Relaxed))
        {
            Some(c) => {
                c.evicted.store(true, Ordering::Relaxed);
                c.evict.notify_one();
                true
            }
            None => false,
        }
    }

    fn remove(&self, id: u64) {
        let mut open = self.lock();
        open.remove(&id);
        if open.is_empty() {
            self.emptied.notify_waiters();
        }
    }

    /// Waits until every connection has ended, at most `timeout`; false when some remain.
    async fn wait_empty(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let emptied = self.emptied.notified();
            if self.len() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, emptied).await.is_err() {
                return self.len() == 0;
            }
        }
    }
}

/// Removes a connection from the registry when its task ends, however it ends.
struct Registered<'r> {
    registry: &'r Registry,
    id: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

/// Serves `router` on `listener` (over TLS when `tls` is given) within `limits` until `shutdown`
/// resolves, then stops accepting and gives requests in flight `limits.drain_timeout`.
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let registry = Arc::new(Registry::default());
    let builder = Arc::new(builder(&limits));
    let (stop_tx, stop_rx) = watch::channel(false);
    let epoch = Instant::now();
    let full_log = RateLimitedLog::default();
    let accept_log = RateLimitedLog::default();
    let mut next_id = 0u64;
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    if let Some(quiet) = accept_log.record(Instant::now()) {
                        tracing::warn!(error.message = %e, repeated = quiet, "accept failed");
                    }
                    // Out of descriptors (or another transient failure): let connections end.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Counting walks the open connections: only when they could be at the limit.
        if registry.len() >= limits.max_connections && registry.staying() >= limits.max_connections
        {
            let made_room = registry.evict_oldest_idle();
            if let Some(quiet) = full_log.record(Instant::now()) {
                if made_room {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        repeated = quiet,
                        "connection limit reached: closing the oldest idle connection to accept a new one"
                    );
                } else {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        repeated = quiet,
                        "connection limit reached and every connection is busy: refusing a new one"
                    );
                }
            }
            if !made_room {
                drop(tcp);
                continue;
            }
        }
        let _ = tcp.set_nodelay(true);
        let id = next_id;
        next_id += 1;
        let conn = Arc::new(Conn::new(epoch));
        registry.lock().insert(id, conn.clone());
        let task = Connection {
            registry: registry.clone(),
            id,
            conn,
            builder: builder.clone(),
            router: router.clone(),
            limits: limits.clone(),
            stop: stop_rx.clone(),
            peer,
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                None => task.run(tcp).await,
                Some(acceptor) => task.run_tls(acceptor, tcp).await,
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    if !registry.wait_empty(limits.drain_timeout).await {
        tracing::warn!(
            "connections still open after {:?}; stopping anyway",
            limits.drain_timeout
        );
    }
    Ok(())
}

fn builder(limits: &Limits) -> hyper_util::server::conn::auto::Builder<TokioExecutor> {
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // hyper reads a header into a buffer that grows up to `max_buf_size` (about 400 KiB by
    // default, 8 KiB at least) and answers 431 when the header does not fit: the header limit is
    // that buffer's size. Bodies are read through it in pieces of that size.
    let header_bytes = limits.max_header_bytes.max(8 * 1024);
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(header_bytes);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(header_bytes).unwrap_or(u32::MAX));
    builder
}

/// One accepted connection's task.
struct Connection {
    registry: Arc<Registry>,
    id: u64,
    conn: Arc<Conn>,
    builder: Arc<hyper_util::server::conn::auto::Builder<TokioExecutor>>,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
    peer: std::net::SocketAddr,
}

impl Connection {
    async fn run_tls(self, acceptor: tokio_rustls::TlsAcceptor, tcp: tokio::net::TcpStream) {
        let _registered = Registered {
            registry: &self.registry,
            id: self.id,
        };
        // The handshake is bounded by the idle timeout and yields to a new connection at the
        // limit, like an idle connection.
        let handshake = tokio::time::timeout(self.limits.idle_timeout, acceptor.accept(tcp));
        let tls = tokio::select! {
            done = handshake => match done {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(peer = %self.peer, error.message = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            },
            () = self.conn.evict.notified() => return,
        };
        self.serve(tls).await;
    }

    async fn run(self, tcp: tokio::net::TcpStream) {
        let _registered = Registered {
            registry: &self.registry,
            id: self.id,
        };
        self.serve(tcp).await;
    }

    async fn serve<I>(&self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let conn = self.conn.clone();
        let router = self.router.clone();
        let service = hyper::service::service_fn(move |request| {
            let in_flight = InFlight::enter(&conn);
            let answer = router.clone().oneshot(request.map(axum::body::Body::new));
            async move {
                let response = answer.await;
                drop(in_flight);
                response
            }
        });
        let connection = self.builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        let mut stop = self.stop.clone();
        let idle = self.limits.idle_timeout;
        let mut check_at = tokio::time::Instant::now() + idle;
        loop {
            tokio::select! {
                ended = connection.as_mut() => {
                    if let Err(e) = ended {
                        tracing::debug!(peer = %self.peer, error.message = %e, "connection ended with an error");
                    }
                    return;
                }
                () = self.conn.evict.notified() => {
                    if self.conn.idle() {
                        // Nothing in flight: closing loses nothing.
                        return;
                    }
                    break;
                }
                () = tokio::time::sleep_until(check_at) => {
                    let idle_until = self.conn.last_active() + idle;
                    if self.conn.idle() && Instant::now() >= idle_until {
                        break;
                    }
                    check_at = tokio::time::Instant::from_std(idle_until.max(Instant::now() + idle / 4));
                }
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        // Stop taking requests (HTTP/2: GOAWAY), let those in flight finish, then close.
        connection.as_mut().graceful_shutdown();
        if tokio::time::timeout(self.limits.drain_timeout, connection)
            .await
            .is_err()
        {
            tracing::debug!(peer = %self.peer, "closing a connection that did not finish in time");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_warning_is_logged_once_per_interval_with_the_count_it_kept_quiet() {
        let log = RateLimitedLog::default();
        let t0 = Instant::now();

        let logged: Vec<Option<u64>> = [0, 1, 2, 9_999, 10_000, 10_001, 25_000]
            .iter()
            .map(|ms| log.record(t0 + Duration::from_millis(*ms)))
            .collect();

        assert_eq!(logged, [Some(0), None, None, None, Some(3), None, Some(1)]);
    }

    #[test]
    fn the_connection_cap_leaves_room_for_the_other_descriptors() {
        assert_eq!(fit_connections(1024, Some(1024)), 960);
        assert_eq!(fit_connections(1024, Some(1_048_576)), 1024);
        assert_eq!(fit_connections(1024, None), 1024);
        assert_eq!(fit_connections(1024, Some(10)), 1);
    }

    #[test]
    fn the_soft_open_file_limit_is_raised_to_the_hard_limit() {
        let raised = raise_open_file_limit();
        #[cfg(unix)]
        {
            let now = rustix::process::getrlimit(rustix::process::Resource::Nofile);
            assert_eq!(now.current, now.maximum);
            assert_eq!(raised, Some(now.current.unwrap_or(u64::MAX)));
        }
        #[cfg(not(unix))]
        assert_eq!(raised, None);
    }
}
