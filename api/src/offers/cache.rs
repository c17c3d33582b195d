//! What readers are offered, believed for a few seconds: the paywall's public face reads the
//! passes on sale and whether any discount code is active for every page view of a locked
//! paywall, and both change rarely. A change made through this process forgets at once; one
//! made by another replica or the CLI is seen within [`OFFERS_TTL`]. Only what readers are
//! *offered* is cached: what a purchase costs and what a token opens are always read afresh.

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use plog_shared::api::PaywallStatus;

use crate::store::{CreatorId, Pass, Store};

/// How long the offers are believed without reading them again.
pub const OFFERS_TTL: Duration = Duration::from_secs(5);

/// The passes on sale and the creators with an active code, each with when it was read; shared
/// by the server's clones of it.
#[derive(Debug, Default, Clone)]
pub struct OffersCache(Arc<Slots>);

#[derive(Debug, Default)]
struct Slots {
    passes: RwLock<Option<(Arc<Vec<Pass>>, Instant)>>,
    codes: RwLock<Option<(Arc<HashSet<CreatorId>>, Instant)>>,
}

fn fresh<T: Clone>(slot: &RwLock<Option<(T, Instant)>>) -> Option<T> {
    let held = slot.read().unwrap_or_else(PoisonError::into_inner);
    held.as_ref().filter(|(_, read)| read.elapsed() < OFFERS_TTL).map(|(value, _)| value.clone())
}

fn keep<T>(slot: &RwLock<Option<(T, Instant)>>, value: Option<T>) {
    *slot.write().unwrap_or_else(PoisonError::into_inner) = value.map(|v| (v, Instant::now()));
}

impl OffersCache {
    /// The passes on sale (active): what paywalls offer readers.
    pub async fn passes_on_sale(&self, store: &Store) -> anyhow::Result<Arc<Vec<Pass>>> {
        if let Some(passes) = fresh(&self.0.passes) {
            return Ok(passes);
        }
        let passes: Vec<Pass> =
            store.passes().await?.into_iter().filter(|p| p.status == PaywallStatus::Active).collect();
        let passes = Arc::new(passes);
        keep(&self.0.passes, Some(passes.clone()));
        Ok(passes)
    }

    /// Whether a creator has an active code (the widget offers "Have a code?" on their paywalls
    /// only then).
    pub async fn any_code_active(&self, store: &Store, creator: CreatorId) -> anyhow::Result<bool> {
        if let Some(active) = fresh(&self.0.codes) {
            return Ok(active.contains(&creator));
        }
        let active = Arc::new(store.creators_with_active_discounts().await?);
        keep(&self.0.codes, Some(active.clone()));
        Ok(active.contains(&creator))
    }

    /// Forgets the passes (one was saved).
    pub fn forget_passes(&self) {
        keep(&self.0.passes, None);
    }

    /// Forgets the codes' flag (one was created, disabled, used or given back).
    pub fn forget_codes(&self) {
        keep(&self.0.codes, None);
    }
}
