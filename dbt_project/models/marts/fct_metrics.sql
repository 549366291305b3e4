-- Every metric of the catalogue for every authority and period with audits: numerator,
-- denominator, percent and its 95% Wilson interval, the whole percent a report prints, and
-- for a period whose forms could not record the metric a row without figures and the reason
-- (computed by int_metric_values_computed). Grain: la_code x metric x period.
with

metric_values as (
    select * from {{ ref('int_metric_values_computed') }}
),

final as (
    select
        la_code,
        time_period,
        time_identifier,
        section_id,
        metric_id,
        denominator_unit,
        not_available_reason,
        audits_not_able_to_record,
        is_available,
        numerator,
        missing_answers,
        denominator,
        percent,
        ci_lower,
        ci_upper,
        reported_percent
    from metric_values
)

select * from final
