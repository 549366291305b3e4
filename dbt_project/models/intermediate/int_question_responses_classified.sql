{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_files('int_answers_rolled_up') }}",
) }}
-- One row per loaded submission and question on its form version, saying whether the
-- question was answered, not applicable, legitimately skipped (not asked), or missing; skip
-- logic comes from the catalogue (asked_when_question / asked_when_codes). Incremental by
-- file, like the answers it classifies.
with

answers as (
    select * from {{ ref('int_answers_rolled_up') }}
    where {{ files_not_built_yet('file_sha256') }}
),

questions as (
    select
        question_id,
        question_type,
        asked_when_question,
        string_split(asked_when_codes, '|') as asked_when_codes
    from {{ ref('form_questions') }}
),

-- A single-choice question has one row per submission (ingest writes one, blank or not):
-- taken as it is. Only multi-selects are grouped, so the largest table is never aggregated
-- whole. (audit_id and file_sha256 follow from submission_id: carried, not grouped by.)
-- answer: the code given, or a multi-select's codes joined by ';' in catalogue order;
-- matched_codes: the codes given and those they roll up to, sorted
responses as materialized (
    select
        answers.submission_id,
        answers.question_id,
        answers.audit_id,
        answers.file_sha256,
        answers.answer_status,
        answers.answer_code as answer,
        case when answers.answer_code is null then 0 else 1 end as selection_count,
        answers.is_excluded_from_answered as is_only_excluded_codes,
        case
            when answers.answer_code is not null
                then list_sort(list_distinct([answers.answer_code, answers.rolled_up_code]))
        end as matched_codes
    from answers
    inner join questions on answers.question_id = questions.question_id
    where questions.question_type != 'multi'
    union all
    select
        answers.submission_id,
        answers.question_id,
        any_value(answers.audit_id) as audit_id,
        any_value(answers.file_sha256) as file_sha256,
        min(answers.answer_status) as answer_status,
        string_agg(answers.answer_code, ';' order by answers.answer_sort_order) as answer,
        count(answers.answer_code) as selection_count,
        bool_and(answers.is_excluded_from_answered) as is_only_excluded_codes,
        list_sort(
            list_distinct(
                flatten(
                    list([answers.answer_code, answers.rolled_up_code])
                    filter (where answers.answer_code is not null)
                )
            )
        ) as matched_codes
    from answers
    inner join questions on answers.question_id = questions.question_id
    where questions.question_type = 'multi'
    group by answers.submission_id, answers.question_id
),

-- the answers that decide whether a follow-up was asked: only the parent questions' rows
parent_answers as (
    select
        submission_id,
        question_id,
        matched_codes
    from responses
    where question_id in (select questions.asked_when_question from questions)
),

with_skip_logic as (
    select
        responses.*,
        questions.asked_when_question,
        questions.asked_when_question is null
        or coalesce(
            list_has_any(parent_answers.matched_codes, questions.asked_when_codes), false
        ) as is_asked
    from responses
    inner join questions on responses.question_id = questions.question_id
    left join parent_answers
        on
            responses.submission_id = parent_answers.submission_id
            and questions.asked_when_question = parent_answers.question_id
),

classified as (
    select
        submission_id,
        audit_id,
        question_id,
        answer_status,
        answer,
        selection_count,
        matched_codes,
        is_asked,
        case
            when not is_asked and answer_status = 'blank' then 'not_asked'
            when not is_asked then 'skip_logic_violation'
            when answer_status = 'blank' then 'missing'
            when answer_status = 'unrecognised' then 'unrecognised'
            when is_only_excluded_codes then 'not_applicable'
            else 'answered'
        end as response_status,
        file_sha256,
        {{ catalogue_fingerprint() }} as catalogue_fingerprint
    from with_skip_logic
)

select * from classified
