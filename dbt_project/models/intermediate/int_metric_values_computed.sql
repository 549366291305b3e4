-- Every metric of the catalogue for every authority and period with audits, as the audits
-- give it: their contributions (int_metric_contributions_by_audit, where the metric rules
-- live, summed per file by int_metric_counts_by_file) added up per period by the counting
-- fct_metric_breakdowns shares (macros/metric_counts_by_category.sql), with the percent,
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
        audits
    from {{ ref('int_audit_counts_by_form_version') }}
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

{{ metric_counts_by_category({"total": "'total'"}) }},

with_percent as (
    select
        * exclude (breakdown_topic, breakdown),
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
