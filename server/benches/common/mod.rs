//! What the benches share: the environment `scripts/bench` sets, and a fresh database with
//! one team and one user.
use sqlx::{Connection, PgConnection, PgPool};

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/bench"))
}

/// A bench's own database, migrated, with a team and a user in it.
pub struct BenchDatabase {
    /// A connection to the server's `postgres` database, to drop this one at the end.
    pub admin: PgConnection,
    pub name: String,
    pub url: String,
    pub pool: PgPool,
    pub team: uuid::Uuid,
    pub user: uuid::Uuid,
}

impl BenchDatabase {
    /// `belfry_bench_<what>_<pid>` on `BELFRY_TEST_PG_URL`'s server.
    pub async fn create(what: &str) -> Self {
        let pg = env("BELFRY_TEST_PG_URL");
        let name = format!("belfry_bench_{what}_{}", std::process::id());
        let mut admin = PgConnection::connect(&format!("{pg}/postgres"))
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = format!("{pg}/{name}");
        let pool = PgPool::connect(&url).await.unwrap();
        app::db::MIGRATOR.run(&pool).await.unwrap();
        let (team,): (uuid::Uuid,) =
            sqlx::query_as("INSERT INTO teams (name) VALUES ($1) RETURNING id")
                .bind(what)
                .fetch_one(&pool)
                .await
                .unwrap();
        let (user,): (uuid::Uuid,) = sqlx::query_as(
            "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id",
        )
        .bind(format!("{what}@example.com"))
        .fetch_one(&pool)
        .await
        .unwrap();
        BenchDatabase {
            admin,
            name,
            url,
            pool,
            team,
            user,
        }
    }

    /// Drops the database (its pool closed first).
    pub async fn drop_database(mut self) {
        self.pool.close().await;
        sqlx::query(&format!("DROP DATABASE \"{}\" WITH (FORCE)", self.name))
            .execute(&mut self.admin)
            .await
            .unwrap();
    }
}
