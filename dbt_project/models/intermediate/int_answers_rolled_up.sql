{{ config(
    materialized='incremental',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_stale_files('int_audit_submissions_ranked') }}",
) }}
-- The answers of every loaded submission in long form: one row per submission, question and
-- selected code, with the code each one rolls up to (so years on different form versions
-- compare). A blank or unrecognised answer keeps one row with no code. Whether a submission
-- counts (the latest for its audit) is decided downstream, so each file's rows are computed
-- once, when it lands (incremental by file: see macros/incremental_by_file.sql).
with

submissions as (
    select
        submission_id,
        audit_id,
        file_sha256,
        source_row
    from {{ ref('int_audit_submissions_ranked') }}
    where {{ files_not_built_yet('file_sha256') }}
),

answers as (
    select
        file_sha256,
        source_row,
        question_id,
        answer_code,
        answer_status
    from {{ ref('stg_audit__answers') }}
    where {{ files_not_built_yet('file_sha256') }}
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
        submissions.submission_id,
        submissions.audit_id,
        answers.question_id,
        answers.answer_status,
        answers.answer_code,
        options.sort_order as answer_sort_order,
        coalesce(options.rolls_up_to, answers.answer_code) as rolled_up_code,
        coalesce(options.excluded_from_answered, false) as is_excluded_from_answered,
        submissions.file_sha256,
        {{ catalogue_fingerprint() }} as catalogue_fingerprint
    from answers
    inner join submissions
        on
            answers.file_sha256 = submissions.file_sha256
            and answers.source_row = submissions.source_row
    left join options
        on
            answers.question_id = options.question_id
            and answers.answer_code = options.answer_code
)

select * from rolled_up
