//! The `passes` table: what a creator sells for many paywalls at once — every paywall of a
//! site, or a named set — for some days from payment, or for good.

use anyhow::Context;
use plog_shared::api::{PassScope, PaywallMode, PaywallStatus};
use plog_shared::{Currency, Money, PassId, PaywallId};

use super::sql::Sql;
use super::{CreatorId, Paywall, Store, corrupt};

/// The columns of a pass, in the order of every statement below.
macro_rules! columns {
    () => {
        "id, title, price_amount, currency, scope, origin, paywall_ids, days, status, created_at, updated_at, creator_id"
    };
}

/// A pass as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// Its id.
    pub id: PassId,
    /// Title.
    pub title: String,
    /// Price.
    pub price: Money,
    /// Site or set.
    pub scope: PassScope,
    /// Scope `site`: the canonical origin; `""`: every paywall of its creator.
    pub origin: String,
    /// Scope `set`: the paywalls it opens.
    pub paywall_ids: Vec<PaywallId>,
    /// Days from payment; `None`: for good.
    pub days: Option<i64>,
    /// Active or archived (no new sales; holders keep their access).
    pub status: PaywallStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Whose it is (set by the store handle that inserts it, never by an edit).
    pub creator: CreatorId,
}

impl Pass {
    /// Whether the pass opens this paywall: read each time, so paywalls added to the site or to
    /// the set later are covered too. A site's pass covers only paywalls whose creator listed
    /// that site: a paywall without a site list sells on any blog, and a cheap pass of one blog
    /// must not open it. Only the pass without a site covers every paywall of its creator. A tip
    /// jar is never covered: a pass buys reading, and a tip jar sells nothing to read. Nor is
    /// another creator's paywall, whatever the scope says: one creator's pass never opens
    /// another's article, on one plog with many creators.
    pub fn covers(&self, paywall: &Paywall) -> bool {
        if paywall.mode == PaywallMode::Tip || paywall.creator != self.creator {
            return false;
        }
        match self.scope {
            PassScope::Set => self.paywall_ids.contains(&paywall.id),
            PassScope::Site => self.origin.is_empty() || crate::sites::listed(&paywall.origins, &self.origin),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Record {
    id: String,
    title: String,
    price_amount: i64,
    currency: String,
    scope: String,
    origin: String,
    paywall_ids: String,
    days: Option<i64>,
    status: String,
    created_at: i64,
    updated_at: i64,
    creator_id: i64,
}

impl TryFrom<Record> for Pass {
    type Error = sqlx::Error;

    fn try_from(row: Record) -> Result<Pass, sqlx::Error> {
        let bad = |e: &dyn std::fmt::Display| corrupt("passes", &row.id, e);
        let currency = Currency::parse(&row.currency).map_err(|e| bad(&e))?;
        Ok(Pass {
            price: Money::new(row.price_amount, currency).map_err(|e| bad(&e))?,
            scope: PassScope::parse(&row.scope).ok_or_else(|| bad(&format!("unknown scope {:?}", row.scope)))?,
            status: PaywallStatus::parse(&row.status)
                .ok_or_else(|| bad(&format!("unknown status {:?}", row.status)))?,
            paywall_ids: row
                .paywall_ids
                .split_whitespace()
                .map(PaywallId::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| bad(&e))?,
            id: PassId::parse(&row.id).map_err(|e| bad(&e))?,
            title: row.title,
            origin: row.origin,
            days: row.days,
            created_at: row.created_at,
            updated_at: row.updated_at,
            creator: CreatorId::from_column(row.creator_id),
        })
    }
}

impl Store {
    /// Inserts a pass (this handle's creator's), or writes every field of an existing one of
    /// theirs (as validated by `offers::passes`); another creator's pass of that id stays as it is.
    #[tracing::instrument(skip_all)]
    pub async fn save_pass(&self, pass: &Pass) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new(concat!(
            "insert into passes (",
            columns!(),
            ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             on conflict (id) do update set title = excluded.title, price_amount = excluded.price_amount, \
               currency = excluded.currency, origin = excluded.origin, paywall_ids = excluded.paywall_ids, \
               days = excluded.days, status = excluded.status, updated_at = excluded.updated_at \
             where passes.creator_id = excluded.creator_id"
        ))
        .bind(pass.id.as_str())
        .bind(&pass.title)
        .bind(pass.price.amount())
        .bind(pass.price.currency().code())
        .bind(pass.scope.as_str())
        .bind(&pass.origin)
        .bind(pass.paywall_ids.iter().map(PaywallId::as_str).collect::<Vec<_>>().join(" "))
        .bind(pass.days)
        .bind(pass.status.as_str())
        .bind(pass.created_at)
        .bind(pass.updated_at)
        .bind(self.new_rows_owner())
        .execute(&self.pool)
        .await
        .context("Failed to save a pass")?;
        Ok(())
    }

    /// One pass (of this handle's creator).
    #[tracing::instrument(skip_all)]
    pub async fn pass(&self, id: &PassId) -> anyhow::Result<Option<Pass>> {
        let record: Option<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from passes where id = $1 and (cast($2 as bigint) is null or creator_id = $2)"
        ))
        .bind(id.as_str())
        .bind(self.scope_arg())
        .fetch_optional(&self.pool)
        .await
        .context("Failed to read a pass")?;
        Ok(record.map(Pass::try_from).transpose()?)
    }

    /// Every pass (of this handle's creator), newest first.
    #[tracing::instrument(skip_all)]
    pub async fn passes(&self) -> anyhow::Result<Vec<Pass>> {
        let records: Vec<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from passes where (cast($1 as bigint) is null or creator_id = $1) order by created_at desc, id"
        ))
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to list passes")?;
        Ok(records.into_iter().map(Pass::try_from).collect::<Result<_, _>>()?)
    }

    /// Paid purchases per pass (of this handle's creator).
    #[tracing::instrument(skip_all)]
    pub async fn passes_sold(&self) -> anyhow::Result<std::collections::HashMap<PassId, i64>> {
        let rows: Vec<(String, i64)> = Sql::new(
            "select pass_id, count(*) from purchases where pass_id is not null and status = 'paid' \
               and (cast($1 as bigint) is null or creator_id = $1) group by pass_id",
        )
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to count passes sold")?;
        rows.into_iter()
            .map(|(id, sold)| Ok((PassId::parse(&id).map_err(|e| corrupt("purchases", &id, e))?, sold)))
            .collect()
    }
}
