-- One row per audit: the current (latest) submission, placed in its reporting period and in
-- its breakdown categories (age band, district): everything the marts count audits by.
with

ranked as (
    select * from {{ ref('int_audit_submissions_ranked') }}
),

age_bands as (
    select
        submission_key,
        rolled_up_code as age_band
    from {{ ref('int_answers_rolled_up') }}
    where question_id = 'age_band' and answer_status = 'answered'
),

current_submissions as (
    select
        audit_id,
        submission_key,
        submission_id,
        la_code,
        child_pseudonym,
        iro_pseudonym,
        review_date,
        completed_at,
        {{ time_period('completed_at') }} as time_period,
        {{ time_identifier() }} as time_identifier,
        cast({{ dbt.date_trunc('month', 'completed_at') }} as date) as completion_month,
        form_version,
        district_code,
        submission_count,
        source_file,
        file_sha256,
        source_row
    from ranked
    where is_current_submission
),

placed as (
    select
        current_submissions.*,
        age_bands.age_band
    from current_submissions
    left join age_bands on current_submissions.submission_key = age_bands.submission_key
)

select * from placed
