//! Rebuilds plog when a migration is added or changed: `sqlx::migrate!` embeds the migration
//! folders at compile time, and cargo cannot see a new file in them on its own.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
