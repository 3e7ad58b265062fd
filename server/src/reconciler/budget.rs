//! The AWS call budget per account, region and API, shared by every replica through Postgres:
//! a token bucket per key, refilled by elapsed time. The row lock makes replicas take turns,
//! so two of them never spend the same token.
use sqlx::PgPool;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Tokens added per second.
    pub per_second: f64,
    /// The most tokens a bucket holds (the burst).
    pub burst: f64,
}

impl Default for Budget {
    /// Below CloudWatch's and SNS's lowest default quotas for the calls Belfry makes.
    fn default() -> Self {
        Budget {
            per_second: 10.0,
            burst: 20.0,
        }
    }
}

impl Budget {
    /// Waits until a token for `key` is free, then takes it.
    pub async fn take(&self, pool: &PgPool, key: &str) -> Result<(), sqlx::Error> {
        loop {
            let mut tx = pool.begin().await?;
            sqlx::query!(
                "INSERT INTO rate_budget (key, tokens) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                key,
                self.burst
            )
            .execute(&mut *tx)
            .await?;
            let row = sqlx::query!(
                r#"SELECT tokens, extract(epoch FROM clock_timestamp() - updated_at)::float8 AS "elapsed!"
                     FROM rate_budget WHERE key = $1 FOR UPDATE"#,
                key
            )
            .fetch_one(&mut *tx)
            .await?;
            let available = (row.tokens + self.per_second * row.elapsed.max(0.0)).min(self.burst);
            let took = available >= 1.0;
            let left = if took { available - 1.0 } else { available };
            sqlx::query!(
                "UPDATE rate_budget SET tokens = $2, updated_at = clock_timestamp() WHERE key = $1",
                key,
                left
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            if took {
                return Ok(());
            }
            let wait = (1.0 - available) / self.per_second;
            tokio::time::sleep(Duration::from_secs_f64(wait.clamp(0.005, 1.0))).await;
        }
    }
}
