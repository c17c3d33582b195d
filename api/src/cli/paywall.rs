//! `plog paywall …`: one struct per command, each with its options and what it does.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use plog_shared::PaywallId;
use plog_shared::api::{NewPaywall, PaywallMode, PaywallPatch, Price};
use plog_shared::money::{Currency, format_major, parse_major};

use super::{open, parse_mode, price_text, read_content};
use crate::catalog;
use crate::clock::Clock;
use crate::config::DatabaseConfig;

/// `plog paywall …`.
#[derive(Debug, Subcommand)]
pub enum PaywallCommand {
    /// Create a paywall and print its id and the tag to paste.
    Create(CreatePaywall),
    /// List paywalls.
    List(ListPaywall),
    /// Show one paywall and its tag.
    Show(ShowPaywall),
    /// Change a paywall: only the options given change; a refused change changes nothing.
    Update(UpdatePaywall),
    /// Archive a paywall: no new purchases; earlier buyers keep access.
    Archive(ArchivePaywall),
}

impl PaywallCommand {
    /// Runs the command.
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            PaywallCommand::Create(command) => command.run().await,
            PaywallCommand::List(command) => command.run().await,
            PaywallCommand::Show(command) => command.run().await,
            PaywallCommand::Update(command) => command.run().await,
            PaywallCommand::Archive(command) => command.run().await,
        }
    }
}

/// Create a paywall and print its id and the tag to paste.
#[derive(Debug, Args)]
pub struct CreatePaywall {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Public origin of the plog server, written into the tag.
    #[arg(long, env = "PLOG_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// Title shown on the paywall.
    #[arg(long)]
    pub title: String,
    /// Free teaser shown before the price.
    #[arg(long)]
    pub teaser: Option<String>,
    /// Price in major units: `100` for ¥100, `1.50` for $1.50.
    #[arg(long)]
    pub price: String,
    /// ISO currency code, e.g. jpy, usd, eur.
    #[arg(long)]
    pub currency: String,
    /// File with the paid content in Markdown (`-` for standard input). A tip jar may leave
    /// it out: readers then get a default thank-you in their language.
    #[arg(long)]
    pub content: Option<PathBuf>,
    /// Origin of a blog it sells on (`https://blog.example`); repeat for several. Without
    /// it, the paywall sells on any site.
    #[arg(long = "origin")]
    pub origins: Vec<String>,
    /// `fixed` (default), `pay-what-you-want` (--price is the minimum) or `tip` (--price is
    /// the smallest tip; --content is the thank-you message).
    #[arg(long, default_value = "fixed", value_parser = parse_mode)]
    pub mode: PaywallMode,
    /// Suggested amount, major units (pay what you want).
    #[arg(long)]
    pub suggested: Option<String>,
    /// The most a reader may pay, major units (pay what you want, tip).
    #[arg(long)]
    pub maximum: Option<String>,
    /// One-tap tip amounts, major units, comma-separated (e.g. `100,500,1000`).
    #[arg(long, value_delimiter = ',')]
    pub presets: Vec<String>,
    /// Show readers how many tips were paid.
    #[arg(long)]
    pub show_count: bool,
    /// File with the free part in Markdown, shown above the paywall on its article page.
    #[arg(long)]
    pub free: Option<PathBuf>,
    /// An image for link previews of the article page (`https://…`).
    #[arg(long)]
    pub image_url: Option<String>,
    /// The original post, if the article lives elsewhere too (the page's `rel=canonical`).
    #[arg(long)]
    pub canonical_url: Option<String>,
}

impl CreatePaywall {
    /// Runs it.
    pub async fn run(self) -> anyhow::Result<()> {
        let CreatePaywall {
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
            free,
            image_url,
            canonical_url,
        } = self;
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
            free_markdown: free.as_deref().map(read_content).transpose()?.unwrap_or_default(),
            image_url,
            canonical_url,
        };
        let paywall = catalog::create(&store, &new, Clock::system().now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("{}", paywall.id);
        println!("{}", catalog::tag(public_url.trim_end_matches('/'), &paywall.id));
        println!("pay link: {}", catalog::page_url(&public_url, &paywall.id));
        Ok(())
    }
}

