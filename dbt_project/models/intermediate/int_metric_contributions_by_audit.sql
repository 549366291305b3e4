{{ config(
    materialized='incremental',
    pre_hook="{{ delete_stale_files('int_audit_submissions_ranked') }}",
) }}
-- What each audit contributes to each metric of the catalogue: numerator and denominator
-- units (audits or selections), or a missing answer. The one place the metric rules live:
-- int_metric_values_computed and fct_metric_breakdowns only add these up, by period and by
-- breakdown, for the submission that counts for each audit (int_audits_deduplicated).
-- Grain: metric x loaded submission (submissions outside a metric's basis have no row);
-- incremental by file, so a month's files are computed once, when they land.
with

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

audits as (
    select
        submission_id,
        audit_id,
        file_sha256
    from {{ ref('int_audit_submissions_ranked') }}
    where {{ files_not_built_yet('file_sha256') }}
),

responses as (
    select * from {{ ref('int_question_responses_classified') }}
    where {{ files_not_built_yet('file_sha256') }}
),

selections as (
    select
        submission_id,
        question_id,
        answer_code,
        rolled_up_code
    from {{ ref('int_answers_rolled_up') }}
    where answer_code is not null and {{ files_not_built_yet('file_sha256') }}
),

-- The audits each metric is about: all audits for counts; for a question, the audits whose
-- form has it (all_audits) or that answered it (answered), optionally only those whose answer
-- matches the basis' restriction (e.g. health plan not on ICS).
metric_population as (
    select
        metrics.metric_id,
        audits.submission_id,
        audits.audit_id,
        audits.file_sha256
    from metrics
    cross join audits
    where metrics.question_id is null
    union all
    select
        metrics.metric_id,
        responses.submission_id,
        responses.audit_id,
        responses.file_sha256
    from metrics
    inner join responses on metrics.question_id = responses.question_id
    where
        metrics.population = 'all_audits'
        or (
            metrics.population = 'answered'
            and responses.response_status = 'answered'
            and (
                metrics.restrict_to_codes is null
                or list_has_any(responses.matched_codes, metrics.restrict_to_codes)
            )
        )
),

-- Per metric and audit: selections of the metric's question, and those matching its codes
-- directly or through a roll-up.
metric_selections as (
    select
        metric_population.metric_id,
        metric_population.submission_id,
        metric_population.audit_id,
        metric_population.file_sha256,
        selections.answer_code,
        list_contains(metrics.numerator_codes, selections.answer_code)
        or list_contains(metrics.numerator_codes, selections.rolled_up_code) as is_matching
    from metric_population
    inner join metrics on metric_population.metric_id = metrics.metric_id
    left join selections
        on
            metric_population.submission_id = selections.submission_id
            and metrics.question_id = selections.question_id
),

-- audit_id and file_sha256 follow from submission_id: carried, not grouped by (narrower hash
-- keys on the largest aggregations)
audit_selections as (
    select
        metric_id,
        submission_id,
        any_value(audit_id) as audit_id,
        any_value(file_sha256) as file_sha256,
        count(answer_code) as selection_count,
        count(answer_code) filter (where is_matching) as matching_count
    from metric_selections
    group by metric_id, submission_id
),

counted as (
    select
        audit_selections.metric_id,
        audit_selections.submission_id,
        audit_selections.audit_id,
        audit_selections.file_sha256,
        case
            when metrics.unit = 'selections' then audit_selections.matching_count
            when metrics.numerator_rule = 'selected' then least(audit_selections.matching_count, 1)
            when metrics.numerator_rule = 'not_selected'
                then case when audit_selections.matching_count = 0 then 1 else 0 end
            else 1
        end as numerator_units,
        case
            when metrics.numerator_rule = 'count_audits' then null
            when metrics.unit = 'selections' then audit_selections.selection_count
            else 1
        end as denominator_units
    from audit_selections
    inner join metrics on audit_selections.metric_id = metrics.metric_id
),

-- Answers that should have been given but were blank or unrecognised: reported, not hidden.
-- Such an audit stays in an all_audits base (its form has the question) and is left out of an
-- answered one.
missing as (
    select
        metrics.metric_id,
        responses.submission_id,
        responses.audit_id,
        responses.file_sha256,
        0 as numerator_units,
        null as denominator_units,
        true as is_missing
    from metrics
    inner join responses on metrics.question_id = responses.question_id
    where responses.response_status in ('missing', 'unrecognised')
),

in_scope as (
    select
        metric_id,
        submission_id,
        audit_id,
        file_sha256,
        numerator_units,
        denominator_units,
        false as is_missing
    from counted
    union all
    select * from missing
),

final as (
    select
        metric_id,
        submission_id,
        any_value(audit_id) as audit_id,
        cast(sum(numerator_units) as integer) as numerator_units,
        cast(sum(denominator_units) as integer) as denominator_units,
        bool_or(is_missing) as is_missing,
        any_value(file_sha256) as file_sha256,
        {{ catalogue_fingerprint() }} as catalogue_fingerprint
    from in_scope
    group by metric_id, submission_id
)

select * from final
