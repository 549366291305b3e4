-- Every metric of the catalogue for every authority and period, computed generically: each
-- metric row of the seed says which question, which codes and which basis, and this one query
-- evaluates all of them. Grain: la_code x metric x period.
with

metrics as (
    select
        metrics.metric_id,
        metrics.section_id,
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
        audit_id,
        la_code,
        time_period,
        time_identifier
    from {{ ref('fct_audits') }}
),

responses as (
    select * from {{ ref('int_question_responses_classified') }}
),

selections as (
    select
        audit_id,
        question_id,
        answer_code,
        rolled_up_code
    from {{ ref('int_answers_rolled_up') }}
    where answer_code is not null
),

-- The audits each metric is about: all audits for counts; for a question, the audits whose
-- form has it (all_audits) or that answered it (answered), optionally only those whose answer
-- matches the basis' restriction (e.g. health plan not on ICS).
metric_population as (
    select
        metrics.metric_id,
        audits.audit_id
    from metrics
    cross join audits
    where metrics.question_id is null
    union all
    select
        metrics.metric_id,
        responses.audit_id
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
        metric_population.audit_id,
        selections.answer_code,
        list_contains(metrics.numerator_codes, selections.answer_code)
        or list_contains(metrics.numerator_codes, selections.rolled_up_code) as is_matching
    from metric_population
    inner join metrics on metric_population.metric_id = metrics.metric_id
    left join selections
        on
            metric_population.audit_id = selections.audit_id
            and metrics.question_id = selections.question_id
),

audit_selections as (
    select
        metric_id,
        audit_id,
        count(answer_code) as selection_count,
        count(answer_code) filter (where is_matching) as matching_count
    from metric_selections
    group by metric_id, audit_id
),

audit_contributions as (
    select
        audit_selections.metric_id,
        audit_selections.audit_id,
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
missing_answers as (
    select
        metrics.metric_id,
        responses.audit_id
    from metrics
    inner join responses on metrics.question_id = responses.question_id
    where responses.response_status in ('missing', 'unrecognised')
),

audits_in_scope as (
    select
        metric_id,
        audit_id,
        numerator_units,
        denominator_units,
        false as is_missing
    from audit_contributions
    union all
    select
        metric_id,
        audit_id,
        0 as numerator_units,
        null as denominator_units,
        true as is_missing
    from missing_answers
),

aggregated as (
    select
        audits.la_code,
        audits_in_scope.metric_id,
        audits.time_period,
        audits.time_identifier,
        cast(sum(audits_in_scope.numerator_units) as integer) as numerator,
        cast(sum(audits_in_scope.denominator_units) as integer) as denominator,
        cast(count(*) filter (where audits_in_scope.is_missing) as integer) as missing_answers
    from audits_in_scope
    inner join audits on audits_in_scope.audit_id = audits.audit_id
    group by audits.la_code, audits_in_scope.metric_id, audits.time_period, audits.time_identifier
),

final as (
    select
        aggregated.la_code,
        aggregated.time_period,
        aggregated.time_identifier,
        metrics.section_id,
        aggregated.metric_id,
        aggregated.numerator,
        aggregated.denominator,
        aggregated.missing_answers,
        case
            when aggregated.denominator > 0
                then 100.0 * aggregated.numerator / aggregated.denominator
        end as percent
    from aggregated
    inner join metrics on aggregated.metric_id = metrics.metric_id
)

select * from final
