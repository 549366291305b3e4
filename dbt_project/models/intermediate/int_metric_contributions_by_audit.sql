{{ config(materialized='view') }}
-- What each audit contributes to each metric of the catalogue: numerator and denominator
-- units (audits or selections), or a missing answer. The one place the metric rules live:
-- int_metric_counts_by_file adds these up per file for the submissions that count, and
-- int_metric_values_computed and fct_metric_breakdowns add those up by period and category.
-- Grain: metric x loaded submission (submissions outside a metric's basis have no row).
-- A view, computed in the pass that sums it: each classified response meets the few metrics
-- of its question, with no join to the answers and nothing to group.
with

options as (
    select
        question_id,
        answer_code,
        rolls_up_to
    from {{ ref('form_answer_options') }}
),

metrics as (
    select
        metrics.metric_id,
        metrics.question_id,
        metrics.numerator_rule,
        bases.unit,
        bases.population,
        string_split(metrics.numerator_codes, '|') as numerator_codes,
        string_split(bases.restrict_to_codes, '|') as restrict_to_codes
    from {{ ref('metrics') }} as metrics
    inner join {{ ref('metric_bases') }} as bases on metrics.basis = bases.basis
),

-- Per metric, every code of its question that matches its numerator codes (and its basis'
-- restriction): the codes themselves and the options rolling up to one of them, so a 2023
-- "No - parents declined" counts wherever "no" is counted.
metric_codes as (
    select
        metrics.metric_id,
        metrics.question_id,
        any_value(metrics.numerator_rule) as numerator_rule,
        any_value(metrics.unit) as unit,
        any_value(metrics.population) as population,
        list_distinct(
            list_concat(
                any_value(metrics.numerator_codes),
                list(options.answer_code) filter (
                    where list_contains(metrics.numerator_codes, options.rolls_up_to)
                )
            )
        ) as numerator_matches,
        case
            when any_value(metrics.restrict_to_codes) is not null
                then list_distinct(
                    list_concat(
                        any_value(metrics.restrict_to_codes),
                        list(options.answer_code) filter (
                            where list_contains(metrics.restrict_to_codes, options.rolls_up_to)
                        )
                    )
                )
        end as restriction_matches
    from metrics
    left join options on metrics.question_id = options.question_id
    group by metrics.metric_id, metrics.question_id
),

audits as (
    select
        submission_key,
        file_sha256
    from {{ ref('int_audit_submissions_ranked') }}
),

responses as (
    select
        submission_key,
        question_id,
        response_status,
        answer,
        selection_count,
        file_sha256
    from {{ ref('int_question_responses_classified') }}
),

-- Per metric and audit: the audits each metric is about (all audits whose form has the
-- question, or those that answered it, optionally only those whose answer matches the basis'
-- restriction), how many of its selections match the numerator's codes, and whether its
-- answer is missing. An answer is one code, or a multi-select's codes joined by ';'.
metric_responses as (
    select
        metric_codes.metric_id,
        metric_codes.numerator_rule,
        metric_codes.unit,
        responses.submission_key,
        responses.file_sha256,
        responses.selection_count,
        responses.response_status in ('missing', 'unrecognised') as is_missing,
        case
            when responses.selection_count = 0 then 0
            when responses.selection_count = 1
                then cast(
                    list_contains(metric_codes.numerator_matches, responses.answer) as integer
                )
            else len(
                list_intersect(string_split(responses.answer, ';'), metric_codes.numerator_matches)
            )
        end as matching_count,
        metric_codes.population = 'all_audits'
        or (
            metric_codes.population = 'answered'
            and responses.response_status = 'answered'
            and (
                metric_codes.restriction_matches is null
                or list_has_any(
                    string_split(responses.answer, ';'), metric_codes.restriction_matches
                )
            )
        ) as is_in_population
    from responses
    inner join metric_codes on responses.question_id = metric_codes.question_id
),

question_contributions as (
    select
        metric_id,
        submission_key,
        cast(case
            when not is_in_population then 0
            when unit = 'selections' then matching_count
            when numerator_rule = 'selected' then least(matching_count, 1)
            when numerator_rule = 'not_selected' then case when matching_count = 0 then 1 else 0 end
            else 1
        end as integer) as numerator_units,
        cast(case
            when numerator_rule = 'count_audits' or not is_in_population then null
            when unit = 'selections' then selection_count
            else 1
        end as integer) as denominator_units,
        is_missing,
        file_sha256
    from metric_responses
    where is_in_population or is_missing
),

-- a count of audits counts every audit
audit_counts as (
    select
        metric_codes.metric_id,
        audits.submission_key,
        1 as numerator_units,
        cast(null as integer) as denominator_units,
        false as is_missing,
        audits.file_sha256
    from metric_codes
    cross join audits
    where metric_codes.question_id is null
),

final as (
    select * from question_contributions
    union all
    select * from audit_counts
)

select * from final
