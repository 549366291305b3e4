-- The fingerprint of the rules the incremental models apply: the catalogue's roll-ups and
-- excluded codes, skip logic, metrics and their bases, and the year type (periods). Those
-- models keep it on every row and rebuild rows made under another one, so a new metric or
-- option (a data change) reaches every file already loaded, not only new ones.
with

rules as (
    {%- for seed in ["form_answer_options", "form_questions", "metrics", "metric_bases"] %}
        -- seed_row is the whole row, cast to text
        select
            string_agg(cast(seed_row as varchar), '|' order by cast(seed_row as varchar))
                as rules
        from {{ ref(seed) }} as seed_row  -- noqa: AL05
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    md5(concat_ws('/', '{{ year_type() }}', string_agg(rules, '/' order by rules)))
        as catalogue_fingerprint
from rules
