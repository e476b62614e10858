//! The table of open HTTP connections: how many each client address holds (a further one
//! over the per-address cap is closed at once), and, when every slot is taken, which
//! connection to shed for a new client — the one waiting longest for its request's
//! headers, else the one idle longest; never one with a request in progress.

use super::conn::{ConnState, Stage};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// Open connections, by id, and counts per address.
#[derive(Debug)]
pub(crate) struct Slots {
    per_address: usize,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    next_id: u64,
    open: HashMap<u64, Arc<ConnState>>,
    per_address: HashMap<IpAddr, usize>,
}

/// A connection's place in the table, given up when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    slots: Arc<Slots>,
    id: u64,
    addr: Option<IpAddr>,
}

impl Slots {
    pub(crate) fn new(per_address: usize) -> Arc<Self> {
        Arc::new(Slots {
            per_address,
            table: Mutex::new(Table::default()),
        })
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Enters a connection from `addr` (`None`: not counted per address, as for a trusted
    /// proxy or a Unix socket); `None` back when its address already holds its share.
    pub(crate) fn enter(
        self: &Arc<Self>,
        addr: Option<IpAddr>,
        state: &Arc<ConnState>,
    ) -> Option<Slot> {
        let mut table = self.table();
        if let Some(addr) = addr {
            let count = table.per_address.entry(addr).or_insert(0);
            if *count >= self.per_address {
                return None;
            }
            *count += 1;
        }
        let id = table.next_id;
        table.next_id += 1;
        table.open.insert(id, Arc::clone(state));
        Some(Slot {
            slots: Arc::clone(self),
            id,
            addr,
        })
    }

    /// Sheds one connection that has no request in progress, the longest waiting for
    /// headers first, else the longest idle (never `newcomer`, for which room is made):
    /// whether there was one.
    pub(crate) fn shed_one(&self, newcomer: &Arc<ConnState>) -> bool {
        let table = self.table();
        let victim = table
            .open
            .values()
            .filter(|state| !state.is_shed() && !Arc::ptr_eq(state, newcomer))
            .filter_map(|state| match state.stage() {
                Stage::Busy => None,
                // Header-stage connections go first, the oldest first; then idle ones.
                Stage::Head(since) => Some(((0u8, since), state)),
                Stage::Idle(since) => Some(((1u8, since), state)),
            })
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, state)| Arc::clone(state));
        drop(table);
        match victim {
            Some(state) => {
                state.shed();
                true
            }
            None => false,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut table = self.slots.table();
        table.open.remove(&self.id);
        if let Some(addr) = self.addr {
            if let Some(count) = table.per_address.get_mut(&addr) {
                *count -= 1;
                if *count == 0 {
                    table.per_address.remove(&addr);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn conn() -> Arc<ConnState> {
        ConnState::new(Duration::from_secs(10), Duration::from_secs(60))
    }

    #[tokio::test]
    async fn an_address_gets_its_share_and_a_closed_connection_frees_it() {
        let slots = Slots::new(2);
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        let a = slots.enter(here, &conn()).unwrap();
        let _b = slots.enter(here, &conn()).unwrap();
        assert!(slots.enter(here, &conn()).is_none());
        // Another address, and uncounted connections, still get in.
        let _c = slots
            .enter(Some(IpAddr::from([127, 0, 0, 2])), &conn())
            .unwrap();
        let _d = slots.enter(None, &conn()).unwrap();
        drop(a);
        assert!(slots.enter(here, &conn()).is_some());
    }

    #[tokio::test]
    async fn the_oldest_header_stage_connection_is_shed_and_a_busy_one_never() {
        let slots = Slots::new(10);
        let busy = conn();
        let _in_flight = busy.request_started();
        let _busy = slots.enter(None, &busy).unwrap();
        let newcomer = conn();
        let _newcomer = slots.enter(None, &newcomer).unwrap();
        assert!(
            !slots.shed_one(&newcomer),
            "a busy connection or the newcomer was shed"
        );
        let old = conn();
        tokio::time::sleep(Duration::from_millis(2)).await;
        let new = conn();
        let _old = slots.enter(None, &old).unwrap();
        let _new = slots.enter(None, &new).unwrap();
        assert!(slots.shed_one(&newcomer));
        assert_eq!(
            (old.is_shed(), new.is_shed(), busy.is_shed()),
            (true, false, false)
        );
    }
}
