-- One row per audit: the current (latest) submission, placed in its reporting period.
with

ranked as (
    select * from {{ ref('int_audit_submissions_ranked') }}
),

current_submissions as (
    select
        audit_id,
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
)

select * from current_submissions
