//! The JSON bodies of plog's HTTP API (`/v1`), as the server writes them and the widget and
//! admin clients read them. The contract is described in the README's "API" section.

use serde::{Deserialize, Serialize};

/// A price as it travels in JSON: integer minor units and a lowercase ISO currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Price {
    /// Count of the currency's minor unit (JPY 100 = ¥100; USD 100 = $1.00).
    pub amount: i64,
    /// Lowercase ISO 4217 code, e.g. `"jpy"`.
    pub currency: String,
}

impl From<crate::Money> for Price {
    fn from(money: crate::Money) -> Price {
        Price { amount: money.amount(), currency: money.currency().code().to_owned() }
    }
}

/// Whether a paywall still sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PaywallStatus {
    /// On sale.
    Active,
    /// No new purchases; earlier buyers keep access.
    Archived,
}

impl PaywallStatus {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PaywallStatus::Active => "active",
            PaywallStatus::Archived => "archived",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(PaywallStatus::Active),
            "archived" => Some(PaywallStatus::Archived),
            _ => None,
        }
    }
}

/// A name that is none of an enum's (a stored row the schema should have refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What was expected, e.g. "purchase status".
    pub kind: &'static str,
    /// The name found.
    pub name: String,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.kind, self.name)
    }
}

impl std::error::Error for UnknownName {}

/// `TryFrom<String>` by the type's `parse`, so rows decode straight into the enums.
macro_rules! try_from_name {
    ($type:ty, $kind:literal) => {
        impl TryFrom<String> for $type {
            type Error = UnknownName;
            fn try_from(name: String) -> Result<Self, UnknownName> {
                <$type>::parse(&name).ok_or(UnknownName { kind: $kind, name })
            }
        }
    };
}

try_from_name!(PaywallStatus, "paywall status");
try_from_name!(PaywallMode, "paywall mode");
try_from_name!(PurchaseStatus, "purchase status");
try_from_name!(DiscountStatus, "discount status");

/// A dispute's status as Stripe gives it (`Dispute.Status` in Stripe's own definitions, a test
/// holds the list to them): every value of the pinned API version, and a later one kept as it
/// came (Stripe's type is open), so an event is never refused for a status it adds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum DisputeStatus {
    /// An inquiry the creator may answer.
    WarningNeedsResponse,
    /// An inquiry under the bank's review.
    WarningUnderReview,
    /// An inquiry that closed without becoming a chargeback.
    WarningClosed,
    /// A chargeback the creator may answer.
    NeedsResponse,
    /// A chargeback under the bank's review.
    UnderReview,
    /// A lost chargeback the creator may appeal.
    AppealNeedsResponse,
    /// An appeal under review.
    AppealUnderReview,
    /// The creator won: the money stays.
    Won,
    /// The creator lost: the money went back.
    Lost,
    /// Prevented before it became a chargeback.
    Prevented,
    /// A status of a later API version, as it came.
    Other(String),
}

impl DisputeStatus {
    /// Every status of the pinned API version.
    pub const KNOWN: [DisputeStatus; 10] = [
        DisputeStatus::WarningNeedsResponse,
        DisputeStatus::WarningUnderReview,
        DisputeStatus::WarningClosed,
        DisputeStatus::NeedsResponse,
        DisputeStatus::UnderReview,
        DisputeStatus::AppealNeedsResponse,
        DisputeStatus::AppealUnderReview,
        DisputeStatus::Won,
        DisputeStatus::Lost,
        DisputeStatus::Prevented,
    ];

    /// Stripe's name.
    pub fn as_str(&self) -> &str {
        match self {
            DisputeStatus::WarningNeedsResponse => "warning_needs_response",
            DisputeStatus::WarningUnderReview => "warning_under_review",
            DisputeStatus::WarningClosed => "warning_closed",
            DisputeStatus::NeedsResponse => "needs_response",
            DisputeStatus::UnderReview => "under_review",
            DisputeStatus::AppealNeedsResponse => "appeal_needs_response",
            DisputeStatus::AppealUnderReview => "appeal_under_review",
            DisputeStatus::Won => "won",
            DisputeStatus::Lost => "lost",
            DisputeStatus::Prevented => "prevented",
            DisputeStatus::Other(name) => name,
        }
    }

