//! Where the current time comes from.
//!
//! Library crates never read the system clock themselves (clippy's `disallowed-methods` enforces
//! it): validation "now", OCSP freshness and signing time are all taken from a [`Clock`], so a test
//! can validate a signature as of any instant.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock. Binaries construct it; libraries only see `&dyn Clock`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(
        clippy::disallowed_methods,
        reason = "the one place that reads the system clock for everyone else"
    )]
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until it is moved: for tests, and for validating "as of" a given time.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<SystemTime>,
}

impl FixedClock {
    /// A clock that reads `at` until it is set or advanced.
    pub fn new(at: SystemTime) -> Self {
        Self {
            now: Mutex::new(at),
        }
    }

    /// A clock at `secs` seconds after the Unix epoch.
    pub fn from_unix(secs: u64) -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Moves the clock to `at` (backwards too: a test may need a clock that jumps).
    pub fn set(&self, at: SystemTime) {
        *self.lock() = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.lock();
        *now += by;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SystemTime> {
        // A poisoned lock only means another test thread panicked while holding a plain value.
        self.now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        *self.lock()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_stands_still_until_moved() {
        let clock = FixedClock::from_unix(1_764_000_000);
        let first = clock.now();
        assert_eq!(first, clock.now());
        clock.advance(Duration::from_secs(90));
        assert_eq!(
            clock.now().duration_since(first).unwrap(),
            Duration::from_secs(90)
        );
        clock.set(SystemTime::UNIX_EPOCH);
        assert_eq!(clock.now(), SystemTime::UNIX_EPOCH);
    }

    #[test]
    fn system_clock_is_after_the_project_started() {
        // 2026-01-01T00:00:00Z: a system clock reading before it is broken.
        let floor = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        assert!(SystemClock.now() > floor);
    }

    #[test]
    fn clocks_work_behind_references_and_arcs() {
        fn read(clock: &dyn Clock) -> SystemTime {
            clock.now()
        }
        let fixed = std::sync::Arc::new(FixedClock::from_unix(42));
        assert_eq!(
            read(&fixed),
            SystemTime::UNIX_EPOCH + Duration::from_secs(42)
        );
        assert_eq!(
            read(&&*fixed),
            SystemTime::UNIX_EPOCH + Duration::from_secs(42)
        );
    }
}