/// List paywalls.
#[derive(Debug, Args)]
pub struct ListPaywall {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseConfig,
}

impl ListPaywall {
    /// Runs it.
    pub async fn run(self) -> anyhow::Result<()> {
        let ListPaywall { database } = self;
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
}

/// Show one paywall and its tag.
#[derive(Debug, Args)]
pub struct ShowPaywall {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Public origin of the plog server, written into the tag.
    #[arg(long, env = "PLOG_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// Paywall id (`pw_…`).
    #[arg(value_parser = PaywallId::parse)]
    pub id: PaywallId,
}

impl ShowPaywall {
    /// Runs it.
    pub async fn run(self) -> anyhow::Result<()> {
        let ShowPaywall { database, public_url, id } = self;
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
        println!("pay link: {}", catalog::page_url(&public_url, &paywall.id));
        Ok(())
    }
}

/// Change a paywall: only the options given change; a refused change changes nothing.
#[derive(Debug, Args)]
pub struct UpdatePaywall {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Paywall id (`pw_…`).
    #[arg(value_parser = PaywallId::parse)]
    pub id: PaywallId,
    /// New title.
    #[arg(long)]
    pub title: Option<String>,
    /// New teaser (`""` removes it).
    #[arg(long)]
    pub teaser: Option<String>,
    /// New price in major units (in --currency, or the paywall's currency).
    #[arg(long)]
    pub price: Option<String>,
    /// New currency (give --price with it).
    #[arg(long, requires = "price")]
    pub currency: Option<String>,
    /// File with the new paid content in Markdown (`-` for standard input).
    #[arg(long)]
    pub content: Option<PathBuf>,
    /// The blogs it sells on, replacing the list; repeat for several.
    #[arg(long = "origin", conflicts_with = "any_site")]
    pub origins: Vec<String>,
    /// Sell on any site again (clears the list of origins).
    #[arg(long)]
    pub any_site: bool,
    /// New mode: `fixed`, `pay-what-you-want` or `tip`.
    #[arg(long, value_parser = parse_mode)]
    pub mode: Option<PaywallMode>,
    /// New suggested amount, major units.
    #[arg(long)]
    pub suggested: Option<String>,
    /// New maximum, major units.
    #[arg(long)]
    pub maximum: Option<String>,
    /// New tip presets, major units, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub presets: Option<Vec<String>>,
    /// Show readers how many tips were paid (`true` or `false`).
    #[arg(long)]
    pub show_count: Option<bool>,
    /// File with the new free part in Markdown (an empty file removes it).
    #[arg(long)]
    pub free: Option<PathBuf>,
    /// New preview image (`""` removes it).
    #[arg(long)]
    pub image_url: Option<String>,
    /// New original post (`""` removes it).
    #[arg(long)]
    pub canonical_url: Option<String>,
}

impl UpdatePaywall {
    /// Runs it.
    pub async fn run(self) -> anyhow::Result<()> {
        let UpdatePaywall {
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
            free,
            image_url,
            canonical_url,
        } = self;
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
            free_markdown: free.as_deref().map(read_content).transpose()?,
            image_url,
            canonical_url,
        };
        // A running server sees the new origins within `catalog::ORIGINS_TTL`.
        let paywall = catalog::update(&store, &Default::default(), &id, &patch, Clock::system().now())
            .await
            .map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
        println!("updated {}: {} at {}", paywall.id, paywall.title, price_text(&paywall));
        Ok(())
    }
}

/// Archive a paywall: no new purchases; earlier buyers keep access.
#[derive(Debug, Args)]
pub struct ArchivePaywall {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Paywall id (`pw_…`).
    #[arg(value_parser = PaywallId::parse)]
    pub id: PaywallId,
}

impl ArchivePaywall {
    /// Runs it.
    pub async fn run(self) -> anyhow::Result<()> {
        let ArchivePaywall { database, id } = self;
        let store = open(&database).await?;
        let paywall =
            catalog::archive(&store, &id, Clock::system().now()).await.map_err(|e| anyhow::anyhow!("{id}: {e}"))?;
        println!("archived {}", paywall.id);
        Ok(())
    }
}
