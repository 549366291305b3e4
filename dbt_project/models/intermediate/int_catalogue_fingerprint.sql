-- The fingerprint of the rules the incremental models apply: the catalogue's roll-ups and
-- excluded codes, skip logic, metrics and their bases, and the year type (periods). Those
-- models keep it on every row and rebuild rows made under another one, so a new metric or
-- option (a data change) reaches every file already loaded, not only new ones.
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

select md5(concat_ws('/', '{{ year_type() }}', string_agg(rules, '/' order by rules)))
    as catalogue_fingerprint
from rules
