//! The `purchases` table: one row per PaymentIntent plog created, found by the access token's
//! hash (the content route) or by the intent (Stripe's updates). Every change of a purchase's
//! state goes through [`ApplyUpdate`], which writes what [`purchase_state::effect`] decides.

use anyhow::Context;
use plog_shared::api::{AdminPurchase, DisputeStatus, PaywallMode, PurchaseStatus, ReceiptStatus};
use plog_shared::{Currency, DiscountId, MailId, Money, PassId, PaywallId, PurchaseId};

use super::sql::{Sql, Tx};
use super::{CreatorId, Store, corrupt};
use crate::purchase_state::{self, Effect, PaymentUpdate, Stored};

/// The columns of a purchase as [`Purchase`] reads them.
macro_rules! columns {
    () => {
        "id, paywall_id, payment_intent_id, token_hash, status, amount, currency, last_error, created_at, updated_at, \
         paid_at, mode, refunded_amount, dispute_status, creator_id, stripe_account"
    };
}

/// A purchase as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    /// Purchase id.
    pub id: PurchaseId,
    /// Paywall bought.
    pub paywall_id: PaywallId,
    /// Stripe PaymentIntent id.
    pub payment_intent_id: String,
    /// SHA-256 of the access token, hex.
    pub token_hash: String,
    /// Where it stands (see `purchase_state`).
    pub status: PurchaseStatus,
    /// What it charges.
    pub price: Money,
    /// Stripe's last payment error message.
    pub last_error: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Unix seconds.
    pub paid_at: Option<i64>,
    /// The paywall's mode at purchase time.
    pub mode: PaywallMode,
    /// Refunded so far, minor units.
    pub refunded_amount: i64,
    /// The last dispute's status, if there was one.
    pub dispute_status: Option<DisputeStatus>,
    /// Whose sale it is: its paywall's creator.
    pub creator: CreatorId,
    /// The connected account its PaymentIntent lives on (platform mode); `None`: the plog's own.
    /// Every Stripe call about it acts on that account.
    pub stripe_account: Option<String>,
}

impl Purchase {
    /// The creator's view of this purchase (never the token's hash), with its receipt's state.
    pub fn to_admin(&self, receipt: Option<ReceiptStatus>) -> AdminPurchase {
        AdminPurchase {
            id: self.id.to_string(),
            paywall_id: self.paywall_id.to_string(),
            payment_intent_id: self.payment_intent_id.clone(),
            status: self.status,
            price: self.price.into(),
            last_error: self.last_error.clone(),
            created_at: self.created_at,
            paid_at: self.paid_at,
            mode: self.mode,
            refunded_amount: self.refunded_amount,
            dispute_status: self.dispute_status.clone(),
            receipt,
        }
    }
}

/// A purchase's columns as the database returns them; [`Purchase`] is the typed reading.
#[derive(sqlx::FromRow)]
struct Record {
    id: String,
    paywall_id: String,
    payment_intent_id: String,
    token_hash: String,
    status: String,
    amount: i64,
    currency: String,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    paid_at: Option<i64>,
    mode: String,
    refunded_amount: i64,
    dispute_status: Option<String>,
    creator_id: i64,
    stripe_account: Option<String>,
}

impl TryFrom<Record> for Purchase {
    type Error = sqlx::Error;

    fn try_from(row: Record) -> Result<Purchase, sqlx::Error> {
        let bad = |e: &dyn std::fmt::Display| corrupt("purchases", &row.id, e);
        let currency = Currency::parse(&row.currency).map_err(|e| bad(&e))?;
        Ok(Purchase {
            id: PurchaseId::parse(&row.id).map_err(|e| bad(&e))?,
            paywall_id: PaywallId::parse(&row.paywall_id).map_err(|e| bad(&e))?,
            status: PurchaseStatus::try_from(row.status.clone()).map_err(|e| bad(&e))?,
            price: Money::new(row.amount, currency).map_err(|e| bad(&e))?,
            mode: PaywallMode::try_from(row.mode.clone()).map_err(|e| bad(&e))?,
            payment_intent_id: row.payment_intent_id,
            token_hash: row.token_hash,
            last_error: row.last_error,
            created_at: row.created_at,
            updated_at: row.updated_at,
            paid_at: row.paid_at,
            refunded_amount: row.refunded_amount,
            dispute_status: row.dispute_status.map(DisputeStatus::from),
            creator: CreatorId::from_column(row.creator_id),
            stripe_account: row.stripe_account,
        })
    }
}

