-- The fingerprint of the catalogue rules the per-answer models apply: roll-ups and excluded
-- codes, skip logic, metrics and their bases. Those models keep it on every row and rebuild
-- rows made under another one, so a new metric or option (a data change) is applied to every
-- file already loaded, not only to new ones.
with

rules as (
    select string_agg(cast(seed as varchar), '|' order by cast(seed as varchar)) as rules
    from {{ ref('form_answer_options') }} as seed
    union all
    select string_agg(cast(seed as varchar), '|' order by cast(seed as varchar))
    from {{ ref('form_questions') }} as seed
    union all
    select string_agg(cast(seed as varchar), '|' order by cast(seed as varchar))
    from {{ ref('metrics') }} as seed
    union all
    select string_agg(cast(seed as varchar), '|' order by cast(seed as varchar))
    from {{ ref('metric_bases') }} as seed
)

select md5(string_agg(rules, '/' order by rules)) as catalogue_fingerprint
from rules