    /// The status of Stripe's name.
    pub fn parse(name: &str) -> DisputeStatus {
        DisputeStatus::KNOWN
            .into_iter()
            .find(|s| s.as_str() == name)
            .unwrap_or_else(|| DisputeStatus::Other(name.to_owned()))
    }

    /// The dispute is over (a `charge.dispute.closed`, or a later `funds_*` event of a closed
    /// one): won, lost, an inquiry closed, or prevented.
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            DisputeStatus::Won | DisputeStatus::Lost | DisputeStatus::WarningClosed | DisputeStatus::Prevented
        )
    }

    /// Over, and the creator keeps the money (won, or an inquiry that never became a chargeback).
    pub fn is_won(&self) -> bool {
        matches!(self, DisputeStatus::Won | DisputeStatus::WarningClosed | DisputeStatus::Prevented)
    }
}

impl From<String> for DisputeStatus {
    fn from(name: String) -> Self {
        DisputeStatus::parse(&name)
    }
}

impl From<&str> for DisputeStatus {
    fn from(name: &str) -> Self {
        DisputeStatus::parse(name)
    }
}

impl From<DisputeStatus> for String {
    fn from(status: DisputeStatus) -> Self {
        status.as_str().to_owned()
    }
}

/// Whether a discount code still lowers prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DiscountStatus {
    /// Readers may use it (within its dates and uses).
    Active,
    /// The creator ended it.
    Disabled,
}

impl DiscountStatus {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DiscountStatus::Active => "active",
            DiscountStatus::Disabled => "disabled",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(DiscountStatus::Active),
            "disabled" => Some(DiscountStatus::Disabled),
            _ => None,
        }
    }
}

/// How a paywall is paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaywallMode {
    /// One price, set by the creator (`price.amount`).
    #[default]
    Fixed,
    /// The reader chooses: at least `price.amount` (the minimum), at most `maximum`; paying
    /// at least the minimum unlocks.
    PayWhatYouWant,
    /// A tip jar (投げ銭): preset amounts or the reader's own, at least `price.amount`; the
    /// "content" is the creator's thank-you message.
    Tip,
}

impl PaywallMode {
    /// The name stored and sent (`fixed`, `pay_what_you_want`, `tip`).
    pub fn as_str(self) -> &'static str {
        match self {
            PaywallMode::Fixed => "fixed",
            PaywallMode::PayWhatYouWant => "pay_what_you_want",
            PaywallMode::Tip => "tip",
        }
    }

    /// The mode of a stored name.
    pub fn parse(text: &str) -> Option<PaywallMode> {
        match text {
            "fixed" => Some(PaywallMode::Fixed),
            "pay_what_you_want" => Some(PaywallMode::PayWhatYouWant),
            "tip" => Some(PaywallMode::Tip),
            _ => None,
        }
    }

    /// True when the reader chooses the amount.
    pub fn reader_chooses(self) -> bool {
        self != PaywallMode::Fixed
    }
}

/// What the browser needs to load Stripe.js for a paywall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StripePublicInfo {
    /// Stripe publishable key (`pk_…`).
    pub publishable_key: String,
    /// Where to load Stripe.js from.
    pub js_url: String,
    /// The creator's connected account (`acct_…`) the payment is made on, on a plog for many
    /// creators: Stripe.js is loaded with it (`Stripe(pk, {stripeAccount})`). Absent: the
    /// plog's own account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// `GET /v1/paywalls/{id}`: the public face of a paywall. Never holds paid content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// How it is paid; with `pay_what_you_want` and `tip`, `price.amount` is the minimum.
    #[serde(default)]
    pub mode: PaywallMode,
    /// The amount the creator suggests (pay what you want), minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested: Option<i64>,
    /// The most a reader may pay (modes where the reader chooses), minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
    /// Amounts offered as one-tap choices (tips), minor units.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<i64>,
    /// Paid tips so far, when the creator shows the count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_count: Option<i64>,
    /// Whether this server mails receipts and restores access by mail (SMTP configured): the
    /// widget offers the receipt field and "Restore access" only then.
    #[serde(default)]
    pub receipts: bool,
    /// Passes on sale that open this paywall (and others) — offered beside the article's price.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passes: Vec<PassOffer>,
    /// Whether discount codes exist that may apply here: the widget offers "Have a code?" then.
    #[serde(default)]
    pub codes: bool,
}

