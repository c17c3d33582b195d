//! `plog pass create|list|archive`, `plog gift create|list|revoke` and `plog code
//! create|list|disable`: the creator's passes, gift links and discount codes, on the database
//! directly, through the same `offers` functions as the admin API and the dashboard.

use clap::Subcommand;
use plog_shared::api::{NewDiscount, NewGift, NewPass, PassScope, Price};
use plog_shared::money::parse_major;
use plog_shared::{Currency, PaywallId};

use super::open;
use crate::clock::Clock;
use crate::config::DatabaseConfig;
use crate::offers::{discounts, gifts, passes};
use crate::report::parse_until;

/// `plog pass …`.
#[derive(Debug, Subcommand)]
pub enum PassCommand {
    /// Create a pass and print its id.
    Create {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// What readers see, e.g. "All articles".
        #[arg(long)]
        title: String,
        /// Price in major units.
        #[arg(long)]
        price: String,
        /// ISO currency code.
        #[arg(long)]
        currency: String,
        /// The site whose paywalls it opens (`https://blog.example`); without it and without
        /// --paywall, every paywall of this plog.
        #[arg(long, conflicts_with = "paywalls")]
        origin: Option<String>,
        /// A paywall it opens (a set pass); repeat for several.
        #[arg(long = "paywall")]
        paywalls: Vec<String>,
        /// How many days it lasts from payment; without it, for good.
        #[arg(long)]
        days: Option<i64>,
    },
    /// List passes with how many were sold.
    List {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Archive a pass: it sells no more; holders keep it until it ends.
    Archive {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Pass id (`pass_…`).
        id: String,
    },
}

/// `plog gift …`.
#[derive(Debug, Subcommand)]
pub enum GiftCommand {
    /// Make a gift link for a paywall and print the fragment to append to the article's address
    /// (shown once: plog keeps only its hash).
    Create {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Paywall id (`pw_…`).
        paywall: String,
        /// A note for yourself.
        #[arg(long)]
        label: Option<String>,
        /// How many browsers may open it.
        #[arg(long)]
        max_opens: Option<i64>,
        /// When it stops opening: a date (2026-12-31), a span from now (7d, 48h) or Unix seconds.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List gift links with their opens and the purchases that followed.
    List {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Only this paywall's links.
        #[arg(long)]
        paywall: Option<String>,
    },
    /// Revoke a gift link at once: it opens nothing more, and its opens lose access.
    Revoke {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Gift link id (`gift_…`).
        id: String,
    },
}

/// `plog code …`.
#[derive(Debug, Subcommand)]
pub enum CodeCommand {
    /// Create a discount code.
    Create {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// The code readers type (case does not matter).
        code: String,
        /// Percent off (1–99).
        #[arg(long, conflicts_with = "amount", required_unless_present = "amount")]
        percent: Option<i64>,
        /// Amount off in major units (with --currency).
        #[arg(long, requires = "currency")]
        amount: Option<String>,
        /// The currency of --amount.
        #[arg(long)]
        currency: Option<String>,
        /// A paywall or pass it applies to; repeat for several; without it, all of them.
        #[arg(long = "for")]
        applies_to: Vec<String>,
        /// From when it works: a date, a span from now or Unix seconds.
        #[arg(long)]
        from: Option<String>,
        /// Until when it works: a date, a span from now or Unix seconds.
        #[arg(long)]
        until: Option<String>,
        /// How many purchases may use it.
        #[arg(long)]
        max_uses: Option<i64>,
    },
    /// List discount codes with their uses.
    List {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Disable a code: it lowers no price from now on.
    Disable {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// The code, or its id (`disc_…`).
        code: String,
    },
}

/// A moment ahead as typed (`report::parse_until`).
fn parse_when(text: &str, now: i64) -> anyhow::Result<i64> {
    parse_until(text, now).map_err(|e| anyhow::anyhow!(e))
}

fn major(text: &str, currency: &str, flag: &str) -> anyhow::Result<Price> {
    let code = Currency::parse(currency).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;
    let amount = parse_major(text.trim(), code).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))?;
    Ok(Price { amount, currency: code.code().to_owned() })
}

fn time_text(at: Option<i64>) -> String {
    at.map_or("-".into(), |at| {
        humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(at.max(0) as u64))
            .to_string()
    })
}

