-- One row per audit (child and CLA review), the latest submission only: who, when, where,
-- the form version it was on, and where it came from (int_audits_deduplicated).
with

audits as (
    select * from {{ ref('int_audits_deduplicated') }}
),

final as (
    select
        audit_id,
        la_code,
        time_period,
        time_identifier,
        completion_month,
        completed_at,
        review_date,
        child_pseudonym,
        iro_pseudonym,
        district_code,
        age_band,
        form_version,
        submission_count,
        submission_id,
        source_file,
        file_sha256,
        source_row
    from audits
)

select * from final
