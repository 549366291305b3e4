-- Audits that count per authority, period, age band, district and form version: what each
-- metric's availability (int_metric_availability, per form version) is weighed against, so a
-- period or category knows how many of its audits were on a form that could not record a
-- metric. One pass over the audits into a few rows per period.
-- Grain: la_code x period x age band x district x form version.
with

audits as (
    select
        la_code,
        time_period,
        time_identifier,
        age_band,
        district_code,
        form_version
    from {{ ref('int_audits_deduplicated') }}
),

counted as (
    select
        la_code,
        time_period,
        time_identifier,
        age_band,
        district_code,
        form_version,
        count(*) as audits
    from audits
    group by all
)

select * from counted
