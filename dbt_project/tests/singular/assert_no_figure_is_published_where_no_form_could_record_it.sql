-- A metric that none of a period's forms could record (its question, numerator options or
-- basis restriction not on them: int_metric_availability) has no figure in that period: not
-- 0, not 0%, in none of the published tables. A 0 there would tell a reader that nobody
-- declined, when nobody could. The forms of each period are read from the audits themselves,
-- not from the models under test. Rows returned are published figures that break the rule.
-- Dagster shows it as a check on rpt_metrics.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_metrics'}}}) }}

with

period_versions as (
    select distinct
        la_code,
        time_period,
        time_identifier,
        form_version
    from {{ ref('fct_audits') }}
),

unrecordable as (
    select
        period_versions.la_code,
        period_versions.time_period,
        period_versions.time_identifier,
        availability.metric_id
    from period_versions
    inner join {{ ref('int_metric_availability') }} as availability
        on period_versions.form_version = availability.form_version
    group by all
    having not bool_or(availability.is_available)
),

{#- each published table and the rows of it holding computed figures #}
{%- set published_tables = {
    "metrics": ("rpt_metrics", "true"),
    "metric_trends": ("rpt_metric_trends", "value_source = 'computed'"),
    "metric_breakdowns": ("rpt_metric_breakdowns", "true"),
} %}

published as (
    {%- for name, (model, computed) in published_tables.items() %}
        select
            '{{ name }}' as published_table,
            la_code,
            time_period,
            time_identifier,
            metric_id,
            numerator,
            denominator,
            percent
        from {{ ref(model) }}
        where {{ computed }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

figures_without_a_form as (
    select published.*
    from published
    inner join unrecordable
        on
            published.la_code = unrecordable.la_code
            and published.time_period = unrecordable.time_period
            and published.time_identifier = unrecordable.time_identifier
            and published.metric_id = unrecordable.metric_id
    where
        published.numerator is not null
        or published.denominator is not null
        or published.percent is not null
)

select * from figures_without_a_form