/// A purchase to insert.
#[derive(Debug, Clone)]
pub struct NewPurchase {
    /// Purchase id.
    pub id: PurchaseId,
    /// Paywall bought.
    pub paywall_id: PaywallId,
    /// PaymentIntent created for it.
    pub payment_intent_id: String,
    /// SHA-256 of the access token.
    pub token_hash: String,
    /// What it charges.
    pub price: Money,
    /// Keyed hash of the client's IP address (see `limits::purchases`), if known.
    pub client_key: Option<String>,
    /// The paywall's mode at purchase time.
    pub mode: PaywallMode,
    /// The receipt the reader asked for, if any.
    pub receipt: Option<NewReceipt>,
    /// A pass bought (on this paywall): its id and length in days at purchase time.
    pub pass: Option<(PassId, Option<i64>)>,
    /// The discount code applied (its use already taken) and the price before it.
    pub discount: Option<(DiscountId, i64)>,
    /// The connected account its PaymentIntent was made on (platform mode).
    pub stripe_account: Option<String>,
    /// The operator's fee on it, minor units (0: none).
    pub application_fee: i64,
}

/// A receipt to mail once the purchase is paid.
#[derive(Debug, Clone)]
pub struct NewReceipt {
    /// Outbox id.
    pub id: MailId,
    /// The reader's address (kept only until the receipt is sent).
    pub email: String,
    /// Its keyed hash (kept, for restore).
    pub email_hash: String,
    /// `en` or `ja`.
    pub language: String,
    /// The article's page.
    pub page_url: Option<String>,
}

/// Filters for the purchase list.
#[derive(Debug, Clone, Default)]
pub struct PurchaseFilter {
    /// Only this paywall's purchases.
    pub paywall_id: Option<PaywallId>,
    /// Only purchases created at or after this time (unix seconds).
    pub since: Option<i64>,
    /// Only purchases created before this time (unix seconds).
    pub until: Option<i64>,
    /// Only purchases in this state.
    pub status: Option<PurchaseStatus>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// A client's recent purchases, as the purchase limits weigh them ([`Store::client_purchases`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientPurchases {
    /// Unpaid (pending or declined).
    pub unpaid: i64,
    /// When the oldest unpaid one was started.
    pub oldest_unpaid: Option<i64>,
    /// Whether any was paid.
    pub paid: bool,
}

/// What applying a [`PaymentUpdate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// The purchase changed to this status.
    Changed(PurchaseStatus),
    /// The state stayed: the purchase already is where the update leads, a later state
    /// outranks it, or only a detail changed (a partial refund's amount, a dispute's status).
    Unchanged(PurchaseStatus),
    /// Amount or currency differ from the purchase: not honoured.
    AmountMismatch,
    /// No purchase of plog's has this PaymentIntent.
    UnknownIntent,
}

/// What the content route reads by an access token ([`Store::content_by_token`]).
#[derive(Debug, Clone)]
pub struct TokenContent {
    /// The paywall the purchase (or gift link) is of.
    pub paywall_id: PaywallId,
    /// The purchase's status (a gift's opening reads as paid).
    pub status: PurchaseStatus,
    /// The paywall's paid part, sanitized HTML.
    pub html: String,
    /// What the token was given for.
    pub grant: Grant,
}

/// What an access token was given for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A purchase of one paywall.
    Purchase,
    /// A purchase of a pass (bought on `paywall_id`): it opens what the pass covers, for
    /// `days` from `paid_at` (`None`: for good).
    Pass {
        /// The pass.
        pass_id: PassId,
        /// When the purchase was paid.
        paid_at: Option<i64>,
        /// Its length at purchase time.
        days: Option<i64>,
    },
    /// The opening of a gift link; it unlocks until the link is revoked.
    Gift {
        /// The link was revoked.
        revoked: bool,
    },
}