/// A pass as a paywall offers it to readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PassOffer {
    /// Pass id, `pass_…`.
    pub id: String,
    /// Its title ("All articles").
    pub title: String,
    /// Its price.
    pub price: Price,
    /// How many days it lasts from payment; `None`: for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

/// `POST /v1/paywalls/{id}/purchases` → 201: what the widget needs to pay and, later, to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseCreated {
    /// Purchase id.
    pub purchase_id: String,
    /// PaymentIntent client secret for `stripe.confirmCardPayment` (or `confirmPayment`).
    pub client_secret: String,
    /// Bearer token that unlocks the content once paid. Shown once; only its hash is stored.
    pub access_token: String,
    /// What the PaymentIntent charges, as the server priced it: a wallet's sheet must have shown
    /// the reader this amount, or the widget confirms nothing.
    pub price: Price,
}

/// `GET /v1/paywalls/{id}/content` → 200: the paid part, as sanitized HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaidContent {
    /// Sanitized HTML rendered from the creator's Markdown.
    pub html: String,
}

/// The one error shape of every route: `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A machine-readable code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, snake_case code, e.g. `payment_required`.
    pub code: crate::ErrorCode,
    /// A sentence for people.
    pub message: String,
}

/// `POST /v1/admin/paywalls`: a new paywall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPaywall {
    /// Title shown on the paywall.
    pub title: String,
    /// Optional free teaser.
    #[serde(default)]
    pub teaser: Option<String>,
    /// Price in minor units and currency.
    pub price: Price,
    /// The paid part, in Markdown. Stored as sanitized HTML. A tip jar may leave it out.
    #[serde(default)]
    pub content_markdown: String,
    /// Origins of the blogs this paywall sells on (`https://blog.example`); empty: any site.
    #[serde(default)]
    pub origins: Vec<String>,
    /// How it is paid (default `fixed`); with the other modes `price.amount` is the minimum
    /// and `content_markdown` is what the reader gets after paying (for a tip: a thank-you,
    /// which may be left empty: the reader then gets a default thank-you in their language).
    #[serde(default)]
    pub mode: PaywallMode,
    /// Suggested amount (pay what you want), minor units.
    #[serde(default)]
    pub suggested_amount: Option<i64>,
    /// The most a reader may pay (modes where the reader chooses), minor units; default: Stripe's maximum.
    #[serde(default)]
    pub max_amount: Option<i64>,
    /// One-tap tip amounts, minor units (default: ¥100/¥500/¥1,000, $1/$3/$5 and alike).
    #[serde(default)]
    pub preset_amounts: Vec<i64>,
    /// Show readers how many tips were paid.
    #[serde(default)]
    pub show_count: bool,
    /// The free part, in Markdown, shown above the paywall on the article page (`/r/{id}`).
    #[serde(default)]
    pub free_markdown: String,
    /// An image for link previews of the article page (`og:image`), `https://…`.
    #[serde(default)]
    pub image_url: Option<String>,
    /// The original post, if the article lives elsewhere too (`rel=canonical` of the page).
    #[serde(default)]
    pub canonical_url: Option<String>,
}

