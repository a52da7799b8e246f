-- Finding the messages not routed yet reads this narrow index instead of the message rows
-- (which hold the text): a pass over tens of thousands of messages stays linear.
CREATE INDEX messages_id_source ON messages (id, source);
