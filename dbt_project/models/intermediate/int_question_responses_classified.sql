{{ config(
    materialized='incremental',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_stale_files('int_audit_submissions_ranked') }}",
) }}
-- depends_on: {{ ref('int_audit_submissions_ranked') }} (the loaded files, in the pre-hook)
-- One row per loaded submission and question on its form version, saying whether the
-- question was answered, not applicable, legitimately skipped (not asked), or missing; skip
-- logic comes from the catalogue (asked_when_question / asked_when_codes). Incremental by
-- file: a file's answers are classified once, when it lands.
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
-- whole. (file_sha256 follows from submission_key: carried, not grouped by.)
-- answer: the code given, or a multi-select's codes joined by ';' in catalogue order
responses as (
    select
        answers.submission_key,
        answers.question_id,
        answers.file_sha256,
        answers.answer_status,
        answers.answer_code as answer,
        case when answers.answer_code is null then 0 else 1 end as selection_count,
        answers.is_excluded_from_answered as is_only_excluded_codes
    from answers
    inner join questions on answers.question_id = questions.question_id
    where questions.question_type != 'multi'
    union all
    select
        answers.submission_key,
        answers.question_id,
        any_value(answers.file_sha256) as file_sha256,
        min(answers.answer_status) as answer_status,
        string_agg(answers.answer_code, ';' order by answers.answer_sort_order) as answer,
        count(answers.answer_code) as selection_count,
        bool_and(answers.is_excluded_from_answered) as is_only_excluded_codes
    from answers
    inner join questions on answers.question_id = questions.question_id
    where questions.question_type = 'multi'
    group by answers.submission_key, answers.question_id
),

-- The follow-up questions each submission was asked: its answer to the parent question (a
-- code, or the code it rolls up to) is one of the follow-up's asked_when codes. Read from the
-- parent questions' answer rows only.
asked_follow_ups as (
    select distinct
        answers.submission_key,
        questions.question_id
    from answers
    inner join questions on answers.question_id = questions.asked_when_question
    where
        list_contains(questions.asked_when_codes, answers.answer_code)
        or list_contains(questions.asked_when_codes, answers.rolled_up_code)
),

with_skip_logic as (
    select
        responses.*,
        questions.asked_when_question is null
        or asked_follow_ups.submission_key is not null as is_asked
    from responses
    inner join questions on responses.question_id = questions.question_id
    left join asked_follow_ups
        on
            responses.submission_key = asked_follow_ups.submission_key
            and responses.question_id = asked_follow_ups.question_id
),

classified as (
    select
        submission_key,
        question_id,
        answer_status,
        answer,
        selection_count,
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
