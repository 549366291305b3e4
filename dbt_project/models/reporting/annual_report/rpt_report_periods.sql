-- The annual report's periods: each period with audits (published history alone makes no
-- report: there is nothing to count), the months audited, the number of audits and the
-- versions of the audit form they were on, for the cover and the key messages' scope.
with

periods as (
    select * from {{ ref('dim_periods') }}
    where has_audit_data
),

form_versions as (
    select
        la_code,
        time_period,
        time_identifier,
        string_agg(distinct form_version, ', ' order by form_version) as form_versions
    from {{ ref('fct_audits') }}
    group by la_code, time_period, time_identifier
),

final as (
    select
        periods.la_code,
        periods.time_identifier,
        periods.time_period,
        form_versions.form_versions,
        cast(periods.first_month as date) as first_month,
        cast(periods.last_month as date) as last_month,
        cast(periods.audits as integer) as audits
    from periods
    inner join form_versions
        on
            periods.la_code = form_versions.la_code
            and periods.time_period = form_versions.time_period
            and periods.time_identifier = form_versions.time_identifier
)

select * from final
