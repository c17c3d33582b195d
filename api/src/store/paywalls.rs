//! The `paywalls` table: a creator's articles for sale, with their price, mode, sites and the
//! paid part (Markdown as written and the sanitized HTML served to buyers).

use anyhow::Context;
use plog_shared::api::{PaywallMode, PaywallStatus};
use plog_shared::money::MAX_AMOUNT;
use plog_shared::{Currency, Money, PaywallId};

use super::sql::Sql;
use super::{CreatorId, Store, corrupt};

/// The columns of a paywall, in the order of every statement below: the id, the fields a
/// creator edits (`with_fields` binds these seventeen), then state and times.
macro_rules! columns {
    () => {
        "id, title, teaser, price_amount, currency, content_markdown, content_html, origins, mode, \
         suggested_amount, max_amount, preset_amounts, show_count, free_markdown, free_html, image_url, \
         canonical_url, status, created_at, updated_at, creator_id"
    };
}

/// A paywall as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Paywall {
    /// Paywall id.
    pub id: PaywallId,
    /// Title.
    pub title: String,
    /// Free teaser.
    pub teaser: Option<String>,
    /// The price; where the reader chooses, the minimum.
    pub price: Money,
    /// Markdown as written.
    pub content_markdown: String,
    /// Sanitized HTML served to buyers.
    pub content_html: String,
    /// Active or archived.
    pub status: PaywallStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Canonical origins of the blogs it sells on, space-separated; `""`: any site.
    pub origins: String,
    /// How it is paid.
    pub mode: PaywallMode,
    /// Suggested amount (pay what you want), minor units.
    pub suggested_amount: Option<i64>,
    /// The most a reader may pay, minor units (`None`: Stripe's maximum).
    pub max_amount: Option<i64>,
    /// One-tap tip amounts, minor units, ascending.
    pub preset_amounts: Vec<i64>,
    /// Whether readers see the tip count.
    pub show_count: bool,
    /// The article page's free part, Markdown as written.
    pub free_markdown: String,
    /// The same, sanitized HTML.
    pub free_html: String,
    /// The article page's preview image.
    pub image_url: Option<String>,
    /// The original post (`rel=canonical`).
    pub canonical_url: Option<String>,
    /// Whose it is (set by the store handle that inserts it, never by an edit).
    pub creator: CreatorId,
}

impl Paywall {
    /// The most a reader may pay where the reader chooses.
    pub fn maximum(&self) -> i64 {
        self.max_amount.unwrap_or(MAX_AMOUNT)
    }
}

/// A paywall's columns as the database returns them; [`Paywall`] is the typed reading.
#[derive(sqlx::FromRow)]
struct Record {
    id: String,
    title: String,
    teaser: Option<String>,
    price_amount: i64,
    currency: String,
    content_markdown: String,
    content_html: String,
    status: String,
    created_at: i64,
    updated_at: i64,
    origins: String,
    mode: String,
    suggested_amount: Option<i64>,
    max_amount: Option<i64>,
    preset_amounts: String,
    show_count: bool,
    free_markdown: String,
    free_html: String,
    image_url: Option<String>,
    canonical_url: Option<String>,
    creator_id: i64,
}

impl TryFrom<Record> for Paywall {
    type Error = sqlx::Error;

