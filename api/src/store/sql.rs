//! One SQL statement, run on whichever engine is open: [`Sql`] holds the statement's text and
//! its arguments (integers, texts and flags: plog stores times as epoch seconds and money as minor
//! units), and runs on the pool ([`Pool`]) or inside a transaction ([`Tx`]).
//!
//! Why not `sqlx::Any`: it converts every row and argument at run time and costs 8–14 % of the
//! content route's throughput (`../shared/TOOLCHAIN.md`). Why not a store generic over
//! `sqlx::Database`: every function would carry the engine's bounds, which Rust cannot gather
//! into one trait. Here the bounds are written once, each engine's pool stays natively typed,
//! and the store's functions are plain code that rustfmt formats.

use std::borrow::Cow;

use sqlx::error::BoxDynError;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, AssertSqlSafe, Database, Encode, FromRow, Postgres, SqlSafeStr, SqlStr, Sqlite, Type};

use super::Pool;

/// A row type both engines can read: a `#[derive(sqlx::FromRow)]` struct or a tuple.
pub(super) trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// One argument of a statement.
#[derive(Debug, Clone)]
pub(super) enum Value<'a> {
    /// A `bigint` (or null).
    Int(Option<i64>),
    /// A `text` (or null).
    Text(Option<Cow<'a, str>>),
    /// A `boolean`.
    Bool(bool),
}

impl From<bool> for Value<'_> {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(value)))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(value: &'a String) -> Self {
        Value::Text(Some(Cow::Borrowed(value)))
    }
}

