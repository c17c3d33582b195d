//! The `discount_codes` table: codes readers type for a lower price. A use is taken when a
//! purchase with the code starts, by one conditional update against the code's cap, so however
//! many readers start at once a code with N uses is used exactly N times; a use whose purchase
//! could not be started (Stripe refused) is given back, and so is one whose purchase is canceled
//! or stays unpaid past `offers::discounts::HOLD_SECS` (`store::purchases`: the purchase's
//! `discount_held`). A purchase paid after that takes its use again.

use anyhow::Context;

use plog_shared::api::DiscountStatus;
use plog_shared::{Currency, DiscountId};

use super::sql::Sql;
use super::{CreatorId, Store, Targets, corrupt};

/// The columns of a code, in the order of every statement below.
macro_rules! columns {
    () => {
        "id, code, percent_off, amount_off, currency, applies_to, starts_at, ends_at, max_uses, uses, status, created_at"
    };
}

/// A discount code as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discount {
    /// Its id.
    pub id: DiscountId,
    /// Upper case.
    pub code: String,
    /// 1–99.
    pub percent_off: Option<i64>,
    /// Minor units of `currency`.
    pub amount_off: Option<i64>,
    /// The currency of `amount_off`.
    pub currency: Option<Currency>,
    /// The paywalls and passes it applies to (none listed: all).
    pub applies_to: Targets,
    /// Unix seconds.
    pub starts_at: Option<i64>,
    /// Unix seconds.
    pub ends_at: Option<i64>,
    /// Most uses.
    pub max_uses: Option<i64>,
    /// Uses so far.
    pub uses: i64,
    /// Whether it still lowers prices.
    pub status: DiscountStatus,
    /// Unix seconds.
    pub created_at: i64,
}

/// A code's columns as the database returns them; [`Discount`] is the typed reading.
#[derive(sqlx::FromRow)]
struct Record {
    id: String,
    code: String,
    percent_off: Option<i64>,
    amount_off: Option<i64>,
    currency: Option<String>,
    applies_to: String,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    max_uses: Option<i64>,
    uses: i64,
    status: String,
    created_at: i64,
}

impl TryFrom<Record> for Discount {
    type Error = sqlx::Error;

    fn try_from(row: Record) -> Result<Discount, sqlx::Error> {
        let bad = |e: &dyn std::fmt::Display| corrupt("discount_codes", &row.id, e);
        Ok(Discount {
            id: DiscountId::parse(&row.id).map_err(|e| bad(&e))?,
            currency: row.currency.as_deref().map(Currency::parse).transpose().map_err(|e| bad(&e))?,
            applies_to: Targets::try_from(row.applies_to.clone()).map_err(|e| bad(&e))?,
            status: DiscountStatus::try_from(row.status.clone()).map_err(|e| bad(&e))?,
            code: row.code,
            percent_off: row.percent_off,
            amount_off: row.amount_off,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            max_uses: row.max_uses,
            uses: row.uses,
            created_at: row.created_at,
        })
    }
}

