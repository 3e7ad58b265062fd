-- Load balancers join the managed kinds: one resource holds a load balancer with its target
-- groups and listeners (see app/src/domain/balancer.rs for why not three kinds).
ALTER TABLE resources DROP CONSTRAINT resources_kind_check;
ALTER TABLE resources ADD CONSTRAINT resources_kind_check
    CHECK (kind IN ('topic', 'subscription', 'alarm', 'rule', 'schedule', 'load_balancer'));
