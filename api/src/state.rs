//! The state every handler shares: configuration, store, Stripe client and the rate limits.
//! It is built from modules below the web layer only (`http/`, `dashboard/` and `sandbox/` use
//! it; it uses none of them).

use std::sync::Arc;

use crate::config::ServeConfig;
use crate::limits::{AddressLimits, AdminTokenLimiter, PurchaseLimits, RestoreLimits};
use crate::mailer::Mailer;
use crate::store::{CreatorId, Store};
use crate::stripe::StripeApi;
use crate::widget_build::WidgetAssets;

/// What handlers get as axum state (cheap to clone).
pub type AppState = Arc<AppContext>;

/// Configuration, storage and Stripe, built once at start-up.
#[derive(Debug)]
pub struct AppContext {
    /// Settings.
    pub config: ServeConfig,
    /// The origin written into tags.
    pub public_url: String,
    /// The public URL as browsers send it in `Origin` (its dashboard's requests carry it).
    pub own_origin: Option<String>,
    /// Where the widget loads Stripe.js from.
    pub stripe_js_url: String,
    /// The database.
    pub store: Store,
    /// Stripe.
    pub stripe: StripeApi,
    /// Rate limits on starting purchases.
    pub purchase_limits: PurchaseLimits,
    /// The failure limiter of every admin-token check (API, `/metrics`, sign-in), per client address.
    pub admin_tokens: AdminTokenLimiter,
    /// The changes each creator may make (the admin API and the dashboard).
    pub creator_limits: crate::limits::CreatorLimits,
    /// The built widget's loader, if the widget folder holds a build.
    pub widget: Option<WidgetAssets>,
    /// The SMTP sender of receipts and restore codes, if configured.
    pub mailer: Option<Mailer>,
    /// Rate limits on restore requests.
    pub restore_limits: RestoreLimits,
    /// The rate limit on the views beacon.
    pub address_limits: AddressLimits,
    /// The keys of the hashes of readers' addresses, restore codes and client addresses.
    pub hash_keys: crate::config::HashKeys,
    /// What time it is (the system's; tests move theirs).
    pub clock: crate::clock::Clock,
    /// What `/metrics` reports (one registry per server).
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Counts purchases' moves and wakes the mail sender (on `metrics` and `mail_queued`).
    pub tally: crate::payments::tally::Tally,
    /// The mail sender's bell.
    pub mail_queued: crate::receipts::sender::MailQueued,
    /// The passes on sale and whether a code is active, believed for a few seconds.
    pub offers: crate::offers::cache::OffersCache,
    /// Paywalls' origin lists, believed for a few seconds (the origin guard's).
    pub origins: crate::catalog::OriginsCache,
}

/// Whose admin token a request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    /// The creator (the owner, for `PLOG_ADMIN_TOKEN`).
    pub creator: CreatorId,
    /// The creator's API token it was (`None`: `PLOG_ADMIN_TOKEN`): revoking it ends the
    /// dashboard sessions it opened.
    pub token: Option<plog_shared::TokenId>,
}

impl AppContext {
    /// The key new hashes of readers' addresses are made with (`PLOG_HASH_KEY`, or the webhook
    /// signing secret where it is unset).
    pub fn email_key(&self) -> &secrecy::SecretString {
        &self.hash_keys.current
    }
}

impl AppContext {
    /// After a paywall's sites changed: registers for wallets, in the background, the listed
    /// sites Stripe does not know yet. The save never waits for Stripe (a Stripe that is down
    /// costs it nothing); a failure is kept and shown, and tried again by the next sweep.
    pub fn register_wallet_domains(&self) {
        let (store, stripe, now) = (self.store.clone(), self.stripe.clone(), self.clock.now());
        let platform = self.config.platform.clone();
        tokio::spawn(async move {
            if let Err(error) = crate::wallets::register_listed(&store, &stripe, &platform, now).await {
                tracing::warn!(error = %format!("{error:#}"), "could not register the sites for wallets");
            }
        });
    }

    /// Who an admin token belongs to: the owner, for `PLOG_ADMIN_TOKEN` (compared in constant
    /// time), or the creator whose unrevoked API token it is (found by its hash); `None` for
    /// neither, and always while no admin token is configured. The caller counts failures.
    pub async fn holder_of_admin_token(&self, given: &str) -> anyhow::Result<Option<TokenHolder>> {
        use secrecy::ExposeSecret;
        let Some(admin_token) = &self.config.admin_token else { return Ok(None) };
        if crate::tokens::constant_time_eq(given, admin_token.expose_secret()) {
            return Ok(Some(TokenHolder { creator: CreatorId::OWNER, token: None }));
        }
        if !crate::tokens::looks_like_creator_token(given) {
            return Ok(None);
        }
        let found = self.store.creator_of_token(&crate::tokens::token_hash(given)).await?;
        Ok(found.map(|(creator, token)| TokenHolder { creator, token: Some(token) }))
    }

    /// Whether a request's `Origin` is plog's own (its dashboard), by the public URL.
    pub fn is_own_origin(&self, origin: &str) -> bool {
        self.own_origin.as_deref() == Some(origin)
    }
}
