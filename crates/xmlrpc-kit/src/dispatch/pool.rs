//! The blocking pool's bound: how many blocking calls run at once on tokio's blocking
//! threads, and how many may wait for one; past that a call is refused at once with fault
//! -32002 rather than queued without end. A call holds its slot until its thread returns,
//! even when its caller has stopped waiting (a deadline passed), so runaway methods cannot
//! multiply threads.

use super::handler::{panic_fault, Reply, ReplyFuture};
use crate::fault::Fault;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Blocking calls running at once, and waiting, for one registry (set by the server from
/// its configuration).
#[derive(Debug)]
pub(crate) struct BlockingPool {
    running: Arc<Semaphore>,
    max_running: usize,
    max_queued: usize,
    queued: AtomicUsize,
}

impl BlockingPool {
    /// Tokio's own default bound on blocking threads.
    pub(crate) const UNBOUNDED_RUNNING: usize = 512;

    pub(crate) fn new(max_running: usize, max_queued: usize) -> Arc<Self> {
        let max_running = max_running.clamp(1, Semaphore::MAX_PERMITS);
        Arc::new(BlockingPool {
            running: Arc::new(Semaphore::new(max_running)),
            max_running,
            max_queued,
            queued: AtomicUsize::new(0),
        })
    }

    /// Runs `job` on a blocking thread once a slot is free: `Err` (fault -32002) at once
    /// when every slot is taken and the queue is full.
    pub(crate) fn spawn<T, F>(
        self: &Arc<Self>,
        job: F,
    ) -> Result<impl Future<Output = Result<T, Fault>> + Send + 'static, Fault>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = match Arc::clone(&self.running).try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) => {
                if self.queued.fetch_add(1, Ordering::AcqRel) >= self.max_queued {
                    self.queued.fetch_sub(1, Ordering::AcqRel);
                    return Err(self.busy());
                }
                None
            }
        };
        let pool = Arc::clone(self);
        Ok(async move {
            let permit = match permit {
                Some(permit) => permit,
                None => {
                    let waited = Arc::clone(&pool.running).acquire_owned().await;
                    pool.queued.fetch_sub(1, Ordering::AcqRel);
                    waited.map_err(|_| pool.busy())?
                }
            };
            let handle = tokio::task::spawn_blocking(move || {
                let out = job();
                drop(permit);
                out
            });
            match handle.await {
                Ok(out) => Ok(out),
                Err(e) if e.is_panic() => Err(panic_fault(e.into_panic())),
                Err(e) => Err(Fault::new(
                    Fault::INTERNAL_ERROR,
                    format!("internal error: {e}"),
                )),
            }
        })
    }

    /// Runs a method's blocking work, as a reply.
    pub(crate) fn run(
        self: &Arc<Self>,
        job: impl FnOnce() -> Reply + Send + 'static,
    ) -> Result<ReplyFuture, Fault> {
        let future = self.spawn(move || super::handler::guard(job))?;
        Ok(Box::pin(async move { future.await? }))
    }

    fn busy(&self) -> Fault {
        Fault::new(
            Fault::OVER_LIMIT,
            format!(
                "server busy: {} blocking calls are running and {} waiting, the most it takes; retry later",
                self.max_running, self.max_queued
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_and_queue_refuse_at_once() {
        let pool = BlockingPool::new(1, 1);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let first = pool
            .spawn(move || {
                let _ = wait.recv_timeout(Duration::from_secs(10));
                1
            })
            .unwrap();
        let first = tokio::spawn(first);
        // Let the first call take the only slot.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = pool.spawn(|| 2).unwrap();
        let third = pool.spawn(|| 3);
        let fault = third.err().unwrap();
        assert_eq!(fault.code, Fault::OVER_LIMIT);
        assert!(fault.string.contains("server busy"), "{fault}");
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert_eq!(second.await.unwrap(), 2);
        // Freed: calls are taken again.
        assert_eq!(pool.spawn(|| 4).unwrap().await.unwrap(), 4);
    }

    #[tokio::test]
    async fn a_panic_becomes_a_fault() {
        let pool = BlockingPool::new(2, 0);
        let reply = pool.run(|| panic!("boom")).unwrap().await;
        assert!(reply.unwrap_err().string.contains("boom"));
    }
}
