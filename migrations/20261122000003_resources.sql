-- The reconciler's state (shared/DESIGN.md, "State: spec, status, plan, apply"): one table
-- for every managed resource whatever its kind, the jobs that bring AWS in line, and the
-- history a person reads.
CREATE TABLE resources (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('topic', 'subscription', 'alarm')),
    name text NOT NULL,
    -- The domain type's serde form; parsed back into it on every read.
    spec jsonb NOT NULL,
    -- Optimistic concurrency for edits: an edit names the version it started from.
    version integer NOT NULL DEFAULT 1,
    -- Bumped on every spec change; observed_generation is what the last apply reached.
    generation bigint NOT NULL DEFAULT 1,
    observed_generation bigint NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_sync', 'drifted', 'error', 'deleting')),
    last_error text,
    -- The AWS identifier once the resource exists there (alarm name, topic or subscription ARN).
    aws_id text,
    -- Set, and committed, before an AWS create call; cleared with the status write after it.
    -- A worker that finds it set looks the resource up by name or tag before creating again,
    -- so a crash between the two never makes a duplicate.
    create_started_at timestamptz,
    observed jsonb,
    observed_at timestamptz,
    -- What the last resync found different in AWS (field, from, to), for the drift view.
    drift jsonb,
    management text NOT NULL DEFAULT 'manage' CHECK (management IN ('manage', 'observe')),
    deletion text NOT NULL DEFAULT 'delete' CHECK (deletion IN ('delete', 'orphan')),
    deleted_at timestamptz,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, kind, name)
);
CREATE INDEX resources_team_kind ON resources (team_id, kind, name);

-- At most one job per resource: a change while a worker holds the job gives it a new `seq`,
-- and the worker then leaves the job in place for another pass. The sequence is global, so a
-- job made after a finished one never repeats its number.
CREATE SEQUENCE jobs_seq;
CREATE TABLE jobs (
    resource_id uuid PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    seq bigint NOT NULL DEFAULT nextval('jobs_seq'),
    enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    run_after timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    claimed_by text,
    claimed_until timestamptz,
    last_error text
);
CREATE INDEX jobs_due ON jobs (run_after);

CREATE TABLE events (
    id bigserial PRIMARY KEY,
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    resource_id uuid,
    at timestamptz NOT NULL DEFAULT now(),
    what text NOT NULL,
    detail jsonb
);
CREATE INDEX events_resource_at ON events (resource_id, at DESC);
CREATE INDEX events_team_at ON events (team_id, at DESC);

-- The AWS call budget per account, region and API, shared by every replica: a token bucket.
CREATE TABLE rate_budget (
    key text PRIMARY KEY,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Opt-in: put drifted resources back as declared, without asking.
ALTER TABLE teams ADD COLUMN self_heal boolean NOT NULL DEFAULT false;
