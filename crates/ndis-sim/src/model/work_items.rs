//! NDIS I/O work items: NdisAllocateIoWorkItem / NdisQueueIoWorkItem / NdisFreeIoWorkItem.
//!
//! Queued items run FIFO at PASSIVE_LEVEL at deterministic points chosen by [`super::Sim`].
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisqueueioworkitem>.

use std::collections::{BTreeMap, VecDeque};

use super::config::DISPATCH_LEVEL;
use super::handles::HandleKind;
use super::{Model, rules};

/// One allocated work item.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkItem {
    /// The driver or adapter handle it was allocated with.
    pub owner: u64,
    /// (routine, context) while queued.
    pub queued: Option<(u64, u64)>,
}

/// A work item ready to run: (item handle, routine, context).
pub type ReadyItem = (u64, u64, u64);

/// Allocated work items and the run queue.
#[derive(Debug, Default)]
pub struct WorkItems {
    /// Live items by handle.
    pub live: BTreeMap<u64, WorkItem>,
    /// Item handles in queue order.
    pub queue: VecDeque<u64>,
    /// Work items run so far.
    pub runs: u64,
}

impl Model {
    /// `NdisAllocateIoWorkItem` (<= DISPATCH): a new item handle, or 0.
    pub fn allocate_work_item(&mut self, owner: u64) -> u64 {
        const API: &str = "NdisAllocateIoWorkItem";
        if !self.check_owner_handle(owner, API) {
            return 0;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::WORK_ITEM_MISUSE, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        let handle = self.handles.issue(HandleKind::WorkItem);
        self.work.live.insert(handle, WorkItem { owner, queued: None });
        handle
    }

    fn check_work_item(&mut self, item: u64, api: &str) -> bool {
        if self.work.live.contains_key(&item) {
            return true;
        }
        let what = self.handles.describe(item);
        self.violate(rules::HANDLE_INVALID, format!("{api}: {what} is not a live work item"));
        false
    }

    /// `NdisQueueIoWorkItem` (<= DISPATCH).
    pub fn queue_work_item(&mut self, item: u64, routine: u64, context: u64) {
        const API: &str = "NdisQueueIoWorkItem";
        if !self.check_work_item(item, API) {
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::WORK_ITEM_MISUSE, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        if routine == 0 {
            self.violate(rules::WORK_ITEM_MISUSE, format!("{API}: routine is NULL"));
            return;
        }
        let Some(w) = self.work.live.get_mut(&item) else {
            return;
        };
        if w.queued.is_some() {
            self.violate(rules::WORK_ITEM_MISUSE, format!("{API}: work item {item:#x} is already queued"));
            return;
        }
        w.queued = Some((routine, context));
        self.work.queue.push_back(item);
    }

    /// `NdisFreeIoWorkItem` (<= DISPATCH).
    pub fn free_work_item(&mut self, item: u64) {
        const API: &str = "NdisFreeIoWorkItem";
        if !self.check_work_item(item, API) {
            return;
        }
        if self.work.live.get(&item).is_some_and(|w| w.queued.is_some()) {
            self.violate(rules::WORK_ITEM_MISUSE, format!("{API}: work item {item:#x} freed while still queued"));
            self.work.queue.retain(|&i| i != item);
        }
        self.work.live.remove(&item);
    }

    /// Dequeues the next queued work item (it stays allocated).
    pub fn next_work_item(&mut self) -> Option<ReadyItem> {
        let item = self.work.queue.pop_front()?;
        let w = self.work.live.get_mut(&item)?;
        let (routine, context) = w.queued.take()?;
        self.work.runs += 1;
        Some((item, routine, context))
    }

    /// Whether any work item is queued.
    pub fn has_queued_work(&self) -> bool {
        !self.work.queue.is_empty()
    }

    /// Halt/unload check: items owned by `owner` (or all, if `None`) still allocated or queued.
    pub(super) fn check_work_items(&mut self, owner: Option<u64>, when: &str) {
        let hits: Vec<(u64, WorkItem)> =
            self.work.live.iter().filter(|(_, w)| owner.is_none_or(|o| o == w.owner)).map(|(h, w)| (*h, *w)).collect();
        for (h, w) in hits {
            if w.queued.is_some() {
                self.violate(
                    rules::WORK_ITEM_QUEUED_AT_HALT,
                    format!("work item {h:#x} still queued {when}; it would run after its owner is gone"),
                );
                self.work.queue.retain(|&i| i != h);
            }
            self.violate(rules::WORK_ITEM_LEAK, format!("work item {h:#x} never freed {when}"));
            self.work.live.remove(&h);
        }
    }
}
