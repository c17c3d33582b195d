//! The command line: `plog serve`, `plog migrate`, `plog paywall create|list|show|update|archive`,
//! `plog pass|gift|code …` (passes, gift links, discount codes), `plog creator add|list`, `plog purchases list`, `plog stats`, `plog reconcile`, `plog backup` and `plog doctor`. Every verb but `serve` talks to the
//! database directly (`PLOG_DATABASE_URL`), so it works with or without a running server.

mod creators;
mod offers;
mod paywall;

pub use paywall::PaywallCommand;
mod sales;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use plog_shared::api::PaywallMode;

use crate::clock::Clock;
use crate::config::{DatabaseConfig, ServeConfig, StripeAccess};
use crate::startup::{Application, shutdown_signal};
use crate::store::{CreatorId, Paywall, Store};

/// plog: sell the rest of an article with one tag.
#[derive(Debug, Parser)]
#[command(name = "plog", version = version(), about)]
pub struct Cli {
    /// How log lines are written: `text`, or `json` (one object per line, for log collectors).
    #[arg(long, global = true, env = "PLOG_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: crate::telemetry::LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `plog --version`: plog's version, the widget build it carries and the Stripe API version it
/// speaks — what a bug report needs.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (widget {}, Stripe API {})",
            env!("CARGO_PKG_VERSION"),
            crate::widget_build::EMBEDDED_HASH,
            crate::stripe::API_VERSION
        )
    })
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (migrations are applied first).
    Serve(Box<ServeConfig>),
    /// Apply database migrations and exit.
    Migrate(DatabaseConfig),
    /// Manage paywalls.
    #[command(subcommand)]
    Paywall(PaywallCommand),
    /// List purchases.
    #[command(subcommand)]
    Purchases(sales::PurchasesCommand),
    /// Passes: many paywalls for a time.
    #[command(subcommand)]
    Pass(offers::PassCommand),
    /// Gift links: one paywall for whoever holds the link.
    #[command(subcommand)]
    Gift(offers::GiftCommand),
    /// Discount codes.
    #[command(subcommand)]
    Code(offers::CodeCommand),
    /// Creators: who else sells on this plog, each seeing only their own.
    #[command(subcommand)]
    Creator(creators::CreatorCommand),
    /// Sales figures: per currency, per paywall, per day, and conversion.
    Stats(sales::StatsArgs),
    /// Settle purchases whose webhook never arrived, from the PaymentIntents Stripe holds.
    Reconcile {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Stripe.
        #[command(flatten)]
        stripe: StripeAccess,
        /// How far back to look, e.g. `24h`, `7d`.
        #[arg(long, default_value = "7d")]
        since: humantime::Duration,
    },
    /// Copy a live SQLite database into FILE, consistently, while plog keeps serving (then
    /// check the copy). PostgreSQL: use pg_dump (the README's "Backups").
    Backup {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Where the copy goes; must not exist.
        file: PathBuf,
    },
    /// Check a setup before going live (keys, the Stripe account, the webhook endpoint and its
    /// API version, the widget, the database, https): one line per check, each problem with its
    /// fix; exits non-zero on any problem.
    Doctor(Box<ServeConfig>),
}

/// Reads `--mode`: `fixed`, `pay-what-you-want` (or `pay_what_you_want`) or `tip`.
fn parse_mode(text: &str) -> Result<PaywallMode, String> {
    PaywallMode::parse(&text.replace('-', "_")).ok_or_else(|| format!("{text:?}: use fixed, pay-what-you-want or tip"))
}

/// The database, migrated, on the plog's own handle (every creator's rows): for the verbs that
/// act on the plog as a whole (`migrate`, `reconcile`, `creator`).
pub(crate) async fn open_plog(database: &DatabaseConfig) -> anyhow::Result<Store> {
    let store = Store::open(database).await?;
    store.migrate().await?;
    Ok(store)
}

/// The database, migrated, on the owner's handle: the paywall, offer and sales verbs are the
/// owner's tools, and read and write the owner's rows only (a standalone plog's all).
pub(crate) async fn open(database: &DatabaseConfig) -> anyhow::Result<Store> {
    Ok(open_plog(database).await?.for_creator(CreatorId::OWNER))
}

pub(crate) fn price_text(paywall: &Paywall) -> String {
    paywall.price.to_string()
}

/// The Markdown of `--content`: a file, or standard input for `-`.
fn read_content(path: &std::path::Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("Failed to read the content from standard input")
    } else {
        std::fs::read_to_string(path).with_context(|| format!("Failed to read {}", path.display()))
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(config) => Application::build(*config).await?.run_until(shutdown_signal()).await,
        Command::Migrate(database) => {
            open_plog(&database).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Paywall(command) => command.run().await,
        Command::Purchases(command) => sales::purchases(command).await,
        Command::Pass(command) => offers::pass(command).await,
        Command::Gift(command) => offers::gift(command).await,
        Command::Code(command) => offers::code(command).await,
        Command::Creator(command) => creators::creator(command).await,
        Command::Stats(args) => sales::stats(args).await,
        Command::Doctor(config) => {
            let findings = crate::doctor::examine(&config).await;
            for finding in &findings {
                println!("{finding}");
            }
            let problems = findings.iter().filter(|f| !f.ok).count();
            anyhow::ensure!(problems == 0, "{problems} problem(s) to fix before going live");
            println!("ready: plog speaks Stripe API {}", crate::stripe::API_VERSION);
            Ok(())
        }
        Command::Backup { database, file } => {
            // Not `open`: a backup never migrates the database it copies.
            let store = Store::open(&database).await?;
            let summary = store.backup_to(&file).await?;
            store.close().await;
            println!(
                "backed up to {}: {} paywall(s), {} purchase(s), {} Stripe event(s); integrity ok",
                file.display(),
                summary.paywalls,
                summary.purchases,
                summary.events
            );
            Ok(())
        }
        Command::Reconcile { database, stripe, since } => {
            let store = open_plog(&database).await?;
            let stripe = crate::stripe::StripeApi::new(&stripe, Default::default())?;
            let since_secs = std::time::Duration::from(since).as_secs() as i64;
            let changes = crate::payments::reconcile::reconcile(
                &store,
                &stripe,
                &crate::payments::tally::Tally::unread(),
                Clock::system().now() - since_secs,
                Clock::system().now(),
            )
            .await?;
            for change in &changes {
                println!("{change}");
            }
            println!("{} purchase(s) settled", changes.len());
            Ok(())
        }
    }
}