/// A purchase-token row of the content route: paywall, status, HTML, pass, paid at, pass days.
type ContentRow = (String, String, String, Option<String>, Option<i64>, Option<i64>);

/// A success's move in one statement: `$1` intent, `$2` amount, `$3` currency, `$4` now, `$5`
/// the account the news came from (a purchase moves only on news of its own account). It
/// names the states a success of the purchase's amount and currency moves to paid; a test keeps
/// them equal to what [`purchase_state::next`] says.
const PAY_ON_SUCCESS: &str = "update purchases set status = 'paid', updated_at = $4, last_error = null, \
      paid_at = case when paid_at is null then $4 else paid_at end \
    where payment_intent_id = $1 and status in ('pending', 'failed', 'canceled') and amount = $2 and currency = $3 \
      and coalesce(stripe_account, '') = coalesce(cast($5 as text), '') \
    returning email_hash, discount_id is not null and discount_held = 0";

/// A discount code's use held by a purchase from its start is given back when the purchase
/// is canceled or its reservation expires unpaid: `$1` intent. Returns the code's id if the
/// purchase held one; [`GIVE_BACK_USE`] then lowers the code's count.
const RELEASE_DISCOUNT: &str = "update purchases set discount_held = 0 \
    where payment_intent_id = $1 and discount_id is not null and discount_held = 1 returning discount_id";
/// A purchase paid after its use was given back takes one again (a paid purchase is always
/// honoured, even past the cap): `$1` intent; returns the code's id if it took one.
const RETAKE_DISCOUNT: &str = "update purchases set discount_held = 1 \
    where payment_intent_id = $1 and discount_id is not null and discount_held = 0 returning discount_id";
const GIVE_BACK_USE: &str = "update discount_codes set uses = uses - 1 where id = $1 and uses > 0";
const TAKE_USE_AGAIN: &str = "update discount_codes set uses = uses + 1 where id = $1";

/// Queues the purchase's receipt: `$1` intent, `$2` now. It runs in the transaction that makes
/// the purchase paid, and only an `unpaid` receipt moves, so however many deliveries and
/// replicas report the success, one receipt is queued. Only a purchase with an `email_hash` has
/// a receipt (both ways of asking for one set it in their transaction), so the others — most
/// purchases — skip the statement: the success stays one statement.
const QUEUE_RECEIPT: &str = "update mail_outbox set state = 'queued', next_attempt_at = $2 \
    where state = 'unpaid' and purchase_id = (select id from purchases where payment_intent_id = $1)";

/// Locks a purchase's row and reads what [`Stored`] holds, in one statement (a write that
/// changes nothing: SQLite takes its write lock at once, PostgreSQL locks the row).
const LOCK_AND_READ: &str = "update purchases set updated_at = updated_at where payment_intent_id = $1 \
      and coalesce(stripe_account, '') = coalesce(cast($2 as text), '') \
    returning status, amount, currency, refunded_amount, email_hash is not null, dispute_status";

/// Records a refund's failure once, by its id: `$1` refund, `$2` intent, `$3` amount, `$4` now.
/// A second report of the same failure inserts nothing, and so moves nothing.
const RECORD_FAILED_REFUND: &str = "insert into failed_refunds (refund_id, payment_intent_id, amount, created_at) \
    values ($1, $2, $3, $4) on conflict (refund_id) do nothing";

/// Writes an [`Effect::Write`]: `$1` intent, `$2` status, `$3` refunded amount, `$4` now,
/// `$5` last error, `$6` dispute status.
const WRITE_EFFECT: &str = "update purchases set status = $2, refunded_amount = $3, updated_at = $4, \
       paid_at = case when $2 = 'paid' and paid_at is null then $4 else paid_at end, \
       refunded_at = case when $2 = 'refunded' and status <> 'refunded' then $4 else refunded_at end, \
       last_error = case when $2 = 'paid' then null when cast($5 as text) is null then last_error else $5 end, \
       dispute_status = coalesce(cast($6 as text), dispute_status) \
     where payment_intent_id = $1";

