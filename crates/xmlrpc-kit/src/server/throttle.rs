//! Throttles on clients: a call rate per client (every call inside a multicall counts), and
//! a lockout that grows with repeated wrong passwords per user name and address. Both
//! answer quickly (429 with `Retry-After`, or fault -32002) and hold nothing while they
//! refuse; their tables are bounded.

use crate::fault::Fault;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Clients (or user/address pairs) a table keeps before it forgets the quietest.
const MAX_TRACKED: usize = 100_000;
/// Calls between sweeps of the rate table for clients that have gone quiet.
const SWEEP_EVERY: u64 = 10_000;

/// A per-client call rate: [`ServerConfig::rate_limit`](super::ServerConfig::rate_limit).
///
/// ```
/// use xmlrpc_kit::server::RateLimit;
/// let limit = RateLimit::per_second(50).burst(100);
/// assert_eq!((limit.rate(), limit.burst_size()), (50, 100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    per_second: NonZeroU32,
    burst: NonZeroU32,
}

impl RateLimit {
    /// `calls` per second on average, with bursts of as many (at least 1).
    ///
    /// ```
    /// let limit = xmlrpc_kit::server::RateLimit::per_second(10);
    /// assert_eq!(limit.burst_size(), 10);
    /// ```
    pub fn per_second(calls: u32) -> Self {
        let per_second = NonZeroU32::new(calls).unwrap_or(NonZeroU32::MIN);
        RateLimit {
            per_second,
            burst: per_second,
        }
    }

    /// Calls a client may make at once after a quiet spell (at least 1).
    ///
    /// ```
    /// let limit = xmlrpc_kit::server::RateLimit::per_second(10).burst(1000);
    /// assert_eq!(limit.burst_size(), 1000);
    /// ```
    pub fn burst(mut self, calls: u32) -> Self {
        self.burst = NonZeroU32::new(calls).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// The average rate, in calls per second.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::server::RateLimit::per_second(7).rate(), 7);
    /// ```
    pub fn rate(&self) -> u32 {
        self.per_second.get()
    }

    /// The burst size, in calls.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::server::RateLimit::per_second(7).burst(9).burst_size(), 9);
    /// ```
    pub fn burst_size(&self) -> u32 {
        self.burst.get()
    }
}

/// What repeated wrong passwords cost:
/// [`ServerConfig::login_lockout`](super::ServerConfig::login_lockout).
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_kit::server::LoginLockout;
/// let lockout = LoginLockout::default();
/// assert_eq!(lockout.failures_allowed(), LoginLockout::DEFAULT_AFTER);
/// let strict = LoginLockout::default().after(3).first_delay(Duration::from_secs(5));
/// # let _ = strict;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLockout {
    after: u32,
    first_delay: Duration,
    max_delay: Duration,
}

impl LoginLockout {
    /// Default for [`after`](Self::after): 5 wrong passwords in a row.
    pub const DEFAULT_AFTER: u32 = 5;
    /// Default for [`first_delay`](Self::first_delay): 1 second, doubling from there.
    pub const DEFAULT_FIRST_DELAY: Duration = Duration::from_secs(1);
    /// Default for [`max_delay`](Self::max_delay): 15 minutes.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(15 * 60);

    /// Wrong passwords in a row (for one user name from one address) before the lockout
    /// starts; four times as many from one address whatever the names.
    ///
    /// ```
    /// let l = xmlrpc_kit::server::LoginLockout::default().after(10);
    /// assert_eq!(l.failures_allowed(), 10);
    /// ```
    pub fn after(mut self, failures: u32) -> Self {
        self.after = failures.max(1);
        self
    }

