-- The digest of the rules named $name that the stored judgements follow (no row: none recorded).
select digest
from rule_digests
where name = $name
