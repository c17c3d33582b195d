//! Creators — who owns each paywall, offer, sale and dashboard session — their admin API tokens
//! (stored as SHA-256, shown once), and the scope of a store handle.
//!
//! A handle opened for one creator ([`Store::for_creator`]) reads and writes that creator's rows
//! only: every statement on a creator-owned table binds the handle's scope
//! (`(cast($N as bigint) is null or creator_id = $N)`), and rows it inserts are the creator's.
//! The admin API and the dashboard get such a handle from whoever signed in, so no handler has
//! to remember to filter. The unscoped handle (`Store::open`) is the plog's own, for what acts on
//! every creator by a key that is already specific — a paywall's id on a public route, a
//! PaymentIntent in a webhook, the jobs. A standalone plog has one creator, [`CreatorId::OWNER`].

use std::fmt;

use anyhow::Context;
use plog_shared::TokenId;

use super::Store;
use super::corrupt;
use super::sql::Sql;

/// A creator's id: the database's, never taken from a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreatorId(i64);

impl CreatorId {
    /// The owner of a standalone plog (who signs in with `PLOG_ADMIN_TOKEN`); every row written
    /// before creators existed is theirs.
    pub const OWNER: CreatorId = CreatorId(1);

    /// The id as stored.
    pub fn get(self) -> i64 {
        self.0
    }

    /// An id read from a creator-owned row (the schema's foreign keys keep it a creator's).
    pub(super) fn from_column(id: i64) -> CreatorId {
        CreatorId(id)
    }

    /// Any id, for unit tests of what keys by creator.
    #[cfg(test)]
    pub(crate) fn for_tests(id: i64) -> CreatorId {
        CreatorId(id)
    }
}

impl fmt::Display for CreatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Whether a creator sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatorStatus {
    /// Sells.
    Active,
    /// Stopped by the operator: their paywalls sell nothing; readers who paid keep reading.
    Suspended,
}

impl CreatorStatus {
    fn parse(raw: &str) -> Option<CreatorStatus> {
        match raw {
            "active" => Some(CreatorStatus::Active),
            "suspended" => Some(CreatorStatus::Suspended),
            _ => None,
        }
    }
}

/// A creator as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Creator {
    /// Their id.
    pub id: CreatorId,
    /// Their address, lower case; `None` for the owner of a standalone plog.
    pub email: Option<String>,
    /// Whether they sell.
    pub status: CreatorStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// Their connected Stripe account (`acct_…`), once they began connecting (platform mode).
    pub stripe_account: Option<String>,
    /// Whether that account takes card payments, as Stripe last said.
    pub takes_payments: bool,
    /// When the account was disconnected from the platform (its sales stop; readers keep
    /// reading).
    pub disconnected_at: Option<i64>,
}

impl Creator {
    /// Why their paywalls do not sell now, in words for the creator; `None`: they sell. Only
    /// platform mode asks (a standalone plog sells on its own keys).
    pub fn why_not_selling(&self) -> Option<&'static str> {
        if self.status == CreatorStatus::Suspended {
            Some("The operator of this plog has suspended your sales.")
        } else if self.disconnected_at.is_some() {
            Some("Your Stripe account was disconnected from this plog: connect Stripe again to sell.")
        } else if self.stripe_account.is_none() {
            Some("Connect your Stripe account to sell: your readers pay it directly.")
        } else if !self.takes_payments {
            Some("Stripe does not let your account take card payments yet: finish Stripe's onboarding.")
        } else {
            None
        }
    }
}

/// The columns of a creator, in [`CreatorRecord`]'s order.
macro_rules! creator_columns {
    () => {
        "id, email, status, created_at, stripe_account, takes_payments, disconnected_at"
    };
}

#[derive(sqlx::FromRow)]
struct CreatorRecord {
    id: i64,
    email: Option<String>,
    status: String,
    created_at: i64,
    stripe_account: Option<String>,
    takes_payments: bool,
    disconnected_at: Option<i64>,
}

