-- The messages stored but not yet flagged on the server, read at the start of every pass:
-- a partial index holds only those (usually none), so the pass does not read a row of every
-- message in the folder to find them.
CREATE INDEX messages_server_pending ON messages (mailbox, uidvalidity, uid) WHERE server_pending = 1;
