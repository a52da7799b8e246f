-- How the service's own work goes, per kind (`intake`: reading the mailbox; `sending`:
-- handing mail to the SMTP server): the last success, since when it has been failing
-- (NULL while it works), the last error, and when directie was alerted about this failure.
CREATE TABLE health (
    kind          TEXT PRIMARY KEY,
    last_ok       TEXT,
    failing_since TEXT,
    last_error    TEXT,
    alerted_at    TEXT
);
