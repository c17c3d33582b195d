//! The JSON bodies of plog's HTTP API (`/v1`), as the server writes them and the widget and
//! admin clients read them. The contract is described in the README's "API" section.

use serde::{Deserialize, Serialize};

/// A price as it travels in JSON: integer minor units and a lowercase ISO currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Count of the currency's minor unit (JPY 100 = ¥100; USD 100 = $1.00).
    pub amount: i64,
    /// Lowercase ISO 4217 code, e.g. `"jpy"`.
    pub currency: String,
}

/// Whether a paywall still sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaywallStatus {
    /// On sale.
    Active,
    /// No new purchases; earlier buyers keep access.
    Archived,
}

/// What the browser needs to load Stripe.js for a paywall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripePublicInfo {
    /// Stripe publishable key (`pk_…`).
    pub publishable_key: String,
    /// Where to load Stripe.js from.
    pub js_url: String,
}

/// `GET /v1/paywalls/{id}`: the public face of a paywall. Never holds paid content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaywallInfo {
    /// Paywall id.
    pub id: String,
    /// Title shown on the paywall.
    pub title: String,
    /// Optional free teaser shown before the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teaser: Option<String>,
    /// The price, decided by the server.
    pub price: Price,
    /// `active` or `archived` (archived paywalls sell no more but still serve their buyers).
    pub status: PaywallStatus,
    /// Stripe.js settings for the card form.
    pub stripe: StripePublicInfo,
    /// True when payments go to a Stripe emulator: the widget shows a "no real money" badge.
    #[serde(default)]
    pub sandbox: bool,
}

/// `POST /v1/paywalls/{id}/purchases` → 201: what the widget needs to pay and, later, to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseCreated {
    /// Purchase id.
    pub purchase_id: String,
    /// PaymentIntent client secret for `stripe.confirmCardPayment`.
    pub client_secret: String,
    /// Bearer token that unlocks the content once paid. Shown once; only its hash is stored.
    pub access_token: String,
}

/// `GET /v1/paywalls/{id}/content` → 200: the paid part, as sanitized HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidContent {
    /// Sanitized HTML rendered from the creator's Markdown.
    pub html: String,
}

/// The one error shape of every route: `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A machine-readable code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, snake_case code, e.g. `payment_required`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

/// `POST /v1/admin/paywalls`: a new paywall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPaywall {
    /// Title shown on the paywall.
    pub title: String,
    /// Optional free teaser.
    #[serde(default)]
    pub teaser: Option<String>,
    /// Price in minor units and currency.
    pub price: Price,
    /// The paid part, in Markdown. Stored as sanitized HTML.
    pub content_markdown: String,
    /// Origins of the blogs this paywall sells on (`https://blog.example`); empty: any site.
    #[serde(default)]
    pub origins: Vec<String>,
}

/// `PATCH /v1/admin/paywalls/{id}`: fields to change; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaywallPatch {
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New teaser; `""` removes it.
    #[serde(default)]
    pub teaser: Option<String>,
    /// New price (applies to purchases started from now on).
    #[serde(default)]
    pub price: Option<Price>,
    /// New paid content in Markdown.
    #[serde(default)]
    pub content_markdown: Option<String>,
    /// New list of the blogs' origins; `[]` lets any site sell it again.
    #[serde(default)]
    pub origins: Option<Vec<String>>,
}

/// A paywall as the creator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPaywall {
    /// Paywall id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Teaser, if any.
    #[serde(default)]
    pub teaser: Option<String>,
    /// Price.
    pub price: Price,
    /// `active` or `archived`.
    pub status: PaywallStatus,
    /// The Markdown as written.
    pub content_markdown: String,
    /// The sanitized HTML buyers receive.
    pub content_html: String,
    /// The one tag to paste where the paid part begins.
    pub tag: String,
    /// Origins of the blogs it sells on; empty: any site.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Last change, Unix seconds.
    pub updated_at: i64,
}

/// State of a purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PurchaseStatus {
    /// Created; the payment has not succeeded (yet).
    Pending,
    /// Paid: the token unlocks the content.
    Paid,
    /// The last attempt failed; the reader may retry on the same PaymentIntent.
    Failed,
    /// Refunded in full: the token no longer unlocks.
    Refunded,
}

impl PurchaseStatus {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseStatus::Pending => "pending",
            PurchaseStatus::Paid => "paid",
            PurchaseStatus::Failed => "failed",
            PurchaseStatus::Refunded => "refunded",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => PurchaseStatus::Pending,
            "paid" => PurchaseStatus::Paid,
            "failed" => PurchaseStatus::Failed,
            "refunded" => PurchaseStatus::Refunded,
            _ => return None,
        })
    }
}

/// A purchase as the creator sees it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPurchase {
    /// Purchase id.
    pub id: String,
    /// The paywall bought.
    pub paywall_id: String,
    /// Stripe PaymentIntent id.
    pub payment_intent_id: String,
    /// State.
    pub status: PurchaseStatus,
    /// Amount and currency charged.
    pub price: Price,
    /// Last payment error Stripe reported, if any.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// When it was paid, Unix seconds.
    #[serde(default)]
    pub paid_at: Option<i64>,
}

/// Sales figures of one currency (amounts in different currencies are never summed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyStats {
    /// Lowercase ISO code.
    pub currency: String,
    /// Paid purchases.
    pub paid_count: i64,
    /// Sum of paid purchases, minor units.
    pub revenue: i64,
    /// Refunded purchases.
    pub refunded_count: i64,
}

/// `GET /v1/admin/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of paywalls (any status).
    pub paywalls: i64,
    /// Purchases started (any status).
    pub purchases_started: i64,
    /// Figures per currency.
    pub by_currency: Vec<CurrencyStats>,
}
