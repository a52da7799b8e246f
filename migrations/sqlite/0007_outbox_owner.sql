-- Who holds an outbox claim: `<host>/<pid>/<start>` of the process sending the row. Only
-- the holder may mark the row sent, retried or failed; a process on the same host releases
-- the claims of one that is no longer running.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
