-- Per authority, period and metric: the form versions the period's audits were on that could
-- record the metric (int_metric_availability), none, some or all of them. Disclosure control
-- weighs a metric only some of a period's forms could record over the audits of those forms.
-- Grain: la_code x period x metric.
with

period_versions as (
    select distinct
        la_code,
        time_period,
        time_identifier,
        form_version
    from {{ ref('int_audit_counts_by_form_version') }}
),

availability as (
    select * from {{ ref('int_metric_availability') }}
),

recordable as (
    select
        period_versions.la_code,
        period_versions.time_period,
        period_versions.time_identifier,
        availability.metric_id,
        coalesce(
            list(period_versions.form_version order by period_versions.form_version) filter (
                where availability.is_available
            ),
            cast([] as varchar[])
        ) as recordable_form_versions
    from period_versions
    inner join availability on period_versions.form_version = availability.form_version
    group by all
)

select * from recordable