/// `PATCH /v1/admin/paywalls/{id}`: fields to change; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// New mode.
    #[serde(default)]
    pub mode: Option<PaywallMode>,
    /// New suggested amount.
    #[serde(default)]
    pub suggested_amount: Option<i64>,
    /// New maximum.
    #[serde(default)]
    pub max_amount: Option<i64>,
    /// New tip presets.
    #[serde(default)]
    pub preset_amounts: Option<Vec<i64>>,
    /// Show the tip count or not.
    #[serde(default)]
    pub show_count: Option<bool>,
    /// New free part of the article page; `""` removes it.
    #[serde(default)]
    pub free_markdown: Option<String>,
    /// New preview image; `""` removes it.
    #[serde(default)]
    pub image_url: Option<String>,
    /// New original post; `""` removes it.
    #[serde(default)]
    pub canonical_url: Option<String>,
}

/// A paywall as the creator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// How it is paid.
    #[serde(default)]
    pub mode: PaywallMode,
    /// Suggested amount (pay what you want).
    #[serde(default)]
    pub suggested_amount: Option<i64>,
    /// The most a reader may pay (modes where the reader chooses).
    #[serde(default)]
    pub max_amount: Option<i64>,
    /// One-tap tip amounts.
    #[serde(default)]
    pub preset_amounts: Vec<i64>,
    /// Whether readers see the tip count.
    #[serde(default)]
    pub show_count: bool,
    /// The free part of the article page, in Markdown.
    #[serde(default)]
    pub free_markdown: String,
    /// The preview image of the article page.
    #[serde(default)]
    pub image_url: Option<String>,
    /// The original post, if any.
    #[serde(default)]
    pub canonical_url: Option<String>,
    /// The article page, the link to share where no tag can go (`PUBLIC_URL/r/{id}`).
    #[serde(default)]
    pub page_url: String,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Last change, Unix seconds.
    pub updated_at: i64,
}

/// State of a purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The PaymentIntent was canceled before it succeeded: nothing was charged.
    Canceled,
    /// The reader's bank is taking the money back (a dispute, or one lost): the token no longer
    /// unlocks; a dispute won gives access back.
    Disputed,
}

impl PurchaseStatus {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseStatus::Pending => "pending",
            PurchaseStatus::Paid => "paid",
            PurchaseStatus::Failed => "failed",
            PurchaseStatus::Refunded => "refunded",
            PurchaseStatus::Canceled => "canceled",
            PurchaseStatus::Disputed => "disputed",
        }
    }

    /// Every state, in the order the README's diagram and the admin filters list them.
    pub const ALL: [PurchaseStatus; 6] = [
        PurchaseStatus::Pending,
        PurchaseStatus::Paid,
        PurchaseStatus::Failed,
        PurchaseStatus::Canceled,
        PurchaseStatus::Refunded,
        PurchaseStatus::Disputed,
    ];

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => PurchaseStatus::Pending,
            "paid" => PurchaseStatus::Paid,
            "failed" => PurchaseStatus::Failed,
            "refunded" => PurchaseStatus::Refunded,
            "canceled" => PurchaseStatus::Canceled,
            "disputed" => PurchaseStatus::Disputed,
            _ => return None,
        })
    }
}

/// A purchase as the creator sees it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The paywall's mode at purchase time (`tip` for a tip).
    #[serde(default)]
    pub mode: PaywallMode,
    /// Refunded so far, minor units (a partial refund keeps the reader's access).
    #[serde(default)]
    pub refunded_amount: i64,
    /// The last dispute's status as Stripe names it (`needs_response`, `won`, `lost`, …).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub dispute_status: Option<DisputeStatus>,
    /// The receipt by mail, if the reader asked for one (the address itself is never shown).
    #[serde(default)]
    pub receipt: Option<ReceiptStatus>,
}

/// Where a purchase's receipt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReceiptStatus {
    /// Waiting for the payment, or to be sent (also after a failed try).
    Pending,
    /// The mail server took it.
    Sent,
    /// The address was refused for good, or sending gave up.
    Failed,
}

impl ReceiptStatus {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptStatus::Pending => "pending",
            ReceiptStatus::Sent => "sent",
            ReceiptStatus::Failed => "failed",
        }
    }
}

/// `POST /v1/restore` → 202, whatever the address: a code was mailed if it has purchases here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreStarted {
    /// The request the code belongs to (sent back with the code).
    pub restore_id: String,
    /// Seconds the code stays valid.
    pub expires_in: i64,
}

