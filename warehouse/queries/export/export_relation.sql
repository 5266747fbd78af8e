-- A whole table or view, by name ($name comes from export_relations, never from input).
select *
from query_table($name)
