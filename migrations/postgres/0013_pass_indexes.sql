-- Lookups that a pass over tens of thousands of messages makes per batch or per message,
-- kept from reading every message row:
-- the messages not routed yet, from this narrow index instead of the rows (which hold the
-- text);
CREATE INDEX messages_id_source ON messages (id, source);
-- one message by its UID in its folder (marking it flagged on the server).
CREATE INDEX messages_uid ON messages (mailbox, uidvalidity, uid);