impl Store {
    /// Inserts a code of this handle's creator; `false` if they have that code already (codes are
    /// unique per creator, case aside: two creators may both sell with the same word).
    #[tracing::instrument(skip_all)]
    pub async fn insert_discount(&self, discount: &Discount) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let inserted = Sql::new(concat!(
            "insert into discount_codes (",
            columns!(),
            ", creator_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             on conflict (creator_id, code) do nothing"
        ))
        .bind(discount.id.as_str())
        .bind(&discount.code)
        .bind(discount.percent_off)
        .bind(discount.amount_off)
        .bind(discount.currency.map(|c| c.code()))
        .bind(discount.applies_to.column())
        .bind(discount.starts_at)
        .bind(discount.ends_at)
        .bind(discount.max_uses)
        .bind(discount.uses)
        .bind(discount.status.as_str())
        .bind(discount.created_at)
        .bind(self.new_rows_owner())
        .execute(&self.pool)
        .await
        .context("Failed to insert a discount code")?;
        Ok(inserted == 1)
    }

    /// Every code (of this handle's creator), newest first.
    #[tracing::instrument(skip_all)]
    pub async fn discounts(&self) -> anyhow::Result<Vec<Discount>> {
        let records: Vec<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from discount_codes where (cast($1 as bigint) is null or creator_id = $1) order by created_at desc, id"
        ))
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to list discount codes")?;
        Ok(records.into_iter().map(Discount::try_from).collect::<Result<_, _>>()?)
    }

    /// A code of this handle's creator by its (upper-case) text. On the plog's own handle, the
    /// code of any creator (each creator's codes are unique, not the plog's): the offers read it
    /// on the handle of the paywall's creator.
    #[tracing::instrument(skip_all)]
    pub async fn discount_by_code(&self, code: &str) -> anyhow::Result<Option<Discount>> {
        let record: Option<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from discount_codes where code = $1 and (cast($2 as bigint) is null or creator_id = $2) \
             order by creator_id limit 1"
        ))
        .bind(code)
        .bind(self.scope_arg())
        .fetch_optional(&self.pool)
        .await
        .context("Failed to read a discount code")?;
        Ok(record.map(Discount::try_from).transpose()?)
    }

    /// The creators who have an active code (the widget offers "Have a code?" on their paywalls
    /// only; read through `offers::cache::OffersCache`).
    #[tracing::instrument(skip_all)]
    pub async fn creators_with_active_discounts(&self) -> anyhow::Result<std::collections::HashSet<CreatorId>> {
        let rows: Vec<(i64,)> = Sql::new(
            "select distinct creator_id from discount_codes \
             where status = 'active' and (max_uses is null or uses < max_uses)",
        )
        .fetch_all(&self.pool)
        .await
        .context("Failed to look for discount codes")?;
        Ok(rows.into_iter().map(|(id,)| CreatorId::from_column(id)).collect())
    }

    /// Disables a code of this handle's creator by its id (if what the creator typed is one) or
    /// its (upper-case) text; `None` if they have none.
    #[tracing::instrument(skip_all)]
    pub async fn disable_discount(&self, id: Option<&DiscountId>, code: &str) -> anyhow::Result<Option<Discount>> {
        let _turn = self.writer_turn().await;
        let record: Option<Record> = Sql::new(concat!(
            "update discount_codes set status = 'disabled' \
             where (id = $1 or code = $2) and (cast($3 as bigint) is null or creator_id = $3) returning ",
            columns!()
        ))
        .bind(id.map(DiscountId::as_str))
        .bind(code)
        .bind(self.scope_arg())
        .fetch_optional(&self.pool)
        .await
        .context("Failed to disable a discount code")?;
        Ok(record.map(Discount::try_from).transpose()?)
    }

    /// Takes one use of a code if it is active, within its dates (`now`) and below its cap;
    /// `false` otherwise. One statement: the database serializes concurrent takers.
    #[tracing::instrument(skip_all)]
    pub async fn take_discount_use(&self, id: &DiscountId, now: i64) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let taken = Sql::new(
            "update discount_codes set uses = uses + 1 where id = $1 and status = 'active' \
               and (starts_at is null or starts_at <= $2) and (ends_at is null or ends_at > $2) \
               and (max_uses is null or uses < max_uses)",
        )
        .bind(id.as_str())
        .bind(now)
        .execute(&self.pool)
        .await
        .context("Failed to take a use of a discount code")?;
        Ok(taken == 1)
    }

    /// Gives back a use taken for a purchase that could not be started.
    #[tracing::instrument(skip_all)]
    pub async fn give_back_discount_use(&self, id: &DiscountId) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new("update discount_codes set uses = uses - 1 where id = $1 and uses > 0")
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("Failed to give back a use of a discount code")?;
        Ok(())
    }
}