impl From<String> for Value<'_> {
    fn from(value: String) -> Self {
        Value::Text(Some(Cow::Owned(value)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Value::Text(value.map(Cow::Borrowed))
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(value: &'a Option<String>) -> Self {
        Value::Text(value.as_deref().map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Value<'_> {
    fn from(value: Option<String>) -> Self {
        Value::Text(value.map(Cow::Owned))
    }
}

/// An open transaction on either engine; dropped without [`Tx::commit`], it rolls back.
pub(super) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Pool {
    /// Starts a transaction.
    pub(super) async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// Makes the transaction's writes durable.
    pub(super) async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Undoes the transaction's writes.
    pub(super) async fn rollback(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Where a statement runs: on a connection the pool lends, or inside a transaction.
pub(super) enum On<'c> {
    Pool(&'c Pool),
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Pool> for On<'c> {
    fn from(pool: &'c Pool) -> Self {
        On::Pool(pool)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        On::Tx(tx)
    }
}

/// A statement with `$1`, `$2`… placeholders and its arguments, in order.
#[derive(Debug, Clone)]
#[must_use = "a statement does nothing until it is run"]
pub(super) struct Sql<'a> {
    text: SqlStr,
    arguments: Vec<Value<'a>>,
}

impl<'a> Sql<'a> {
    /// A statement; its text is static, so no argument is ever spliced into SQL.
    pub(super) fn new(text: &'static str) -> Self {
        Sql { text: text.into_sql_str(), arguments: Vec::new() }
    }

    /// A statement ending in a list of values, `head` followed by `$1, $2, …)`: one placeholder
    /// per value (the text is made of `head` and placeholders only, never of a value).
    pub(super) fn with_list<V: Into<Value<'a>>>(head: &'static str, values: impl IntoIterator<Item = V>) -> Self {
        let arguments: Vec<Value<'a>> = values.into_iter().map(Into::into).collect();
        let placeholders: Vec<String> = (1..=arguments.len()).map(|n| format!("${n}")).collect();
        let text = AssertSqlSafe(format!("{head}{})", placeholders.join(", "))).into_sql_str();
        Sql { text, arguments }
    }

    /// Adds the next argument.
    pub(super) fn bind(mut self, value: impl Into<Value<'a>>) -> Self {
        self.arguments.push(value.into());
        self
    }

    /// Runs the statement; returns how many rows it changed.
    pub(super) async fn execute<'c>(self, on: impl Into<On<'c>>) -> sqlx::Result<u64> {
        Ok(match on.into() {
            On::Pool(Pool::Sqlite(pool)) => {
                sqlx::query_with(self.text, sqlite(&self.arguments)?).execute(pool).await?.rows_affected()
            }
            On::Pool(Pool::Postgres(pool)) => {
                sqlx::query_with(self.text, postgres(&self.arguments)?).execute(pool).await?.rows_affected()
            }
            On::Tx(Tx::Sqlite(tx)) => {
                sqlx::query_with(self.text, sqlite(&self.arguments)?).execute(&mut **tx).await?.rows_affected()
            }
            On::Tx(Tx::Postgres(tx)) => {
                sqlx::query_with(self.text, postgres(&self.arguments)?).execute(&mut **tx).await?.rows_affected()
            }
        })
    }

    /// Runs the statement; returns its first row, if any.
    pub(super) async fn fetch_optional<'c, T: Row>(self, on: impl Into<On<'c>>) -> sqlx::Result<Option<T>> {
        match on.into() {
            On::Pool(Pool::Sqlite(pool)) => {
                sqlx::query_as_with(self.text, sqlite(&self.arguments)?).fetch_optional(pool).await
            }
            On::Pool(Pool::Postgres(pool)) => {
                sqlx::query_as_with(self.text, postgres(&self.arguments)?).fetch_optional(pool).await
            }
            On::Tx(Tx::Sqlite(tx)) => {
                sqlx::query_as_with(self.text, sqlite(&self.arguments)?).fetch_optional(&mut **tx).await
            }
            On::Tx(Tx::Postgres(tx)) => {
                sqlx::query_as_with(self.text, postgres(&self.arguments)?).fetch_optional(&mut **tx).await
            }
        }
    }

    /// Runs the statement; returns its one row (an error if there is none).
    pub(super) async fn fetch_one<'c, T: Row>(self, on: impl Into<On<'c>>) -> sqlx::Result<T> {
        self.fetch_optional(on).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// Runs a statement that answers one row of one column; returns that value.
    pub(super) async fn fetch_value<'c, T>(self, on: impl Into<On<'c>>) -> sqlx::Result<T>
    where
        (T,): Row,
    {
        Ok(self.fetch_one::<(T,)>(on).await?.0)
    }

    /// Runs the statement; returns every row.
    pub(super) async fn fetch_all<'c, T: Row>(self, on: impl Into<On<'c>>) -> sqlx::Result<Vec<T>> {
        match on.into() {
            On::Pool(Pool::Sqlite(pool)) => {
                sqlx::query_as_with(self.text, sqlite(&self.arguments)?).fetch_all(pool).await
            }
            On::Pool(Pool::Postgres(pool)) => {
                sqlx::query_as_with(self.text, postgres(&self.arguments)?).fetch_all(pool).await
            }
            On::Tx(Tx::Sqlite(tx)) => {
                sqlx::query_as_with(self.text, sqlite(&self.arguments)?).fetch_all(&mut **tx).await
            }
            On::Tx(Tx::Postgres(tx)) => {
                sqlx::query_as_with(self.text, postgres(&self.arguments)?).fetch_all(&mut **tx).await
            }
        }
    }
}

/// A statement's arguments for SQLite.
fn sqlite(values: &[Value<'_>]) -> sqlx::Result<<Sqlite as Database>::Arguments> {
    arguments::<Sqlite>(values).map_err(sqlx::Error::Encode)
}

/// A statement's arguments for PostgreSQL.
fn postgres(values: &[Value<'_>]) -> sqlx::Result<<Postgres as Database>::Arguments> {
    arguments::<Postgres>(values).map_err(sqlx::Error::Encode)
}

/// The engine's arguments of a statement. A null is typed (`bigint` or `text`), as PostgreSQL
/// needs to plan the statement.
fn arguments<DB: Database>(values: &[Value<'_>]) -> Result<DB::Arguments, BoxDynError>
where
    i64: Type<DB>,
    str: Type<DB>,
    bool: Type<DB> + for<'q> Encode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'s> Option<&'s str>: Encode<'s, DB>,
{
    let mut arguments = DB::Arguments::default();
    for value in values {
        match value {
            Value::Int(number) => arguments.add(*number)?,
            Value::Text(text) => arguments.add(text.as_deref())?,
            Value::Bool(flag) => arguments.add(*flag)?,
        }
    }
    Ok(arguments)
}
