-- A file sent with an outbox mail: the printable letter (PDF) for a complainant without an
-- e-mail address, sent to directie to print and post. Stored once, so a retry and the
-- dossier rebuild the same mail; purge and erase remove it with the case's mail.
CREATE TABLE outbox_attachments (
    outbox_id     BIGINT PRIMARY KEY REFERENCES outbox (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    data          BYTEA NOT NULL
);
