//! The command line: `plog serve`, `plog migrate`, `plog paywall create|list|show|update|archive`,
//! `plog pass|gift|code …` (passes, gift links, discount codes), `plog purchases list`, `plog stats`, `plog reconcile`, `plog backup` and `plog doctor`. Every verb but `serve` talks to the
//! database directly (`PLOG_DATABASE_URL`), so it works with or without a running server.

mod offers;
mod sales;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use plog_shared::api::{NewPaywall, PaywallMode, PaywallPatch, Price};
use plog_shared::money::{format_major, parse_major};
use plog_shared::{Currency, PaywallId};

use crate::catalog;
use crate::clock::Clock;
use crate::config::{DatabaseConfig, ServeConfig, StripeAccess};
use crate::startup::{Application, shutdown_signal};
use crate::store::{Paywall, Store};

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

/// `plog paywall …`.
#[derive(Debug, Subcommand)]
pub enum PaywallCommand {
    /// Create a paywall and print its id and the tag to paste.
    Create {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Public origin of the plog server, written into the tag.
        #[arg(long, env = "PLOG_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
        /// Title shown on the paywall.
        #[arg(long)]
        title: String,
        /// Free teaser shown before the price.
        #[arg(long)]
        teaser: Option<String>,
        /// Price in major units: `100` for ¥100, `1.50` for $1.50.
        #[arg(long)]
        price: String,
        /// ISO currency code, e.g. jpy, usd, eur.
        #[arg(long)]
        currency: String,
        /// File with the paid content in Markdown (`-` for standard input). A tip jar may leave
        /// it out: readers then get a default thank-you in their language.
        #[arg(long)]
        content: Option<PathBuf>,
        /// Origin of a blog it sells on (`https://blog.example`); repeat for several. Without
        /// it, the paywall sells on any site.
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// `fixed` (default), `pay-what-you-want` (--price is the minimum) or `tip` (--price is
        /// the smallest tip; --content is the thank-you message).
        #[arg(long, default_value = "fixed", value_parser = parse_mode)]
        mode: PaywallMode,
        /// Suggested amount, major units (pay what you want).
        #[arg(long)]
        suggested: Option<String>,
        /// The most a reader may pay, major units (pay what you want, tip).
        #[arg(long)]
        maximum: Option<String>,
        /// One-tap tip amounts, major units, comma-separated (e.g. `100,500,1000`).
        #[arg(long, value_delimiter = ',')]
        presets: Vec<String>,
        /// Show readers how many tips were paid.
        #[arg(long)]
        show_count: bool,
    },
    /// List paywalls.
    List {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Show one paywall and its tag.
    Show {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Public origin of the plog server, written into the tag.
        #[arg(long, env = "PLOG_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
        /// Paywall id (`pw_…`).
        #[arg(value_parser = PaywallId::parse)]
        id: PaywallId,
    },
    /// Change a paywall: only the options given change; a refused change changes nothing.
    Update {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Paywall id (`pw_…`).
        #[arg(value_parser = PaywallId::parse)]
        id: PaywallId,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New teaser (`""` removes it).
        #[arg(long)]
        teaser: Option<String>,
        /// New price in major units (in --currency, or the paywall's currency).
        #[arg(long)]
        price: Option<String>,
        /// New currency (give --price with it).
        #[arg(long, requires = "price")]
        currency: Option<String>,
        /// File with the new paid content in Markdown (`-` for standard input).
        #[arg(long)]
        content: Option<PathBuf>,
        /// The blogs it sells on, replacing the list; repeat for several.
        #[arg(long = "origin", conflicts_with = "any_site")]
        origins: Vec<String>,
        /// Sell on any site again (clears the list of origins).
        #[arg(long)]
        any_site: bool,
        /// New mode: `fixed`, `pay-what-you-want` or `tip`.
        #[arg(long, value_parser = parse_mode)]
        mode: Option<PaywallMode>,
        /// New suggested amount, major units.
        #[arg(long)]
        suggested: Option<String>,
        /// New maximum, major units.
        #[arg(long)]
        maximum: Option<String>,
        /// New tip presets, major units, comma-separated.
        #[arg(long, value_delimiter = ',')]
        presets: Option<Vec<String>>,
        /// Show readers how many tips were paid (`true` or `false`).
        #[arg(long)]
        show_count: Option<bool>,
    },
    /// Archive a paywall: no new purchases; earlier buyers keep access.
    Archive {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Paywall id (`pw_…`).
        #[arg(value_parser = PaywallId::parse)]
        id: PaywallId,
    },
}

/// Reads `--mode`: `fixed`, `pay-what-you-want` (or `pay_what_you_want`) or `tip`.
fn parse_mode(text: &str) -> Result<PaywallMode, String> {
    PaywallMode::parse(&text.replace('-', "_")).ok_or_else(|| format!("{text:?}: use fixed, pay-what-you-want or tip"))
}

pub(crate) async fn open(database: &DatabaseConfig) -> anyhow::Result<Store> {
    let store = Store::open(database).await?;
    store.migrate().await?;
    Ok(store)
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
            open(&database).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Paywall(command) => paywall(command).await,
        Command::Purchases(command) => sales::purchases(command).await,
        Command::Pass(command) => offers::pass(command).await,
        Command::Gift(command) => offers::gift(command).await,
        Command::Code(command) => offers::code(command).await,
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
            let store = open(&database).await?;
            let stripe = crate::stripe::StripeApi::new(&stripe, store.metrics().clone())?;
            let since_secs = std::time::Duration::from(since).as_secs() as i64;
            let changes = crate::payments::reconcile::reconcile(
                &store,
                &stripe,
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

async fn paywall(command: PaywallCommand) -> anyhow::Result<()> {
    match command {
        PaywallCommand::Create {
            database,
            public_url,
            title,
            teaser,
            price,
            currency,
            content,
            origins,
            mode,
            suggested,
            maximum,
            presets,
            show_count,
        } => {
            let code = Currency::parse(&currency).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;
            let amount = parse_major(&price, code).map_err(|e| anyhow::anyhow!("--price: {e}"))?;
            let read =
                |flag: &str, text: &str| parse_major(text.trim(), code).map_err(|e| anyhow::anyhow!("--{flag}: {e}"));
            let suggested_amount = suggested.as_deref().map(|t| read("suggested", t)).transpose()?;
            let max_amount = maximum.as_deref().map(|t| read("maximum", t)).transpose()?;
            let preset_amounts = presets.iter().map(|t| read("presets", t)).collect::<anyhow::Result<Vec<_>>>()?;
            let content_markdown = content.as_deref().map(read_content).transpose()?.unwrap_or_default();
            let store = open(&database).await?;
            let new = NewPaywall {
                title,
                teaser,
                price: Price { amount, currency: code.code().to_owned() },
                content_markdown,
                origins,
                mode,
                suggested_amount,
                max_amount,
                preset_amounts,
                show_count,
            };
            let paywall =
                catalog::create(&store, &new, Clock::system().now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", paywall.id);
            println!("{}", catalog::tag(public_url.trim_end_matches('/'), &paywall.id));
            Ok(())
        }
        PaywallCommand::List { database } => {
            let store = open(&database).await?;
            println!("{:<24}  {:<8}  {:>14}  TITLE", "ID", "STATUS", "PRICE");
            for paywall in store.paywalls().await? {
                println!(
                    "{:<24}  {:<8}  {:>14}  {}",
                    paywall.id,
                    paywall.status.as_str(),
                    price_text(&paywall),
                    paywall.title
                );
            }
            Ok(())
        }
        PaywallCommand::Show { database, public_url, id } => {
            let store = open(&database).await?;
            let paywall = catalog::find(&store, &id).await.map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
            println!("id:       {}", paywall.id);
            println!("title:    {}", paywall.title);
            println!("teaser:   {}", paywall.teaser.as_deref().unwrap_or("-"));
            println!("price:    {}", price_text(&paywall));
            println!("status:   {}", paywall.status.as_str());
            println!("sites:    {}", if paywall.origins.is_empty() { "any" } else { &paywall.origins });
            println!("mode:     {}", paywall.mode.as_str());
            let currency = paywall.price.currency();
            if paywall.mode.reader_chooses() {
                println!("maximum:  {}", format_major(paywall.maximum(), currency));
            }
            if let Some(suggested) = paywall.suggested_amount {
                println!("suggested: {}", format_major(suggested, currency));
            }
            if !paywall.preset_amounts.is_empty() {
                let presets: Vec<String> = paywall.preset_amounts.iter().map(|a| format_major(*a, currency)).collect();
                println!("presets:  {}", presets.join(", "));
            }
            println!("tag:      {}", catalog::tag(public_url.trim_end_matches('/'), &paywall.id));
            Ok(())
        }
        PaywallCommand::Update {
            database,
            id,
            title,
            teaser,
            price,
            currency,
            content,
            origins,
            any_site,
            mode,
            suggested,
            maximum,
            presets,
            show_count,
        } => {
            let store = open(&database).await?;
            let current = catalog::find(&store, &id).await.map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
            // Amounts are read in the currency the paywall will have.
            let code = match currency.as_deref() {
                Some(code) => Currency::parse(code).map_err(|e| anyhow::anyhow!("--currency: {e}"))?,
                None => current.price.currency(),
            };
            let read =
                |flag: &str, text: &str| parse_major(text.trim(), code).map_err(|e| anyhow::anyhow!("--{flag}: {e}"));
            let patch = PaywallPatch {
                title,
                teaser,
                price: price
                    .as_deref()
                    .map(|t| read("price", t).map(|amount| Price { amount, currency: code.code().to_owned() }))
                    .transpose()?,
                content_markdown: content.as_deref().map(read_content).transpose()?,
                origins: if any_site { Some(Vec::new()) } else { Some(origins).filter(|o| !o.is_empty()) },
                mode,
                suggested_amount: suggested.as_deref().map(|t| read("suggested", t)).transpose()?,
                max_amount: maximum.as_deref().map(|t| read("maximum", t)).transpose()?,
                preset_amounts: presets
                    .map(|list| list.iter().map(|t| read("presets", t)).collect::<anyhow::Result<Vec<_>>>())
                    .transpose()?,
                show_count,
            };
            let paywall = catalog::update(&store, &id, &patch, Clock::system().now())
                .await
                .map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
            println!("updated {}: {} at {}", paywall.id, paywall.title, price_text(&paywall));
            Ok(())
        }
        PaywallCommand::Archive { database, id } => {
            let store = open(&database).await?;
            let paywall =
                catalog::archive(&store, &id, Clock::system().now()).await.map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
            println!("archived {}", paywall.id);
            Ok(())
        }
    }
}