/// One paywall opened by a restore: a fresh access token for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoredToken {
    /// The paywall.
    pub paywall_id: String,
    /// A new access token of the reader's purchase of it.
    pub access_token: String,
    /// Set when the purchase is of a pass: the token opens every paywall the pass covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_id: Option<String>,
}

/// `POST /v1/restore/{id}` with the right code → 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoredAccess {
    /// One token per paywall this site shows that the address paid for.
    pub tokens: Vec<RestoredToken>,
}

/// Restores of access on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreDay {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    /// Codes exchanged for access that day.
    pub restores: i64,
}

/// Sales figures of one currency (amounts in different currencies are never summed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyStats {
    /// Lowercase ISO code.
    pub currency: String,
    /// Paid purchases (fixed and pay-what-you-want paywalls; tips are counted apart).
    pub paid_count: i64,
    /// Sum of paid purchases, minor units.
    pub revenue: i64,
    /// Refunded purchases and tips.
    pub refunded_count: i64,
    /// Disputed purchases and tips (access revoked while the bank takes the money back).
    #[serde(default)]
    pub disputed_count: i64,
    /// Refunded money, minor units, partial refunds included.
    #[serde(default)]
    pub refunded_amount: i64,
    /// Paid tips.
    #[serde(default)]
    pub tip_count: i64,
    /// Sum of paid tips, minor units.
    #[serde(default)]
    pub tip_revenue: i64,
    /// Paid passes (counted apart from single articles).
    #[serde(default)]
    pub pass_count: i64,
    /// Sum of paid passes, minor units.
    #[serde(default)]
    pub pass_revenue: i64,
}

/// `GET /v1/admin/stats`: the creator's figures, for a period (`since`) and a site, if asked.
/// Amounts of different currencies are never summed: every money figure carries its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    /// Number of paywalls (any status) in the report.
    pub paywalls: i64,
    /// Purchases started (any status) in the period.
    pub purchases_started: i64,
    /// Figures per currency.
    pub by_currency: Vec<CurrencyStats>,
    /// Start of the period, Unix seconds (`None`: since the beginning).
    #[serde(default)]
    pub since: Option<i64>,
    /// The site the report is limited to: paywalls that list this origin.
    #[serde(default)]
    pub site: Option<String>,
    /// Every site some paywall lists (to choose a filter from).
    #[serde(default)]
    pub sites: Vec<String>,
    /// The funnel: paywall views → purchases started → paid (sales and tips).
    #[serde(default)]
    pub conversion: Conversion,
    /// Paid money per UTC day and currency, oldest first; days without sales are left out.
    #[serde(default)]
    pub by_day: Vec<DayStats>,
    /// Figures per paywall, best-selling first.
    #[serde(default)]
    pub by_paywall: Vec<PaywallStats>,
    /// Restores of access per UTC day in the period, oldest first (days without any left out).
    #[serde(default)]
    pub restores_by_day: Vec<RestoreDay>,
}

/// Paywall views → purchases started → paid, counted in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversion {
    /// Views counted by the widget's beacon.
    pub views: i64,
    /// Purchases started (the reader asked to pay).
    pub started: i64,
    /// Purchases paid (sales and tips).
    pub paid: i64,
}

/// Money paid on one UTC day in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayStats {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    /// Lowercase ISO code.
    pub currency: String,
    /// Paid purchases (tips apart).
    pub paid_count: i64,
    /// Their sum, minor units.
    pub revenue: i64,
    /// Paid tips.
    pub tip_count: i64,
    /// Their sum, minor units.
    pub tip_revenue: i64,
}

/// The figures of one paywall in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaywallStats {
    /// Paywall id.
    pub paywall_id: String,
    /// Its title.
    pub title: String,
    /// On sale, or archived.
    pub status: PaywallStatus,
    /// Views counted by the widget's beacon.
    pub views: i64,
    /// Purchases started.
    pub started: i64,
    /// Paid, per currency the paywall was sold in (one, unless its price changed currency).
    pub by_currency: Vec<CurrencyStats>,
    /// Gift links of this paywall opened in the period.
    #[serde(default)]
    pub gift_opens: i64,
    /// Purchases of this paywall paid in the period after one of its gift links was first opened.
    #[serde(default)]
    pub paid_after_gifts: i64,
}

