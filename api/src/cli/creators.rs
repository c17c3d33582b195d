//! `plog creator add|list`: the operator's creators, until they sign up themselves. `add` makes a
//! creator and prints their first admin API token (shown this once), which signs them in to the
//! dashboard and the admin API — where they see and change only their own paywalls and sales.

use clap::Subcommand;
use plog_shared::TokenId;

use super::open_plog;
use crate::clock::Clock;
use crate::config::DatabaseConfig;
use crate::store::CreatorStatus;
use crate::tokens::{new_creator_token, new_id, token_hash};

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
    /// List the creators.
    List {
        /// The database.
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

/// Runs `plog creator …`.
pub(super) async fn creator(command: CreatorCommand) -> anyhow::Result<()> {
    match command {
        CreatorCommand::Add { database, email } => {
            let email = email.trim().to_lowercase();
            let looks_like_address = email.split_once('@').is_some_and(|(local, host)| {
                !local.is_empty() && host.contains('.') && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            });
            anyhow::ensure!(looks_like_address, "{email:?} is not an e-mail address");
            let store = open_plog(&database).await?;
            let now = Clock::system().now();
            let creator =
                store.add_creator(&email, now).await?.ok_or_else(|| anyhow::anyhow!("{email} is a creator already"))?;
            let secret = new_creator_token();
            store
                .for_creator(creator)
                .insert_creator_token(&new_id::<TokenId>(), &token_hash(&secret), "first token", now)
                .await?;
            println!("creator {creator}: {email}");
            println!("{secret}");
        }
        CreatorCommand::List { database } => {
            let store = open_plog(&database).await?;
            println!("{:>6}  {:<9}  EMAIL", "ID", "STATUS");
            for creator in store.creators().await? {
                let status = match creator.status {
                    CreatorStatus::Active => "active",
                    CreatorStatus::Suspended => "suspended",
                };
                println!("{:>6}  {status:<9}  {}", creator.id, creator.email.as_deref().unwrap_or("(the owner)"));
            }
        }
    }
    Ok(())
}