/// Applies a [`PaymentUpdate`] inside an open transaction: the one way a purchase's state
/// changes, for the webhook (`store::events`), the content route's settlement and reconciliation
/// alike. Locks and reads the purchase of the update's PaymentIntent, and writes what
/// [`purchase_state::effect`] decides, only if that changes something.
pub(super) async fn apply_update(
    tx: &mut Tx,
    update: &PaymentUpdate,
    account: Option<&str>,
    now: i64,
) -> sqlx::Result<UpdateOutcome> {
    let intent = update.payment_intent_id();
    // The hot path — every purchase's success, and webhook storms are mostly those — is one
    // statement: the move the table makes for a success with the purchase's amount and
    // currency, as a conditional update.
    if let PaymentUpdate::Succeeded { amount, currency, .. } = update {
        let paid: Option<(Option<String>, bool)> = Sql::new(PAY_ON_SUCCESS)
            .bind(intent)
            .bind(*amount)
            .bind(currency)
            .bind(now)
            .bind(account)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some((email_hash, released_discount)) = paid {
            if email_hash.is_some() {
                Sql::new(QUEUE_RECEIPT).bind(intent).bind(now).execute(&mut *tx).await?;
            }
            if released_discount {
                move_discount_use(tx, intent, RETAKE_DISCOUNT, TAKE_USE_AGAIN).await?;
            }
            return Ok(UpdateOutcome::Changed(PurchaseStatus::Paid));
        }
    }
    let row: Option<(String, i64, String, i64, bool, Option<String>)> =
        Sql::new(LOCK_AND_READ).bind(intent).bind(account).fetch_optional(&mut *tx).await?;
    let Some((status, amount, currency, refunded_amount, wants_receipt, dispute)) = row else {
        return Ok(UpdateOutcome::UnknownIntent);
    };
    let status = PurchaseStatus::try_from(status).map_err(|e| corrupt("purchases", intent, e))?;
    if let PaymentUpdate::RefundReversed { refund_id, amount, .. } = update {
        let recorded = Sql::new(RECORD_FAILED_REFUND)
            .bind(refund_id)
            .bind(intent)
            .bind(*amount)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if recorded == 0 {
            return Ok(UpdateOutcome::Unchanged(status));
        }
    }
    let dispute_closed = dispute.map(DisputeStatus::from).is_some_and(|d| d.is_closed());
    let stored = Stored { status, amount, currency, refunded_amount, dispute_closed };
    let write = match purchase_state::effect(&stored, update) {
        Effect::AmountMismatch => return Ok(UpdateOutcome::AmountMismatch),
        Effect::Keep(status) => return Ok(UpdateOutcome::Unchanged(status)),
        Effect::Write(write) => write,
    };
    Sql::new(WRITE_EFFECT)
        .bind(intent)
        .bind(write.status.as_str())
        .bind(write.refunded_amount)
        .bind(now)
        .bind(&write.last_error)
        .bind(write.dispute_status.as_ref().map(DisputeStatus::as_str))
        .execute(&mut *tx)
        .await?;
    if wants_receipt && write.changed && write.status == PurchaseStatus::Paid {
        Sql::new(QUEUE_RECEIPT).bind(intent).bind(now).execute(&mut *tx).await?;
    }
    match write.status {
        _ if !write.changed => {}
        PurchaseStatus::Canceled => move_discount_use(tx, intent, RELEASE_DISCOUNT, GIVE_BACK_USE).await?,
        // Paid (a dispute won, a success after a cancel), refunded or disputed: the purchase
        // was paid, so it holds its use.
        PurchaseStatus::Paid | PurchaseStatus::Refunded | PurchaseStatus::Disputed => {
            move_discount_use(tx, intent, RETAKE_DISCOUNT, TAKE_USE_AGAIN).await?
        }
        PurchaseStatus::Pending | PurchaseStatus::Failed => {}
    }
    Ok(if write.changed { UpdateOutcome::Changed(write.status) } else { UpdateOutcome::Unchanged(write.status) })
}

/// Moves a purchase's hold on its discount code (`mark`: [`RELEASE_DISCOUNT`] or
/// [`RETAKE_DISCOUNT`]) and, if it moved, the code's count (`count`) by the same one, in the
/// caller's transaction.
async fn move_discount_use(tx: &mut Tx, intent: &str, mark: &'static str, count: &'static str) -> sqlx::Result<()> {
    let moved: Option<(String,)> = Sql::new(mark).bind(intent).fetch_optional(&mut *tx).await?;
    if let Some((discount_id,)) = moved {
        Sql::new(count).bind(discount_id).execute(&mut *tx).await?;
    }
    Ok(())
}