/// What a pass opens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PassScope {
    /// Every paywall that sells on `origin` (every paywall of this plog if there is none),
    /// those added later included.
    #[default]
    Site,
    /// The paywalls named in `paywall_ids`.
    Set,
}

impl PassScope {
    /// The name stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            PassScope::Site => "site",
            PassScope::Set => "set",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<PassScope> {
        match text {
            "site" => Some(PassScope::Site),
            "set" => Some(PassScope::Set),
            _ => None,
        }
    }
}

/// `POST /v1/admin/passes`: a new pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPass {
    /// What readers see ("All articles").
    pub title: String,
    /// Its price.
    pub price: Price,
    /// `site` (default) or `set`.
    #[serde(default)]
    pub scope: PassScope,
    /// With `site`: the blog's origin (`https://blog.example`); absent: every paywall of this plog.
    #[serde(default)]
    pub origin: Option<String>,
    /// With `set`: the paywalls it opens.
    #[serde(default)]
    pub paywall_ids: Vec<String>,
    /// Days it lasts from payment; absent: for good.
    #[serde(default)]
    pub days: Option<i64>,
}

/// `PATCH /v1/admin/passes/{id}`: fields to change (for purchases from now on; passes bought
/// keep their length).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PassPatch {
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New price.
    #[serde(default)]
    pub price: Option<Price>,
    /// New site (scope `site`); `""`: every paywall of this plog.
    #[serde(default)]
    pub origin: Option<String>,
    /// The set's paywalls (scope `set`), replacing the list: holders of the pass get the new ones.
    #[serde(default)]
    pub paywall_ids: Option<Vec<String>>,
    /// New length in days; `0`: for good.
    #[serde(default)]
    pub days: Option<i64>,
}

/// A pass as the creator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPass {
    /// `pass_…`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Price.
    pub price: Price,
    /// `site` or `set`.
    pub scope: PassScope,
    /// The site (scope `site`); `None`: every paywall of this plog.
    #[serde(default)]
    pub origin: Option<String>,
    /// The set (scope `set`).
    #[serde(default)]
    pub paywall_ids: Vec<String>,
    /// Days from payment; `None`: for good.
    #[serde(default)]
    pub days: Option<i64>,
    /// `active` or `archived`.
    pub status: PaywallStatus,
    /// Paid purchases of it.
    #[serde(default)]
    pub sold: i64,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /v1/admin/paywalls/{id}/gifts`: a new gift link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewGift {
    /// A note for the creator ("for Aiko, Tokyo Times").
    #[serde(default)]
    pub label: Option<String>,
    /// How many browsers may open it; absent: no limit.
    #[serde(default)]
    pub max_opens: Option<i64>,
    /// Unix seconds after which it opens nothing more; absent: never.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A gift link as the creator sees it (never its code, which only its creation shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminGift {
    /// `gift_…`.
    pub id: String,
    /// The paywall it opens.
    pub paywall_id: String,
    /// The creator's note.
    pub label: String,
    /// Most opens; `None`: no limit.
    #[serde(default)]
    pub max_opens: Option<i64>,
    /// Opens so far.
    pub opens: i64,
    /// Unix seconds; `None`: never expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// When it was revoked (its opens no longer unlock).
    #[serde(default)]
    pub revoked_at: Option<i64>,
    /// Paid purchases of the paywall after the link was first opened.
    #[serde(default)]
    pub paid_after: i64,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /v1/admin/paywalls/{id}/gifts` → 201: the link, shown once (only a hash is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GiftCreated {
    /// The link as stored.
    pub gift: AdminGift,
    /// The code.
    pub code: String,
    /// What to append to the article's address: `#plog-gift=CODE`.
    pub fragment: String,
}

/// `POST /v1/paywalls/{id}/gift` `{"code"}` → 200: the paid part, and a token for next visits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GiftOpened {
    /// Unlocks the paywall like a purchase's token while the link is not revoked.
    pub access_token: String,
    /// The paid part, sanitized HTML.
    pub html: String,
}

