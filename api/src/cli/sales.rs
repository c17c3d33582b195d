//! `plog purchases list` and `plog stats`: the creator's sales from the database, as a table for
//! reading, or CSV / JSON for scripts (the same shapes as the CSV export and the admin API).

use std::collections::HashMap;

use clap::{Args, Subcommand, ValueEnum};
use plog_shared::api::{AdminPurchase, CurrencyStats, Stats};
use plog_shared::money::{amount_text, format_major, money_text, parse_major};
use plog_shared::{Currency, PaywallId};

use super::open;
use crate::clock::Clock;
use crate::config::{DatabaseConfig, StripeAccess};
use crate::export::{purchases_csv, utc_time};
use crate::payments::refund::{RefundError, refundable, refundable_purchase};
use crate::report::{self, ReportFilter, parse_since};
use crate::store::PurchaseFilter;

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document (the admin API's shape).
    Json,
    /// CSV with a header row (purchases only).
    Csv,
}

/// `plog purchases …`.
#[derive(Debug, Subcommand)]
pub enum PurchasesCommand {
    /// List purchases, newest first.
    List {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Only this paywall's purchases.
        #[arg(long, value_parser = PaywallId::parse)]
        paywall: Option<PaywallId>,
        /// Only purchases started since: a date (`2026-11-01`), a span back (`7d`, `24h`) or Unix seconds.
        #[arg(long)]
        since: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
        limit: i64,
        /// `table`, `csv` or `json`.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Refund a paid purchase through Stripe (all that is left of it, or --amount). Without
    /// --yes it only says what it would refund. The purchase shows refunded once Stripe's
    /// webhook confirms it.
    Refund {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Stripe.
        #[command(flatten)]
        stripe: StripeAccess,
        /// Purchase id (`pur_…`).
        id: String,
        /// How much, in major units (`50` for ¥50, `0.50` for $0.50); default: all that is left.
        #[arg(long)]
        amount: Option<String>,
        /// Refund for real (the confirm step).
        #[arg(long)]
        yes: bool,
    },
}

/// `plog purchases refund`: says what it would refund; with `yes`, asks Stripe to.
async fn refund(
    database: &DatabaseConfig,
    stripe: &StripeAccess,
    id: &str,
    amount: Option<&str>,
    yes: bool,
) -> anyhow::Result<()> {
    let store = open(database).await?;
    let (purchase, title) = refundable_purchase(&store, id).await?;
    let currency = purchase.price.currency();
    let amount = amount.map(|text| parse_major(text, currency)).transpose()?;
    let asked = money_text(amount.unwrap_or_else(|| refundable(&purchase)), currency);
    if !yes {
        anyhow::bail!(
            "not refunded: this would refund {asked} of {id} ({title}, paid {}); run again with --yes to refund",
            purchase.price
        );
    }
    let stripe = crate::stripe::StripeApi::new(stripe, Default::default())?;
    match crate::payments::refund::refund(&store, &stripe, id, amount).await {
        Ok((made, money)) => {
            println!(
                "refund {} of {money} asked of Stripe ({}); the purchase shows it once Stripe's webhook arrives",
                made.id,
                made.status.as_deref().unwrap_or("pending")
            );
            Ok(())
        }
        Err(RefundError::Store(error)) => Err(error),
        Err(error) => Err(error.into()),
    }
}

/// `plog stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The database.
    #[command(flatten)]
    database: DatabaseConfig,
    /// Only the period since: a date (`2026-11-01`), a span back (`30d`) or Unix seconds.
    #[arg(long)]
    since: Option<String>,
    /// Only paywalls that list this site (`https://blog.example`).
    #[arg(long)]
    site: Option<String>,
    /// `table` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn since_arg(text: Option<&str>) -> anyhow::Result<Option<i64>> {
    text.map(|t| parse_since(t, Clock::system().now()).map_err(|e| anyhow::anyhow!("--since: {e}"))).transpose()
}

