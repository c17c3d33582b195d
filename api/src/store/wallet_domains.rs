//! The `wallet_domains` table: each site's host as registered with Stripe for wallets on one
//! account — the plog's own, or a creator's connected account, where that creator's sales are
//! made — and what Stripe answered (a status per wallet, or why the registration failed).

use anyhow::Context;
use plog_shared::api::{WalletDomain, WalletState};

use super::sql::Sql;
use super::{Store, corrupt};

/// How the plog's own account is stored in `wallet_domains.account` (a primary key's column
/// cannot be null); a connected account is stored as its id.
const OWN_ACCOUNT: &str = "";

/// A row as stored.
#[derive(sqlx::FromRow)]
struct Record {
    account: String,
    domain: String,
    stripe_id: Option<String>,
    apple_pay: String,
    google_pay: String,
    link: String,
    problem: Option<String>,
    checked_at: i64,
}

impl TryFrom<Record> for WalletDomain {
    type Error = sqlx::Error;

    fn try_from(row: Record) -> Result<WalletDomain, sqlx::Error> {
        let state = |text: &str| {
            WalletState::parse(text).ok_or_else(|| corrupt("wallet_domains", &row.domain, "a wallet's status"))
        };
        Ok(WalletDomain {
            apple_pay: state(&row.apple_pay)?,
            google_pay: state(&row.google_pay)?,
            link: state(&row.link)?,
            domain: row.domain,
            stripe_id: row.stripe_id,
            problem: row.problem,
            checked_at: row.checked_at,
        })
    }
}

impl Store {
    /// The domains registered or tried on `account` (`None`: the plog's own), by name; on a
    /// creator's handle, only the domains of the sites their paywalls list.
    #[tracing::instrument(skip_all)]
    pub async fn wallet_domains_on(&self, account: Option<&str>) -> anyhow::Result<Vec<WalletDomain>> {
        let records: Vec<Record> = Sql::new(
            "select account, domain, stripe_id, apple_pay, google_pay, link, problem, checked_at from wallet_domains \
             where account = $1 order by domain",
        )
        .bind(account.unwrap_or(OWN_ACCOUNT))
        .fetch_all(&self.pool)
        .await
        .context("Failed to read the wallet domains")?;
        let domains: Vec<WalletDomain> = records.into_iter().map(WalletDomain::try_from).collect::<Result<_, _>>()?;
        if self.scope.is_none() {
            return Ok(domains);
        }
        let hosts: std::collections::HashSet<String> = self
            .paywalls()
            .await?
            .iter()
            .flat_map(|paywall| crate::sites::origin_list(&paywall.origins))
            .filter_map(|origin| url::Url::parse(&origin).ok()?.host_str().map(str::to_owned))
            .collect();
        Ok(domains.into_iter().filter(|d| hosts.contains(&d.domain)).collect())
    }

    /// Every registration, on every account (`None`: the plog's own): what the sweep weighs.
    #[tracing::instrument(skip_all)]
    pub async fn wallet_registrations(&self) -> anyhow::Result<Vec<(Option<String>, WalletDomain)>> {
        let records: Vec<Record> = Sql::new(
            "select account, domain, stripe_id, apple_pay, google_pay, link, problem, checked_at from wallet_domains \
             order by account, domain",
        )
        .fetch_all(&self.pool)
        .await
        .context("Failed to read the wallet domains")?;
        let mut registrations = Vec::with_capacity(records.len());
        for record in records {
            let account = Some(record.account.clone()).filter(|a| a != OWN_ACCOUNT);
            registrations.push((account, WalletDomain::try_from(record)?));
        }
        Ok(registrations)
    }

    /// Keeps what Stripe answered for a domain on `account` (`None`: the plog's own), replacing
    /// what was kept before.
    #[tracing::instrument(skip_all, fields(domain = %domain.domain))]
    pub async fn keep_wallet_domain(&self, account: Option<&str>, domain: &WalletDomain) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new(
            "insert into wallet_domains (account, domain, stripe_id, apple_pay, google_pay, link, problem, checked_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (account, domain) do update set stripe_id = excluded.stripe_id, \
             apple_pay = excluded.apple_pay, google_pay = excluded.google_pay, link = excluded.link, \
             problem = excluded.problem, checked_at = excluded.checked_at",
        )
        .bind(account.unwrap_or(OWN_ACCOUNT))
        .bind(domain.domain.as_str())
        .bind(domain.stripe_id.as_deref())
        .bind(domain.apple_pay.as_str())
        .bind(domain.google_pay.as_str())
        .bind(domain.link.as_str())
        .bind(domain.problem.as_deref())
        .bind(domain.checked_at)
        .execute(&self.pool)
        .await
        .context("Failed to keep a wallet domain")?;
        Ok(())
    }
}
