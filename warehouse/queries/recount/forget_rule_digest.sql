-- Forget the digest of the rules named $name (before `set_rule_digest` records the new one).
delete from rule_digests
where name = $name
