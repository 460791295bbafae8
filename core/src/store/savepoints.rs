//! SQLite savepoints: the nested transactions of a transactional app.

use basalt_ports::db::{DbError, Transaction};

/// Opens savepoint `name` (a name of our own, never user input).
pub(crate) async fn open(tx: &mut dyn Transaction, name: &str) -> Result<(), DbError> {
    tx.execute(&format!("SAVEPOINT {name}"), &[]).await?;
    Ok(())
}

/// Keeps what savepoint `name` did and closes it.
pub(crate) async fn release(tx: &mut dyn Transaction, name: &str) -> Result<(), DbError> {
    tx.execute(&format!("RELEASE {name}"), &[]).await?;
    Ok(())
}

/// Undoes what savepoint `name` did and closes it.
pub(crate) async fn roll_back(tx: &mut dyn Transaction, name: &str) -> Result<(), DbError> {
    tx.execute(&format!("ROLLBACK TO {name}"), &[]).await?;
    release(tx, name).await
}
