-- Who may do what: users, teams, roles, invitations; the login throttle; the audit log;
-- each team's AWS connection (a role to assume, never a secret).
CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE teams (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Only a hash of the invitation token is stored: the link is the secret.
CREATE TABLE invitations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    token_sha256 bytea NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    invited_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    accepted_by uuid REFERENCES users (id),
    accepted_at timestamptz
);

-- Kept in Postgres so that the throttle holds across replicas.
CREATE TABLE login_attempts (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    email text NOT NULL,
    client_addr inet,
    succeeded boolean NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (lower(email), at);
CREATE INDEX login_attempts_client ON login_attempts (client_addr, at);

CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    team_id uuid REFERENCES teams (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id),
    at timestamptz NOT NULL DEFAULT now(),
    action text NOT NULL,
    resource_id uuid,
    before jsonb,
    after jsonb
);
CREATE INDEX audit_team_at ON audit (team_id, at DESC);

CREATE TABLE aws_connections (
    team_id uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    region text NOT NULL,
    role_arn text,
    external_id text NOT NULL,
    endpoint_url text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
