-- Every message that reached the mailbox (or was imported), stored once.
-- Timestamps are RFC 3339 text in UTC so the same queries run on SQLite and PostgreSQL.

CREATE TABLE mailbox_checkpoints (
    mailbox      TEXT PRIMARY KEY,
    uidvalidity  BIGINT NOT NULL,
    last_uid     BIGINT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE messages (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256        TEXT NOT NULL UNIQUE,
    message_id    TEXT,
    source        TEXT NOT NULL,            -- imap | import
    mailbox       TEXT,
    uidvalidity   BIGINT,
    uid           BIGINT,
    -- 1 while the message is stored but not yet flagged \Seen (or moved) on the server
    server_pending BIGINT NOT NULL DEFAULT 0,
    received_at   TEXT NOT NULL,            -- INTERNALDATE, or the Date header on import
    stored_at     TEXT NOT NULL,
    size          BIGINT NOT NULL,          -- size on the server (RFC822.SIZE)
    parse_status  TEXT NOT NULL,            -- parsed | unparsed | headers_only
    parse_error   TEXT,
    from_addr     TEXT,
    from_name     TEXT,
    to_addrs      TEXT NOT NULL,            -- JSON array of {name, address}
    cc_addrs      TEXT NOT NULL,
    subject       TEXT,
    sent_date     TEXT,
    in_reply_to   TEXT NOT NULL,            -- JSON array of message ids
    refs          TEXT NOT NULL,            -- JSON array of message ids
    headers       TEXT NOT NULL,            -- JSON object: lower-case name -> [values]
    body_text     TEXT,
    html_only     BIGINT NOT NULL DEFAULT 0,
    attachments   TEXT NOT NULL             -- JSON array of {name, content_type, size}
);

CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_pending ON messages (mailbox, uidvalidity, server_pending);
CREATE INDEX messages_received ON messages (received_at);

-- The original bytes, byte for byte, apart from the listing columns.
CREATE TABLE message_raw (
    message_pk  BIGINT PRIMARY KEY REFERENCES messages (id),
    raw         BYTEA NOT NULL
);