/// Runs `plog purchases …`.
pub async fn purchases(command: PurchasesCommand) -> anyhow::Result<()> {
    let (database, paywall, since, limit, format) = match command {
        PurchasesCommand::List { database, paywall, since, limit, format } => (database, paywall, since, limit, format),
        PurchasesCommand::Refund { database, stripe, id, amount, yes } => {
            return refund(&database, &stripe, &id, amount.as_deref(), yes).await;
        }
    };
    let since = since_arg(since.as_deref())?;
    let store = open(&database).await?;
    let titles: HashMap<String, String> =
        store.paywalls().await?.into_iter().map(|p| (p.id.to_string(), p.title)).collect();
    let purchases: Vec<AdminPurchase> =
        store.admin_purchases(&PurchaseFilter { paywall_id: paywall, since, until: None, status: None, limit }).await?;
    match format {
        Format::Csv => {
            use std::io::Write;
            std::io::stdout().write_all(&purchases_csv(&purchases, &titles)?)?;
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "purchases": purchases }))?),
        Format::Table => {
            println!(
                "{:<20}  {:<8}  {:>16}  {:<7}  {:<24}  TITLE",
                "CREATED (UTC)", "STATUS", "AMOUNT", "RECEIPT", "PAYWALL"
            );
            for p in &purchases {
                println!(
                    "{:<20}  {:<8}  {:>16}  {:<7}  {:<24}  {}",
                    utc_time(p.created_at),
                    p.status.as_str(),
                    amount_text(p.price.amount, &p.price.currency),
                    p.receipt.map_or("-", |r| r.as_str()),
                    p.paywall_id,
                    titles.get(&p.paywall_id).map(String::as_str).unwrap_or("")
                );
            }
            println!("{} purchase(s)", purchases.len());
        }
    }
    Ok(())
}

/// Runs `plog stats`.
pub async fn stats(args: StatsArgs) -> anyhow::Result<()> {
    let since = since_arg(args.since.as_deref())?;
    let site = args
        .site
        .as_deref()
        .map(crate::sites::canonical_origin)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--site: {e}"))?;
    let store = open(&args.database).await?;
    let stats = report::build(&store, &ReportFilter { since, site }).await?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
        Format::Csv => anyhow::bail!("--format csv is for purchases; use table or json for stats"),
        Format::Table => print!("{}", stats_table(&stats)),
    }
    Ok(())
}

/// Part of a whole, as a percentage (`report::percent`); `-` when the whole is zero.
fn percent(part: i64, whole: i64) -> String {
    report::percent(part, whole).unwrap_or_else(|| "-".into())
}

fn currency_line(c: &CurrencyStats) -> String {
    let code = Currency::parse(&c.currency).ok();
    let major = |amount: i64| code.map(|code| format_major(amount, code)).unwrap_or_else(|| amount.to_string());
    format!(
        "{:<8}  {:>6}  {:>14}  {:>6}  {:>14}  {:>6}  {:>14}  {:>8}  {:>8}",
        c.currency.to_uppercase(),
        c.paid_count,
        major(c.revenue),
        c.tip_count,
        major(c.tip_revenue),
        c.pass_count,
        major(c.pass_revenue),
        c.refunded_count,
        c.disputed_count
    )
}

/// The report as text.
pub fn stats_table(stats: &Stats) -> String {
    let mut out = String::new();
    let period = stats.since.map(|s| format!("since {}", utc_time(s))).unwrap_or_else(|| "all time".into());
    out += &format!("period: {period}; site: {}\n", stats.site.as_deref().unwrap_or("all"));
    let c = stats.conversion;
    out += &format!(
        "paywalls: {}  views: {}  started: {}  paid: {}  (paid/views {}, paid/started {})\n\n",
        stats.paywalls,
        c.views,
        c.started,
        c.paid,
        percent(c.paid, c.views),
        percent(c.paid, c.started)
    );
    out += &format!(
        "{:<8}  {:>6}  {:>14}  {:>6}  {:>14}  {:>6}  {:>14}  {:>8}  {:>8}\n",
        "CURRENCY", "SALES", "REVENUE", "TIPS", "TIP REVENUE", "PASSES", "PASS REVENUE", "REFUNDED", "DISPUTED"
    );
    for currency in &stats.by_currency {
        out += &currency_line(currency);
        out.push('\n');
    }
    out += &format!(
        "\n{:<24}  {:>6}  {:>7}  {:>6}  {:>5}  {:>10}  TITLE\n",
        "PAYWALL", "VIEWS", "STARTED", "PAID", "GIFTS", "PAID AFTER"
    );
    for p in &stats.by_paywall {
        let paid: i64 = p.by_currency.iter().map(|c| c.paid_count + c.tip_count + c.pass_count).sum();
        out += &format!(
            "{:<24}  {:>6}  {:>7}  {:>6}  {:>5}  {:>10}  {}\n",
            p.paywall_id, p.views, p.started, paid, p.gift_opens, p.paid_after_gifts, p.title
        );
    }
    if !stats.by_day.is_empty() {
        out += &format!("\n{:<10}  {:<8}  {:>6}  {:>16}\n", "DAY (UTC)", "CURRENCY", "PAID", "TAKEN");
        for d in &stats.by_day {
            out += &format!(
                "{:<10}  {:<8}  {:>6}  {:>16}\n",
                d.day,
                d.currency.to_uppercase(),
                d.paid_count + d.tip_count,
                amount_text(d.revenue + d.tip_revenue, &d.currency)
            );
        }
    }
    out
}
