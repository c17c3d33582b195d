//! The `gift_links` and `gift_opens` tables: links that open one paywall for whoever holds them
//! (only the code's hash is kept), and the access tokens their openings gave out. A link's cap
//! is held by one conditional update, so twenty browsers opening at once get exactly the opens
//! that are left.

use anyhow::Context;
use plog_shared::{GiftId, PaywallId};

use super::Store;
use super::sql::Sql;

/// A gift link as stored (with its figures).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Gift {
    /// Its id.
    #[sqlx(try_from = "String")]
    pub id: GiftId,
    /// The paywall it opens.
    #[sqlx(try_from = "String")]
    pub paywall_id: PaywallId,
    /// The creator's note.
    pub label: String,
    /// Most opens.
    pub max_opens: Option<i64>,
    /// Opens so far.
    pub opens: i64,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// Unix seconds.
    pub revoked_at: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
    /// Paid purchases of the paywall since the link was first opened.
    pub paid_after: i64,
}

/// A gift link to insert.
#[derive(Debug, Clone)]
pub struct NewGiftLink {
    /// Its id.
    pub id: GiftId,
    /// The paywall.
    pub paywall_id: PaywallId,
    /// SHA-256 of the code.
    pub code_hash: String,
    /// The creator's note.
    pub label: String,
    /// Most opens.
    pub max_opens: Option<i64>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
}

/// What opening a link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GiftOpen {
    /// Opened: the paywall's paid HTML (the token given is stored).
    Opened(String),
    /// No link of this paywall has that code.
    Unknown,
    /// Revoked by the creator.
    Revoked,
    /// Past its expiry.
    Expired,
    /// Every open it allows is taken.
    UsedUp,
}

/// A gift link's columns and figures, before a `where`.
macro_rules! select {
    () => {
        "select g.id, g.paywall_id, g.label, g.max_opens, g.opens, g.expires_at, g.revoked_at, g.created_at, \
      (select count(*) from purchases p where p.paywall_id = g.paywall_id and p.status = 'paid' \
         and p.paid_at >= (select min(o.opened_at) from gift_opens o where o.gift_id = g.id)) as paid_after \
    from gift_links g "
    };
}

