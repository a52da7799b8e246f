-- Deadline bookkeeping: the Kifid 8-week mark, and how far reminders have been sent.

-- The day from which the complainant may go to Kifid without a position (arrival + 8 weeks).
ALTER TABLE cases ADD COLUMN kifid_from TEXT;
UPDATE cases SET kifid_from = date(substr(received_at, 1, 10), '+56 days');
-- The due moment of the latest reminder or escalation sent for the case: the scheduler
-- sends only what falls after it, in the same transaction that moves it.
ALTER TABLE cases ADD COLUMN reminded_through TEXT;
