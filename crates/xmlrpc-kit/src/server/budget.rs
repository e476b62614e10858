//! One request's gate, which every call it makes passes before it runs (a multicall's calls
//! one by one): the `authorize_call` hook, the request's budget of calls and of time, and
//! the client's call rate.

use super::throttle::{rate_fault, CallRate, ClientKey};
use crate::dispatch::Gate;
use crate::fault::Fault;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The name whose calls are containers: they are not counted, their calls are.
const MULTICALL: &str = "system.multicall";

/// What one request may spend, and on whose account.
pub(crate) struct Budget {
    pub(crate) authorize: Option<Gate>,
    pub(crate) max_calls: usize,
    pub(crate) time: Duration,
    pub(crate) started: Instant,
    /// The client's call rate, with its first call already counted when the request came
    /// in (see `service::handle`).
    pub(crate) rate: Option<(Arc<CallRate>, ClientKey)>,
}

impl Budget {
    /// The gate for one request.
    pub(crate) fn into_gate(self) -> Gate {
        let calls = AtomicUsize::new(0);
        let prepaid = AtomicBool::new(self.rate.is_some());
        Arc::new(move |method: &str| {
            if let Some(authorize) = &self.authorize {
                authorize(method)?;
            }
            if method == MULTICALL {
                return Ok(());
            }
            let made = calls.fetch_add(1, Ordering::Relaxed) + 1;
            if made > self.max_calls {
                return Err(Fault::new(
                    Fault::OVER_LIMIT,
                    format!(
                        "not run: one request may make at most {} calls",
                        self.max_calls
                    ),
                ));
            }
            if made > 1 && self.started.elapsed() > self.time {
                return Err(Fault::new(
                    Fault::OVER_LIMIT,
                    format!(
                        "not run: the request has used its {:?} of time for calls",
                        self.time
                    ),
                ));
            }
            if let Some((rate, key)) = &self.rate {
                if !prepaid.swap(false, Ordering::Relaxed) {
                    rate.take(key).map_err(rate_fault)?;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::RateLimit;

    fn budget(max_calls: usize, time: Duration) -> Budget {
        Budget {
            authorize: None,
            max_calls,
            time,
            started: Instant::now(),
            rate: None,
        }
    }

    #[test]
    fn calls_past_the_budget_are_refused_and_multicall_itself_is_free() {
        let gate = budget(2, Duration::from_secs(60)).into_gate();
        gate(MULTICALL).unwrap();
        gate("a").unwrap();
        gate("b").unwrap();
        let fault = gate("c").unwrap_err();
        assert_eq!(fault.code, Fault::OVER_LIMIT);
        assert!(fault.string.contains("at most 2 calls"), "{fault}");
    }

    #[test]
    fn calls_after_the_time_budget_are_refused_but_the_first_runs() {
        let mut b = budget(100, Duration::ZERO);
        b.started = Instant::now() - Duration::from_millis(5);
        let gate = b.into_gate();
        gate("first").unwrap();
        assert!(gate("second").unwrap_err().string.contains("of time"));
    }

    #[test]
    fn the_rate_counts_every_call_after_the_prepaid_first() {
        let rate = Arc::new(CallRate::new(RateLimit::per_second(1).burst(3)));
        let key = ClientKey::Addr(std::net::IpAddr::from([127, 0, 0, 1]));
        rate.take(&key).unwrap(); // the request's own, taken when it came in
        let mut b = budget(100, Duration::from_secs(60));
        b.rate = Some((Arc::clone(&rate), key));
        let gate = b.into_gate();
        gate(MULTICALL).unwrap();
        gate("one").unwrap(); // prepaid
        gate("two").unwrap();
        gate("three").unwrap();
        let fault = gate("four").unwrap_err();
        assert!(fault.string.contains("too many calls"), "{fault}");
    }
}
