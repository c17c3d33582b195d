//! Where the database lives and how large its pool is.

use clap::Args;

/// Where the database lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://plog.db` (a file, created if missing).
    #[arg(long = "database-url", env = "PLOG_DATABASE_URL", default_value = "sqlite://plog.db")]
    pub url: String,
    /// Most connections the pool opens (default: 8 on SQLite, 10 on PostgreSQL — the sizes
    /// that served the content route fastest on 2 cores, see bench/README.md).
    #[arg(long = "db-max-connections", env = "PLOG_DB_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_connections: Option<u32>,
    /// Seconds a request waits for a free connection before it is answered 503 `database_busy`.
    #[arg(long = "db-acquire-timeout-secs", env = "PLOG_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub acquire_timeout_secs: u64,
}

impl DatabaseConfig {
    /// The settings of a database at `url` with the default pool.
    pub fn new(url: impl Into<String>) -> DatabaseConfig {
        DatabaseConfig { url: url.into(), max_connections: None, acquire_timeout_secs: 5 }
    }
}
