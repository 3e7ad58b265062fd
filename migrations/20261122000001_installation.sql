-- One row that says this database holds a Belfry installation, and since when.
-- /readyz reads it: a database that is reachable but not migrated is not ready.
CREATE TABLE installation (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    installed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation DEFAULT VALUES;
