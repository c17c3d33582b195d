//! `plog creator add|list|suspend|reinstate`: the operator's creators. `add` makes a creator and
//! prints their first admin API token (shown this once), which signs them in to the dashboard and
//! the admin API — where they see and change only their own paywalls and sales. `suspend` stops
//! a creator's sales (their readers keep reading); `reinstate` lets them sell again.

use clap::Subcommand;

use super::open_plog;
use crate::clock::Clock;
use crate::config::DatabaseConfig;
use crate::store::CreatorStatus;

/// `plog creator …`.
#[derive(Debug, Subcommand)]
pub enum CreatorCommand {
    /// Add a creator by e-mail address and print their first API token.
    Add {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Their e-mail address.
        email: String,
    },
    /// List the creators, their Stripe accounts and whether they sell.
    List {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Stop a creator's sales (their readers keep reading).
    Suspend {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Their e-mail address.
        email: String,
    },
    /// Let a suspended creator sell again.
    Reinstate {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
        /// Their e-mail address.
        email: String,
    },
}

/// Runs `plog creator …`.
pub(super) async fn creator(command: CreatorCommand) -> anyhow::Result<()> {
    let suspend = matches!(command, CreatorCommand::Suspend { .. });
    match command {
        CreatorCommand::Add { database, email } => {
            let email = crate::receipts::address::normalize(&email)
                .map_err(|_| anyhow::anyhow!("{email:?} is not an e-mail address"))?;
            let store = open_plog(&database).await?;
            let now = Clock::system().now();
            let creator =
                store.add_creator(&email, now).await?.ok_or_else(|| anyhow::anyhow!("{email} is a creator already"))?;
            let made = crate::api_tokens::make(&store.for_creator(creator), "first token", now).await??;
            println!("creator {creator}: {email}");
            println!("{}", made.secret);
        }
        CreatorCommand::List { database } => {
            let store = open_plog(&database).await?;
            println!("{:>6}  {:<9}  {:<24}  {:<5}  EMAIL", "ID", "STATUS", "STRIPE ACCOUNT", "SELLS");
            for creator in store.creators().await? {
                let status = match creator.status {
                    CreatorStatus::Active => "active",
                    CreatorStatus::Suspended => "suspended",
                };
                let sells = if creator.why_not_selling().is_none() { "yes" } else { "no" };
                println!(
                    "{:>6}  {status:<9}  {:<24}  {sells:<5}  {}",
                    creator.id,
                    creator.stripe_account.as_deref().unwrap_or("-"),
                    creator.email.as_deref().unwrap_or("(the owner)")
                );
            }
        }
        CreatorCommand::Suspend { database, email } | CreatorCommand::Reinstate { database, email } => {
            let store = open_plog(&database).await?;
            let creator =
                store.creator_by_email(email.trim()).await?.ok_or_else(|| anyhow::anyhow!("no creator {email}"))?;
            let status = if suspend { CreatorStatus::Suspended } else { CreatorStatus::Active };
            anyhow::ensure!(store.set_creator_status(creator.id, status).await?, "creator {email} cannot be changed");
            println!("creator {}: {email} {}", creator.id, if suspend { "suspended" } else { "reinstated" });
        }
    }
    Ok(())
}
