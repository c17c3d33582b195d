//! The command line: `plog serve`, `plog migrate` and `plog paywall create|list|show|archive`.
//! The paywall verbs talk to the database directly, so they work with or without a running
//! server.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use plog_shared::api::{NewPaywall, PaywallMode, Price};
use plog_shared::money::{format_major, parse_major};
use plog_shared::{Currency, Money};

use crate::catalog;
use crate::config::{DatabaseConfig, ServeConfig, StripeAccess};
use crate::startup::{Application, shutdown_signal};
use crate::store::{Paywall, Store};

/// plog: sell the rest of an article with one tag.
#[derive(Debug, Parser)]
#[command(name = "plog", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
        /// File with the paid content in Markdown (`-` for standard input).
        #[arg(long)]
        content: PathBuf,
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
        /// Paywall id.
        id: String,
    },
    /// Archive a paywall: no new purchases; earlier buyers keep access.
    Archive {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Paywall id.
        id: String,
    },
}

/// Reads `--mode`: `fixed`, `pay-what-you-want` (or `pay_what_you_want`) or `tip`.
fn parse_mode(text: &str) -> Result<PaywallMode, String> {
    PaywallMode::parse(&text.replace('-', "_")).ok_or_else(|| format!("{text:?}: use fixed, pay-what-you-want or tip"))
}

async fn open(database: &DatabaseConfig) -> anyhow::Result<Store> {
    let store = Store::open(database).await?;
    store.migrate().await?;
    Ok(store)
}

fn price_text(paywall: &Paywall) -> String {
    match Currency::parse(&paywall.currency) {
        Ok(currency) => Money { amount: paywall.price_amount, currency }.to_string(),
        Err(_) => format!("{} {}", paywall.price_amount, paywall.currency),
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
        Command::Reconcile { database, stripe, since } => {
            let store = open(&database).await?;
            let stripe = crate::stripe::StripeApi::new(&stripe)?;
            let since_secs = std::time::Duration::from(since).as_secs() as i64;
            let changes = crate::reconcile::reconcile(&store, &stripe, crate::store::now() - since_secs).await?;
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
            database, public_url, title, teaser, price, currency, content, origins, mode, suggested, maximum, presets, show_count,
        } => {
            let code = Currency::parse(&currency).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;
            let amount = parse_major(&price, code).map_err(|e| anyhow::anyhow!("--price: {e}"))?;
            let read = |flag: &str, text: &str| parse_major(text.trim(), code).map_err(|e| anyhow::anyhow!("--{flag}: {e}"));
            let suggested_amount = suggested.as_deref().map(|t| read("suggested", t)).transpose()?;
            let max_amount = maximum.as_deref().map(|t| read("maximum", t)).transpose()?;
            let preset_amounts = presets.iter().map(|t| read("presets", t)).collect::<anyhow::Result<Vec<_>>>()?;
            let content_markdown = if content.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("Failed to read the content from standard input")?
            } else {
                std::fs::read_to_string(&content).with_context(|| format!("Failed to read {}", content.display()))?
            };
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
            let paywall = catalog::create(&store, &new).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", paywall.id);
            println!("{}", catalog::tag(public_url.trim_end_matches('/'), &paywall.id));
            Ok(())
        }
        PaywallCommand::List { database } => {
            let store = open(&database).await?;
            println!("{:<24}  {:<8}  {:>14}  TITLE", "ID", "STATUS", "PRICE");
            for paywall in store.paywalls().await? {
                println!("{:<24}  {:<8}  {:>14}  {}", paywall.id, paywall.status, price_text(&paywall), paywall.title);
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
            println!("status:   {}", paywall.status);
            println!("sites:    {}", if paywall.origins.is_empty() { "any" } else { &paywall.origins });
            println!("mode:     {}", paywall.mode);
            if let Ok(currency) = Currency::parse(&paywall.currency) {
                if paywall.mode().reader_chooses() {
                    println!("maximum:  {}", format_major(paywall.maximum(), currency));
                }
                if let Some(suggested) = paywall.suggested_amount {
                    println!("suggested: {}", format_major(suggested, currency));
                }
                if !paywall.preset_amounts.is_empty() {
                    let presets: Vec<String> = paywall.presets().iter().map(|a| format_major(*a, currency)).collect();
                    println!("presets:  {}", presets.join(", "));
                }
            }
            println!("tag:      {}", catalog::tag(public_url.trim_end_matches('/'), &paywall.id));
            Ok(())
        }
        PaywallCommand::Archive { database, id } => {
            let store = open(&database).await?;
            let paywall = catalog::archive(&store, &id).await.map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
            println!("archived {}", paywall.id);
            Ok(())
        }
    }
}
