-- The head of the empty log: size 0, an empty Merkle frontier, no checkpoint yet.
INSERT INTO ledger_head (id, size, frontier, last_accepted_at_ms, last_checkpoint_hash, last_checkpoint_size)
VALUES (1, 0, '{"size":0,"nodeHashesHex":[]}'::jsonb, 0, NULL, 0)
ON CONFLICT (id) DO NOTHING;
