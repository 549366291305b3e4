{{ config(materialized='view') }}
-- The answers of every loaded submission in long form: one row per submission, question and
-- selected code, with the code each one rolls up to (so years on different form versions
-- compare). A blank or unrecognised answer keeps one row with no code. A view: the loaded
-- answers with their option's catalogue entry (a few hundred rows) beside them, read by the
-- classification, the age band and the skip-logic findings; never stored a second time.
with

answers as (
    select
        submission_key,
        file_sha256,
        question_id,
        answer_code,
        answer_status
    from {{ ref('stg_audit__answers') }}
),

options as (
    select
        question_id,
        answer_code,
        rolls_up_to,
        excluded_from_answered,
        sort_order
    from {{ ref('form_answer_options') }}
),

rolled_up as (
    select
        answers.submission_key,
        answers.question_id,
        answers.answer_status,
        answers.answer_code,
        answers.file_sha256,
        options.sort_order as answer_sort_order,
        coalesce(options.rolls_up_to, answers.answer_code) as rolled_up_code,
        coalesce(options.excluded_from_answered, false) as is_excluded_from_answered
    from answers
    left join options
        on
            answers.question_id = options.question_id
            and answers.answer_code = options.answer_code
)

select * from rolled_up
