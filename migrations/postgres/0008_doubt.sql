-- Doubtful mails (scored from detection.doubt_threshold up to the threshold; routed as
-- `doubt`) and the day each was listed for directie in the digest: each is listed once.
CREATE TABLE doubt_listed (
    message_pk BIGINT PRIMARY KEY REFERENCES messages (id),
    listed_on  TEXT NOT NULL
);
