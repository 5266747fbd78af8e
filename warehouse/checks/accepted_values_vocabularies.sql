-- accepted_values: every text column with a closed vocabulary holds only its listed values (the
-- `vocabularies` table; the view `vocabulary_violations` lists the stored values outside them).
select
    column_name,
    value,
    stored_rows
from vocabulary_violations
order by column_name, value