/// `POST /v1/admin/discounts`: a new discount code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDiscount {
    /// The code readers type (letters, digits, `-` and `_`; case does not matter).
    pub code: String,
    /// Percent off, 1 to 99 (or `amount_off`).
    #[serde(default)]
    pub percent_off: Option<i64>,
    /// Amount off, in the prices' currency (or `percent_off`).
    #[serde(default)]
    pub amount_off: Option<Price>,
    /// Paywall (`pw_…`) and pass (`pass_…`) ids it applies to; empty: all of them.
    #[serde(default)]
    pub applies_to: Vec<String>,
    /// Unix seconds from which it works.
    #[serde(default)]
    pub starts_at: Option<i64>,
    /// Unix seconds until which it works.
    #[serde(default)]
    pub ends_at: Option<i64>,
    /// How many purchases may use it; absent: no limit.
    #[serde(default)]
    pub max_uses: Option<i64>,
}

/// A discount code as the creator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminDiscount {
    /// `disc_…`.
    pub id: String,
    /// The code, upper case.
    pub code: String,
    /// Percent off.
    #[serde(default)]
    pub percent_off: Option<i64>,
    /// Amount off.
    #[serde(default)]
    pub amount_off: Option<Price>,
    /// What it applies to; empty: every paywall and pass.
    #[serde(default)]
    pub applies_to: Vec<String>,
    /// Unix seconds.
    #[serde(default)]
    pub starts_at: Option<i64>,
    /// Unix seconds.
    #[serde(default)]
    pub ends_at: Option<i64>,
    /// Most uses.
    #[serde(default)]
    pub max_uses: Option<i64>,
    /// Purchases started with it.
    pub uses: i64,
    /// Whether it still lowers prices.
    pub status: DiscountStatus,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /v1/paywalls/{id}/discount` `{"code"}` → 200: what the code makes of this paywall's
/// price and of the passes it offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscountQuote {
    /// The code as stored (upper case).
    pub code: String,
    /// The article's price with the code; `None`: the code does not apply to it.
    #[serde(default)]
    pub amount: Option<i64>,
    /// The passes' prices with the code (only those it applies to).
    #[serde(default)]
    pub passes: Vec<PassQuote>,
}

/// A pass's price with a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PassQuote {
    /// The pass.
    pub pass_id: String,
    /// Its price with the code, minor units.
    pub amount: i64,
}

/// `POST /v1/paywalls/{id}/purchases`: what the reader buys, besides the article at its price.
/// Every field may be absent (`{}` or no body at all buys the article at its price); the server
/// prices the purchase itself and never takes an amount the paywall's mode does not let the
/// reader choose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseRequest {
    /// The reader's amount in minor units (pay what you want, tips); ignored at a fixed price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub amount: Option<ReaderAmount>,
    /// A pass the paywall offers, bought instead of the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_id: Option<String>,
    /// A discount code; the server prices the purchase with it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_code: Option<String>,
    /// An address to mail the receipt to once paid (servers that send mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The article's page, for the receipt's link (checked against the paywall's sites).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The receipt's language (`en`, `ja`); English by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// An amount a reader sent: a whole number of minor units, or anything else (`1.5`, `500.0`,
/// `"500"`), which the server refuses with a message of its own rather than as a malformed body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ReaderAmount {
    /// A whole number of minor units.
    Whole(i64),
    /// Not a whole number of minor units (its value is not kept).
    NotWhole(NotWhole),
}

/// The value of [`ReaderAmount::NotWhole`]: whatever it was, it is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotWhole;

impl<'de> Deserialize<'de> for NotWhole {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NotWhole)
    }
}

impl Serialize for ReaderAmount {
    /// A whole amount as its number; one that is not whole as a fraction, which reads back as
    /// not whole.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ReaderAmount::Whole(amount) => serializer.serialize_i64(*amount),
            ReaderAmount::NotWhole(_) => serializer.serialize_f64(0.5),
        }
    }
}

/// `POST /v1/paywalls/{id}/receipt` (with the access token): mail the purchase's receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// Where to mail it.
    pub email: String,
    /// The article's page, for the receipt's link (checked against the paywall's sites).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// `en` or `ja`; English by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `POST /v1/restore`: mail a code to restore access on another device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// The address the purchases' receipts went to.
    pub email: String,
    /// The page the reader is on: only its site's purchases are restored.
    pub page: String,
    /// The mail's language; English by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `POST /v1/restore/{id}`, `POST /v1/paywalls/{id}/discount` and `POST /v1/paywalls/{id}/gift`:
/// a code, as the reader typed it or as a link carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The code.
    pub code: String,
}

/// `GET /v1/paywalls/{id}/view`: the locked paywall as the widget first renders it, for the
/// loader to paint before the widget's code is fetched. Never the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaintedView {
    /// The locked paywall's HTML, from the widget's own components.
    pub html: String,
    /// The language chosen (`en`, `ja`).
    pub lang: String,
    /// A notice shown on the paywall (`pass_ended`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// What `GET /v1/paywalls/{id}` answers: the widget takes over from it.
    pub paywall: PaywallInfo,
    /// The sentence the loader shows if the widget's code cannot be fetched.
    pub unavailable: String,
}

/// Whether a wallet shows on a domain, as Stripe reports it for the domain's registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum WalletState {
    /// Stripe shows the wallet there.
    Active,
    /// Stripe does not (yet): the domain's `problem` says why when Stripe said.
    Inactive,
    /// Not registered (Stripe refused, or could not be asked): nobody knows.
    Unknown,
}

impl WalletState {
    /// The lowercase name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            WalletState::Active => "active",
            WalletState::Inactive => "inactive",
            WalletState::Unknown => "unknown",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(WalletState::Active),
            "inactive" => Some(WalletState::Inactive),
            "unknown" => Some(WalletState::Unknown),
            _ => None,
        }
    }

    /// Stripe's status of a wallet on a registered domain (`active`; anything else shows nothing).
    pub fn from_stripe(status: &str) -> Self {
        if status == "active" { WalletState::Active } else { WalletState::Inactive }
    }
}

/// A site's domain as registered for wallets (`GET /v1/admin/wallet-domains`): Stripe shows
/// Apple Pay, Google Pay and Link only on registered domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletDomain {
    /// The host of a site a paywall lists, e.g. `blog.example`.
    pub domain: String,
    /// Stripe's id of the registration (`pmd_…`); none when it failed.
    pub stripe_id: Option<String>,
    /// Apple Pay there (live mode also needs the blog to serve Apple's file).
    pub apple_pay: WalletState,
    /// Google Pay there.
    pub google_pay: WalletState,
    /// Link there.
    pub link: WalletState,
    /// Why the registration failed, or why a wallet is inactive, in Stripe's words.
    pub problem: Option<String>,
    /// When plog last asked Stripe, unix seconds.
    pub checked_at: i64,
}

/// `GET /v1/admin/wallet-domains` → 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletDomainList {
    /// Every domain plog registered or tried to, by name.
    pub domains: Vec<WalletDomain>,
}

/// `POST /v1/admin/tokens`: a new admin API token of the creator who asks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What it is for ("the CMS plugin"), at most 100 characters.
    #[serde(default)]
    pub label: Option<String>,
}

/// An admin API token as its creator sees it (never the token, which only its creation shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    /// `tok_…`: what revoking names.
    pub id: String,
    /// What it is for.
    pub label: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; absent while it works.
    pub revoked_at: Option<i64>,
}

/// `POST /v1/admin/tokens`'s answer: the token, shown this once (plog keeps its hash only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenCreated {
    /// The token as listed.
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret (`plog_…`): `Authorization: Bearer` it. Not shown again.
    pub secret: String,
}