impl Store {
    /// Inserts a pending purchase, its paywall's creator's.
    #[tracing::instrument(skip_all)]
    pub async fn insert_purchase(&self, purchase: &NewPurchase, now: i64) -> anyhow::Result<()> {
        async {
            let mut tx = self.pool.begin().await?;
            Sql::new(
                "insert into purchases (id, paywall_id, payment_intent_id, token_hash, status, amount, currency, \
                   created_at, updated_at, client_key, mode, email_hash, pass_id, pass_days, discount_id, list_amount, \
                   discount_held, creator_id, stripe_account, application_fee) \
                 values ($1, $2, $3, $4, 'pending', $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                   (select creator_id from paywalls where id = $2), $16, $17)",
            )
            .bind(purchase.id.as_str())
            .bind(purchase.paywall_id.as_str())
            .bind(&purchase.payment_intent_id)
            .bind(&purchase.token_hash)
            .bind(purchase.price.amount())
            .bind(purchase.price.currency().code())
            .bind(now)
            .bind(&purchase.client_key)
            .bind(purchase.mode.as_str())
            .bind(purchase.receipt.as_ref().map(|r| r.email_hash.as_str()))
            .bind(purchase.pass.as_ref().map(|(id, _)| id.as_str()))
            .bind(purchase.pass.as_ref().and_then(|(_, days)| *days))
            .bind(purchase.discount.as_ref().map(|(id, _)| id.as_str()))
            .bind(purchase.discount.as_ref().map(|(_, list)| *list))
            .bind(i64::from(purchase.discount.is_some()))
            .bind(&purchase.stripe_account)
            .bind(purchase.application_fee)
            .execute(&mut tx)
            .await?;
            if let Some(receipt) = &purchase.receipt {
                Sql::new(
                    "insert into mail_outbox (id, kind, purchase_id, recipient, language, page_url, state, created_at) \
                     values ($1, 'receipt', $2, $3, $4, $5, 'unpaid', $6)",
                )
                .bind(receipt.id.as_str())
                .bind(purchase.id.as_str())
                .bind(&receipt.email)
                .bind(&receipt.language)
                .bind(&receipt.page_url)
                .bind(now)
                .execute(&mut tx)
                .await?;
            }
            tx.commit().await
        }
        .await
        .context("Failed to insert a purchase")
    }

