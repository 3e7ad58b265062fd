//! Where sessions live: tower-sessions' Postgres store, except that saving a session never
//! brings back one that is gone.
//!
//! Every request saves its session (`with_always_save`, so that the idle timeout counts from
//! the last request). The library's store saves with an upsert, so a request that loaded a
//! session just before a logout in another tab deleted it wrote it back as it ended, and the
//! logged-out cookie worked again. Here saving a session only updates its row: a session that
//! a logout, or the sweep of expired ones, deleted stays deleted. tower-sessions calls `save`
//! only for a session it found in the store; a new one, and a signed-in session's new id
//! (`cycle_id`), go through `create` as before.
use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqlxStoreError};

#[derive(Clone, Debug)]
pub struct Sessions {
    store: PostgresStore,
    pool: PgPool,
}

impl Sessions {
    pub fn new(pool: PgPool) -> Self {
        Sessions {
            store: PostgresStore::new(pool.clone()),
            pool,
        }
    }

    /// Creates the library's table (`tower_sessions.session`) when it is not there.
    pub async fn migrate(&self) -> sqlx::Result<()> {
        self.store.migrate().await
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // The library's table (`PostgresStore::new`'s schema and name), in its encoding.
        sqlx::query(
            r#"update "tower_sessions"."session" set data = $2, expiry_date = $3 where id = $1"#,
        )
        .bind(record.id.to_string())
        .bind(rmp_serde::to_vec(record).map_err(SqlxStoreError::Encode)?)
        .bind(record.expiry_date)
        .execute(&self.pool)
        .await
        .map_err(SqlxStoreError::Sqlx)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.store.delete_expired().await
    }
}