    fn try_from(row: Record) -> Result<Paywall, sqlx::Error> {
        let bad = |e: &dyn std::fmt::Display| corrupt("paywalls", &row.id, e);
        let currency = Currency::parse(&row.currency).map_err(|e| bad(&e))?;
        let price = Money::new(row.price_amount, currency).map_err(|e| bad(&e))?;
        let preset_amounts = row
            .preset_amounts
            .split_whitespace()
            .map(|amount| amount.parse::<i64>().map_err(|e| bad(&format!("preset {amount:?}: {e}"))))
            .collect::<Result<_, _>>()?;
        Ok(Paywall {
            id: PaywallId::parse(&row.id).map_err(|e| bad(&e))?,
            status: PaywallStatus::try_from(row.status.clone()).map_err(|e| bad(&e))?,
            mode: PaywallMode::try_from(row.mode.clone()).map_err(|e| bad(&e))?,
            price,
            preset_amounts,
            title: row.title,
            teaser: row.teaser,
            content_markdown: row.content_markdown,
            content_html: row.content_html,
            created_at: row.created_at,
            updated_at: row.updated_at,
            origins: row.origins,
            suggested_amount: row.suggested_amount,
            max_amount: row.max_amount,
            show_count: row.show_count,
            free_markdown: row.free_markdown,
            free_html: row.free_html,
            image_url: row.image_url,
            canonical_url: row.canonical_url,
            creator: CreatorId::from_column(row.creator_id),
        })
    }
}

