-- Whether each form version could record each metric, decided from the catalogue alone: the
-- metric's question is on the form, one of its numerator options (or an option rolling up to
-- one) is offered on it, and so is one of its basis' restriction options. An audit on a form
-- that could not record a metric is outside that metric's base: nobody could have chosen
-- "No - parents declined" on the 2021 form, so 2021 has no figure for it, not 0%.
-- Grain: metric x form version (a few hundred rows), joined per landed file or per period
-- downstream, never per answer.
with

versions as (
    select
        form_version,
        row_number() over (order by first_used) as version_rank
    from {{ ref('form_versions') }}
),

-- the first and last version (rank) of anything with since_version / until_version
questions as (
    select
        questions.question_id,
        questions.since_version,
        questions.until_version,
        coalesce(first_version.version_rank, 0) as since_rank,
        coalesce(last_version.version_rank, 1000000) as until_rank
    from {{ ref('form_questions') }} as questions
    left join versions as first_version on questions.since_version = first_version.form_version
    left join versions as last_version on questions.until_version = last_version.form_version
),

options as (
    select
        answer_options.question_id,
        answer_options.answer_code,
        answer_options.rolls_up_to,
        answer_options.answer_label,
        answer_options.sort_order,
        answer_options.since_version,
        answer_options.until_version,
        coalesce(first_version.version_rank, 0) as since_rank,
        coalesce(last_version.version_rank, 1000000) as until_rank
    from {{ ref('form_answer_options') }} as answer_options
    left join versions as first_version
        on answer_options.since_version = first_version.form_version
    left join versions as last_version
        on answer_options.until_version = last_version.form_version
),

metrics as (
    select
        metrics.metric_id,
        metrics.question_id,
        string_split(metrics.numerator_codes, '|') as numerator_codes,
        string_split(bases.restrict_to_codes, '|') as restrict_to_codes
    from {{ ref('metrics') }} as metrics
    inner join {{ ref('metric_bases') }} as bases on metrics.basis = bases.basis
),

-- The options a metric needs, matched directly or through a roll-up: its numerator's and its
-- basis restriction's (a count of audits needs none).
needed_options as (
    select
        metrics.metric_id,
        'numerator' as need,
        options.*
    from metrics
    inner join options
        on
            metrics.question_id = options.question_id
            and (
                list_contains(metrics.numerator_codes, options.answer_code)
                or list_contains(metrics.numerator_codes, options.rolls_up_to)
            )
    union all
    select
        metrics.metric_id,
        'restriction' as need,
        options.*
    from metrics
    inner join options
        on
            metrics.question_id = options.question_id
            and (
                list_contains(metrics.restrict_to_codes, options.answer_code)
                or list_contains(metrics.restrict_to_codes, options.rolls_up_to)
            )
),

-- Per metric, version and need (numerator, restriction): is one of the options offered, and
-- if not, the words that say why (labels as the form prints them, in form order).
needs_by_version as (
    select
        needed_options.metric_id,
        versions.form_version,
        versions.version_rank,
        needed_options.need,
        bool_or(
            versions.version_rank between needed_options.since_rank and needed_options.until_rank
        ) as is_offered,
        string_agg(
            '"' || needed_options.answer_label || '"', ' and '
            order by needed_options.sort_order
        ) as labels,
        count(*) as option_count,
        min(needed_options.since_rank) filter (
            where needed_options.since_rank > versions.version_rank
        ) as next_since_rank,
        max(needed_options.until_rank) filter (
            where needed_options.until_rank < versions.version_rank
        ) as last_until_rank
    from needed_options
    cross join versions
    group by all
),

version_names as (
    select
        version_rank,
        form_version
    from versions
),

metric_versions as (
    select
        metrics.metric_id,
        metrics.question_id,
        versions.form_version,
        versions.version_rank,
        metrics.question_id is null
        or versions.version_rank between questions.since_rank and questions.until_rank
            as question_on_form,
        case
            when versions.version_rank < questions.since_rank
                then 'question introduced with the ' || questions.since_version || ' form'
            when versions.version_rank > questions.until_rank
                then 'question dropped after the ' || questions.until_version || ' form'
        end as question_reason
    from metrics
    cross join versions
    left join questions on metrics.question_id = questions.question_id
),

-- The reason an option is missing: "option "No - parents declined" introduced with the 2023
-- form" (or dropped after an earlier one).
option_reasons as (
    select
        needs_by_version.metric_id,
        needs_by_version.form_version,
        needs_by_version.need,
        needs_by_version.is_offered,
        case when needs_by_version.need = 'restriction' then 'base ' else '' end
        || case when needs_by_version.option_count > 1 then 'options ' else 'option ' end
        || needs_by_version.labels
        || case
            when introduced.form_version is not null
                then ' introduced with the ' || introduced.form_version || ' form'
            else ' dropped after the ' || dropped.form_version || ' form'
        end as option_reason
    from needs_by_version
    left join version_names as introduced
        on needs_by_version.next_since_rank = introduced.version_rank
    left join version_names as dropped
        on needs_by_version.last_until_rank = dropped.version_rank
),

final as (
    select
        metric_versions.metric_id,
        metric_versions.form_version,
        metric_versions.question_on_form
        and coalesce(numerator.is_offered, true)
        and coalesce(restriction.is_offered, true) as is_available,
        case
            when not metric_versions.question_on_form then metric_versions.question_reason
            when not numerator.is_offered then numerator.option_reason
            when not restriction.is_offered then restriction.option_reason
        end as not_available_reason
    from metric_versions
    left join option_reasons as numerator
        on
            metric_versions.metric_id = numerator.metric_id
            and metric_versions.form_version = numerator.form_version
            and numerator.need = 'numerator'
    left join option_reasons as restriction
        on
            metric_versions.metric_id = restriction.metric_id
            and metric_versions.form_version = restriction.form_version
            and restriction.need = 'restriction'
)

select * from final
