-- The answers of current audits in long form: one row per audit, question and selected code,
-- with the code each one rolls up to (so years on different form versions compare). A blank
-- or unrecognised answer keeps one row with no code.
with

audits as (
    select
        audit_id,
        submission_id
    from {{ ref('int_audits_deduplicated') }}
),

answers as (
    select * from {{ ref('stg_audit__answers') }}
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
        audits.audit_id,
        answers.question_id,
        answers.answer_status,
        answers.answer_code,
        options.sort_order as answer_sort_order,
        answers.answer_text,
        coalesce(options.rolls_up_to, answers.answer_code) as rolled_up_code,
        coalesce(options.excluded_from_answered, false) as is_excluded_from_answered
    from answers
    inner join audits on answers.submission_id = audits.submission_id
    left join options
        on
            answers.question_id = options.question_id
            and answers.answer_code = options.answer_code
)

select * from rolled_up
