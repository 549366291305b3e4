-- Reporting periods with audits or published history, with the months audited in each.
with

audit_periods as (
    select
        la_code,
        time_period,
        time_identifier,
        min(completion_month) as first_month,
        max(completion_month) as last_month,
        count(*) as audits
    from {{ ref('int_audits_deduplicated') }}
    group by la_code, time_period, time_identifier
),

all_periods as (
    select
        la_code,
        time_period,
        time_identifier
    from audit_periods
    union
    select
        la_code,
        time_period,
        time_identifier
    from {{ ref('published_history') }}
),

final as (
    select
        all_periods.la_code,
        all_periods.time_period,
        all_periods.time_identifier,
        audit_periods.first_month,
        audit_periods.last_month,
        coalesce(audit_periods.audits, 0) as audits,
        audit_periods.audits is not null as has_audit_data
    from all_periods
    left join audit_periods
        on
            all_periods.la_code = audit_periods.la_code
            and all_periods.time_period = audit_periods.time_period
            and all_periods.time_identifier = audit_periods.time_identifier
)

select * from final
