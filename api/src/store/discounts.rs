//! The `discount_codes` table: codes readers type for a lower price. A use is taken when a
//! purchase with the code starts, by one conditional update against the code's cap, so however
//! many readers start at once a code with N uses is used exactly N times; a use whose purchase
//! could not be started (Stripe refused) is given back, and so is one whose purchase is canceled
//! or stays unpaid past `offers::discounts::HOLD_SECS` (`store::purchases`: the purchase's
//! `discount_held`). A purchase paid after that takes its use again.

use anyhow::Context;

use plog_shared::api::DiscountStatus;

use super::sql::Sql;
use super::{Store, Targets};

/// The columns of a code, in the order of every statement below.
macro_rules! columns {
    () => {
        "id, code, percent_off, amount_off, currency, applies_to, starts_at, ends_at, max_uses, uses, status, created_at"
    };
}

/// A discount code as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Discount {
    /// `disc_…`.
    pub id: String,
    /// Upper case.
    pub code: String,
    /// 1–99.
    pub percent_off: Option<i64>,
    /// Minor units of `currency`.
    pub amount_off: Option<i64>,
    /// The currency of `amount_off`.
    pub currency: Option<String>,
    /// The paywalls and passes it applies to (none listed: all).
    #[sqlx(try_from = "String")]
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
    #[sqlx(try_from = "String")]
    pub status: DiscountStatus,
    /// Unix seconds.
    pub created_at: i64,
}

impl Store {
    /// Inserts a code; `false` if the code exists already (codes are unique, case aside).
    #[tracing::instrument(skip_all)]
    pub async fn insert_discount(&self, discount: &Discount) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let inserted = Sql::new(concat!(
            "insert into discount_codes (",
            columns!(),
            ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict (code) do nothing"
        ))
        .bind(&discount.id)
        .bind(&discount.code)
        .bind(discount.percent_off)
        .bind(discount.amount_off)
        .bind(&discount.currency)
        .bind(discount.applies_to.column())
        .bind(discount.starts_at)
        .bind(discount.ends_at)
        .bind(discount.max_uses)
        .bind(discount.uses)
        .bind(discount.status.as_str())
        .bind(discount.created_at)
        .execute(&self.pool)
        .await
        .context("Failed to insert a discount code")?;
        Ok(inserted == 1)
    }

    /// Every code, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn discounts(&self) -> anyhow::Result<Vec<Discount>> {
        Sql::new(concat!("select ", columns!(), " from discount_codes order by created_at desc, id"))
            .fetch_all(&self.pool)
            .await
            .context("Failed to list discount codes")
    }

    /// A code by its (upper-case) text.
    #[tracing::instrument(skip_all)]
    pub async fn discount_by_code(&self, code: &str) -> anyhow::Result<Option<Discount>> {
        Sql::new(concat!("select ", columns!(), " from discount_codes where code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .context("Failed to read a discount code")
    }

    /// Whether any active code exists (the widget offers "Have a code?" only then; read through
    /// `offers::cache::OffersCache`).
    #[tracing::instrument(skip_all)]
    pub async fn any_active_discount(&self) -> anyhow::Result<bool> {
        let active = Sql::new(
            "select count(*) from discount_codes where status = 'active' and (max_uses is null or uses < max_uses)",
        )
        .fetch_value::<i64>(&self.pool)
        .await
        .context("Failed to look for discount codes")?
            > 0;
        Ok(active)
    }

    /// Disables a code by its id or its (upper-case) text; `None` if there is none.
    #[tracing::instrument(skip_all)]
    pub async fn disable_discount(&self, id: &str, code: &str) -> anyhow::Result<Option<Discount>> {
        let _turn = self.writer_turn().await;
        Sql::new(concat!(
            "update discount_codes set status = 'disabled' where id = $1 or code = $2 returning ",
            columns!()
        ))
        .bind(id)
        .bind(code)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to disable a discount code")
    }

    /// Takes one use of a code if it is active, within its dates (`now`) and below its cap;
    /// `false` otherwise. One statement: the database serializes concurrent takers.
    #[tracing::instrument(skip_all)]
    pub async fn take_discount_use(&self, id: &str, now: i64) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let taken = Sql::new(
            "update discount_codes set uses = uses + 1 where id = $1 and status = 'active' \
               and (starts_at is null or starts_at <= $2) and (ends_at is null or ends_at > $2) \
               and (max_uses is null or uses < max_uses)",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await
        .context("Failed to take a use of a discount code")?;
        Ok(taken == 1)
    }

    /// Gives back a use taken for a purchase that could not be started.
    #[tracing::instrument(skip_all)]
    pub async fn give_back_discount_use(&self, id: &str) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new("update discount_codes set uses = uses - 1 where id = $1 and uses > 0")
            .bind(id)
            .execute(&self.pool)
            .await
            .context("Failed to give back a use of a discount code")?;
        Ok(())
    }
}