impl Store {
    /// Inserts a gift link of one of this handle's creator's paywalls (the link is the
    /// paywall's creator's); an error if they have no such paywall.
    #[tracing::instrument(skip_all)]
    pub async fn insert_gift(&self, gift: &NewGiftLink, now: i64) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        let inserted = Sql::new(
            "insert into gift_links (id, paywall_id, code_hash, label, max_opens, expires_at, created_at, creator_id) \
             select $1, $2, $3, $4, $5, $6, $7, creator_id from paywalls \
             where id = $2 and (cast($8 as bigint) is null or creator_id = $8)",
        )
        .bind(gift.id.as_str())
        .bind(gift.paywall_id.as_str())
        .bind(&gift.code_hash)
        .bind(&gift.label)
        .bind(gift.max_opens)
        .bind(gift.expires_at)
        .bind(now)
        .bind(self.scope_arg())
        .execute(&self.pool)
        .await
        .context("Failed to insert a gift link")?;
        anyhow::ensure!(inserted == 1, "no paywall {} of this creator for a gift link", gift.paywall_id);
        Ok(())
    }

    /// Gift links (of this handle's creator), newest first; of one paywall if given.
    #[tracing::instrument(skip_all)]
    pub async fn gifts(&self, paywall_id: Option<&PaywallId>) -> anyhow::Result<Vec<Gift>> {
        Sql::new(concat!(
            select!(),
            "where (cast($1 as text) is null or g.paywall_id = $1) \
               and (cast($2 as bigint) is null or g.creator_id = $2) order by g.created_at desc, g.id"
        ))
        .bind(paywall_id.map(PaywallId::as_str))
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to list gift links")
    }

    /// One gift link (of this handle's creator).
    #[tracing::instrument(skip_all)]
    pub async fn gift(&self, id: &GiftId) -> anyhow::Result<Option<Gift>> {
        Sql::new(concat!(select!(), "where g.id = $1 and (cast($2 as bigint) is null or g.creator_id = $2)"))
            .bind(id.as_str())
            .bind(self.scope_arg())
            .fetch_optional(&self.pool)
            .await
            .context("Failed to read a gift link")
    }

    /// Revokes a link at once: its openings no longer unlock. `false` if there is no such link
    /// (of this handle's creator).
    #[tracing::instrument(skip_all)]
    pub async fn revoke_gift(&self, id: &GiftId, now: i64) -> anyhow::Result<bool> {
        let _turn = self.writer_turn().await;
        let found: Option<(String,)> = Sql::new(
            "update gift_links set revoked_at = coalesce(revoked_at, $2) \
             where id = $1 and (cast($3 as bigint) is null or creator_id = $3) returning id",
        )
        .bind(id.as_str())
        .bind(now)
        .bind(self.scope_arg())
        .fetch_optional(&self.pool)
        .await
        .context("Failed to revoke a gift link")?;
        Ok(found.is_some())
    }

    /// Opens a link of `paywall_id` by its code's hash, giving out the token whose hash is
    /// `token_hash`: the open is taken by one conditional update (unrevoked, unexpired, below
    /// its cap), so concurrent openers never exceed the cap.
    #[tracing::instrument(skip_all)]
    pub async fn open_gift(
        &self,
        paywall_id: &PaywallId,
        code_hash: &str,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<GiftOpen> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            let taken: Option<(String,)> = Sql::new(
                "update gift_links set opens = opens + 1 where code_hash = $1 and paywall_id = $2 \
                   and revoked_at is null and (expires_at is null or expires_at > $3) \
                   and (max_opens is null or opens < max_opens) returning id",
            )
            .bind(code_hash)
            .bind(paywall_id.as_str())
            .bind(now)
            .fetch_optional(&mut tx)
            .await?;
            let Some((gift_id,)) = taken else {
                let why: Option<(Option<i64>, Option<i64>)> =
                    Sql::new("select revoked_at, expires_at from gift_links where code_hash = $1 and paywall_id = $2")
                        .bind(code_hash)
                        .bind(paywall_id.as_str())
                        .fetch_optional(&mut tx)
                        .await?;
                tx.rollback().await?;
                return Ok(match why {
                    None => GiftOpen::Unknown,
                    Some((Some(_), _)) => GiftOpen::Revoked,
                    Some((None, Some(expires))) if expires <= now => GiftOpen::Expired,
                    Some(_) => GiftOpen::UsedUp,
                });
            };
            Sql::new("insert into gift_opens (token_hash, gift_id, opened_at) values ($1, $2, $3)")
                .bind(token_hash)
                .bind(&gift_id)
                .bind(now)
                .execute(&mut tx)
                .await?;
            let html: String = Sql::new("select content_html from paywalls where id = $1")
                .bind(paywall_id.as_str())
                .fetch_value(&mut tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(GiftOpen::Opened(html))
        }
        .await
        .context("Failed to open a gift link")
    }

    /// Gift opens per paywall since `since`, and paid purchases of each such paywall since the
    /// first open of one of its links (the report's "purchases that followed"); of this handle's
    /// creator's links.
    #[tracing::instrument(skip_all)]
    pub async fn gift_figures(&self, since: i64) -> anyhow::Result<Vec<(PaywallId, i64, i64)>> {
        let rows: Vec<(String, i64, i64)> = Sql::new(
            "with opened as (select g.paywall_id, count(*) as opens, min(o.opened_at) as first_open \
               from gift_opens o join gift_links g on g.id = o.gift_id \
               where o.opened_at >= $1 and (cast($2 as bigint) is null or g.creator_id = $2) group by g.paywall_id) \
             select opened.paywall_id, cast(opened.opens as bigint), \
               cast((select count(*) from purchases p where p.paywall_id = opened.paywall_id and p.status = 'paid' \
                 and p.paid_at >= opened.first_open) as bigint) \
             from opened",
        )
        .bind(since)
        .bind(self.scope_arg())
        .fetch_all(&self.pool)
        .await
        .context("Failed to read gift figures")?;
        rows.into_iter()
            .map(|(id, opens, paid)| {
                Ok((PaywallId::parse(&id).map_err(|e| super::corrupt("gift_links", &id, e))?, opens, paid))
            })
            .collect()
    }
}
