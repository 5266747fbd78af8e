-- Record that the stored judgements now follow the rules with digest $digest (the old row goes
-- with `forget_rule_digest`, in the same transaction).
insert into rule_digests (name, digest, updated_at)
values ($name, $digest, $now)
