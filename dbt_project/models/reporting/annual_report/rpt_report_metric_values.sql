-- Every value the annual report can print or chart: each metric in each period, computed from
-- the audits or published in an earlier report, as fct_metric_trends gives it, with the
-- counts fct_metric_trends leaves out because they have no percentage (audits completed),
-- the missing answers of computed periods, and the label a chart shows: the answer's own
-- label for a metric counting one option of a multi-select, else the catalogue's short label.
-- A period whose forms could not record the metric is a row without figures.
with

trends as (
    select * from {{ ref('fct_metric_trends') }}
),

computed as (
    select * from {{ ref('fct_metrics') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

questions as (
    select * from {{ ref('dim_questions') }}
),

answer_options as (
    select * from {{ ref('form_answer_options') }}
),

labels as (
    select
        metrics.metric_id,
        coalesce(
            case
                when
                    questions.question_type = 'multi'
                    and metrics.numerator_rule = 'selected'
                    then answer_options.answer_label
            end,
            metrics.label
        ) as metric_label
    from metrics
    left join questions on metrics.question_id = questions.question_id
    left join answer_options
        on
            metrics.question_id = answer_options.question_id
            and metrics.numerator_codes = answer_options.answer_code
),

trend_values as (
    select
        la_code,
        time_identifier,
        time_period,
        metric_id,
        value_source,
        numerator,
        denominator,
        reported_percent,
        is_available,
        not_available_reason
    from trends
),

counts_without_percent as (
    select
        computed.la_code,
        computed.time_identifier,
        computed.time_period,
        computed.metric_id,
        'computed' as value_source,
        computed.numerator,
        computed.denominator,
        computed.reported_percent,
        computed.is_available,
        computed.not_available_reason
    from computed
    anti join trends
        on
            computed.la_code = trends.la_code
            and computed.time_identifier = trends.time_identifier
            and computed.time_period = trends.time_period
            and computed.metric_id = trends.metric_id
),

metric_values as (
    select * from trend_values
    union all
    select * from counts_without_percent
),

final as (
    select
        metric_values.la_code,
        metric_values.time_identifier,
        metric_values.time_period,
        metric_values.metric_id,
        metrics.section_id as section,
        metrics.description,
        labels.metric_label,
        metrics.denominator_unit,
        metric_values.value_source,
        metric_values.is_available,
        metric_values.not_available_reason,
        cast(metric_values.numerator as integer) as numerator,
        cast(metric_values.denominator as integer) as denominator,
        cast(metric_values.reported_percent as integer) as reported_percent,
        cast(coalesce(computed.missing_answers, 0) as integer) as missing_answers
    from metric_values
    inner join metrics on metric_values.metric_id = metrics.metric_id
    inner join labels on metric_values.metric_id = labels.metric_id
    left join computed
        on
            metric_values.la_code = computed.la_code
            and metric_values.time_identifier = computed.time_identifier
            and metric_values.time_period = computed.time_period
            and metric_values.metric_id = computed.metric_id
)

select * from final