    /// How long the first lockout lasts; each further failure doubles it.
    ///
    /// ```
    /// let l = xmlrpc_kit::server::LoginLockout::default().first_delay(std::time::Duration::from_millis(500));
    /// # let _ = l;
    /// ```
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// The longest a lockout lasts.
    ///
    /// ```
    /// let l = xmlrpc_kit::server::LoginLockout::default().max_delay(std::time::Duration::from_secs(60));
    /// # let _ = l;
    /// ```
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Wrong passwords allowed in a row before the lockout starts.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::server::LoginLockout::default().failures_allowed(), 5);
    /// ```
    pub fn failures_allowed(&self) -> u32 {
        self.after
    }

    /// The lockout after `failures` wrong passwords in a row, with `allowed` of them free.
    fn delay(&self, failures: u32, allowed: u32) -> Option<Duration> {
        let over = failures.checked_sub(allowed)?;
        let doubled = self
            .first_delay
            .checked_mul(1u32.checked_shl(over.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(self.max_delay);
        Some(doubled.min(self.max_delay))
    }
}

impl Default for LoginLockout {
    fn default() -> Self {
        LoginLockout {
            after: Self::DEFAULT_AFTER,
            first_delay: Self::DEFAULT_FIRST_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }
}

/// Who a rate is counted for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ClientKey {
    User(Arc<str>),
    Addr(IpAddr),
}

impl ClientKey {
    /// The user when there is one, else the address; `None` (a Unix-socket peer with no
    /// user) is not throttled.
    pub(crate) fn of(user: Option<&str>, addr: Option<IpAddr>) -> Option<ClientKey> {
        match (user, addr) {
            (Some(user), _) => Some(ClientKey::User(Arc::from(user))),
            (None, Some(addr)) => Some(ClientKey::Addr(addr)),
            (None, None) => None,
        }
    }
}

type Keyed = RateLimiter<ClientKey, HashMapStateStore<ClientKey>, DefaultClock>;

/// The server's call-rate table.
pub(crate) struct CallRate {
    limiter: Keyed,
    clock: DefaultClock,
    calls: AtomicU64,
}

impl CallRate {
    pub(crate) fn new(limit: RateLimit) -> Self {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        CallRate {
            limiter: RateLimiter::hashmap(quota),
            clock: DefaultClock::default(),
            calls: AtomicU64::new(0),
        }
    }

    /// Counts one call for `key`: `Err` with the wait until one would be allowed.
    pub(crate) fn take(&self, key: &ClientKey) -> Result<(), Duration> {
        if self.calls.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1
            || self.limiter.len() > MAX_TRACKED
        {
            // Clients whose bucket is full again are the same as clients never seen.
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

impl std::fmt::Debug for CallRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRate")
            .field("tracked", &self.limiter.len())
            .finish()
    }
}

/// The fault a call gets past the rate limit.
pub(crate) fn rate_fault(wait: Duration) -> Fault {
    Fault::new(
        Fault::OVER_LIMIT,
        format!(
            "too many calls: this client's call rate is over the server's limit; retry in {} ms",
            wait.as_millis().max(1)
        ),
    )
}

/// Seconds for a `Retry-After` header: at least 1.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    locked_until: Option<Instant>,
    last: Instant,
}

/// Whose failures are counted: a user name from an address, or an address (no name).
type LoginKey = (Option<Arc<str>>, Option<IpAddr>);

/// Failed logins per (user name, address) and per address.
#[derive(Debug)]
pub(crate) struct Logins {
    lockout: LoginLockout,
    table: Mutex<HashMap<LoginKey, Failures>>,
}

impl Logins {
    pub(crate) fn new(lockout: LoginLockout) -> Self {
        Logins {
            lockout,
            table: Mutex::new(HashMap::new()),
        }
    }

    fn keys(user: Option<&str>, addr: Option<IpAddr>) -> [LoginKey; 2] {
        [(user.map(Arc::from), addr), (None, addr)]
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<LoginKey, Failures>> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `user` from `addr` must still wait before a password is checked.
    pub(crate) fn locked(&self, user: Option<&str>, addr: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let table = self.table();
        Self::keys(user, addr)
            .iter()
            .filter_map(|key| table.get(key)?.locked_until)
            .filter_map(|until| until.checked_duration_since(now))
            .filter(|wait| !wait.is_zero())
            .max()
    }

    /// Records a wrong password (or a missing user) for `user` from `addr`.
    pub(crate) fn failed(&self, user: Option<&str>, addr: Option<IpAddr>) {
        let now = Instant::now();
        let mut table = self.table();
        if table.len() >= MAX_TRACKED {
            let stale = self.lockout.max_delay.max(Duration::from_secs(60));
            table.retain(|_, f| now.duration_since(f.last) < stale);
        }
        if table.len() >= MAX_TRACKED {
            return;
        }
        for (i, key) in Self::keys(user, addr).into_iter().enumerate() {
            // The address alone is allowed four times as many, for users who mistype.
            let allowed = if i == 0 {
                self.lockout.after
            } else {
                self.lockout.after.saturating_mul(4)
            };
            let entry = table.entry(key).or_insert(Failures {
                count: 0,
                locked_until: None,
                last: now,
            });
            entry.count = entry.count.saturating_add(1);
            entry.last = now;
            if let Some(delay) = self.lockout.delay(entry.count, allowed) {
                entry.locked_until = Some(now + delay);
            }
        }
    }

    /// A right password: `user` from `addr` starts afresh (the address's count too).
    pub(crate) fn succeeded(&self, user: Option<&str>, addr: Option<IpAddr>) {
        let mut table = self.table();
        if table.is_empty() {
            return;
        }
        for key in Self::keys(user, addr) {
            table.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lockout_starts_after_the_allowed_failures_and_doubles() {
        let lockout = LoginLockout::default()
            .after(2)
            .first_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(5));
        assert_eq!(lockout.delay(1, 2), None);
        assert_eq!(lockout.delay(2, 2), Some(Duration::from_secs(1)));
        assert_eq!(lockout.delay(3, 2), Some(Duration::from_secs(2)));
        assert_eq!(lockout.delay(4, 2), Some(Duration::from_secs(4)));
        assert_eq!(lockout.delay(5, 2), Some(Duration::from_secs(5)));
        assert_eq!(lockout.delay(400, 2), Some(Duration::from_secs(5)));
    }

    #[test]
    fn a_user_is_locked_out_per_address_and_a_success_clears_it() {
        let logins = Logins::new(LoginLockout::default().after(3));
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        let there = Some(IpAddr::from([127, 0, 0, 2]));
        for _ in 0..2 {
            logins.failed(Some("ann"), here);
        }
        assert_eq!(logins.locked(Some("ann"), here), None);
        logins.failed(Some("ann"), here);
        assert!(logins.locked(Some("ann"), here).is_some());
        // Another address, and another user from this one, are not locked.
        assert_eq!(logins.locked(Some("ann"), there), None);
        assert_eq!(logins.locked(Some("bob"), here), None);
        logins.succeeded(Some("ann"), here);
        assert_eq!(logins.locked(Some("ann"), here), None);
    }

    #[test]
    fn many_names_from_one_address_lock_the_address() {
        let logins = Logins::new(LoginLockout::default().after(2));
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        for i in 0..8 {
            logins.failed(Some(&format!("user{i}")), here);
        }
        assert!(logins.locked(Some("someone-else"), here).is_some());
    }

    #[test]
    fn the_call_rate_refuses_past_the_burst_and_says_how_long_to_wait() {
        let rate = CallRate::new(RateLimit::per_second(1).burst(3));
        let key = ClientKey::Addr(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            rate.take(&key).unwrap();
        }
        let wait = rate.take(&key).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Another client has its own bucket.
        rate.take(&ClientKey::Addr(IpAddr::from([127, 0, 0, 2])))
            .unwrap();
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
    }
}