    /// Adds (or, while unpaid, replaces) the receipt of the purchase an access token's hash
    /// belongs to, on this paywall: queued at once if the purchase is paid already. `false` if
    /// no purchase of this paywall has that token. The purchase's row is written first, so a
    /// payment settling at the same moment either sees this receipt or is seen by it.
    #[tracing::instrument(skip_all)]
    pub async fn attach_receipt(
        &self,
        token_hash: &str,
        paywall_id: &PaywallId,
        receipt: &NewReceipt,
        now: i64,
    ) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            let found: Option<(String, String)> = Sql::new(
                "update purchases set email_hash = $3 where token_hash = $1 and paywall_id = $2 returning id, status",
            )
            .bind(token_hash)
            .bind(paywall_id.as_str())
            .bind(&receipt.email_hash)
            .fetch_optional(&mut tx)
            .await?;
            let Some((purchase_id, status)) = found else {
                tx.rollback().await?;
                return Ok(false);
            };
            let state = if status == PurchaseStatus::Paid.as_str() { "queued" } else { "unpaid" };
            Sql::new(
                "insert into mail_outbox (id, kind, purchase_id, recipient, language, page_url, state, \
                   next_attempt_at, created_at) \
                 values ($1, 'receipt', $2, $3, $4, $5, $6, $7, $7) \
                 on conflict (purchase_id) do update set recipient = excluded.recipient, language = excluded.language, \
                   page_url = excluded.page_url where mail_outbox.state = 'unpaid'",
            )
            .bind(receipt.id.as_str())
            .bind(&purchase_id)
            .bind(&receipt.email)
            .bind(&receipt.language)
            .bind(&receipt.page_url)
            .bind(state)
            .bind(now)
            .execute(&mut tx)
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await
        .context("Failed to attach a receipt")
    }

    /// A purchase by id (of this handle's creator), with its paywall's title (what a receipt says).
    #[tracing::instrument(skip_all)]
    pub async fn purchase_with_title(&self, id: &PurchaseId) -> anyhow::Result<Option<(Purchase, String)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            purchase: Record,
            title: String,
        }
        let row: Option<Row> = Sql::new(concat!(
            "with p as (select ",
            columns!(),
            " from purchases where id = $1 and (cast($2 as bigint) is null or creator_id = $2)) \
             select p.*, w.title from p join paywalls w on w.id = p.paywall_id"
        ))
        .bind(id.as_str())
        .bind(self.scope_arg())
        .fetch_optional(&self.pool)
        .await
        .context("Failed to read a purchase and its title")?;
        Ok(row.map(|r| Ok::<_, sqlx::Error>((r.purchase.try_into()?, r.title))).transpose()?)
    }

    /// What a client started since `since`: how many purchases are unpaid (pending or
    /// declined), when the oldest of them was started, and whether any was paid.
    #[tracing::instrument(skip_all)]
    pub async fn client_purchases(&self, client_key: &str, since: i64) -> anyhow::Result<ClientPurchases> {
        let (unpaid, oldest_unpaid, paid): (i64, Option<i64>, i64) = Sql::new(
            "select count(*) filter (where status in ('pending', 'failed')), \
                    min(created_at) filter (where status in ('pending', 'failed')), \
                    count(*) filter (where status = 'paid') \
             from purchases where client_key = $1 and created_at >= $2",
        )
        .bind(client_key)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .context("Failed to count a client's purchases")?;
        Ok(ClientPurchases { unpaid, oldest_unpaid, paid: paid > 0 })
    }

    /// What the content route needs of the purchase an access token's hash belongs to: its
    /// paywall, its status and that paywall's paid HTML (and, for a pass, what the pass needs) —
    /// one indexed join, the hot path. A purchase's own token first; a token a restore added
    /// (`restored_tokens`) unlocks alike, and a gift link's opening (`gift_opens`) unlocks its
    /// paywall: each a further lookup, only when the one before found nothing. `None`: the token
    /// belongs to nothing.
    #[tracing::instrument(skip_all)]
    pub async fn content_by_token(&self, token_hash: &str) -> anyhow::Result<Option<TokenContent>> {
        let own: Option<ContentRow> = Sql::new(
            "select p.paywall_id, p.status, w.content_html, p.pass_id, p.paid_at, p.pass_days \
             from purchases p join paywalls w on w.id = p.paywall_id where p.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to read a purchase's content by token")?;
        let row = match own {
            Some(row) => Some(row),
            None => Sql::new(
                "select p.paywall_id, p.status, w.content_html, p.pass_id, p.paid_at, p.pass_days \
                 from purchases p join paywalls w on w.id = p.paywall_id \
                 where p.id = (select purchase_id from restored_tokens where token_hash = $1)",
            )
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .context("Failed to read a restored purchase's content by token")?,
        };
        let Some((paywall_id, status, html, pass_id, paid_at, days)) = row else {
            let gift: Option<(String, Option<i64>, String)> = Sql::new(
                "select g.paywall_id, g.revoked_at, w.content_html from gift_opens o \
                 join gift_links g on g.id = o.gift_id join paywalls w on w.id = g.paywall_id where o.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .context("Failed to read a gift's content by token")?;
            let Some((paywall_id, revoked_at, html)) = gift else { return Ok(None) };
            let paywall_id = PaywallId::parse(&paywall_id).map_err(|e| corrupt("gift_links", &paywall_id, e))?;
            let grant = Grant::Gift { revoked: revoked_at.is_some() };
            return Ok(Some(TokenContent { paywall_id, status: PurchaseStatus::Paid, html, grant }));
        };
        let bad = |e: &dyn std::fmt::Display| corrupt("purchases", &paywall_id, e);
        let status = PurchaseStatus::parse(&status).ok_or_else(|| bad(&format!("unknown status {status:?}")))?;
        let grant = match pass_id {
            Some(pass_id) => Grant::Pass { pass_id: PassId::parse(&pass_id).map_err(|e| bad(&e))?, paid_at, days },
            None => Grant::Purchase,
        };
        let paywall_id = PaywallId::parse(&paywall_id).map_err(|e| bad(&e))?;
        Ok(Some(TokenContent { paywall_id, status, html, grant }))
    }

    /// The whole purchase an access token's hash belongs to (its own token or a restored one):
    /// for settling one the content route found unsettled.
    #[tracing::instrument(skip_all)]
    pub async fn purchase_by_token(&self, token_hash: &str) -> anyhow::Result<Option<Purchase>> {
        let record: Option<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from purchases where token_hash = $1 \
             or id = (select purchase_id from restored_tokens where token_hash = $1) limit 1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to read a purchase by token")?;
        Ok(record.map(Purchase::try_from).transpose()?)
    }

    /// The purchase of a PaymentIntent.
    #[tracing::instrument(skip_all)]
    pub async fn purchase_by_intent(&self, payment_intent_id: &str) -> anyhow::Result<Option<Purchase>> {
        let record: Option<Record> =
            Sql::new(concat!("select ", columns!(), " from purchases where payment_intent_id = $1"))
                .bind(payment_intent_id)
                .fetch_optional(&self.pool)
                .await
                .context("Failed to read a purchase by PaymentIntent")?;
        Ok(record.map(Purchase::try_from).transpose()?)
    }

    /// Purchases (of this handle's creator), newest first.
    #[tracing::instrument(skip_all)]
    pub async fn purchases(&self, filter: &PurchaseFilter) -> anyhow::Result<Vec<Purchase>> {
        let records: Vec<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from purchases \
             where (cast($1 as text) is null or paywall_id = $1) and (cast($2 as bigint) is null or created_at >= $2) \
               and (cast($4 as bigint) is null or created_at < $4) and (cast($5 as text) is null or status = $5) \
               and (cast($6 as bigint) is null or creator_id = $6) \
             order by created_at desc, id limit $3"
        ))
        .bind(filter.paywall_id.as_ref().map(PaywallId::as_str))
        .bind(filter.since)
        .bind(filter.limit)
        .bind(filter.until)
        .bind(filter.status.map(PurchaseStatus::as_str))
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to list purchases")?;
        Ok(records.into_iter().map(Purchase::try_from).collect::<Result<_, _>>()?)
    }

    /// Purchases as the creator sees them (with their receipts' states), newest first.
    pub async fn admin_purchases(&self, filter: &PurchaseFilter) -> anyhow::Result<Vec<AdminPurchase>> {
        let purchases = self.purchases(filter).await?;
        let ids: Vec<PurchaseId> = purchases.iter().map(|p| p.id.clone()).collect();
        let receipts = self.receipt_states(&ids).await?;
        Ok(purchases.iter().map(|p| p.to_admin(receipts.get(&p.id).copied())).collect())
    }

    /// Ends every access token of a purchase without touching its payment: its own token's hash
    /// becomes `fresh_hash` (of a token nobody holds) and the tokens restores added go. A reader
    /// whose token leaked gets fresh ones by restoring access. `false`: no such purchase (of
    /// this handle's creator), and nothing changes.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_purchase_tokens(&self, purchase_id: &PurchaseId, fresh_hash: &str) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            let found = Sql::new(
                "update purchases set token_hash = $2 where id = $1 and (cast($3 as bigint) is null or creator_id = $3)",
            )
            .bind(purchase_id.as_str())
            .bind(fresh_hash)
            .bind(self.scope_arg())
            .execute(&mut tx)
            .await?
                == 1;
            if !found {
                tx.rollback().await?;
                return Ok(false);
            }
            Sql::new("delete from restored_tokens where purchase_id = $1")
                .bind(purchase_id.as_str())
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(found)
        }
        .await
        .context("Failed to revoke a purchase's tokens")
    }

    /// Whether a refund of this PaymentIntent is known to have failed (a late `charge.refunded`
    /// total may still count it).
    pub async fn has_failed_refunds(&self, payment_intent_id: &str) -> anyhow::Result<bool> {
        let found: Option<(String,)> =
            Sql::new("select refund_id from failed_refunds where payment_intent_id = $1 limit 1")
                .bind(payment_intent_id)
                .fetch_optional(&self.pool)
                .await
                .context("Failed to look for failed refunds")?;
        Ok(found.is_some())
    }

    /// Gives back the discount uses of purchases started before `started_before` and still
    /// unpaid (pending, declined or canceled): a start holds a code's use only for a while, so
    /// readers who never pay cannot use a capped code up. Returns how many were given back.
    #[tracing::instrument(skip_all)]
    pub async fn release_stale_discounts(&self, started_before: i64) -> anyhow::Result<u64> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            let stale: Vec<(String,)> = Sql::new(
                "select payment_intent_id from purchases where discount_held = 1 and created_at < $1 \
                   and status in ('pending', 'failed', 'canceled')",
            )
            .bind(started_before)
            .fetch_all(&mut tx)
            .await?;
            for (intent,) in &stale {
                move_discount_use(&mut tx, intent, RELEASE_DISCOUNT, GIVE_BACK_USE).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(stale.len() as u64)
        }
        .await
        .context("Failed to give back the discount uses of unpaid purchases")
    }

    /// Applies an update learned by re-reading a PaymentIntent (no event id to record) on
    /// `account` (`None`: the plog's own): only a purchase whose intent lives there moves.
    #[tracing::instrument(skip_all)]
    pub async fn apply_update(
        &self,
        update: &PaymentUpdate,
        account: Option<&str>,
        now: i64,
    ) -> anyhow::Result<UpdateOutcome> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            let outcome = apply_update(&mut tx, update, account, now).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(outcome)
        }
        .await
        .context("Failed to apply a payment update")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchase_state::Next;

    /// The states `PAY_ON_SUCCESS` moves to paid.
    const SUCCESS_PAYS: [PurchaseStatus; 3] =
        [PurchaseStatus::Pending, PurchaseStatus::Failed, PurchaseStatus::Canceled];

    #[test]
    fn a_corrupt_purchase_row_is_an_error_never_a_pending_purchase() {
        let record = || Record {
            id: "pur_abcdefghij0123456789".into(),
            paywall_id: "pw_abcdefghij0123456789".into(),
            payment_intent_id: "pi_1".into(),
            token_hash: "h".into(),
            status: "paid".into(),
            amount: 100,
            currency: "jpy".into(),
            last_error: None,
            created_at: 1,
            updated_at: 1,
            paid_at: Some(1),
            mode: "fixed".into(),
            refunded_amount: 0,
            dispute_status: None,
            creator_id: 1,
            stripe_account: None,
        };
        assert_eq!(Purchase::try_from(record()).unwrap().status, PurchaseStatus::Paid);
        let corruptions: [fn(&mut Record); 4] = [
            |r| r.status = "half-paid".into(),
            |r| r.paywall_id = "pw_short".into(),
            |r| r.currency = "".into(),
            |r| r.mode = "".into(),
        ];
        for corrupt in corruptions {
            let mut row = record();
            corrupt(&mut row);
            let error = Purchase::try_from(row).unwrap_err().to_string();
            assert!(error.contains("purchases row pur_abcdefghij0123456789"), "{error}");
        }
    }

    #[test]
    fn the_one_statement_success_moves_exactly_the_states_the_table_pays() {
        let success =
            PaymentUpdate::Succeeded { payment_intent_id: "pi_1".into(), amount: 100, currency: "jpy".into() };
        let paid_by_table: Vec<PurchaseStatus> = PurchaseStatus::ALL
            .into_iter()
            .filter(|&status| {
                let stored =
                    Stored { status, amount: 100, currency: "jpy".into(), refunded_amount: 0, dispute_closed: false };
                status != PurchaseStatus::Paid
                    && purchase_state::next(&stored, &success)
                        == Next::Write { status: PurchaseStatus::Paid, refunded_amount: 0 }
            })
            .collect();
        assert_eq!(paid_by_table, SUCCESS_PAYS);
        let named = SUCCESS_PAYS.map(|s| format!("'{}'", s.as_str())).join(", ");
        assert!(PAY_ON_SUCCESS.contains(&format!("status in ({named})")), "PAY_ON_SUCCESS names {named}");
    }
}