pub(super) async fn pass(command: PassCommand) -> anyhow::Result<()> {
    match command {
        PassCommand::Create { database, title, price, currency, origin, paywalls, days } => {
            let price = major(&price, &currency, "price")?;
            let store = open(&database).await?;
            let scope = if paywalls.is_empty() { PassScope::Site } else { PassScope::Set };
            let new = NewPass { title, price, scope, origin, paywall_ids: paywalls, days };
            let pass = passes::create(&store, &servers_see_it_soon(), &new, Clock::system().now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", pass.id);
            println!("{}", passes::describe(&pass));
        }
        PassCommand::List { database } => {
            let store = open(&database).await?;
            let sold = store.passes_sold().await?;
            println!("{:<26}  {:<8}  {:>6}  PASS", "ID", "STATUS", "SOLD");
            for pass in store.passes().await? {
                let opens = match pass.scope {
                    PassScope::Site if pass.origin.is_empty() => "every paywall".to_owned(),
                    PassScope::Site => format!("every paywall that lists {}", pass.origin),
                    PassScope::Set => pass.paywall_ids.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(" "),
                };
                println!(
                    "{:<26}  {:<8}  {:>6}  {} — {opens}",
                    pass.id,
                    pass.status.as_str(),
                    sold.get(&pass.id).copied().unwrap_or(0),
                    passes::describe(&pass)
                );
            }
        }
        PassCommand::Archive { database, id } => {
            let store = open(&database).await?;
            let pass = passes::archive(&store, &servers_see_it_soon(), &id, Clock::system().now())
                .await
                .map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
            println!("archived {}", pass.id);
        }
    }
    Ok(())
}

pub(super) async fn gift(command: GiftCommand) -> anyhow::Result<()> {
    match command {
        GiftCommand::Create { database, paywall, label, max_opens, expires } => {
            let expires_at = expires.as_deref().map(|t| parse_when(t, Clock::system().now())).transpose()?;
            let store = open(&database).await?;
            let created =
                gifts::create(&store, &paywall, &NewGift { label, max_opens, expires_at }, Clock::system().now())
                    .await
                    .map_err(|e| anyhow::anyhow!("{paywall}: {e}"))?;
            println!("{}", created.gift.id);
            println!("append to the article's address: {}", created.fragment);
        }
        GiftCommand::List { database, paywall } => {
            let store = open(&database).await?;
            println!("{:<26}  {:<24}  {:>9}  {:>10}  {:<20}  LABEL", "ID", "PAYWALL", "OPENS", "PAID AFTER", "EXPIRES");
            let paywall =
                paywall.as_deref().map(PaywallId::parse).transpose().map_err(|e| anyhow::anyhow!("--paywall: {e}"))?;
            for gift in store.gifts(paywall.as_ref()).await? {
                let opens = match gift.max_opens {
                    Some(max) => format!("{}/{max}", gift.opens),
                    None => gift.opens.to_string(),
                };
                let state = if gift.revoked_at.is_some() { " (revoked)" } else { "" };
                println!(
                    "{:<26}  {:<24}  {opens:>9}  {:>10}  {:<20}  {}{state}",
                    gift.id,
                    gift.paywall_id,
                    gift.paid_after,
                    time_text(gift.expires_at),
                    gift.label
                );
            }
        }
        GiftCommand::Revoke { database, id } => {
            let store = open(&database).await?;
            let gift =
                gifts::revoke(&store, &id, Clock::system().now()).await.map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
            println!("revoked {}", gift.id);
        }
    }
    Ok(())
}

pub(super) async fn code(command: CodeCommand) -> anyhow::Result<()> {
    match command {
        CodeCommand::Create { database, code, percent, amount, currency, applies_to, from, until, max_uses } => {
            let now = Clock::system().now();
            let amount_off = match (&amount, &currency) {
                (Some(amount), Some(currency)) => Some(major(amount, currency, "amount")?),
                _ => None,
            };
            let new = NewDiscount {
                code,
                percent_off: percent,
                amount_off,
                applies_to,
                starts_at: from.as_deref().map(|t| parse_when(t, now)).transpose()?,
                ends_at: until.as_deref().map(|t| parse_when(t, now)).transpose()?,
                max_uses,
            };
            let store = open(&database).await?;
            let discount = discounts::create(&store, &servers_see_it_soon(), &new, Clock::system().now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", discount.id);
            println!("{}", discounts::describe(&discount));
        }
        CodeCommand::List { database } => {
            let store = open(&database).await?;
            for discount in store.discounts().await? {
                let scope = if discount.applies_to.is_everything() {
                    "everything".to_owned()
                } else {
                    discount.applies_to.column()
                };
                println!(
                    "{}  — for {scope}; from {} until {}",
                    discounts::describe(&discount),
                    time_text(discount.starts_at),
                    time_text(discount.ends_at)
                );
            }
        }
        CodeCommand::Disable { database, code } => {
            let store = open(&database).await?;
            let discount = discounts::disable(&store, &servers_see_it_soon(), &code)
                .await
                .map_err(|e| anyhow::anyhow!("{code}: {e}"))?;
            println!("disabled {}", discount.code);
        }
    }
    Ok(())
}

/// The command's own cache of what readers are offered, which nothing reads: a running server
/// sees the change within `offers::cache::OFFERS_TTL`.
fn servers_see_it_soon() -> crate::offers::cache::OffersCache {
    crate::offers::cache::OffersCache::default()
}
