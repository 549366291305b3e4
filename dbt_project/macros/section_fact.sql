{#- A section's fact table: one row per audit, one column per question of the section (in
    catalogue order) holding the answer code, or the codes joined by ';' for a multi-select.
    The question list comes from the catalogue seed at run time, so every section table is one
    line and a new question is a catalogue change. Missing, unrecognised and skipped answers
    are null here; int_question_responses_classified says which. Incremental: a run pivots
    only the audits whose counting submission is not in the table yet; the pre-hook
    (delete_superseded_audits) removes superseded ones, and everything when the catalogue
    rules change (the columns may change with them). -#}
{% macro section_fact(section_id) %}
with

audits as (
    select
        audit_id, submission_id, submission_key, la_code, time_period, time_identifier,
        completion_month, form_version
    from {{ ref('int_audits_deduplicated') }}
    {% if this is not none and is_incremental() -%}
        where submission_id not in (select submission_id from {{ this }})
    {%- endif %}
),

section_answers as (
    select
        responses.submission_key,
        responses.question_id,
        responses.answer
    from {{ ref('int_question_responses_classified') }} as responses
    inner join audits on responses.submission_key = audits.submission_key
    where
        responses.response_status in ('answered', 'not_applicable')
        and responses.question_id in (
            select questions.question_id from {{ ref('form_questions') }} as questions
            where questions.section_id = '{{ section_id }}'
        )
),

answers_by_question as (
    pivot section_answers
    on question_id in (
        select question_id from {{ ref('form_questions') }}
        where section_id = '{{ section_id }}'
        order by sort_order
    )
    using first(answer)
    group by submission_key
)

select
    audits.* exclude (submission_key),
    answers_by_question.* exclude (submission_key),
    {{ catalogue_fingerprint() }} as catalogue_fingerprint
from audits
left join answers_by_question on audits.submission_key = answers_by_question.submission_key
{% endmacro %}

{#- Pre-hook of the section facts: drop audits whose counting submission changed (a later one
    superseded it, or its file was replaced), and every row made under other catalogue rules. -#}
{% macro delete_superseded_audits() %}
    {% if this is not none and is_incremental() %}
        delete from {{ this }}
        where
            submission_id not in (select submission_id from {{ ref('int_audits_deduplicated') }})
            or catalogue_fingerprint != {{ catalogue_fingerprint() }}
    {% endif %}
{% endmacro %}
