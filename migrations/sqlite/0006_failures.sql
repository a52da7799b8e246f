-- Items that failed to process (a message that cannot be routed, a case whose reminder
-- cannot be queued): recorded so the loop goes on past them, retried with backoff, and
-- reported once. The row is removed when the item succeeds.
CREATE TABLE failures (
    kind            TEXT NOT NULL,      -- route | remind
    item            BIGINT NOT NULL,    -- messages.id for route, cases.id for remind
    attempts        BIGINT NOT NULL,
    error           TEXT NOT NULL,      -- the last error, without message text
    first_failed_at TEXT NOT NULL,
    last_failed_at  TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    reported_at     TEXT,               -- directie was told
    PRIMARY KEY (kind, item)
);
