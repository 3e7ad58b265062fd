-- EventBridge Scheduler schedules join the managed kinds.
ALTER TABLE resources DROP CONSTRAINT resources_kind_check;
ALTER TABLE resources ADD CONSTRAINT resources_kind_check
    CHECK (kind IN ('topic', 'subscription', 'alarm', 'rule', 'schedule'));