/// The presets as stored: space-separated minor units.
fn presets_column(presets: &[i64]) -> String {
    presets.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

/// `statement` with a paywall's id and editable fields bound as `$1` to `$17`, in the order of
/// `columns!`.
fn with_fields<'a>(statement: &'static str, paywall: &'a Paywall) -> Sql<'a> {
    Sql::new(statement)
        .bind(paywall.id.as_str())
        .bind(&paywall.title)
        .bind(&paywall.teaser)
        .bind(paywall.price.amount())
        .bind(paywall.price.currency().code())
        .bind(&paywall.content_markdown)
        .bind(&paywall.content_html)
        .bind(&paywall.origins)
        .bind(paywall.mode.as_str())
        .bind(paywall.suggested_amount)
        .bind(paywall.max_amount)
        .bind(presets_column(&paywall.preset_amounts))
        .bind(paywall.show_count)
        .bind(&paywall.free_markdown)
        .bind(&paywall.free_html)
        .bind(&paywall.image_url)
        .bind(&paywall.canonical_url)
}

impl Store {
    /// Inserts a paywall, this handle's creator's.
    #[tracing::instrument(skip_all)]
    pub async fn insert_paywall(&self, paywall: &Paywall) -> anyhow::Result<()> {
        let statement = concat!(
            "insert into paywalls (",
            columns!(),
            ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        );
        with_fields(statement, paywall)
            .bind(paywall.status.as_str())
            .bind(paywall.created_at)
            .bind(paywall.updated_at)
            .bind(self.new_rows_owner())
            .execute(&self.pool)
            .await
            .context("Failed to insert a paywall")?;
        Ok(())
    }

    /// One paywall (of this handle's creator).
    #[tracing::instrument(skip_all)]
    pub async fn paywall(&self, id: &PaywallId) -> anyhow::Result<Option<Paywall>> {
        let record: Option<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from paywalls where id = $1 and (cast($2 as bigint) is null or creator_id = $2)"
        ))
        .bind(id.as_str())
        .bind(self.scope_arg())
        .fetch_optional(&self.pool)
        .await
        .context("Failed to read a paywall")?;
        Ok(record.map(Paywall::try_from).transpose()?)
    }

    /// All paywalls (of this handle's creator), newest first.
    #[tracing::instrument(skip_all)]
    pub async fn paywalls(&self) -> anyhow::Result<Vec<Paywall>> {
        let records: Vec<Record> = Sql::new(concat!(
            "select ",
            columns!(),
            " from paywalls where (cast($1 as bigint) is null or creator_id = $1) order by created_at desc, id"
        ))
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to list paywalls")?;
        Ok(records.into_iter().map(Paywall::try_from).collect::<Result<_, _>>()?)
    }

    /// Writes a paywall's editable fields (as validated by the catalog); `None` if there is no
    /// such paywall.
    #[tracing::instrument(skip_all)]
    pub async fn save_paywall(&self, paywall: &Paywall, now: i64) -> anyhow::Result<Option<Paywall>> {
        let statement = "update paywalls set title = $2, teaser = $3, price_amount = $4, currency = $5, \
               content_markdown = $6, content_html = $7, origins = $8, mode = $9, suggested_amount = $10, \
               max_amount = $11, preset_amounts = $12, show_count = $13, free_markdown = $14, free_html = $15, \
               image_url = $16, canonical_url = $17, updated_at = $18 \
             where id = $1 and (cast($19 as bigint) is null or creator_id = $19)";
        let updated = with_fields(statement, paywall)
            .bind(now)
            .bind(self.scope_arg())
            .execute(&self.pool)
            .await
            .context("Failed to update a paywall")?;
        if updated == 0 {
            return Ok(None);
        }
        self.paywall(&paywall.id).await
    }

    /// Archives a paywall (no new purchases; buyers keep access); `None` if there is none.
    #[tracing::instrument(skip_all)]
    pub async fn archive_paywall(&self, id: &PaywallId, now: i64) -> anyhow::Result<Option<Paywall>> {
        let updated = Sql::new(
            "update paywalls set status = 'archived', updated_at = $2 \
             where id = $1 and (cast($3 as bigint) is null or creator_id = $3)",
        )
        .bind(id.as_str())
        .bind(now)
        .bind(self.scope_arg())
        .execute(&self.pool)
        .await
        .context("Failed to archive a paywall")?;
        if updated == 0 {
            return Ok(None);
        }
        self.paywall(id).await
    }

    /// The sites a paywall sells on (space-separated origins, `""` for any), or `None` if there
    /// is no such paywall: what the origin guard reads on every public request that carries an
    /// `Origin` (through `catalog::OriginsCache`).
    pub async fn paywall_origins(&self, id: &PaywallId) -> anyhow::Result<Option<String>> {
        let origins: Option<(String,)> = Sql::new("select origins from paywalls where id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .context("Failed to read a paywall's origins")?;
        Ok(origins.map(|(origins,)| origins))
    }

    /// How many paid purchases a paywall has (the public tip count).
    #[tracing::instrument(skip_all)]
    pub async fn paid_count(&self, paywall_id: &PaywallId) -> anyhow::Result<i64> {
        Sql::new("select count(*) from purchases where paywall_id = $1 and status = 'paid'")
            .bind(paywall_id.as_str())
            .fetch_value(&self.pool)
            .await
            .context("Failed to count a paywall's paid purchases")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            id: "pw_abcdefghij0123456789".into(),
            title: "T".into(),
            teaser: None,
            price_amount: 300,
            currency: "jpy".into(),
            content_markdown: "x".into(),
            content_html: "<p>x</p>".into(),
            status: "active".into(),
            created_at: 1,
            updated_at: 1,
            origins: String::new(),
            mode: "tip".into(),
            suggested_amount: None,
            max_amount: None,
            preset_amounts: "100 500".into(),
            show_count: true,
            free_markdown: String::new(),
            free_html: String::new(),
            image_url: None,
            canonical_url: None,
            creator_id: 1,
        }
    }

    #[test]
    fn a_row_reads_into_plogs_types() {
        let paywall = Paywall::try_from(record()).unwrap();
        assert_eq!(paywall.price, Money::parse(300, "jpy").unwrap());
        assert_eq!((paywall.status, paywall.mode), (PaywallStatus::Active, PaywallMode::Tip));
        assert_eq!(paywall.preset_amounts, vec![100, 500]);
    }

    #[test]
    fn a_corrupt_row_is_an_error_naming_the_row_never_a_default() {
        let corruptions: [fn(&mut Record); 6] = [
            |r| r.id = "../etc/passwd".into(),
            |r| r.status = "deleted".into(),
            |r| r.mode = "auction".into(),
            |r| r.currency = "xyz".into(),
            |r| r.price_amount = 0,
            |r| r.preset_amounts = "100 lots".into(),
        ];
        for corrupt in corruptions {
            let mut row = record();
            corrupt(&mut row);
            let error = Paywall::try_from(row).unwrap_err().to_string();
            assert!(error.contains("paywalls row"), "{error}");
        }
    }
}
