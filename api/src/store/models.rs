//! Rows as stored, and their conversion into the API's types.

use plog_shared::api::{AdminPurchase, PaywallMode, PaywallStatus, Price, PurchaseStatus};
use plog_shared::{Currency, Money};

/// A paywall row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Paywall {
    /// Paywall id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Free teaser.
    pub teaser: Option<String>,
    /// Price, minor units.
    pub price_amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// Markdown as written.
    pub content_markdown: String,
    /// Sanitized HTML served to buyers.
    pub content_html: String,
    /// `active` or `archived`.
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Canonical origins of the blogs it sells on, space-separated; `""`: any site.
    pub origins: String,
    /// `fixed`, `pay_what_you_want` or `tip`; with the latter two `price_amount` is the minimum.
    pub mode: String,
    /// Suggested amount (pay what you want), minor units.
    pub suggested_amount: Option<i64>,
    /// The most a reader may pay, minor units (`None`: Stripe's maximum).
    pub max_amount: Option<i64>,
    /// One-tap tip amounts, minor units, space-separated.
    pub preset_amounts: String,
    /// Whether readers see the tip count.
    pub show_count: bool,
}

impl Paywall {
    /// The price as validated money. Stored prices were validated on the way in.
    pub fn money(&self) -> anyhow::Result<Money> {
        Ok(Money::new(self.price_amount, Currency::parse(&self.currency)?)?)
    }

    /// The price in the API's shape.
    pub fn price(&self) -> Price {
        Price { amount: self.price_amount, currency: self.currency.clone() }
    }

    /// How it is paid (unknown text reads as fixed: the schema's check forbids it).
    pub fn mode(&self) -> PaywallMode {
        PaywallMode::parse(&self.mode).unwrap_or_default()
    }

    /// The most a reader may pay where the reader chooses.
    pub fn maximum(&self) -> i64 {
        self.max_amount.unwrap_or(plog_shared::money::MAX_AMOUNT)
    }

    /// The tip presets as numbers.
    pub fn presets(&self) -> Vec<i64> {
        self.preset_amounts.split_whitespace().filter_map(|a| a.parse().ok()).collect()
    }

    /// Active or archived.
    pub fn status(&self) -> PaywallStatus {
        if self.status == "archived" { PaywallStatus::Archived } else { PaywallStatus::Active }
    }
}

/// A purchase row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Purchase {
    /// Purchase id.
    pub id: String,
    /// Paywall bought.
    pub paywall_id: String,
    /// Stripe PaymentIntent id.
    pub payment_intent_id: String,
    /// SHA-256 of the access token, hex.
    pub token_hash: String,
    /// pending, paid, failed, canceled, refunded or disputed (see `lifecycle`).
    pub status: String,
    /// Minor units charged.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// Stripe's last payment error message.
    pub last_error: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Unix seconds.
    pub paid_at: Option<i64>,
    /// The paywall's mode at purchase time.
    pub mode: String,
    /// Refunded so far, minor units.
    pub refunded_amount: i64,
    /// The last dispute's status as Stripe names it, if there was one.
    pub dispute_status: Option<String>,
}

impl Purchase {
    /// The status as an enum (unknown text reads as pending: the schema's check forbids it,
    /// and the store refuses to move a row it cannot read).
    pub fn status(&self) -> PurchaseStatus {
        PurchaseStatus::parse(&self.status).unwrap_or(PurchaseStatus::Pending)
    }

    /// The creator's view of this purchase.
    pub fn to_admin(&self) -> AdminPurchase {
        AdminPurchase {
            id: self.id.clone(),
            paywall_id: self.paywall_id.clone(),
            payment_intent_id: self.payment_intent_id.clone(),
            status: self.status(),
            price: Price { amount: self.amount, currency: self.currency.clone() },
            last_error: self.last_error.clone(),
            created_at: self.created_at,
            paid_at: self.paid_at,
            mode: PaywallMode::parse(&self.mode).unwrap_or_default(),
            refunded_amount: self.refunded_amount,
            dispute_status: self.dispute_status.clone(),
        }
    }
}