impl TryFrom<CreatorRecord> for Creator {
    type Error = sqlx::Error;

    fn try_from(row: CreatorRecord) -> Result<Creator, sqlx::Error> {
        let status = CreatorStatus::parse(&row.status)
            .ok_or_else(|| corrupt("creators", &row.id.to_string(), format!("unknown status {:?}", row.status)))?;
        Ok(Creator {
            id: CreatorId(row.id),
            email: row.email,
            status,
            created_at: row.created_at,
            stripe_account: row.stripe_account,
            takes_payments: row.takes_payments,
            disconnected_at: row.disconnected_at,
        })
    }
}

/// One creator's paid sales in one currency, minor units (the operator's view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorSales {
    /// Whose.
    pub creator: CreatorId,
    /// Lower-case ISO code.
    pub currency: String,
    /// Paid purchases.
    pub count: i64,
    /// What they paid, less partial refunds.
    pub takings: i64,
    /// The operator's fees on them.
    pub fees: i64,
}

/// A creator's admin API token as listed (the token itself is never stored).
#[derive(Debug, Clone, PartialEq)]
pub struct CreatorToken {
    /// What revoking names.
    pub id: TokenId,
    /// The creator's own words for it ("the CMS plugin").
    pub label: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; `None` while it works.
    pub revoked_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct TokenRecord {
    id: String,
    label: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<TokenRecord> for CreatorToken {
    type Error = sqlx::Error;

    fn try_from(row: TokenRecord) -> Result<CreatorToken, sqlx::Error> {
        Ok(CreatorToken {
            id: TokenId::parse(&row.id).map_err(|e| corrupt("creator_tokens", &row.id, e))?,
            label: row.label,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        })
    }
}

impl Store {
    /// A handle that reads and writes only this creator's rows.
    pub fn for_creator(&self, creator: CreatorId) -> Store {
        Store { scope: Some(creator), ..self.clone() }
    }

    /// The creator this handle is scoped to; `None` for the plog's own handle.
    pub fn creator(&self) -> Option<CreatorId> {
        self.scope
    }

    /// The scope as a statement's argument: null (every creator) or the creator's id.
    pub(super) fn scope_arg(&self) -> Option<i64> {
        self.scope.map(CreatorId::get)
    }

    /// Whose rows this handle inserts: its creator's; the plog's own handle inserts the owner's
    /// (a standalone plog's jobs and command line).
    pub(super) fn new_rows_owner(&self) -> i64 {
        self.scope.unwrap_or(CreatorId::OWNER).get()
    }

    /// Adds a creator by address (lower-cased); `None` if one has it already.
    #[tracing::instrument(skip_all)]
    pub async fn add_creator(&self, email: &str, now: i64) -> anyhow::Result<Option<CreatorId>> {
        let _turn = self.writer_turn().await;
        let id: Option<(i64,)> = Sql::new(
            "insert into creators (email, status, created_at) values ($1, 'active', $2) \
             on conflict (email) do nothing returning id",
        )
        .bind(email.to_lowercase())
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to add a creator")?;
        Ok(id.map(|(id,)| CreatorId(id)))
    }

    /// Every creator, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn creators(&self) -> anyhow::Result<Vec<Creator>> {
        let records: Vec<CreatorRecord> = Sql::new(concat!(
            "select ",
            creator_columns!(),
            " from creators where (cast($1 as bigint) is null or id = $1) order by id"
        ))
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to list creators")?;
        Ok(records.into_iter().map(Creator::try_from).collect::<Result<_, _>>()?)
    }

    /// Stores a new admin API token of this handle's creator (its hash only).
    #[tracing::instrument(skip_all)]
    pub async fn insert_creator_token(
        &self,
        id: &TokenId,
        token_hash: &str,
        label: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new(
            "insert into creator_tokens (id, creator_id, token_hash, label, created_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(id.as_str())
        .bind(self.new_rows_owner())
        .bind(token_hash)
        .bind(label)
        .bind(now)
        .execute(&self.pool)
        .await
        .context("Failed to store an API token")?;
        Ok(())
    }

    /// This handle's creator's API tokens, newest first (revoked ones too).
    #[tracing::instrument(skip_all)]
    pub async fn creator_tokens(&self) -> anyhow::Result<Vec<CreatorToken>> {
        let records: Vec<TokenRecord> = Sql::new(
            "select id, label, created_at, revoked_at from creator_tokens \
             where (cast($1 as bigint) is null or creator_id = $1) order by created_at desc, id",
        )
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to list API tokens")?;
        Ok(records.into_iter().map(CreatorToken::try_from).collect::<Result<_, _>>()?)
    }

    /// Revokes one of this handle's creator's tokens, and ends the dashboard sessions it
    /// opened (one statement's worth: both or neither); `None` if they have none of that id.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_creator_token(&self, id: &TokenId, now: i64) -> anyhow::Result<Option<CreatorToken>> {
        let _turn = self.writer_turn().await;
        let record = async {
            let mut tx = self.pool.begin().await?;
            let record: Option<TokenRecord> = Sql::new(
                "update creator_tokens set revoked_at = coalesce(revoked_at, $2) \
                 where id = $1 and (cast($3 as bigint) is null or creator_id = $3) \
                 returning id, label, created_at, revoked_at",
            )
            .bind(id.as_str())
            .bind(now)
            .bind(self.scope_arg())
            .fetch_optional(&mut tx)
            .await?;
            if record.is_some() {
                Sql::new("delete from admin_sessions where opened_by_token = $1")
                    .bind(id.as_str())
                    .execute(&mut tx)
                    .await?;
            }
            tx.commit().await?;
            anyhow::Ok(record)
        }
        .await
        .context("Failed to revoke an API token")?;
        Ok(record.map(CreatorToken::try_from).transpose()?)
    }

    /// The creator a presented token's hash belongs to, and the token's id, while the token is
    /// not revoked.
    #[tracing::instrument(skip_all)]
    pub async fn creator_of_token(&self, token_hash: &str) -> anyhow::Result<Option<(CreatorId, TokenId)>> {
        let row: Option<(i64, String)> =
            Sql::new("select creator_id, id from creator_tokens where token_hash = $1 and revoked_at is null")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .context("Failed to read an API token")?;
        let Some((creator, id)) = row else { return Ok(None) };
        let token = TokenId::parse(&id).map_err(|e| corrupt("creator_tokens", &id, e))?;
        Ok(Some((CreatorId(creator), token)))
    }

    /// One creator.
    #[tracing::instrument(skip_all)]
    pub async fn creator_by_id(&self, id: CreatorId) -> anyhow::Result<Option<Creator>> {
        let record: Option<CreatorRecord> =
            Sql::new(concat!("select ", creator_columns!(), " from creators where id = $1"))
                .bind(id.get())
                .fetch_optional(&self.pool)
                .await
                .context("Failed to read a creator")?;
        Ok(record.map(Creator::try_from).transpose()?)
    }

    /// The creator of an address (lower-cased).
    #[tracing::instrument(skip_all)]
    pub async fn creator_by_email(&self, email: &str) -> anyhow::Result<Option<Creator>> {
        let record: Option<CreatorRecord> =
            Sql::new(concat!("select ", creator_columns!(), " from creators where email = $1"))
                .bind(email.to_lowercase())
                .fetch_optional(&self.pool)
                .await
                .context("Failed to read a creator by address")?;
        Ok(record.map(Creator::try_from).transpose()?)
    }

    /// The creator whose connected account this is.
    #[tracing::instrument(skip_all)]
    pub async fn creator_by_account(&self, account: &str) -> anyhow::Result<Option<Creator>> {
        let record: Option<CreatorRecord> =
            Sql::new(concat!("select ", creator_columns!(), " from creators where stripe_account = $1"))
                .bind(account)
                .fetch_optional(&self.pool)
                .await
                .context("Failed to read a creator by Stripe account")?;
        Ok(record.map(Creator::try_from).transpose()?)
    }

    /// Keeps a creator's connected account: the first one kept stays (Stripe made it under an
    /// idempotency key of the creator, so a second is the same one). A disconnected creator
    /// connecting again gets the new account. Returns the account kept.
    #[tracing::instrument(skip_all)]
    pub async fn keep_stripe_account(&self, creator: CreatorId, account: &str) -> anyhow::Result<String> {
        let _turn = self.writer_turn().await;
        let kept: (Option<String>,) = Sql::new(
            "update creators set \
               takes_payments = case when stripe_account is null or disconnected_at is not null \
                 then false else takes_payments end, \
               stripe_account = case when stripe_account is null or disconnected_at is not null \
                 then $2 else stripe_account end, \
               disconnected_at = case when stripe_account is null or disconnected_at is not null \
                 then null else disconnected_at end \
             where id = $1 returning stripe_account",
        )
        .bind(creator.get())
        .bind(account)
        .fetch_one(&self.pool)
        .await
        .context("Failed to keep a creator's Stripe account")?;
        kept.0.context("the creator's account was not kept")
    }

    /// Records what Stripe says of a connected account: whether it takes card payments. An
    /// account no creator has changes nothing (`false`).
    #[tracing::instrument(skip_all)]
    pub async fn record_account_status(&self, account: &str, takes_payments: bool, now: i64) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let changed = Sql::new(
            "update creators set takes_payments = $2, account_checked_at = $3 \
             where stripe_account = $1 and disconnected_at is null",
        )
        .bind(account)
        .bind(takes_payments)
        .bind(now)
        .execute(&self.pool)
        .await
        .context("Failed to record a Stripe account's status")?;
        Ok(changed == 1)
    }

