-- Every metric of the catalogue for every authority and period with audits, as the audits
-- give it: their contributions (int_metric_contributions_by_audit, where the metric rules
-- live, summed per file by int_metric_counts_by_file) added up per period, with the percent,
-- its 95% Wilson interval and the whole percent a report prints. Only audits whose form could
-- record the metric count (int_metric_availability, joined per file): the others are outside
-- its base and counted in audits_not_able_to_record. A period where no audit could record it
-- keeps its row, with no numerator, denominator, percent or interval and the reason: not
-- recorded is not 0%. fct_metrics publishes these rows; int_metric_values_combined adds the
-- published history to them. Grain: la_code x metric x period.
with

counts as (
    select * from {{ ref('int_metric_counts_by_file') }}
),

availability as (
    select * from {{ ref('int_metric_availability') }}
),

audit_versions as (
    select
        la_code,
        time_period,
        time_identifier,
        form_version,
        sum(audits) as audits
    from {{ ref('int_audit_counts_by_form_version') }}
    group by all
),

metrics as (
    select
        metrics.metric_id,
        metrics.section_id,
        metrics.numerator_rule,
        bases.unit as denominator_unit
    from {{ ref('metrics') }} as metrics
    inner join {{ ref('metric_bases') }} as bases on metrics.basis = bases.basis
),

published as (
    select
        la_code,
        metric_id,
        time_period,
        time_identifier,
        published_percent
    from {{ ref('published_history') }}
),

-- Per period and metric: how many of its audits were on a form that could record the metric,
-- how many were not, and why not.
period_availability as (
    select
        audit_versions.la_code,
        audit_versions.time_period,
        audit_versions.time_identifier,
        availability.metric_id,
        coalesce(sum(audit_versions.audits) filter (where availability.is_available), 0)
            as audits_able_to_record,
        coalesce(sum(audit_versions.audits) filter (where not availability.is_available), 0)
            as audits_not_able_to_record,
        string_agg(
            distinct availability.not_available_reason, '; '
            order by availability.not_available_reason
        ) filter (where not availability.is_available) as not_available_reason
    from audit_versions
    inner join availability on audit_versions.form_version = availability.form_version
    group by all
),

-- the files whose form could record the metric: a join per file, not per answer
recordable_counts as (
    select counts.*
    from counts
    inner join availability
        on
            counts.metric_id = availability.metric_id
            and counts.form_version = availability.form_version
    where availability.is_available
),

aggregated as (
    select
        la_code,
        metric_id,
        time_period,
        time_identifier,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(missing_answers) as missing_answers
    from recordable_counts
    group by la_code, metric_id, time_period, time_identifier
),

counted as (
    select
        period_availability.la_code,
        period_availability.time_period,
        period_availability.time_identifier,
        metrics.section_id,
        period_availability.metric_id,
        metrics.denominator_unit,
        period_availability.not_available_reason,
        cast(period_availability.audits_not_able_to_record as integer)
            as audits_not_able_to_record,
        period_availability.audits_able_to_record > 0 as is_available,
        case
            when period_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.numerator, 0) as integer)
        end as numerator,
        case
            when period_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.missing_answers, 0) as integer)
        end as missing_answers,
        case
            when
                metrics.numerator_rule != 'count_audits'
                and period_availability.audits_able_to_record > 0
                then cast(coalesce(aggregated.denominator, 0) as integer)
        end as denominator
    from period_availability
    inner join metrics on period_availability.metric_id = metrics.metric_id
    left join aggregated
        on
            period_availability.la_code = aggregated.la_code
            and period_availability.time_period = aggregated.time_period
            and period_availability.time_identifier = aggregated.time_identifier
            and period_availability.metric_id = aggregated.metric_id
),

with_percent as (
    select
        *,
        {{ proportion_columns('numerator', 'denominator', 'denominator_unit') }}
    from counted
),

-- The whole percent a report prints: the published figure where an earlier report published
-- this very period, else percent rounded by CAREAUDIT_PERCENT_ROUNDING.
final as (
    select
        with_percent.*,
        case
            when with_percent.percent is not null
                then coalesce(
                    published.published_percent, {{ whole_percent('with_percent.percent') }}
                )
        end as reported_percent
    from with_percent
    left join published
        on
            with_percent.la_code = published.la_code
            and with_percent.metric_id = published.metric_id
            and with_percent.time_period = published.time_period
            and with_percent.time_identifier = published.time_identifier
)

select * from final
