-- The fingerprint of the rules the incremental models apply: the catalogue's roll-ups and
-- excluded codes, skip logic, metrics and their bases, and the year type (periods). Those
-- models keep it on every row and rebuild rows made under another one, so a new metric or
-- option (a data change) reaches every file already loaded, not only new ones. Of the metric
-- catalogue only the columns that decide what is counted are taken: a new label, description
-- or direction (higher_is) rebuilds nothing. The version of the incremental models' own SQL
-- is part of it: a careaudit upgrade that changes what their rows hold (version 2: rows keyed
-- by submission_key) rebuilds the rows an earlier version stored, once.
{%- set incremental_sql_version = 2 %}
{%- set rule_columns = {
    "form_answer_options": none,
    "form_questions": none,
    "metrics": ["metric_id", "question_id", "numerator_rule", "numerator_codes", "basis"],
    "metric_bases": none,
} %}
with

rules as (
    {%- for seed, columns in rule_columns.items() %}
        -- seed_row is the whole row (or its rule columns), cast to text
        select
            string_agg(cast(seed_row as varchar), '|' order by cast(seed_row as varchar))
                as rules
        {%- if columns is none %}
            from {{ ref(seed) }} as seed_row  -- noqa: AL05
        {%- else %}
            from (
                select {{ columns | join(", ") }} from {{ ref(seed) }}
            ) as seed_row  -- noqa: AL05
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    md5(
        concat_ws(
            '/',
            '{{ year_type() }}',
            string_agg(rules, '/' order by rules),
            'sql {{ incremental_sql_version }}'
        )
    )
        as catalogue_fingerprint
from rules
