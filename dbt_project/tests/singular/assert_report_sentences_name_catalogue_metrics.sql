-- Every metric the report's sentences name (one id, or several separated by |) is in the
-- metric catalogue: a renamed or removed metric fails the build here, not the report later.
-- Rows returned are the names that are not. Dagster shows it as a check on report_sentences.
{{ config(meta={'dagster': {'ref': {'name': 'report_sentences'}}}) }}

with

named as (
    select
        sort_order,
        trim(unnest(string_split(metric_id, '|'))) as metric_id
    from {{ ref('report_sentences') }}
    where metric_id is not null
),

metrics as (
    select * from {{ ref('metrics') }}
),

unknown as (
    select
        named.sort_order,
        named.metric_id
    from named
    left join metrics on named.metric_id = metrics.metric_id
    where metrics.metric_id is null
)

select * from unknown
