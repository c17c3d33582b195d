//! Figures for the creator's reports: paywall views counted by the widget's beacon, and sales
//! grouped per paywall and per UTC day. The database groups; `crate::report` rolls the groups up
//! (site filter, totals per currency), so amounts of different currencies are never summed.

use anyhow::Context;

use plog_shared::{Currency, PaywallId};

use super::sql::Sql;
use super::{Store, corrupt};

/// Seconds in a day: days are UTC days, numbered from 1970-01-01.
pub const DAY_SECS: i64 = 86_400;

/// Sales of one paywall in one currency.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaywallTotals {
    /// Paywall id.
    #[sqlx(try_from = "String")]
    pub paywall_id: PaywallId,
    /// The currency.
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    /// Purchases created in the period (any status).
    pub started: i64,
    /// Paid in the period (tips and passes apart).
    pub paid_count: i64,
    /// Their sum, minor units.
    pub revenue: i64,
    /// Refunded in the period.
    pub refunded_count: i64,
    /// Disputed in the period.
    pub disputed_count: i64,
    /// Money refunded (partial refunds included), minor units, of purchases changed in the period.
    pub refunded_amount: i64,
    /// Tips paid in the period.
    pub tip_count: i64,
    /// Their sum, minor units.
    pub tip_revenue: i64,
    /// Passes paid in the period (bought on this paywall).
    pub pass_count: i64,
    /// Their sum, minor units.
    pub pass_revenue: i64,
}

/// Money one paywall took on one day in one currency.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayTotals {
    /// Paywall id.
    #[sqlx(try_from = "String")]
    pub paywall_id: PaywallId,
    /// The currency.
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    /// Days since 1970-01-01, UTC.
    pub day: i64,
    /// Paid purchases (tips apart).
    pub paid_count: i64,
    /// Their sum, minor units.
    pub revenue: i64,
    /// Paid tips.
    pub tip_count: i64,
    /// Their sum, minor units.
    pub tip_revenue: i64,
}

impl Store {
    /// Counts one view of a paywall on the UTC day of `at`.
    #[tracing::instrument(skip_all)]
    pub async fn record_view(&self, paywall_id: &str, at: i64) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new(
            "insert into paywall_views (paywall_id, day, views) values ($1, $2, 1) \
             on conflict (paywall_id, day) do update set views = paywall_views.views + 1",
        )
        .bind(paywall_id)
        .bind(at.div_euclid(DAY_SECS))
        .execute(&self.pool)
        .await
        .context("Failed to count a view")?;
        Ok(())
    }

    /// Views per paywall (of this handle's creator) on the days from the one of `since` on.
    #[tracing::instrument(skip_all)]
    pub async fn views_per_paywall(&self, since: i64) -> anyhow::Result<Vec<(PaywallId, i64)>> {
        let rows: Vec<(String, i64)> = Sql::new(
            "select v.paywall_id, cast(sum(v.views) as bigint) from paywall_views v \
             join paywalls w on w.id = v.paywall_id \
             where v.day >= $1 and (cast($2 as bigint) is null or w.creator_id = $2) group by v.paywall_id",
        )
        .bind(since.div_euclid(DAY_SECS))
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to read views")?;
        rows.into_iter()
            .map(|(id, views)| Ok((PaywallId::parse(&id).map_err(|e| corrupt("paywall_views", &id, e))?, views)))
            .collect()
    }

    /// Sales per paywall and currency: purchases created, paid (articles, tips and passes apart),
    /// refunded and disputed since `since` (this handle's creator's sales).
    #[tracing::instrument(skip_all)]
    pub async fn totals_per_paywall(&self, since: i64) -> anyhow::Result<Vec<PaywallTotals>> {
        Sql::new(
            "select paywall_id, currency, \
               cast(sum(case when created_at >= $1 then 1 else 0 end) as bigint) as started, \
               cast(sum(case when status = 'paid' and mode <> 'tip' and pass_id is null and paid_at >= $1 then 1 else 0 end) as bigint) as paid_count, \
               cast(coalesce(sum(case when status = 'paid' and mode <> 'tip' and pass_id is null and paid_at >= $1 then amount else 0 end), 0) as bigint) as revenue, \
               cast(sum(case when status = 'refunded' and updated_at >= $1 then 1 else 0 end) as bigint) as refunded_count, \
               cast(sum(case when status = 'disputed' and updated_at >= $1 then 1 else 0 end) as bigint) as disputed_count, \
               cast(coalesce(sum(case when updated_at >= $1 then refunded_amount else 0 end), 0) as bigint) as refunded_amount, \
               cast(sum(case when status = 'paid' and mode = 'tip' and paid_at >= $1 then 1 else 0 end) as bigint) as tip_count, \
               cast(coalesce(sum(case when status = 'paid' and mode = 'tip' and paid_at >= $1 then amount else 0 end), 0) as bigint) as tip_revenue, \
               cast(sum(case when status = 'paid' and pass_id is not null and paid_at >= $1 then 1 else 0 end) as bigint) as pass_count, \
               cast(coalesce(sum(case when status = 'paid' and pass_id is not null and paid_at >= $1 then amount else 0 end), 0) as bigint) as pass_revenue \
             from purchases where (cast($2 as bigint) is null or creator_id = $2) group by paywall_id, currency",
        )
        .bind(since)
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to total sales per paywall")
    }

    /// Money paid per paywall, currency and UTC day, since `since` (passes with the articles:
    /// a day's takings are all the money of the day, tips apart); this handle's creator's sales.
    #[tracing::instrument(skip_all)]
    pub async fn takings_per_day(&self, since: i64) -> anyhow::Result<Vec<DayTotals>> {
        Sql::new(
            "select paywall_id, currency, cast(paid_at / 86400 as bigint) as day, \
               cast(sum(case when mode <> 'tip' then 1 else 0 end) as bigint) as paid_count, \
               cast(coalesce(sum(case when mode <> 'tip' then amount else 0 end), 0) as bigint) as revenue, \
               cast(sum(case when mode = 'tip' then 1 else 0 end) as bigint) as tip_count, \
               cast(coalesce(sum(case when mode = 'tip' then amount else 0 end), 0) as bigint) as tip_revenue \
             from purchases where status = 'paid' and paid_at >= $1 and (cast($2 as bigint) is null or creator_id = $2) \
             group by paywall_id, currency, cast(paid_at / 86400 as bigint)",
        )
        .bind(since)
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to total sales per day")
    }
}