    /// Records that a connected account left the platform: its creator sells no more until they
    /// connect again. `false`: no creator has it.
    #[tracing::instrument(skip_all)]
    pub async fn disconnect_account(&self, account: &str, now: i64) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let changed = Sql::new(
            "update creators set takes_payments = false, disconnected_at = coalesce(disconnected_at, $2) \
             where stripe_account = $1",
        )
        .bind(account)
        .bind(now)
        .execute(&self.pool)
        .await
        .context("Failed to record a disconnected Stripe account")?;
        Ok(changed == 1)
    }

    /// Suspends a creator (their paywalls sell nothing; readers keep reading) or lets them sell
    /// again. The owner of the plog is never suspended. `false`: no such creator.
    #[tracing::instrument(skip_all)]
    pub async fn set_creator_status(&self, creator: CreatorId, status: CreatorStatus) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let text = match status {
            CreatorStatus::Active => "active",
            CreatorStatus::Suspended => "suspended",
        };
        let changed = Sql::new("update creators set status = $2 where id = $1 and id <> 1")
            .bind(creator.get())
            .bind(text)
            .execute(&self.pool)
            .await
            .context("Failed to change a creator's status")?;
        Ok(changed == 1)
    }

    /// Paid sales per creator and currency: (creator, currency, sales, takings net of partial
    /// refunds, fees taken), minor units — the operator's view (counts per creator there, never
    /// in metric labels).
    #[tracing::instrument(skip_all)]
    pub async fn sales_per_creator(&self) -> anyhow::Result<Vec<CreatorSales>> {
        let rows: Vec<(i64, String, i64, i64, i64)> = Sql::new(
            "select creator_id, currency, cast(count(*) as bigint), \
               cast(coalesce(sum(amount - refunded_amount), 0) as bigint), \
               cast(coalesce(sum(application_fee), 0) as bigint) \
             from purchases where status = 'paid' group by creator_id, currency order by creator_id, currency",
        )
        .fetch_all(&self.pool)
        .await
        .context("Failed to total sales per creator")?;
        Ok(rows
            .into_iter()
            .map(|(creator, currency, count, takings, fees)| CreatorSales {
                creator: CreatorId(creator),
                currency,
                count,
                takings,
                fees,
            })
            .collect())
    }
}
